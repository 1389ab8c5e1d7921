/* Bundling reads every input twice: once to check it (digest, and for the engine the
 * whole gzip+tar structure), once to copy it, hashing again so a file that changes in
 * between is caught instead of shipped. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/gunzip.h"
#include "archive/extract.h"
#include "archive/gzindex.h"
#include "archive/tar.h"
#include "bundle/blobsrc.h"
#include "bundle/elfsize.h"
#include "bundle/format.h"
#include "bundle/imgscan.h"
#include "bundle/layout.h"
#include "bundle/pins.h"
#include "bundle/payload.h"
#include "bundle/plugin.h"
#include "bundle/sign.h"
#include "bundle/writer.h"
#include "bundle/xtables.h"
#include "util/atomic.h"
#include "util/interrupt.h"
#include "util/io.h"
#include "util/log.h"
#include "util/sha256.h"

#define COPY_BUF (256 * 1024)

static struct {
	struct dd_blobsrc src;
	struct dd_gunzip gz;
	struct tar_reader tar;
	struct tar_entry e;
	struct dd_manifest m;
	char text[DD_MANIFEST_MAX];
	unsigned char buf[COPY_BUF];
	struct dd_gzi_builder gzb;
	size_t index_len;
	unsigned char index[DD_GZI_HEAD + DD_GZI_POINTS * (DD_GZI_REC + DD_GZI_WINDOW)];
	unsigned nentries;
	uint32_t names[4096];	/* hashes of entry names: an index needs them unique */
	const char *from[DD_BLOBS_MAX];	/* each blob's input file; NULL: the index, or a
					 * blob of self's payload at self_off */
	uint64_t self_off;
	struct dd_payload self;
	struct dd_imgscan img;
} w;

/* Entries this big start a segment of their own (a split point costs a 32 KB window). */
#define INDEX_GAP (4u << 20)

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int open_input(const char *path, uint64_t *size)
{
	struct stat st;
	int fd;

	/* A fifo or device is refused before it is opened: opening a fifo waits for a writer. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		errno = errno ? errno : EINVAL;
		if (errno == 0 || !S_ISREG(st.st_mode))
			errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

static const char *strip_dot(const char *p)
{
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	return p;
}

/* Parallel extraction is equal to serial extraction when no entry depends on another:
 * only plain files and directories, each name once. Otherwise no index is made. */
static void note_entry(const char *name, enum tar_type type)
{
	uint32_t h = 2166136261u;

	for (const char *c = name; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	if ((type != TAR_FILE && type != TAR_DIR) || w.nentries == sizeof w.names / sizeof w.names[0])
		w.gzb.usable = 0;
	for (unsigned i = 0; w.gzb.usable && i < w.nentries; i++)
		if (w.names[i] == h)
			w.gzb.usable = 0;	/* a hash clash only costs the index */
	if (w.gzb.usable)
		w.names[w.nentries++] = h;
}

/* A program install will link (docker/NAME, executable) must have a name it records. */
static int prog_ok(const char *name, const struct tar_entry *e)
{
	const char *base = name + 7;

	return strncmp(name, "docker/", 7) || strchr(base, '/') || e->type != TAR_FILE ||
	       !(e->mode & 0111) || base[0] == '.' || strlen(base) >= 64 ||
	       dd_engine_prog_name_ok(base);
}

/* Walk the engine's entries, names seen as extraction will see them (a later entry
 * replaces an earlier one: what counts for a required file is its last entry); on a
 * structure problem fill why (the digest still gets computed by the caller draining the
 * source). */
static void walk_engine(char *arch, size_t archsz, char *why, size_t whysz)
{
	static char name[TAR_NAME_MAX];
	unsigned found = 0;
	const char *bad;
	int rc;

	for (;;) {
		/* Read the entry out first: the last block boundary must be close before the
		 * next header, which is then a candidate split point. */
		while (w.tar.remain > 0 && tar_read(&w.tar, w.buf, sizeof w.buf) > 0)
			;
		dd_gzi_mark(&w.gzb, w.gz.zs.total_out + w.tar.remain + w.tar.pad);
		if ((rc = tar_next(&w.tar, &w.e)) != 1)
			break;
		dd_gzi_take(&w.gzb, w.e.size);
		note_entry(strip_dot(w.e.path), w.e.type);
		if ((bad = dd_extract_normalise(w.e.path, name))) {
			snprintf(why, whysz, "entry \"%.100s\": %s", w.e.path, bad);
			return;
		}
		if (strcmp(name, "docker") && strncmp(name, "docker/", 7)) {
			snprintf(why, whysz, "entry \"%.100s\" is outside docker/: not an engine tarball in the official layout", name);
			return;
		}
		if (!prog_ok(name, &w.e)) {
			snprintf(why, whysz, "program %.100s: a name install cannot link (use [A-Za-z0-9._+-])", name);
			return;
		}
		for (int i = 0; i < DD_ENGINE_NREQUIRED; i++)
			if (strcmp(name, dd_engine_required[i]) == 0)
				found = w.e.type == TAR_FILE ? found | 1u << i : found & ~(1u << i);
		if (w.e.type == TAR_FILE && strcmp(name, "docker/dockerd") == 0) {
			ssize_t n = tar_read(&w.tar, w.buf, 64);
			const char *a = n > 0 ? dd_elf_arch(w.buf, (size_t)n) : NULL;

			snprintf(arch, archsz, "%s", a ? a : "");
		}
	}
	if (rc < 0) {
		snprintf(why, whysz, "%s", w.gz.err[0] ? w.gz.err : tar_strerror(rc));
		return;
	}
	for (int i = 0; i < DD_ENGINE_NREQUIRED; i++)
		if (!(found & (1u << i))) {
			snprintf(why, whysz, "no regular file %s in it: not an engine tarball in the official layout",
				 dd_engine_required[i]);
			return;
		}
	if (!arch[0])
		snprintf(why, whysz, "docker/dockerd is not an ELF program of a known architecture");
}

/* Digest and structure of the engine. 0, or an exit code. */
static int scan_engine(const char *path, struct dd_blob *b, char *arch, size_t archsz,
		       char *why, size_t whysz, char *err, size_t errsz)
{
	uint64_t size;
	int fd = open_input(path, &size);

	why[0] = 0;
	arch[0] = 0;
	if (fd < 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "--engine %s: %m", path);
	dd_blobsrc_init(&w.src, fd, 0, size);
	if (dd_gunzip_init(&w.gz, dd_blobsrc_next, &w.src) != 0) {
		close(fd);
		return dd_say(err, errsz, DD_EXIT_FAIL, "inflateInit failed");
	}
	dd_gzi_builder_init(&w.gzb, INDEX_GAP);
	w.nentries = 0;
	w.gz.on_block = dd_gzi_on_block;
	w.gz.block_ctx = &w.gzb;
	tar_reader_init(&w.tar, dd_gunzip_read, &w.gz);
	walk_engine(arch, archsz, why, whysz);
	if (!why[0]) {
		ssize_t r;

		while ((r = dd_gunzip_read(&w.gz, w.buf, sizeof w.buf)) > 0)
			;
		if (r < 0)
			snprintf(why, whysz, "%s", w.gz.err);
	}
	w.index_len = why[0] ? 0 : dd_gzi_serialize(&w.gzb, size, w.gz.zs.total_out, w.index,
						     sizeof w.index);
	dd_gunzip_end(&w.gz);
	b->len = size;
	if (dd_blobsrc_finish(&w.src, b->sha256) != 0) {
		int e = errno;

		close(fd);
		return dd_say(err, errsz, DD_EXIT_FAIL, "--engine %s: read: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

/* The engine's version: --engine-version, the pin, or the file name docker-VERSION.tgz. */
static int engine_version(const struct dd_bundle_spec *s, const struct dd_pin *pin, char *out,
			  size_t outsz)
{
	const char *base = basename_of(s->engine);
	size_t n = strlen(base);

	if (s->engine_version)
		snprintf(out, outsz, "%s", s->engine_version);
	else if (pin)
		snprintf(out, outsz, "%s", pin->version);
	else if (n > 11 && !strncmp(base, "docker-", 7) && !strcmp(base + n - 4, ".tgz"))
		snprintf(out, outsz, "%.*s", (int)(n - 11), base + 7);
	else
		return -1;
	/* It also names the install directory (VERSION-DIGEST12). */
	return dd_manifest_field_ok(out) && out[0] != '.' && !strchr(out, '/') ? 0 : -1;
}

static int check_engine_digest(const struct dd_bundle_spec *s, const char *hex,
			       const struct dd_pin **pin, char *err, size_t errsz)
{
	const struct dd_pin *byname = dd_pin_by_file(basename_of(s->engine));

	*pin = dd_pin_by_digest(hex);
	if (s->sha256) {
		unsigned char want[32];
		char wanthex[65];

		if (dd_unhex(s->sha256, want, 32) != 0)
			return dd_say(err, errsz, DD_EXIT_USAGE, "--sha256 %s: not 64 hex digits", s->sha256);
		dd_hex(want, 32, wanthex);
		if (strcmp(wanthex, hex) != 0)
			return dd_say(err, errsz, DD_EXIT_VERIFY, "--engine %s: SHA-256 is %s, not the expected %s; nothing written",
				   s->engine, hex, wanthex);
		return 0;
	}
	if (*pin)
		return 0;
	if (byname)
		return dd_say(err, errsz, DD_EXIT_VERIFY, "--engine %s: SHA-256 is %s, not %s pinned for %s in engines.lock; nothing written",
			   s->engine, hex, byname->sha256, byname->file);
	return dd_say(err, errsz, DD_EXIT_USAGE, "--engine %s: not pinned in engines.lock; give its --sha256 (from the publisher)",
		   s->engine);
}

/* --engine-parts FILE: the engine's sources, as part records of blob bi. */
static int engine_parts(const char *path, unsigned bi, char *err, size_t errsz)
{
	long n = dd_read_small_file(path, w.text, sizeof w.text);
	const char *why = n < 0 ? strerror(errno) : n == 0 || strlen(w.text) != (size_t)n
			? "empty, or has a NUL byte" : dd_parts_parse(w.text, &w.m, bi);

	return why ? dd_say(err, errsz, DD_EXIT_USAGE, "--engine-parts %s: %s", path, why) : 0;
}

static int add_engine(const struct dd_bundle_spec *s, char *err, size_t errsz)
{
	struct dd_blob *b = &w.m.blob[w.m.nblobs];
	const struct dd_pin *pin;
	char arch[DD_FIELD_MAX], why[256], hex[65];
	int rc = scan_engine(s->engine, b, arch, sizeof arch, why, sizeof why, err, errsz);

	if (rc)
		return rc;
	dd_hex(b->sha256, 32, hex);
	if ((rc = check_engine_digest(s, hex, &pin, err, errsz)))
		return rc;
	if (why[0])
		return dd_say(err, errsz, DD_EXIT_USAGE, "--engine %s: %s", s->engine, why);
	if (pin && strcmp(pin->arch, arch) != 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "--engine %s: docker/dockerd is %s, the pin says %s", s->engine, arch, pin->arch);
	if (engine_version(s, pin, b->version, sizeof b->version) != 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "--engine %s: cannot tell its version from the name; give --engine-version",
			   s->engine);
	strcpy(b->kind, "engine");
	strcpy(b->name, "docker");
	strcpy(b->arch, arch);
	if (s->engine_parts && (rc = engine_parts(s->engine_parts, w.m.nblobs, err, errsz)))
		return rc;
	w.from[w.m.nblobs++] = s->engine;
	if (w.index_len) {
		struct dd_blob *ix = &w.m.blob[w.m.nblobs++];
		dd_sha256 c;

		*ix = *b;
		strcpy(ix->kind, "index");
		ix->len = w.index_len;
		dd_sha256_init(&c);
		dd_sha256_update(&c, w.index, w.index_len);
		dd_sha256_out(&c, ix->sha256);
	}
	return 0;
}

/* The blob's name and version from an image's tag "repo:tag", when both fit. */
static void image_name(const char *tag, struct dd_blob *b)
{
	const char *colon = strrchr(tag, ':');
	size_t nlen;

	if (colon && strchr(colon, '/'))
		colon = NULL;	/* a registry's port, not a tag */
	nlen = colon ? (size_t)(colon - tag) : strlen(tag);
	if (!strcmp(tag, "-") || nlen >= sizeof b->name || (colon && strlen(colon + 1) >= sizeof b->version))
		return;
	memcpy(b->name, tag, nlen);
	b->name[nlen] = 0;
	if (colon)
		strcpy(b->version, colon + 1);
}

/* An image archive, walked whole: its refs (manifest.json) go into the manifest. */
static int add_image(const char *path, char *err, size_t errsz)
{
	struct dd_blob *b = &w.m.blob[w.m.nblobs];
	struct dd_ref *r = &w.m.ref[w.m.nrefs];
	char why[160];
	uint64_t size;
	unsigned n;
	int fd = open_input(path, &size), rc;

	if (fd < 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "--image %s: %m", path);
	memset(b, 0, sizeof *b);
	b->len = size;
	rc = dd_imgscan(&w.img, fd, 0, size, r, DD_REFS_MAX - w.m.nrefs, &n, b->sha256, why, sizeof why);
	close(fd);
	if (rc)
		return dd_say(err, errsz, rc, "--image %s: not a whole image archive from 'docker save' (%s)", path, why);
	for (unsigned i = 0; i < n; i++)
		r[i].blob = w.m.nblobs;
	w.m.nrefs += n;
	image_name(r[0].tag, b);
	if (!dd_manifest_field_ok(b->name))
		snprintf(b->name, sizeof b->name, "image%u", w.m.nblobs);
	if (!dd_manifest_field_ok(b->version))
		strcpy(b->version, "-");
	strcpy(b->kind, "image");
	strcpy(b->arch, "-");
	w.from[w.m.nblobs++] = path;
	return 0;
}

/* The carried iptables: --iptables FILE, else the one this program (or the stub source)
 * carries for the engine's architecture, so a re-bundled engine keeps working networking;
 * none with --no-iptables or when there is none to keep. */
static int add_iptables(const struct dd_bundle_spec *s, char *err, size_t errsz)
{
	const char *arch = w.m.blob[0].arch;
	const struct dd_blob *old;
	unsigned bi = w.m.nblobs;
	int rc;

	if (s->iptables) {
		if ((rc = dd_xt_scan(s->iptables, &w.m, bi, err, errsz)))
			return rc;
		if (strcmp(w.m.blob[bi].arch, arch))
			return dd_say(err, errsz, DD_EXIT_USAGE, "--iptables %s: its programs are %s, the engine is %s",
				      s->iptables, w.m.blob[bi].arch, arch);
		w.from[w.m.nblobs++] = s->iptables;
		return 0;
	}
	if (s->no_iptables)
		return 0;
	if ((rc = dd_payload_open(&w.self, s->self)) != 0) {
		if (w.self.empty)
			return 0;
		return dd_say(err, errsz, rc, "this program's payload (to keep its iptables; or --no-iptables): %s",
			      w.self.err);
	}
	if (!(old = dd_xt_blob(&w.self.m, arch)))
		return 0;
	w.m.blob[bi] = *old;
	for (unsigned i = 0; i < w.self.m.nparts && w.m.nparts < DD_PARTS_MAX; i++)
		if (w.self.m.part[i].blob == (unsigned)(old - w.self.m.blob)) {
			w.m.part[w.m.nparts] = w.self.m.part[i];
			w.m.part[w.m.nparts++].blob = bi;
		}
	w.self_off = old->off;
	w.from[w.m.nblobs++] = NULL;
	return 0;
}

static int copy_range(struct dd_afile *af, int fd, uint64_t off, uint64_t len,
		      unsigned char digest[32])
{
	dd_blobsrc_init(&w.src, fd, off, len);
	for (;;) {
		ssize_t r = dd_blobsrc_read(&w.src, w.buf, sizeof w.buf);

		if (r < 0)
			return -1;
		if (r == 0)
			break;
		if (dd_afile_write(af, w.buf, (size_t)r) != 0)
			return -1;
	}
	dd_sha256_out(&w.src.sha, digest);
	return 0;
}

static int open_stub(const char *self, uint64_t *stub, char *err, size_t errsz)
{
	uint64_t size;
	int fd = open_input(self, &size);

	if (fd < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", self), -1;
	if (dd_elf_size(fd, size, stub) != DD_ELF_OK) {
		close(fd);
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: cannot find where the program ends", self), -1;
	}
	return fd;
}

/* Copy one input file as blob b, checking it still has the digest it was scanned with. */
static int copy_blob(struct dd_afile *af, const char *path, const struct dd_blob *b, char *err,
		     size_t errsz)
{
	unsigned char d[32];
	uint64_t size;
	int fd = open_input(path, &size), rc = 0;

	if (fd < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", path);
	if (size != b->len || copy_range(af, fd, 0, size, d) != 0)
		rc = dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", path,
			 size != b->len ? "changed while bundling" : strerror(errno));
	else if (memcmp(d, b->sha256, 32) != 0)
		rc = dd_say(err, errsz, DD_EXIT_VERIFY, "%s: changed while bundling (SHA-256 differs)", path);
	close(fd);
	return rc;
}

/* A blob of this program's own payload, checked against its manifest digest as it is
 * copied: a damaged payload is not passed on. */
static int copy_self(struct dd_afile *af, const struct dd_blob *b, char *err, size_t errsz)
{
	unsigned char d[32];

	if (copy_range(af, w.self.fd, w.self_off, b->len, d) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "copying %s %s from %s: %s", b->kind, b->name,
			      w.self.path, strerror(errno ? errno : EPIPE));
	if (memcmp(d, b->sha256, 32) != 0)
		return dd_say(err, errsz, DD_EXIT_VERIFY, "%s %s %s in %s: SHA-256 mismatch; the payload is damaged",
			      b->kind, b->name, b->version, w.self.path);
	return 0;
}

static int write_meta(struct dd_afile *af, const struct pki_key *key, uint64_t manifest_off,
		      char *err, size_t errsz)
{
	struct dd_trailer t = { .version = DD_FORMAT_VERSION };
	unsigned char sig[DD_SIG_SIZE], d[32];
	size_t n = dd_manifest_format(&w.m, w.text, sizeof w.text);
	dd_sha256 c;

	if (n == 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "the manifest would be too big");
	t.stub_size = w.m.stub_size;
	t.manifest_off = manifest_off;
	t.manifest_len = (uint32_t)n;
	dd_sha256_init(&c);
	dd_sha256_update(&c, w.text, n);
	if (key) {
		dd_sha256_out(&c, d);
		if (dd_sign(key, d, sig) != 0)
			return dd_say(err, errsz, DD_EXIT_FAIL, "signing failed");
		t.sig_len = DD_SIG_SIZE;
		dd_sha256_update(&c, sig, sizeof sig);
	}
	dd_sha256_out(&c, t.meta_sha256);
	t.total_size = manifest_off + n + t.sig_len + DD_TRAILER_SIZE;
	dd_trailer_encode(&t, w.buf);
	if (dd_afile_write(af, w.text, n) || (key && dd_afile_write(af, sig, sizeof sig)) ||
	    dd_afile_write(af, w.buf, DD_TRAILER_SIZE))
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: write: %m", af->dst);
	return 0;
}

static int assemble(const struct dd_bundle_spec *s, const struct pki_key *key, char *err,
		    size_t errsz)
{
	struct dd_afile af;
	uint64_t stub, off;
	int rc, self = open_stub(s->self ? s->self : "/proc/self/exe", &stub, err, errsz);

	if (self < 0)
		return DD_EXIT_FAIL;
	if (dd_payload_arch_check(self, &w.m, "this dockdrop", err, errsz)) {
		close(self);
		return DD_EXIT_USAGE;
	}
	if (dd_afile_open(&af, s->out, 0755) != 0) {
		int e = errno;

		close(self);
		/* A directory that is missing, not one, or not ours: the -o value is wrong. */
		return dd_say(err, errsz, e == ENOENT || e == ENOTDIR || e == EISDIR || e == EACCES ||
					       e == EROFS || e == ENAMETOOLONG ? DD_EXIT_USAGE : DD_EXIT_FAIL,
			   "-o %s: %s", s->out, strerror(e));
	}
	rc = copy_range(&af, self, 0, stub, w.m.stub_sha256) != 0
		     ? dd_say(err, errsz, DD_EXIT_FAIL, "copying the stub: %m") : 0;
	close(self);
	w.m.stub_size = off = stub;
	for (unsigned i = 0; rc == 0 && i < w.m.nblobs; i++) {
		struct dd_blob *b = &w.m.blob[i];

		b->off = off;
		off += b->len;
		if (w.from[i])
			rc = copy_blob(&af, w.from[i], b, err, errsz);
		else if (strcmp(b->kind, "index") == 0)
			rc = dd_afile_write(&af, w.index, w.index_len) == 0 ? 0
				: dd_say(err, errsz, DD_EXIT_FAIL, "-o %s: write: %m", s->out);
		else
			rc = copy_self(&af, b, err, errsz);
	}
	if (rc == 0)
		rc = write_meta(&af, key, off, err, errsz);
	if (rc == 0 && dd_afile_commit(&af) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "-o %s: %m", s->out);
	if (rc)
		dd_afile_abort(&af);
	return rc;
}

/* Fail before minutes of reading when the output cannot be written anyway. */
static int out_dir_bad(const char *out, char *why, size_t whysz)
{
	char dir[DD_PATH_MAX];
	const char *base;
	struct stat st;

	if (dd_path_split(out, dir, sizeof dir, &base) != 0 || !*base)
		return snprintf(why, whysz, "not a file name"), 1;
	if (stat(dir, &st) != 0)
		return snprintf(why, whysz, "its directory: %m"), 1;
	if (!S_ISDIR(st.st_mode))
		return snprintf(why, whysz, "its directory is not one"), 1;
	if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
		return snprintf(why, whysz, "is a directory"), 1;
	return 0;
}

int dd_bundle_write(const struct dd_bundle_spec *s, char *err, size_t errsz)
{
	static struct pki_key key;
	char why[200];
	int rc = 0;

	memset(&w.m, 0, sizeof w.m);
	memset(w.from, 0, sizeof w.from);
	dd_manifest_own_parts(&w.m);	/* what the stub copied below is built from */
	w.self.fd = -1;
	if (s->nimages + 2 > DD_BLOBS_MAX)
		return dd_say(err, errsz, DD_EXIT_USAGE, "at most %d images", DD_BLOBS_MAX - 2);
	if (s->engine_version && (!dd_manifest_field_ok(s->engine_version) ||
				  s->engine_version[0] == '.' || strchr(s->engine_version, '/')))
		return dd_say(err, errsz, DD_EXIT_USAGE, "--engine-version %s: use 1-63 of [A-Za-z0-9._:@+-], not starting with '.'",
			   s->engine_version);
	if (out_dir_bad(s->out, why, sizeof why))
		return dd_say(err, errsz, DD_EXIT_USAGE, "-o %s: %s", s->out, why);
	if (s->sign_key && dd_sign_key_load(s->sign_key, &key, why, sizeof why) != 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "--sign-key %s: %s", s->sign_key, why);
	rc = add_engine(s, err, errsz);
	if (rc == 0)
		rc = add_iptables(s, err, errsz);
	if (rc == 0 && w.m.nblobs + s->nimages > DD_BLOBS_MAX)
		rc = dd_say(err, errsz, DD_EXIT_USAGE, "at most %u images beside the engine and its iptables (or --no-iptables)",
			    DD_BLOBS_MAX - w.m.nblobs);
	for (unsigned i = 0; rc == 0 && i < s->nimages; i++)
		rc = add_image(s->images[i], err, errsz);
	if (rc == 0 && (s->nplugins > DD_PLUGINS_MAX || w.m.nblobs + s->nplugins > DD_BLOBS_MAX))
		rc = dd_say(err, errsz, DD_EXIT_USAGE, "at most %d plugins, and %d blobs in all",
			    DD_PLUGINS_MAX, DD_BLOBS_MAX);
	for (unsigned i = 0; rc == 0 && i < s->nplugins; i++) {
		rc = dd_plugin_scan(s->plugins[i], w.m.blob[0].arch, &w.m.blob[w.m.nblobs], err, errsz);
		for (unsigned j = 0; rc == 0 && j < w.m.nblobs; j++)
			if (!strcmp(w.m.blob[j].name, w.m.blob[w.m.nblobs].name))
				rc = dd_say(err, errsz, DD_EXIT_USAGE, "--plugin %s: a second %s",
					    s->plugins[i], w.m.blob[j].name);
		w.from[w.m.nblobs++] = s->plugins[i];
	}
	if (rc == 0)
		rc = assemble(s, s->sign_key ? &key : NULL, err, errsz);
	pki_key_wipe(&key);
	if (w.self.fd >= 0)
		dd_payload_close(&w.self);
	if (rc != 0 && dd_interrupted())
		rc = dd_say(err, errsz, DD_EXIT_FAIL, "interrupted by signal %d; nothing written",
			    dd_interrupted());
	return rc;
}
