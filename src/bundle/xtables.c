#include "bundle/xtables.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/extract.h"
#include "archive/gunzip.h"
#include "archive/tar.h"
#include "bundle/blobsrc.h"
#include "bundle/elfsize.h"
#include "util/io.h"
#include "util/log.h"

const char *const dd_xt_names[DD_XT_NNAMES] = { "iptables", "iptables-save", "iptables-restore",
						"ip6tables", "ip6tables-save", "ip6tables-restore" };

/* The tarball's members, each exactly once. */
enum { M_DIR, M_NFT, M_LEGACY, M_COMP, M_N };
static const char *const members[M_N] = { DD_XT_DIR, DD_XT_DIR "/" DD_XT_NFT,
					  DD_XT_DIR "/" DD_XT_LEGACY, DD_XT_DIR "/COMPONENTS" };

#define COMP_MAX 2048

static struct {
	struct dd_blobsrc src;
	struct dd_gunzip gz;
	struct tar_reader tar;
	struct tar_entry e;
	char name[TAR_NAME_MAX];
	unsigned char head[4096];
	char comp[COMP_MAX + 1];
} x;

const struct dd_blob *dd_xt_blob(const struct dd_manifest *m, const char *arch)
{
	for (unsigned i = 0; i < m->nblobs; i++) {
		const struct dd_blob *b = &m->blob[i];

		if (!strcmp(b->kind, DD_XT_KIND) && !strcmp(b->name, DD_XT_NAME) &&
		    (!arch || !strcmp(b->arch, arch)))
			return b;
	}
	return NULL;
}

int dd_xt_has_nft(const struct dd_manifest *m, unsigned bi)
{
	for (unsigned i = 0; i < m->nparts; i++)
		if (m->part[i].blob == bi && !strcmp(m->part[i].name, "libnftnl"))
			return 1;
	return 0;
}

const char *dd_xt_backend(const char *prog)
{
	if (prog && !strcmp(prog, DD_XT_NFT))
		return "nft";
	if (prog && !strcmp(prog, DD_XT_LEGACY))
		return "legacy";
	return NULL;
}

/* Read up to n bytes of the current entry into buf: the count, or -1. */
static ssize_t read_entry(void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = tar_read(&x.tar, (unsigned char *)buf + got, n - got);

		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* A static ELF program (no interpreter: it runs on any host of its architecture): NULL and
 * its architecture in arch, or why not. h holds the file's first n bytes. */
static const char *static_elf(const unsigned char *h, size_t n, char *arch, size_t archsz)
{
	const char *a = dd_elf_arch(h, n);
	Elf64_Ehdr e;
	Elf64_Phdr ph;

	if (!a || n < sizeof e || h[EI_CLASS] != ELFCLASS64 || h[EI_DATA] != ELFDATA2LSB)
		return "not a 64-bit little-endian ELF program of a known architecture";
	memcpy(&e, h, sizeof e);
	if (e.e_phentsize != sizeof ph || e.e_phnum == 0 || e.e_phoff > n ||
	    (uint64_t)e.e_phnum * sizeof ph > n - e.e_phoff)
		return "its program headers are not at its start";
	for (unsigned i = 0; i < e.e_phnum; i++) {
		memcpy(&ph, h + e.e_phoff + (uint64_t)i * sizeof ph, sizeof ph);
		if (ph.p_type == PT_INTERP)
			return "not a static program (it names a dynamic loader)";
	}
	snprintf(arch, archsz, "%s", a);
	return NULL;
}

/* COMPONENTS: part records' fields, iptables's first; appended to m as parts of blob bi.
 * NULL or why not. */
static const char *components(char *text, struct dd_manifest *m, unsigned bi)
{
	unsigned first = m->nparts;
	const char *why = *text ? dd_parts_parse(text, m, bi) : "is empty";

	if (!why && strcmp(m->part[first].name, DD_XT_NAME))
		why = "does not start with iptables";
	if (why)
		snprintf(x.comp, sizeof x.comp, "COMPONENTS: %s", why);
	return why ? x.comp : NULL;
}

/* One member: checked, and its contents taken where they matter. NULL or why not. */
static const char *member(int i, char *arch, size_t archsz)
{
	char a[16];
	ssize_t n;
	const char *why;

	if (i == M_DIR)
		return x.e.type == TAR_DIR ? NULL : "iptables is not a directory";
	if (x.e.type != TAR_FILE)
		return "a member is not a regular file";
	if (i == M_COMP) {
		if (x.e.size > COMP_MAX || (n = read_entry(x.comp, COMP_MAX)) < 0)
			return "COMPONENTS is too big or unreadable";
		x.comp[n] = 0;
		return strlen(x.comp) == (size_t)n ? NULL : "COMPONENTS has a NUL byte";
	}
	if (!(x.e.mode & 0100))
		return "a program is not executable";
	if ((n = read_entry(x.head, sizeof x.head)) < 0)
		return "a program cannot be read";
	if ((why = static_elf(x.head, (size_t)n, a, sizeof a)))
		return why;
	if (arch[0] && strcmp(arch, a))
		return "its two programs are of different architectures";
	snprintf(arch, archsz, "%s", a);
	return NULL;
}

/* The walk over the archive: NULL, or why it is not the carried iptables; *nft tells
 * whether xtables-nft-multi is in it (it is optional: it needs libnftnl). */
static const char *walk(char *arch, size_t archsz, int *nft)
{
	unsigned seen = 0;
	const char *why;
	int rc, i;

	while ((rc = tar_next(&x.tar, &x.e)) == 1) {
		if ((why = dd_extract_normalise(x.e.path, x.name)))
			return why;
		for (i = 0; i < M_N && strcmp(x.name, members[i]); i++)
			;
		if (i == M_N)
			return "it holds a file other than iptables/{xtables-nft-multi,xtables-legacy-multi,COMPONENTS}";
		if (seen & 1u << i)
			return "a member appears twice";
		seen |= 1u << i;
		if ((why = member(i, arch, archsz)))
			return why;
	}
	if (rc < 0)
		return x.gz.err[0] ? x.gz.err : tar_strerror(rc);
	if ((seen | 1u << M_NFT) != (1u << M_N) - 1)
		return "iptables/xtables-legacy-multi and iptables/COMPONENTS are not both in it";
	*nft = !!(seen & 1u << M_NFT);
	return NULL;
}

int dd_xt_scan(const char *path, struct dd_manifest *m, unsigned bi, char *err, size_t errsz)
{
	struct dd_blob *b = &m->blob[bi];
	char arch[DD_FIELD_MAX] = "";
	const char *why;
	unsigned first = m->nparts;
	struct stat st;
	int fd, e, nft = 0;

	memset(b, 0, sizeof *b);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0 || fstat(fd, &st) ||
	    !S_ISREG(st.st_mode) || st.st_size == 0) {
		e = fd < 0 || errno ? errno : EINVAL;
		if (fd >= 0)
			close(fd);
		return dd_say(err, errsz, DD_EXIT_USAGE, "--iptables %s: %s", path,
			      e ? strerror(e) : "not a non-empty regular file");
	}
	dd_blobsrc_init(&x.src, fd, 0, (uint64_t)st.st_size);
	if (dd_gunzip_init(&x.gz, dd_blobsrc_next, &x.src) != 0) {
		close(fd);
		return dd_say(err, errsz, DD_EXIT_FAIL, "inflateInit failed");
	}
	tar_reader_init(&x.tar, dd_gunzip_read, &x.gz);
	why = walk(arch, sizeof arch, &nft);
	dd_gunzip_end(&x.gz);
	b->len = (uint64_t)st.st_size;
	e = dd_blobsrc_finish(&x.src, b->sha256) ? errno : 0;
	close(fd);
	if (e)
		return dd_say(err, errsz, DD_EXIT_FAIL, "--iptables %s: read: %s", path, strerror(e));
	if (!why)
		why = components(x.comp, m, bi);
	if (!why && nft != dd_xt_has_nft(m, bi))
		why = nft ? "it has xtables-nft-multi but COMPONENTS names no libnftnl"
			  : "COMPONENTS names libnftnl but there is no xtables-nft-multi";
	if (why)
		return dd_say(err, errsz, DD_EXIT_USAGE, "--iptables %s: %s: not dockdrop's iptables tarball (make builds it: build/carry)",
			      path, why);
	strcpy(b->kind, DD_XT_KIND);
	strcpy(b->name, DD_XT_NAME);
	strcpy(b->version, m->part[first].version);
	strcpy(b->arch, arch);
	return 0;
}

int dd_xt_finish(int top, const char *prog, char *why, size_t whysz)
{
	struct stat st;
	int dfd;

	if (!dd_xt_backend(prog))
		return snprintf(why, whysz, "no iptables backend named %s", prog ? prog : "(none)"), -1;
	for (int i = M_NFT; i <= M_COMP; i++) {
		if (i == M_NFT && strcmp(prog, DD_XT_NFT))
			continue;
		if (fstatat(top, members[i], &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
			return snprintf(why, whysz, "no regular file %s in it", members[i]), -1;
	}
	if ((dfd = openat(top, DD_XT_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return snprintf(why, whysz, "%s: %m", DD_XT_DIR), -1;
	for (int i = 0; i < DD_XT_NNAMES; i++)
		if (symlinkat(prog, dfd, dd_xt_names[i]) != 0) {
			snprintf(why, whysz, "%s/%s: %m", DD_XT_DIR, dd_xt_names[i]);
			close(dfd);
			return -1;
		}
	close(dfd);
	return 0;
}
