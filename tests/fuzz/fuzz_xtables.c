/* libFuzzer harness for bundle's check of a carried-iptables tarball (bundle/xtables.h):
 * the input is a tar archive, gzipped here (so mutations reach the tar and COMPONENTS
 * parsing rather than dying in inflate) into a memfd that dd_xt_scan reads by its
 * /proc/self/fd name. It must never crash; a refusal is one line; an accepted tarball
 * gives a blob and parts the manifest writes and reads back the same. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "bundle/format.h"
#include "bundle/xtables.h"

static unsigned char gz[1 << 20];

static size_t gzip(const uint8_t *data, size_t size)
{
	z_stream z;

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)size;
	z.next_out = gz;
	z.avail_out = sizeof gz;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	deflateEnd(&z);
	return sizeof gz - z.avail_out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	static struct dd_manifest m, m2;
	static char text[DD_MANIFEST_MAX];
	char err[400] = "";
	size_t n, k;
	int rc;

	if (size > 512 * 1024)
		return 0;
	if (fd < 0) {
		if ((fd = memfd_create("xt", 0)) < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	n = gzip(data, size);
	if (ftruncate(fd, 0) != 0 || pwrite(fd, gz, n, 0) != (ssize_t)n)
		abort();
	memset(&m, 0, sizeof m);
	m.stub_size = 10;
	m.nblobs = 1;
	strcpy(m.blob[0].kind, "engine");
	strcpy(m.blob[0].name, "docker");
	strcpy(m.blob[0].version, "1");
	strcpy(m.blob[0].arch, "x86_64");
	m.blob[0].off = 10;
	m.blob[0].len = 1;
	rc = dd_xt_scan(path, &m, 1, err, sizeof err);
	if (rc != 0) {
		if (!err[0] || strchr(err, '\n') || m.nparts > DD_PARTS_MAX)
			abort();
		return 0;
	}
	if (m.blob[1].len != n || strcmp(m.blob[1].kind, DD_XT_KIND) || m.nparts == 0 ||
	    m.part[0].blob != 1 || strcmp(m.part[0].name, "iptables") ||
	    !dd_manifest_field_ok(m.blob[1].version) || !dd_manifest_field_ok(m.blob[1].arch))
		abort();
	m.nblobs = 2;
	m.blob[1].off = 11;
	if (!(k = dd_manifest_format(&m, text, sizeof text)) ||
	    dd_manifest_parse(text, k, &m2, err, sizeof err) != 0 || m2.nparts != m.nparts ||
	    dd_xt_has_nft(&m2, 1) != dd_xt_has_nft(&m, 1))
		abort();
	return 0;
}
