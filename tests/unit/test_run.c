/* util/run: a child with an explicit environment and no shell between (arguments reach it
 * as they are), its exit status, the tail of the stream asked for, and a bounded time: a
 * child that runs too long is killed, even one that closed its streams first. */
#include "t.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "util/clock.h"
#include "util/interrupt.h"
#include "util/run.h"

static const char *const env[] = { "PATH=/bin:/usr/bin", "DD_X=1", NULL };

TEST(status_streams_env)
{
	static const struct {
		const char *script;
		int streams, want;
		const char *out;
	} rows[] = {
		{ "exit 0", DD_RUN_STDERR, 0, "" },
		{ "exit 3", DD_RUN_STDERR, 3, "" },
		{ "echo out; echo err >&2", DD_RUN_STDERR, 0, "err\n" },
		{ "echo out; echo err >&2", DD_RUN_STDOUT, 0, "out\n" },
		{ "echo \"$DD_X${HOME:-nohome}\"", DD_RUN_STDOUT, 0, "1nohome\n" },	/* envp only */
		{ "printf %s \"$0\"", DD_RUN_STDOUT, 0, "$(id) `id` ;x" },		/* no shell on argv */
		{ "kill -9 $$", DD_RUN_STDOUT, -1, "" },
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *argv[] = { "/bin/sh", "-c", rows[i].script, "$(id) `id` ;x", NULL };
		char out[256];
		int rc = dd_run(argv, env, rows[i].streams, 10, out, sizeof out);

		CHECKF(rc == rows[i].want && !strcmp(out, rows[i].out), "row %zu: %d '%s'", i, rc, out);
	}
}

TEST(tail_kept)
{
	const char *argv[] = { "/bin/sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo line $i; i=$((i+1)); done; echo last >&2", NULL };
	char out[64];

	CHECK(dd_run(argv, env, DD_RUN_STDOUT | DD_RUN_STDERR, 10, out, sizeof out) == 0);
	CHECK(!strcmp(dd_run_last_line(out), "last"));
}

TEST(bounded_time)
{
	static const char *const scripts[] = {
		"sleep 30",
		"exec >&- 2>&-; sleep 30",	/* its streams closed: no end of output to wait for */
	};

	for (size_t i = 0; i < sizeof scripts / sizeof scripts[0]; i++) {
		const char *argv[] = { "/bin/sh", "-c", scripts[i], NULL };
		long long t0 = dd_now_ms();
		int rc = dd_run(argv, env, DD_RUN_STDERR, 1, NULL, 0);

		CHECKF(rc == -1 && dd_now_ms() - t0 < 5000, "%s: %d after %lld ms", scripts[i], rc,
		       dd_now_ms() - t0);
	}
}

/* What the child started goes with it: a timeout kills its group (a CLI plugin under the
 * docker CLI ran on); a signal dockdrop caught is passed on (the terminal's no longer
 * reaches a child in a group of its own). */
static int gone(pid_t p)
{
	for (int i = 0; i < 100 && kill(p, 0) == 0; i++)
		usleep(20000);
	return kill(p, 0) != 0;
}

TEST(group_killed)
{
	char dir[256], file[300], script[600], buf[32] = "";
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	long long t0;
	pid_t bg;
	int fd, rc;

	t_tmpdir(dir, sizeof dir);
	snprintf(file, sizeof file, "%s/bg", dir);
	snprintf(script, sizeof script, "sleep 30 & echo $! >%s; wait", file);
	CHECK(dd_run(argv, env, DD_RUN_STDERR, 1, NULL, 0) == -1);
	fd = open(file, O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof buf - 1) > 0);
	if (fd >= 0)
		close(fd);
	bg = (pid_t)atoi(buf);
	CHECKF(bg > 0 && gone(bg), "the child's own child %d still runs after the timeout", (int)bg);
	if (bg > 0)
		kill(bg, SIGKILL);
	dd_interrupt_init();
	/* Short sleeps: a SIGINT passed on between the shell's fork and sleep's exec can be
	 * lost to that one sleep (seen under load); the trap then runs at the next. */
	snprintf(script, sizeof script,
		 "trap 'exit 9' INT; kill -INT %d; i=0; while [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done",
		 (int)getpid());
	t0 = dd_now_ms();
	rc = dd_run(argv, env, DD_RUN_STDERR, 10, NULL, 0);
	CHECKF(rc == 9 && dd_now_ms() - t0 < 5000, "interrupted: %d after %lld ms", rc, dd_now_ms() - t0);
	/* A child that ignores the signal passed on is killed 5 s later, not at its timeout. */
	snprintf(script, sizeof script, "trap '' INT; kill -INT %d; sleep 20", (int)getpid());
	t0 = dd_now_ms();
	rc = dd_run(argv, env, DD_RUN_STDERR, 30, NULL, 0);
	CHECKF(rc == -1 && dd_now_ms() - t0 < 10000, "ignored: %d after %lld ms", rc, dd_now_ms() - t0);
	signal(SIGINT, SIG_DFL);
	t_rmtree(dir);
}

/* The child ends with its caller (SIGTERM): a dockdrop SIGKILLed (the Azure agent's
 * timeout kills its process group, not the child's) leaves no init script going on beside
 * the next run's. The orphan comes to this test (a subreaper), which sees it end. */
TEST(dies_with_caller)
{
	char dir[256], file[300], script[1000], buf[32] = "";
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	int fd = -1, st = 0, got = 0;
	pid_t caller, sh = 0;

	t_tmpdir(dir, sizeof dir);
	snprintf(file, sizeof file, "%s/pid", dir);
	snprintf(script, sizeof script, "echo $$ >%s.new && mv %s.new %s && exec sleep 30", file, file, file);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
		printf("skip - dies_with_caller: %sprctl(PR_SET_CHILD_SUBREAPER): %s\n",
		       T_EMU ? T_EMU_WHY : "", strerror(errno));
		t_rmtree(dir);
		return;
	}
	if ((caller = fork()) == 0)
		_exit(dd_run(argv, env, DD_RUN_STDERR, 60, NULL, 0) == 0 ? 0 : 1);
	for (int i = 0; i < 250 && (fd = open(file, O_RDONLY)) < 0; i++)
		usleep(20000);
	CHECK(fd >= 0 && read(fd, buf, sizeof buf - 1) > 0 && (sh = (pid_t)atoi(buf)) > 0);
	if (fd >= 0)
		close(fd);
	kill(caller, SIGKILL);
	waitpid(caller, NULL, 0);
	for (int i = 0; sh > 0 && i < 250 && !(got = waitpid(sh, &st, WNOHANG) == sh); i++)
		usleep(20000);
	CHECKF(got && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "the child %d of a caller killed: %s",
	       (int)sh, got ? "not killed" : "still runs");
	if (sh > 0 && !got)
		kill(sh, SIGKILL), waitpid(sh, NULL, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	t_rmtree(dir);
}

int main(void)
{
	RUN(status_streams_env);
	RUN(tail_kept);
	RUN(bounded_time);
	RUN(dies_with_caller);	/* before group_killed: its SIGINT stays caught */
	RUN(group_killed);
	return t_any_failed;
}
