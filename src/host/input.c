#include "host/input.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "host/daemonjson.h"
#include "host/state.h"
#include "pki/cert.h"
#include "util/io.h"
#include "util/log.h"

int dd_input_certs_dir(const char *dir, char *abs, size_t cap, char *err, size_t errsz)
{
	char real[PATH_MAX], show[96];

	dd_log_escape(show, sizeof show, dir);
	if (dd_realpath(dir, real) != 0)
		return dd_say(err, errsz, DD_EXIT_USAGE, "--certs %s: %m", show);
	if (!dd_state_path_ok(real) || strlen(real) >= cap)
		return dd_say(err, errsz, DD_EXIT_USAGE,
			      "--certs %s: the path must be printable ASCII without spaces, under 256 bytes (it is recorded): move the files",
			      show);
	memcpy(abs, real, strlen(real) + 1);
	return 0;
}

int dd_input_daemon_opt(const char *kv, char *err, size_t errsz)
{
	static const struct dd_state s;
	int rc = dd_daemonjson_check_opt(kv, err, errsz);

	if (rc)
		return rc;
	if (strlen(kv) >= sizeof s.opts[0])
		return dd_say(err, errsz, DD_EXIT_USAGE,
			      "--daemon-opt %.40s...: at most %zu bytes (it is recorded); put a longer value in %s yourself",
			      kv, sizeof s.opts[0] - 1, "/etc/docker/daemon.json");
	return 0;
}

int dd_input_server_names(const struct dd_certs_want *w, const char *const *extra, unsigned n,
			  char *err, size_t errsz)
{
	for (unsigned i = 0; i < n; i++) {
		struct pki_san s;
		unsigned j = 0;

		if (pki_san_parse(extra[i], &s) != 0)
			return dd_say(err, errsz, DD_EXIT_USAGE, "--tls-san %s: not a DNS name or an IP address (wildcards are not issued)",
				      extra[i]);
		while (j < w->nsans && !(w->sans[j].ip == s.ip && w->sans[j].alen == s.alen &&
					 memcmp(w->sans[j].addr, s.addr, s.alen) == 0 &&
					 strcmp(w->sans[j].dns, s.dns) == 0))
			j++;
		if (j == w->nsans)
			return dd_say(err, errsz, DD_EXIT_USAGE,
				      "--tls-san %s: the server certificate already has %u names (this machine's own and earlier --tls-san, at most %d): give fewer",
				      extra[i], w->nsans, PKI_SAN_MAX);
	}
	if (pki_sans_len(w->sans, w->nsans) > PKI_SAN_BYTES)
		return dd_say(err, errsz, DD_EXIT_USAGE,
			      "the server certificate's %u names take %zu bytes, more than the %d one certificate holds: give fewer or shorter --tls-san",
			      w->nsans, pki_sans_len(w->sans, w->nsans), PKI_SAN_BYTES);
	return 0;
}

int dd_input_engine(const struct dd_blob *b, char *err, size_t errsz)
{
	if (b->version[0] == '.' || strchr(b->version, '/'))
		return dd_say(err, errsz, DD_EXIT_VERIFY,
			      "%s version %s cannot name a directory: this payload was not made by dockdrop bundle",
			      b->kind, b->version);
	return 0;
}
