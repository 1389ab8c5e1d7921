# install with bad input: every malformed invocation or setting exits 2 with one line on
# stderr and changes nothing (the image tree's digest is the same before and after).
# All cases use --root, so nothing here can touch the machine; they are checked before the
# payload is even unpacked.
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$T_TMP

small_dockdrops 1
DD=$T_TMP/dd1

R=$T/root
image_root "$R"
digest() { (cd "$1" && find . -printf '%p %y %m %s %l\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha256sum; }

# Certificates for --certs: a good set, and broken ones.
CA=$T/ca OTHER=$T/other
$DD_EMU "$DOCKDROP" ca init -q --dir "$CA" && $DD_EMU "$DOCKDROP" ca init -q --dir "$OTHER" &&
	$DD_EMU "$DOCKDROP" ca issue server -q --ca "$CA" --out "$T/good" --san localhost --san 127.0.0.1 &&
	$DD_EMU "$DOCKDROP" ca issue client -q --ca "$CA" --out "$T/goodcli" &&
	$DD_EMU "$DOCKDROP" ca issue server -q --ca "$CA" --out "$T/k2" --san localhost &&
	$DD_EMU "$DOCKDROP" ca issue server -q --ca "$OTHER" --out "$T/otherca" --san localhost &&
	$DD_EMU "$DOCKDROP" ca issue client -q --ca "$OTHER" --out "$T/othercli" || { notok "certificate fixtures"; exit 1; }
mkdir "$T/nokey" "$T/mismatch" "$T/wrongca" "$T/notca" "$T/badcli" "$T/clientasserver"
cp "$T/good/ca.pem" "$T/good/server-cert.pem" "$T/nokey/"
cp "$T/good/ca.pem" "$T/good/server-cert.pem" "$T/mismatch/" && cp "$T/k2/server-key.pem" "$T/mismatch/"
cp "$T/good/ca.pem" "$T/wrongca/" && cp "$T/otherca/server-cert.pem" "$T/otherca/server-key.pem" "$T/wrongca/"
cp "$T/good/server-cert.pem" "$T/good/server-key.pem" "$T/notca/" && cp "$T/good/server-cert.pem" "$T/notca/ca.pem"
cp "$T/good/"*.pem "$T/badcli/" && cp "$T/othercli/cert.pem" "$T/othercli/key.pem" "$T/badcli/"
cp "$T/good/ca.pem" "$T/clientasserver/" && cp "$T/goodcli/cert.pem" "$T/clientasserver/server-cert.pem" &&
	cp "$T/goodcli/key.pem" "$T/clientasserver/server-key.pem"
echo 'not pem' >"$T/file"

# One case per line: a name, then the arguments after "install --root R" (eval'd).
cases() {
	cat <<'EOF'
bad SAN|--tls-san 'bad name!'
empty SAN|--tls-san ''
SAN with a slash|--tls-san a/b
SAN label too long|--tls-san aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com
port 0|--port 0
port 70000|--port 70000
port not a number|--port 23a
port negative|--port -1
port given twice|--port 2376 --port 2377
daemon-opt not JSON|--daemon-opt debug=tru
daemon-opt unterminated string|--daemon-opt 'log-level="debug'
daemon-opt without =|--daemon-opt debug
daemon-opt empty key|--daemon-opt =true
daemon-opt two JSON values|--daemon-opt 'debug=true false'
daemon-opt hosts is dockdrop's|--daemon-opt 'hosts=["tcp://0.0.0.0:2375"]'
daemon-opt tlsverify is dockdrop's|--daemon-opt tlsverify=false
daemon-opt tls is dockdrop's|--daemon-opt tls=false
daemon-opt tlskey is dockdrop's|--daemon-opt 'tlskey="/tmp/k.pem"'
unknown init|--init upstart
empty init|--init ''
unknown key type|--key-type dsa
unknown option|--frobnicate
a stray argument|extra
--no-tcp with --port|--no-tcp --port 2377
--no-tcp with --tls-san|--no-tcp --tls-san a.example
--rollback with settings|--rollback --port 2377
--engine not embedded|--engine 99.0.0
--certs missing directory|--certs "$T/none"
--certs without server-key.pem|--certs "$T/nokey"
--certs key not matching the cert|--certs "$T/mismatch"
--certs cert from another CA|--certs "$T/wrongca"
--certs ca.pem not a CA|--certs "$T/notca"
--certs client cert from another CA|--certs "$T/badcli"
--certs client cert as server cert|--certs "$T/clientasserver"
--certs is a file|--certs "$T/file"
--root missing|--root "$T/none"
EOF
}

DOCKDROP=$DD
before=$(digest "$R")
count=0
while IFS='|' read -r name args; do
	count=$((count + 1))
	case $args in --root*) root_args= ;; *) root_args="--root $R" ;; esac
	eval "set -- $root_args $args"
	expect_usage "install: $name" install "$@"
done <<EOF
$(cases)
EOF
after=$(digest "$R")
[ "$before" = "$after" ] && ok "the tree is unchanged after $count bad invocations" ||
	notok "the tree changed during the bad invocations"

# A daemon.json the user broke is bad input too, found before anything changes.
printf '{"debug": true,' >"$R/etc/docker/daemon.json"
before=$(digest "$R")
expect_usage "install: existing daemon.json not valid JSON" install --root "$R"
printf '[1, 2]' >"$R/etc/docker/daemon.json"
expect_usage "install: existing daemon.json not an object" install --root "$R"
printf '{"debug": true, "debug": false}' >"$R/etc/docker/daemon.json"
expect_usage "install: existing daemon.json with a duplicate key" install --root "$R"
printf '{"debug": true,' >"$R/etc/docker/daemon.json"
[ "$before" = "$(digest "$R")" ] && ok "the tree is unchanged after the bad daemon.json cases" ||
	notok "the tree changed during the bad daemon.json cases"
