/* The install transaction (DESIGN.md "Data flow of install") as one context the caller
 * owns, BearSSL style: cmd/install.c parses the options into c->o and calls
 * dd_install_run or dd_install_rollback; everything install keeps while it works (the
 * payload, the transaction's snapshots, the old and new state records, the certificates
 * wanted, daemon.json before and after, the rendered service definitions) lives in the
 * context, nowhere else. Every input is checked before anything changes (exit 2); the
 * payload is verified as it is unpacked (exit 3); all changes run in one transaction
 * (host/txn.h) that a failure rolls back; the services are started only when something
 * changed or they are down; and the result is proven over the socket and over mutual TLS
 * before the state record says "installed". Its inverse, uninstall, is
 * host/uninstall.h; both read and write the record through host/record.h. */
#ifndef DD_HOST_INSTALL_H
#define DD_HOST_INSTALL_H

#include <stddef.h>
#include <sys/types.h>

#include "bundle/payload.h"
#include "bundle/unpack.h"
#include "host/certs.h"
#include "host/daemonjson.h"
#include "host/initsys.h"
#include "host/iptables.h"
#include "host/login.h"
#include "host/state.h"
#include "host/txn.h"
#include "host/units.h"
#include "util/steptime.h"
#include "workload/compose.h"
#include "workload/images.h"

struct dd_install_opts {
	const char *const *sans;	/* --tls-san, already in argv */
	unsigned nsans;
	const char *const *daemon_opts;	/* --daemon-opt KEY=VALUE */
	unsigned nopts;
	unsigned port;			/* 2376 */
	const char *root, *init, *engine, *key_type, *certs; /* NULL when not given, but init
							       * ("auto") and key_type */
	int no_tcp, dry_run, force, json, rollback;
	const char *compose, *compose_env, *compose_name;	/* workload/compose.h */
	const char *images;		/* --images DIR (workload/images.h), or NULL */
	/* install --settings (azure/settings.h): certs DD_CERTS_SETTINGS with these texts of
	 * ca.pem, server-cert.pem, server-key.pem (recorded as --certs is); compose_ready:
	 * c->compose is filled, compose names where from */
	const char *const *certs_pem;
	const size_t *certs_len;
	int compose_ready;
	/* install --with-docs: ndocs 3 (else 0), the texts of the man page and the bash and
	 * zsh completion (cmd/doc.c makes them), written where man, bash-completion and zsh
	 * look (host/paths.h) */
	unsigned ndocs;
	const char *doc[3];
	size_t doclen[3];
};

struct dd_install {
	struct dd_install_opts o;
	/* filled by dd_install_run */
	struct dd_payload pl;
	const struct dd_blob *blob;	/* the engine installed */
	struct dd_unpack_more more;	/* the carried iptables that goes with it, if any */
	struct dd_iptables_choice xt;	/* and its backend on this host */
	char name[128];			/* its directory (host/engine.h) */
	enum dd_init init;
	struct dd_txn txn;
	struct dd_state old, now;	/* the record as found, and as this run leaves it */
	struct dd_state prov;		/* the provisional record, written before the first
					 * change: everything this run may make, known up front */
	struct dd_certs_want want;
	struct dd_unit_file unit[DD_UNITS_MAX];	/* the service definitions, rendered once */
	unsigned nunits, ndaemon;		/* all, and the daemons' (the first) */
	struct dd_unit_link link[DD_UNIT_LINKS_MAX];	/* enable links, then the CLI
							 * plugins' (workload/plugins.h) */
	unsigned nlinks;
	char *daemon_json;		/* merged (malloc'ed by daemonjson.c), or NULL */
	long daemon_json_old_len;	/* -1: there was none */
	unsigned daemon_json_mode;	/* the user's file's, 0644 when there was none */
	uid_t daemon_json_uid;		/* its owner, (uid_t)-1 and (gid_t)-1 when none */
	gid_t daemon_json_gid;
	char daemon_json_old[DD_DAEMONJSON_MAX + 1];
	long daemon_json_orig_len;	/* the one kept from before the first install */
	char daemon_json_orig[DD_DAEMONJSON_MAX + 1];
	const char *drop[DD_STATE_LIST];	/* --daemon-opt of the last run, not of this one */
	unsigned ndrop;
	char env[1024];			/* docker.env */
	size_t envlen;
	int certs_in_place;		/* --certs is /etc/docker/tls itself: not ours to keep */
	int ca_theirs;			/* a CA in /etc/dockdrop/ca before any install: used, never removed */
	char certs_abs[256];		/* --certs made absolute (c->o.certs points here) */
	char state_text[DD_STATE_MAX];	/* the record being written */
	char prov_text[DD_STATE_MAX];	/* the provisional one (written from inside a write) */
	int restart, client, byo_client;
	int pending;			/* a killed run left DD_RESTART_MARK (host/paths.h) */
	char version[64];		/* what dockerd answered */
	struct dd_compose compose;		/* --compose: the project */
	char compose_cmd[256];
	int compose_ch;				/* its files changed in this run */
	int compose_downed;			/* the last run's project taken down by this one */
	struct dd_images images;	/* to load once the daemon is proven */
	char err[1024];
	struct dd_login login;		/* --registry (c->login.o set by the command) */
	struct dd_steptime times;	/* install -v */
};

/* Install as c->o says (c zeroed but for c->o). Prints the steps and at most one error
 * line; returns the exit code. */
int dd_install_run(struct dd_install *c);
/* install --rollback: the previous engine becomes current again. Same contract. */
int dd_install_rollback(struct dd_install *c);

#endif
