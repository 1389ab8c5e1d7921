/* libFuzzer harness for the tar writer and the client bundle's text helpers. The input is
 * split on NUL bytes into records: two bytes of kind, mode and size, then a name. Every
 * record goes through tarw_dir or tarw_file; a refusal must be TARW_ENAME exactly when
 * tarw_name_check refuses the name (else TARW_EARG for a mode beyond 0777), and whatever
 * is accepted must read back through the project's tar reader as written. Each name is
 * also a host, a context name and a cert path: accepted hosts are canonical (parsing them
 * again gives them back) and an env text is always five clean lines. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "archive/tar.h"
#include "archive/tarwrite.h"
#include "host/clientbundle.h"

#define MAX_ENTRIES 32
#define MTIME 1700000000

static struct {
	unsigned char b[MAX_ENTRIES * (TARW_BLOCK + 2048) + 2 * TARW_BLOCK];
	size_t len, off;
} arc;

static struct {
	char path[TARW_PATH_MAX + 2];
	int dir;
	unsigned mode;
	size_t size;
	unsigned char fill;
} want[MAX_ENTRIES];

static int mem_write(void *ctx, const void *buf, size_t n)
{
	(void)ctx;
	if (n > sizeof arc.b - arc.len)
		abort();
	memcpy(arc.b + arc.len, buf, n);
	arc.len += n;
	return 0;
}

static ssize_t mem_read(void *ctx, void *buf, size_t n)
{
	size_t k = arc.len - arc.off < n ? arc.len - arc.off : n;

	(void)ctx;
	memcpy(buf, arc.b + arc.off, k);
	arc.off += k;
	return (ssize_t)k;
}

static void check_text(const char *name)
{
	char host[DD_HOST_MAX], again[DD_HOST_MAX], env[1024];
	size_t n, lines = 0, quotes = 0;

	if (dd_client_host_parse(name, host, sizeof host) == 0) {
		if (dd_client_host_parse(host, again, sizeof again) != 0 || strcmp(host, again) != 0)
			abort();
		for (const char *p = host; *p; p++)
			if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789.:-", *p))
				abort();
	}
	if (dd_context_name_ok(name) && (strlen(name) < 2 || strlen(name) > DD_CONTEXT_MAX))
		abort();
	n = dd_client_env("vm1", 2376, name, env, sizeof env);
	if (n == 0)
		return;
	if (n != strlen(env))
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)env[i];

		lines += c == '\n';
		quotes += c == '"';
		if ((c < 0x20 && c != '\n') || c == 0x7f)
			abort();
	}
	if (lines != 5 || quotes != 2)
		abort();
}

static void read_back(unsigned count)
{
	static struct tar_reader r;
	static unsigned char data[2048];
	struct tar_entry e;
	unsigned i = 0;
	int rc;

	arc.off = 0;
	tar_reader_init(&r, mem_read, NULL);
	while ((rc = tar_next(&r, &e)) == 1) {
		ssize_t k;
		size_t got = 0;

		if (i >= count || strcmp(e.path, want[i].path) != 0 || e.mode != want[i].mode ||
		    e.size != want[i].size || e.mtime != MTIME ||
		    e.type != (want[i].dir ? TAR_DIR : TAR_FILE))
			abort();
		while ((k = tar_read(&r, data + got, sizeof data - got)) > 0)
			got += (size_t)k;
		if (k < 0 || got != want[i].size)
			abort();
		for (size_t j = 0; j < got; j++)
			if (data[j] != want[i].fill)
				abort();
		i++;
	}
	if (rc != 0 || i != count)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char fill[2048];
	struct tarw w;
	unsigned count = 0;
	size_t i = 0;

	arc.len = 0;
	tarw_init(&w, mem_write, NULL, MTIME);
	while (i + 2 <= size && count < MAX_ENTRIES) {
		unsigned b0 = data[i], b1 = data[i + 1];
		const char *name = (const char *)data + i + 2;
		size_t n = strnlen(name, size - i - 2);
		char path[TARW_PATH_MAX + 64];
		int dir = (b0 & 0x80) != 0, rc;
		unsigned mode = ((b0 & 1u) << 8 | b1) | ((b0 & 2u) ? 01000u : 0u);
		size_t len = ((b0 >> 2) & 0x1f) * 61u;

		if (n >= sizeof path)
			break;
		memcpy(path, name, n);
		path[n] = 0;
		i += 2 + n + 1;
		check_text(path);
		memset(fill, (int)(b1 ^ 0x5a), len);
		rc = dir ? tarw_dir(&w, path, mode) : tarw_file(&w, path, mode, fill, len);
		if (tarw_name_check(path, dir) != 0) {
			if (rc != TARW_ENAME)
				abort();
			continue;
		}
		if (mode > 0777) {
			if (rc != TARW_EARG)
				abort();
			continue;
		}
		if (rc != 0)
			abort();
		snprintf(want[count].path, sizeof want[count].path, "%s%s", path, dir ? "/" : "");
		want[count].dir = dir;
		want[count].mode = mode;
		want[count].size = dir ? 0 : len;
		want[count].fill = (unsigned char)(b1 ^ 0x5a);
		count++;
	}
	if (tarw_finish(&w) != 0 || arc.len % TARW_BLOCK != 0)
		abort();
	read_back(count);
	return 0;
}
