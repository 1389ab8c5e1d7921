/* dockdrop azure-handler install|enable|disable|update|uninstall: dockdrop as an Azure VM
 * extension handler, the retired Docker extension's replacement (AZURE.md 13). The agent
 * runs these from the handler's folder with HandlerEnvironment.json there and the
 * settings in config/N.settings (azure/handler.h, azure/settings.h).
 *
 *   install    a preflight (install --dry-run): 51 on an architecture dockdrop has no
 *              engine for, 52 when the machine lacks what the engine needs
 *   enable     install with config/N.settings; status/N.status ends success or error.
 *              The agent runs it again at every boot with the same N: that converges
 *              (restarts nothing that is right) and leaves the status as it was
 *   disable    leaves Docker running: the agent runs it before every upgrade and
 *              uninstall, and stopping Docker there would cost an outage per upgrade
 *   update     marks an upgrade in progress, so that the old version's uninstall that
 *              follows removes nothing
 *   uninstall  dockdrop uninstall (the engine's data, the certificates and the CA stay)
 *
 * The steps go to the handler's log (logFolder/dockdrop-handler.log); the agent gets a
 * line or two on stdout and stderr, the reason for a failure first. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "azure/handler.h"
#include "azure/settings.h"
#include "cmd/cmd.h"
#include "host/initsys.h"
#include "host/paths.h"
#include "host/uninstall.h"
#include "util/atomic.h"
#include "util/log.h"
#include "util/mkdirp.h"

#define UPGRADE_MARK DD_STATE_DIR "/azure-upgrade"
#define UPGRADE_FRESH 3600	/* s: an upgrade runs its commands one after the other */
#define LOCK_WAIT 240		/* s: the agent gives enable 300 */
#define EXIT_UNSUPPORTED 51	/* the Azure extensions' convention */
#define EXIT_MISSING 52

static struct dd_azh h;
static struct dd_install c;
static struct dd_az az;
static int saved_out = -1, saved_err = -1;

/* stdout and stderr into the handler's log while a step runs, and back. */
static void to_log(int on)
{
	fflush(stdout);
	fflush(stderr);
	if (on && h.log_fd >= 0) {
		saved_out = dup(1);
		saved_err = dup(2);
		dup2(h.log_fd, 1);
		dup2(h.log_fd, 2);
	} else if (!on && saved_out >= 0) {
		dup2(saved_out, 1);
		dup2(saved_err, 2);
		close(saved_out);
		close(saved_err);
		saved_out = saved_err = -1;
	}
}

static void log_line(const char *op, const char *what)
{
	char line[1200], now[DD_AZH_TIME];
	int n;

	if (h.log_fd < 0)
		return;
	dd_azh_now(now);
	n = snprintf(line, sizeof line, "%s %s %ld: %s\n", now, op, h.seq, what);
	if (n > 0 && write(h.log_fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1) < 0)
		return;
}

/* install with config/N.settings (no settings: NULL), its output in the log. msg: the
 * status message. */
static int install(const char *settings, int dry_run, char *msg, size_t cap)
{
	int rc;

	memset(&c, 0, sizeof c);
	c.o = (struct dd_install_opts){ .init = "auto", .key_type = "ecdsa-p256", .port = 2376,
					.dry_run = dry_run };
	to_log(1);
	rc = settings ? dd_az_load(&az, settings, NULL, NULL) : 0;
	if (!rc && settings)
		rc = dd_az_apply(&az, &c);
	if (!rc)
		rc = dd_install_run(&c);
	dd_az_wipe(&az);
	explicit_bzero(c.compose.env, sizeof c.compose.env);
	to_log(0);
	if (rc)
		snprintf(msg, cap, "%s", dd_log_last_error()[0] ? dd_log_last_error() : "install failed");
	else if (c.client)
		snprintf(msg, cap, "Docker %s running, mutual TLS on tcp/%u verified by handshake",
			 c.version, c.o.port);
	else /* the settings' certificates come without a client pair to try the port with */
		snprintf(msg, cap, "Docker %s running, mutual TLS on tcp/%u with the settings' certificates (not tried: no client certificate)",
			 c.version, c.o.port);
	return rc;
}

static int op_enable(void)
{
	char settings[PATH_MAX], before[64], msg[1024], line[1100];
	long done = dd_azh_mrseq(&h);
	int lk, replay, rc;

	if (h.seq < 0)
		return dd_fail(DD_EXIT_USAGE, "azure-handler enable: no ConfigSequenceNumber and no N.settings in %s",
			       h.config_dir);
	if ((lk = dd_azh_lock(&h, 1, LOCK_WAIT)) == 0) {
		printf("enable %ld is running already: nothing to do\n", h.seq);
		return 0;
	}
	if (lk < 0) {
		rc = dd_fail(DD_EXIT_FAIL, "azure-handler enable: %s/.dockdrop.lock: another handler command holds it for %d s",
			     h.base, LOCK_WAIT);
		dd_azh_status(&h, "Enable", "error", rc, "Enable failed: another handler command holds the lock");
		return rc;
	}
	unlink(UPGRADE_MARK);
	dd_azh_status_of(&h, before, sizeof before);
	/* the agent's replay at boot: converge, and leave the status as it is */
	replay = done >= h.seq && (!strcmp(before, "Enable success") || !strcmp(before, "Enable error"));
	log_line("enable", replay ? "again (boot or goal state): converging" : "new settings");
	if (!replay)
		dd_azh_status(&h, "Enable", "transitioning", 0, "Enable in progress: installing Docker");
	if (snprintf(settings, sizeof settings, "%s/%ld.settings", h.config_dir, h.seq) >= (int)sizeof settings)
		rc = dd_fail(DD_EXIT_USAGE, "azure-handler: %s: path too long", h.config_dir);
	else
		rc = install(settings, 0, msg, sizeof msg);
	snprintf(line, sizeof line, "Enable %s: %s", rc ? "failed" : "succeeded", msg);
	log_line("enable", line);
	if ((!replay || strcmp(before, rc ? "Enable error" : "Enable success")) &&
	    dd_azh_status(&h, "Enable", rc ? "error" : "success", rc, line) != 0)
		dd_warn("azure-handler: %s/%ld.status: %m", h.status_dir, h.seq);
	if (dd_azh_set_mrseq(&h, h.seq) != 0)
		dd_warn("azure-handler: %s/mrseq: %m", h.base);
	if (rc)
		return dd_fail(rc, "azure-handler enable %ld: %s", h.seq, msg);
	printf("%s\n", line);
	return 0;
}

/* An upgrade in progress: the marker of the new version's update, fresh; or another
 * version of this handler beside this one. */
static int upgrading(void)
{
	char lib[PATH_MAX], *slash, path[PATH_MAX * 2];
	const char *self;
	struct stat st;
	struct dirent *d;
	size_t n = strlen(h.name);
	int found = 0;
	DIR *dir;

	if (stat(UPGRADE_MARK, &st) == 0 && time(NULL) - st.st_mtime < UPGRADE_FRESH)
		return 1;
	snprintf(lib, sizeof lib, "%s", h.base);
	if (!(slash = strrchr(lib, '/')) || !(dir = opendir(slash == lib ? "/" : (*slash = 0, lib))))
		return 0;
	self = h.base + strlen(lib) + 1;
	while (!found && (d = readdir(dir)))
		found = !strncmp(d->d_name, h.name, n) && d->d_name[n] == '-' && strcmp(d->d_name, self) &&
			snprintf(path, sizeof path, "%s/%s/HandlerManifest.json", lib, d->d_name) <
				(int)sizeof path && stat(path, &st) == 0;
	closedir(dir);
	return found;
}

static int op_uninstall(void)
{
	static struct dd_uninstall u;
	int rc;

	if (dd_azh_lock(&h, 0, LOCK_WAIT) < 0)
		return dd_fail(DD_EXIT_FAIL, "azure-handler uninstall: %s/.dockdrop.lock: another handler command holds it",
			       h.base);
	if (upgrading()) {
		log_line("uninstall", "an upgrade: nothing removed, Docker left running");
		printf("uninstall during an upgrade: nothing removed\n");
		return 0;
	}
	to_log(1);
	rc = dd_uninstall_run(&u);
	to_log(0);
	log_line("uninstall", rc ? dd_log_last_error() : "done (data, certificates and CA kept)");
	if (rc)
		return dd_fail(rc, "azure-handler uninstall: %s", dd_log_last_error());
	printf("uninstalled (data, certificates and CA kept)\n");
	return 0;
}

static int op_update(void)
{
	const char *from = getenv("AZURE_GUEST_AGENT_UPDATING_FROM_VERSION"), *to = getenv("VERSION");
	char text[256];
	int n = snprintf(text, sizeof text, "from %.64s to %.64s at %lld\n", from ? from : "?",
			 to ? to : "?", (long long)time(NULL));

	if (dd_mkdir_p(DD_STATE_DIR, 0755) != 0 || dd_write_atomic(UPGRADE_MARK, text, (size_t)n, 0600) != 0)
		return dd_fail(DD_EXIT_FAIL, "azure-handler update: %s: %m", UPGRADE_MARK);
	log_line("update", text);
	return 0;
}

static int op_install(void)
{
	static const char *const archs[] = { "x86_64", "aarch64" };
	struct utsname un;
	char msg[1024];
	unsigned i = 0;
	int rc;

	unlink(UPGRADE_MARK);
	while (uname(&un) == 0 && i < 2 && strcmp(un.machine, archs[i]))
		i++;
	if (i == 2)
		return dd_fail(EXIT_UNSUPPORTED, "azure-handler install: unsupported architecture %s (dockdrop carries engines for x86_64 and aarch64)",
			       un.machine);
	/* a daemon started as the handler's child is in the agent's scope, killed with it */
	if (dd_init_detect() == DD_INIT_NONE)
		return dd_fail(EXIT_UNSUPPORTED, "azure-handler install: no init system (systemd, OpenRC or sysvinit) to run the daemon: the agent kills what its commands leave running");
	if ((rc = install(NULL, 1, msg, sizeof msg))) {
		log_line("install", msg);
		return dd_fail(rc == DD_EXIT_VERIFY ? rc : EXIT_MISSING, "azure-handler install: %s", msg);
	}
	log_line("install", "preflight passed");
	return 0;
}

static int run(const struct dd_cmd *self, int argc, char **argv)
{
	static const char *const ops[] = { "install", "enable", "disable", "update", "uninstall" };
	struct dd_args args;
	unsigned op = 0;
	int rc = dd_cli_parse(self, NULL, 0, argc, argv, &args);

	if (rc != DD_CLI_CONTINUE)
		return rc;
	while (op < 5 && strcmp(args.v[0], ops[op]))
		op++;
	if (op == 5)
		return dd_fail(DD_EXIT_USAGE, "azure-handler: %s: not install, enable, disable, update or uninstall",
			       args.v[0]);
	if ((rc = dd_azh_env(&h)))
		return rc;
	h.seq = dd_azh_seq(&h);
	if (dd_azh_log_open(&h) < 0)
		dd_warn("azure-handler: %s/dockdrop-handler.log: %m", h.log_dir);
	switch (op) {
	case 0:
		return op_install();
	case 1:
		return op_enable();
	case 2:
		log_line("disable", "Docker left running");
		if (h.seq >= 0)
			dd_azh_status(&h, "Disable", "success", 0, "Disable succeeded: Docker left running");
		return 0;
	case 3:
		return op_update();
	default:
		return op_uninstall();
	}
}

const struct dd_cmd dd_cmd_azure_handler = {
	"azure-handler", "azure-handler", "install|enable|disable|update|uninstall",
	"Run as the Azure VM extension handler (the Azure agent runs these).", 1, 1, run, NULL
};
