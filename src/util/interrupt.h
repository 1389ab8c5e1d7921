/* SIGINT, SIGTERM and SIGHUP do not kill dockdrop in the middle of a write: the handler
 * only records the signal; the data sources (file reads) then fail with EINTR, every
 * operation unwinds through its normal error path (staging directories and temporary
 * files removed), and main re-raises the signal so the exit status still says it. */
#ifndef DD_INTERRUPT_H
#define DD_INTERRUPT_H

void dd_interrupt_init(void);
/* The signal received, or 0. */
int dd_interrupted(void);
/* If a signal came, die of it now (default action); otherwise return. */
void dd_interrupt_finish(void);

#endif
