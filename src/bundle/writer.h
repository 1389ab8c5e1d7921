/* `dockdrop bundle`: stub + blobs + manifest + signature + trailer, written atomically. */
#ifndef DD_WRITER_H
#define DD_WRITER_H

#include <stddef.h>

struct dd_bundle_spec {
	const char *self;		/* the stub source: NULL for this program */
	const char *engine;		/* engine tarball (gzip tar, official layout) */
	const char *sha256;		/* expected digest (hex), or NULL: must be pinned */
	const char *engine_version;	/* overrides the pin / file name, or NULL */
	const char *engine_parts;	/* the engine's sources: part records' fields a line
					 * (release/mkengine.sh writes them), or NULL */
	const char *const *images;	/* image archives (docker save) */
	unsigned nimages;
	const char *iptables;		/* the carried iptables tarball (bundle/xtables.h), or
					 * NULL: keep the one self carries */
	int no_iptables;		/* carry none */
	const char *const *plugins;	/* Docker CLI plugins (bundle/plugin.h) */
	unsigned nplugins;
	const char *sign_key;		/* PEM P-256 private key, or NULL */
	const char *out;
};

/* 0, or an exit code with one line in err: DD_EXIT_USAGE for bad arguments or inputs that
 * are not what they claim, DD_EXIT_VERIFY when a digest differs from the expected one,
 * DD_EXIT_FAIL for I/O. Nothing is left at out unless it succeeded. */
int dd_bundle_write(const struct dd_bundle_spec *s, char *err, size_t errsz);

#endif
