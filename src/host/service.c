#include "host/service.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host/paths.h"
#include "host/root.h"
#include "util/atomic.h"
#include "util/clock.h"
#include "util/io.h"
#include "util/log.h"
#include "util/run.h"

static char *const run_env[] = { "PATH=" DD_DAEMON_PATH, "LC_ALL=C", NULL };

static void close_from(int lo, int keep)
{
	for (int fd = lo; fd < 1024; fd++)
		if (fd != keep)
			close(fd);
}

/* Run argv (argv[0] absolute) with a bounded time; its output, cut to the last bytes,
 * into out (may be NULL). Exit status, or -1 when it could not run or timed out. */
static int run_tool(const char *const *argv, int timeout_s, char *out, size_t cap)
{
	return dd_run(argv, (const char *const *)run_env, DD_RUN_STDOUT | DD_RUN_STDERR,
		      timeout_s, out, cap);
}

/* The first of the candidates that exists, or NULL. */
static const char *tool(const char *a, const char *b)
{
	if (access(a, X_OK) == 0)
		return a;
	return b && access(b, X_OK) == 0 ? b : NULL;
}

/* Run argv; on failure err gets "WHAT failed: <last line of its output>". */
static int run_or_say(const char *const *argv, int timeout_s, char *err, size_t errsz)
{
	char out[1024];
	int rc = run_tool(argv, timeout_s, out, sizeof out);

	if (rc == 0)
		return 0;
	return dd_say(err, errsz, DD_EXIT_FAIL, "%s %s failed (%s): %s", argv[0], argv[1],
		      rc < 0 ? "did not finish" : "non-zero exit", dd_run_last_line(out));
}

/* --- --init none: our own daemons --------------------------------------------------- */

static void pid_path(const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s.pid", DD_RUN_DIR, name);
}

/* The pid in /run/dockdrop/NAME.pid when that process is alive and runs a program from
 * /opt/dockdrop; else 0. A zombie counts as gone. */
static pid_t our_pid(const char *name)
{
	char p[256], buf[32], exe[DD_PATH_MAX], stat[512];
	long n, v;
	ssize_t k;
	char *end, *rp;

	pid_path(name, p, sizeof p);
	if ((n = dd_root_read_small(p, buf, sizeof buf)) <= 0)
		return 0;
	v = strtol(buf, &end, 10);
	if (v <= 1 || (*end && *end != '\n'))
		return 0;
	snprintf(p, sizeof p, "/proc/%ld/exe", v);
	if ((k = readlink(p, exe, sizeof exe - 1)) < 0)
		return 0;
	exe[k] = 0;
	if (strncmp(exe, DD_OPT_DIR "/", sizeof DD_OPT_DIR) != 0)
		return 0;
	snprintf(p, sizeof p, "/proc/%ld/stat", v);
	if (dd_read_small_file(p, stat, sizeof stat) > 0 && (rp = strrchr(stat, ')')) && rp[1] &&
	    rp[2] == 'Z')
		return 0;
	return (pid_t)v;
}

static int spawn(const char *name, const char *const *argv, char *err, size_t errsz)
{
	char log[256], pidf[256], txt[32];
	int p[2], st, got[2] = { 0, 0 }, logfd;
	ssize_t n;
	size_t have = 0;
	pid_t c;

	snprintf(log, sizeof log, "%s/%s.log", DD_LOG_DIR, name);
	pid_path(name, pidf, sizeof pidf);
	if (dd_root_mkdir_p(DD_LOG_DIR, 0755) != 0 || dd_root_mkdir_p(DD_RUN_DIR, 0755) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s, %s: %m", DD_LOG_DIR, DD_RUN_DIR);
	if ((logfd = dd_root_open(log, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0640)) < 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", log);
	if (pipe2(p, O_CLOEXEC) != 0 || (c = fork()) < 0) {
		close(logfd);
		return dd_say(err, errsz, DD_EXIT_FAIL, "start %s: %m", name);
	}
	if (c == 0) { /* a session of its own, then the daemon as a grandchild */
		pid_t g;
		int fd;

		close(p[0]);
		setsid();
		if ((g = fork()) != 0) {
			(void)!write(p[1], &g, sizeof g);
			_exit(g < 0);
		}
		if (dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0) {
			int e = errno;

			(void)!write(p[1], &e, sizeof e);
			_exit(127);
		}
		fd = open("/dev/null", O_RDONLY);
		dup2(fd, 0);
		close_from(3, p[1]);
		umask(022);
		if (chdir("/") == 0)
			execve(argv[0], (char *const *)argv, run_env);
		int e = errno;

		(void)!write(p[1], &e, sizeof e);
		_exit(127);
	}
	close(p[1]);
	close(logfd);
	while ((n = read(p[0], (char *)got + have, sizeof got - have)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (have += (size_t)n) == sizeof got)
			break;
	}
	close(p[0]);
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	if (have < sizeof got[0] || got[0] <= 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "start %s: fork failed", name);
	if (have == sizeof got)
		return dd_say(err, errsz, DD_EXIT_FAIL, "start %s: %s", argv[0], strerror(got[1]));
	n = snprintf(txt, sizeof txt, "%d\n", got[0]);
	if (dd_root_write_atomic(pidf, txt, (size_t)n, 0644) != 0)
		return dd_say(err, errsz, DD_EXIT_FAIL, "%s: %m", pidf);
	return 0;
}

/* Wait until test(arg) or the process dies or ms pass, looking every period ms. 1 when
 * test held. */
static int wait_for(int (*test)(const char *), const char *arg, const char *name, long ms,
		    long period)
{
	long end = dd_now_ms() + ms;

	while (dd_now_ms() < end) {
		if (test(arg))
			return 1;
		if (name && !our_pid(name))
			return 0;
		usleep((useconds_t)period * 1000);
	}
	return test(arg);
}

static int exists(const char *path)
{
	struct stat st;

	return dd_root_stat(path, &st) == 0;
}

static int gone(const char *name)
{
	return !our_pid(name);
}

static int stop_one(const char *name, char *err, size_t errsz)
{
	char pidf[256];
	pid_t pid = our_pid(name);

	pid_path(name, pidf, sizeof pidf);
	if (pid) {
		kill(pid, SIGTERM);
		if (!wait_for(gone, name, NULL, 30000, 50)) {
			kill(pid, SIGKILL);
			if (!wait_for(gone, name, NULL, 5000, 50))
				return dd_say(err, errsz, DD_EXIT_FAIL, "%s (pid %d) does not stop",
					      name, (int)pid);
		}
	}
	dd_root_unlink(pidf);
	return 0;
}

static int none_start(int restart, char *err, size_t errsz)
{
	static const char *const containerd[] = { DD_BIN_DIR "/containerd", NULL };
	static const char *const dockerd[] = { DD_BIN_DIR "/dockerd",
					       "--containerd=" DD_CONTAINERD_SOCK, NULL };
	int rc;

	if (restart && (rc = dd_svc_stop(DD_INIT_NONE, err, errsz)))
		return rc;
	if (!our_pid("containerd")) {
		if ((rc = spawn("containerd", containerd, err, errsz)))
			return rc;
		/* install waits on this: a look every 2 ms (containerd takes 20 to 50) */
		if (!wait_for(exists, DD_CONTAINERD_SOCK, "containerd", 30000, 2))
			return dd_say(err, errsz, DD_EXIT_FAIL,
				      "containerd did not come up (see %s/containerd.log)", DD_LOG_DIR);
	}
	if (!our_pid("dockerd"))
		return spawn("dockerd", dockerd, err, errsz);
	return 0;
}

/* --- the init systems ---------------------------------------------------------------- */

static const char *systemctl(void)
{
	return tool("/usr/bin/systemctl", "/bin/systemctl");
}

/* "rc-service NAME VERB" or "/etc/init.d/NAME VERB". */
static int script(enum dd_init init, const char *name, const char *verb, char *err, size_t errsz)
{
	char path[64];
	const char *t = init == DD_INIT_OPENRC ? tool("/sbin/rc-service", "/usr/sbin/rc-service") : NULL;

	if (t) {
		const char *const a[] = { t, name, verb, NULL };

		return run_or_say(a, 120, err, errsz);
	}
	snprintf(path, sizeof path, "/etc/init.d/%s", name);
	const char *const a[] = { path, verb, NULL };

	return run_or_say(a, 120, err, errsz);
}

/* Debian's sysv-rc boots through startpar, which runs only the scripts insserv put in
 * /etc/init.d/.depend.start, whatever the rcN.d links say (the sysv VM: the daemons did
 * not start at boot). Where that is the boot, insserv takes the scripts in before a start
 * (with no names: recomputes every script's links and .depend files, which after
 * uninstall or a rollback took ours away puts the others' back as they were). Nothing
 * elsewhere, and nothing under --root. */
static void sysv_insserv(int ours)
{
	const char *t = tool("/sbin/insserv", "/usr/sbin/insserv");
	const char *const in[] = { t, "containerd", "docker", NULL };
	const char *const all[] = { t, NULL };
	char msg[256];

	if (!t || access("/etc/init.d/.depend.start", F_OK) != 0)
		return;
	if (run_tool(ours ? in : all, 60, msg, sizeof msg) != 0)
		dd_warn("insserv: %s", msg);
}

int dd_svc_start(enum dd_init init, int restart, char *err, size_t errsz)
{
	int rc;

	switch (init) {
	case DD_INIT_SYSTEMD: {
		const char *sc = systemctl();
		const char *const reload[] = { sc, "daemon-reload", NULL };
		const char *const a[] = { sc, restart ? "restart" : "start", "containerd.service",
					  "docker.service", NULL };

		if (!sc)
			return dd_say(err, errsz, DD_EXIT_FAIL, "systemctl not found");
		if ((rc = run_or_say(reload, 60, err, errsz)))
			return rc;
		return run_or_say(a, 180, err, errsz);
	}
	case DD_INIT_OPENRC:
	case DD_INIT_SYSV:
		if (init == DD_INIT_SYSV)
			sysv_insserv(1);
		if ((rc = script(init, "containerd", restart ? "restart" : "start", err, errsz)))
			return rc;
		return script(init, "docker", restart ? "restart" : "start", err, errsz);
	default:
		return none_start(restart, err, errsz);
	}
}

int dd_svc_stop(enum dd_init init, char *err, size_t errsz)
{
	int rc;

	switch (init) {
	case DD_INIT_SYSTEMD: {
		const char *const a[] = { systemctl(), "stop", "docker.service", "containerd.service", NULL };

		return a[0] ? run_or_say(a, 180, err, errsz) : 0;
	}
	case DD_INIT_OPENRC:
	case DD_INIT_SYSV:
		if ((rc = script(init, "docker", "stop", err, errsz)))
			return rc;
		return script(init, "containerd", "stop", err, errsz);
	default:
		if ((rc = stop_one("dockerd", err, errsz)))
			return rc;
		return stop_one("containerd", err, errsz);
	}
}

void dd_svc_reload(enum dd_init init)
{
	const char *const a[] = { systemctl(), "daemon-reload", NULL };

	if (init == DD_INIT_SYSTEMD && a[0])
		run_tool(a, 60, NULL, 0);
	if (init == DD_INIT_SYSV)
		sysv_insserv(0);
}

const char *dd_svc_state(enum dd_init init)
{
	char out[256];
	int rc;

	switch (init) {
	case DD_INIT_SYSTEMD: {
		const char *const a[] = { systemctl(), "is-active", "docker.service", NULL };

		if (!a[0])
			return "unknown";
		rc = run_tool(a, 30, out, sizeof out);
		if (strncmp(out, "active", 6) == 0)
			return "active";
		return strncmp(out, "failed", 6) == 0 ? "failed" : rc < 0 ? "unknown" : "inactive";
	}
	case DD_INIT_OPENRC:
	case DD_INIT_SYSV: {
		const char *const a[] = { "/etc/init.d/docker", "status", NULL };

		rc = run_tool(a, 30, NULL, 0);
		return rc == 0 ? "active" : rc < 0 ? "unknown" : "inactive";
	}
	default:
		return our_pid("dockerd") ? "active" : "inactive";
	}
}

void dd_svc_log_tail(enum dd_init init, char *out, size_t cap)
{
	char buf[4096], path[256];
	int fd;
	off_t size;
	ssize_t n;

	out[0] = 0;
	if (init == DD_INIT_SYSTEMD) {
		const char *j = tool("/usr/bin/journalctl", "/bin/journalctl");
		const char *const a[] = { j, "-u", "docker.service", "-n", "12", "--no-pager", "-o", "cat", NULL };

		if (j)
			run_tool(a, 30, out, cap);
		return;
	}
	/* --init none writes dockerd.log; the OpenRC and sysv scripts docker.log (host/units.c). */
	snprintf(path, sizeof path, "%s/%s.log", DD_LOG_DIR, init == DD_INIT_NONE ? "dockerd" : "docker");
	if ((fd = dd_root_open(path, O_RDONLY | O_NOFOLLOW, 0)) < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	if (size > (off_t)sizeof buf - 1)
		lseek(fd, size - (off_t)(sizeof buf - 1), SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	n = dd_read_full(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	/* the last dozen lines */
	char *s = buf + n;
	for (int lines = 0; s > buf && lines < 13; s--)
		if (s[-1] == '\n')
			lines++;
	snprintf(out, cap, "%s", s);
}
