# The real engine against dockdrop's CA: certificates from `dockdrop ca` must work with the
# real dockerd --tlsverify and the real docker CLI (and openssl s_client, and dockdrop's own
# client src/net through tests/tools/netget), and the wrong ones
# must be refused for the right reason. Everything runs in ONE namespace session:
#   unshare --mount --net --pid --fork --kill-child --mount-proc sh THIS-FILE --inner DIR
# (new network namespace: only its own loopback; new PID namespace: when its first process
# ends, dockerd and containerd die with it; private mount namespace: /etc is an overlay whose
# changes land on a tmpfs, /run is a tmpfs, /etc/hosts is a bind-mounted temp file that maps
# other.test to 127.0.0.1; HOME, DOCKER_CONFIG and TMPDIR point into DIR).
#   DD_TLS_KEY_TYPES="ecdsa-p256 rsa2048 ecdsa-p384"   the key types to run (CA and leaves)
#   DD_TLS_LIMIT=150                                  seconds for the whole namespace session
set -u

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ============================================================================================
# Inside the namespaces (PID 1 of the new PID namespace).
# ============================================================================================
if [ "${1-}" = --inner ]; then
	T=$2
	: "${DOCKDROP:?}"
	D=$T/docker # the unpacked engine
	FAILS=0     # failures in the current dockerd session (to show its log)
	pass() { ok "$@"; }
	fail() { notok "$@"; FAILS=$((FAILS + 1)); }
	alive() { # PID: exists and is not a zombie (orphans reparent to this shell, PID 1)
		[ -r "/proc/$1/stat" ] || return 1
		st=$(sed 's/^.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
		[ -n "$st" ] && [ "$st" != Z ]
	}
	short_err() { # the last line of stderr, from the first "x509:"/"remote error:"/... on
		tail -n 1 "$1" | grep -o -E '(x509: |remote error: |Error response from daemon: |write: |read: ).*' |
			sed 's/ (possibly because.*//' | cut -c1-100
	}

	# --- the namespace itself --------------------------------------------------------------
	setup_ok=1
	ip link set lo up || setup_ok=0
	mount --make-rprivate / 2>/dev/null
	mount -t tmpfs -o mode=0755 dd-run /run || setup_ok=0 # /var/run -> /run: containerd, docker
	mkdir -p "$T/tmp" "$T/home" "$T/cfg" "$T/etc-ovl"
	# dockerd 20.10 writes /etc/docker/key.json whatever --data-root says: give it an /etc
	# whose changes land on a tmpfs of this mount namespace.
	overlay=1
	mount -t tmpfs -o mode=0700 dd-etc-ovl "$T/etc-ovl" && mkdir "$T/etc-ovl/up" "$T/etc-ovl/work" &&
		mount -t overlay dd-etc -o "lowerdir=/etc,upperdir=$T/etc-ovl/up,workdir=$T/etc-ovl/work" /etc
	if [ $? -ne 0 ]; then
		overlay=0
		if [ -d /etc/docker ]; then
			mount -t tmpfs dd-etc-docker /etc/docker || setup_ok=0
		else
			echo "# cannot overlay /etc: dockerd would create /etc/docker on the machine"
			setup_ok=0
		fi
	fi
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.0.1\tother.test\n' >"$T/hosts"
	# A minimal root (debootstrap minbase) has no /etc/hosts: make the mount point, but
	# only inside the overlay, never on the machine.
	[ -e /etc/hosts ] || { [ $overlay = 1 ] && : >/etc/hosts; }
	mount --bind "$T/hosts" /etc/hosts || setup_ok=0
	if [ $setup_ok = 0 ]; then
		notok "namespace setup (lo up, tmpfs /run, overlay /etc, /etc/hosts bind mount)"
		exit 1
	fi
	export PATH="$D:$PATH" HOME="$T/home" DOCKER_CONFIG="$T/cfg" TMPDIR="$T/tmp"
	unset DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_CONTEXT DOCKER_API_VERSION \
		DOCKDROP_TEST_NOW 2>/dev/null
	# The SAN-mismatch check needs a name that resolves to 127.0.0.1 but is not in the SANs.
	if [ "$(getent hosts other.test | awk '{ print $1; exit }')" = 127.0.0.1 ] &&
		[ "$(ip -4 -o addr show | awk '{ print $4 }' | tr '\n' ' ')" = "127.0.0.1/8 " ]; then
		ok "namespace: only loopback, other.test resolves to 127.0.0.1 through the bound /etc/hosts"
	else
		notok "namespace: addresses '$(ip -4 -o addr show | awk '{ print $4 }' | tr '\n' ' ')'," \
			"other.test -> '$(getent hosts other.test)'"
	fi

	# --- dockerd ----------------------------------------------------------------------------
	DPID='' CPID='' DLOG=''
	start_dockerd() { # NAME SERVER-DIR PORT: one dockerd (and its containerd) under $T/NAME
		s=$T/$1 DLOG=$T/$1/dockerd.log FAILS=0 CPID=
		mkdir -p "$s"
		t0=$(now_ms)
		dockerd --tlsverify --tlscacert "$2/ca.pem" --tlscert "$2/server-cert.pem" \
			--tlskey "$2/server-key.pem" -H "tcp://127.0.0.1:$3" -H "tcp://127.0.0.2:$3" \
			-H "unix://$s/docker.sock" --data-root "$s/data" --exec-root "$s/exec" \
			--pidfile "$s/dockerd.pid" --config-file "$T/daemon.json" --iptables=false \
			--ip6tables=false --bridge=none --storage-driver=vfs >"$DLOG" 2>&1 &
		DPID=$!
		end=$(($(date +%s) + 60))
		up=0
		while [ "$(date +%s)" -lt $end ] && alive $DPID; do
			if timeout 10 docker -H "unix://$s/docker.sock" version >/dev/null 2>&1; then
				up=1
				break
			fi
			sleep 0.1
		done
		[ -f "$s/exec/containerd/containerd.pid" ] && CPID=$(cat "$s/exec/containerd/containerd.pid")
		if [ $up = 1 ] && [ "$(cat "$s/dockerd.pid" 2>/dev/null)" = $DPID ]; then
			echo "# timing: $1: dockerd up in $(($(now_ms) - t0)) ms (pid $DPID, containerd $CPID)"
			return 0
		fi
		fail "$1: dockerd did not come up within 60 s (alive: $(alive $DPID && echo yes || echo no))"
		stop_dockerd
		return 1
	}
	stop_dockerd() { # kill dockerd, then containerd, by PID; show the log tail on any failure
		if [ $FAILS -gt 0 ]; then
			echo "# --- $DLOG (tail, without grpc lines)"
			grep -v 'module=grpc' "$DLOG" | tail -n 20 | cut -c1-300 | sed 's/^/#   /'
		fi
		for p in $DPID $CPID; do
			alive "$p" || continue
			kill -TERM "$p" 2>/dev/null
			i=0
			while alive "$p" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
			alive "$p" && kill -KILL "$p" 2>/dev/null
		done
		wait "$DPID" 2>/dev/null
		if alive "$DPID" || { [ -n "$CPID" ] && alive "$CPID"; }; then
			fail "$(basename "$(dirname "$DLOG")"): dockerd $DPID / containerd $CPID still running"
		fi
		DPID='' CPID=''
	}

	# --- the checks -------------------------------------------------------------------------
	# log_has PATTERN BEFORE: the dockerd log got a new line matching PATTERN (within 2 s)
	log_has() {
		i=0
		while [ $i -lt 20 ]; do
			[ "$(grep -ciE "$1" "$DLOG")" -gt "$2" ] && return 0
			sleep 0.1; i=$((i + 1))
		done
		return 1
	}
	# expect_ok NAME COMMAND...: exit 0, the Server section and the engine's version
	expect_ok() {
		n=$1; shift
		timeout 30 "$@" >"$T/out" 2>"$T/err"
		rc=$?
		if [ $rc -eq 0 ] && grep -q '^Server:' "$T/out" &&
			grep -q '^  API version: *1\.[0-9]* (minimum version' "$T/out"; then
			pass "$n"
		else
			fail "$n: exit $rc, stderr: $(head -c 300 "$T/err" | tr '\n' '|')"
		fi
	}
	# expect_fail NAME CLIENT-PATTERN LOG-PATTERN COMMAND...: non-zero exit, no Server section,
	# stderr matches CLIENT-PATTERN, and (LOG-PATTERN not empty: the server refused the client)
	# dockerd logged a new line matching LOG-PATTERN. With TLS 1.3 the client may write its
	# request before the server's alert arrives and see only "connection reset by peer": that
	# counts when dockerd's log gives the reason.
	expect_fail() {
		n=$1 cpat=$2 lpat=$3; shift 3
		before=0
		[ -n "$lpat" ] && before=$(grep -ciE "$lpat" "$DLOG")
		timeout 30 "$@" >"$T/out" 2>"$T/err"
		rc=$?
		why='' server=''
		[ $rc -ne 0 ] && [ $rc -ne 124 ] || why="exit $rc"
		grep -q '^Server:' "$T/out" && why="$why; printed a Server section"
		if [ -n "$lpat" ]; then
			if log_has "$lpat" "$before"; then
				server=$(grep -iE "$lpat" "$DLOG" | tail -n 1 | grep -o -E '(tls|x509): .*' |
					sed 's/^tls: failed to verify client certificate: //; s/ (possibly because.*//
						s/: current time .*//' | cut -c1-100)
			else
				why="$why; no new dockerd log line /$lpat/"
			fi
		fi
		if ! grep -qiE "$cpat" "$T/err" &&
			! { [ -n "$server" ] && grep -qiE 'connection reset by peer|broken pipe' "$T/err"; }; then
			why="$why; stderr lacks /$cpat/"
		fi
		if [ -z "$why" ]; then
			pass "$n (client: $(short_err "$T/err")${server:+; dockerd: $server})"
		else
			fail "$n: ${why#; }; stderr: $(head -c 300 "$T/err" | tr '\n' '|')"
		fi
	}

	# netget NAME WANT-RC PATTERN ARGS...: tests/tools/netget (src/net: BearSSL mutual TLS,
	# HTTP over the unix socket) exits WANT-RC; PATTERN is in its output (0: after a "200 "
	# status line) or in its one "dockdrop: " line on stderr.
	netget() {
		n=$1 want=$2 pat=$3; shift 3
		if [ ! -x "${NETGET-}" ]; then skip "$n (no ${NETGET-netget}: make test-build)"; return; fi
		timeout 30 $DD_EMU "$NETGET" "$@" >"$T/out" 2>"$T/err"
		rc=$?
		if [ $rc -eq "$want" ] && { if [ "$want" = 0 ]; then head -n 1 "$T/out" | grep -q '^200 ' &&
			grep -qE "$pat" "$T/out"; else [ "$(wc -l <"$T/err")" = 1 ] &&
			grep -qE "^dockdrop: .*$pat" "$T/err"; fi; }; then
			pass "$n"
		else
			fail "$n: exit $rc, stdout: $(head -c 200 "$T/out" | tr '\n' '|') stderr: $(head -c 300 "$T/err")"
		fi
	}

	sclient() { # IP: GET /_ping through openssl s_client with the client certificate
		printf 'GET /_ping HTTP/1.0\r\n\r\n' | timeout 20 openssl s_client -connect 127.0.0.1:$port \
			-CAfile "$C/cli/ca.pem" -cert "$C/cli/cert.pem" -key "$C/cli/key.pem" \
			-verify_return_error -verify_ip "$1" -quiet >"$T/out" 2>"$T/err"
		rc=$?
	}

	echo '{}' >"$T/daemon.json"
	NOW=$(date +%s)
	PAST=$((NOW - 10 * 86400))
	port=23760
	total0=$(now_ms)
	for K in ${DD_TLS_KEY_TYPES:-ecdsa-p256 rsa2048 ecdsa-p384}; do
		k0=$(now_ms)
		C=$T/$K
		mkdir -p "$C"
		FAILS=0
		# CA A with its server and client; CA B with a client; the wrong certificates.
		if {
			$DD_EMU "$DOCKDROP" ca init -q --dir "$C/ca" --key-type "$K" &&
				$DD_EMU "$DOCKDROP" ca issue server -q --ca "$C/ca" --out "$C/srv" --key-type "$K" \
					--san 127.0.0.1 --san localhost &&
				$DD_EMU "$DOCKDROP" ca issue client -q --ca "$C/ca" --out "$C/cli" --key-type "$K" &&
				$DD_EMU "$DOCKDROP" ca init -q --dir "$C/ca2" --key-type "$K" &&
				$DD_EMU "$DOCKDROP" ca issue client -q --ca "$C/ca2" --out "$C/cli2" --key-type "$K" &&
				$DD_EMU "$DOCKDROP" ca issue server -q --ca "$C/ca2" --out "$C/srv2" --key-type "$K" \
					--san 127.0.0.1 --san localhost &&
				DOCKDROP_TEST_NOW=$PAST $DD_EMU "$DOCKDROP" ca issue client -q --ca "$C/ca" --out "$C/old" \
					--key-type "$K" --days 1 &&
				$DD_EMU "$DOCKDROP" ca issue server -q --ca "$C/ca" --out "$C/srv-ip" --key-type "$K" \
					--san 10.9.9.9
		} 2>"$T/err"; then
			pass "$K: dockdrop ca init/issue: two CAs, server, client, expired client, 10.9.9.9 server"
		else
			fail "$K: dockdrop ca init/issue failed: $(head -c 300 "$T/err" 2>/dev/null)"
			continue
		fi
		echo "# timing: $K: certificates in $(($(now_ms) - k0)) ms"
		if ! command -v openssl >/dev/null 2>&1; then
			skip "$K: the expired client certificate's dates (no openssl)"
		elif openssl x509 -in "$C/old/cert.pem" -noout -checkend 0 >/dev/null 2>&1; then
			fail "$K: the DOCKDROP_TEST_NOW=now-10d --days 1 client certificate is not expired"
		else
			pass "$K: the DOCKDROP_TEST_NOW=now-10d --days 1 client certificate is expired"
		fi
		A="--tlsverify --tlscacert $C/cli/ca.pem --tlscert $C/cli/cert.pem --tlskey $C/cli/key.pem"
		port=$((port + 1))
		H=tcp://127.0.0.1:$port

		# --- dockerd with the right server certificate -----------------------------------
		if start_dockerd "$K-good" "$C/srv" $port; then
			expect_ok "$K: docker --tlsverify --tlscacert/--tlscert/--tlskey -H $H version" \
				docker $A -H $H version
			expect_ok "$K: DOCKER_CERT_PATH + DOCKER_TLS_VERIFY=1 + DOCKER_HOST=$H docker version" \
				env DOCKER_CERT_PATH="$C/cli" DOCKER_TLS_VERIFY=1 DOCKER_HOST=$H docker version
			expect_ok "$K: DOCKER_CERT_PATH, DOCKER_HOST=tcp://localhost:$port (DNS SAN) docker version" \
				env DOCKER_CERT_PATH="$C/cli" DOCKER_TLS_VERIFY=1 DOCKER_HOST=tcp://localhost:$port \
				docker version
			if command -v openssl >/dev/null 2>&1; then
				sclient 127.0.0.1
				if [ $rc -eq 0 ] && grep -q '^HTTP/1\.[01] 200 OK' "$T/out" &&
					grep -q '^Server: Docker/' "$T/out" && ! grep -q 'verify error' "$T/err" &&
					grep -A1 '^depth=0 CN = 127.0.0.1' "$T/err" | grep -q '^verify return:1'; then
					pass "$K: openssl s_client -CAfile -cert -key -verify_return_error -verify_ip 127.0.0.1: GET /_ping -> HTTP 200 from Docker"
				else
					fail "$K: openssl s_client: exit $rc, '$(head -n 1 "$T/out")', stderr: $(head -c 300 "$T/err" | tr '\n' '|')"
				fi
				sclient 127.0.0.2
				if [ $rc -ne 0 ] && grep -q 'IP address mismatch' "$T/err" && ! grep -q '^HTTP/' "$T/out"; then
					pass "$K: openssl s_client -verify_return_error -verify_ip 127.0.0.2 fails: IP address mismatch"
				else
					fail "$K: openssl s_client -verify_ip 127.0.0.2: exit $rc, stderr: $(head -c 300 "$T/err" | tr '\n' '|')"
				fi
			else
				skip "$K: openssl s_client (no openssl)"
			fi
			netget "$K: src/net: GET /_ping over dockerd's unix socket -> 200 OK" 0 '^OK$' \
				unix "$T/$K-good/docker.sock" /_ping
			NG="$C/cli/ca.pem $C/cli/cert.pem $C/cli/key.pem /version"
			netget "$K: src/net: mutual TLS GET /version at 127.0.0.1:$port (IP SAN) -> the engine's version" \
				0 '"Version":"[0-9]' https 127.0.0.1 $port 127.0.0.1 $NG
			netget "$K: src/net: mutual TLS at 127.0.0.1:$port named localhost (DNS SAN)" 0 \
				'"Version":"[0-9]' https 127.0.0.1 $port localhost $NG
			netget "$K: src/net: the name other.test (not in the SANs) is refused (exit 3)" 3 \
				'server certificate is not for other\.test \(its names: 127\.0\.0\.1, localhost\)' \
				https 127.0.0.1 $port other.test $NG
			netget "$K: src/net: 127.0.0.2 (dockerd listens there, not in the SANs) is refused (exit 3)" 3 \
				'server certificate is not for 127\.0\.0\.2' https 127.0.0.2 $port 127.0.0.2 $NG
			netget "$K: src/net: our CA file from another CA: the server is refused (exit 3)" 3 \
				'server certificate is not signed by the CA' https 127.0.0.1 $port 127.0.0.1 \
				"$C/ca2/ca.pem" "$C/cli/cert.pem" "$C/cli/key.pem" /version
			netget "$K: src/net: a client certificate from another CA is refused by dockerd (exit 1)" 1 \
				'TLS handshake with 127\.0\.0\.1:[0-9]+ failed: the server refused our client certificate' \
				https 127.0.0.1 $port 127.0.0.1 "$C/cli/ca.pem" "$C/cli2/cert.pem" "$C/cli2/key.pem" /version
			netget "$K: src/net: the server's certificate as a client certificate is refused by dockerd (exit 1)" 1 \
				'the server refused our client certificate' https 127.0.0.1 $port 127.0.0.1 \
				"$C/cli/ca.pem" "$C/srv/server-cert.pem" "$C/srv/server-key.pem" /version
			expect_fail "$K: no client certificate (--tlsverify --tlscacert only) is refused" \
				'certificate|tls' "didn't provide a certificate" \
				docker --tlsverify --tlscacert "$C/cli/ca.pem" -H $H version
			expect_fail "$K: no client certificate, server not verified (--tls) is refused" \
				'certificate|tls' "didn't provide a certificate" \
				docker --tls --tlscacert "$C/cli/ca.pem" -H $H version
			expect_fail "$K: plain HTTP to the TLS port (-H $H, no TLS) is refused" \
				'HTTPS|tls|certificate' '' docker -H $H version
			expect_fail "$K: a client certificate from another dockdrop CA is refused" \
				'certificate|tls' 'unknown authority' \
				docker --tlsverify --tlscacert "$C/cli/ca.pem" --tlscert "$C/cli2/cert.pem" \
				--tlskey "$C/cli2/key.pem" -H $H version
			expect_fail "$K: an expired client certificate (issued at now-10d, --days 1) is refused" \
				'certificate|tls' 'expired' \
				docker --tlsverify --tlscacert "$C/cli/ca.pem" --tlscert "$C/old/cert.pem" \
				--tlskey "$C/old/key.pem" -H $H version
			expect_fail "$K: the server's certificate used as a client certificate (serverAuth only) is refused" \
				'certificate|tls' 'key usage' \
				docker --tlsverify --tlscacert "$C/cli/ca.pem" --tlscert "$C/srv/server-cert.pem" \
				--tlskey "$C/srv/server-key.pem" -H $H version
			expect_fail "$K: dialing tcp://other.test:$port (-> 127.0.0.1, not in the SANs) is refused" \
				'x509: certificate is valid for .*not other\.test' '' docker $A -H tcp://other.test:$port version
			expect_fail "$K: dialing tcp://127.0.0.2:$port (IP not in the SANs) is refused" \
				'x509: certificate is valid for .*not 127\.0\.0\.2' '' docker $A -H tcp://127.0.0.2:$port version
			expect_fail "$K: DOCKER_TLS_VERIFY with DOCKER_HOST=tcp://other.test:$port is refused" \
				'x509: certificate is valid for .*not other\.test' '' \
				env DOCKER_CERT_PATH="$C/cli" DOCKER_TLS_VERIFY=1 DOCKER_HOST=tcp://other.test:$port \
				docker version
			stop_dockerd
		fi

		# --- dockerd with a server certificate for 10.9.9.9 only -------------------------
		port=$((port + 1))
		if start_dockerd "$K-ip" "$C/srv-ip" $port; then
			expect_fail "$K: a server certificate for 10.9.9.9 only, dialed at 127.0.0.1, is refused" \
				'x509: certificate is valid for 10\.9\.9\.9, not 127\.0\.0\.1' '' \
				docker $A -H tcp://127.0.0.1:$port version
			netget "$K: src/net: the 10.9.9.9-only server certificate at 127.0.0.1 is refused (exit 3)" 3 \
				'server certificate is not for 127\.0\.0\.1 \(its names: 10\.9\.9\.9\)' \
				https 127.0.0.1 $port 127.0.0.1 $C/cli/ca.pem $C/cli/cert.pem $C/cli/key.pem /version
			stop_dockerd
		fi
		# --- dockerd with a server certificate from another CA ---------------------------
		port=$((port + 1))
		if start_dockerd "$K-ca2" "$C/srv2" $port; then
			expect_fail "$K: a server certificate from another dockdrop CA is refused by the client" \
				'x509: certificate signed by unknown authority' '' \
				docker $A -H tcp://127.0.0.1:$port version
			netget "$K: src/net: a server certificate from another CA is refused (exit 3)" 3 \
				'server certificate is not signed by the CA' \
				https 127.0.0.1 $port 127.0.0.1 $C/cli/ca.pem $C/cli/cert.pem $C/cli/key.pem /version
			stop_dockerd
		fi
		echo "# timing: $K: $(($(now_ms) - k0)) ms"
	done
	echo "# timing: namespace session: $(($(now_ms) - total0)) ms"
	exit 0
fi

# ============================================================================================
# Outside: find the engine, unpack it, run the session above, check nothing is left behind.
# ============================================================================================
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$T_TMP
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
case $DOCKDROP in /*) ;; *) DOCKDROP=$PWD/$DOCKDROP ;; esac
NETGET=$BUILD/host/tools/netget
export DOCKDROP NETGET

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
if [ -z "$ENGINE" ]; then
	skip "docker TLS: no engine tarball in $NATIVE_BUILD/engine (make)"
	exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1 ||
	! unshare --mount --net --pid --fork --kill-child --mount-proc true 2>/dev/null; then
	skip "docker TLS: needs root, ip and unshare --mount --net --pid --fork --kill-child"
	exit 0
fi

t0=$(now_ms)
if ! tar -xzf "$ENGINE" -C "$T" docker/dockerd docker/docker docker/containerd \
	docker/containerd-shim-runc-v2 docker/runc docker/docker-init docker/docker-proxy 2>"$T/tar.err"; then
	notok "docker TLS: tar -xzf $(basename "$ENGINE"): $(head -c 200 "$T/tar.err")"
	exit 0
fi
echo "# timing: unpack $(basename "$ENGINE"): $(($(now_ms) - t0)) ms"

# What dockerd/containerd/docker would create on the machine if the namespaces leaked.
WATCH="/etc/docker /var/lib/docker /var/lib/containerd /run/docker /run/containerd /var/run/docker.sock
${HOME:-/root}/.docker"
before=
for p in $WATCH; do [ -e "$p" ] && before="$before $p"; done

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
LIMIT=${DD_TLS_LIMIT:-150}
t0=$(now_ms)
timeout -s KILL "$LIMIT" unshare --mount --net --pid --fork --kill-child --mount-proc \
	sh "$SELF" --inner "$T" >"$T/inner.out" 2>"$T/inner.err"
rc=$?
cat "$T/inner.out"
echo "# timing: whole session (unshare .. exit): $(($(now_ms) - t0)) ms"
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	notok "docker TLS: the namespace session did not finish within $LIMIT s (killed)"
elif [ $rc -ne 0 ]; then
	notok "docker TLS: the namespace session exited $rc: $(tail -c 300 "$T/inner.err" | tr '\n' '|')"
fi
if [ $rc -ne 0 ] && [ -s "$T/inner.err" ]; then
	tail -n 20 "$T/inner.err" | sed 's/^/# stderr: /'
fi

# Nothing left behind: no process or mount referring to $T, none of the watched paths new.
left=
for p in /proc/[0-9]*; do
	[ -r "$p/cmdline" ] || continue
	c=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)
	case $c in *"$T/"*) left="$left ${p#/proc/}" ;; esac
done
mounts=$(grep -cF " $T" /proc/self/mountinfo)
new=
for p in $WATCH; do
	[ -e "$p" ] || continue
	case " $before " in *" $p "*) ;; *) new="$new $p" ;; esac
done
if [ -z "$left" ] && [ "$mounts" = 0 ] && [ -z "$new" ]; then
	ok "docker TLS: after the session no process or mount uses the temp dir and nothing new in /etc/docker, /var/lib/docker, /run/docker, ~/.docker ..."
else
	notok "docker TLS: left behind: processes [$left ] mounts $mounts new paths [$new ]"
fi
