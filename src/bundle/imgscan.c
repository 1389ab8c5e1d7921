/* Images are named by their config's SHA-256 (the image ID dockerd reports and
 * GET /images/sha256:HEX/json finds), which manifest.json gives as the config's file name:
 * "HEX.json" (docker save before 25) or "blobs/sha256/HEX" (OCI layout). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bundle/imgscan.h"
#include "util/jsontext.h"
#include "util/log.h"

/* The string lexeme s[0..n) unquoted into out (a string of fewer than outsz bytes, no NUL).
 * 0 or -1. */
static int str(const char *s, size_t n, char *out, size_t outsz)
{
	long k = *s == '"' ? dd_json_unquote(s, n, out, outsz) : -1;

	return k < 0 || strlen(out) != (size_t)k ? -1 : 0;
}

static int config_digest(const char *s, size_t n, unsigned char d[32])
{
	char v[96];
	size_t len;

	if (str(s, n, v, sizeof v))
		return -1;
	len = strlen(v);
	if (len == 77 && !strncmp(v, "blobs/sha256/", 13))
		return dd_unhex(v + 13, d, 32);
	if (len == 69 && !strcmp(v + 64, ".json")) {
		v[64] = 0;
		return dd_unhex(v, d, 32);
	}
	return -1;
}

static int add(struct dd_ref *out, unsigned max, unsigned *n, const unsigned char cfg[32],
	       const char *tag)
{
	if (*n == max || !dd_manifest_tag_ok(tag))
		return -1;
	out[*n].blob = 0;
	memcpy(out[*n].config, cfg, 32);
	strcpy(out[*n].tag, tag);
	(*n)++;
	return 0;
}

int dd_imgjson_parse(const char *json, size_t n, struct dd_ref *out, unsigned max,
		     unsigned *nout)
{
	struct dd_json_iter it, ti;
	const char *k, *v, *c, *t;
	size_t kn, vn, cn, tn;
	char tag[DD_TAG_MAX];
	unsigned cnt = 0;

	*nout = 0;
	if (dd_json_check(json, n, 8, NULL) || dd_json_array(&it, json, n))
		return -1;
	while (dd_json_next(&it, &k, &kn, &v, &vn)) {
		unsigned char cfg[32];
		unsigned had = cnt;

		if (!dd_json_member(v, vn, "Config", &c, &cn) || config_digest(c, cn, cfg))
			return -1;
		if (dd_json_member(v, vn, "RepoTags", &t, &tn) && !(tn == 4 && !memcmp(t, "null", 4))) {
			if (dd_json_array(&ti, t, tn))
				return -1;
			while (dd_json_next(&ti, &k, &kn, &c, &cn))
				if (str(c, cn, tag, sizeof tag) || !strcmp(tag, "-") ||
				    add(out, max, &cnt, cfg, tag))
					return -1;
		}
		if (cnt == had && add(out, max, &cnt, cfg, "-"))
			return -1;
	}
	*nout = cnt;
	return cnt ? 0 : -1;
}

/* Every header to the archive's end, manifest.json read and parsed on the way. A reason,
 * or NULL. */
static const char *walk(struct dd_imgscan *s, struct dd_ref *refs, unsigned max, unsigned *n)
{
	int rc, found = 0;

	while ((rc = tar_next(&s->tar, &s->e)) == 1) {
		const char *p = s->e.path;
		size_t got = 0;
		ssize_t r = 1;

		if (strcmp(p, "manifest.json") && strcmp(p, "./manifest.json"))
			continue;
		if (found++ || s->e.type != TAR_FILE || s->e.size > sizeof s->json)
			return "a manifest.json that is not one file of at most 64 KiB";
		while (got < s->e.size && (r = tar_read(&s->tar, s->json + got, sizeof s->json - got)) > 0)
			got += (size_t)r;
		if (r <= 0)
			return r == 0 ? tar_strerror(TAR_ETRUNC) : tar_strerror((int)r);
		if (dd_imgjson_parse(s->json, got, refs, max, n))
			return "its manifest.json is not docker save's (Config, RepoTags), or names too many images";
	}
	if (rc < 0)
		return s->gz.err[0] ? s->gz.err : tar_strerror(rc);
	return found ? NULL : "no manifest.json: not an image archive from 'docker save'";
}

int dd_imgscan(struct dd_imgscan *s, int fd, uint64_t off, uint64_t len, struct dd_ref *refs,
	       unsigned max, unsigned *n, unsigned char digest[32], char *why, size_t whysz)
{
	unsigned char magic[2] = { 0, 0 };
	int gz = pread(fd, magic, 2, (off_t)off) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
	const char *bad;

	*n = 0;
	s->gz.err[0] = 0;
	dd_blobsrc_init(&s->src, fd, off, len);
	if (gz && dd_gunzip_init(&s->gz, dd_blobsrc_next, &s->src))
		return dd_say(why, whysz, DD_EXIT_FAIL, "inflateInit failed");
	tar_reader_init(&s->tar, gz ? dd_gunzip_read : dd_blobsrc_read, gz ? (void *)&s->gz : &s->src);
	bad = walk(s, refs, max, n);
	if (gz) {	/* to the gzip trailer: its CRC and length checked */
		ssize_t r = 0;

		while (!bad && (r = dd_gunzip_read(&s->gz, s->json, sizeof s->json)) > 0)
			;
		if (!bad && r < 0)
			bad = s->gz.err;
		dd_gunzip_end(&s->gz);
	}
	if (dd_blobsrc_finish(&s->src, digest))
		return dd_say(why, whysz, DD_EXIT_FAIL, "read: %m");
	return bad ? dd_say(why, whysz, DD_EXIT_USAGE, "%s", bad) : 0;
}
