/* What an image archive (`docker save`, tar or gzip tar) holds, read from its manifest.json:
 * each image's config digest (the daemon's image ID) and repo tags. Used by bundle (the
 * manifest's ref records) and install --images DIR (which images the daemon has already).
 * manifest.json is hostile input: parsed strictly (util/jsontext), bounded, fuzzed
 * (tests/fuzz/fuzz_imgjson.c); anything unexpected refuses the archive. */
#ifndef DD_IMGSCAN_H
#define DD_IMGSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "archive/gunzip.h"
#include "archive/tar.h"
#include "bundle/blobsrc.h"
#include "bundle/format.h"

#define DD_IMGJSON_MAX 65536	/* the largest manifest.json read */

/* The refs of manifest.json's text json[0..n): an array of at least one object, each with
 * Config "blobs/sha256/HEX" or "HEX.json" and RepoTags an array of tags (or null, or
 * absent: one ref with tag "-"). Up to max into out (blob 0), the count in *n. 0, or -1
 * (not such a text, or more than max refs). */
int dd_imgjson_parse(const char *json, size_t n, struct dd_ref *out, unsigned max,
		     unsigned *nout);

struct dd_imgscan {
	struct dd_blobsrc src;	/* also streams the archive to the daemon (workload/images) */
	struct dd_gunzip gz;
	struct tar_reader tar;
	struct tar_entry e;
	char json[DD_IMGJSON_MAX];
};

/* Walk the whole archive in bytes [off, off+len) of fd (every tar header, to its end) and
 * take its refs as above; digest is the SHA-256 of those bytes. 0; DD_EXIT_USAGE with why
 * when it is not a whole docker save archive (truncated, no or two manifest.json, a bad
 * one); DD_EXIT_FAIL with why when reading fails. */
int dd_imgscan(struct dd_imgscan *s, int fd, uint64_t off, uint64_t len, struct dd_ref *refs,
	       unsigned max, unsigned *n, unsigned char digest[32], char *why, size_t whysz);

#endif
