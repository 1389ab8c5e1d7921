/* libFuzzer harness for daemon.json handling. The first input byte picks TCP (bit 0) and
 * the port; the rest is a current daemon.json, then optionally "\n==\n" and one
 * --daemon-opt KEY=VALUE.
 * Nothing may crash, and: what merge writes is strict JSON, an object, and merging it again
 * gives the same bytes without a warning; unmerge runs on anything, and what it writes is
 * strict JSON that unmerges to itself; whatever the strict checker accepts, cJSON (laxer)
 * accepts too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "host/daemonjson.h"
#include "util/jsontext.h"

static void check_json_object(const char *t)
{
	const char *p;

	if (dd_json_check(t, strlen(t), DD_DAEMONJSON_DEPTH, NULL) < 0)
		abort();
	p = dd_json_skip_ws(t, strlen(t));
	if (*p != '{' || t[strlen(t) - 1] != '\n')
		abort();
}

static void unmerge_fixed_point(const char *t, size_t n)
{
	char err[256], *out = NULL, *again = NULL;

	if (dd_daemonjson_unmerge(t, n, &out, err, sizeof err) != 0 || !out)
		return;
	check_json_object(out);
	if (dd_daemonjson_unmerge(out, strlen(out), &again, err, sizeof err) != 0 || !again ||
	    strcmp(out, again) != 0)
		abort();
	free(out);
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n==\n";
	const char *opts[1];
	struct dd_daemon_cfg c = { 1, 2376, "/etc/docker/tls", opts, 0, NULL, 0, NULL, 0 };
	char *buf, *kv = NULL, warn[256], err[256], *out = NULL, *again = NULL;
	size_t n;

	if (size < 1 || size > 64 * 1024)
		return 0;
	c.tcp = data[0] & 1;
	c.port = data[0] & 2 ? 1u + (data[0] >> 2) * 1000u : 2376;
	data++;
	size--;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	n = size;
	for (size_t i = 0; i + sizeof sep - 1 <= size; i++) {
		if (memcmp(buf + i, sep, sizeof sep - 1) == 0) {
			kv = buf + i + sizeof sep - 1;
			n = i;
			break;
		}
	}
	if (kv && strlen(kv) == size - (size_t)(kv - buf) &&
	    dd_daemonjson_check_opt(kv, err, sizeof err) == 0) {
		opts[0] = kv;
		c.nopts = 1;
	}

	/* The strict checker never accepts what cJSON refuses. */
	if (dd_json_check(buf, n, DD_DAEMONJSON_DEPTH, NULL) == 0) {
		cJSON *j = cJSON_ParseWithLengthOpts(buf, n, NULL, 0);

		if (!j)
			abort();
		cJSON_Delete(j);
	}

	if (dd_daemonjson_merge(buf, n, &c, &out, warn, sizeof warn, err, sizeof err) == 0) {
		check_json_object(out);
		if (dd_daemonjson_merge(out, strlen(out), &c, &again, warn, sizeof warn, err,
					sizeof err) != 0 || strcmp(out, again) != 0 || warn[0])
			abort();
		unmerge_fixed_point(out, strlen(out));
	} else if (out) {
		abort();
	}
	unmerge_fixed_point(buf, n);
	free(out);
	free(again);
	free(buf);
	return 0;
}
