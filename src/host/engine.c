#include "host/engine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/layout.h"
#include "bundle/unpack.h"
#include "host/enginesum.h"
#include "host/paths.h"
#include "host/root.h"
#include "util/fault.h"
#include "util/io.h"
#include "util/log.h"
#include "util/sort.h"

void dd_engine_name(const struct dd_blob *b, const struct dd_blob *xt, char *out, size_t cap)
{
	char hex[65], xhex[65];

	dd_hex(b->sha256, 32, hex);
	if (!xt) {
		snprintf(out, cap, "%s-%.12s", b->version, hex);
		return;
	}
	dd_hex(xt->sha256, 32, xhex);
	snprintf(out, cap, "%s-%.12s+%s-%s-%.8s", b->version, hex, xt->name, xt->version, xhex);
}

static int engine_path(char *out, size_t cap, const char *name, const char *rel)
{
	if (snprintf(out, cap, "%s/%s%s%s", DD_ENGINE_DIR, name, rel ? "/" : "", rel ? rel : "") >=
	    (int)cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int dd_engine_complete(const char *name)
{
	char m[DD_PATH_MAX];
	struct stat st;

	for (unsigned i = 0; i < DD_ENGINE_NREQUIRED; i++)
		if (engine_path(m, sizeof m, name, dd_engine_required[i]) != 0 ||
		    dd_root_lstat(m, &st) != 0 || !S_ISREG(st.st_mode))
			return 0;
	return 1;
}

/* Blob b unpacked (staged and renamed inside the engine directory as resolved in the
 * root) into NAME (abs, for messages), and the new tree's digest in tree. */
static int unpack_into(const struct dd_payload *p, const struct dd_blob *b,
		       const struct dd_unpack_more *more, const char *name, const char *abs,
		       unsigned flags, char tree[65], char *err, size_t errsz)
{
	int rc, dfd;

	if ((dfd = dd_root_open(DD_ENGINE_DIR, O_RDONLY | O_DIRECTORY, 0)) < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", DD_ENGINE_DIR);
	rc = dd_unpack_at(p, b, dfd, name, abs, flags, more, NULL, err, errsz);
	close(dfd);
	if (rc == 0 && dd_engine_tree(name, tree, dd_unpack_sums()) != 0)
		rc = dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", abs);
	return rc;
}

/* NAME is there and complete: kept when the payload verifies and NAME is as recorded,
 * else unpacked again over it. */
static int check_or_repair(struct dd_txn *t, const struct dd_payload *p, const struct dd_blob *b,
			   const struct dd_unpack_more *more, const char *name,
			   const char *recorded, char tree[65], int *changed, char *err,
			   size_t errsz)
{
	char m[DD_PATH_MAX];
	unsigned char d[32];
	int ok, rc;

	if (dd_payload_hash_range(p, b->off, b->len, d) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "read: %m");
	if (memcmp(d, b->sha256, 32) != 0)
		return dd_say(err, errsz, DD_EXIT_VERIFY, "engine %s %s: SHA-256 mismatch; the payload is damaged",
			      b->name, b->version);
	if ((ok = dd_engine_intact(name, recorded)) == 1) {
		memcpy(tree, recorded, 65);
		return 0;
	}
	dd_warn("%s/%s: %s; unpacking it again from the verified payload", DD_ENGINE_DIR, name,
		ok == 0 ? "its files changed since install" : "no digest of its files on record");
	if (engine_path(m, sizeof m, name, NULL) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s/%s: %m", DD_ENGINE_DIR, name);
	rc = unpack_into(p, b, more, name, m, DD_UNPACK_SYNC | DD_UNPACK_ENGINE | DD_UNPACK_REPLACE,
			 tree, err, errsz);
	if (rc == 0) {
		*changed = 1;
		t->changes++;
	}
	return rc;
}

int dd_engine_unpack(struct dd_txn *t, const struct dd_payload *p, const struct dd_blob *b,
		     const struct dd_unpack_more *more, const char *name, const char *recorded,
		     char tree[65], int *changed, char *err, size_t errsz)
{
	char abs[DD_PATH_MAX];
	struct stat st;
	int rc;

	*changed = 0;
	tree[0] = 0;
	if (dd_engine_complete(name))
		return check_or_repair(t, p, b, more, name, recorded, tree, changed, err, errsz);
	snprintf(abs, sizeof abs, "%s/%s", DD_ENGINE_DIR, name);
	if (dd_txn_mkdir(t, DD_ENGINE_DIR, 0755) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", DD_ENGINE_DIR);
	/* Unpacking is staged and renamed, so an incomplete directory under our name comes
	 * from a hand edit or a disk error: it is not trusted, and (all of /opt/dockdrop/engine
	 * being dockdrop's) it is removed before the engine is unpacked again. */
	if (dd_root_lstat(abs, &st) == 0) {
		if (dd_root_rmtree(abs) != 0)
			return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", abs);
		dd_warn("%s was incomplete; removed, unpacking it again", abs);
	}
	if (dd_txn_snap(t, abs) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", abs);
	if ((rc = unpack_into(p, b, more, name, abs, DD_UNPACK_SYNC | DD_UNPACK_ENGINE, tree, err,
			      errsz)))
		return rc;
	*changed = 1;
	t->changes++;
	dd_fault_point();
	return 0;
}

void dd_engine_link_target(const char *bin, char *out, size_t cap)
{
	snprintf(out, cap, "%s/docker/%s", DD_ENGINE_CURRENT, bin);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

int dd_engine_bins(const char *name, char bins[][64], unsigned *n, char *err, size_t errsz)
{
	char m[DD_PATH_MAX];
	struct dirent *de;
	DIR *d;

	*n = 0;
	if (engine_path(m, sizeof m, name, "docker") != 0 || !(d = dd_root_opendir(m)))
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s/%s/docker: %m", DD_ENGINE_DIR, name);
	while ((de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode) || !(st.st_mode & 0111) || strlen(de->d_name) >= 64)
			continue;
		if (*n == DD_ENGINE_BINS) {
			closedir(d);
			return dd_say(err, errsz, DD_EXIT_FAIL, "engine %s: more than %d programs",
				      name, DD_ENGINE_BINS);
		}
		memcpy(bins[(*n)++], de->d_name, strlen(de->d_name) + 1);
	}
	closedir(d);
	dd_sort(bins, *n, sizeof bins[0], cmp_names);
	return 0;
}

int dd_engine_bin_ours(const char *bin)
{
	char abs[DD_PATH_MAX], cur[DD_PATH_MAX];
	struct stat st;

	if (snprintf(abs, sizeof abs, "%s/%s", DD_BIN_DIR, bin) >= (int)sizeof abs)
		return 0;
	if (dd_root_lstat(abs, &st) != 0)
		return errno == ENOENT;
	if (!S_ISLNK(st.st_mode) || dd_root_readlink(abs, cur, sizeof cur) != 0)
		return 0;
	return strncmp(cur, DD_OPT_DIR "/", sizeof DD_OPT_DIR) == 0;
}

int dd_engine_activate(struct dd_txn *t, const char *name, char bins[][64], unsigned *nbins,
		       int *changed, char *err, size_t errsz)
{
	char abs[DD_PATH_MAX], target[DD_PATH_MAX];
	int rc, ch;

	*changed = 0;
	if ((rc = dd_engine_bins(name, bins, nbins, err, errsz)))
		return rc;
	for (unsigned i = 0; i < *nbins; i++)
		if (!dd_engine_bin_ours(bins[i]))
			return dd_say(err, errsz, DD_EXIT_USAGE,
				      "%s/%s exists and is not dockdrop's: move it away, or use install "
				      "--force to keep it aside until uninstall", DD_BIN_DIR, bins[i]);
	if (dd_txn_symlink(t, DD_ENGINE_CURRENT, name, &ch) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", DD_ENGINE_CURRENT);
	*changed |= ch;
	for (unsigned i = 0; i < *nbins; i++) {
		snprintf(abs, sizeof abs, "%s/%s", DD_BIN_DIR, bins[i]);
		dd_engine_link_target(bins[i], target, sizeof target);
		if (dd_txn_symlink(t, abs, target, &ch) != 0)
			return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", abs);
		*changed |= ch;
	}
	return 0;
}

void dd_engine_prune(const char *keep, const char *keep2)
{
	char abs[DD_PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (!(d = dd_root_opendir(DD_ENGINE_DIR)))
		return;
	while ((de = readdir(d))) {
		const char *n = de->d_name;

		if (!strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, "current") ||
		    (keep && !strcmp(n, keep)) || (keep2 && !strcmp(n, keep2)) ||
		    snprintf(abs, sizeof abs, "%s/%s", DD_ENGINE_DIR, n) >= (int)sizeof abs)
			continue;
		dd_debug("removing %s: neither the current nor the previous engine", abs);
		if (dd_root_rmtree(abs) != 0 && errno != ENOENT)
			dd_warn("%s: %m", abs);
	}
	closedir(d);
}
