/* bundle/elfsize: where an ELF program ends. Real programs (this test, /bin/true) end at
 * their file size, and keep that end whatever is appended; cut copies are never OK; patched
 * headers (class, byte order, table sizes, offsets) are refused; small hand-made files
 * check the arithmetic exactly. */
#include "t.h"

#include <elf.h>
#include <stdint.h>
#include <sys/stat.h>

#include "bundle/elfsize.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char tmp[256];

/* The opened file's size, as dd_payload takes it (under qemu-user, opening /proc/self/exe
 * opens the emulated program, but stat of it is qemu's own). */
static off_t size_of(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t n = fd >= 0 && fstat(fd, &st) == 0 ? st.st_size : -1;

	if (fd >= 0)
		close(fd);
	return n;
}

/* dd_elf_size on a path, with its real size (or the given one when size >= 0). */
static int elf_end(const char *path, int64_t size, uint64_t *end)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return 99;
	if (size < 0)
		size = size_of(path);
	rc = dd_elf_size(fd, (uint64_t)size, end);
	close(fd);
	return rc;
}

/* Copy the first len bytes of src (all: len < 0) to dst. */
static int copy_file(const char *src, const char *dst, off_t len)
{
	char buf[65536];
	int in = open(src, O_RDONLY | O_CLOEXEC);
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	off_t done = 0;
	ssize_t r = 0;

	if (in < 0 || out < 0)
		goto fail;
	while (len < 0 || done < len) {
		size_t want = len < 0 || len - done > (off_t)sizeof buf ? sizeof buf : (size_t)(len - done);

		r = read(in, buf, want);
		if (r <= 0 || write(out, buf, (size_t)r) != r)
			break;
		done += r;
	}
	if (r < 0 || (len >= 0 && done != len))
		goto fail;
	close(in);
	close(out);
	return 0;
fail:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return -1;
}

static int append(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	int ok = fd >= 0 && write(fd, p, n) == (ssize_t)n;

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

static int patch(const char *path, off_t off, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ok = fd >= 0 && pwrite(fd, p, n, off) == (ssize_t)n;

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

static int read_ehdr(const char *path, Elf64_Ehdr *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ok = fd >= 0 && pread(fd, e, sizeof *e, 0) == (ssize_t)sizeof *e;

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

static const char *const programs[] = { "/proc/self/exe", "/bin/true", "/bin/sh" };

TEST(programs_end_at_their_size)
{
	for (unsigned i = 0; i < N(programs); i++) {
		uint64_t end = 0;
		off_t size = size_of(programs[i]);
		int rc = elf_end(programs[i], -1, &end);

		CHECKF(rc == DD_ELF_OK, "%s: rc %d", programs[i], rc);
		CHECKF(size > 0 && end == (uint64_t)size, "%s: end %llu, size %lld", programs[i],
		       (unsigned long long)end, (long long)size);
	}
}

TEST(appended_bytes_do_not_count)
{
	static const size_t extra[] = { 1, 7, 64, 128, 4096, 100000 };
	char path[300];
	static unsigned char junk[100000];
	off_t size = size_of("/bin/true");

	T_TMPDIR(tmp);
	memset(junk, 0xa5, sizeof junk);
	memcpy(junk, "\177ELF", 4); /* even an ELF magic in the payload changes nothing */
	snprintf(path, sizeof path, "%s/true+", tmp);
	for (unsigned i = 0; i < N(extra); i++) {
		uint64_t end = 0;
		int rc;

		CHECK(copy_file("/bin/true", path, -1) == 0);
		CHECK(append(path, junk, extra[i]) == 0);
		rc = elf_end(path, -1, &end);
		CHECKF(rc == DD_ELF_OK && end == (uint64_t)size, "+%zu: rc %d end %llu", extra[i], rc,
		       (unsigned long long)end);
	}
	t_rmtree(tmp);
}

TEST(truncated_copies)
{
	off_t size = size_of("/bin/true");
	const struct {
		off_t len;
		int want;
	} cases[] = {
		{ 0, DD_ELF_NOTELF }, { 1, DD_ELF_NOTELF }, { 3, DD_ELF_NOTELF },
		{ 4, DD_ELF_TRUNCATED }, { 63, DD_ELF_TRUNCATED }, { 64, DD_ELF_TRUNCATED },
		{ 100, DD_ELF_TRUNCATED }, { size / 2, DD_ELF_TRUNCATED },
		{ size - 64, DD_ELF_TRUNCATED }, { size - 1, DD_ELF_TRUNCATED },
	};
	char path[300];

	T_TMPDIR(tmp);
	snprintf(path, sizeof path, "%s/cut", tmp);
	for (unsigned i = 0; i < N(cases); i++) {
		uint64_t end = 0;
		int rc;

		CHECK(copy_file("/bin/true", path, cases[i].len) == 0);
		CHECK(size_of(path) == cases[i].len);
		rc = elf_end(path, -1, &end);
		CHECKF(rc == cases[i].want, "cut at %lld of %lld: rc %d", (long long)cases[i].len,
		       (long long)size, rc);
	}
	t_rmtree(tmp);
}

/* Every length short of the whole file, told through filesize (the fd has all bytes),
 * and a filesize beyond the real end (the file shrank): never OK. */
TEST(every_short_length_fails)
{
	int fd = open("/bin/true", O_RDONLY | O_CLOEXEC);
	off_t size = size_of("/bin/true");
	unsigned ok = 0, wrong = 0;

	CHECK(fd >= 0 && size > 0);
	for (off_t len = 0; fd >= 0 && len < size; len++) {
		uint64_t end = 0;
		int rc = dd_elf_size(fd, (uint64_t)len, &end);

		ok += rc == DD_ELF_OK;
		wrong += rc != (len < 4 ? DD_ELF_NOTELF : DD_ELF_TRUNCATED);
	}
	CHECKF(ok == 0 && wrong == 0, "%u lengths OK, %u with another code", ok, wrong);
	if (fd >= 0) {
		uint64_t end = 0;

		/* Claiming more than there is: the size is what it is told, end stays. */
		CHECK(dd_elf_size(fd, (uint64_t)size + 1000, &end) == DD_ELF_OK);
		CHECK(end == (uint64_t)size);
		close(fd);
	}
}

TEST(not_elf)
{
	static const struct {
		const char *name;
		const char *content;
		size_t n;
	} cases[] = {
		{ "text", "#!/bin/sh\necho hello, this is not a program\n", 0 },
		{ "magic lowercase", "\177elf" "\2\1\1", 7 },
		{ "zeros", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 32 },
		{ "almost magic", "\177EL", 3 },
		{ "gzip", "\037\213\010\0\0\0\0\0\0\3", 10 },
	};
	char path[300];

	T_TMPDIR(tmp);
	snprintf(path, sizeof path, "%s/f", tmp);
	for (unsigned i = 0; i < N(cases); i++) {
		size_t n = cases[i].n ? cases[i].n : strlen(cases[i].content);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		uint64_t end = 0;
		int rc;

		CHECK(fd >= 0 && write(fd, cases[i].content, n) == (ssize_t)n);
		if (fd >= 0)
			close(fd);
		rc = elf_end(path, -1, &end);
		CHECKF(rc == DD_ELF_NOTELF, "%s: rc %d", cases[i].name, rc);
	}
	t_rmtree(tmp);
}

/* /bin/true with one header field changed. */
static Elf64_Ehdr orig;
static void p_class32(Elf64_Ehdr *e) { e->e_ident[EI_CLASS] = ELFCLASS32; }
static void p_classnone(Elf64_Ehdr *e) { e->e_ident[EI_CLASS] = ELFCLASSNONE; }
static void p_bigendian(Elf64_Ehdr *e) { e->e_ident[EI_DATA] = ELFDATA2MSB; }
static void p_datanone(Elf64_Ehdr *e) { e->e_ident[EI_DATA] = ELFDATANONE; }
static void p_shnum_ffff(Elf64_Ehdr *e) { e->e_shnum = 0xffff; }
static void p_phnum_ffff(Elf64_Ehdr *e) { e->e_phnum = 0xffff; }
static void p_shnum_257(Elf64_Ehdr *e) { e->e_shnum = 257; }
static void p_ehsize(Elf64_Ehdr *e) { e->e_ehsize = 52; }
static void p_phentsize(Elf64_Ehdr *e) { e->e_phentsize = 32; }
static void p_shentsize(Elf64_Ehdr *e) { e->e_shentsize = 40; }
static void p_shoff_huge(Elf64_Ehdr *e) { e->e_shoff = UINT64_MAX - 100; }
static void p_phoff_huge(Elf64_Ehdr *e) { e->e_phoff = UINT64_MAX - 8; }
static void p_shoff_past(Elf64_Ehdr *e) { e->e_shoff = 1ull << 40; }
static void p_shoff_end(Elf64_Ehdr *e) { e->e_shoff += 64; }
static void p_phoff_past(Elf64_Ehdr *e) { e->e_phoff = 1ull << 40; }
/* Harmless changes: still the same end. */
static void p_shnum_less(Elf64_Ehdr *e) { e->e_shnum -= 1; }
static void p_machine(Elf64_Ehdr *e) { e->e_machine = EM_AARCH64; }

TEST(patched_headers)
{
	static const struct {
		const char *name;
		void (*edit)(Elf64_Ehdr *);
		int want;
	} cases[] = {
		{ "EI_CLASS 32-bit", p_class32, DD_ELF_NOTELF },
		{ "EI_CLASS none", p_classnone, DD_ELF_NOTELF },
		{ "EI_DATA big-endian", p_bigendian, DD_ELF_NOTELF },
		{ "EI_DATA none", p_datanone, DD_ELF_NOTELF },
		{ "e_shnum 0xffff", p_shnum_ffff, DD_ELF_NOTELF },
		{ "e_phnum 0xffff", p_phnum_ffff, DD_ELF_NOTELF },
		{ "e_shnum 257", p_shnum_257, DD_ELF_NOTELF },
		{ "e_ehsize 52", p_ehsize, DD_ELF_NOTELF },
		{ "e_phentsize 32", p_phentsize, DD_ELF_NOTELF },
		{ "e_shentsize 40", p_shentsize, DD_ELF_NOTELF },
		{ "e_shoff near 2^64", p_shoff_huge, DD_ELF_NOTELF },
		{ "e_phoff near 2^64", p_phoff_huge, DD_ELF_NOTELF },
		{ "e_shoff past the file", p_shoff_past, DD_ELF_TRUNCATED },
		{ "e_shoff 64 later", p_shoff_end, DD_ELF_TRUNCATED },
		{ "e_phoff past the file", p_phoff_past, DD_ELF_TRUNCATED },
		{ "one section fewer", p_shnum_less, DD_ELF_OK },
		{ "another machine", p_machine, DD_ELF_OK },
	};
	char path[300];
	off_t size = size_of("/bin/true");

	T_TMPDIR(tmp);
	snprintf(path, sizeof path, "%s/patched", tmp);
	CHECK(read_ehdr("/bin/true", &orig) == 0);
	for (unsigned i = 0; i < N(cases); i++) {
		Elf64_Ehdr e = orig;
		uint64_t end = 0;
		int rc;

		cases[i].edit(&e);
		CHECK(copy_file("/bin/true", path, -1) == 0);
		CHECK(patch(path, 0, &e, sizeof e) == 0);
		rc = elf_end(path, -1, &end);
		CHECKF(rc == cases[i].want, "%s: rc %d, want %d", cases[i].name, rc, cases[i].want);
		if (rc == DD_ELF_OK && cases[i].want == DD_ELF_OK)
			CHECKF(end <= (uint64_t)size, "%s: end %llu", cases[i].name,
			       (unsigned long long)end);
	}
	t_rmtree(tmp);
}

/* --- small hand-made files: the arithmetic, exactly ------------------------------------ */

static struct {
	unsigned char b[16384];
	size_t len;
} f;

static Elf64_Ehdr *mk_ehdr(size_t len)
{
	Elf64_Ehdr *e = (Elf64_Ehdr *)f.b;

	memset(f.b, 0, sizeof f.b);
	f.len = len;
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_shentsize = sizeof(Elf64_Shdr);
	return e;
}

static void mk_phdrs(uint64_t at, unsigned n, const uint64_t (*off_len)[2])
{
	Elf64_Ehdr *e = (Elf64_Ehdr *)f.b;

	e->e_phoff = at;
	e->e_phnum = (Elf64_Half)n;
	for (unsigned i = 0; i < n; i++) {
		Elf64_Phdr p = { .p_type = PT_LOAD, .p_offset = off_len[i][0],
				 .p_filesz = off_len[i][1], .p_memsz = off_len[i][1] };

		memcpy(f.b + at + i * sizeof p, &p, sizeof p);
	}
}

static void mk_shdrs(uint64_t at, unsigned n, const uint64_t (*type_off_len)[3])
{
	Elf64_Ehdr *e = (Elf64_Ehdr *)f.b;

	e->e_shoff = at;
	e->e_shnum = (Elf64_Half)n;
	for (unsigned i = 0; i < n; i++) {
		Elf64_Shdr s = { .sh_type = (Elf64_Word)type_off_len[i][0],
				 .sh_offset = type_off_len[i][1], .sh_size = type_off_len[i][2] };

		memcpy(f.b + at + i * sizeof s, &s, sizeof s);
	}
}

static void b_header_only(void) { mk_ehdr(64); }
static void b_header_plus_junk(void) { mk_ehdr(1000); }
static void b_one_segment(void)
{
	static const uint64_t ph[][2] = { { 0, 300 } };

	mk_ehdr(500);
	mk_phdrs(64, 1, ph);
}
static void b_segments_unsorted(void)
{
	static const uint64_t ph[][2] = { { 1000, 500 }, { 0, 200 }, { 200, 100 } };

	mk_ehdr(2000);
	mk_phdrs(64, 3, ph);
}
static void b_segment_past_end(void)
{
	static const uint64_t ph[][2] = { { 0, 5000 } };

	mk_ehdr(4096);
	mk_phdrs(64, 1, ph);
}
static void b_segment_overflow(void)
{
	static const uint64_t ph[][2] = { { 100, UINT64_MAX - 50 } };

	mk_ehdr(4096);
	mk_phdrs(64, 1, ph);
}
static void b_sections_at_end(void)
{
	static const uint64_t sh[][3] = { { SHT_NULL, 0, 0 }, { SHT_PROGBITS, 64, 100 },
					  { SHT_STRTAB, 164, 36 } };

	mk_ehdr(200 + 3 * 64 + 10);
	mk_shdrs(200, 3, sh);
}
static void b_nobits_ignored(void)
{
	static const uint64_t sh[][3] = { { SHT_NOBITS, 64, 1ull << 40 }, { SHT_PROGBITS, 64, 16 } };

	mk_ehdr(300);
	mk_shdrs(128, 2, sh);
}
static void b_section_past_end(void)
{
	static const uint64_t sh[][3] = { { SHT_PROGBITS, 1000, 4000 } };

	mk_ehdr(4096);
	mk_shdrs(64, 1, sh);
}
static void b_section_overflow(void)
{
	static const uint64_t sh[][3] = { { SHT_PROGBITS, UINT64_MAX, 1 } };

	mk_ehdr(4096);
	mk_shdrs(64, 1, sh);
}
static void b_phdr_table_cut(void)
{
	static const uint64_t ph[][2] = { { 0, 64 }, { 0, 64 } };

	mk_ehdr(64 + 56 + 20);
	mk_phdrs(64, 2, ph);
}
static void b_max_tables(void)
{
	mk_ehdr(64 + 256 * 56);
	((Elf64_Ehdr *)f.b)->e_phnum = 256;	/* all-zero entries: 256 is allowed */
	((Elf64_Ehdr *)f.b)->e_phoff = 64;
}

TEST(hand_made)
{
	static const struct {
		const char *name;
		void (*build)(void);
		int want;
		uint64_t end;
	} cases[] = {
		{ "header only", b_header_only, DD_ELF_OK, 64 },
		{ "header and junk", b_header_plus_junk, DD_ELF_OK, 64 },
		{ "one segment", b_one_segment, DD_ELF_OK, 300 },
		{ "segments unsorted", b_segments_unsorted, DD_ELF_OK, 1500 },
		{ "segment past the end", b_segment_past_end, DD_ELF_TRUNCATED, 0 },
		{ "segment offset+size overflows", b_segment_overflow, DD_ELF_NOTELF, 0 },
		{ "section table last", b_sections_at_end, DD_ELF_OK, 200 + 3 * 64 },
		{ "NOBITS section ignored", b_nobits_ignored, DD_ELF_OK, 128 + 2 * 64 },
		{ "section past the end", b_section_past_end, DD_ELF_TRUNCATED, 0 },
		{ "section offset+size overflows", b_section_overflow, DD_ELF_NOTELF, 0 },
		{ "program header table cut", b_phdr_table_cut, DD_ELF_TRUNCATED, 0 },
		{ "256 program headers", b_max_tables, DD_ELF_OK, 64 + 256 * 56 },
	};
	char path[300];

	T_TMPDIR(tmp);
	snprintf(path, sizeof path, "%s/h", tmp);
	for (unsigned i = 0; i < N(cases); i++) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		uint64_t end = 0;
		int rc;

		cases[i].build();
		CHECK(fd >= 0 && write(fd, f.b, f.len) == (ssize_t)f.len);
		if (fd >= 0)
			close(fd);
		rc = elf_end(path, -1, &end);
		CHECKF(rc == cases[i].want, "%s: rc %d, want %d", cases[i].name, rc, cases[i].want);
		if (cases[i].want == DD_ELF_OK)
			CHECKF(end == cases[i].end, "%s: end %llu, want %llu", cases[i].name,
			       (unsigned long long)end, (unsigned long long)cases[i].end);
	}
	t_rmtree(tmp);
}

TEST(io_error)
{
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	uint64_t end = 0;

	CHECK(fd >= 0);
	CHECK(dd_elf_size(fd, 4096, &end) == DD_ELF_IO);
	if (fd >= 0)
		close(fd);
	CHECK(dd_elf_size(-1, 4096, &end) == DD_ELF_IO);
}

int main(void)
{
	RUN(programs_end_at_their_size);
	RUN(appended_bytes_do_not_count);
	RUN(truncated_copies);
	RUN(every_short_length_fails);
	RUN(not_elf);
	RUN(patched_headers);
	RUN(hand_made);
	RUN(io_error);
	T_EXIT();
}
