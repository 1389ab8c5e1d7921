/* Engine tarballs pinned in release/engines.lock, compiled in (build/gen/engines.h). */
#ifndef DD_PINS_H
#define DD_PINS_H

struct dd_pin {
	const char *file, *version, *arch, *sha256;
};

/* The pin with this digest (hex), or with this file name (basename), or NULL. */
const struct dd_pin *dd_pin_by_digest(const char *hex);
const struct dd_pin *dd_pin_by_file(const char *base);

#endif
