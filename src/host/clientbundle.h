/* The client side of the daemon's mutual TLS, to copy off the VM: one 0600 tar.gz, written
 * without any external tool, that a user unpacks into ~/.docker and then either sources an
 * env file from or imports as a docker context:
 *
 *   dockdrop-NAME/                    0700
 *   dockdrop-NAME/ca.pem              0644   the DOCKER_CERT_PATH layout
 *   dockdrop-NAME/cert.pem            0644
 *   dockdrop-NAME/key.pem             0600
 *   dockdrop-NAME/docker.env          0644   DOCKER_HOST, DOCKER_TLS_VERIFY=1,
 *                                            DOCKER_CERT_PATH="$HOME/.docker/dockdrop-NAME"
 *   dockdrop-NAME/NAME.dockercontext  0600   `docker context import NAME FILE`
 *
 * The .dockercontext member is what `docker context export` writes: a plain tar holding
 * meta.json ({"Name","Metadata":{"Description"},"Endpoints":{"docker":{"Host",
 * "SkipTLSVerify":false}}}) and tls/docker/{ca,cert,key}.pem. `docker context import`
 * reads plain tar or zip only (a gzip stream is "invalid tar header"), hence the nesting.
 * NAME is the context name; the "dockdrop-" prefix keeps the directory clear of docker's own
 * entries in ~/.docker (contexts/, config.json, ...). */
#ifndef DD_CLIENTBUNDLE_H
#define DD_CLIENTBUNDLE_H

#include <stddef.h>
#include <time.h>

#define DD_CONTEXT_MAX 80	/* longest context name (keeps every member name in ustar) */
#define DD_HOST_MAX 254		/* longest host: a DNS name of 253 */
#define DD_CLIENT_PEM_MAX 16384	/* largest ca.pem, cert.pem or key.pem read */

struct dd_client_bundle {
	const char *client_dir;	/* the dir with ca.pem cert.pem key.pem (or its name) */
	const char *host;	/* DOCKER_HOST host part: DNS name or IP (IPv6 in [..] in URLs) */
	unsigned port;
	const char *context;	/* context name: [A-Za-z0-9][A-Za-z0-9_.+-]+, as docker wants */
	time_t mtime;		/* of every archive member: same inputs, same bytes */
};

/* Write the 0600 tar.gz to out atomically (dd_afile with mode 0600); an existing out is
 * replaced (the caller decides whether that is allowed). 0 or an exit code with err
 * (DD_EXIT_USAGE: bad host/context/port, out a directory or in a missing one;
 * DD_EXIT_FAIL: I/O, missing or non-PEM input files). */
int dd_client_bundle_write(const struct dd_client_bundle *b, const char *out, char *err,
			   size_t errsz);
/* The same with the three files read from the open directory dfd (client_dir only names
 * it in messages); dfd -1 when it could not be opened, errno telling why. */
int dd_client_bundle_write_at(const struct dd_client_bundle *b, int dfd, const char *out,
			      char *err, size_t errsz);

/* The env file text (also written by install to /etc/dockdrop/client/docker.env), to be
 * sourced by a POSIX shell: a comment line, DOCKER_HOST=tcp://HOST:PORT,
 * DOCKER_TLS_VERIFY=1, DOCKER_CERT_PATH="<cert_path>" and an export line. cert_path sits in
 * double quotes so that "$HOME/..." expands; it may not hold '"', '\\', '`' or control
 * bytes. Returns the length, or 0 on overflow or bad input. */
size_t dd_client_env(const char *host, unsigned port, const char *cert_path, char *out,
		     size_t cap);

/* "NAME", "1.2.3.4", "::1" or "[::1]" into host (DNS names lowercased, addresses in their
 * canonical form, no brackets): 0, or -1 if it is none of those (wildcards refused). */
int dd_client_host_parse(const char *text, char *host, size_t cap);
/* 1 if name is a context name docker accepts and at most DD_CONTEXT_MAX long, else 0. */
int dd_context_name_ok(const char *name);

#endif
