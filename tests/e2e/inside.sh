# Run by test_install.sh inside the chroot (a debootstrap'd bookworm root in its own
# mount, network and PID namespaces). /tmp is a tmpfs that the tree digests leave out.
set -u
DD=/tmp/dockdrop
C=/etc/dockdrop/client
PORT=2376
. /tmp/lib_inside.sh
digest >/tmp/tree.before

# Neither this root nor the machine has iptables: dockerd's bridge networking and published
# ports run on the iptables dockdrop carries (legacy or nft, as install chooses). The root
# is an overlay (no overlay2 on top of it), hence vfs.
OPTS_BASE="--init none --tls-san 127.0.0.1 --daemon-opt storage-driver=\"vfs\""
CLIENT=$(cat /tmp/client.pid)
XT=/opt/dockdrop/engine/current/iptables
# on_client CMD...: run CMD on the second host (10.77.0.2, test_install.sh made it).
on_client() { nsenter --net="/proc/$CLIENT/ns/net" "$@"; }
# fetch HOST PORT [on_client]: the body of the page at / (one line; busybox nc, since the
# static busybox's wget crashes resolving even an address), 10 s at most.
fetch() {
	printf 'GET / HTTP/1.0\r\n\r\n' | ${3:-} timeout 10 busybox nc -w 5 "$1" "$2" 2>/dev/null |
		tail -n 1 | tr -d '\r'
}
check "the root has no iptables of its own" sh -c '! command -v iptables && ! command -v ip6tables'
# e2e.example is taken off again below: the certificate must lose it.
OPTS="$OPTS_BASE --tls-san e2e.example"

# --- install -------------------------------------------------------------------------------
t0=$(date +%s%N)
# shellcheck disable=SC2086
$DD install -v $OPTS >/tmp/install.out 2>/tmp/install.err
rc=$?
t1=$(date +%s%N)
echo "# install: $(((t1 - t0) / 1000000)) ms"
if [ $rc -eq 0 ] && grep -q '^mTLS verified' /tmp/install.out; then
	ok "install --init none: exit 0 and mTLS verified"
else
	notok "install --init none: exit $rc: $(tail -n 12 /tmp/install.err | tr '\n' '|' | cut -c1-900)"
	cat /tmp/install.out | sed 's/^/# /'
	exit 1
fi
# install -v: the time of each step (the keys for the certificates made during the unpack)
grep '^time: ' /tmp/install.out | sed 's/^/# /'
steps=$(sed -n 's/^time: \(.*[a-z]\) [0-9]*\.[0-9] ms$/\1/p' /tmp/install.out | tr '\n' ,)
if [ "$steps" = "preflight,unpack,keys made beside it,certificates,configuration,service start,socket ping,mTLS proof," ] &&
	grep -q '^time: [0-9]*\.[0-9] ms to mTLS verified$' /tmp/install.out; then
	ok "install -v: the time of each step, then the total to mTLS verified"
else
	notok "install -v: steps '$steps'"
fi
DPID=$(cat /run/dockdrop/dockerd.pid 2>/dev/null)
CPID=$(cat /run/dockdrop/containerd.pid 2>/dev/null)
alive "$DPID" && alive "$CPID" && ok "dockerd ($DPID) and containerd ($CPID) run with pid files" ||
	notok "daemons: dockerd '$DPID' containerd '$CPID'"
check "binaries linked into /usr/local/bin through the current engine" \
	sh -c 'readlink /usr/local/bin/dockerd | grep -qx /opt/dockdrop/engine/current/docker/dockerd &&
		[ -x /usr/local/bin/docker ] && [ -d "$(readlink -f /opt/dockdrop/engine/current)" ]'
check "key files are 0600" sh -c '[ "$(stat -c %a /etc/docker/tls/server-key.pem /etc/dockdrop/client/key.pem /etc/dockdrop/ca/ca-key.pem | sort -u)" = 600 ]'
check "the CA directory is 0700" sh -c '[ "$(stat -c %a /etc/dockdrop/ca)" = 700 ]'
check "docker group in /etc/group and /etc/gshadow" sh -c 'grep -q "^docker:x:[0-9]*:" /etc/group && grep -q "^docker:!*:" /etc/gshadow'
check "daemon.json has tlsverify and the user's options" sh -c \
	'grep -q "\"tlsverify\": *true" /etc/docker/daemon.json && grep -q "\"storage-driver\": *\"vfs\"" /etc/docker/daemon.json'
# The names found: the host's own addresses in, its IPv6 temporary one out (when the
# namespace has IPv6: test_install.sh made ddeth0).
$DD ca show /etc/docker/tls/server-cert.pem >/tmp/show0.out 2>&1
SANS0=" $(sed -n 's/^sans *//p' /tmp/show0.out) "
case "$SANS0" in
*" 10.77.0.1 "*) ok "the certificate names ddeth0's 10.77.0.1 (discovered)" ;;
*) notok "10.77.0.1 not discovered: $SANS0" ;;
esac
if [ -e /proc/net/if_inet6 ]; then
	ntemp=$(grep -c '^20010db80007[0-9a-f]* [0-9a-f]* [0-9a-f]* [0-9a-f]* [0-9a-f][13579bdf] ' /proc/net/if_inet6)
	v6=$(echo "$SANS0" | tr ' ' '\n' | grep -c '^2001:db8:7:')
	[ "$ntemp" -ge 1 ] && [ "$v6" = 1 ] && case "$SANS0" in *" 2001:db8:7::1 "*) true ;; *) false ;; esac &&
		ok "the certificate names 2001:db8:7::1 and none of the $ntemp temporary addresses beside it" ||
		notok "IPv6: $ntemp temporary, names: $SANS0"
fi

# --- the real docker CLI with the client files ----------------------------------------------
TLS="--tlsverify --tlscacert $C/ca.pem --tlscert $C/cert.pem --tlskey $C/key.pem -H tcp://127.0.0.1:$PORT"
# shellcheck disable=SC2086
check "docker --tlsverify -H tcp://127.0.0.1:$PORT version" sh -c "docker $TLS version | grep -q '^Server:'"
check "docker.env works as it is (. docker.env; docker version)" sh -c \
	". $C/docker.env && export DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH && docker version | grep -q '^Server:'"

# --- a tiny image: busybox-static imported, saved, loaded, run ------------------------------
mkdir -p /tmp/img/bin && cp /bin/busybox /tmp/img/bin/busybox && ln -s busybox /tmp/img/bin/sh
# shellcheck disable=SC2086
if tar -C /tmp/img -c . | docker $TLS import - dd-tiny:1 >/dev/null 2>/tmp/err &&
	docker $TLS save -o /tmp/tiny.tar dd-tiny:1 2>>/tmp/err && docker $TLS rmi dd-tiny:1 >/dev/null 2>>/tmp/err; then
	check "docker load of the test image" sh -c "docker $TLS load -i /tmp/tiny.tar | grep -q dd-tiny:1"
	out=$(timeout 120 docker $TLS run --rm --network none dd-tiny:1 /bin/sh -c 'echo hello from dockdrop' 2>/tmp/err)
	[ "$out" = "hello from dockdrop" ] && ok "docker run --network none prints the expected line" ||
		notok "docker run: '$out': $(tail -n 3 /tmp/err | tr '\n' '|')"
else
	notok "making the test image (import, save): $(tail -n 3 /tmp/err | tr '\n' '|')"
fi

# --- real use, then the same install again: nothing to do, nothing restarted ---------------
# What a machine in use has and a fresh one has not: docker0 (the daemon made it), a user
# network's br-<id>, a network whose bridge has a name of the user's (left out only
# because the daemon reports its subnet), a running container, a veth pair (one end with
# a link-local address only), an interface that is down with an address. None of them may
# change the certificate, restart dockerd or stop the container.
ifaddr() { busybox ip -o addr show dev "$1" 2>/dev/null | grep -q " inet $2"; }
ifup() { busybox ip -o link show dev "$1" 2>/dev/null | grep -q '<[^>]*,UP[,>]'; }
peer_of() { busybox ip -o link | sed -n "s/^[0-9]*: \([^@:]*\)@$1:.*/\1/p"; }
# shellcheck disable=SC2086
docker $TLS network create dd-user >/tmp/net.id 2>/tmp/err &&
	docker $TLS network create -o com.docker.network.bridge.name=ddbr0 dd-named >/dev/null 2>>/tmp/err ||
	notok "docker network create: $(tail -n 3 /tmp/err | tr '\n' '|')"
BR=br-$(cut -c1-12 /tmp/net.id)

# --- container networking: the default bridge and a user network, published ports ----------
# A web server on each (busybox httpd, a page with a token), published on 8080 and 8082;
# the second host (10.77.0.2) reaches them at 10.77.0.1 (PREROUTING DNAT, FORWARD), and a
# container on the bridge fetches a page from the second host (MASQUERADE: that host has
# no route back to 172.16/12).
WEB='mkdir -p /www && echo "$TOKEN" >/www/index.html && exec busybox httpd -f -p 80 -h /www'
# shellcheck disable=SC2086
W1=$(docker $TLS run -d -e TOKEN=dd-bridge-page -p 8080:80 dd-tiny:1 /bin/sh -c "$WEB" 2>/tmp/err) ||
	notok "docker run -d -p 8080:80 on the default bridge: $(tail -n 3 /tmp/err | tr '\n' '|')"
# shellcheck disable=SC2086
W2=$(docker $TLS run -d --network dd-user -e TOKEN=dd-user-page -p 8082:80 dd-tiny:1 /bin/sh -c "$WEB" 2>/tmp/err) ||
	notok "docker run -d -p 8082:80 on dd-user: $(tail -n 3 /tmp/err | tr '\n' '|')"
# answers HOST PORT TOKEN [on_client]: the page is TOKEN within 10 tries.
answers() {
	i=0
	while [ $i -lt 10 ]; do
		[ "$(fetch "$1" "$2" "${4:-}")" = "$3" ] && return 0
		sleep 0.5
		i=$((i + 1))
	done
	return 1
}
check "the second host reaches a published port on the default bridge (10.77.0.1:8080)" answers 10.77.0.1 8080 dd-bridge-page on_client
check "the second host reaches a published port on a user network (10.77.0.1:8082)" answers 10.77.0.1 8082 dd-user-page on_client
here_answers() { [ "$(fetch 10.77.0.1 8080)" = dd-bridge-page ] && [ "$(fetch 127.0.0.1 8082)" = dd-user-page ]; }
check "this host reaches them too, at its own address and at 127.0.0.1" here_answers
mkdir -p /tmp/client-www && echo dd-from-outside >/tmp/client-www/index.html
on_client busybox httpd -f -p 10.77.0.2:8081 -h /tmp/client-www &
HPID=$!
# shellcheck disable=SC2086
out=$(timeout 60 docker $TLS run --rm dd-tiny:1 /bin/sh -c 'i=0; while [ $i -lt 10 ]; do
	printf "GET / HTTP/1.0\r\n\r\n" | busybox nc -w 3 10.77.0.2 8081 | tail -n 1 | grep . && exit 0
	sleep 0.5; i=$((i + 1)); done; exit 1' 2>/tmp/err)
[ "$out" = dd-from-outside ] && ok "a container on the bridge reaches the second host (masqueraded)" ||
	notok "a container reaching 10.77.0.2:8081: '$out' $(tail -n 3 /tmp/err | tr '\n' '|')"
kill "$HPID" 2>/dev/null
check "dockerd's rules are in the carried iptables (DOCKER chain with the DNAT for 8080)" sh -c \
	"$XT/iptables -w -t nat -S DOCKER | grep -q -- '--dport 8080 -j DNAT --to-destination 172\\.'"
$DD status >/tmp/status.out 2>&1
check "status: iptables carried, with its backend" grep -Eq '^iptables +carried, (legacy|nft) backend' /tmp/status.out
# the tree digest install recorded from the digests its workers took while writing is the
# one status gets by reading every file back
check "status: the engine's files as unpacked" grep -Eq '^files +as unpacked$' /tmp/status.out
# shellcheck disable=SC2086
CID=$(docker $TLS run -d --network none dd-tiny:1 /bin/busybox sleep 100000 2>/tmp/err) ||
	notok "docker run -d: $(tail -n 3 /tmp/err | tr '\n' '|')"
busybox ip link add veth-dd type veth && busybox ip link set "$(peer_of veth-dd)" name ddpeer &&
	busybox ip addr add 10.99.0.1/24 dev veth-dd && busybox ip addr add 169.254.9.9/16 dev ddpeer &&
	busybox ip link set veth-dd up && busybox ip link set ddpeer up &&
	busybox ip link add dddown type veth && busybox ip link set "$(peer_of dddown)" name dddown2 &&
	busybox ip addr add 10.98.0.1/24 dev dddown ||
	notok "making the veth pairs: $(busybox ip -o link | tr '\n' '|' | cut -c1-300)"
if ifaddr docker0 172. && ifup docker0 && ifaddr "$BR" 172. && ifup "$BR" && ifaddr ddbr0 172. && ifup ddbr0 &&
	ifaddr veth-dd 10.99.0.1 && ifup ddpeer && ifaddr ddpeer 169.254.9.9 && ifaddr dddown 10.98.0.1 && ! ifup dddown; then
	ok "in use: docker0, $BR and ddbr0 up with addresses, veth-dd, ddpeer (link-local), dddown (down), container ${CID%"${CID#????????????}"}"
else
	notok "the interfaces of a machine in use: $(busybox ip -o addr | tr '\n' '|' | cut -c1-600)"
fi
# Every file, link and directory install wrote (the directories it owns, and each path the
# state record lists) with inode, mtime, ctime and size: a rewrite with the same bytes
# shows too. /var/log is the daemons' to write.
written() {
	{
		find /opt/dockdrop /usr/local/bin /etc/docker /etc/dockdrop /var/lib/dockdrop /run/dockdrop \
			/etc/group /etc/gshadow -printf '%p %y %i %T@ %C@ %s\n'
		sed -n 's/^\(file\|keep\|conf\|link\|dir\) \([^ ]*\).*/\2/p' /var/lib/dockdrop/state |
			while read -r p; do find "$p" -maxdepth 0 -printf '%p %y %i %T@ %C@ %s\n'; done
	} | LC_ALL=C sort
}
container() { docker $TLS inspect -f '{{.Id}} {{.State.Running}} {{.State.StartedAt}}' "$CID" 2>&1; }
written >/tmp/written.1
C1=$(container)
sleep 1.1 # a rewrite within the same clock tick could keep the mtime
t0=$(date +%s%N)
# shellcheck disable=SC2086
$DD install -v $OPTS >/tmp/install2.out 2>/tmp/install2.err
rc=$?
echo "# re-run after use: $((($(date +%s%N) - t0) / 1000000)) ms"
if [ $rc -eq 0 ] && grep -q 'already installed, nothing to do' /tmp/install2.out &&
	[ "$(cat /run/dockdrop/dockerd.pid)" = "$DPID" ] && alive "$DPID"; then
	ok "re-run after use: exit 0, already installed, nothing to do; dockerd ($DPID) not restarted"
else
	notok "re-run after use: exit $rc, $(cat /tmp/install2.out /tmp/install2.err | grep -v debug: | tr '\n' '|' | cut -c1-600)"
fi
C2=$(container)
[ "$C2" = "$C1" ] && [ "$(echo "$C2" | cut -d' ' -f2)" = true ] &&
	ok "the container still runs: same id, State.Running, same StartedAt" ||
	notok "the container after the re-run: '$C2' (before: '$C1')"
written >/tmp/written.2
if cmp -s /tmp/written.1 /tmp/written.2 && [ "$(wc -l </tmp/written.1)" -gt 20 ]; then
	ok "no file rewritten: inode, mtime and ctime of $(wc -l </tmp/written.1) paths unchanged"
else
	notok "files rewritten by the re-run: $(diff /tmp/written.1 /tmp/written.2 | grep '^[<>]' | head -n 6 | tr '\n' '|' | cut -c1-600)"
fi
client_answers() {
	[ "$(fetch 10.77.0.1 8080 on_client)" = dd-bridge-page ] && [ "$(fetch 10.77.0.1 8082 on_client)" = dd-user-page ]
}
check "after the re-run both published ports still answer the second host" client_answers
# The daemon's own answer is what leaves ddbr0 out (its name is the user's).
grep -q "discovery: 172\.[0-9.]* on ddbr0 left out" /tmp/install2.err &&
	ok "ddbr0's address left out as inside a network the daemon reports" ||
	notok "ddbr0 not left out: $(grep discovery /tmp/install2.err | tr '\n' '|' | cut -c1-400)"

# --- a --tls-san taken off: the next run removes it from the certificate, and says why ------
# Go's verifier (the docker CLI) reaches the daemon by that name before and not after.
# (debootstrap's minbase root has no /etc/hosts: put back what was, or nothing)
[ -e /etc/hosts ] && cp -a /etc/hosts /tmp/hosts.orig
echo "127.0.0.1 e2e.example" >>/etc/hosts
BYNAME="--tlsverify --tlscacert $C/ca.pem --tlscert $C/cert.pem --tlskey $C/key.pem -H tcp://e2e.example:$PORT"
# shellcheck disable=SC2086
check "docker reaches the daemon as e2e.example (a --tls-san)" sh -c "docker $BYNAME version | grep -q '^Server:'"
# shellcheck disable=SC2086
$DD install $OPTS_BASE >/tmp/install3.out 2>/tmp/install3.err
rc=$?
NPID=$(cat /run/dockdrop/dockerd.pid 2>/dev/null)
if [ $rc -eq 0 ] && grep -qx 'server certificate re-issued: name e2e.example removed' /tmp/install3.out &&
	grep -q '^mTLS verified' /tmp/install3.out && [ "$NPID" != "$DPID" ] && alive "$NPID"; then
	ok "--tls-san e2e.example taken off: \"$(grep 're-issued' /tmp/install3.out)\", dockerd restarted, mTLS verified"
else
	notok "--tls-san taken off: exit $rc: $(cat /tmp/install3.out /tmp/install3.err | tr '\n' '|' | cut -c1-600)"
fi
$DD ca show /etc/docker/tls/server-cert.pem >/tmp/show.out 2>&1
check "the certificate's names lack e2e.example and keep 127.0.0.1 (ca show)" sh -c \
	"grep '^sans' /tmp/show.out | grep -qw 127.0.0.1 && ! grep '^sans' /tmp/show.out | grep -q e2e.example"
# shellcheck disable=SC2086
if timeout 30 docker $BYNAME version >/tmp/out 2>/tmp/err; then
	notok "docker still reaches the daemon as e2e.example"
elif grep -q 'not e2e.example\|valid for' /tmp/err; then
	ok "docker refuses the daemon as e2e.example now ($(grep -o 'valid for[^,]*' /tmp/err | head -n 1 | cut -c1-80))"
else
	notok "docker as e2e.example: stderr lacks the name error: $(tr '\n' '|' </tmp/err | cut -c1-300)"
fi
if [ -e /tmp/hosts.orig ]; then cp -a /tmp/hosts.orig /etc/hosts; else rm -f /etc/hosts; fi
DPID=$NPID
CPID=$(cat /run/dockdrop/containerd.pid 2>/dev/null)
OPTS=$OPTS_BASE

# --- a setting the daemon refuses: the previous configuration is put back, no outage --------
cp -a /etc/docker/daemon.json /tmp/daemon.json.good && cp -a /var/lib/dockdrop/state /tmp/state.good
BAD=$(echo "$OPTS" | sed 's/storage-driver="vfs"/storage-driver="no-such-driver"/')
# shellcheck disable=SC2086
$DD install $BAD >/tmp/undo.out 2>/tmp/undo.err
rc=$?
UPID=$(cat /run/dockdrop/dockerd.pid 2>/dev/null)
if [ $rc -eq 1 ] && grep -q 'the previous configuration is back and dockerd .* answers again' /tmp/undo.err &&
	grep -q "the daemon's log ends with" /tmp/undo.err && grep -q 'no-such-driver' /tmp/undo.err &&
	cmp -s /etc/docker/daemon.json /tmp/daemon.json.good && cmp -s /var/lib/dockdrop/state /tmp/state.good &&
	alive "$UPID" && [ "$UPID" != "$DPID" ]; then
	ok "an unknown storage driver after a good install: exit 1 with the daemon's log, daemon.json and the record put back, dockerd ($UPID) restarted with them"
else
	notok "bad --daemon-opt after a good install: exit $rc: $(tr '\n' '|' </tmp/undo.err | cut -c1-500)"
fi
# shellcheck disable=SC2086
check "after it the old daemon answers again over mTLS" sh -c "docker $TLS version | grep -q '^Server:'"
DPID=$UPID
CPID=$(cat /run/dockdrop/containerd.pid 2>/dev/null)

# --- upgrade to another engine, then --rollback, on the running daemon -----------------------
if [ -x /tmp/dockdrop2 ]; then
	cur() { readlink /opt/dockdrop/engine/current; }
	first=$(cur)
	# shellcheck disable=SC2086
	/tmp/dockdrop2 install $OPTS >/tmp/up.out 2>/tmp/up.err
	rc=$?
	UPID=$(cat /run/dockdrop/dockerd.pid 2>/dev/null)
	if [ $rc -eq 0 ] && grep -q '^restarting' /tmp/up.out && grep -q '^mTLS verified' /tmp/up.out &&
		[ "$(cur)" != "$first" ] && [ -d "/opt/dockdrop/engine/$first" ] && [ "$UPID" != "$DPID" ] && alive "$UPID"; then
		ok "upgrade: new engine $(cur) current, $first kept, daemons restarted, mTLS verified"
	else
		notok "upgrade: exit $rc: $(cat /tmp/up.out /tmp/up.err | tr '\n' '|' | cut -c1-400)"
	fi
	# shellcheck disable=SC2086
	check "after the upgrade the docker CLI works over mTLS" sh -c "docker $TLS version | grep -q '^Server:'"
	$DD install --rollback >/tmp/rb.out 2>/tmp/rb.err
	rc=$?
	DPID=$(cat /run/dockdrop/dockerd.pid 2>/dev/null)
	if [ $rc -eq 0 ] && [ "$(cur)" = "$first" ] && grep -q '^mTLS verified' /tmp/rb.out && alive "$DPID"; then
		ok "install --rollback on the running daemon: $first current again, mTLS verified"
	else
		notok "rollback: exit $rc: $(cat /tmp/rb.out /tmp/rb.err | tr '\n' '|' | cut -c1-400)"
	fi
	CPID=$(cat /run/dockdrop/containerd.pid 2>/dev/null)
else
	notok "upgrade and rollback: no second dockdrop (build/engine/engine.env)"
fi

# --- status --json ------------------------------------------------------------------------
$DD status --json >/tmp/status.json 2>/tmp/err
rc=$?
for want in '"installed":true' '"init":"none"' '"service":"active"' '"tcp":true' '"port":2376' \
	'"socket":{"ok":true' '"tls":{"ok":true' '"healthy":true'; do
	grep -qF "$want" /tmp/status.json || { notok "status --json lacks $want: $(cut -c1-400 /tmp/status.json)"; rc=9; }
done
[ $rc -eq 0 ] && ok "status --json: installed, active, socket and mTLS answer, healthy"
check "status --json names the engine version dockerd reports" sh -c \
	"grep -qF \"\\\"version\\\":\\\"\$(docker $TLS version -f '{{.Server.Version}}')\\\"\" /tmp/status.json"

# --- the client bundle, imported as a docker context ----------------------------------------
$DD client-bundle -o /tmp/client.tgz >/tmp/out 2>/tmp/err
check "client-bundle: a 0600 tar.gz" sh -c '[ "$(stat -c %a /tmp/client.tgz)" = 600 ]'
mkdir -p /tmp/cb && tar -xzf /tmp/client.tgz -C /tmp/cb
check "docker context import of the bundle's export, then docker --context version over mTLS" sh -c \
	'docker context import dd-e2e /tmp/cb/*/*.dockercontext >/dev/null && docker --context dd-e2e version | grep -q "^Server:"'

# --- certs rotate: new leaves, dockerd restarted, the new client certificate works ----------
old=$(sha256sum </etc/docker/tls/server-cert.pem)
$DD certs rotate >/tmp/out 2>/tmp/err
rc=$?
if [ $rc -eq 0 ] && [ "$(sha256sum </etc/docker/tls/server-cert.pem)" != "$old" ] && grep -q 'mTLS verified' /tmp/out; then
	ok "certs rotate: new server certificate, dockerd restarted, mTLS verified"
else
	notok "certs rotate: exit $rc: $(tr '\n' '|' </tmp/err | cut -c1-300)"
fi
DPID=$(cat /run/dockdrop/dockerd.pid 2>/dev/null)
# shellcheck disable=SC2086
check "docker with the rotated client certificate" sh -c "docker $TLS version | grep -q '^Server:'"
$DD certs check >/tmp/certs.out 2>/tmp/err
check "certs check: three certificates, none near expiry" sh -c "[ \$(grep -c \"days left\" /tmp/certs.out) = 3 ] && ! grep -q WARNING /tmp/certs.out"

# --- TLS refused for the wrong clients ------------------------------------------------------
$DD ca init --dir /tmp/other >/dev/null && $DD ca issue client --ca /tmp/other --out /tmp/other-client >/dev/null
refused() { # NAME PATTERN docker-args...
	n=$1 pat=$2; shift 2
	if timeout 30 docker "$@" version >/tmp/out 2>/tmp/err; then
		notok "$n: docker version succeeded"
	elif grep -q '^Server:' /tmp/out; then
		notok "$n: printed a Server section"
	elif grep -qiE "$pat" /tmp/err; then
		ok "$n ($(grep -oiE "$pat" /tmp/err | head -n 1))"
	else
		notok "$n: stderr lacks /$pat/: $(tr '\n' '|' </tmp/err | cut -c1-300)"
	fi
}
refused "plain HTTP to the TLS port is refused" 'HTTP request to an HTTPS server|malformed HTTP' -H tcp://127.0.0.1:$PORT
refused "TLS without a client certificate is refused" 'bad certificate|certificate required|connection reset|handshake' \
	--tlsverify --tlscacert $C/ca.pem -H tcp://127.0.0.1:$PORT
refused "a client certificate from another CA is refused" 'bad certificate|unknown certificate authority|connection reset|handshake' \
	--tlsverify --tlscacert $C/ca.pem --tlscert /tmp/other-client/cert.pem --tlskey /tmp/other-client/key.pem -H tcp://127.0.0.1:$PORT
refused "the server is not trusted under another CA" 'unknown authority|x509' \
	--tlsverify --tlscacert /tmp/other/ca.pem --tlscert $C/cert.pem --tlskey $C/key.pem -H tcp://127.0.0.1:$PORT

# --- uninstall --purge: the tree as before, apart from data ---------------------------------
$DD uninstall --purge >/tmp/un.out 2>/tmp/un.err
rc=$?
[ $rc -eq 0 ] && ok "uninstall --purge: exit 0" || notok "uninstall --purge: exit $rc: $(tr '\n' '|' </tmp/un.err | cut -c1-300)"
sleep 0.2
! alive "$DPID" && ! alive "$CPID" && ok "uninstall stopped dockerd and containerd" ||
	notok "uninstall left dockerd ($DPID) or containerd ($CPID) running"
digest >/tmp/tree.after
if cmp -s /tmp/tree.before /tmp/tree.after; then
	ok "after uninstall --purge the tree is as before (apart from data)"
else
	notok "the tree differs after uninstall --purge: $(diff /tmp/tree.before /tmp/tree.after | grep '^[<>]' | head -n 8 | tr '\n' '|' | cut -c1-600)"
fi
# --- a daemon that cannot start: exit 1 and the end of its log -----------------------------
# shellcheck disable=SC2086
$DD install --init none --daemon-opt iptables=false --daemon-opt 'bridge="none"' \
	--daemon-opt 'storage-driver="no-such-driver"' >/tmp/bad.out 2>/tmp/bad.err
rc=$?
if [ $rc -eq 1 ] && grep -q "the daemon's log ends with" /tmp/bad.err && grep -q 'no-such-driver' /tmp/bad.err; then
	ok "a daemon that does not come up: exit 1 with the end of its log ($(grep -m1 '^dockdrop: install' /tmp/bad.err | cut -c1-100))"
else
	notok "failing daemon: exit $rc: $(tr '\n' '|' </tmp/bad.err | cut -c1-400)"
fi
$DD uninstall --purge >/dev/null 2>&1
check "uninstall --purge after the failed start leaves no daemon" sh -c \
	'! [ -e /run/dockdrop/dockerd.pid ] && ! [ -e /run/dockdrop/containerd.pid ]'

[ $FAILS -eq 0 ]
