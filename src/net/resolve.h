/* A host name to one address, with no resolver library: an address literal as it is, else
 * this machine's /etc/hosts, else one A (then AAAA) question over UDP to each "nameserver"
 * of /etc/resolv.conf (127.0.0.1 when none), every wait bounded by the caller's deadline.
 * musl's getaddrinfo would do it with search domains, TCP and retries, for about 13 KB of
 * the stub; a registry is named by a full name, and a name not found here only means the
 * caller could not reach it (registry logins then say "not checked"). */
#ifndef DD_NET_RESOLVE_H
#define DD_NET_RESOLVE_H

#include <stddef.h>

/* name's address as a literal into ip (INET6_ADDRSTRLEN bytes). 0, or -1 (not found, no
 * answer before deadline, a malformed answer). */
int dd_resolve(const char *name, char *ip, long long deadline);
/* The first address of type t (1 A, 28 AAAA) in the DNS reply m[0..n) to the question of
 * id (header, one question, answers; names compressed or not), as a literal into ip: 0,
 * or -1 (another id, an error code, no such address, anything out of bounds). Fuzzed. */
int dd_dns_answer(const unsigned char *m, size_t n, unsigned id, int t, char *ip);

#endif
