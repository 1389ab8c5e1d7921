/* Root's ~/.docker/config.json as the docker CLI reads it, for registry logins: the server
 * name normalised as `docker login` keys it, the "auths" entries ({"SERVER": {"auth":
 * base64("USER:PASS")}}) set and removed with every other key and entry kept byte for byte
 * (values are copied as their lexemes, never re-encoded), and whether a credential helper
 * (credsStore, credHelpers) would make the CLI ignore "auths". Text in, text out into caller
 * memory: no file is touched here (host/login.c does that through host/root). Buffers that
 * held a credential are the caller's to wipe. */
#ifndef DD_WORKLOAD_DOCKERCFG_H
#define DD_WORKLOAD_DOCKERCFG_H

#include <stddef.h>

#include "util/base64.h"	/* dd_base64, dd_unbase64: its callers' */

#define DD_DOCKERCFG_MAX (256 * 1024)	/* a config.json larger than this is refused */
#define DD_DOCKERCFG_DEPTH 32
#define DD_DOCKERCFG_SERVER 256		/* a key, terminated */
#define DD_DOCKERCFG_HUB "https://index.docker.io/v1/"


/* The key docker login uses for server (scheme and path dropped; docker.io, index.docker.io
 * and registry-1.docker.io are Docker Hub's DD_DOCKERCFG_HUB) and the host[:port] a /v2/
 * request goes to. 0, or -1 when server is no registry name. */
int dd_dockercfg_server(const char *server, char key[DD_DOCKERCFG_SERVER],
			char host[DD_DOCKERCFG_SERVER]);

/* text[0..n) is usable: blank, or a JSON object whose "auths", if any, is an object. 0, or
 * -1 with a reason in err. */
int dd_dockercfg_check(const char *text, size_t n, char *err, size_t errsz);
/* The credential helper that would serve key ("credHelpers" names it for that very key,
 * or "credsStore" for all) into helper: 1, or 0 when the CLI reads "auths". */
int dd_dockercfg_helper(const char *text, size_t n, const char *key, char *helper, size_t cap);
/* The user name of key's entry in "auths": 1 with user set, 0 when there is no entry, -1
 * when there is one without a decodable "auth" (someone else's). *same set when its
 * "auth" is exactly auth (may be NULL). */
int dd_dockercfg_user(const char *text, size_t n, const char *key, const char *auth,
		      char *user, size_t cap, int *same);

/* A change to "auths": the keys and their base64 "auth" values (auth NULL: remove). */
struct dd_dockercfg_set {
	const char *key, *auth;
};
/* text[0..n) (checked; NULL or blank for none) with the changes made into out (cap bytes,
 * terminated): its length, or 0 when it does not fit. *empty set when nothing is left but
 * an empty "auths". */
size_t dd_dockercfg_apply(const char *text, size_t n, const struct dd_dockercfg_set *c,
			  unsigned nc, char *out, size_t cap, int *empty);

#endif
