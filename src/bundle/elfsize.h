/* Where the ELF program ends inside a file: the payload starts there. Computed from the
 * ELF headers (the furthest of the header tables, segments and sections), so a stub knows
 * its own size without any value patched in after linking. */
#ifndef DD_ELFSIZE_H
#define DD_ELFSIZE_H

#include <stddef.h>
#include <stdint.h>

enum { DD_ELF_OK = 0, DD_ELF_NOTELF = -1, DD_ELF_TRUNCATED = -2, DD_ELF_IO = -3 };

/* For a 64-bit little-endian ELF file of filesize bytes open on fd. */
int dd_elf_size(int fd, uint64_t filesize, uint64_t *end);
/* The architecture of the ELF file whose first n bytes are h, by its e_machine, as the
 * manifest names it ("x86_64", "aarch64", ...): NULL when not ELF or not one of those. */
const char *dd_elf_arch(const unsigned char *h, size_t n);

#endif
