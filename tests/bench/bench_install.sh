#!/bin/bash
# Install benchmark, side by side in one run, in the Debian root of the end-to-end test
# (tests/e2e/mkroot.sh; an overlay per run, one namespace session for all):
#   dockdrop   dist/dockdrop install --init none (verified unpack, CA and certificates,
#              daemon.json, group, containerd + dockerd started, /_ping, mTLS /version)
#   by hand    the documented manual procedure as a script: tar -xzf of the same engine
#              tarball into /usr/local/bin, the openssl commands of Docker's "Protect the
#              Docker daemon socket" page (P-256, as dockdrop; the page's RSA-4096 would be
#              slower still), daemon.json written, groupadd docker, containerd and dockerd
#              started, then waiting until `docker --tlsverify version` answers.
#   floor      after each dockdrop install, its daemons stopped and their state removed,
#              the same containerd and dockerd started by hand in that root with its
#              daemon.json until the unix socket answers /_ping (tests/bench/floor.py):
#              dockerd's own start-up, which no installer can beat
# Both use the same daemon settings (vfs, no iptables, as the e2e test) and are timed from
# start until the TLS port answered a mutual-TLS request; dockdrop's run is install -v, and
# its "time: " lines give the median of each step. Then the same with an application
# (issue 13), timed until its port answers: dockdrop carrying a web image (made with
# tests/tools/mksave.sh) and Debian 13's Compose plugin runs install --compose; by hand is
# the procedure above, the plugin copied into /usr/local/lib/docker/cli-plugins, `docker
# load` and `docker compose up -d`. The service uses the host's network (no bridge here). Rounds alternate which goes first;
# medians are reported, with dockdrop's peak RSS (/usr/bin/time -f %M). Run by hand:
#   bash tests/bench/bench_install.sh [ROUNDS]     (default 5)
set -u

if [ "${1-}" = --inner ]; then
	T=$2 LOWER=$3 ROUNDS=$4 ENGINE=$5 DD=$6 TESTS=$7
	ip link set lo up
	mount --make-rprivate /
	OPTS='{"iptables": false, "ip6tables": false, "bridge": "none", "storage-driver": "vfs"}'
	R=$T/root
	fresh() { # a new overlay root with /proc /sys /dev /run /tmp
		umount -R "$R" 2>/dev/null
		rm -rf "$T/upper" "$T/work" && mkdir -p "$T/upper" "$T/work" "$R"
		mount -t overlay dd-bench -o "lowerdir=$LOWER,upperdir=$T/upper,workdir=$T/work" "$R" &&
			mount -t proc proc "$R/proc" && mount --rbind /sys "$R/sys" && mount --make-rslave "$R/sys" &&
			mount --rbind /dev "$R/dev" && mount --make-rslave "$R/dev" &&
			mount -t tmpfs dd-run "$R/run" && mount -t tmpfs -o mode=1777 dd-tmp "$R/tmp"
		cp "$DD" "$R/tmp/dockdrop"
	}
	stop() { # every daemon this run started: by the pids in its pid files
		# containers first: their shims outlive containerd, and httpd would hold the port
		[ -S "$R/run/docker.sock" ] && chroot "$R" sh -c 'docker rm -f $(docker ps -aq)' >/dev/null 2>&1
		for f in "$R"/run/dockdrop/dockerd.pid "$R"/run/dockdrop/containerd.pid "$T"/dockerd.pid "$T"/containerd.pid; do
			[ -f "$f" ] || continue
			p=$(cat "$f"); kill -TERM "$p" 2>/dev/null
			for _ in $(seq 100); do [ -d "/proc/$p" ] || break; sleep 0.05; done
			kill -KILL "$p" 2>/dev/null
			rm -f "$f"
		done
		sleep 0.2
	}
	run_dockdrop() { # install -v: its "time: " lines are the steps' times
		/usr/bin/time -f %M -o "$T/rss" chroot "$R" /usr/bin/env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			/tmp/dockdrop install -v --init none --tls-san 127.0.0.1 \
			--daemon-opt iptables=false --daemon-opt ip6tables=false \
			--daemon-opt 'bridge="none"' --daemon-opt 'storage-driver="vfs"' >"$T/dd.out" 2>&1
	}
	floor() { # dockerd and containerd by hand in the root dockdrop just installed, its
		# daemons stopped and their state gone (a first start, as install's): ms to /_ping
		stop
		rm -rf "$R/var/lib/docker" "$R/var/lib/containerd" "$R/run/docker" "$R/run/containerd" \
			"$R/run/docker.sock" "$R/run/docker.pid" "$R/run/dockdrop"
		sync
		python3 "$TESTS/bench/floor.py" "$R" "$T"
	}
	by_hand() { # the manual procedure, step by step
		tar -xzf "$ENGINE" -C "$R/usr/local/bin" --strip-components=1 || return 1
		c=$R/etc/docker/tls
		mkdir -p "$c" && cd "$c" || return 1
		openssl ecparam -name prime256v1 -genkey -noout -out ca-key.pem 2>/dev/null &&
			openssl req -new -x509 -days 3650 -key ca-key.pem -sha256 -subj /CN=ca -out ca.pem &&
			openssl ecparam -name prime256v1 -genkey -noout -out server-key.pem 2>/dev/null &&
			openssl req -subj /CN=localhost -sha256 -new -key server-key.pem -out server.csr &&
			echo "subjectAltName = DNS:localhost,IP:127.0.0.1" >extfile.cnf &&
			echo "extendedKeyUsage = serverAuth" >>extfile.cnf &&
			openssl x509 -req -days 825 -sha256 -in server.csr -CA ca.pem -CAkey ca-key.pem \
				-CAcreateserial -out server-cert.pem -extfile extfile.cnf 2>/dev/null &&
			openssl ecparam -name prime256v1 -genkey -noout -out key.pem 2>/dev/null &&
			openssl req -subj /CN=client -new -key key.pem -out client.csr &&
			echo "extendedKeyUsage = clientAuth" >extfile-client.cnf &&
			openssl x509 -req -days 825 -sha256 -in client.csr -CA ca.pem -CAkey ca-key.pem \
				-CAcreateserial -out cert.pem -extfile extfile-client.cnf 2>/dev/null &&
			rm -f client.csr server.csr extfile.cnf extfile-client.cnf &&
			chmod 0400 ca-key.pem key.pem server-key.pem && chmod 0444 ca.pem server-cert.pem cert.pem || return 1
		cd / || return 1
		cat >"$R/etc/docker/daemon.json" <<EOF
{"tls": true, "tlsverify": true, "tlscacert": "/etc/docker/tls/ca.pem",
 "tlscert": "/etc/docker/tls/server-cert.pem", "tlskey": "/etc/docker/tls/server-key.pem",
 "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"],
 "iptables": false, "ip6tables": false, "bridge": "none", "storage-driver": "vfs"}
EOF
		chroot "$R" groupadd -r docker || return 1
		chroot "$R" /usr/bin/env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			sh -c 'containerd >/var/log/containerd.log 2>&1 & echo $! >/tmp/containerd.pid'
		cp "$R/tmp/containerd.pid" "$T/containerd.pid"
		for _ in $(seq 600); do [ -S "$R/run/containerd/containerd.sock" ] && break; sleep 0.05; done
		chroot "$R" /usr/bin/env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			sh -c 'dockerd --containerd=/run/containerd/containerd.sock >/var/log/dockerd.log 2>&1 & echo $! >/tmp/dockerd.pid'
		cp "$R/tmp/dockerd.pid" "$T/dockerd.pid"
		for _ in $(seq 1200); do
			chroot "$R" /usr/local/bin/docker --tlsverify --tlscacert /etc/docker/tls/ca.pem \
				--tlscert /etc/docker/tls/cert.pem --tlskey /etc/docker/tls/key.pem \
				-H tcp://127.0.0.1:2376 version >/dev/null 2>&1 && return 0
			sleep 0.05
		done
		return 1
	}
	answers() { # the application's page on 127.0.0.1:8081, 60 s at most
		for _ in $(seq 1200); do
			(exec 9<>/dev/tcp/127.0.0.1/8081 && printf 'GET / HTTP/1.0\r\n\r\n' >&9 && cat <&9) 2>/dev/null |
				grep -q dd-bench-app && return 0
			sleep 0.05
		done
		return 1
	}
	app_files() { cp "$T/ddapp" "$T/web.tar" "$R/tmp/" && mkdir -p "$R/tmp/app" && cp "$T/compose.yaml" "$R/tmp/app/"; }
	run_dockdrop_app() {
		app_files && chroot "$R" /usr/bin/env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			/tmp/ddapp install -q --init none --tls-san 127.0.0.1 \
			--daemon-opt iptables=false --daemon-opt ip6tables=false \
			--daemon-opt 'bridge="none"' --daemon-opt 'storage-driver="vfs"' \
			--compose /tmp/app/compose.yaml >"$T/dd.out" 2>&1 && answers
	}
	by_hand_app() {
		app_files && by_hand && mkdir -p "$R/usr/local/lib/docker/cli-plugins" &&
			cp "$T/docker-compose" "$R/usr/local/lib/docker/cli-plugins/" &&
			chroot "$R" /usr/bin/env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root sh -c \
				'docker load -q -i /tmp/web.tar && docker compose -p app -f /tmp/app/compose.yaml up -d' \
				>"$T/hand.out" 2>&1 && answers
	}
	declare -a A B C D F
	declare -A S	# S[step] = " ms ms ..." (install -v's, one per round)
	ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
	for r in $(seq "$ROUNDS"); do
		for which in $( [ $((r % 2)) = 1 ] && echo "dd hand dd-app hand-app" || echo "hand-app dd-app hand dd"); do
			if [ $which = dd-app ] || [ $which = hand-app ]; then
				fresh || { echo "bench_install: root setup failed" >&2; exit 1; }
				sync
				t0=$EPOCHREALTIME
				if [ $which = dd-app ]; then
					run_dockdrop_app || { echo "dockdrop install --compose failed:"; tail -5 "$T/dd.out"; exit 1; }
					C+=("$(ms "$t0" "$EPOCHREALTIME")")
				else
					by_hand_app || { echo "by hand with the application failed:"; tail -5 "$T/hand.out"; exit 1; }
					D+=("$(ms "$t0" "$EPOCHREALTIME")")
				fi
				stop
				continue
			fi
			fresh || { echo "bench_install: root setup failed" >&2; exit 1; }
			sync
			t0=$EPOCHREALTIME
			if [ $which = dd ]; then
				run_dockdrop || { echo "dockdrop install failed:"; tail -5 "$T/dd.out"; exit 1; }
				t1=$EPOCHREALTIME; A+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }')")
				[ "$r" = 1 ] && cp "$T/rss" "$T/rss1"
				while IFS='|' read -r step v; do
					S[$step]+=" $v"
				done < <(sed -n 's/^time: \(.*[a-z]\) \([0-9.]*\) ms$/\1|\2/p' "$T/dd.out")
				f=$(floor 2>"$T/floor.err") || { echo "the floor failed: $(cat "$T/floor.err")"; exit 1; }
				F+=("$f")
			else
				by_hand || { echo "by hand failed"; exit 1; }
				t1=$EPOCHREALTIME; B+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }')")
			fi
			stop
		done
	done
	umount -R "$R" 2>/dev/null
	med() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
	ma=$(med "${A[@]}") mb=$(med "${B[@]}") mf=$(med "${F[@]}")
	echo "install to mTLS verified, median of $ROUNDS (ms): dockdrop $ma, its floor $mf, by hand $mb"
	echo "  (floor: the same containerd and dockerd started by hand in the root dockdrop installed,"
	echo "   with its daemon.json, their state removed, until /var/run/docker.sock answers /_ping)"
	awk -v a="$ma" -v f="$mf" 'BEGIN { printf "  dockdrop / floor = %.2fx (target <= 1.3)\n", a / f }'
	awk -v a="$ma" -v b="$mb" 'BEGIN { printf "  dockdrop / by hand = %.2fx (target <= 1.0)\n", a / b }'
	echo "  dockdrop's steps (install -v, medians, ms):"
	for step in preflight unpack "keys made beside it" certificates configuration "service start" \
		"socket ping" "mTLS proof"; do
		[ -n "${S[$step]:-}" ] || continue
		# shellcheck disable=SC2086
		printf '    %-20s %8s\n' "$step" "$(med ${S[$step]})"
	done
	echo "  dockdrop runs: ${A[*]}"
	echo "  floor runs:    ${F[*]}"
	echo "  by hand runs:  ${B[*]}"
	echo "  dockdrop peak RSS during install: $(cat "$T/rss1") KB"
	mc=$(med "${C[@]}") md=$(med "${D[@]}")
	echo "install to the application answering, median of $ROUNDS (ms): dockdrop $mc  by hand $md"
	echo "  dockdrop install --compose runs: ${C[*]}"
	echo "  by hand (+ plugin, docker load, compose up) runs: ${D[*]}"
	awk -v a="$mc" -v b="$md" 'BEGIN { printf "  dockdrop / by hand = %.2fx\n", a / b }'
	exit 0
fi

cd "$(dirname "$0")/../.." || exit 1
DIST=${DIST:-dist}
BUILD=${BUILD:-build}
[ "$(id -u)" = 0 ] || { echo "bench_install: needs root" >&2; exit 1; }
[ -x "$DIST/dockdrop" ] || { echo "bench_install: no $DIST/dockdrop (make)" >&2; exit 1; }
. "./$BUILD/engine/engine.env" || exit 1
LOWER=$(sh tests/e2e/mkroot.sh) || exit 1
[ -x "$LOWER/usr/sbin/groupadd" ] || { echo "bench_install: the root has no groupadd" >&2; exit 1; }
T=$(mktemp -d /tmp/dd-bench-install.XXXXXX)
trap 'umount -R "$T/root" 2>/dev/null; rm -rf "$T"' EXIT
# The application: a page served by the root's busybox, an image of it, Compose, a dockdrop
# carrying both.
mkdir -p "$T/web/bin" "$T/web/www" && cp "$LOWER/bin/busybox" "$T/web/bin/" &&
	echo dd-bench-app >"$T/web/www/index.html" &&
	sh tests/tools/mksave.sh "$T/web" dd-web:1 "$T/web.tar" >/dev/null &&
	sh tests/tools/compose-plugin.sh "$T" >/dev/null && gzip -dc "$T/docker-compose.gz" >"$T/docker-compose" &&
	chmod 755 "$T/docker-compose" &&
	"$DIST/dockdrop" bundle -q --engine "$ENGINE_FILE" --sha256 "$ENGINE_SHA256" --image "$T/web.tar" \
		--plugin "$T/docker-compose.gz" -o "$T/ddapp" ||
	{ echo "bench_install: the application's bundle failed" >&2; exit 1; }
printf '%s\n' 'services:' '  web:' '    image: dd-web:1' '    network_mode: host' \
	'    command: ["/bin/busybox", "httpd", "-f", "-p", "8081", "-h", "/www"]' >"$T/compose.yaml"
timeout -k 10 1800 unshare --mount --net --pid --fork --kill-child --mount-proc \
	bash "$0" --inner "$T" "$LOWER" "${1:-5}" "$(cd "$(dirname "$ENGINE_FILE")" && pwd)/$(basename "$ENGINE_FILE")" \
	"$(cd "$DIST" && pwd)/dockdrop" "$PWD/tests"
