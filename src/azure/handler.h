/* The Azure Linux agent's side of a VM extension handler (AZURE.md 3-7): where the handler
 * lives and what the agent gave it (HandlerEnvironment.json), which settings to act on
 * (the sequence number N), the status file the agent reads back (status/N.status, written
 * atomically), the "most recently processed" marker (mrseq, which the agent carries over
 * an upgrade), one lock per handler folder, and the handler's own log. The commands that
 * use these are src/cmd/azure_handler.c. */
#ifndef DD_AZURE_HANDLER_H
#define DD_AZURE_HANDLER_H

#include <limits.h>
#include <stddef.h>

struct dd_azh {
	char base[PATH_MAX];		/* the handler's folder (the agent's working directory) */
	char name[128];			/* Publisher.Type */
	char log_dir[PATH_MAX], config_dir[PATH_MAX], status_dir[PATH_MAX];
	long seq;			/* N */
	int lock_fd, log_fd;
};

/* The folder and HandlerEnvironment.json: AZURE_GUEST_AGENT_EXTENSION_PATH, else the
 * executable's folder or its parent. 0, or DD_EXIT_USAGE after one line. */
int dd_azh_env(struct dd_azh *h);
/* N: ConfigSequenceNumber, else the newest N.settings (ties: the highest N); -1 when
 * there is none. */
long dd_azh_seq(const struct dd_azh *h);
/* The handler's log (logFolder/dockdrop-handler.log, 0600, kept under 1 MiB by starting
 * it again): its descriptor, or -1. */
int dd_azh_log_open(struct dd_azh *h);
/* The lock of the handler folder, with N written in it. 1 taken; 0 when busy = 1 and the
 * holder works on the same N (an enable of N already runs); -1 after waiting wait_s in
 * vain or on an error. */
int dd_azh_lock(struct dd_azh *h, int busy_same_n_returns, int wait_s);

#define DD_AZH_TIME 21	/* "2026-12-04T05:01:22Z" */
/* Now, as RFC 3339 UTC: the status files' and the log's time. */
void dd_azh_now(char out[DD_AZH_TIME]);
/* status/N.status: [{"version":1,"timestampUTC":...,"status":{"operation":op,
 * "status":status,"code":code,"formattedMessage":{"lang":"en","message":msg}}}]. 0 or -1. */
int dd_azh_status(const struct dd_azh *h, const char *op, const char *status, int code,
		  const char *msg);
/* The operation and status of status/N.status ("Enable success", "Disable success"...)
 * into out; "" when there is none or it cannot be read. */
void dd_azh_status_of(const struct dd_azh *h, char *out, size_t cap);
/* mrseq: the N last processed, or -1. */
long dd_azh_mrseq(const struct dd_azh *h);
int dd_azh_set_mrseq(const struct dd_azh *h, long n);

#endif
