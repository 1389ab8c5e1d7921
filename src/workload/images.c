#include "workload/images.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/paths.h"
#include "util/hex.h"
#include "util/jsontext.h"
#include "util/log.h"
#include "util/sort.h"

#define SUMS "SHA256SUMS"
#define GET_MS 10000
#define LOAD_MS 600000	/* each write of the body, then the daemon unpacking it */

static const char *const result[] = { "load", "present", "loaded", "skipped" };

/* An archive's first image, for messages: its tag, or its file in DIR. */
static const char *label(const struct dd_images *im, const struct dd_image *g)
{
	const char *t = im->ref[g->ref0].tag;

	return g->name[0] ? g->name : t;
}

static int add_refs(struct dd_images *im, struct dd_image *g, const struct dd_ref *r, unsigned n)
{
	if (im->nref + n > DD_IMAGES_REFS)
		return -1;
	memcpy(&im->ref[im->nref], r, n * sizeof *r);
	g->ref0 = im->nref;
	g->nref = n;
	im->nref += n;
	return 0;
}

/* The payload's image blobs: hashed in full now (the daemon must not see a byte of a
 * damaged one), and again as they are sent. */
static int check_payload(struct dd_images *im, const struct dd_payload *pl, char *err, size_t errsz)
{
	for (unsigned i = 0; i < pl->m.nblobs; i++) {
		const struct dd_blob *b = &pl->m.blob[i];
		struct dd_image *g = &im->img[im->n];
		unsigned char d[32];
		unsigned r0 = 0, n = 0;

		if (strcmp(b->kind, "image"))
			continue;
		while (r0 < pl->m.nrefs && pl->m.ref[r0].blob != i)
			r0++;
		while (r0 + n < pl->m.nrefs && pl->m.ref[r0 + n].blob == i)
			n++;
		if (dd_payload_hash_range(pl, b->off, b->len, d) != 0)
			return dd_say(err, errsz, DD_EXIT_FAIL, "read: %m");
		if (memcmp(d, b->sha256, 32))
			return dd_say(err, errsz, DD_EXIT_VERIFY, "image %s %s: SHA-256 mismatch; the payload is damaged; nothing was changed",
				      b->name, b->version);
		if (n == 0) {	/* bundled before images had ref records */
			dd_warn("image %s %s: no image records (bundled by an older dockdrop): not loaded; bundle it again",
				b->name, b->version);
			continue;
		}
		*g = (struct dd_image){ .fd = pl->fd, .off = b->off, .len = b->len };
		memcpy(g->sha256, b->sha256, 32);
		if (add_refs(im, g, &pl->m.ref[r0], n))
			return dd_say(err, errsz, DD_EXIT_USAGE, "more than %d images in all", DD_IMAGES_REFS);
		im->n++;
	}
	return 0;
}

static int is_archive(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && !strcmp(name + n - 4, ".tar")) || (n > 7 && !strcmp(name + n - 7, ".tar.gz"));
}

/* A refusal of DIR: its exit code, the file it is about and why, for one line. */
static int no(struct dd_images *im, int rc, const char *what, const char *why)
{
	im->what = what;
	im->why = why;
	return rc;
}

/* One line of SHA256SUMS ("HEX  NAME" or "HEX *NAME", as sha256sum writes): 0, or an exit
 * code. A name listed twice is opened twice: the daemon has it after the first. */
static int sums_line(struct dd_images *im, char *line)
{
	struct dd_image *g = &im->img[im->n];
	const char *name = line + 66;
	struct stat st;

	if (strlen(line) < 67 || line[64] != ' ' || (line[65] != ' ' && line[65] != '*') ||
	    strlen(name) >= sizeof g->name)
		return no(im, DD_EXIT_USAGE, SUMS, "a line that is not HEX  NAME, as sha256sum writes");
	line[64] = 0;
	if (dd_unhex(line, g->sha256, 32))
		return no(im, DD_EXIT_USAGE, SUMS, "a line that is not HEX  NAME, as sha256sum writes");
	if (strchr(name, '/') || dd_strstr(name, ".."))
		return no(im, DD_EXIT_USAGE, name, "named in " SUMS ": only files in DIR itself are loaded");
	if (!is_archive(name))
		return 0;
	if (im->n == DD_IMAGES_MAX)
		return no(im, DD_EXIT_USAGE, SUMS, "more image archives than install takes (32)");
	strcpy(g->name, name);
	im->n++;
	g->fd = openat(im->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (g->fd < 0)
		return no(im, errno == ENOENT ? DD_EXIT_VERIFY : DD_EXIT_USAGE, name,
			  errno == ENOENT ? "listed in " SUMS ", not there" : strerror(errno));
	if (fstat(g->fd, &st) || !S_ISREG(st.st_mode))
		return no(im, DD_EXIT_USAGE, name, "not a regular file");
	g->len = (uint64_t)st.st_size;
	return 0;
}

static int read_sums(struct dd_images *im)
{
	int fd = openat(im->dirfd, SUMS, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), rc = 0;
	ssize_t n = fd < 0 ? -1 : read(fd, im->sums, sizeof im->sums);
	char *line = im->sums, *nl;

	if (fd >= 0)
		close(fd);
	if (n < 0)
		return no(im, errno == ENOENT ? DD_EXIT_VERIFY : DD_EXIT_USAGE, SUMS,
			  errno == ENOENT ? "missing: write one (cd DIR && sha256sum *.tar* > " SUMS ")" : strerror(errno));
	if ((size_t)n == sizeof im->sums || memchr(im->sums, 0, (size_t)n) || (n && im->sums[n - 1] != '\n'))
		return no(im, DD_EXIT_USAGE, SUMS, "not a text of lines under 64 KiB");
	im->sums[n] = 0;
	for (; !rc && (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = 0;
		rc = sums_line(im, line);
	}
	return rc;
}

/* Every archive in DIR is listed in SHA256SUMS. */
static int all_listed(struct dd_images *im)
{
	int fd = dup(im->dirfd), rc = 0;
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;

	if (!d)
		return no(im, DD_EXIT_FAIL, "", strerror(errno));
	while (!rc && (e = readdir(d))) {
		unsigned i = 0;

		while (i < im->n && strcmp(im->img[i].name, e->d_name))
			i++;
		if (is_archive(e->d_name) && i == im->n) {
			snprintf(im->name, sizeof im->name, "%s", e->d_name);
			rc = no(im, DD_EXIT_VERIFY, im->name, "not in " SUMS ": add its line, or take it away");
		}
	}
	closedir(d);
	return rc;
}

/* Each archive listed: its digest, and what it holds. */
static int scan_dir(struct dd_images *im, unsigned first)
{
	for (unsigned i = first; i < im->n; i++) {
		struct dd_image *g = &im->img[i];
		unsigned char d[32];
		unsigned n;
		int rc = dd_imgscan(&im->scan, g->fd, 0, g->len, &im->ref[im->nref], DD_IMAGES_REFS - im->nref,
				    &n, d, im->buf, sizeof im->buf);

		if (rc != DD_EXIT_FAIL && memcmp(d, g->sha256, 32))
			return no(im, DD_EXIT_VERIFY, g->name, "SHA-256 is not the one in " SUMS ": copy it again");
		if (rc == DD_EXIT_USAGE)
			snprintf(im->name, sizeof im->name, "not a whole image archive from 'docker save' (%s)", im->buf);
		if (rc)
			return no(im, rc, g->name, rc == DD_EXIT_USAGE ? im->name : im->buf);
		g->ref0 = im->nref;
		g->nref = n;
		im->nref += n;
	}
	return 0;
}

static int check_dir(struct dd_images *im, const char *dir, char *err, size_t errsz)
{
	unsigned first = im->n;
	int rc = (im->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0
			 ? no(im, DD_EXIT_USAGE, "", strerror(errno)) : 0;

	if (rc || (rc = read_sums(im)) || (rc = all_listed(im)) || (rc = scan_dir(im, first)))
		return dd_say(err, errsz, rc, "--images %s: %s%s%s; nothing was changed", dir, im->what,
			      *im->what ? ": " : "", im->why);
	return 0;
}

int dd_images_check(struct dd_images *im, const struct dd_payload *pl, const char *dir,
		    char *err, size_t errsz)
{
	int rc;

	im->n = im->nref = 0;
	im->dirfd = -1;
	if ((rc = check_payload(im, pl, err, errsz)))
		return rc;
	return dir ? check_dir(im, dir, err, errsz) : 0;
}

/* The string member key of the JSON object text[0..n) into out: 0, or -1. */
static int json_str(const char *text, size_t n, const char *key, char *out, size_t outsz)
{
	return dd_json_check(text, n, 8, NULL) == 0 ? dd_json_member_str(text, n, key, out, outsz) : -1;
}

/* Does the daemon have the image sha256:HEX? 0 with *yes, or an exit code. */
static int has(struct dd_images *im, const unsigned char id[32], int *yes, char *err, size_t errsz)
{
	char path[96], hex[65];
	int rc;

	dd_hex(id, 32, hex);
	snprintf(path, sizeof path, "/images/sha256:%s/json", hex);
	if ((rc = dd_http_unix_get(DD_DOCKER_SOCK, path, GET_MS, &im->resp, err, errsz)))
		return rc;
	*yes = im->resp.status == 200;
	if (!*yes && im->resp.status != 404)
		return dd_say(err, errsz, DD_EXIT_FAIL, "GET %s: the daemon answered %d", path, im->resp.status);
	return 0;
}

/* The body of the load: the archive, hashed as it goes; its last chunk is held back when
 * the digest differs. */
static long body(void *ctx, const unsigned char **p)
{
	struct dd_images *im = ctx;
	struct dd_blobsrc *s = &im->scan.src;
	long n = (long)dd_blobsrc_next(s, p);
	unsigned char d[32];

	if (n > 0 && s->pos == s->end) {
		dd_sha256_out(&s->sha, d);
		if (memcmp(d, im->cur->sha256, 32)) {
			im->bad = 1;
			errno = EBADMSG;
			return -1;
		}
	}
	return n;
}

/* The daemon's answer to a load: a 200 with a stream of JSON objects, one a line, none an
 * "error"; else its message in why. 0 or -1. */
static int load_ok(struct dd_images *im, char *why, size_t whysz)
{
	char *line = im->resp.body, *nl;

	snprintf(why, whysz, "the daemon answered %d", im->resp.status);
	if (im->resp.status != 200)
		return json_str(im->resp.body, im->resp.body_len, "message", why, whysz), -1;
	for (; *line; line = nl + 1) {
		size_t n = (nl = strchr(line, '\n')) ? (size_t)(nl - line) : strlen(line);

		if (n && dd_json_check(line, n, 8, NULL))
			return snprintf(why, whysz, "its answer is not JSON"), -1;
		if (n && json_str(line, n, "error", why, whysz) == 0)
			return -1;
		if (!nl)
			break;
	}
	return 0;
}

static int load(struct dd_images *im, struct dd_image *g, char *err, size_t errsz)
{
	const struct dd_http_req q = { "POST", "/images/load?quiet=1", "Content-Type: application/x-tar\r\n",
				       g->len, body, im };
	char why[512];
	int rc, yes;

	im->cur = g;
	im->bad = 0;
	dd_blobsrc_init(&im->scan.src, g->fd, g->off, g->len);
	im->scan.src.progress = "loading an image";
	rc = dd_http_unix(DD_DOCKER_SOCK, &q, LOAD_MS, &im->resp, err, errsz);
	dd_progress_end();
	if (im->bad)
		return dd_say(err, errsz, DD_EXIT_VERIFY, "image %s: its archive changed since it was checked (SHA-256 differs); the daemon got none of it",
			      label(im, g));
	if (rc)
		return rc;
	if (load_ok(im, why, sizeof why))
		return dd_say(err, errsz, DD_EXIT_FAIL, "image %s: the daemon did not load it: %s", label(im, g), why);
	for (unsigned i = 0; i < g->nref; i++) {
		if ((rc = has(im, im->ref[g->ref0 + i].config, &yes, err, errsz)))
			return rc;
		if (!yes)
			return dd_say(err, errsz, DD_EXIT_FAIL, "image %s: loaded, but the daemon has no image with its config's digest", im->ref[g->ref0 + i].tag);
	}
	return 0;
}

/* DD_IMG_PRESENT when the daemon has every image of g, else DD_IMG_TODO; dry: a daemon
 * that does not answer has none. */
static int find(struct dd_images *im, struct dd_image *g, int dry, char *err, size_t errsz)
{
	int yes = 1, rc = 0;

	for (unsigned i = 0; yes && i < g->nref; i++)
		if ((rc = has(im, im->ref[g->ref0 + i].config, &yes, err, errsz)))
			yes = 0;
	g->state = yes ? DD_IMG_PRESENT : DD_IMG_TODO;
	return dry ? 0 : rc;
}

int dd_images_load(struct dd_images *im, int root, int quiet, char *err, size_t errsz)
{
	unsigned loaded = 0;
	char hex[65];
	int rc;

	if (root && im->n)
		dd_warn("%u image archive(s) not loaded: no daemon runs in an image tree; run install on the machine it boots", im->n);
	for (unsigned i = 0; !root && i < im->n; i++) {
		struct dd_image *g = &im->img[i];

		if ((rc = find(im, g, 0, err, errsz)))
			return rc;
		if (g->state == DD_IMG_PRESENT)
			continue;
		if ((rc = load(im, g, err, errsz)))
			return rc;
		g->state = DD_IMG_LOADED;
		loaded++;
		for (unsigned j = 0; !quiet && j < g->nref; j++) {
			dd_hex(im->ref[g->ref0 + j].config, 32, hex);
			dd_info("image %s loaded (id sha256:%.12s)", im->ref[g->ref0 + j].tag, hex);
		}
	}
	for (unsigned i = 0; root && i < im->n; i++)
		im->img[i].state = DD_IMG_SKIPPED;
	if (!quiet && !root && im->n)
		dd_info("images: %u archive(s) loaded, %u already in the daemon%s", loaded, im->n - loaded,
			loaded ? "" : ": nothing to load");
	return 0;
}

void dd_images_plan(struct dd_images *im, int root, int print)
{
	char err[256];

	for (unsigned i = 0; i < im->n; i++) {
		struct dd_image *g = &im->img[i];

		if (root)
			g->state = DD_IMG_SKIPPED;
		else
			find(im, g, 1, err, sizeof err);
		for (unsigned j = 0; print && j < g->nref; j++)
			printf("  image %s: %s\n", im->ref[g->ref0 + j].tag, result[g->state]);
	}
}

void dd_images_json(const struct dd_images *im, struct dd_jw *w)
{
	char hex[65];

	dd_jw_array(w, "images");
	for (unsigned i = 0; i < im->n; i++)
		for (unsigned j = 0; j < im->img[i].nref; j++) {
			dd_hex(im->ref[im->img[i].ref0 + j].config, 32, hex);
			dd_jw_object(w, NULL);
			dd_jw_str(w, "tag", im->ref[im->img[i].ref0 + j].tag);
			dd_jw_str(w, "id", hex);
			dd_jw_str(w, "result", result[im->img[i].state]);
			dd_jw_close(w);
		}
	dd_jw_close(w);
}

void dd_images_close(struct dd_images *im)
{
	for (unsigned i = 0; i < im->n; i++)
		if (im->img[i].name[0] && im->img[i].fd >= 0)
			close(im->img[i].fd);
	if (im->dirfd >= 0)
		close(im->dirfd);
	im->n = 0;
	im->dirfd = -1;
}
