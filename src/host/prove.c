#include "host/prove.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host/paths.h"
#include "host/service.h"
#include "net/http.h"
#include "net/tls.h"
#include "util/clock.h"
#include "util/jsontext.h"
#include "util/log.h"

static struct dd_http_resp resp;

/* "Version" of a /version answer (a string that fits vcap). */
static int version_of(const struct dd_http_resp *r, char *version, size_t vcap)
{
	if (r->status != 200 || dd_json_check(r->body, r->body_len, 16, NULL) != 0)
		return -1;
	return dd_json_member_str(r->body, r->body_len, "Version", version, vcap);
}

int dd_probe_socket(enum dd_init init, int wait_ms, char *version, size_t vcap, char *err,
		    size_t errsz)
{
	long long end = dd_now_ms() + wait_ms, check = dd_now_ms() + 1000;
	int rc;

	for (;;) {
		long long left = end - dd_now_ms();

		rc = dd_http_unix_get(DD_DOCKER_SOCK, "/_ping", left < 2000 ? (left > 100 ? (int)left : 100) : 2000,
				      &resp, err, errsz);
		if (rc == 0 && resp.status == 200)
			break;
		if (rc == 0)
			dd_say(err, errsz, DD_EXIT_FAIL, "%s: /_ping answered %d", DD_DOCKER_SOCK, resp.status);
		if (dd_now_ms() >= end)
			return DD_EXIT_FAIL;
		/* A daemon that is gone (a bad setting makes dockerd exit at start) will not
		 * answer: asked once a second, not at every try. */
		if (dd_now_ms() >= check) {
			if (strcmp(dd_svc_state(init), "active") != 0)
				return DD_EXIT_FAIL;
			check = dd_now_ms() + 1000;
		}
		/* Until dockerd has made its socket a try fails at once (no such file, or
		 * refused): install waits on this, so again after 2 ms. */
		usleep(2 * 1000);
	}
	if ((rc = dd_http_unix_get(DD_DOCKER_SOCK, "/version", 10000, &resp, err, errsz)))
		return rc;
	if (version_of(&resp, version, vcap) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: /version answered %d without a version",
			      DD_DOCKER_SOCK, resp.status);
	return 0;
}

int dd_probe_tls(unsigned port, char *version, size_t vcap, char *err, size_t errsz)
{
	const struct dd_tls_peer p = { "127.0.0.1", port, "127.0.0.1", DD_CLIENT_DIR "/ca.pem",
				       DD_CLIENT_DIR "/cert.pem", DD_CLIENT_DIR "/key.pem" };
	int rc = dd_https_get(&p, "/version", 15000, &resp, err, errsz);

	if (rc)
		return rc;
	if (version_of(&resp, version, vcap) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "https://127.0.0.1:%u/version answered %d without a version",
			      port, resp.status);
	return 0;
}

#define STEP(...)                           \
	do {                                \
		if (!r->quiet)              \
			dd_info(__VA_ARGS__); \
	} while (0)

int dd_prove_up(const struct dd_prove_req *r, char *version, size_t vcap, char *log,
		size_t logcap, char *err, size_t errsz)
{
	int rc, running = !strcmp(dd_svc_state(r->init), "active");

	log[0] = 0;
	if (r->changed || !running) {
		STEP("%s containerd and dockerd (%s)", running ? "restarting" : "starting",
		     dd_init_name(r->init));
		if ((rc = dd_svc_start(r->init, running, err, errsz)))
			goto fail;
	}
	dd_steptime_mark(r->times, DD_STEP_START);
	if ((rc = dd_probe_socket(r->init, 90000, version, vcap, err, errsz)))
		goto fail;
	dd_steptime_mark(r->times, DD_STEP_PING);
	STEP("dockerd %s answers on %s", version, DD_DOCKER_SOCK);
	if (!r->port)
		return 0;
	if (!r->client) {
		dd_warn("--certs gave no client certificate (cert.pem, key.pem): the TLS port was not tested");
		return 0;
	}
	if ((rc = dd_probe_tls(r->port, version, vcap, err, errsz)))
		goto fail;
	dd_steptime_mark(r->times, DD_STEP_MTLS);
	STEP("mTLS verified: https://127.0.0.1:%u/version answers engine %s", r->port, version);
	return 0;
fail:
	dd_svc_log_tail(r->init, log, logcap);
	return rc;
}

void dd_prove_report(const char *cmd, const char *err, const char *log)
{
	dd_err("%s: %s", cmd, err);
	if (log[0])
		fprintf(stderr, "dockdrop: the daemon's log ends with:\n%s%s", log,
			log[strlen(log) - 1] == '\n' ? "" : "\n");
}
