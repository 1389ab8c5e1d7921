/* azure/handler: the agent's side of a handler. Which N (ConfigSequenceNumber, else the
 * newest N.settings with ties to the highest N), status files the agent takes (a JSON
 * array, a message with any bytes escaped) and read back, mrseq, and the lock. */
#include "t.h"

#include <sys/stat.h>
#include <time.h>

#include "azure/handler.h"
#include "util/io.h"
#include "util/jsontext.h"

static char dir[256];

static void at(const char *name, long sec, long nsec)
{
	char p[512];
	struct timespec ts[2] = { { sec, nsec }, { sec, nsec } };
	int fd;

	snprintf(p, sizeof p, "%s/config/%s", dir, name);
	if ((fd = open(p, O_WRONLY | O_CREAT, 0600)) >= 0)
		close(fd);
	utimensat(AT_FDCWD, p, ts, 0);
}

static void setup(struct dd_azh *h)
{
	memset(h, 0, sizeof *h);
	snprintf(h->base, sizeof h->base, "%s", dir);
	snprintf(h->config_dir, sizeof h->config_dir, "%s/config", dir);
	snprintf(h->status_dir, sizeof h->status_dir, "%s/status", dir);
	snprintf(h->log_dir, sizeof h->log_dir, "%s/log", dir);
	h->lock_fd = h->log_fd = -1;
}

TEST(seq_table)
{
	static const struct {
		const char *env;	/* ConfigSequenceNumber, NULL: unset */
		const char *files[4];	/* name:seconds:nanoseconds */
		long want;
	} rows[] = {
		{ "7", { "1.settings:100:0" }, 7 },
		{ NULL, { 0 }, -1 },
		{ NULL, { "0.settings:100:0" }, 0 },
		{ NULL, { "1.settings:200:0", "7.settings:100:0" }, 1 },	/* newest, not highest */
		{ NULL, { "3.settings:100:5", "9.settings:100:5" }, 9 },	/* a tie: the highest */
		{ NULL, { "3.settings:100:6", "9.settings:100:5" }, 3 },	/* nanoseconds count */
		{ NULL, { "4.settings:100:0", "x.settings:300:0", "5.settings.tmp:300:0", "HandlerState:300:0" }, 4 },
		{ "", { "2.settings:100:0" }, 2 },				/* empty: as unset */
		{ "x1", { "2.settings:100:0" }, 2 },				/* not a number */
	};
	struct dd_azh h;
	char p[512];

	for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		T_TMPDIR(dir);
		snprintf(p, sizeof p, "%s/config", dir);
		mkdir(p, 0700);
		for (unsigned j = 0; j < 4 && rows[i].files[j]; j++) {
			char name[64];
			long s = 0, ns = 0;

			sscanf(rows[i].files[j], "%63[^:]:%ld:%ld", name, &s, &ns);
			at(name, s, ns);
		}
		if (rows[i].env)
			setenv("ConfigSequenceNumber", rows[i].env, 1);
		else
			unsetenv("ConfigSequenceNumber");
		setup(&h);
		CHECKF(dd_azh_seq(&h) == rows[i].want, "row %u: %ld, want %ld", i, dd_azh_seq(&h), rows[i].want);
		t_rmtree(dir);
	}
	unsetenv("ConfigSequenceNumber");
}

TEST(status_roundtrip)
{
	static const char *const msgs[] = { "Enable succeeded: Docker 27.3.1 running",
					    "a \"quoted\" path\\with\nnewline and \x01 control",
					    "caf\xc3\xa9, and a broken \xff byte", "" };
	struct dd_azh h;
	char path[PATH_MAX + 16], out[64], text[4096];
	long n;

	T_TMPDIR(dir);
	setup(&h);
	h.seq = 3;
	for (unsigned i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
		CHECK(dd_azh_status(&h, "Enable", i ? "error" : "success", (int)i, msgs[i]) == 0);
		snprintf(path, sizeof path, "%s/3.status", h.status_dir);
		n = dd_read_small_file(path, text, sizeof text);
		CHECKF(n > 0 && dd_json_check(text, (size_t)n, 8, NULL) == 0, "row %u: %s", i, text);
		CHECKF(n > 0 && text[0] == '[', "row %u: not an array", i);
		dd_azh_status_of(&h, out, sizeof out);
		CHECKF(!strcmp(out, i ? "Enable error" : "Enable success"), "row %u: %s", i, out);
	}
	CHECK(dd_azh_status(&h, "Enable", "transitioning", 0, "Enable in progress") == 0);
	dd_azh_status_of(&h, out, sizeof out);
	CHECK(!strcmp(out, "Enable transitioning"));
	h.seq = 4;
	dd_azh_status_of(&h, out, sizeof out);
	CHECK(out[0] == 0);	/* no 4.status */
	t_rmtree(dir);
}

TEST(mrseq_and_lock)
{
	struct dd_azh h, other;

	T_TMPDIR(dir);
	setup(&h);
	CHECK(dd_azh_mrseq(&h) == -1);
	CHECK(dd_azh_set_mrseq(&h, 12) == 0);
	CHECK(dd_azh_mrseq(&h) == 12);
	h.seq = 5;
	CHECK(dd_azh_lock(&h, 1, 0) == 1);
	setup(&other);
	other.seq = 5;
	CHECK(dd_azh_lock(&other, 1, 0) == 0);	/* an enable of 5 runs: nothing to do */
	other.seq = 6;
	CHECK(dd_azh_lock(&other, 1, 1) == -1);	/* another N waits, here 1 s, in vain */
	close(h.lock_fd);
	CHECK(dd_azh_lock(&other, 1, 0) == 1);	/* the holder gone: taken */
	close(other.lock_fd);
	t_rmtree(dir);
}

int main(void)
{
	RUN(seq_table);
	RUN(status_roundtrip);
	RUN(mrseq_and_lock);
	return t_any_failed;
}
