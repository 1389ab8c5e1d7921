/* PLACEHOLDER until the preflight module lands (its branch replaces this file). */
#ifndef DD_HOST_PREFLIGHT_H
#define DD_HOST_PREFLIGHT_H

#include <stdint.h>

enum dd_init { DD_INIT_NONE, DD_INIT_SYSTEMD, DD_INIT_OPENRC, DD_INIT_SYSV };
enum dd_init dd_init_detect(void);
const char *dd_init_name(enum dd_init);
struct dd_preflight_in { const char *engine_arch; uint64_t engine_bytes; int force; int offline_root; };
struct dd_preflight_item { const char *name; int level; char msg[256]; };
struct dd_preflight { struct dd_preflight_item item[16]; unsigned n; enum dd_init init; };
int dd_preflight_run(const struct dd_preflight_in *in, struct dd_preflight *out);

#endif
