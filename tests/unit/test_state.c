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
		"dockdrop-state 1\nengine 1.0 " HEX64 " 1.0-aaaaaaaaaaaa " HEX64 "\nprevious 0.9 " HEX64
		" 0.9-bbbbbbbbbbbb " HEX64 "\nprevious 0.8 " HEX64 " 0.8-cccccccccccc\n",
		HEAD "group docker 4294967294 existing\n",
		HEAD "daemon-opt label=\"caf\xc3\xa9 \\u00e9\"\n",
		HEAD "data /var/lib/docker\nnonl /etc/group\nbackup /var/lib/dockdrop/backup/usr/local/bin/docker 0755 " HEX64 "\n",
		"dockdrop-state 1\nuninstalled\ngroup docker 998 created\nkeep /etc/k 0600 " HEX64 "\n",
		HEAD "auth registry.example:5000 alice\nauth https://index.docker.io/v1/ bob@example.com\nauth-file created\n",
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
		/* a line that says one thing, twice */
		HEAD "engine 1.0 " HEX64 " 1.0-aaaaaaaaaaaa\n", HEAD "port 1\nport 2\n",
		HEAD "tcp 1\ntcp 1\n", HEAD "init a\ninit b\n", HEAD "key-type a\nkey-type b\n",
		HEAD "certs /a\ncerts /b\n", HEAD "group a 1 created\ngroup b 2 created\n",
		HEAD "file /etc/x 0644 " HEX64 "\nfile /etc/x 0644 " HEX64 "\n",
		/* the engine's tree digest: 64 hex digits or nothing */
		"dockdrop-state 1\nengine 1.0 " HEX64 " 1.0-aaaaaaaaaaaa 12\n",
		"dockdrop-state 1\nengine 1.0 " HEX64 " 1.0-aaaaaaaaaaaa " HEX64 " x\n",
		HEAD "uninstalled\n",					/* both */
		"dockdrop-state 1\nuninstalled\nuninstalled\n",
		"dockdrop-state 1\nuninstalled\nengine 1.0 " HEX64 " d\n",
		HEAD "backup /var/lib/dockdrop/backup/x 0644\n", HEAD "data\n", HEAD "nonl /etc/group x\n",
		/* registry logins: server and user, each server once, never a third word */
		HEAD "auth r.example\n", HEAD "auth r.example alice secret\n",
		HEAD "auth r.example alice\nauth r.example bob\n", HEAD "auth-file\n",
		HEAD "auth-file maybe\n", HEAD "auth-file created\nauth-file created\n",
		HEAD "auth r.example al\x01" "ce\n",
		HEAD "auth a 1\nauth b 1\nauth c 1\nauth d 1\nauth e 1\nauth f 1\nauth g 1\nauth h 1\nauth i 1\n",
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

/* --- property: every record built from what the module accepts reads back --------------- */

static unsigned long long rng = 0x2545f4914f6cdd1dull;

static unsigned rnd(unsigned n)	/* 0..n-1 (xorshift64*) */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (unsigned)((rng * 0x2545f4914f6cdd1dull) >> 33) % n;
}

/* A length from 1 to max, the limits themselves drawn often. */
static unsigned len_upto(unsigned max)
{
	unsigned r = rnd(8);

	return r == 0 ? 1 : r == 1 ? max : 1 + rnd(max);
}

/* A token: printable ASCII without spaces. */
static void token(char *out, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		out[i] = (char)(0x21 + rnd(0x7f - 0x21));
	out[len] = 0;
}

static void hex64(char *out)
{
	for (unsigned i = 0; i < 64; i++)
		out[i] = "0123456789abcdef"[rnd(16)];
	out[64] = 0;
}

/* A path the record takes: drawn until dd_state_path_ok agrees. */
static void path(char *out, unsigned max)
{
	do {
		memset(out, 0, max + 1); /* a record compares whole: no stale bytes after the NUL */
		out[0] = '/';
		token(out + 1, len_upto(max - 1));
	} while (!dd_state_path_ok(out));
}

static void engine(struct dd_state_engine *e)
{
	memset(e, 0, sizeof *e);
	token(e->version, len_upto(sizeof e->version - 1));
	hex64(e->sha);
	do {
		memset(e->dir, 0, sizeof e->dir);
		token(e->dir, len_upto(sizeof e->dir - 1));
	} while (strchr(e->dir, '/') || e->dir[0] == '.');
	if (rnd(2))
		hex64(e->tree);
}

/* A daemon-opt line: any byte but controls (UTF-8 and spaces too), an '=' somewhere. */
static void opt(char *out, unsigned cap)
{
	unsigned len = len_upto(cap - 1);

	for (unsigned i = 0; i < len; i++) {
		unsigned c = 0x20 + rnd(0x100 - 0x20 - 1);

		out[i] = (char)(c >= 0x7f ? c + 1 : c);
	}
	out[len] = 0;
	out[rnd(len)] = '=';
}

static void random_record(struct dd_state *r)
{
	memset(r, 0, sizeof *r);
	if (rnd(8))
		engine(&r->engine);
	else
		r->uninstalled = 1;
	r->nprev = rnd(DD_STATE_PREV + 1);
	for (unsigned i = 0; i < r->nprev; i++)
		engine(&r->previous[i]);
	r->port = rnd(3) ? 1 + rnd(65535) : 0;
	r->tcp = (int)rnd(2);
	if (rnd(4))
		token(r->init, len_upto(sizeof r->init - 1));
	if (rnd(4))
		token(r->key_type, len_upto(sizeof r->key_type - 1));
	if (rnd(2))
		path(r->certs, sizeof r->certs - 1);
	r->nsans = rnd(4) ? rnd(DD_STATE_LIST + 1) : DD_STATE_LIST;
	for (unsigned i = 0; i < r->nsans; i++)
		token(r->sans[i], len_upto(sizeof r->sans[0] - 1));
	r->nopts = rnd(4) ? rnd(DD_STATE_LIST + 1) : DD_STATE_LIST;
	for (unsigned i = 0; i < r->nopts; i++)
		opt(r->opts[i], sizeof r->opts[0]);
	if (rnd(4)) {
		token(r->group, len_upto(sizeof r->group - 1));
		r->gid = rnd(4) ? rnd(100000) : 4294967294u;
		r->group_created = (int)rnd(2);
	}
	for (unsigned n = rnd(4) ? rnd(DD_STATE_ENTS + 1) : DD_STATE_ENTS; r->n < n;) {
		static const char kinds[] = "fkcldxbn";
		char p[256], t[256], sha[65];
		char k = kinds[rnd(sizeof kinds - 1)];
		int bare = strchr("ldxn", k) != NULL;	/* no mode, no digest */

		path(p, sizeof p - 1);
		token(t, len_upto(sizeof t - 1));
		hex64(sha);
		if (!dd_state_find(r, p))
			CHECK(dd_state_add(r, k, p, bare ? 0 : rnd(07777 + 1), bare ? NULL : sha,
					   k == 'l' ? t : NULL) == 0);
	}
}

TEST(property_round_trip)
{
	static struct dd_state r;
	char err[128];
	unsigned bad = 0, runs = 3000;

	printf("# seed %llx\n", rng);
	for (unsigned i = 0; i < runs && bad < 5; i++) {
		size_t n;

		random_record(&r);
		n = dd_state_format(&r, text, sizeof text);
		if (n == 0 || dd_state_parse(text, n, &s, err, sizeof err) != 0 ||
		    memcmp(&r, &s, sizeof r) != 0) {
			bad++;
			CHECKF(0, "record %u: format %zu, %s", i, n,
			       n == 0 ? "does not fit" : memcmp(&r, &s, sizeof r) ? "reads back different" : err);
		}
	}
}

int main(void)
{
	RUN(good_records);
	RUN(bad_records);
	RUN(readd_in_place);
	RUN(property_round_trip);
	return t_any_failed;
}
