#include "util/run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/interrupt.h"

static void child(const char *const *argv, const char *const *envp, int streams, int w, pid_t parent)
{
	int nul = open("/dev/null", O_RDWR);

	setpgid(0, 0);	/* a group of its own: a timeout kills what it started too (a CLI plugin) */
	/* ...so a SIGKILL to dockdrop's group (the Azure agent's timeout) misses it: it ends
	 * with dockdrop instead. An init script left going on beside the next run's own
	 * removed the pid file that one had just written (the next start "did not start").
	 * SIGTERM: openrc-run passes it to the script it runs and puts its state back. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
	dup2(nul, 0);
	dup2(streams & DD_RUN_STDOUT ? w : nul, 1);
	dup2(streams & DD_RUN_STDERR ? w : nul, 2);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	execve(argv[0], (char *const *)argv, (char *const *)envp);
	_exit(127);
}

int dd_run(const char *const *argv, const char *const *envp, int streams, int timeout_s,
	   char *out, size_t cap)
{
	char buf[4096];
	size_t have = 0;
	long end = dd_now_ms() + timeout_s * 1000L;
	int p[2], st = 0, timed_out = 0;
	pid_t pid, self = getpid();

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0)
		child(argv, envp, streams, p[1], self);
	setpgid(pid, pid);
	close(p[1]);
	for (int sent = 0;;) {
		struct pollfd pf = { p[0], POLLIN, 0 };
		long left = end - dd_now_ms();
		ssize_t n;

		if (left <= 0) {
			timed_out = 1;
			kill(-pid, SIGKILL);
			break;
		}
		if (dd_interrupted() && !sent++) { /* the terminal's signal no longer reaches it */
			kill(-pid, dd_interrupted());
			if (end > dd_now_ms() + 5000) /* and what does not stop on it is killed */
				end = dd_now_ms() + 5000;
		}
		if (poll(&pf, 1, left < 200 ? (int)left : 200) < 0 && errno != EINTR) /* a signal may come just before */
			break;
		if (!pf.revents)
			continue;
		if (have == sizeof buf) { /* keep the tail: errors come last */
			memmove(buf, buf + sizeof buf / 2, sizeof buf / 2);
			have = sizeof buf / 2;
		}
		n = read(p[0], buf + have, sizeof buf - have);
		if (n <= 0 && !(n < 0 && errno == EINTR))
			break;
		if (n > 0)
			have += (size_t)n;
	}
	close(p[0]);
	/* Its streams may end before it does: the wait is bounded too. */
	for (pid_t r; (r = waitpid(pid, &st, timed_out ? 0 : WNOHANG)) <= 0;)
		if (r < 0 && errno != EINTR)
			break;
		else if (r == 0 && dd_now_ms() >= end)
			timed_out = 1, kill(-pid, SIGKILL);
		else if (r == 0)
			poll(NULL, 0, 20);
	if (out && cap) {
		size_t k = have < cap - 1 ? have : cap - 1;

		memcpy(out, buf + have - k, k);
		out[k] = 0;
	}
	if (timed_out || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

const char *dd_run_last_line(char *s)
{
	char *last;

	while ((last = strrchr(s, '\n')) && !last[1])
		*last = 0;
	last = strrchr(s, '\n');
	return last ? last + 1 : s;
}
