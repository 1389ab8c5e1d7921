/* /etc/docker/daemon.json: dockdrop owns six keys (tls, tlsverify, tlscacert, tlscert,
 * tlskey, hosts) and nothing else. Everything the user wrote stays as written (order, and
 * each value byte for byte: strings and numbers are not re-encoded), --daemon-opt KEY=VALUE
 * sets or replaces a key, and dockdrop's keys are written last. The TCP port is never
 * opened without tlsverify: a "hosts" entry the user had is kept only when it is another
 * unix:// socket; tcp://, fd:// (socket activation needs -H fd:// on the command line,
 * which dockdrop's units never pass, and "hosts" in the file with -H makes dockerd refuse
 * to start), bare host:port and any other form are dropped with a warning.
 * Input is strict JSON (util/jsontext.h), at most 1 MiB, nested at most 64 deep, with no
 * repeated key (dockerd 20.10 takes the last of two, silently: we refuse to guess).
 * Output is MarshalIndent-style with two spaces and a final newline, and merging it again
 * with the same settings gives the same bytes. */
#ifndef DD_DAEMONJSON_H
#define DD_DAEMONJSON_H

#include <stddef.h>

#define DD_DAEMONJSON_MAX (1024 * 1024)
#define DD_DAEMONJSON_DEPTH 64

struct dd_daemon_cfg {
	int tcp;		 /* 0 with --no-tcp */
	unsigned port;		 /* 2376 */
	const char *tls_dir;	 /* "/etc/docker/tls" (absolute, unmapped: goes into the file) */
	const char *const *opts; /* --daemon-opt KEY=VALUE strings, VALUE is JSON */
	unsigned nopts;
	/* The --daemon-opt KEY=VALUE strings of the last install that this one does not set:
	 * a member that still holds VALUE is dockdrop's, and goes (or gets back the value it
	 * had in orig, the file before dockdrop's first install); one the user changed since
	 * stays. */
	const char *const *drop;
	unsigned ndrop;
	const char *orig;	 /* NULL when there was no file */
	size_t origlen;
};

/* One --daemon-opt: KEY non-empty, printable ASCII without '=', '"', '\\' or space; VALUE
 * one strict JSON value; KEY not one of dockdrop's ("--daemon-opt hosts: dockdrop sets
 * this key; use --port/--no-tcp"). 0, or DD_EXIT_USAGE with one line in err. */
int dd_daemonjson_check_opt(const char *kv, char *err, size_t errsz);

/* old[0..oldlen) is the current file (NULL when there is none; only whitespace counts as
 * an empty object: dockerd itself fails on an empty file). *out is malloc'ed text for the
 * caller to free; warn gets one line, or "" when nothing was dropped. 0, DD_EXIT_USAGE
 * (the file or an option is refused; err says which and what to do) or DD_EXIT_FAIL (out
 * of memory). */
int dd_daemonjson_merge(const char *old, size_t oldlen, const struct dd_daemon_cfg *c,
			char **out, char *warn, size_t warnsz, char *err, size_t errsz);

/* For uninstall: text without dockdrop's six keys, the rest kept as merge keeps it. *out
 * is NULL when no key is left (the file can be removed) or text is NULL or blank. 0,
 * DD_EXIT_USAGE or DD_EXIT_FAIL as for merge. */
int dd_daemonjson_unmerge(const char *text, size_t n, char **out, char *err, size_t errsz);

#endif
