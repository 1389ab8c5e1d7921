# Run by tests/e2e/test_azure.sh (through test_install.sh) inside the chroot: the
# debootstrap'd bookworm root in its own mount, network and PID namespaces. /tmp holds
# the handler package (dockdrop-azure.zip, make release's), the fake agent
# (fake-waagent.sh), status-check.sh and the host's jq, openssl and unzip (/tmp/tools).
# The fake agent lays the handler out in /var/lib/waagent and runs its commands as the
# Azure agent does (AZURE.md 14.4): install in a root with no init system (51), then on a
# sysv one (/sbin/init made here) a fresh enable with no settings, new settings with a
# port, daemon options, a login and certificates of the user's encrypted to the tenant
# certificate, the replay at boot, N from the newest settings file, the legacy schema,
# refusals (a key that is not the certificate's, a blob for another certificate, a missing
# tenant certificate) that change nothing, two enables at once, an upgrade to a second
# handler version, the uninstall. Every status file is checked as the agent takes it
# (status-check.sh); no secret of the inputs is in a status file, the log folder or the
# output the agent keeps.
set -u
. /tmp/lib_inside.sh
PATH=/tmp/tools/bin:$PATH
export PATH
FW="sh /tmp/fake-waagent.sh"
ZIP=/tmp/dockdrop-azure.zip
LIB=/var/lib/waagent
NAME=Example.Publisher.DockDrop
V1=1.0.0 V2=1.0.1
B=$LIB/$NAME-$V1
HV=$V1			# the handler version the settings go to
LOG=/var/log/azure/$NAME
IN=/tmp/az		# the test's inputs: the secrets are here, and must be nowhere else
RUNS=/tmp/az-runs	# what the agent kept of each command's output
mkdir -p $IN $RUNS && chmod 700 $IN
DD=/tmp/dockdrop

# agent LABEL ARGS...: the fake agent; what it printed in $RUNS/LABEL.out, its code in $rc.
agent() {
	lbl=$1
	shift
	$FW "$@" >"$RUNS/$lbl.out" 2>&1
	rc=$?
}
says() { grep -v '^seconds=' "$RUNS/$1.out" | tr '\n' '|' | cut -c1-600; }
secs() { sed -n 's/^seconds=//p' "$RUNS/$1.out" | head -n 1; }
# The handler's first line of output (stdout's, else stderr's).
first() { sed -n '/^\[stdout\]$/,$p' "$RUNS/$1.out" | grep -v '^\[std...\]$' | grep -v '^$' | head -n 1; }
dpid() { pidof dockerd; }
# status N WANT LABEL [ERE]: status/N.status as the agent takes it, WANT (success, error),
# its message matching ERE; its "status code message" in $st.
status() {
	st=$(sh /tmp/status-check.sh "$B/status/$1.status" 2>&1)
	if [ $? -ne 0 ]; then
		notok "$3: status/$1.status: $st"
		return 1
	fi
	s=$(printf '%s' "$st" | cut -f1) msg=$(printf '%s' "$st" | cut -f3-)
	if [ "$s" = "$2" ] && printf '%s' "$msg" | grep -Eq -- "${4:-.}"; then
		ok "$3: status/$1.status is $2, as the agent takes it: $msg"
	else
		notok "$3: status/$1.status is $s (want $2${4:+, a message like /$4/}): $msg"
		return 1
	fi
}
mrseq() { [ "$(cat "$B/mrseq" 2>/dev/null)" = "$1" ]; }
# served PORT CERT: the certificate the daemon's TLS port hands out is CERT.
served() {
	want=$(openssl x509 -in "$2" -noout -fingerprint -sha256 2>/dev/null)
	got=$(openssl s_client -connect "127.0.0.1:$1" -showcerts </dev/null 2>/dev/null |
		openssl x509 -noout -fingerprint -sha256 2>/dev/null)
	[ -n "$want" ] && [ "$want" = "$got" ]
}
closed() { ! timeout 5 openssl s_client -connect "127.0.0.1:$1" </dev/null >/dev/null 2>&1; }
# byo_docker PORT ARGS...: the docker CLI with the user's CA and a client certificate of it.
byo_docker() {
	p=$1
	shift
	timeout 30 docker --tlsverify --tlscacert $IN/byo/ca.pem --tlscert $IN/byo/client.pem \
		--tlskey $IN/byo/client-key.pem -H "tcp://127.0.0.1:$p" "$@"
}
b64() { base64 -w0 <"$1"; }
# snapshot NAME: what a refused enable must leave as it was.
snapshot() {
	cat /etc/docker/daemon.json /etc/docker/tls/* /var/lib/dockdrop/state 2>/dev/null | sha256sum >"$IN/snap.$1"
}
unchanged() { cat /etc/docker/daemon.json /etc/docker/tls/* /var/lib/dockdrop/state 2>/dev/null | sha256sum | cmp -s - "$IN/snap.$1"; }
# settings N PUBLIC [PROTECTED-FILE [THUMB [CERT [cms options]]]]: config/N.settings with
# PROTECTED-FILE encrypted to the certificate CERT (default THUMB, default the tenant's)
# under the thumbprint THUMB.
settings() {
	n=$1 pub=$2
	blob=null tp=null
	if [ -n "${3-}" ]; then
		tp=${4:-$TP}
		blob=$($FW encrypt $LIB "${5:-$tp}" "$3" ${6-}) || { notok "encrypt $3"; return 1; }
		blob="\"$blob\"" tp="\"$tp\""
	fi
	printf '{"publicSettings": %s, "protectedSettings": %s, "protectedSettingsCertThumbprint": %s}\n' \
		"$pub" "$blob" "$tp" >"$IN/hs.$n.json"
	$FW settings $LIB $NAME $HV "$n" "$IN/hs.$n.json"
}

# --- the world the agent makes -----------------------------------------------------------------
$FW setup $LIB $NAME $V1 $ZIP >$RUNS/setup.out 2>&1 || { notok "fake agent setup: $(cat $RUNS/setup.out)"; exit 1; }
check "setup: the handler unpacked in $B, bin/dockdrop executable, config/ and status/ 0700" sh -c \
	"[ -x $B/bin/dockdrop ] && [ -f $B/HandlerManifest.json ] && [ \"\$(stat -c %a $B/config $B/status)\" = '700
700' ] && jq -e '.[0].handlerEnvironment.logFolder == \"$LOG\"' $B/HandlerEnvironment.json"
TP=$($FW tenant $LIB) || { notok "tenant certificate: $TP"; exit 1; }
check "a tenant certificate $TP.crt/.prv with the agent's Bag Attributes lines" sh -c \
	"head -n 1 $LIB/$TP.prv | grep -qx 'Bag Attributes' && grep -q '^Key Attributes' $LIB/$TP.prv"
$FW settings $LIB $NAME $V1 0 - && [ ! -s $B/config/0.settings ] && ok "0.settings: empty, as the agent writes no settings" ||
	notok "0.settings"
# The user's own certificates (bring your own): a CA, two server certificates for this
# host's names, a client certificate; and a key of another pair.
mkdir -p $IN/byo && (
	cd $IN/byo || exit 1
	ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
	# shellcheck disable=SC2086
	openssl req -x509 $ec -days 30 -subj /CN=az-byo-ca -keyout ca-key.pem -out ca.pem \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign || exit 1
	for s in srv srv2 client; do
		# shellcheck disable=SC2086
		openssl req -new $ec -subj "/CN=$(hostname)" -keyout $s-key.pem -out $s.csr || exit 1
		if [ $s = client ]; then
			printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n' >$s.ext
		else
			printf 'subjectAltName=DNS:%s,DNS:localhost,IP:127.0.0.1,IP:10.77.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n' \
				"$(hostname)" >$s.ext
		fi
		openssl x509 -req -in $s.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 30 -extfile $s.ext \
			-out $s.pem || exit 1
	done
) >$RUNS/byo.out 2>&1 && ok "the user's CA, two server certificates and a client certificate (openssl)" ||
	{ notok "openssl for the user's certificates: $(tail -n 3 $RUNS/byo.out | tr '\n' '|')"; exit 1; }
PASS=az$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')Pw
AUTH=$(printf 'azuser:%s' "$PASS" | base64 -w0)

# --- install on a root with no init system: 51 --------------------------------------------------
agent install51 run $LIB $NAME $V1 install 0
[ $rc -eq 51 ] && [ -n "$(first install51)" ] && [ -z "$(ls -A $B/status)" ] &&
	ok "install on a root with no init system to own the daemon: exit 51, '$(first install51 | cut -c1-160)', no status file" ||
	notok "install with no init system: exit $rc (want 51): $(says install51)"

# The root becomes a sysvinit one (its /etc/init.d was there; an /sbin/init now). The root is
# an overlay (no overlay2 on top of it), hence the machine's own daemon.json says vfs.
printf '#!/bin/sh\n# stands for sysvinit in this test root\nexit 1\n' >/sbin/init && chmod 755 /sbin/init
mkdir -p /etc/docker && printf '{\n  "storage-driver": "vfs"\n}\n' >/etc/docker/daemon.json

# --- a handler package whose dockdrop carries no engine: install exits 52 (a dependency missing) ----
agent bare setup $LIB Example.Publisher.Bare $V1 /tmp/bare-azure.zip
agent bare52 run $LIB Example.Publisher.Bare $V1 install 0
[ $rc -eq 52 ] && grep -q 'bare dockdrop stub' $RUNS/bare52.out && ok "install with a dockdrop carrying no engine: exit 52, $(first bare52)" ||
	notok "install of the bare stub: exit $rc (want 52): $(says bare52)"
rm -rf $LIB/Example.Publisher.Bare-$V1

# --- fresh: install, then enable with no settings --------------------------------------------------
agent install run $LIB $NAME $V1 install
[ $rc -eq 0 ] && [ -z "$(ls -A $B/status)" ] && ok "install (preflight): exit 0 in $(secs install) s, no status file" ||
	notok "install: exit $rc: $(says install)"
agent enable0 run $LIB $NAME $V1 enable 0
[ $rc -eq 0 ] && ok "enable N=0 (no settings): exit 0 in $(secs enable0) s" ||
	notok "enable N=0: exit $rc: $(says enable0)"
echo "# enable, fresh (engine, CA, certificates, services, start, handshake): $(secs enable0) s (install's preflight before it: $(secs install) s)"
status 0 success "enable N=0" '^Enable succeeded: Docker [^ ]+ running, mutual TLS on tcp/2376 verified by handshake$'
check "mrseq is 0" mrseq 0
check "the handler's log $LOG/dockdrop-handler.log, 0600" sh -c "[ \"\$(stat -c %a $LOG/dockdrop-handler.log)\" = 600 ]"
$DD client-bundle -o $IN/cb.tgz --name 127.0.0.1 >$RUNS/cb.out 2>&1 && mkdir -p $IN/cb && tar -xzf $IN/cb.tgz -C $IN/cb
C=$IN/cb/dockdrop-127.0.0.1
check "docker over mutual TLS on 127.0.0.1:2376 with the client bundle" sh -c \
	"timeout 30 docker --tlsverify --tlscacert $C/ca.pem --tlscert $C/cert.pem --tlskey $C/key.pem -H tcp://127.0.0.1:2376 version | grep -q '^Server:'"
D0=$(dpid)
[ -n "$D0" ] && ok "dockerd runs ($D0), started through the sysv scripts" || notok "no dockerd after enable N=0"

# --- N=1: port 4243, daemon options, a login and the user's certificates, encrypted ------------------
printf '{"certs": {"ca": "%s", "cert": "%s", "key": "%s"}, "login": {"server": "10.99.0.1:5000", "username": "azuser", "password": "%s", "email": "az@example.com"}}' \
	"$(b64 $IN/byo/ca.pem)" "$(b64 $IN/byo/srv.pem)" "$(b64 $IN/byo/srv-key.pem)" "$PASS" >$IN/prot1.json
settings 1 '{"docker": {"port": "4243", "options": ["--label", "az=1"]}}' $IN/prot1.json
L0=$(wc -l <$LOG/dockdrop-handler.log)
agent enable1 run $LIB $NAME $V1 enable 1
[ $rc -eq 0 ] && ok "enable N=1: exit 0 in $(secs enable1) s" || notok "enable N=1: exit $rc: $(says enable1)"
status 1 success "enable N=1" '^Enable succeeded: .*tcp/4243'
# With the user's certificates dockdrop has no client pair to make the handshake with: the
# status may claim one only when the handler's log does not say the port went untested.
tail -n +$((L0 + 1)) $LOG/dockdrop-handler.log >$RUNS/log1
if grep -q 'TLS port was not tested' $RUNS/log1 && printf '%s' "$msg" | grep -q 'verified by handshake'; then
	notok "enable N=1: the status says 'verified by handshake', the handler's log '$(grep 'not tested' $RUNS/log1 | head -n 1)'"
else
	ok "enable N=1: the status claims no handshake that was not made"
fi
check "mrseq is 1" mrseq 1
served 4243 $IN/byo/srv.pem && closed 2376 &&
	ok "port 4243 serves exactly the user's server certificate (openssl s_client), 2376 no longer" ||
	notok "port 4243 does not serve the user's certificate, or 2376 still answers"
byo_docker 4243 version 2>$RUNS/byo1.err | grep -q '^Server:' &&
	ok "the docker CLI with the user's CA and a client certificate of it: version over 4243" ||
	notok "docker with the user's CA on 4243: $(tail -n 2 $RUNS/byo1.err | tr '\n' '|')"
byo_docker 4243 info --format '{{json .Labels}}' >$RUNS/labels1 2>&1
grep -q '"az=1"' $RUNS/labels1 && ok "docker.options --label az=1: the daemon has the label" ||
	notok "label az=1: $(cat $RUNS/labels1)"
grep -q "\"10.99.0.1:5000\"" /root/.docker/config.json 2>/dev/null && grep -qF "$AUTH" /root/.docker/config.json &&
	ok "the login (an unreachable registry: not checked) in root's config.json" ||
	notok "login: config.json: $(cat /root/.docker/config.json 2>&1 | head -c 200)"

# --- the replay at boot: the same N, nothing restarted, the status untouched ---------------------------
cp $B/status/1.status $IN/1.status
snapshot replay
D1=$(dpid)
agent replay1 run $LIB $NAME $V1 enable 1
[ $rc -eq 0 ] && [ "$(dpid)" = "$D1" ] && cmp -s $B/status/1.status $IN/1.status && unchanged replay &&
	ok "enable again with N=1 (a goal-state replay): exit 0 in $(secs replay1) s, dockerd $D1 not restarted, status and files byte-identical" ||
	notok "replay of N=1: exit $rc, dockerd $D1 -> $(dpid), status $(cmp -s $B/status/1.status $IN/1.status && echo same || echo changed): $(says replay1)"
echo "# enable, replay of the same N: $(secs replay1) s"
# A boot: the daemons stopped (as at shutdown), then the agent's enable with the same N.
/etc/init.d/docker stop >/dev/null 2>&1
/etc/init.d/containerd stop >/dev/null 2>&1
i=0
while pidof dockerd containerd >/dev/null && [ $i -lt 60 ]; do sleep 0.5; i=$((i + 1)); done
agent boot1 run $LIB $NAME $V1 enable 1
[ $rc -eq 0 ] && [ -n "$(dpid)" ] && served 4243 $IN/byo/srv.pem && cmp -s $B/status/1.status $IN/1.status &&
	ok "a boot (daemons stopped, enable N=1 again): exit 0, the daemon started again and serving 4243, status byte-identical" ||
	notok "boot replay: exit $rc, dockerd '$(dpid)': $(says boot1)"
status 1 success "after the boot replay"

# --- N taken from the newest settings file when ConfigSequenceNumber is not set ------------------------
cp $B/config/1.settings $B/config/7.settings && touch -d '1 hour ago' $B/config/7.settings
D1=$(dpid)
agent noseq run $LIB $NAME $V1 enable -
[ $rc -eq 0 ] && [ ! -e $B/status/7.status ] && cmp -s $B/status/1.status $IN/1.status && [ "$(dpid)" = "$D1" ] &&
	ok "no ConfigSequenceNumber: N from the newest settings file (1, not the higher but older 7): a replay" ||
	notok "no ConfigSequenceNumber: exit $rc, 7.status $(ls $B/status): $(says noseq)"
rm -f $B/config/7.settings $B/status/7.status

# --- N=2: the legacy schema (dockerport, top-level ca, server-cert, server-key), AES-256 -----------------
printf '{"ca": "%s", "server-cert": "%s", "server-key": "%s"}' \
	"$(b64 $IN/byo/ca.pem)" "$(b64 $IN/byo/srv2.pem)" "$(b64 $IN/byo/srv2-key.pem)" >$IN/prot2.json
settings 2 '{"dockerport": "4245"}' $IN/prot2.json "" "" -aes256
agent enable2 run $LIB $NAME $V1 enable 2
[ $rc -eq 0 ] && ok "enable N=2 (legacy keys): exit 0" || notok "enable N=2 (legacy): exit $rc: $(says enable2)"
status 2 success "enable N=2 (legacy)" '^Enable succeeded: .*tcp/4245'
served 4245 $IN/byo/srv2.pem && closed 4243 &&
	ok "port 4245 serves the second server certificate (server-cert, server-key), 4243 no longer" ||
	notok "port 4245 does not serve the second certificate, or 4243 still answers"
byo_docker 4245 info --format '{{json .Labels}}' >$RUNS/labels2 2>&1
jq -e 'type == "array" and (index("az=1") | not)' $RUNS/labels2 >/dev/null 2>&1 &&
	ok "the daemon option of N=1 is gone with N=2's settings (labels $(cut -c1-80 $RUNS/labels2))" ||
	notok "the labels after N=2: $(cut -c1-200 $RUNS/labels2)"

# --- refused before any change: exit non-zero, an error status with the reason -------------------------
refused() { # N LABEL WANT-RC ERE
	D=$(dpid)
	snapshot "$1"
	agent "enable$1" run $LIB $NAME $V1 enable "$1"
	r=$rc
	status "$1" error "$2" "^Enable failed: .*($4)"
	code=$(jq -r '.[0].status.code' $B/status/"$1".status 2>/dev/null)
	{ [ "$3" = any ] && [ $r -ne 0 ] || [ $r = "$3" ]; } && [ "$code" = $r ] &&
		ok "$2: exit $r, the status's code $code" || notok "$2: exit $r (want $3), code $code: $(says "enable$1")"
	first "enable$1" | grep -Eiq -- "$4" && ok "$2: the first line of output gives the reason: $(first "enable$1" | cut -c1-200)" ||
		notok "$2: the first line of output is not the reason: $(says "enable$1")"
	unchanged "$1" && [ "$(dpid)" = "$D" ] && served 4245 $IN/byo/srv2.pem &&
		ok "$2: nothing changed (daemon.json, certificates, record byte-identical; dockerd $D not restarted)" ||
		notok "$2: something changed: dockerd $D -> $(dpid)"
}
# N=3: the key of the second certificate given with the first.
printf '{"certs": {"ca": "%s", "cert": "%s", "key": "%s"}}' \
	"$(b64 $IN/byo/ca.pem)" "$(b64 $IN/byo/srv.pem)" "$(b64 $IN/byo/srv2-key.pem)" >$IN/prot3.json
settings 3 '{"docker": {"port": "4243"}}' $IN/prot3.json
refused 3 "a certificate with the key of another (N=3)" any 'key'
# N=4: a blob encrypted to a certificate this VM does not have, under the tenant's thumbprint.
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/DC=Another Tenant" -keyout $IN/other.prv \
	-out $IN/other.crt >/dev/null 2>&1 && mkdir -p $IN/otherlib && cp $IN/other.crt $IN/otherlib/OTHER.crt
printf '{"login": {"username": "azuser", "password": "%s"}}' "$PASS" >$IN/prot4.json
settings 4 '{"docker": {"port": "4243"}}' $IN/prot4.json "$TP" "" &&
	blob=$($FW encrypt $IN/otherlib OTHER $IN/prot4.json) &&
	jq --arg b "$blob" '.protectedSettings = $b' $IN/hs.4.json >$IN/hs.4b.json &&
	$FW settings $LIB $NAME $V1 4 $IN/hs.4b.json
refused 4 "protected settings encrypted to another certificate (N=4)" 3 'protected settings|recipient|decrypt'
# N=5: a thumbprint whose certificate the agent has not downloaded.
MISSING=0123456789ABCDEF0123456789ABCDEF01234567
settings 5 '{"docker": {"port": "4243"}}' $IN/prot4.json $MISSING $TP
refused 5 "a tenant certificate that is not there (N=5)" 3 "$MISSING"

# --- two enables at once with the same N: the second exits 0 at once ------------------------------------
settings 6 '{"docker": {"port": "4243", "options": ["--label", "az=6"]}}' $IN/prot1.json
agent enable6a run $LIB $NAME $V1 enable 6 &
E1=$!
i=0
while [ ! -s $B/status/6.status ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
cp $B/status/6.status $IN/6.first 2>/dev/null
agent enable6b run $LIB $NAME $V1 enable 6
r2=$rc
running=no
kill -0 $E1 2>/dev/null && running=yes
wait $E1
r1=$(sed -n 's/^rc=//p' $RUNS/enable6a.out)
[ "$r2" = 0 ] && [ $running = yes ] && awk -v s="$(secs enable6b)" 'BEGIN { exit !(s < 3) }' &&
	ok "a second enable N=6 while the first runs: exit 0 in $(secs enable6b) s" ||
	notok "the second enable N=6: exit $r2 in $(secs enable6b) s, the first still running: $running: $(says enable6b)"
if [ -s $IN/6.first ]; then
	st=$(sh /tmp/status-check.sh $IN/6.first) && ok "the status while enable N=6 ran, as the agent takes it: $st" ||
		notok "the status while enable N=6 ran: $st: $(head -c 400 $IN/6.first)"
fi
[ "$r1" = 0 ] && ok "the first enable N=6: exit 0 in $(secs enable6a) s" || notok "the first enable N=6: exit $r1: $(says enable6a)"
status 6 success "two enables N=6" '^Enable succeeded: .*tcp/4243'
check "mrseq is 6" mrseq 6
check "4243 serves the user's first server certificate again" served 4243 $IN/byo/srv.pem

# --- upgrade to a second handler version: Docker never stops ---------------------------------------------
mkdir -p /tmp/img/bin && cp /bin/busybox /tmp/img/bin/busybox
if tar -C /tmp/img -c . | timeout 60 docker import - dd-tiny:1 >/dev/null 2>$RUNS/img.err &&
	timeout 60 docker run -d --network none --restart always --name az-keep dd-tiny:1 /bin/busybox sleep 100000 \
		>/dev/null 2>>$RUNS/img.err; then
	ok "a container (--network none, --restart always) runs"
else
	notok "a container: $(tail -n 3 $RUNS/img.err | tr '\n' '|')"
fi
started() { docker inspect -f '{{.State.Running}} {{.State.StartedAt}}' az-keep 2>&1; }
K0=$(started)
D6=$(dpid)
mkdir -p $IN/status.v1 && cp -p $B/status/* $IN/status.v1/
cp /var/lib/dockdrop/state $IN/state.v1
agent upgrade upgrade $LIB $NAME $V1 $V2 $ZIP
[ $rc -eq 0 ] && ok "upgrade $V1 -> $V2 (disable, update, uninstall of the old, install, enable): exit 0" ||
	notok "upgrade: exit $rc: $(tr '\n' '|' <$RUNS/upgrade.out | cut -c1-900)"
sed -n 's/^== \(.*\)/\1/p; s/^rc=/  rc=/p' $RUNS/upgrade.out | tr '\n' ' ' | sed 's/^/# /; s/$/\n/'
B=$LIB/$NAME-$V2 HV=$V2
# Carried by the agent: mrseq and every status, as they were (N's is the old version's
# disable's until the new enable writes it).
N=6
rm -f $IN/status.v1/$N.status
check "the old version's folder is gone, the new one has mrseq $N and the other statuses as they were" sh -c \
	"[ ! -e $LIB/$NAME-$V1 ] && [ \"\$(cat $B/mrseq)\" = $N ] && diff -r -x $N.status $IN/status.v1 $B/status"
[ -n "$D6" ] && [ "$(dpid)" = "$D6" ] && [ "${K0%% *}" = true ] && [ "$(started)" = "$K0" ] && ok "Docker never stopped: dockerd $D6, the container running since $(echo "$K0" | cut -d' ' -f2)" ||
	notok "the upgrade stopped Docker: dockerd $D6 -> $(dpid), container '$K0' -> '$(started)'"
# The record names the settings file the certificates came from (a "certs" line): in the
# new version's folder now. Everything else as it was.
grep -v '^certs ' $IN/state.v1 >$IN/state.v1.rest && grep -v '^certs ' /var/lib/dockdrop/state | cmp -s - $IN/state.v1.rest &&
	[ -x "$(readlink -f /usr/local/bin/dockerd)" ] &&
	ok "the engine not removed, the record as it was (but its certs line: $(sed -n 's/^certs //p' /var/lib/dockdrop/state))" ||
	notok "the upgrade changed the record or the engine: $(diff $IN/state.v1 /var/lib/dockdrop/state | grep '^[<>]' | head -n 6 | tr '\n' '|' | cut -c1-600)"
status $N success "after the upgrade" '^Enable succeeded: '
for f in $B/status/*.status; do
	sh /tmp/status-check.sh "$f" >/dev/null || notok "$(sh /tmp/status-check.sh "$f")"
done
ok "every status file so far as the agent takes it: $(ls $B/status | tr '\n' ' ')"
[ -e /var/lib/dockdrop/azure-upgrade ] && echo "# the upgrade marker after the upgrade: $(tr '\n' ' ' </var/lib/dockdrop/azure-upgrade)"

# --- no secret anywhere it could be read --------------------------------------------------------------
# The registry password (and its base64 in config.json), the user's server keys (their
# PEM's second base64 line, all key bits, and a piece of the base64 the settings carry).
KEYLINE=$(sed -n 3p $IN/byo/srv-key.pem)
KEYLINE2=$(sed -n 3p $IN/byo/srv2-key.pem)
KEYB64=$(b64 $IN/byo/srv-key.pem | cut -c 161-220)
printf '%s\n' "$PASS" "$AUTH" "$KEYLINE" "$KEYLINE2" "$KEYB64" >$IN/secrets
leaks=$(grep -rlF -f $IN/secrets $B/status $LOG $RUNS 2>/dev/null)
[ -z "$leaks" ] && ok "no secret (password, key) in a status file, the log folder or the output the agent kept" ||
	notok "secrets in: $leaks"
# On the whole tree only where they belong: config.json (the login), the server key.
leaks=$(find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /var/lib/docker -o -path /var/lib/containerd \) -prune \
	-o -type f -print0 | xargs -0 grep -lF -f $IN/secrets 2>/dev/null | grep -vx -e /root/.docker/config.json -e /etc/docker/tls/server-key.pem)
[ -z "$leaks" ] && ok "the secrets are on disk only in config.json and the server key" || notok "secrets on disk in: $leaks"

# --- enable killed with its process group mid-restart (as the agent's timeout kills it) -------------------
# The agent kills at its timeout, wherever enable is; here the kill comes when the handler's
# log says the daemons are being restarted (a new daemon option), the worst place for it.
# The next enable must converge: containerd running, the option in force.
settings 7 '{"docker": {"port": "4243", "options": ["--label", "az=7"]}}' $IN/prot1.json
L0=$(wc -l <$LOG/dockdrop-handler.log)
agent kill7 run $LIB $NAME $V2 enable 7 &
A=$!
i=0
while ! tail -n +$((L0 + 1)) $LOG/dockdrop-handler.log | grep -q '^restarting containerd and dockerd' && [ $i -lt 600 ]; do
	sleep 0.05
	i=$((i + 1))
done
# The handler's process (its argv starts with its path: a grep's here does not), its group.
hp=$(for p in /proc/[0-9]*; do
	tr '\0' ' ' <$p/cmdline 2>/dev/null | grep -Eq "^(/bin/sh -c )?$LIB/[^ ]*/bin/dockdrop azure-handler enable" &&
		echo ${p#/proc/}
done | head -n 1)
pg=$(cut -d' ' -f5 /proc/$hp/stat 2>/dev/null)
[ -n "$pg" ] && [ "$pg" -gt 1 ] && [ "$pg" != "$(cut -d' ' -f5 /proc/$$/stat)" ] && kill -s KILL -- "-$pg"
wait $A
r=$(sed -n 's/^rc=//p' $RUNS/kill7.out)
if [ -n "$pg" ] && [ "$r" = 137 ]; then
	ok "enable N=7 killed (SIGKILL to its process group $pg) while restarting the daemons"
	st=$(sh /tmp/status-check.sh $B/status/7.status) && ok "the status enable N=7 left when killed, as the agent takes it: $st" ||
		notok "the status enable N=7 left when killed: $st"
else
	notok "enable N=7 was not killed while restarting the daemons (exit $r, group '$pg'): $(says kill7)"
fi
agent enable7 run $LIB $NAME $V2 enable 7
byo_docker 4243 info --format '{{json .Labels}}' >$RUNS/labels7 2>&1
[ $rc -eq 0 ] && mrseq 7 && grep -q '"az=7"' $RUNS/labels7 && served 4243 $IN/byo/srv.pem && pidof containerd >/dev/null &&
	ok "the next enable N=7 converges: exit 0 in $(secs enable7) s, mrseq 7, the label az=7, 4243 served, containerd runs" ||
	{ notok "the enable after the kill: exit $rc, labels $(cat $RUNS/labels7), containerd '$(pidof containerd)': $(says enable7)"
	  grep -v 'loading plugin\|skip loading plugin\|devmapper\|cni\|serving\.\.\.\|Start ' /var/log/dockdrop/containerd.log | tail -n 40 | cut -c1-200 | sed 's/^/# containerd.log: /'
	  grep -E 'level=(error|fatal)' /var/log/dockdrop/docker.log | tail -n 5 | cut -c1-300 | sed 's/^/# docker.log: /'
	  tail -n 30 $LOG/dockdrop-handler.log | sed 's/^/# handler log: /'; }
status 7 success "enable N=7 after the kill"
N=7

# --- a daemon option dockerd refuses (N=8): N=7's configuration back, proved without a client pair -------
# The settings' certificates came without a client pair; /etc/dockdrop/client still holds the
# CA of the install at N=0: the rollback's proof must not take it for the server's.
settings 8 '{"docker": {"port": "4243", "options": ["--label", "az=7", "--storage-driver", "no-such-driver"]}}' $IN/prot1.json
agent enable8 run $LIB $NAME $V2 enable 8
byo_docker 4243 info --format '{{json .Labels}}' >$RUNS/labels8 2>&1
[ $rc -eq 1 ] && grep -q 'the previous configuration is back and dockerd .* answers again' $RUNS/enable8.out &&
	grep -q '"az=7"' $RUNS/labels8 && served 4243 $IN/byo/srv.pem &&
	ok "a storage driver dockerd refuses (N=8): exit 1, N=7's configuration back and answering, 4243 served" ||
	notok "the refused storage driver (N=8): exit $rc, labels $(cut -c1-100 $RUNS/labels8): $(says enable8)"

# --- disable: Docker left running ------------------------------------------------------------------------
D=$(dpid)
agent disable run $LIB $NAME $V2 disable $N
[ $rc -eq 0 ] && [ -n "$D" ] && [ "$(dpid)" = "$D" ] && ok "disable: exit 0, dockerd $D still running" ||
	notok "disable: exit $rc, dockerd $D -> $(dpid): $(says disable)"
status $N success "disable" '^Disable succeeded: Docker left running$'

# --- uninstall: what the record lists goes, the data stays -----------------------------------------------
awk '$1 == "file" || $1 == "link" { print $2 }' /var/lib/dockdrop/state | grep -E '^/(usr/local/bin|etc/init\.d|etc/rc[0-6S]\.d|opt/dockdrop)/' >$IN/gone
agent uninstall uninstall $LIB $NAME $V2
r1=$(sed -n '/^== disable/,/^rc=/s/^rc=//p' $RUNS/uninstall.out)
r2=$(sed -n '/^== uninstall/,/^rc=/s/^rc=//p' $RUNS/uninstall.out)
[ $rc -eq 0 ] && [ "${r1:-0}" = 0 ] && [ "$r2" = 0 ] && ok "uninstall: ${r1:+disable and }uninstall exit 0" ||
	notok "uninstall: disable $r1, uninstall $r2: $(says uninstall)"
left=$(while read -r p; do [ -e "$p" ] || [ -L "$p" ] && echo "$p"; done <$IN/gone)
[ -s $IN/gone ] && [ -z "$left" ] && ! pidof dockerd >/dev/null &&
	ok "the $(wc -l <$IN/gone) recorded units, scripts and binaries are gone, no dockerd runs" ||
	notok "after uninstall: left $(echo "$left" | tr '\n' ' ' | cut -c1-300), dockerd '$(dpid)'"
[ -n "$(ls -A /var/lib/docker/containers 2>/dev/null)" ] && [ -d /var/lib/docker/image ] &&
	ok "/var/lib/docker kept (the container's data is there)" || notok "/var/lib/docker was removed"
check "the handler's folder is gone, its log folder stays" sh -c "[ ! -e $B ] && [ -f $LOG/dockdrop-handler.log ]"
leaks=$(grep -rlF -f $IN/secrets $LOG $RUNS 2>/dev/null)
[ -z "$leaks" ] && ok "no secret in the log folder or the output after the uninstall" || notok "secrets in: $leaks"
[ $FAILS -eq 0 ]
