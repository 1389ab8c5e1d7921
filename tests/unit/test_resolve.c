/* The DNS reply reader (net/resolve.h) on replies made by hand: an address behind a CNAME
 * with compressed names, an AAAA answer, and replies it must refuse (another id, an error
 * code, no answer of the type asked, every truncation). */
#include "t.h"

#include <arpa/inet.h>

#include "net/resolve.h"

/* Header (id, QR|RD, RA|rcode, 1 question, an answers), dns.registry.test IN type qt. */
static size_t reply(unsigned char *m, unsigned id, int rcode, int qt, unsigned an)
{
	static const unsigned char qname[] = "\3dns\10registry\4test";
	unsigned char h[12] = { (unsigned char)(id >> 8), (unsigned char)id, 0x81,
				(unsigned char)(0x80 | rcode), 0, 1, 0, (unsigned char)an, 0, 0, 0, 0 };
	size_t n = 0;

	memcpy(m, h, 12);
	n = 12;
	memcpy(m + n, qname, sizeof qname);	/* with its final 0 */
	n += sizeof qname;
	m[n++] = 0, m[n++] = (unsigned char)qt, m[n++] = 0, m[n++] = 1;
	return n;
}

static size_t rr(unsigned char *m, size_t n, const unsigned char *name, size_t nn, int type,
		 const unsigned char *data, size_t dn)
{
	unsigned char f[10] = { 0, (unsigned char)type, 0, 1, 0, 0, 0, 60, 0, (unsigned char)dn };

	memcpy(m + n, name, nn);
	memcpy(m + n + nn, f, 10);
	memcpy(m + n + nn + 10, data, dn);
	return n + nn + 10 + dn;
}

TEST(replies)
{
	static const unsigned char ptr_q[] = { 0xc0, 0x0c }, alias[] = "\5alias\4test",
				   ptr_alias[] = { 0xc0, 0x2f }, v4[] = { 10, 88, 0, 2 };
	unsigned char m[512], v6[16];
	char ip[INET6_ADDRSTRLEN];
	size_t n;

	for (unsigned i = 0; i < 16; i++)
		v6[i] = (unsigned char)i;
	/* CNAME, then the A record of its target (named by a pointer to the CNAME's data) */
	n = reply(m, 0x1234, 0, 1, 2);
	n = rr(m, n, ptr_q, 2, 5, alias, sizeof alias);
	n = rr(m, n, ptr_alias, 2, 1, v4, 4);
	CHECK(dd_dns_answer(m, n, 0x1234, 1, ip) == 0 && !strcmp(ip, "10.88.0.2"));
	CHECK(dd_dns_answer(m, n, 0x1235, 1, ip) != 0);		/* another question's */
	CHECK(dd_dns_answer(m, n, 0x1234, 28, ip) != 0);	/* no AAAA there */
	for (size_t k = 0; k < n; k++)
		CHECKF(dd_dns_answer(m, k, 0x1234, 1, ip) != 0, "cut at %zu", k);
	/* an uncompressed name, AAAA */
	n = reply(m, 7, 0, 28, 1);
	n = rr(m, n, (const unsigned char *)"\3dns\10registry\4test", 19, 28, v6, 16);
	CHECK(dd_dns_answer(m, n, 7, 28, ip) == 0 && !strcmp(ip, "1:203:405:607:809:a0b:c0d:e0f"));
	/* NXDOMAIN, and an A of the wrong length */
	n = reply(m, 9, 3, 1, 0);
	CHECK(dd_dns_answer(m, n, 9, 1, ip) != 0);
	n = reply(m, 9, 0, 1, 1);
	n = rr(m, n, ptr_q, 2, 1, v6, 16);
	CHECK(dd_dns_answer(m, n, 9, 1, ip) != 0);
}

int main(void)
{
	RUN(replies);
	return t_any_failed;
}
