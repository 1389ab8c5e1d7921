#include <elf.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bundle/elfsize.h"

#define TABLE_MAX 256	/* more headers than any static stub has: refuse, don't loop */

static int read_at(int fd, void *buf, size_t n, uint64_t off, uint64_t filesize)
{
	ssize_t r;

	if (off > filesize || n > filesize - off)
		return DD_ELF_TRUNCATED;
	do
		r = pread(fd, buf, n, (off_t)off);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return DD_ELF_IO;
	return (size_t)r == n ? 0 : DD_ELF_TRUNCATED;
}

/* end = max(end, off + len), refusing overflow. */
static int extend(uint64_t *end, uint64_t off, uint64_t len)
{
	if (len > UINT64_MAX - off)
		return DD_ELF_NOTELF;
	if (off + len > *end)
		*end = off + len;
	return 0;
}

static int ehdr_ok(const Elf64_Ehdr *e)
{
	return memcmp(e->e_ident, ELFMAG, SELFMAG) == 0 && e->e_ident[EI_CLASS] == ELFCLASS64 &&
	       e->e_ident[EI_DATA] == ELFDATA2LSB && e->e_ehsize == sizeof *e &&
	       (e->e_phnum == 0 || e->e_phentsize == sizeof(Elf64_Phdr)) &&
	       (e->e_shnum == 0 || e->e_shentsize == sizeof(Elf64_Shdr)) &&
	       e->e_phnum <= TABLE_MAX && e->e_shnum <= TABLE_MAX;
}

static int walk_phdrs(int fd, const Elf64_Ehdr *e, uint64_t size, uint64_t *end)
{
	for (unsigned i = 0; i < e->e_phnum; i++) {
		Elf64_Phdr p;
		int rc = read_at(fd, &p, sizeof p, e->e_phoff + (uint64_t)i * sizeof p, size);

		if (rc || (rc = extend(end, p.p_offset, p.p_filesz)))
			return rc;
	}
	return 0;
}

static int walk_shdrs(int fd, const Elf64_Ehdr *e, uint64_t size, uint64_t *end)
{
	for (unsigned i = 0; i < e->e_shnum; i++) {
		Elf64_Shdr s;
		int rc = read_at(fd, &s, sizeof s, e->e_shoff + (uint64_t)i * sizeof s, size);

		if (rc)
			return rc;
		if (s.sh_type != SHT_NOBITS && (rc = extend(end, s.sh_offset, s.sh_size)))
			return rc;
	}
	return 0;
}

int dd_elf_size(int fd, uint64_t filesize, uint64_t *end)
{
	Elf64_Ehdr e;
	unsigned char magic[SELFMAG];
	int rc = read_at(fd, magic, sizeof magic, 0, filesize);

	/* Not even the magic: not a program; the magic but less than a header: cut short. */
	if (rc || memcmp(magic, ELFMAG, SELFMAG) != 0)
		return rc == DD_ELF_IO ? rc : DD_ELF_NOTELF;
	if ((rc = read_at(fd, &e, sizeof e, 0, filesize)))
		return rc;
	if (!ehdr_ok(&e))
		return DD_ELF_NOTELF;
	*end = sizeof e;
	if ((rc = extend(end, e.e_phoff, (uint64_t)e.e_phnum * sizeof(Elf64_Phdr))) ||
	    (rc = extend(end, e.e_shoff, (uint64_t)e.e_shnum * sizeof(Elf64_Shdr))) ||
	    (rc = walk_phdrs(fd, &e, filesize, end)) || (rc = walk_shdrs(fd, &e, filesize, end)))
		return rc;
	return *end > filesize ? DD_ELF_TRUNCATED : DD_ELF_OK;
}

const char *dd_elf_arch(const unsigned char *h, size_t n)
{
	unsigned m;

	if (n < 20 || memcmp(h, "\177ELF", 4) != 0)
		return NULL;
	m = (unsigned)h[18] | (unsigned)h[19] << 8;
	switch (m) {
	case 62: return "x86_64";
	case 183: return "aarch64";
	case 40: return "armhf";
	case 21: return "ppc64le";
	case 22: return "s390x";
	default: return NULL;
	}
}
