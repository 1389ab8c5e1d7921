#include "workload/compose.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/http.h"
#include "util/io.h"
#include "util/jsontext.h"
#include "util/log.h"
#include "util/run.h"

static const char *const env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
				   "HOME=/root", "DOCKER_HOST=unix:///var/run/docker.sock", NULL };

static int name_ok(const char *s)
{
	size_t n = strlen(s);

	return n && n <= DD_COMPOSE_NAME_MAX && s[0] != '_' && s[0] != '-' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* The project name Compose derives from the file's directory. */
static void dir_name(const char *file, char *out, size_t cap)
{
	char abs[4096], *base, *o = out;
	size_t k = 0;

	if (dd_realpath(file, abs) != 0)
		snprintf(abs, sizeof abs, "%s", file);
	if ((base = strrchr(abs, '/')))
		*base = 0;
	base = strrchr(abs, '/');
	for (const char *s = base ? base + 1 : abs; *s && k + 1 < cap; s++) {
		char c = *s >= 'A' && *s <= 'Z' ? (char)(*s + 32) : *s;

		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789_-", c) && c && (k || (c != '_' && c != '-')))
			o[k++] = c;
	}
	o[k] = 0;
}

static long read_input(const char *what, const char *path, char *buf, size_t cap, char *err,
		       size_t errsz)
{
	long n = dd_read_small_file(path, buf, cap);

	if (n < 0)
		return -dd_say(err, errsz, DD_EXIT_USAGE, "%s %s: %s", what, path,
			       errno == EFBIG ? "too big" : strerror(errno));
	if (memchr(buf, 0, (size_t)n))
		return -dd_say(err, errsz, DD_EXIT_USAGE, "%s %s: has a NUL byte: not a text file", what, path);
	return n;
}

int dd_compose_load(struct dd_compose *p, const char *file, const char *envf, const char *name,
		    char *err, size_t errsz)
{
	long n;

	if (name)
		snprintf(p->name, sizeof p->name, "%s", name);
	else if (file)
		dir_name(file, p->name, sizeof p->name);
	if (!name_ok(p->name) || (name && strlen(name) > DD_COMPOSE_NAME_MAX))
		return dd_say(err, errsz, DD_EXIT_USAGE, "--compose %s: project name \"%s\" is not 1-%d of [a-z0-9_-]: give --compose-name",
			      file, p->name, DD_COMPOSE_NAME_MAX);
	if (file && (n = read_input("--compose", file, p->file, sizeof p->file, err, errsz)) < 0)
		return (int)-n;
	if (file) { /* else the caller filled file and env: install --settings */
		p->filelen = (size_t)n;
		p->has_env = envf != NULL;
		p->envlen = 0;
	}
	if (envf && (n = read_input("--compose-env", envf, p->env, sizeof p->env, err, errsz)) < 0)
		return (int)-n;
	if (envf)
		p->envlen = (size_t)n;
	snprintf(p->path, sizeof p->path, "%s/%s/compose.yaml", DD_COMPOSE_DIR, p->name);
	snprintf(p->envpath, sizeof p->envpath, "%s/%s/compose.env", DD_COMPOSE_DIR, p->name);
	return 0;
}

int dd_compose_name_of(const char *path, char *name, size_t cap)
{
	const size_t pre = sizeof DD_COMPOSE_DIR;
	const char *end;

	if (strncmp(path, DD_COMPOSE_DIR "/", pre) || !(end = strchr(path + pre, '/')) ||
	    strcmp(end, "/compose.yaml") || (size_t)(end - path - pre) >= cap)
		return -1;
	snprintf(name, cap, "%.*s", (int)(end - path - pre), path + pre);
	return name_ok(name) ? 0 : -1;
}

size_t dd_compose_cmd(const char *bin, const char *name, int envf, char *out, size_t cap)
{
	int k = snprintf(out, cap, "%s/docker compose -p %s -f %s/%s/compose.yaml%s%s%s", bin,
			 name, DD_COMPOSE_DIR, name, envf ? " --env-file " DD_COMPOSE_DIR "/" : "",
			 envf ? name : "", envf ? "/compose.env" : "");

	return k > 0 && (size_t)k < cap ? (size_t)k : 0;
}

int dd_compose_run(const char *bin, const char *name, int envf, const char *const *args,
		   int timeout_s, char *err, size_t errsz)
{
	char docker[128], file[128], envp[128], out[2048];
	const char *argv[16] = { docker, "compose", "-p", name, "-f", file };
	unsigned n = 6;
	int rc;

	snprintf(docker, sizeof docker, "%s/docker", bin);
	snprintf(file, sizeof file, "%s/%s/compose.yaml", DD_COMPOSE_DIR, name);
	snprintf(envp, sizeof envp, "%s/%s/compose.env", DD_COMPOSE_DIR, name);
	if (envf) {
		argv[n++] = "--env-file";
		argv[n++] = envp;
	}
	while (*args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	if ((rc = dd_run(argv, env, DD_RUN_STDERR, timeout_s, out, sizeof out)) == 0)
		return 0;
	return dd_say(err, errsz, DD_EXIT_FAIL, "%s", rc < 0 ? "did not finish" : dd_run_last_line(out));
}

/* A string member of the checked object o into out ("" when absent). */

/* One container of the list: its fields, printed or put into w. 1 when it runs. */
static int container(const char *o, size_t n, struct dd_jw *w)
{
	char name[128] = "", svc[128], state[32], status[128];
	const char *v, *lab, *k;
	size_t vn, ln, kn;
	struct dd_json_iter it;

	if (dd_json_member(o, n, "Names", &v, &vn) && dd_json_array(&it, v, vn) == 0 &&
	    dd_json_next(&it, &k, &kn, &v, &vn) && *v == '"')
		dd_json_unquote(v, vn, name, sizeof name);
	svc[0] = 0;
	if (dd_json_member(o, n, "Labels", &lab, &ln))
		dd_json_member_str(lab, ln, "com.docker.compose.service", svc, sizeof svc);
	dd_json_member_str(o, n, "State", state, sizeof state);
	dd_json_member_str(o, n, "Status", status, sizeof status);
	if (w) {
		dd_jw_object(w, NULL);
		dd_jw_str(w, "name", name + (name[0] == '/'));
		dd_jw_str(w, "service", svc);
		dd_jw_str(w, "state", state);
		dd_jw_str(w, "status", status);
		dd_jw_close(w);
	} else {
		printf("  %-16s %-24s %s (%s)\n", svc, name + (name[0] == '/'), state, status);
	}
	return !strcmp(state, "running");
}

int dd_compose_status(const char *sock, const char *name, struct dd_jw *w)
{
	static struct dd_http_resp r;
	char path[256], err[256];
	const char *k, *v;
	size_t kn, vn;
	struct dd_json_iter it;
	int ok = 0, all = 1, nc = 0;

	snprintf(path, sizeof path, "/containers/json?all=1&filters=%%7B%%22label%%22%%3A%%5B%%22"
		 "com.docker.compose.project%%3D%s%%22%%5D%%7D", name);
	if (dd_http_unix_get(sock, path, 5000, &r, err, sizeof err) == 0 && r.status == 200 &&
	    dd_json_check(r.body, r.body_len, 16, NULL) == 0 && dd_json_array(&it, r.body, r.body_len) == 0)
		ok = 1;
	if (w) {
		dd_jw_object(w, "compose");
		dd_jw_str(w, "project", name);
		dd_jw_bool(w, "answered", ok);
		dd_jw_array(w, "containers");
	} else {
		printf("compose     project %s%s\n", name, ok ? "" : ": no answer");
	}
	while (ok && dd_json_next(&it, &k, &kn, &v, &vn)) {
		all &= container(v, vn, w);
		nc++;
	}
	if (w) {
		dd_jw_close(w);
		dd_jw_close(w);
	}
	return ok && all && nc ? 0 : 1;
}
