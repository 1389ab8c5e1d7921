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
#include "util/fault.h"
#include "util/log.h"
#include "util/rootpath.h"

void dd_engine_name(const struct dd_blob *b, char *out, size_t cap)
{
	char hex[65];

	dd_hex(b->sha256, 32, hex);
	snprintf(out, cap, "%s-%.12s", b->version, hex);
}

static int engine_path(char *out, size_t cap, const char *name, const char *rel)
{
	char abs[DD_PATH_MAX];

	if (snprintf(abs, sizeof abs, "%s/%s%s%s", DD_ENGINE_DIR, name, rel ? "/" : "",
		     rel ? rel : "") >= (int)sizeof abs) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return dd_root_path(out, cap, abs);
}

int dd_engine_complete(const char *name)
{
	char m[DD_PATH_MAX];
	struct stat st;

	for (unsigned i = 0; i < DD_ENGINE_NREQUIRED; i++)
		if (engine_path(m, sizeof m, name, dd_engine_required[i]) != 0 || lstat(m, &st) != 0 ||
		    !S_ISREG(st.st_mode))
			return 0;
	return 1;
}

/* NAME is there and complete: kept when the payload verifies and NAME is as recorded,
 * else unpacked again over it. */
static int check_or_repair(struct dd_txn *t, const struct dd_payload *p, const struct dd_blob *b,
			   const char *name, const char *recorded, char tree[65], int *changed,
			   char *err, size_t errsz)
{
	char m[DD_PATH_MAX];
	unsigned char d[32];
	int ok, rc;

	if (dd_payload_hash_range(p, b->off, b->len, d) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "read: %s", strerror(errno));
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
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s/%s: %s", DD_ENGINE_DIR, name, strerror(errno));
	rc = dd_unpack(p, b, m, DD_UNPACK_SYNC | DD_UNPACK_ENGINE | DD_UNPACK_REPLACE, NULL, err, errsz);
	if (rc == 0 && dd_engine_tree(name, tree) != 0)
		rc = dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", m, strerror(errno));
	if (rc == 0) {
		*changed = 1;
		t->changes++;
	}
	return rc;
}

int dd_engine_unpack(struct dd_txn *t, const struct dd_payload *p, const struct dd_blob *b,
		     const char *name, const char *recorded, char tree[65], int *changed,
		     char *err, size_t errsz)
{
	char abs[DD_PATH_MAX], m[DD_PATH_MAX];
	struct stat st;
	int rc;

	*changed = 0;
	tree[0] = 0;
	if (dd_engine_complete(name))
		return check_or_repair(t, p, b, name, recorded, tree, changed, err, errsz);
	snprintf(abs, sizeof abs, "%s/%s", DD_ENGINE_DIR, name);
	if (dd_txn_mkdir(t, DD_ENGINE_DIR, 0755) != 0 || dd_root_path(m, sizeof m, abs) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", DD_ENGINE_DIR, strerror(errno));
	/* Unpacking is staged and renamed, so an incomplete directory under our name comes
	 * from a hand edit or a disk error: neither trusted nor deleted, it is moved aside. */
	if (lstat(m, &st) == 0) {
		char aside[DD_PATH_MAX];

		if (snprintf(aside, sizeof aside, "%s.incomplete-%ld", m, (long)getpid()) >=
			    (int)sizeof aside ||
		    rename(m, aside) != 0)
			return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", m, strerror(errno));
		dd_warn("%s was incomplete; moved aside to %s", m, aside);
	}
	if (dd_txn_snap(t, abs) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", abs, strerror(errno));
	rc = dd_unpack(p, b, m, DD_UNPACK_SYNC | DD_UNPACK_ENGINE, NULL, err, errsz);
	if (rc == 0 && dd_engine_tree(name, tree) != 0)
		rc = dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", m, strerror(errno));
	if (rc == 0) {
		*changed = 1;
		t->changes++;
		dd_fault_point();
	}
	return rc;
}

void dd_engine_link_target(const char *bin, char *out, size_t cap)
{
	snprintf(out, cap, "%s/docker/%s", DD_ENGINE_CURRENT, bin);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* The regular files of NAME/docker, sorted. */
static int list_bins(const char *name, char bins[][64], unsigned *n, char *err, size_t errsz)
{
	char m[DD_PATH_MAX];
	struct dirent *de;
	DIR *d;

	*n = 0;
	if (engine_path(m, sizeof m, name, "docker") != 0 || !(d = opendir(m)))
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s/%s/docker: %s", DD_ENGINE_DIR, name,
			      strerror(errno));
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
	qsort(bins, *n, sizeof bins[0], cmp_names);
	return 0;
}

/* A /usr/local/bin entry dockdrop may replace: absent, or a link into our tree. */
static int ours_or_absent(const char *abs)
{
	char m[DD_PATH_MAX], cur[DD_PATH_MAX];
	struct stat st;
	ssize_t n;

	if (dd_root_path(m, sizeof m, abs) != 0)
		return 0;
	if (lstat(m, &st) != 0)
		return errno == ENOENT;
	if (!S_ISLNK(st.st_mode) || (n = readlink(m, cur, sizeof cur - 1)) < 0)
		return 0;
	cur[n] = 0;
	return strncmp(cur, DD_OPT_DIR "/", sizeof DD_OPT_DIR) == 0;
}

int dd_engine_activate(struct dd_txn *t, const char *name, int force,
		       char bins[][64], unsigned *nbins, int *changed, char *err, size_t errsz)
{
	char abs[DD_PATH_MAX], target[DD_PATH_MAX];
	int rc, ch;

	*changed = 0;
	if ((rc = list_bins(name, bins, nbins, err, errsz)))
		return rc;
	for (unsigned i = 0; i < *nbins && !force; i++) {
		snprintf(abs, sizeof abs, "%s/%s", DD_BIN_DIR, bins[i]);
		if (!ours_or_absent(abs))
			return dd_say(err, errsz, DD_EXIT_FAIL,
				      "%s exists and is not dockdrop's: remove it, or use --force to replace it",
				      abs);
	}
	if (dd_txn_symlink(t, DD_ENGINE_CURRENT, name, &ch) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", DD_ENGINE_CURRENT, strerror(errno));
	*changed |= ch;
	for (unsigned i = 0; i < *nbins; i++) {
		snprintf(abs, sizeof abs, "%s/%s", DD_BIN_DIR, bins[i]);
		dd_engine_link_target(bins[i], target, sizeof target);
		if (dd_txn_symlink(t, abs, target, &ch) != 0)
			return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %s", abs, strerror(errno));
		*changed |= ch;
	}
	return 0;
}
