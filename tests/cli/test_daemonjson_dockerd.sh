# The real dockerd reads the daemon.json that host/daemonjson writes. dockerd 20.10 has
# no --validate, so each file is given to a dockerd started with --config-file and no -H
# (as dockdrop's units start it) in its own namespaces, the way test_docker_tls.sh does:
#   unshare --mount --net --pid --fork --kill-child --mount-proc sh THIS-FILE --inner DIR
# (only its own loopback; dockerd and containerd die with the namespace's first process;
# /etc is an overlay on a tmpfs and /run a tmpfs, so /var/run/docker.sock is the
# namespace's own). The files come from `test_daemonjson --emit` (the unit test binary): a
# user's file with "hosts" tcp://0.0.0.0:2375 and fd:// and "tlsverify": false, merged with
# --daemon-opt storage-driver="vfs" and debug=true, with TCP (tcp.json) and with --no-tcp
# (notcp.json), and tcp.json after unmerge (unmerged.json).
#   DD_ENGINE=docker-X.tgz       the engine tarball (default: found in $BUILD/engine)
#   DD_DAEMONJSON_LIMIT=150      seconds for the whole namespace session
set -u

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }

# ============================================================================================
# Inside the namespaces (PID 1 of the new PID namespace).
# ============================================================================================
if [ "${1-}" = --inner ]; then
	T=$2 PORT=$3
	J=$T/json
	alive() {
		[ -r "/proc/$1/stat" ] || return 1
		st=$(sed 's/^.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
		[ -n "$st" ] && [ "$st" != Z ]
	}
	ip link set lo up || { notok "namespace: lo up"; exit 1; }
	mount --make-rprivate / 2>/dev/null
	mkdir -p "$T/etc-ovl" "$T/home" "$T/cfg" "$T/tmp"
	if ! mount -t tmpfs -o mode=0755 dd-run /run ||
		! mount -t tmpfs -o mode=0700 dd-etc-ovl "$T/etc-ovl" ||
		! mkdir "$T/etc-ovl/up" "$T/etc-ovl/work" ||
		! mount -t overlay dd-etc -o "lowerdir=/etc,upperdir=$T/etc-ovl/up,workdir=$T/etc-ovl/work" /etc; then
		notok "namespace setup (tmpfs /run, overlay /etc)"
		exit 1
	fi
	export PATH="$T/docker:$PATH" HOME="$T/home" DOCKER_CONFIG="$T/cfg" TMPDIR="$T/tmp"
	unset DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_CONTEXT 2>/dev/null
	SOCK=unix:///var/run/docker.sock
	TLSC="--tlsverify --tlscacert $T/cli/ca.pem --tlscert $T/cli/cert.pem --tlskey $T/cli/key.pem"

	DPID='' CPID='' DLOG='' FAILS=0
	# start NAME CONFIG [ARGS...]: dockerd with only that file for its settings; 0 when its
	# socket answers, 1 when it exits first (its reason in $DLOG), 2 on a 60 s timeout.
	start() {
		s=$T/$1 cfg=$2
		shift 2
		DLOG=$s/dockerd.log FAILS=0 CPID=
		mkdir -p "$s"
		dockerd --config-file "$cfg" --data-root "$s/data" --exec-root "$s/exec" \
			--pidfile "$s/dockerd.pid" --iptables=false --ip6tables=false --bridge=none \
			"$@" >"$DLOG" 2>&1 &
		DPID=$!
		end=$(($(date +%s) + 60))
		while [ "$(date +%s)" -lt $end ]; do
			if ! alive $DPID; then
				wait $DPID 2>/dev/null
				DPID=
				return 1
			fi
			if timeout 10 docker -H $SOCK version >/dev/null 2>&1; then
				[ -f "$s/exec/containerd/containerd.pid" ] &&
					CPID=$(cat "$s/exec/containerd/containerd.pid")
				return 0
			fi
			sleep 0.1
		done
		return 2
	}
	stop() {
		if [ $FAILS -gt 0 ] && [ -n "$DLOG" ]; then
			echo "# --- $DLOG (tail, without grpc and debug lines)"
			grep -v 'module=grpc\|level=debug' "$DLOG" | tail -n 15 | cut -c1-300 | sed 's/^/#   /'
		fi
		for p in $DPID $CPID; do
			alive "$p" || continue
			kill -TERM "$p" 2>/dev/null
			i=0
			while alive "$p" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
			alive "$p" && kill -KILL "$p" 2>/dev/null
		done
		[ -n "$DPID" ] && wait "$DPID" 2>/dev/null
		DPID='' CPID=''
	}
	pass() { ok "$@"; }
	fail() { notok "$@"; FAILS=$((FAILS + 1)); }
	reason() { grep -v 'level=' "$DLOG" | tail -n 1 | cut -c1-200; }
	# expect NAME COMMAND...: exit 0
	expect() {
		n=$1; shift
		if timeout 30 "$@" >"$T/out" 2>"$T/err"; then pass "$n"; else
			fail "$n: $(head -c 300 "$T/err" | tr '\n' '|')"; fi
	}
	# refuse NAME PATTERN COMMAND...: non-zero exit, stderr matching PATTERN
	refuse() {
		n=$1 pat=$2; shift 2
		if timeout 30 "$@" >"$T/out" 2>"$T/err"; then
			fail "$n: succeeded"
		elif grep -qiE "$pat" "$T/err"; then
			pass "$n ($(grep -oiE "$pat" "$T/err" | head -n 1))"
		else
			fail "$n: stderr $(head -c 300 "$T/err" | tr '\n' '|')"
		fi
	}

	# --- tcp.json: the whole install configuration ------------------------------------------
	start tcp "$J/tcp.json"
	rc=$?
	if [ $rc = 0 ]; then
		pass "tcp.json: dockerd --config-file (no -H) starts; $SOCK answers"
		expect "tcp.json: docker --tlsverify with the client certificate -H tcp://127.0.0.1:$PORT version" \
			docker $TLSC -H tcp://127.0.0.1:$PORT version
		refuse "tcp.json: plain HTTP to tcp://127.0.0.1:$PORT is refused" 'HTTPS|tls|certificate' \
			docker -H tcp://127.0.0.1:$PORT version
		refuse "tcp.json: no client certificate is refused" 'certificate|tls|reset' \
			docker --tlsverify --tlscacert "$T/cli/ca.pem" -H tcp://127.0.0.1:$PORT version
		refuse "tcp.json: the user's tcp://0.0.0.0:2375 was dropped (nothing listens)" \
			'connection refused|Cannot connect' docker -H tcp://127.0.0.1:2375 version
		listens=$(grep -o 'API listen on [^"]*' "$DLOG" | sed 's/API listen on //' | sort | tr '\n' ' ')
		if [ "$listens" = "/var/run/docker.sock [::]:$PORT " ]; then
			pass "tcp.json: dockerd listens on exactly: $listens"
		else
			fail "tcp.json: dockerd listens on: '$listens'"
		fi
		got=$(timeout 30 docker -H $SOCK info --format '{{.Driver}} {{.Debug}}' 2>&1)
		if [ "$got" = "vfs true" ]; then
			pass "tcp.json: --daemon-opt storage-driver=\"vfs\" and debug=true are in force"
		else
			fail "tcp.json: docker info: driver/debug '$got'"
		fi
		if grep -qi 'insecure\|without --tlsverify\|without encryption' "$DLOG"; then
			fail "tcp.json: dockerd warns about an unprotected TCP socket"
		else
			pass "tcp.json: no warning about an unprotected TCP socket in dockerd's log"
		fi
	else
		fail "tcp.json: dockerd did not start (rc $rc): $(reason)"
	fi
	stop

	# --- notcp.json ---------------------------------------------------------------------------
	start notcp "$J/notcp.json"
	rc=$?
	if [ $rc = 0 ]; then
		pass "notcp.json: dockerd starts; $SOCK answers"
		refuse "notcp.json: nothing on tcp://127.0.0.1:$PORT" 'connection refused|Cannot connect' \
			docker $TLSC -H tcp://127.0.0.1:$PORT version
	else
		fail "notcp.json: dockerd did not start (rc $rc): $(reason)"
	fi
	stop

	# --- unmerged.json: the user's file after uninstall -----------------------------------------
	start unmerged "$J/unmerged.json"
	rc=$?
	if [ $rc = 0 ]; then
		pass "unmerged.json: dockerd starts with the user's keys left by uninstall"
	else
		fail "unmerged.json: dockerd did not start (rc $rc): $(reason)"
	fi
	stop

	# --- controls: the check above can fail ------------------------------------------------------
	start flag "$J/tcp.json" -H unix:///run/other.sock
	rc=$?
	if [ $rc = 1 ] && grep -q 'specified both as a flag and in the configuration file: hosts' "$DLOG"; then
		pass "control: tcp.json with -H on the command line is refused by dockerd (why dockdrop's units pass no -H)"
	else
		fail "control: -H with tcp.json: rc $rc, $(reason)"
	fi
	stop
	printf '{\n  "no-such-option": 1\n}\n' >"$T/unknown.json"
	start unknown "$T/unknown.json"
	rc=$?
	if [ $rc = 1 ] && grep -q "don't match any configuration option: no-such-option" "$DLOG"; then
		pass "control: an unknown key is refused by dockerd at start"
	else
		fail "control: unknown key: rc $rc, $(reason)"
	fi
	stop
	printf '{"debug": true, "debug": false}\n' >"$T/repeated.json"
	start repeated "$T/repeated.json"
	rc=$?
	echo "# note: dockerd $(dockerd --version | sed 's/^Docker version //; s/,.*//') with a repeated key:" \
		"$([ $rc = 0 ] && echo "starts (it takes the last value silently; dockdrop refuses such a file)" ||
			echo "refuses it: $(reason)")"
	stop
	exit 0
fi

# ============================================================================================
# Outside: the engine, certificates and files, then the session above.
# ============================================================================================
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$T_TMP
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
case $DOCKDROP in /*) ;; *) DOCKDROP=$PWD/$DOCKDROP ;; esac
HELPER=$BUILD/host/tests/test_daemonjson

ENGINE=${DD_ENGINE:-}
if [ -z "$ENGINE" ] && [ -f "$NATIVE_BUILD/engine/engine.env" ]; then
	ENGINE=$(sed -n 's/^ENGINE_FILE=//p' "$NATIVE_BUILD/engine/engine.env")
	case $ENGINE in '' | /*) ;; *) ENGINE=$TOP/$ENGINE ;; esac
fi
if [ -z "$ENGINE" ] || [ ! -f "$ENGINE" ]; then
	set -- "$NATIVE_BUILD"/engine/docker-*.tgz
	ENGINE=
	[ $# -eq 1 ] && [ -f "$1" ] && ENGINE=$1
fi
if [ -z "$ENGINE" ]; then
	skip "daemon.json with the real dockerd: no engine tarball in $NATIVE_BUILD/engine (make, or DD_ENGINE=)"
	exit 0
fi
if [ ! -x "$HELPER" ]; then
	skip "daemon.json with the real dockerd: $HELPER not built (make $HELPER)"
	exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1 ||
	! unshare --mount --net --pid --fork --kill-child --mount-proc true 2>/dev/null; then
	skip "daemon.json with the real dockerd: needs root, ip and unshare --mount --net --pid --fork --kill-child"
	exit 0
fi

PORT=23790
mkdir -p "$T/json"
if ! tar -xzf "$ENGINE" -C "$T" docker/dockerd docker/docker docker/containerd \
	docker/containerd-shim-runc-v2 docker/runc docker/docker-init docker/docker-proxy 2>"$T/err"; then
	notok "daemon.json with the real dockerd: tar -xzf $(basename "$ENGINE"): $(head -c 200 "$T/err")"
	exit 0
fi
if ! { $DD_EMU "$DOCKDROP" ca init -q --dir "$T/ca" &&
	$DD_EMU "$DOCKDROP" ca issue server -q --ca "$T/ca" --out "$T/tls" --san 127.0.0.1 --san localhost &&
	$DD_EMU "$DOCKDROP" ca issue client -q --ca "$T/ca" --out "$T/cli"; } 2>"$T/err"; then
	notok "daemon.json with the real dockerd: dockdrop ca: $(head -c 300 "$T/err")"
	exit 0
fi
if $DD_EMU "$HELPER" --emit "$T/json" "$T/tls" $PORT >"$T/emit.out" 2>"$T/err" &&
	grep -q '^warn: .*dropped from "hosts".*tcp://0.0.0.0:2375, fd://' "$T/emit.out"; then
	ok "merge of a user's daemon.json (hosts tcp://0.0.0.0:2375 and fd:// dropped with a warning)"
else
	notok "test_daemonjson --emit: $(cat "$T/emit.out" "$T/err" | head -c 300)"
	exit 0
fi

WATCH="/etc/docker /var/lib/docker /var/lib/containerd /run/docker /run/containerd /var/run/docker.sock"
before=
for p in $WATCH; do [ -e "$p" ] && before="$before $p"; done
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
LIMIT=${DD_DAEMONJSON_LIMIT:-150}
timeout -s KILL "$LIMIT" unshare --mount --net --pid --fork --kill-child --mount-proc \
	sh "$SELF" --inner "$T" $PORT >"$T/inner.out" 2>"$T/inner.err"
rc=$?
cat "$T/inner.out"
if [ $rc -ne 0 ]; then
	notok "daemon.json with the real dockerd: the namespace session exited $rc: $(tail -c 300 "$T/inner.err" | tr '\n' '|')"
fi

left=
for p in /proc/[0-9]*; do
	[ -r "$p/cmdline" ] || continue
	case $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) in *"$T/"*) left="$left ${p#/proc/}" ;; esac
done
new=
for p in $WATCH; do
	[ -e "$p" ] || continue
	case " $before " in *" $p "*) ;; *) new="$new $p" ;; esac
done
if [ -z "$left" ] && [ "$(grep -cF " $T" /proc/self/mountinfo)" = 0 ] && [ -z "$new" ]; then
	ok "daemon.json with the real dockerd: nothing left behind (processes, mounts, /etc/docker, /var/lib/docker, /run/docker...)"
else
	notok "daemon.json with the real dockerd: left behind: processes [$left ] new paths [$new ]"
fi
