/* The payload appended to the ELF stub (DESIGN.md "Payload format"):
 *
 *   [ELF stub][blob 1][blob 2]...[manifest][signature][trailer]
 *
 * Trailer: DD_TRAILER_SIZE bytes at EOF, big-endian fields, sealed by a SHA-256 of its own
 * first 96 bytes, so one flipped bit anywhere in it is caught:
 *   0  "DOCKDROP"      8  version (1)      12 flags (0)
 *   16 stub size       24 manifest offset  32 manifest length   36 signature length
 *   40 total size      48 SHA-256(manifest || signature)        80 16 zero bytes
 *   96 SHA-256(bytes 0..95)
 * Manifest: text, one record per line, single spaces, strictly checked:
 *   dockdrop-manifest 1
 *   stub SIZE SHA256
 *   blob KIND NAME VERSION ARCH OFFSET LENGTH SHA256      (one per blob, in file order)
 *   part NAME VERSION DEBVERSION LICENSE SHA256           (what the blob before it is built
 *                                                          from: a source package, its
 *                                                          Debian version, SPDX licence and
 *                                                          the SHA-256 of its source tarball;
 *                                                          before the first blob: what the
 *                                                          stub is built from)
 *   raw LENGTH SHA256                                     (the blob before it is stored
 *                                                          gzip-compressed: the length and
 *                                                          SHA-256 of the file it inflates
 *                                                          to, as its publisher gives them)
 *   ref CONFIG TAG                                       (an image the image blob before it
 *                                                          holds: the SHA-256 of its config,
 *                                                          which the daemon names it by, and
 *                                                          one repo tag, or - for none)
 * Blobs are contiguous from the end of the stub; the manifest follows the last blob, the
 * signature (0 or 64 bytes: ECDSA P-256 r||s over SHA-256(manifest)) the manifest. */
#ifndef DD_FORMAT_H
#define DD_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "util/hex.h"

#define DD_TRAILER_SIZE 128
#define DD_TRAILER_MAGIC "DOCKDROP"
#define DD_FORMAT_VERSION 1
#define DD_MANIFEST_MAX 16384
#define DD_SIG_SIZE 64
#define DD_BLOBS_MAX 16
#define DD_PARTS_MAX 16
#define DD_FIELD_MAX 64		/* kind, name, version, arch: at most 63 bytes */
#define DD_REFS_MAX 32		/* image records in all */
#define DD_TAG_MAX 256		/* a repo tag: at most 255 bytes */

struct dd_trailer {
	uint32_t version, flags;
	uint64_t stub_size, manifest_off;
	uint32_t manifest_len, sig_len;
	uint64_t total_size;
	unsigned char meta_sha256[32];
};

struct dd_blob {
	char kind[DD_FIELD_MAX], name[DD_FIELD_MAX], version[DD_FIELD_MAX], arch[DD_FIELD_MAX];
	uint64_t off, len;
	unsigned char sha256[32];
	uint64_t raw_len;	/* 0: stored as is; else a gzip of raw_len bytes, raw_sha256 */
	unsigned char raw_sha256[32];
};

/* A source a blob's programs are built from (the carried iptables: iptables, libnftnl,
 * libmnl; the engine's Debian source packages), or the stub is (musl, BearSSL, zlib: part
 * records before the first blob), for `list`, `verify`, the SBOM and the record of what is
 * carried. */
#define DD_STUB_PARTS ((unsigned)-1)
struct dd_part {
	unsigned blob;		/* index of the blob it belongs to, or DD_STUB_PARTS */
	char name[DD_FIELD_MAX], version[DD_FIELD_MAX], debver[DD_FIELD_MAX],
		license[DD_FIELD_MAX];
	unsigned char sha256[32];
};

/* An image an image blob holds (docker save of one or several), one record per tag. */
struct dd_ref {
	unsigned blob;		/* index of its blob */
	unsigned char config[32];	/* its image ID: the SHA-256 of its config */
	char tag[DD_TAG_MAX];	/* "repo:tag", or "-" for an untagged image */
};

struct dd_manifest {
	uint64_t stub_size;
	unsigned char stub_sha256[32];
	unsigned nblobs, nparts, nrefs;
	struct dd_blob blob[DD_BLOBS_MAX];
	struct dd_part part[DD_PARTS_MAX];
	struct dd_ref ref[DD_REFS_MAX];
};

void dd_trailer_encode(const struct dd_trailer *t, unsigned char out[DD_TRAILER_SIZE]);
/* 0 when the bytes are a sealed trailer of a known version, -1 otherwise. Layout checks
 * against the file are the caller's (dd_payload). */
int dd_trailer_decode(const unsigned char in[DD_TRAILER_SIZE], struct dd_trailer *t);

/* Parse n bytes of manifest text. 0, or -1 with a reason in err. Checks syntax and that
 * blobs are contiguous from the stub's end; not the file size (the caller's). */
int dd_manifest_parse(const char *text, size_t n, struct dd_manifest *m, char *err,
		      size_t errsz);
/* Lines NAME VERSION DEBVERSION LICENSE SHA256 (a part record's fields: the carried
 * iptables' COMPONENTS, bundle --engine-parts, the stub's own DD_COMPONENTS) appended to m
 * as parts of blob bi. text is cut up in place. NULL, or why not. */
const char *dd_parts_parse(char *text, struct dd_manifest *m, unsigned bi);
/* This program's own components (DD_COMPONENTS, compiled in: release/components.sh) as
 * stub parts of m. NULL, or why not. */
const char *dd_manifest_own_parts(struct dd_manifest *m);
/* Write m as manifest text into out; its length, or 0 if it does not fit. */
size_t dd_manifest_format(const struct dd_manifest *m, char *out, size_t outsz);
/* 1 if s is an acceptable kind/name/version/arch field: 1..63 bytes of [A-Za-z0-9._:@+/~-]
 * (~: Debian versions, 1.6.20~ds1-1). */
int dd_manifest_field_ok(const char *s);
/* 1 if s is an acceptable repo tag: 1..255 bytes of [A-Za-z0-9._:@/-] (or "-"). */
int dd_manifest_tag_ok(const char *s);


#endif
