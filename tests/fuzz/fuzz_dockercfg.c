/* libFuzzer harness for root's config.json (workload/dockercfg.h): whatever the checker
 * accepts, the lookups stay in bounds, and setting then removing a login gives a text the
 * checker accepts again, that holds exactly the login set (then none), and that setting
 * again changes no further (a fixed point). The server names are checked too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "workload/dockercfg.h"

static char out[3 * DD_DOCKERCFG_MAX], again[3 * DD_DOCKERCFG_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct dd_dockercfg_set add = { "r.example:5000", "YTpi" },
					     rm = { "r.example:5000", NULL };
	const char *t = (const char *)data;
	char err[128], user[128], helper[64], key[DD_DOCKERCFG_SERVER], host[DD_DOCKERCFG_SERVER];
	int same, empty;
	size_t n, m;

	if (size < DD_DOCKERCFG_SERVER && memchr(t, 0, size)) /* a name from the input too */
		dd_dockercfg_server(t, key, host);
	if (dd_dockercfg_check(t, size, err, sizeof err) != 0)
		return 0;
	dd_dockercfg_helper(t, size, add.key, helper, sizeof helper);
	dd_dockercfg_user(t, size, add.key, add.auth, user, sizeof user, &same);
	if (!(n = dd_dockercfg_apply(t, size, &add, 1, out, sizeof out, &empty)))
		abort();
	if (dd_dockercfg_check(out, n, err, sizeof err) != 0 ||
	    dd_dockercfg_user(out, n, add.key, add.auth, user, sizeof user, &same) != 1 || !same ||
	    strcmp(user, "a"))
		abort();
	m = dd_dockercfg_apply(out, n, &add, 1, again, sizeof again, &empty);
	if (m != n || memcmp(out, again, n))
		abort();
	m = dd_dockercfg_apply(out, n, &rm, 1, again, sizeof again, &empty);
	if (!m || dd_dockercfg_check(again, m, err, sizeof err) != 0 ||
	    dd_dockercfg_user(again, m, add.key, NULL, user, sizeof user, &same) != 0)
		abort();
	return 0;
}
