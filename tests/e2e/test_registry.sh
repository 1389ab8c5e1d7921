# Registry login end to end (issue 13 point 3): Debian's docker-registry (the CNCF
# distribution registry 2.8) runs in a network namespace of its own (10.88.0.2, a veth
# pair to the session's), with TLS from a CA made by `dockdrop ca` and htpasswd (bcrypt)
# auth; dist/dockdrop installs into the cached debootstrap root (tests/e2e/mkroot.sh, an
# overlay as in test_install.sh) with --registry, and the root's real dockerd pushes and
# pulls with the config.json it wrote. registry_inside.sh (in the chroot) has the checks.
#   DD_E2E_LIMIT=600   seconds for the whole namespace session
set -u

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }

if [ "${1-}" = --inner ]; then
	T=$2 LOWER=$3
	R=$T/root
	ip link set lo up || { notok "namespace: lo up"; exit 1; }
	# The registry's host: a network namespace on the far end of a veth pair. Its sleep
	# and the registry die with the session (--kill-child, PID namespace).
	unshare --net sleep 100000 &
	NS=$!
	i=0
	while [ "$(readlink /proc/$NS/ns/net 2>/dev/null)" = "$(readlink /proc/self/ns/net)" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if ! ip link add ddreg0 type veth peer name ddreg0p || ! ip link set ddreg0p netns "$NS" ||
		! ip link set ddreg0 up || ! ip addr add 10.88.0.1/24 dev ddreg0 ||
		! nsenter --net=/proc/$NS/ns/net sh -c 'ip link set lo up && ip link set ddreg0p up &&
			ip addr add 10.88.0.2/24 dev ddreg0p'; then
		notok "namespace: the registry host 10.88.0.2 on a veth pair"
		exit 1
	fi
	nsenter --net=/proc/$NS/ns/net "$T/pkg/usr/bin/docker-registry" serve "$T/config.yml" >"$T/registry.log" 2>&1 &
	REG=$!
	# A name server beside it that knows dns.registry.test (a CNAME, then the address) and
	# nothing else: the root's resolv.conf names it, its /etc/hosts does not.
	nsenter --net=/proc/$NS/ns/net python3 -c "$DNS" &
	DNSPID=$!
	# A second registry with token auth (Docker Hub's scheme), its token server on another
	# name (auth.test:5003).
	nsenter --net=/proc/$NS/ns/net "$T/pkg/usr/bin/docker-registry" serve "$T/config2.yml" >"$T/registry2.log" 2>&1 &
	REG2=$!
	nsenter --net=/proc/$NS/ns/net python3 "$T/token_server.py" 10.88.0.2 5003 "$T/srv/server-cert.pem" \
		"$T/srv/server-key.pem" "$T/sign.key" "$T/sign.pem" alice "$T/pass" dd-issuer >"$T/token.log" 2>&1 &
	TOK=$!
	i=0
	while ! { grep -q 'listening on 10.88.0.2:5000, tls' "$T/registry.log" &&
		grep -q 'listening on 10.88.0.2:5002, tls' "$T/registry2.log" &&
		grep -q 'token server ready' "$T/token.log"; } && [ $i -lt 150 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q 'listening on' "$T/registry.log" && grep -q 'listening on' "$T/registry2.log" &&
		grep -q ready "$T/token.log" &&
		ok "docker-registry listens on 10.88.0.2:5000 (htpasswd) and :5002 (token auth), TLS" ||
		{ notok "the registries did not start: $(tail -n 2 "$T/registry.log" "$T/registry2.log" "$T/token.log" | tr '\n' '|')"; exit 1; }
	mount --make-rprivate /
	mkdir -p "$T/upper" "$T/work" "$R"
	if ! mount -t overlay dd-reg -o "lowerdir=$LOWER,upperdir=$T/upper,workdir=$T/work" "$R" ||
		! mount -t proc proc "$R/proc" || ! mount --rbind /sys "$R/sys" ||
		! mount --rbind /dev "$R/dev" || ! mount -t tmpfs -o mode=0755 dd-run "$R/run" ||
		! mount -t tmpfs -o mode=1777 dd-tmp "$R/tmp"; then
		notok "namespace: overlay root with /proc, /sys, /dev, /run, /tmp"
		exit 1
	fi
	mount --make-rslave "$R/sys" "$R/dev" 2>/dev/null
	# The root knows the registry by name, and its dockerd trusts the registry's CA the
	# way docker does (certs.d); dockdrop's check reads the same file.
	echo "10.88.0.2 registry.test token.test auth.test" >>"$R/etc/hosts"
	rm -f "$R/etc/resolv.conf" && echo "nameserver 10.88.0.2" >"$R/etc/resolv.conf"
	for s in registry.test:5000 dns.registry.test:5000 token.test:5002; do
		mkdir -p "$R/etc/docker/certs.d/$s" && cp "$T/ca/ca.pem" "$R/etc/docker/certs.d/$s/ca.crt" ||
			{ notok "certs.d/$s"; exit 1; }
	done
	cp "$DIST_DOCKDROP" "$R/tmp/dockdrop" && cp "$T/registry_inside.sh" "$T/lib_inside.sh" "$T/pass" "$T/wrong" "$R/tmp/" &&
		cp -p "$T/pass.file" "$T/wrong.file" "$T/other.file" "$R/tmp/" ||
		{ notok "setting up the root"; exit 1; }
	chroot "$R" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/tmp /bin/sh /tmp/registry_inside.sh
	rc=$?
	grep -c '"GET /v2/ HTTP' "$T/registry.log" | sed 's/^/# registry answered \/v2\/ this many times: /'
	kill "$REG" "$DNSPID" "$REG2" "$TOK" 2>/dev/null
	exit $rc
fi

cd "$(dirname "$0")/../.." || exit 1
DIST=${DIST:-dist}
BUILD=${BUILD:-build}
CACHE=${DD_TEST_CACHE:-/var/cache/dockdrop-test}
if [ "$(id -u)" != 0 ]; then
	skip "registry login end to end: needs root (namespaces, chroot)"
	exit 0
fi
for t in unshare nsenter chroot ip debootstrap dpkg-deb python3; do
	command -v $t >/dev/null || { skip "registry login end to end: $t is not installed"; exit 0; }
done
[ -x "$DIST/dockdrop" ] || { notok "registry login: $DIST/dockdrop is missing (make)"; exit 1; }
# Debian's docker-registry, fetched once with a private apt configuration and cached
# (never committed).
deb=$(ls "$CACHE"/registry/docker-registry_*.deb 2>/dev/null | head -n 1)
if [ -z "$deb" ]; then
	mkdir -p "$CACHE/registry" &&
		(cd "$CACHE/registry" && timeout 300 sh "$OLDPWD/third_party/apt.sh" "$OLDPWD/$BUILD/apt" -- \
			download docker-registry >/dev/null 2>&1)
	deb=$(ls "$CACHE"/registry/docker-registry_*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || { notok "registry login: apt-get download docker-registry failed"; exit 1; }
fi
LOWER=$(sh tests/e2e/mkroot.sh) || { notok "registry login: the Debian root could not be made"; exit 1; }
T=$(mktemp -d /tmp/dd-reg.XXXXXX)
trap 'umount -R "$T/root" 2>/dev/null; rm -rf "$T"' EXIT
dpkg-deb -x "$deb" "$T/pkg" || { notok "registry login: dpkg-deb -x $deb"; exit 1; }
cp tests/e2e/registry_inside.sh tests/e2e/lib_inside.sh tests/e2e/token_server.py "$T/"
DIST_DOCKDROP=$(cd "$DIST" && pwd)/dockdrop
export DIST_DOCKDROP
# The registry's certificate from a CA of dockdrop's own making (not the one install
# makes in the root: the registry is another site's).
"$DIST_DOCKDROP" ca init -q --dir "$T/ca" && "$DIST_DOCKDROP" ca issue server -q --ca "$T/ca" \
	--out "$T/srv" --san registry.test --san dns.registry.test --san token.test --san auth.test --san 10.88.0.2 ||
	{ notok "registry login: dockdrop ca init/issue for the registry"; exit 1; }
# A password no file holds by chance, and its bcrypt hash (python3's crypt: bookworm's
# python3 has it; Go's bcrypt reads $2b$).
PASS=dd$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')Pw
printf '%s\n' "$PASS" >"$T/pass"
printf '%s\n' "$PASS" >"$T/pass.file" && printf 'not-%s\n' "$PASS" >"$T/wrong.file" &&
	printf 'other-password\n' >"$T/other.file" && chmod 600 "$T/pass.file" "$T/wrong.file" "$T/other.file"
printf 'not-%s\n' "$PASS" >"$T/wrong"
DD_PASS=$PASS python3 -W ignore -c 'import crypt, os
print("alice:" + crypt.crypt(os.environ["DD_PASS"], crypt.METHOD_BLOWFISH))' >"$T/htpasswd" &&
	grep -q '^alice:\$2' "$T/htpasswd" || { notok "registry login: bcrypt htpasswd with python3"; exit 1; }
cat >"$T/config.yml" <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $T/data
http:
  addr: 10.88.0.2:5000
  tls:
    certificate: $T/srv/server-cert.pem
    key: $T/srv/server-key.pem
auth:
  htpasswd:
    realm: dd-realm
    path: $T/htpasswd
EOF
# The name server (python3's socket module): one UDP answer per question.
# shellcheck disable=SC2089,SC2090
DNS='import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.88.0.2", 53))
while True:
    q, a = s.recvfrom(512)
    i = 12
    while q[i]:
        i += 1 + q[i]
    name = bytes(c if c > 31 else 46 for c in q[13:i]).decode().lower()
    hit = name == "dns.registry.test" and q[i + 2] == 1
    head = q[:2] + bytes([0x81, 0x80 if hit else 0x83]) + q[4:6] + bytes([0, 2 if hit else 0, 0, 0, 0, 0])
    ans = b"\xc0\x0c\x00\x05\x00\x01\x00\x00\x00\x3c\x00\x0c\x05alias\x04test\x00" + \
        b"\xc0\x2f\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x0a\x58\x00\x02" if hit else b""
    s.sendto(head + q[12:i + 5] + ans, a)'
export DNS
# The token registry: tokens signed by this key, whose certificate the registry trusts.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/sign.key" -out "$T/sign.pem" -subj /CN=dd-token \
	-days 2 >/dev/null 2>&1 || { notok "registry login: openssl req for the token signing key"; exit 1; }
sed -e "s|$T/data|$T/data2|" -e 's|10.88.0.2:5000|10.88.0.2:5002|' -e '/^auth:/,$d' "$T/config.yml" >"$T/config2.yml"
cat >>"$T/config2.yml" <<EOF
auth:
  token:
    realm: https://auth.test:5003/token
    service: dd-registry
    issuer: dd-issuer
    rootcertbundle: $T/sign.pem
EOF
timeout -k 10 "${DD_E2E_LIMIT:-600}" unshare --mount --net --pid --fork --kill-child --mount-proc \
	sh "$0" --inner "$T" "$LOWER"
rc=$?
[ $rc -eq 124 ] && notok "registry login: the session did not finish within ${DD_E2E_LIMIT:-600} s"
exit $rc
