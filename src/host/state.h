/* The state record, /var/lib/dockdrop/state: what install did, so that a re-run can tell
 * "nothing to do", status can report, and uninstall removes exactly what dockdrop wrote.
 * Plain text, one fact per line, parsed fail-closed (it is fuzzed):
 *   dockdrop-state 1
 *   engine VERSION SHA256 DIRNAME [TREE]   the active engine (DIRNAME under /opt/dockdrop/engine;
 *                                          TREE: the digest of that directory, host/enginesum.h)
 *   uninstalled                            instead of an engine line: a plain uninstall
 *                                          removed the engine and left what the lines list
 *                                          (certificates, data, the group) for --purge
 *   previous VERSION SHA256 DIRNAME [TREE] kept for install --rollback (newest first)
 *   port N | tcp 0|1 | init NAME | key-type NAME | certs DIR
 *   san NAME|IP                            each --tls-san
 *   daemon-opt KEY=VALUE                   each --daemon-opt (the rest of the line)
 *   group NAME GID created|existing
 *   file PATH MODE SHA256                  removed by uninstall if unchanged
 *   keep PATH MODE SHA256                  certificates and keys: removed by uninstall --purge
 *   conf PATH MODE SHA256                  merged config: dockdrop's keys removed by uninstall
 *   link PATH TARGET
 *   dir PATH                               removed by uninstall when empty
 *   data PATH                              a tree the daemons make, absent before dockdrop:
 *                                          removed by uninstall --purge
 *   backup PATH MODE SHA256                the user's file that stood where dockdrop writes,
 *                                          moved to PATH (under /var/lib/dockdrop/backup,
 *                                          followed by its original path): put back by
 *                                          uninstall
 *   nonl PATH                              /etc/group or /etc/gshadow ended without a newline
 *                                          before dockdrop added its line
 *   auth SERVER USER                       a registry login install --registry added to root's
 *                                          ~/.docker/config.json (never the password):
 *                                          uninstall removes that entry while it is USER's
 *   auth-file created                      that config.json did not exist before dockdrop
 * A SHA256 of 64 zeros is "planned": written before the file, by a run that may have been
 * killed before it could record the digest (the path was dockdrop's or absent then).
 * Paths are absolute target paths without spaces or control characters; which paths a
 * record may name at all is host/record.h's business. */
#ifndef DD_HOST_STATE_H
#define DD_HOST_STATE_H

#include <stddef.h>

#define DD_STATE_ENTS 160
#define DD_STATE_PREV 4
#define DD_STATE_LIST 32
#define DD_STATE_AUTHS 8
#define DD_STATE_MAX 114688	/* the largest record dd_state_format writes (state.c checks) */

struct dd_state_ent {
	char kind;		/* 'f' file, 'k' keep, 'c' conf, 'l' link, 'd' dir, 'x' data,
				 * 'b' backup, 'n' nonl */
	unsigned mode;
	char path[256];
	char sha[65];		/* hex: file, keep, conf, backup */
	char target[256];	/* links */
};

struct dd_state_auth {
	char server[256];	/* the config.json key (workload/dockercfg.h) */
	char user[128];
};

struct dd_state_engine {
	char version[64], sha[65], dir[128];
	char tree[65];		/* "" when not recorded */
};

struct dd_state {
	struct dd_state_engine engine;	/* dir "" when uninstalled */
	struct dd_state_engine previous[DD_STATE_PREV];
	unsigned nprev;
	unsigned port;
	int tcp;
	char init[16], key_type[16], certs[256];
	char sans[DD_STATE_LIST][256];
	unsigned nsans;
	char opts[DD_STATE_LIST][512];
	unsigned nopts;
	char group[33];
	unsigned gid;
	int group_created;
	int uninstalled;	/* the "uninstalled" line (then engine.dir is "") */
	struct dd_state_ent ent[DD_STATE_ENTS];
	unsigned n;
	struct dd_state_auth auth[DD_STATE_AUTHS];
	unsigned nauth;
	int auth_file;		/* the "auth-file created" line */
};

#define DD_STATE_PLANNED "0000000000000000000000000000000000000000000000000000000000000000"

/* Parse text (n bytes). 0, or -1 with a reason in err (line number and what). */
int dd_state_parse(const char *text, size_t n, struct dd_state *s, char *err, size_t errsz);
/* Format into out; bytes written, or 0 when it does not fit. */
size_t dd_state_format(const struct dd_state *s, char *out, size_t cap);
/* Read the record on the target: 0 loaded, DD_STATE_NONE when there is none,
 * DD_EXIT_FAIL with err when it cannot be read or is damaged. */
#define DD_STATE_NONE (-1)
int dd_state_load(struct dd_state *s, char *err, size_t errsz);
/* Add an entry; 0, or -1 when full or the path or target is unusable. Re-adding a path
 * replaces its entry. */
int dd_state_add(struct dd_state *s, char kind, const char *path, unsigned mode,
		 const char *sha, const char *target);
/* Add what is at the target path abs now: kind 'l' its link target, 'd' a directory, else
 * the file's mode and SHA-256. 0 or -1 with errno. */
int dd_state_record(struct dd_state *s, char kind, const char *abs);
/* Add (or, for a server on record, replace) a registry login: 0, or -1 when full or a word
 * is unusable. */
int dd_state_auth(struct dd_state *s, const char *server, const char *user);
const struct dd_state_ent *dd_state_find(const struct dd_state *s, const char *path);
/* 1 when the record holds p as a path and reads it back (absolute, printable ASCII
 * without spaces, no "." or ".." component, under 256 bytes): input is checked with it. */
int dd_state_path_ok(const char *p);

#endif
