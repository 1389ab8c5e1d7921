# client-bundle: a CA and client certificate from `dockdrop ca`, the bundle written from
# them and read with GNU tar (mode 0600, exact listing, member modes, docker.env that a shell
# sources), --root, the default name, --force, a table of refusals (exit 2, nothing written)
# and missing certificates (exit 1). Then the real docker CLI from the engine tarball (its
# own DOCKER_CONFIG and HOME in the temp dir, never the machine's ~/.docker): `docker context
# import` takes the nested .dockercontext (not the tar.gz itself), `context inspect` shows the
# host and TLS material, meta.json is byte for byte what `docker context export` writes for
# the same context, and both the imported context and the sourced docker.env complete a
# mutual-TLS request to a loopback HTTPS server that requires the client certificate.
. "$(dirname "$0")/lib.sh"
T=$T_TMP
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
unset DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_CONTEXT 2>/dev/null

mode() { stat -c %a "$1"; }
# verdict NAME STATUS: ok when STATUS (the $? of the condition before) is 0.
verdict() { if [ "$2" -eq 0 ]; then ok "$1"; else notok "$1"; fi; }
same() { cmp -s "$1" "$2"; }
# snap DIR: every file below DIR with its mode and digest (to show nothing was written).
snap() { (cd "$1" && find . -printf '%P %y %m %s\n' | LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort); }
# expect_refusal NAME RC TEXT ARGS...: client-bundle ARGS exits RC with one line holding TEXT,
# prints nothing on stdout, and $T/w (where outputs go) is unchanged.
expect_refusal() {
	_n=$1 _rc=$2 _text=$3; shift 3
	snap "$T/w" >"$T/before"
	expect_err "$_n" "$_rc" "$_text" "$DOCKDROP" client-bundle "$@"
	snap "$T/w" >"$T/after"
	if [ -s "$T/out" ] || ! cmp -s "$T/before" "$T/after"; then
		notok "$_n: wrote something: stdout $(head -c 100 "$T/out"); $(diff "$T/before" "$T/after" | head -5 | tr '\n' '|')"
	fi
}

if ! $DD_EMU "$DOCKDROP" ca init --dir "$T/ca" -q || ! $DD_EMU "$DOCKDROP" ca issue client --ca "$T/ca" --out "$T/client" -q; then
	notok "client-bundle: ca init / ca issue client"
	exit 0
fi
C=$T/client
mkdir -p "$T/w"

# --- the bundle read by GNU tar -------------------------------------------------------------
B=$T/w/b.tar.gz
run "$DOCKDROP" client-bundle -o "$B" --client-dir "$C" --name VM1.example.com
[ $rc -eq 0 ] && grep -q "client bundle for vm1.example.com:2376 (context vm1.example.com) in $B" "$T/out" &&
	grep -qF "docker context import vm1.example.com ~/.docker/dockdrop-vm1.example.com/vm1.example.com.dockercontext" "$T/out"
verdict "client-bundle: exit 0, says where the bundle is and how to use it" $?
check "client-bundle: the bundle is mode 0600" [ "$(mode "$B")" = 600 ]
N=dockdrop-vm1.example.com
cat >"$T/want.list" <<EOF
$N/
$N/ca.pem
$N/cert.pem
$N/key.pem
$N/docker.env
$N/vm1.example.com.dockercontext
EOF
tar -tzf "$B" >"$T/list" 2>&1
check "client-bundle: tar -tzf lists exactly the six members" cmp -s "$T/list" "$T/want.list"
tar -tvzf "$B" | awk '{ print $1, $2, $NF }' >"$T/vlist"
cat >"$T/want.vlist" <<EOF
drwx------ root/root $N/
-rw-r--r-- root/root $N/ca.pem
-rw-r--r-- root/root $N/cert.pem
-rw------- root/root $N/key.pem
-rw-r--r-- root/root $N/docker.env
-rw------- root/root $N/vm1.example.com.dockercontext
EOF
check "client-bundle: member modes: key.pem and the context 0600, the directory 0700" cmp -s "$T/vlist" "$T/want.vlist"
H=$T/home
mkdir -p "$H/.docker"
tar -xzf "$B" -C "$H/.docker"
D=$H/.docker/$N
same "$D/ca.pem" "$C/ca.pem" && same "$D/cert.pem" "$C/cert.pem" && same "$D/key.pem" "$C/key.pem"
verdict "client-bundle: ca.pem cert.pem key.pem are the client directory's" $?
check "client-bundle: tar -xzf keeps key.pem 0600" [ "$(mode "$D/key.pem")" = 600 ]
cat >"$T/want.env" <<EOF
# dockdrop client bundle for context vm1.example.com. Unpack it into ~/.docker:
#   mkdir -p ~/.docker && tar -xzf b.tar.gz -C ~/.docker
# then either load these settings:  . ~/.docker/$N/docker.env
# or import the context:  docker context import vm1.example.com ~/.docker/$N/vm1.example.com.dockercontext
# Docker client settings for tcp://vm1.example.com:2376 (mutual TLS); in a shell: . THIS-FILE
DOCKER_HOST=tcp://vm1.example.com:2376
DOCKER_TLS_VERIFY=1
DOCKER_CERT_PATH="\$HOME/.docker/$N"
export DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH
EOF
check "client-bundle: docker.env is the expected text" cmp -s "$D/docker.env" "$T/want.env"
env -i HOME="$H" sh -c ". '$D/docker.env' && env" | grep '^DOCKER_' | LC_ALL=C sort >"$T/env"
printf 'DOCKER_CERT_PATH=%s\nDOCKER_HOST=tcp://vm1.example.com:2376\nDOCKER_TLS_VERIFY=1\n' "$D" >"$T/want.sourced"
cmp -s "$T/env" "$T/want.sourced"
verdict "client-bundle: sourcing docker.env exports DOCKER_HOST, DOCKER_TLS_VERIFY=1 and the unpacked directory" $?
tar -tvf "$D/vm1.example.com.dockercontext" 2>&1 | awk '{ print $1, $NF }' >"$T/clist"
cat >"$T/want.clist" <<EOF
-rw-r--r-- meta.json
drwx------ tls/
drwx------ tls/docker/
-rw------- tls/docker/ca.pem
-rw------- tls/docker/cert.pem
-rw------- tls/docker/key.pem
EOF
cmp -s "$T/clist" "$T/want.clist"
verdict "client-bundle: the .dockercontext is a plain tar with meta.json and tls/docker/{ca,cert,key}.pem" $?

# --- the same certificates give the same bytes; --force -------------------------------------
cp "$B" "$T/b.first"
expect_refusal "client-bundle: an existing -o FILE is refused without --force" 2 "$B exists: --force replaces it" \
	-o "$B" --client-dir "$C" --name vm1.example.com
run "$DOCKDROP" client-bundle -o "$B" --client-dir "$C" --name vm1.example.com --force -q
[ $rc -eq 0 ] && [ ! -s "$T/out" ] && cmp -s "$B" "$T/b.first" && [ "$(mode "$B")" = 600 ]
verdict "client-bundle: --force replaces it, byte-identical (member times are cert.pem's)" $?

# --- --root, --port, IPv6, the default name -------------------------------------------------
mkdir -p "$T/root/etc/dockdrop/client" "$T/emptyroot"
cp -p "$C"/*.pem "$T/root/etc/dockdrop/client/"
run "$DOCKDROP" client-bundle -o "$T/w/r.tgz" --root "$T/root" --name 10.0.0.5 --port 12376
[ $rc -eq 0 ] && tar -xzOf "$T/w/r.tgz" dockdrop-10.0.0.5/key.pem | cmp -s - "$C/key.pem" &&
	tar -xzOf "$T/w/r.tgz" dockdrop-10.0.0.5/docker.env | grep -qx 'DOCKER_HOST=tcp://10.0.0.5:12376'
verdict "client-bundle: --root takes /etc/dockdrop/client of the image tree; an IPv4 name is its own context" $?
run "$DOCKDROP" client-bundle -o "$T/w/v6.tgz" --client-dir "$C" --name '[FD00::0:1]'
[ $rc -eq 0 ] && tar -xzOf "$T/w/v6.tgz" dockdrop-fd00--1/docker.env | grep -qx 'DOCKER_HOST=tcp://\[fd00::1\]:2376'
verdict "client-bundle: an IPv6 name goes in brackets in DOCKER_HOST; its context is fd00--1" $?
run "$DOCKDROP" client-bundle -o "$T/w/ctx.tgz" --client-dir "$C" --name vm1.example.com --context prod_vm-1
[ $rc -eq 0 ] && tar -tzf "$T/w/ctx.tgz" | grep -qx 'dockdrop-prod_vm-1/prod_vm-1.dockercontext'
verdict "client-bundle: --context names the context and the directory" $?
hn=$(hostname | tr 'A-Z' 'a-z')
run "$DOCKDROP" client-bundle -o "$T/w/default.tgz" --client-dir "$C" --context dflt
if [ $rc -eq 0 ]; then
	sh -c "tar -xzOf '$T/w/default.tgz' dockdrop-dflt/docker.env | grep -qxF 'DOCKER_HOST=tcp://$hn:2376'"
	verdict "client-bundle: without --name, DOCKER_HOST is this machine's hostname ($hn)" $?
else
	[ $rc -eq 2 ] && grep -q 'give --name' "$T/err"
	verdict "client-bundle: without --name and a hostname that is no DNS name, exit 2 asking for --name" $?
fi
rm -f "$T/w"/*.tgz

# --- refusals: exit 2, one line, nothing written ----------------------------------------------
mkdir -p "$T/w/adir"
while IFS='|' read -r name text args; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086
	eval "set -- $args"
	expect_refusal "client-bundle refuses $name" 2 "$text" "$@"
done <<EOF
--port 0|--port must be a number from 1 to 65535|-o $T/w/x.tgz --client-dir $C --name vm1 --port 0
--port 65536|--port|-o $T/w/x.tgz --client-dir $C --name vm1 --port 65536
--port abc|--port|-o $T/w/x.tgz --client-dir $C --name vm1 --port abc
--name with an underscore|--name 'a_b' is neither a DNS name nor an IP address|-o $T/w/x.tgz --client-dir $C --name a_b
--name with a wildcard|neither a DNS name|-o $T/w/x.tgz --client-dir $C --name '*.example.com'
--name with a port|neither a DNS name|-o $T/w/x.tgz --client-dir $C --name vm1:2376
--name with a zone|neither a DNS name|-o $T/w/x.tgz --client-dir $C --name 'fe80::1%eth0'
--name empty||-o $T/w/x.tgz --client-dir $C --name ''
--name ::1 (no context name from it)|makes no docker context name: give --context NAME|-o $T/w/x.tgz --client-dir $C --name ::1
--context of one character|'x' is not a docker context name|-o $T/w/x.tgz --client-dir $C --name vm1 --context x
--context with a slash|not a docker context name|-o $T/w/x.tgz --client-dir $C --name vm1 --context a/b
--context starting with a dash|not a docker context name|-o $T/w/x.tgz --client-dir $C --name vm1 --context=-ab
-o a directory|$T/w/adir is a directory: name a file|-o $T/w/adir --client-dir $C --name vm1
-o in a missing directory|No such file or directory|-o $T/w/none/x.tgz --client-dir $C --name vm1
-o with a trailing slash|is a directory|-o $T/w/x.tgz/ --client-dir $C --name vm1
--root that does not exist|--root $T/none|-o $T/w/x.tgz --root $T/none --name vm1
an unknown option|--bogus|-o $T/w/x.tgz --client-dir $C --name vm1 --bogus
EOF
expect_refusal "client-bundle refuses an argument" 2 "" -o "$T/w/x.tgz" --client-dir "$C" --name vm1 extra

# --- no client certificate: exit 1, nothing written ---------------------------------------------
mkdir -p "$T/nokey"
cp "$C/ca.pem" "$C/cert.pem" "$T/nokey/"
expect_refusal "client-bundle: no key.pem in --client-dir: exit 1, run install first" 1 \
	"no client certificate in $T/nokey: run dockdrop install first" -o "$T/w/x.tgz" --client-dir "$T/nokey" --name vm1
expect_refusal "client-bundle: --root without /etc/dockdrop/client: exit 1, names the mapped directory" 1 \
	"no client certificate in $(cd "$T/emptyroot" && pwd -P)/etc/dockdrop/client: run dockdrop install first" \
	-o "$T/w/x.tgz" --root "$T/emptyroot" --name vm1
ln -s "$C/key.pem" "$T/nokey/key.pem"
expect_refusal "client-bundle: a symlinked key.pem is refused" 1 "$T/nokey/key.pem: " \
	-o "$T/w/x.tgz" --client-dir "$T/nokey" --name vm1
rm "$T/nokey/key.pem"
echo "not a key" >"$T/nokey/key.pem"
expect_refusal "client-bundle: a key.pem that is no PEM key is refused" 1 "key.pem: no private key in PEM form" \
	-o "$T/w/x.tgz" --client-dir "$T/nokey" --name vm1

# --- the real docker CLI --------------------------------------------------------------------
ENGINE=
if [ -f "$NATIVE_BUILD/engine/engine.env" ]; then
	ENGINE=$(sed -n 's/^ENGINE_FILE=//p' "$NATIVE_BUILD/engine/engine.env")
	case $ENGINE in '' | /*) ;; *) ENGINE=$TOP/$ENGINE ;; esac
fi
if [ -z "$ENGINE" ] || [ ! -f "$ENGINE" ]; then
	set -- "$NATIVE_BUILD"/engine/docker-*.tgz
	ENGINE=
	[ $# -eq 1 ] && [ -f "$1" ] && ENGINE=$1
fi
if [ -z "$ENGINE" ] || ! tar -xzf "$ENGINE" -C "$T" docker/docker 2>/dev/null; then
	skip "client-bundle: no engine tarball with docker/docker in $NATIVE_BUILD/engine (make): docker CLI checks"
	exit 0
fi
if ! command -v jq >/dev/null 2>&1; then
	skip "client-bundle: no jq: docker CLI checks"
	exit 0
fi
DOCKER=$T/docker/docker
export DOCKER_CONFIG="$T/dcfg" HOME="$H"
mkdir -p "$DOCKER_CONFIG"
X=$D/vm1.example.com.dockercontext

# (A context name has two characters at least: `docker context import t ...` is refused.)
run "$DOCKER" context import tt "$B"
[ $rc -ne 0 ] && grep -q 'invalid tar header' "$T/err"
verdict "docker context import refuses the tar.gz itself (hence the nested .dockercontext)" $?
run "$DOCKER" context import tt "$X"
[ $rc -eq 0 ] && grep -q 'Successfully imported context "tt"' "$T/out" "$T/err"
verdict "docker context import tt NAME.dockercontext" $?
"$DOCKER" context inspect tt >"$T/inspect.json" 2>&1
jq_ok() { jq -e "$2" "$T/inspect.json" >/dev/null 2>&1 && ok "$1" || notok "$1: $(tr -d ' \n' <"$T/inspect.json" | head -c 400)"; }
jq_ok "docker context inspect tt: Host tcp://vm1.example.com:2376, TLS verified, description" \
	'.[0].Name == "tt" and .[0].Endpoints.docker.Host == "tcp://vm1.example.com:2376" and
	 .[0].Endpoints.docker.SkipTLSVerify == false and
	 .[0].Metadata.Description == "dockdrop: tcp://vm1.example.com:2376"'
jq_ok "docker context inspect tt: TLS material ca.pem cert.pem key.pem" \
	'.[0].TLSMaterial.docker == ["ca.pem", "cert.pem", "key.pem"]'
S=$(jq -r '.[0].Storage.TLSPath' "$T/inspect.json")/docker
same "$S/ca.pem" "$C/ca.pem" && same "$S/cert.pem" "$C/cert.pem" && same "$S/key.pem" "$C/key.pem"
verdict "docker stored the bundle's ca.pem, cert.pem and key.pem" $?
case $S in "$T"/*) ok "docker wrote only below the temp DOCKER_CONFIG" ;; *) notok "docker wrote to $S" ;; esac

# The same context made by docker itself, exported: the same meta.json bytes and members.
export DOCKER_CONFIG="$T/dcfg2"
mkdir -p "$DOCKER_CONFIG"
"$DOCKER" context create vm1.example.com --description "dockdrop: tcp://vm1.example.com:2376" \
	--docker "host=tcp://vm1.example.com:2376,ca=$C/ca.pem,cert=$C/cert.pem,key=$C/key.pem" >/dev/null 2>&1
"$DOCKER" context export vm1.example.com "$T/theirs.dockercontext" >/dev/null 2>&1
tar -xOf "$T/theirs.dockercontext" meta.json >"$T/theirs.meta" 2>/dev/null
tar -xOf "$X" meta.json >"$T/ours.meta"
[ -s "$T/theirs.meta" ] && cmp -s "$T/theirs.meta" "$T/ours.meta"
verdict "meta.json is byte for byte what docker context export writes" $?
tar -tvf "$T/theirs.dockercontext" 2>/dev/null | awk '{ sub(/\/$/, "", $NF); print $1, $NF }' >"$T/theirs.list"
tar -tvf "$X" | awk '{ sub(/\/$/, "", $NF); print $1, $NF }' >"$T/ours.list"
[ -s "$T/theirs.list" ] && cmp -s "$T/theirs.list" "$T/ours.list"
verdict "the .dockercontext holds the members docker's export holds, same order and modes" $?
export DOCKER_CONFIG="$T/dcfg"

# --- mutual TLS with the imported context and with docker.env ---------------------------------
if ! command -v python3 >/dev/null 2>&1; then
	skip "client-bundle: no python3: mutual-TLS request with the bundle"
	exit 0
fi
$DD_EMU "$DOCKDROP" ca issue server --ca "$T/ca" --out "$T/srv" --san 127.0.0.1 -q
# A loopback HTTPS server that requires a client certificate from the CA and answers the
# docker CLI's ping and version with the client certificate's CN as the server's "Os".
cat >"$T/srv.py" <<'EOF'
import http.server, json, ssl, sys
d = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def reply(self, body, head=False):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Api-Version", "1.41")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)
    def do_HEAD(self):
        self.reply(b"OK", True)
    def do_GET(self):
        cn = dict(x[0] for x in self.connection.getpeercert()["subject"]).get("commonName", "")
        if self.path.endswith("/version"):
            self.reply(json.dumps({"Version": "bundle-test", "ApiVersion": "1.41",
                                   "MinAPIVersion": "1.12", "Os": cn, "Arch": "amd64"}).encode())
        else:
            self.reply(b"OK")
    def log_message(self, *a):
        pass
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(d + "/server-cert.pem", d + "/server-key.pem")
ctx.load_verify_locations(d + "/ca.pem")
ctx.verify_mode = ssl.CERT_REQUIRED
class S(http.server.HTTPServer):
    def get_request(self):
        try:
            return super().get_request()
        except ssl.SSLError as e:
            print("refused:", e.reason, file=sys.stderr, flush=True)
            raise
srv = S(("127.0.0.1", 0), H)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
EOF
python3 "$T/srv.py" "$T/srv" >"$T/port" 2>"$T/srv.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null; rm -rf "$T_TMP"' EXIT
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do [ -s "$T/port" ] && break; sleep 0.2; done
PORT=$(cat "$T/port")
if [ -z "$PORT" ]; then
	notok "client-bundle: the loopback HTTPS server did not start: $(head -c 200 "$T/srv.err")"
	exit 0
fi
mkdir -p "$T/h2/.docker"
$DD_EMU "$DOCKDROP" client-bundle -q -o "$T/w/lo.tgz" --client-dir "$C" --name 127.0.0.1 --port "$PORT" --context lo
tar -xzf "$T/w/lo.tgz" -C "$T/h2/.docker"
"$DOCKER" context import lo "$T/h2/.docker/dockdrop-lo/lo.dockercontext" >/dev/null 2>&1
run timeout 30 "$DOCKER" --context lo version --format '{{.Server.Version}} {{.Server.Os}}'
[ $rc -eq 0 ] && [ "$(cat "$T/out")" = "bundle-test client" ]
verdict "docker --context lo version: mutual TLS with the imported context (the server saw CN=client)" $?
run timeout 30 env -i PATH="$PATH" HOME="$T/h2" DOCKER_CONFIG="$T/dcfg3" sh -c \
	". '$T/h2/.docker/dockdrop-lo/docker.env' && '$DOCKER' version --format '{{.Server.Version}} {{.Server.Os}}'"
[ $rc -eq 0 ] && [ "$(cat "$T/out")" = "bundle-test client" ]
verdict "docker with docker.env sourced: mutual TLS with the unpacked DOCKER_CERT_PATH" $?
# A client certificate from another CA: client-bundle refuses to pack it (one line, exit
# 2, nothing written), and the server refuses the handshake when docker is given it anyway.
$DD_EMU "$DOCKDROP" ca init --dir "$T/ca2" -q && $DD_EMU "$DOCKDROP" ca issue client --ca "$T/ca2" --out "$T/client2" -q
cp "$C/ca.pem" "$T/client2/ca.pem"
run "$DOCKDROP" client-bundle -q -o "$T/w/lo2.tgz" --client-dir "$T/client2" --name 127.0.0.1 --port "$PORT" --context lo2
[ $rc -eq 2 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q 'cert.pem was not issued by' "$T/err" && [ ! -e "$T/w/lo2.tgz" ]
verdict "client-bundle refuses a client certificate its ca.pem did not issue (exit 2, one line)" $?
run timeout 30 env DOCKER_HOST="tcp://127.0.0.1:$PORT" DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$T/client2" \
	DOCKER_CONFIG="$T/dcfg4" "$DOCKER" version --format '{{.Server.Version}}'
# (What the client then reports is racy under TLS 1.3: "bad certificate", EOF or a reset;
# the server's log says why it refused.)
[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q 'refused: .*CERTIFICATE_VERIFY_FAILED' "$T/srv.err"
verdict "docker --context with a client certificate from another CA is refused in the handshake" $?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q 'refused: ' "$T/srv.err" ||
	echo "# exit $rc: $(head -c 300 "$T/err" | tr '\n' '|'); server: $(head -c 300 "$T/srv.err" | tr '\n' '|')"
kill $SRV 2>/dev/null
wait $SRV 2>/dev/null || true  # it ends by our SIGTERM (143): not the test's verdict
