/* The state record (host/state.h): a table of records that parse and of lines that must
 * not, round trips through the formatter, and re-recording an entry in place. */
#include "t.h"

#include "host/state.h"

static struct dd_state s, s2;
static char text[DD_STATE_MAX];

#define HEAD "dockdrop-state 1\nengine 1.0 " HEX64 " 1.0-aaaaaaaaaaaa\n"
#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

TEST(good_records)
{
	static const char *const good[] = {
		HEAD,
		HEAD "port 2376\ntcp 1\ninit systemd\nkey-type ecdsa-p256\n",
		HEAD "previous 0.9 " HEX64 " 0.9-bbbbbbbbbbbb\n",
		HEAD "san vm.example\nsan 10.0.0.1\ndaemon-opt log-opts={\"max-size\": \"10m\"}\n",
		HEAD "group docker 998 created\n",
		HEAD "file /etc/x 0644 " HEX64 "\nkeep /etc/k 0600 " HEX64 "\nconf /etc/c 0644 " HEX64 "\n",
		HEAD "link /usr/local/bin/docker /opt/dockdrop/engine/current/docker/docker\ndir /opt\n",
		HEAD "certs /root/certs\n",
		HEAD "data /var/lib/docker\nnonl /etc/group\nbackup /var/lib/dockdrop/backup/usr/local/bin/docker 0755 " HEX64 "\n",
		"dockdrop-state 1\nuninstalled\ngroup docker 998 created\nkeep /etc/k 0600 " HEX64 "\n",
	};
	char err[128];

	for (unsigned i = 0; i < sizeof good / sizeof good[0]; i++) {
		size_t n;

		CHECKF(dd_state_parse(good[i], strlen(good[i]), &s, err, sizeof err) == 0, "row %u: %s", i, err);
		n = dd_state_format(&s, text, sizeof text);
		CHECKF(n > 0 && dd_state_parse(text, n, &s2, err, sizeof err) == 0, "row %u again: %s", i, err);
	}
}

TEST(bad_records)
{
	static const char *const bad[] = {
		"",
		"dockdrop-state 2\nengine 1.0 " HEX64 " d\n",
		"dockdrop-state 1\n",					/* no engine */
		HEAD "port 0\n", HEAD "port 65536\n", HEAD "port 02376\n", HEAD "port -1\n",
		HEAD "tcp 2\n", HEAD "init\n", HEAD "init  systemd\n", HEAD "bogus 1\n",
		HEAD "file /etc/x 0644 " HEX64,				/* no final newline */
		HEAD "file etc/x 0644 " HEX64 "\n",			/* relative */
		HEAD "file /etc/../x 0644 " HEX64 "\n",
		HEAD "file /etc/x 0844 " HEX64 "\n",
		HEAD "file /etc/x 0644 " "0123" "\n",
		HEAD "file /etc/x 0644 " "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef" "\n",
		HEAD "link /a\n", HEAD "dir\n", HEAD "group docker x created\n",
		HEAD "group docker 1 maybe\n", HEAD "daemon-opt novalue\n",
		"dockdrop-state 1\nengine 1.0 " HEX64 " ../x\n",
		"dockdrop-state 1\nengine 1.0 " HEX64 " a/b\n",
		HEAD "file /etc/x\t0644 " HEX64 "\n",
		HEAD "uninstalled\n",					/* both */
		"dockdrop-state 1\nuninstalled\nuninstalled\n",
		"dockdrop-state 1\nuninstalled\nengine 1.0 " HEX64 " d\n",
		HEAD "backup /var/lib/dockdrop/backup/x 0644\n", HEAD "data\n", HEAD "nonl /etc/group x\n",
	};
	char err[128];

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECKF(dd_state_parse(bad[i], strlen(bad[i]), &s, err, sizeof err) != 0, "row %u accepted", i);
}

TEST(readd_in_place)
{
	char err[128];
	const char *t = HEAD "keep /etc/k 0600 " HEX64 "\nfile /etc/f 0644 " HEX64 "\n";

	CHECK(dd_state_parse(t, strlen(t), &s, err, sizeof err) == 0);
	CHECK(dd_state_add(&s, 'k', s.ent[0].path, 0644, HEX64, NULL) == 0);
	CHECK(s.n == 2 && !strcmp(s.ent[0].path, "/etc/k") && s.ent[0].mode == 0644);
	for (unsigned i = s.n; i < DD_STATE_ENTS; i++) {
		char p[32];

		snprintf(p, sizeof p, "/x/%u", i);
		CHECK(dd_state_add(&s, 'd', p, 0, NULL, NULL) == 0);
	}
	CHECK(dd_state_add(&s, 'd', "/one/more", 0, NULL, NULL) == -1);
}

int main(void)
{
	RUN(good_records);
	RUN(bad_records);
	RUN(readd_in_place);
	return t_any_failed;
}
