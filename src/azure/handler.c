#include "azure/handler.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/atomic.h"
#include "util/jsonout.h"
#include "util/io.h"
#include "util/jsontext.h"
#include "util/log.h"
#include "util/mkdirp.h"
#include "util/utc.h"

#define ENV_FILE "HandlerEnvironment.json"
#define LOG_NAME "dockdrop-handler.log"
#define LOG_MAX (1L << 20)

static char text[128 * 1024 + 1];	/* HandlerEnvironment.json, a status file */

/* Walk the array that text[0..n) holds (checked): 0, or -1 when it is not one. */
static int top_array(struct dd_json_iter *it, size_t n)
{
	const char *v = dd_json_skip_ws(text, n);

	return dd_json_array(it, v, n - (size_t)(v - text));
}

/* An absolute path member of the object v into out: 0 or -1. */
static int path_member(const char *v, size_t n, const char *key, char *out, size_t cap)
{
	return dd_json_member_str(v, n, key, out, cap) == 0 && out[0] == '/' ? 0 : -1;
}

/* dir/HandlerEnvironment.json: 1 read, 0 when there is none, -1 when it is not what the
 * agent writes (why set). The agent may be rewriting it: a text that does not parse is
 * read again, three times a second apart. */
static int load_env(struct dd_azh *h, const char *dir, const char **why)
{
	char path[PATH_MAX];
	struct dd_json_iter it;
	const char *k, *e, *he;
	size_t kn, en, hn;
	long n = -1;

	if (snprintf(path, sizeof path, "%s/" ENV_FILE, dir) >= (int)sizeof path)
		return 0;
	for (int i = 0; i < 3; i++) {
		if (i)
			sleep(1);
		if ((n = dd_read_small_file(path, text, sizeof text)) < 0)
			return errno == ENOENT ? 0 : (*why = strerror(errno), -1);
		if (dd_json_check(text, (size_t)n, 8, NULL) == 0)
			break;
		n = -1;
	}
	*why = "not a JSON array of one object with name and handlerEnvironment";
	if (n < 0 || top_array(&it, (size_t)n) ||
	    !dd_json_next(&it, &k, &kn, &e, &en) || dd_json_next(&it, &k, &kn, &he, &hn) ||
	    dd_json_member_str(e, en, "name", h->name, sizeof h->name) ||
	    !dd_json_member(e, en, "handlerEnvironment", &he, &hn))
		return -1;
	*why = "handlerEnvironment lacks an absolute logFolder, configFolder or statusFolder";
	if (path_member(he, hn, "logFolder", h->log_dir, sizeof h->log_dir) ||
	    path_member(he, hn, "configFolder", h->config_dir, sizeof h->config_dir) ||
	    path_member(he, hn, "statusFolder", h->status_dir, sizeof h->status_dir))
		return -1;
	snprintf(h->base, sizeof h->base, "%s", dir);
	return 1;
}

int dd_azh_env(struct dd_azh *h)
{
	const char *env = getenv("AZURE_GUEST_AGENT_EXTENSION_PATH"), *why = NULL;
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	int rc = 0;

	h->lock_fd = h->log_fd = -1;
	if (env && *env)
		rc = load_env(h, env, &why);
	for (int up = 0; !rc && n > 0 && up < 2; up++) {
		exe[n] = 0;
		if (!(slash = strrchr(exe, '/')) || slash == exe)
			break;
		*slash = 0;
		n = (ssize_t)(slash - exe);
		rc = load_env(h, exe, &why);
	}
	if (rc < 0)
		return dd_fail(DD_EXIT_USAGE, "azure-handler: %s/" ENV_FILE ": %s", h->base[0] ? h->base : env ? env : exe, why);
	if (!rc)
		return dd_fail(DD_EXIT_USAGE, "azure-handler: no " ENV_FILE " in $AZURE_GUEST_AGENT_EXTENSION_PATH, beside the program or above it: run by the Azure agent from the handler's folder");
	return 0;
}

/* "N.settings" -> N, or -1. */
static long settings_n(const char *name)
{
	char *end;
	long n;

	if (name[0] < '0' || name[0] > '9')
		return -1;
	errno = 0;
	n = strtol(name, &end, 10);
	return errno || strcmp(end, ".settings") ? -1 : n;
}

long dd_azh_seq(const struct dd_azh *h)
{
	const char *env = getenv("ConfigSequenceNumber");
	struct timespec best = { 0, 0 };
	long n = -1, k;
	struct dirent *d;
	struct stat st;
	DIR *dir;

	if (env && *env && strspn(env, "0123456789") == strlen(env) && strlen(env) < 10)
		return strtol(env, NULL, 10);
	if (!(dir = opendir(h->config_dir)))
		return -1;
	while ((d = readdir(dir)))
		if ((k = settings_n(d->d_name)) >= 0 && fstatat(dirfd(dir), d->d_name, &st, 0) == 0 &&
		    (st.st_mtim.tv_sec > best.tv_sec ||
		     (st.st_mtim.tv_sec == best.tv_sec && (st.st_mtim.tv_nsec > best.tv_nsec ||
							   (st.st_mtim.tv_nsec == best.tv_nsec && k > n))))) {
			best = st.st_mtim;
			n = k;
		}
	closedir(dir);
	return n;
}

int dd_azh_log_open(struct dd_azh *h)
{
	char path[PATH_MAX], old[PATH_MAX + 2];
	struct stat st;
	int fd;

	if (snprintf(path, sizeof path, "%s/" LOG_NAME, h->log_dir) >= (int)sizeof path ||
	    dd_mkdir_p(h->log_dir, 0700) != 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			if (fd >= 0)
				close(fd);
			return -1;
		}
		if (st.st_size < LOG_MAX)
			break;
		close(fd);
		fd = -1;
		snprintf(old, sizeof old, "%s.1", path);
		rename(path, old);
	}
	if (fd >= 0)
		fchmod(fd, 0600);
	return h->log_fd = fd;
}

/* The N written in the lock file by its holder, or -1. */
static long holder(int fd)
{
	char buf[24];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

int dd_azh_lock(struct dd_azh *h, int busy_same_n_returns, int wait_s)
{
	char path[PATH_MAX], buf[24];
	int fd, n;

	if (snprintf(path, sizeof path, "%s/.dockdrop.lock", h->base) >= (int)sizeof path ||
	    (fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600)) < 0)
		return -1;
	for (int i = 0; flock(fd, LOCK_EX | LOCK_NB) != 0; i++) {
		int busy = errno == EWOULDBLOCK, same = busy && busy_same_n_returns && holder(fd) == h->seq;

		if (same || !busy || i >= wait_s) {
			close(fd);
			return same ? 0 : -1;
		}
		sleep(1);
	}
	n = snprintf(buf, sizeof buf, "%ld\n", h->seq);
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		close(fd);
		return -1;
	}
	h->lock_fd = fd;
	return 1;
}

void dd_azh_now(char out[DD_AZH_TIME])
{
	struct dd_utc u;

	if (dd_utc((long long)time(NULL), &u) != 0)
		u = (struct dd_utc){ 1970, 1, 1, 0, 0, 0 };
	snprintf(out, DD_AZH_TIME, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)u.year % 10000,
		 (unsigned)u.mon % 100, (unsigned)u.day % 100, (unsigned)u.hour % 100,
		 (unsigned)u.min % 100, (unsigned)u.sec % 100);
}

int dd_azh_status(const struct dd_azh *h, const char *op, const char *status, int code,
		  const char *msg)
{
	/* The message is at most 1,000 bytes, 6 each when escaped: the rest is under 200. */
	char path[PATH_MAX], now[DD_AZH_TIME], buf[6 * 1000 + 512];
	struct dd_jw w;

	if (snprintf(path, sizeof path, "%s/%ld.status", h->status_dir, h->seq) >= (int)sizeof path)
		return -1;
	dd_azh_now(now);
	dd_jw_init_buf(&w, buf, sizeof buf);
	dd_jw_array(&w, NULL);
	dd_jw_object(&w, NULL);
	dd_jw_int(&w, "version", 1);
	dd_jw_str(&w, "timestampUTC", now);
	dd_jw_object(&w, "status");
	dd_jw_str(&w, "operation", op);
	dd_jw_str(&w, "status", status);
	dd_jw_int(&w, "code", code);
	dd_jw_object(&w, "formattedMessage");
	dd_jw_str(&w, "lang", "en");
	dd_jw_strn(&w, "message", msg, strnlen(msg, 1000));
	for (int i = 0; i < 4; i++)
		dd_jw_close(&w);
	if (dd_jw_end(&w) != 0 || dd_mkdir_p(h->status_dir, 0700) != 0)
		return -1;
	return dd_write_atomic(path, buf, w.len, 0600);
}

void dd_azh_status_of(const struct dd_azh *h, char *out, size_t cap)
{
	char path[PATH_MAX];
	struct dd_json_iter it;
	const char *k, *e;
	size_t kn, en;
	long n;

	size_t o;

	out[0] = 0;
	if (snprintf(path, sizeof path, "%s/%ld.status", h->status_dir, h->seq) >= (int)sizeof path ||
	    (n = dd_read_small_file(path, text, sizeof text)) < 0 ||
	    dd_json_check(text, (size_t)n, 16, NULL) ||
	    top_array(&it, (size_t)n) ||
	    !dd_json_next(&it, &k, &kn, &e, &en) || !dd_json_member(e, en, "status", &e, &en) ||
	    dd_json_member_str(e, en, "operation", out, cap) || (o = strlen(out)) + 2 >= cap ||
	    (out[o] = ' ', dd_json_member_str(e, en, "status", out + o + 1, cap - o - 1)))
		out[0] = 0;
}

long dd_azh_mrseq(const struct dd_azh *h)
{
	char path[PATH_MAX], buf[24];

	if (snprintf(path, sizeof path, "%s/mrseq", h->base) >= (int)sizeof path ||
	    dd_read_small_file(path, buf, sizeof buf) <= 0 || buf[0] < '0' || buf[0] > '9')
		return -1;
	return strtol(buf, NULL, 10);
}

int dd_azh_set_mrseq(const struct dd_azh *h, long n)
{
	char path[PATH_MAX], buf[24];
	int len = snprintf(buf, sizeof buf, "%ld", n);

	if (snprintf(path, sizeof path, "%s/mrseq", h->base) >= (int)sizeof path)
		return -1;
	return dd_write_atomic(path, buf, (size_t)len, 0600);
}
