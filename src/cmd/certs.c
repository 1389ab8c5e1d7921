/* dockdrop certs rotate|check: the leaf certificates on an installed machine. rotate
 * issues new server and client pairs from the CA in /etc/dockdrop/ca (the CA stays, so
 * nothing else needs to change), restarts dockerd and proves the new pair over mutual
 * TLS; check reports how long each certificate has left. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "host/certs.h"
#include "host/certverify.h"
#include "host/input.h"
#include "host/paths.h"
#include "host/prove.h"
#include "host/record.h"
#include "host/root.h"
#include "host/service.h"
#include "host/state.h"
#include "host/txn.h"
#include "pki/ca.h"
#include "util/jsonout.h"
#include "util/log.h"

static struct dd_state st;
static struct dd_txn txn;
static struct dd_certs_want want;

/* The record, read under the lock when the command changes the machine. */
static int load(const char *cmd, const char *root, int lock)
{
	int rc;

	if (root && dd_root_set(root) != 0)
		return dd_fail(DD_EXIT_USAGE, "%s: --root %s: %m", cmd, root);
	if (lock && (rc = dd_txn_lock(cmd)))
		return rc;
	return dd_record_load(&st, cmd, 0);
}

/* Before the first rename: the record with the pairs about to be replaced as planned, so
 * that after a kill anywhere uninstall --purge still knows them for dockdrop's (the old
 * digest or the new one may be on disk, or a new key beside an old certificate), and the
 * next rotate or install, which checks each key against its certificate, mends the pair. */
static int plan_pairs(char *text, char *err, size_t errsz)
{
	static const char *const dirs[] = { DD_TLS_DIR "/", DD_CLIENT_DIR "/" };

	for (unsigned i = 0; i < st.n; i++)
		for (unsigned d = 0; d < 2; d++)
			if (st.ent[i].kind == 'k' && !strncmp(st.ent[i].path, dirs[d], strlen(dirs[d])))
				memcpy(st.ent[i].sha, DD_STATE_PLANNED, sizeof st.ent[i].sha);
	return dd_record_write(&txn, &st, text, DD_STATE_MAX, err, errsz);
}

static int run_rotate(const struct dd_cmd *self, int argc, char **argv)
{
	static char text[DD_STATE_MAX];
	const char *root = NULL;
	unsigned long days = 825;
	const struct dd_opt opts[] = {
		{ "root", 0, DD_OPT_STR, &root, "DIR", "rotate in the image tree at DIR", 0, 0, NULL },
		{ "days", 0, DD_OPT_UINT, &days, "N", "validity in days (825)", 1, 36500, NULL },
	};
	struct dd_args args;
	char err[1024], version[64];
	int rc = dd_cli_parse(self, opts, DD_NOPTS(opts), argc, argv, &args), changed, client, ch;
	size_t n;

	if (rc != DD_CLI_CONTINUE)
		return rc;
	if ((rc = load("certs rotate", root, 1)))
		return rc;
	if (!strcmp(st.certs, DD_CERTS_SETTINGS))
		return dd_fail(DD_EXIT_FAIL, "certs rotate: the certificates came from the settings (protected certs): change them there and run install again");
	if (st.certs[0])
		return dd_fail(DD_EXIT_FAIL, "certs rotate: the certificates came from --certs %s: replace them there and re-run install",
			       st.certs);
	want.kt = (enum pki_ktype)pki_ktype_parse(st.key_type);
	want.rotate = 1;
	want.days = (unsigned)days;
	{
		const char *extra[DD_STATE_LIST];

		for (unsigned i = 0; i < st.nsans; i++)
			extra[i] = st.sans[i];
		dd_certs_sans(&want, root != NULL, extra, st.nsans);
		/* this machine may have more addresses now than at install */
		if ((rc = dd_input_server_names(&want, extra, st.nsans, err, sizeof err)))
			return dd_fail(rc, "certs rotate: %s; nothing was changed", err);
	}
	if (!(rc = plan_pairs(text, err, sizeof err)))
		rc = dd_certs_ensure(&txn, &want, &changed, &client, err, sizeof err);
	for (unsigned i = 0; rc == 0 && i < st.n; i++)
		if (st.ent[i].kind == 'k' && dd_state_record(&st, 'k', st.ent[i].path) != 0)
			rc = dd_say(err, sizeof err, DD_EXIT_FAIL, "%s: %m", st.ent[i].path);
	if (rc == 0 && (!(n = dd_state_format(&st, text, sizeof text)) ||
			dd_txn_write(&txn, DD_STATE_FILE, text, n, 0644, &ch) != 0))
		rc = dd_say(err, sizeof err, DD_EXIT_FAIL, "%s: %m", DD_STATE_FILE);
	if (rc) {
		dd_txn_rollback(&txn);
		return dd_fail(rc, "certs rotate: %s; nothing was changed", err);
	}
	dd_txn_done(&txn);
	dd_info("new server and client certificates issued (%lu days)", days);
	if (root)
		return 0;
	{
		const struct dd_prove_req r = { dd_init_from_name(st.init), 1, st.tcp ? st.port : 0,
						client, 0, NULL };
		char log[2048];

		if ((rc = dd_prove_up(&r, version, sizeof version, log, sizeof log, err, sizeof err))) {
			dd_prove_report("certs rotate", err, log);
			return rc;
		}
	}
	dd_info("dockerd restarted%s", st.tcp ? "; mTLS verified with the new certificates" : "");
	return 0;
}

static int run_check(const struct dd_cmd *self, int argc, char **argv)
{
	const char *root = NULL;
	int json = 0, bad = 0;
	const struct dd_opt opts[] = {
		{ "root", 0, DD_OPT_STR, &root, "DIR", "check the image tree at DIR", 0, 0, NULL },
		{ "json", 0, DD_OPT_FLAG, &json, NULL, "print the report as JSON", 0, 0, NULL },
	};
	struct dd_cert_status cs[3];
	struct dd_args args;
	int rc = dd_cli_parse(self, opts, DD_NOPTS(opts), argc, argv, &args);
	unsigned n;

	if (rc != DD_CLI_CONTINUE)
		return rc;
	if ((rc = load("certs check", root, 0)))
		return rc;
	n = dd_certs_status(cs);
	dd_certs_verify(cs, n);
	for (unsigned i = 0; i < n; i++) {
		bad |= cs[i].present && cs[i].problem[0];
		if (!json && cs[i].present)
			printf("%-6s %5ld days left  %s%s%s\n", cs[i].what, cs[i].days_left, cs[i].path,
			       cs[i].problem[0] ? "  WARNING: " : "", cs[i].problem);
	}
	if (json) {
		struct dd_jw w;

		dd_jw_init(&w, stdout);
		dd_certs_json(&w, NULL, cs, n);
		if (dd_jw_end(&w) != 0)
			return dd_fail(DD_EXIT_FAIL, "certs check: cannot write the result: %m");
	}
	return bad ? DD_EXIT_FAIL : 0;
}

static const struct dd_cmd certs_rotate = {
	"rotate", "certs rotate", "",
	"Re-issue the server and client certificates from the local CA; restart the daemon.", 0, 0,
	run_rotate, NULL
};

static const struct dd_cmd certs_check = {
	"check", "certs check", "",
	"Check each certificate's key and CA, and report expiry (warns under 30 days).", 0, 0,
	run_check, NULL
};

static const struct dd_cmd *const certs_sub[] = { &certs_rotate, &certs_check, NULL };

const struct dd_cmd dd_cmd_certs = {
	"certs", "certs", "", "Rotate or check the installed certificates.", 0, 0, NULL, certs_sub
};
