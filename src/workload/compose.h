/* A Compose project install brings up (install --compose FILE [--compose-env FILE]
 * [--compose-name NAME]): the file (and the env file, 0600: it may hold secrets) copied to
 * /etc/dockdrop/compose/NAME/compose.yaml (compose.env), checked by Compose itself
 * (`docker compose config -q`) before the daemon is touched, brought up with
 * `docker compose up -d` once the daemon is proven, and by a service at boot.
 *
 * NAME: --compose-name, else the name Compose itself gives a project without one: the
 * basename of the file's directory, lowercased, with everything but [a-z0-9_-] dropped
 * and leading '_' and '-' trimmed (compose-go's NormalizeProjectName). It is always passed
 * with -p, so a top-level `name:` in the file (YAML dockdrop does not parse) never
 * disagrees with the directory and the record. Only the two files are copied: paths in
 * the file relative to its directory resolve in /etc/dockdrop/compose/NAME.
 *
 * Every run of the docker CLI gets PATH, HOME=/root and DOCKER_HOST=unix:///var/run/
 * docker.sock and nothing of dockdrop's own environment. */
#ifndef DD_WORKLOAD_COMPOSE_H
#define DD_WORKLOAD_COMPOSE_H

#include <stddef.h>

#include "util/jsonout.h"

#define DD_COMPOSE_DIR "/etc/dockdrop/compose"
#define DD_COMPOSE_UNIT "dockdrop-compose"	/* the service's name, for every init */
#define DD_COMPOSE_NAME_MAX 48
#define DD_COMPOSE_FILE_MAX 65536
#define DD_COMPOSE_ENV_MAX 16384

struct dd_compose {
	char name[DD_COMPOSE_NAME_MAX + 1];
	char path[128], envpath[128];	/* on the target */
	size_t filelen, envlen;
	int has_env;
	char file[DD_COMPOSE_FILE_MAX], env[DD_COMPOSE_ENV_MAX];
};

/* Read file (and env, or NULL) from this machine and name the project (name, or NULL).
 * file NULL: p->file (and p->env, p->has_env) filled by the caller, name given. 0, or
 * DD_EXIT_USAGE with err. */
int dd_compose_load(struct dd_compose *p, const char *file, const char *env, const char *name,
		    char *err, size_t errsz);
/* NAME of a record's path DD_COMPOSE_DIR/NAME/compose.yaml into name: 0, or -1 when it is
 * not one. */
int dd_compose_name_of(const char *path, char *name, size_t cap);
/* "BIN/docker compose -p NAME -f PATH [--env-file ENVPATH]": the command line the services
 * run (words without quoting needs). Its length, or 0 when it does not fit. */
size_t dd_compose_cmd(const char *bin, const char *name, int env, char *out, size_t cap);
/* Run BIN/docker compose -p NAME -f ... args (NULL-terminated, at most 6) for at most
 * timeout_s. 0, or DD_EXIT_FAIL with Compose's last line of stderr in err. */
int dd_compose_run(const char *bin, const char *name, int env, const char *const *args,
		   int timeout_s, char *err, size_t errsz);
/* status: the project's containers and their state, from the daemon on its socket (sock:
 * the mapped path), as lines or into w (a "compose" member). 0 when every one runs, 1 when
 * one does not or the daemon does not answer. */
int dd_compose_status(const char *sock, const char *name, struct dd_jw *w);

#endif
