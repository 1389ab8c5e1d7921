/* Test-only driver for src/net (not a dockdrop command): lets the shell tests point
 * dd_http_unix_get and dd_https_get at real daemons (tests/cli/test_docker_tls.sh runs it
 * against dockerd). Prints "STATUS BODY-LENGTH" then the body on stdout; on failure one
 * "dockdrop: " line on stderr. Exits with the module's code (0, 1, or 3 for VERIFY).
 *   netget unix SOCKET PATH [TIMEOUT_MS]
 *   netget https IP PORT NAME CA CERT KEY PATH [TIMEOUT_MS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"
#include "net/tls.h"
#include "util/log.h"

static struct dd_http_resp resp;

int main(int argc, char **argv)
{
	char err[512];
	int rc;

	if (argc >= 4 && argc <= 5 && strcmp(argv[1], "unix") == 0) {
		rc = dd_http_unix_get(argv[2], argv[3], argc == 5 ? atoi(argv[4]) : 10000, &resp, err,
				      sizeof err);
	} else if (argc >= 9 && argc <= 10 && strcmp(argv[1], "https") == 0) {
		struct dd_tls_peer p = { argv[2], (unsigned)atoi(argv[3]), argv[4], argv[5], argv[6],
					 argv[7] };

		rc = dd_https_get(&p, argv[8], argc == 10 ? atoi(argv[9]) : 10000, &resp, err,
				  sizeof err);
	} else {
		fprintf(stderr, "usage: netget unix SOCKET PATH [TIMEOUT_MS]\n"
				"       netget https IP PORT NAME CA CERT KEY PATH [TIMEOUT_MS]\n");
		return DD_EXIT_USAGE;
	}
	if (rc != 0) {
		fprintf(stderr, "dockdrop: %s\n", err);
		return rc;
	}
	printf("%d %zu\n", resp.status, resp.body_len);
	fwrite(resp.body, 1, resp.body_len, stdout);
	return 0;
}
