/* Test-only: a bundle whose engine blob is any file, assembled without the checks of
 * `dockdrop bundle` (which refuses engines without the official layout), so the tests can
 * show that install refuses such a payload by itself. Unsigned; the manifest digests are
 * right, so only the engine's contents are wrong.
 *   rawbundle STUB ENGINE.tgz VERSION ARCH OUT */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/elfsize.h"
#include "bundle/format.h"
#include "util/io.h"
#include "util/sha256.h"

static struct dd_manifest m;
static char text[DD_MANIFEST_MAX];

/* The whole file into a malloc'ed buffer. */
static unsigned char *slurp(const char *path, size_t *n)
{
	struct stat st;
	unsigned char *p;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) != 0 || !(p = malloc((size_t)st.st_size + 1)) ||
	    dd_read_full(fd, p, (size_t)st.st_size) != st.st_size) {
		perror(path);
		exit(1);
	}
	close(fd);
	*n = (size_t)st.st_size;
	return p;
}

static void digest(const void *p, size_t n, unsigned char out[32])
{
	dd_sha256 c;

	dd_sha256_init(&c);
	dd_sha256_update(&c, p, n);
	dd_sha256_out(&c, out);
}

int main(int argc, char **argv)
{
	unsigned char *stub, *engine, tr[DD_TRAILER_SIZE];
	struct dd_trailer t = { .version = DD_FORMAT_VERSION };
	size_t sn, en, mn;
	uint64_t end;
	FILE *out;
	int fd;

	if (argc != 6) {
		fprintf(stderr, "usage: rawbundle STUB ENGINE.tgz VERSION ARCH OUT\n");
		return 2;
	}
	stub = slurp(argv[1], &sn);
	if ((fd = open(argv[1], O_RDONLY)) < 0 || dd_elf_size(fd, sn, &end) != DD_ELF_OK) {
		fprintf(stderr, "rawbundle: %s: not an ELF stub\n", argv[1]);
		free(stub);
		return 1;
	}
	close(fd);
	engine = slurp(argv[2], &en);
	m.stub_size = end;
	digest(stub, (size_t)end, m.stub_sha256);
	m.nblobs = 1;
	snprintf(m.blob[0].kind, DD_FIELD_MAX, "engine");
	snprintf(m.blob[0].name, DD_FIELD_MAX, "docker");
	snprintf(m.blob[0].version, DD_FIELD_MAX, "%s", argv[3]);
	snprintf(m.blob[0].arch, DD_FIELD_MAX, "%s", argv[4]);
	m.blob[0].off = end;
	m.blob[0].len = en;
	digest(engine, en, m.blob[0].sha256);
	if (!(mn = dd_manifest_format(&m, text, sizeof text))) {
		fprintf(stderr, "rawbundle: the manifest does not format\n");
		return 1;
	}
	t.stub_size = end;
	t.manifest_off = end + en;
	t.manifest_len = (uint32_t)mn;
	t.total_size = t.manifest_off + mn + DD_TRAILER_SIZE;
	digest(text, mn, t.meta_sha256);
	dd_trailer_encode(&t, tr);
	if (!(out = fopen(argv[5], "wb")) || fwrite(stub, 1, (size_t)end, out) != end ||
	    fwrite(engine, 1, en, out) != en || fwrite(text, 1, mn, out) != mn ||
	    fwrite(tr, 1, sizeof tr, out) != sizeof tr || fclose(out) != 0) {
		perror(argv[5]);
		return 1;
	}
	chmod(argv[5], 0755);
	free(stub);
	free(engine);
	return 0;
}
