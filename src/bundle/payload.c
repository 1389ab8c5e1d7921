#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buildinfo.h"
#include "bundle/blobsrc.h"
#include "bundle/elfsize.h"
#include "bundle/payload.h"
#include "util/log.h"
#include "util/sha256.h"

#define COPY_AGAIN "copy the file again"

static int bad(struct dd_payload *p, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof p->err, fmt, ap);
	va_end(ap);
	return rc;
}

static int read_at(const struct dd_payload *p, void *buf, size_t n, uint64_t off)
{
	ssize_t r;

	do
		r = pread(p->fd, buf, n, (off_t)off);
	while (r < 0 && errno == EINTR);
	if (r >= 0 && (size_t)r != n)
		errno = EPIPE;
	return r >= 0 && (size_t)r == n ? 0 : -1;
}

/* Look backwards for a sealed trailer that ends before EOF: bytes were appended. Returns
 * how many, or 0 when there is no such trailer (then the file is cut or damaged). */
static uint64_t appended_bytes(struct dd_payload *p, uint64_t stub)
{
	static unsigned char win[65536 + DD_TRAILER_SIZE];
	uint64_t hi = p->size;

	while (hi > stub + DD_TRAILER_SIZE) {
		uint64_t lo = hi - stub > sizeof win ? hi - sizeof win : stub;
		size_t n = (size_t)(hi - lo);

		if (read_at(p, win, n, lo) != 0)
			return 0;
		for (size_t i = n - DD_TRAILER_SIZE + 1; i-- > 0;) {
			struct dd_trailer t;

			if (win[i] == 'D' && dd_trailer_decode(win + i, &t) == 0 &&
			    t.total_size == lo + i + DD_TRAILER_SIZE && t.total_size < p->size)
				return p->size - t.total_size;
		}
		hi = lo + DD_TRAILER_SIZE - 1;
	}
	return 0;
}

static int locate(struct dd_payload *p, uint64_t *stub)
{
	unsigned char tb[DD_TRAILER_SIZE];
	int rc = dd_elf_size(p->fd, p->size, stub);
	uint64_t extra;

	if (rc == DD_ELF_TRUNCATED)
		return bad(p, DD_EXIT_VERIFY, "truncated: the program itself is incomplete (%llu bytes); " COPY_AGAIN,
			   (unsigned long long)p->size);
	if (rc != DD_ELF_OK)
		return bad(p, rc == DD_ELF_IO ? DD_EXIT_FAIL : DD_EXIT_VERIFY,
			   rc == DD_ELF_IO ? "cannot read: %s" : "not a dockdrop program%s",
			   rc == DD_ELF_IO ? strerror(errno) : "");
	if (p->size == *stub) {
		p->empty = 1;
		return bad(p, DD_EXIT_FAIL, "no payload: this is a bare dockdrop stub; make one with 'dockdrop bundle' or 'make'");
	}
	if (p->size - *stub >= DD_TRAILER_SIZE && read_at(p, tb, sizeof tb, p->size - sizeof tb) == 0 &&
	    dd_trailer_decode(tb, &p->t) == 0)
		return 0;
	extra = appended_bytes(p, *stub);
	if (extra)
		return bad(p, DD_EXIT_VERIFY, "%llu bytes were appended after the payload; " COPY_AGAIN,
			   (unsigned long long)extra);
	return bad(p, DD_EXIT_VERIFY, "payload truncated or damaged: no valid trailer at the end of its %llu bytes (an interrupted copy?); " COPY_AGAIN,
		   (unsigned long long)p->size);
}

static int check_layout(struct dd_payload *p, uint64_t stub)
{
	const struct dd_trailer *t = &p->t;

	if (t->total_size != p->size)
		return bad(p, DD_EXIT_VERIFY, "size %llu differs from the %llu bytes the trailer records; " COPY_AGAIN,
			   (unsigned long long)p->size, (unsigned long long)t->total_size);
	if (t->stub_size != stub || t->manifest_len == 0 || t->manifest_len > DD_MANIFEST_MAX ||
	    (t->sig_len != 0 && t->sig_len != DD_SIG_SIZE) || t->manifest_off < stub ||
	    t->manifest_off > p->size ||
	    p->size - t->manifest_off != (uint64_t)t->manifest_len + t->sig_len + DD_TRAILER_SIZE)
		return bad(p, DD_EXIT_VERIFY, "the trailer describes an impossible layout");
	return 0;
}

static int read_meta(struct dd_payload *p)
{
	const struct dd_trailer *t = &p->t;
	unsigned char d[32];
	char why[160];
	dd_sha256 c;

	if (read_at(p, p->text, t->manifest_len, t->manifest_off) != 0 ||
	    (t->sig_len && read_at(p, p->sig, t->sig_len, t->manifest_off + t->manifest_len) != 0))
		return bad(p, DD_EXIT_FAIL, "cannot read the manifest: %m");
	dd_sha256_init(&c);
	dd_sha256_update(&c, p->text, t->manifest_len);
	dd_sha256_update(&c, p->sig, t->sig_len);
	dd_sha256_out(&c, d);
	if (memcmp(d, t->meta_sha256, 32) != 0)
		return bad(p, DD_EXIT_VERIFY, "manifest or signature damaged (digest mismatch); " COPY_AGAIN);
	if (dd_manifest_parse(p->text, t->manifest_len, &p->m, why, sizeof why) != 0)
		return bad(p, DD_EXIT_VERIFY, "%s", why);
	if (p->m.stub_size != t->stub_size ||
	    p->m.blob[p->m.nblobs - 1].off + p->m.blob[p->m.nblobs - 1].len != t->manifest_off)
		return bad(p, DD_EXIT_VERIFY, "the manifest does not match the file layout");
	return 0;
}

static int check_signature(struct dd_payload *p)
{
	const unsigned char *key = dd_sign_trusted_key();
	unsigned char d[32];
	dd_sha256 c;

	p->auth = DD_AUTH_NONE;
	if (!key)
		return 0;
	if (p->t.sig_len == 0)
		return bad(p, DD_EXIT_VERIFY, "the payload is not signed, and this dockdrop accepts only payloads signed by its release key");
	dd_sha256_init(&c);
	dd_sha256_update(&c, p->text, p->t.manifest_len);
	dd_sha256_out(&c, d);
	if (!dd_sign_verify(key, d, p->sig))
		return bad(p, DD_EXIT_VERIFY, "bad signature: the payload was not signed by this dockdrop's release key");
	p->auth = DD_AUTH_VERIFIED;
	return 0;
}

int dd_payload_arch_check(int fd, const struct dd_manifest *m, const char *who, char *err,
			  size_t errsz)
{
	static unsigned char h[20];
	const char *run = pread(fd, h, sizeof h, 0) == sizeof h ? dd_elf_arch(h, sizeof h) : NULL;

	if (!run)
		run = "?";	/* no manifest field is "?": every arch differs */
	for (unsigned i = 0; i < m->nblobs; i++) {
		const char *a = m->blob[i].arch;

		if (strcmp(a, "-") && strcmp(a, run))
			return snprintf(err, errsz, "payload is for %s, %s runs %s code: use dockdrop-%s-%s",
					a, who, run, DD_VERSION,
					strcmp(a, "x86_64") ? strcmp(a, "aarch64") ? a : "arm64" : "amd64"), -1;
	}
	return 0;
}

int dd_payload_open(struct dd_payload *p, const char *path)
{
	struct stat st;
	uint64_t stub = 0;
	int rc;

	memset(p, 0, offsetof(struct dd_payload, text));
	p->err[0] = 0;
	snprintf(p->path, sizeof p->path, "%s", path ? path : "/proc/self/exe");
	/* A file named by the user that cannot be used is bad input; this program not
	 * readable is a failure. A fifo or device is refused before it is opened (opening a
	 * fifo waits for a writer, a device may act on it), and the open does not wait. */
	p->fd = -1;
	if (stat(p->path, &st) == 0 && !S_ISREG(st.st_mode))
		return bad(p, path ? DD_EXIT_USAGE : DD_EXIT_FAIL, "not a regular file");
	p->fd = open(p->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (p->fd < 0 || fstat(p->fd, &st) < 0)
		return bad(p, path ? DD_EXIT_USAGE : DD_EXIT_FAIL, "cannot open: %m");
	if (!S_ISREG(st.st_mode))
		return bad(p, path ? DD_EXIT_USAGE : DD_EXIT_FAIL, "not a regular file");
	p->size = (uint64_t)st.st_size;
	if ((rc = locate(p, &stub)) || (rc = check_layout(p, stub)) || (rc = read_meta(p)) ||
	    (rc = check_signature(p)))
		return rc;
	return dd_payload_arch_check(p->fd, &p->m, path ? "its program" : "this dockdrop", p->err,
				     sizeof p->err) ? DD_EXIT_VERIFY : 0;
}

void dd_payload_close(struct dd_payload *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

int dd_payload_open_cmd(struct dd_payload *p, const char *path, const char *cmd)
{
	int rc = dd_payload_open(p, path);

	if (rc == 0)
		return 0;
	dd_payload_close(p);
	return dd_fail(rc, "%s: %s: %s", cmd, path ? path : "this program", p->err);
}

int dd_payload_open_checked(struct dd_payload *p, const char *path, const char *cmd)
{
	unsigned char d[32];
	int rc = dd_payload_open_cmd(p, path, cmd);

	if (rc)
		return rc;
	if (dd_payload_hash_range(p, 0, p->m.stub_size, d) != 0) {
		dd_payload_close(p);
		return dd_fail(DD_EXIT_FAIL, "%s: %s: cannot read: %m", cmd, path ? path : "this program");
	}
	if (memcmp(d, p->m.stub_sha256, 32) != 0) {
		dd_payload_close(p);
		return dd_fail(DD_EXIT_VERIFY, "%s: %s: the program (stub) does not match its SHA-256 in the manifest; the file is damaged; " COPY_AGAIN,
			       cmd, path ? path : "this program");
	}
	return 0;
}

const struct dd_blob *dd_payload_engine(const struct dd_payload *p)
{
	for (unsigned i = 0; i < p->m.nblobs; i++)
		if (strcmp(p->m.blob[i].kind, "engine") == 0)
			return &p->m.blob[i];
	return NULL;
}

int dd_payload_hash_range(const struct dd_payload *p, uint64_t off, uint64_t len,
			  unsigned char out[32])
{
	static struct dd_blobsrc src;

	dd_blobsrc_init(&src, p->fd, off, len);
	return dd_blobsrc_finish(&src, out);
}
