#!/bin/bash
# tests/vm: `dockdrop install` on a real machine, one image (VARIANT) per run.
# `make test-vm VARIANT=...` runs this file; `make test-vm-all` (tests/vm/all.sh) every image;
# `make test-vm-arm64` the arm64 systemd image (ARCH=arm64, below).
#
# What it does
#   A qemu-system-x86_64 VM (TCG: KVM is not usable on these machines) boots a Debian
#   bookworm image (tests/vm/mkimage.sh: debootstrap minbase, a kernel, kmod and the
#   libraries Debian's dockerd/runc link; not docker.io). VARIANT (default systemd):
#     systemd   systemd as PID 1, iptables, apparmor
#     nft       systemd, nftables, no iptables package (dockdrop's carried iptables serves)
#     sysv      sysvinit-core as init, no systemd at all; iptables, apparmor
#     openrc    OpenRC (Debian's openrc with sysvinit's /sbin/init), no iptables; apparmor
#     apparmor  systemd, AppArmor enabled in the kernel and no apparmor package: install
#               must refuse before any change (guest.sh's refuse says why); only that is run
#   Boot 1: the file list and /etc are snapshot; dist/dockdrop install --tls-san 127.0.0.1;
#   the init system's word on docker and containerd (systemctl / rc-service, rc-update /
#   the sysv scripts' status, pid files and rc2.d links); a web container (busybox httpd
#   from Debian's busybox-static, docker-imported from the control disk) runs with
#   --restart always -p 8080:80 on the default bridge; the client bundle comes out to the
#   host, whose real docker CLI (from the engine tarball) must reach the daemon with mutual
#   TLS through a host-forward on 127.0.0.1, and whose GET through a second host-forward
#   (127.0.0.1 -> guest 8080) must return the page's token. Reboot (the init's own
#   command); boot 2: the same checks, the container back through its restart policy. Then
#   install again: exit 0, the same dockerd and containerd pids, the container's same start
#   time. Then uninstall --purge: no daemon or container process left, and the file list
#   (names, types, modes, owners) and /etc (SHA-256 of every file) as before install.
#   Left out of that comparison (guest.sh EXCEPT), none of it dockdrop's: /proc /sys /dev
#   /run /tmp /var/tmp /mnt (kernel, scratch and the control disk), /var/lib/dd-vm (the
#   test's own state and its copy of dockdrop), /lost+found, the logs the system itself
#   writes across a reboot (/var/log/journal, wtmp, btmp, lastlog, dmesg, boot, faillog),
#   systemd's timer stamps, random seed, catalog and deb-systemd-helper state,
#   /var/lib/urandom/random-seed, ldconfig's aux-cache, /etc/adjtime (sysvinit's
#   hwclock.sh writes it at shutdown) and /usr/lib/rc/cache (OpenRC saves its dependency
#   cache there at shutdown). insserv's /etc/init.d/.depend.* are compared as sets (each
#   line's words and the lines sorted): insserv writes the same dependencies in another
#   order when it recomputes them after uninstall. The engine's data (/var/lib/docker,
#   /var/lib/containerd) is NOT left out: --purge removes it. /var/log/dockdrop is not left
#   out either (the daemons' logs under sysv and OpenRC).
#   Each line the guest prints names its phase; every wait is bounded.
#
# Isolation: -netdev user,restrict=on (nothing leaves qemu; the guest has no route out) and
#   the only host-forward binds 127.0.0.1. Every wait is bounded; qemu is killed by its PID
#   on exit. Each run writes to its own qcow2 overlay over the cached, never-written base.
#
# Image cache: /var/cache/dockdrop-test/vm/VARIANT-<sha256(mkimage.sh, VARIANT)[:16]>/
#   {base.img,vmlinuz,initrd.img,build-seconds}, built under flock into a temp directory
#   and renamed into place; .debs are kept in /var/cache/dockdrop-test/vm/debs (shared by
#   the variants), busybox-static in .../vm/busybox (fetched with third_party/apt.sh and a
#   private apt configuration in .../vm/apt). Editing mkimage.sh rebuilds each image when it
#   is next used; the variant's older images are removed then.
#
# Control channel (no ssh, no network): two disks and one virtio-serial port.
#   /dev/vda  the root: a qcow2 overlay in the run's temp dir
#   /dev/vdb  the control disk, read-only, an ext4 image made with mkfs.ext4 -d (no mount on
#             the host): guest.sh, mode, variant, machine (x86_64 or aarch64), expect
#             (install or refuse), install-args, web-token and, in install mode, dockdrop
#             (dist/dockdrop's bundle with the web page as an image and Debian 13's Compose
#             plugin) and compose/compose.yaml (install-args name it); in selftest, web.tar,
#             the engine tarball and certificates made on the host with build/dockdrop ca
#   dd.ctl    virtio-serial port, a qemu "pipe" chardev: the host reads $T/ctl.out, writes
#             $T/ctl.in. The image's boot hook runs /mnt/dd/guest.sh at every boot.
#   Guest -> host lines: "ok - ", "not ok - ", "skip - " (counted here, shown as "vm: ..."),
#     "# ..." (shown), "hello phase=N mode=M boot_id=ID uptime=S", "booted STATE UPTIME",
#     "put NAME BASE64" (a client bundle file), "ready N" (N = 1 2 3 4 or end: that step is
#     done; the guest waits for a word), "fatal WHY" (the guest cannot go on; it waits).
#   Host -> guest lines: "reboot", "poweroff" or "go" (on to the next step in this boot).
#   The kernel command line carries dd.port=PORT (the host-forward's port): the guest checks
#   that it cannot reach it at 10.0.2.2 (slirp's alias for the host's loopback) when
#   restrict=on holds.
#   The serial console (kernel, systemd, guest.sh echo) goes to $T/console.log; its tail is
#   shown when a boot or a wait fails.
#
# arm64 (ARCH=arm64, VARIANT=systemd only; `make test-vm-arm64`: BUILD=build/arm64,
#   DIST=dist/arm64 from make ARCH=arm64): the same run on qemu-system-aarch64 -machine virt
#   (TCG, -cpu DD_VM_CPU, default max,pauth=off: TCG's pointer authentication is the slow
#   part of -cpu max), Debian's arm64 kernel with the initramfs mkimage.sh made (it runs
#   debootstrap's second stage at the image's first boot). Nothing arm64 runs on this host
#   but through an explicit qemu-aarch64-static: DIST's dockdrop for the bundle. The host's
#   docker CLI is the amd64 build's (its engine tarball in DD_VM_HOST_BUILD, default build:
#   make builds it). The web image's busybox and the Compose plugin are Debian's arm64
#   ones (private apt configurations, DD_APT_ARCH). The image's cache key is
#   arm64-systemd-...; the run's disks use cache=unsafe (the overlay and the control disk
#   are thrown away), which spares TCG the guest's fsyncs.
#
# Environment
#   BUILD, DIST             as in the Makefile (dist/dockdrop is what gets installed)
#   ARCH=amd64|arm64        the VM's architecture (see arm64 above)
#   DD_VM_SELFTEST=1        do by hand what install will do (engine unpacked, units written,
#                           certificates from build/dockdrop ca): proves the harness itself
#   DD_VM_INSTALL_ARGS=...  more arguments for dockdrop install (e.g. --init systemd)
#   DD_VM_CACHE=DIR         image cache (/var/cache/dockdrop-test/vm)
#   DD_VM_BOOT_TIMEOUT=600  seconds from qemu start (or reboot) to the guest's "ready"
#                           (arm64: 900, and the install timeout 1500)
#   DD_VM_INSTALL_TIMEOUT=900  seconds for each step after boot (install and checks, install
#                           again, uninstall); qemu is killed after 2 * BOOT + 3 * INSTALL
#                           + 300 s in any case
#   DD_VM_BUILD_TIMEOUT=1800   seconds to build the image
#   DD_VM_MEM=2048 DD_VM_CPUS=2
#   DD_VM_APPEND=...        more kernel arguments (e.g. loglevel=6 to see the kernel's timing)
#   DD_VM_KEEP=1            keep the temp dir (console log, overlay) for a look afterwards
#   DD_VM_BUILD_ONLY=1      build (or find) the image and stop
#   DD_VM_EXPERIMENT=insserv  sysv: run insserv for the scripts after install (a trial of
#                           a fix for Debian's startpar boot, not a test)
# Its last lines: "# vm-result NAME PASS|FAIL BOOT+TEST-SECONDS IMAGE-BUILD-SECONDS" (for
# all.sh's table), then the summary.
# Needs root, qemu-system-x86_64 and qemu-img (apt: qemu-system-x86 qemu-utils), debootstrap,
# mkfs.ext4 (e2fsprogs), flock; arm64 qemu-system-aarch64 and qemu-aarch64-static (apt:
# qemu-system-arm qemu-user-static); without them it prints one "skip - " line.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
BUILD=${BUILD:-build}
DIST=${DIST:-dist}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
case $DIST in /*) ;; *) DIST=$TOP/$DIST ;; esac
HERE=$TOP/tests/vm
CACHE=${DD_VM_CACHE:-/var/cache/dockdrop-test/vm}
ARCH=${ARCH:-amd64}
# What runs the guest's programs here, and the VM's machine (arm64: see above).
case $ARCH in
arm64)
	EMU=(qemu-aarch64-static) CONSOLE=ttyAMA0 DRIVE=,cache=unsafe MACHINE=aarch64
	NETROM=,romfile= # no option ROM: nothing boots from it, and no ipxe-qemu needed
	QEMU=(qemu-system-aarch64 -machine virt -cpu "${DD_VM_CPU:-max,pauth=off}")
	SLOW=1 # TCG runs arm64 code at about half the speed of x86 code
	;;
*) EMU=() CONSOLE=ttyS0 DRIVE='' NETROM='' MACHINE=x86_64 QEMU=(qemu-system-x86_64 -machine q35) SLOW=0 ;;
esac
BOOT_TIMEOUT=${DD_VM_BOOT_TIMEOUT:-$((600 + SLOW * 300))}
INSTALL_TIMEOUT=${DD_VM_INSTALL_TIMEOUT:-$((900 + SLOW * 600))}
BUILD_TIMEOUT=${DD_VM_BUILD_TIMEOUT:-$((1800 + SLOW * 1800))}
QEMU_LIMIT=$((2 * BOOT_TIMEOUT + 3 * INSTALL_TIMEOUT + 300)) # qemu's own life, whatever happens
MODE=install
[ "${DD_VM_SELFTEST:-0}" = 1 ] && MODE=selftest

LOG=$(mktemp)
T=
QPID=
T0=$SECONDS
ok() { echo "ok - $*" | tee -a "$LOG"; }
notok() { echo "not ok - $*" | tee -a "$LOG"; }
skip() { echo "skip - $*" | tee -a "$LOG"; }
note() { echo "# $*"; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

summary() {
	pass=$(grep -c '^ok - ' "$LOG")
	fail=$(grep -c '^not ok - ' "$LOG")
	nskip=$(grep -c '^skip - ' "$LOG")
	if [ "$fail" -gt 0 ]; then
		echo "Failures:"
		grep '^not ok - ' "$LOG"
	fi
	echo "$pass passed, $fail failed, $nskip skipped"
	rm -f "$LOG"
	[ "$fail" -eq 0 ]
}
stop_qemu() { # QPID is timeout's, which passes TERM on to qemu; then qemu's own PID
	if alive "$QPID"; then
		kill -TERM "$QPID" 2>/dev/null
		for _ in $(seq 50); do alive "$QPID" || break; sleep 0.1; done
		alive "$QPID" && kill -KILL "$QPID" 2>/dev/null
		wait "$QPID" 2>/dev/null
	fi
	QPID=
	[ -n "$T" ] && [ -f "$T/qemu.pid" ] || return 0
	q=$(cat "$T/qemu.pid" 2>/dev/null)
	if [ -n "$q" ] && tr '\0' ' ' <"/proc/$q/cmdline" 2>/dev/null | grep -qF "$T/"; then
		kill -KILL "$q" 2>/dev/null
	fi
}
cleanup() {
	stop_qemu
	if [ -n "$T" ]; then
		if [ "${DD_VM_KEEP:-0}" = 1 ]; then note "kept $T"; else rm -rf "$T"; fi
	fi
}
trap cleanup EXIT
trap 'echo "not ok - vm: interrupted"; exit 130' INT TERM

# --- what it needs ----------------------------------------------------------------------
missing=
for t in "${QEMU[0]}" "${EMU[@]}" qemu-img debootstrap mkfs.ext4 flock base64 timeout; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ "$(id -u)" != 0 ]; then
	skip "vm: needs root (debootstrap, the image cache in $CACHE)"
	summary; exit
fi
if [ -n "$missing" ]; then
	skip "vm: missing$missing (apt-get install --no-install-recommends qemu-system-x86 qemu-system-arm qemu-user-static qemu-utils debootstrap e2fsprogs)"
	summary; exit
fi

engine_in() { # BUILD-DIR: the engine tarball made there
	e=
	if [ -f "$1/engine/engine.env" ]; then
		e=$(sed -n 's/^ENGINE_FILE=//p' "$1/engine/engine.env")
		case $e in '' | /*) ;; *) e=$TOP/$e ;; esac
	fi
	if [ -z "$e" ] || [ ! -f "$e" ]; then
		e=
		for f in "$1"/engine/docker-*.tgz; do [ -f "$f" ] && e=$f; done
	fi
	echo "$e"
}
ENGINE=$(engine_in "$BUILD")
if [ -z "$ENGINE" ]; then
	notok "vm: no engine tarball in $BUILD/engine (the host's docker CLI comes from it; make)"
	summary; exit
fi
# The host's docker CLI (the TLS checks) runs here: for arm64 the amd64 build's (Debian's
# arm64 one links arm64 libraries qemu-user cannot find here).
CLI_ENGINE=$ENGINE
if [ "$ARCH" != amd64 ]; then
	CLI_ENGINE=$(engine_in "${DD_VM_HOST_BUILD:-$TOP/build}")
	if [ -z "$CLI_ENGINE" ]; then
		notok "vm: no engine tarball in ${DD_VM_HOST_BUILD:-$TOP/build}/engine for the host's docker CLI (make)"
		summary; exit
	fi
fi
if [ $MODE = install ] && [ ! -x "$DIST/dockdrop" ]; then
	notok "vm: no $DIST/dockdrop (make $DIST/dockdrop)"
	summary; exit
fi
if [ $MODE = selftest ] && [ ! -x "$BUILD/dockdrop" ]; then
	notok "vm: no $BUILD/dockdrop (make)"
	summary; exit
fi

T=$(mktemp -d /tmp/dd-vm-XXXXXX)
chmod 0700 "$T"

# Debian's busybox-static of the VM's architecture, fetched once with a private apt
# configuration and cached: the web image's program, and the arm64 image's initramfs.
BB=$CACHE/busybox
[ "$ARCH" = amd64 ] || BB=$BB-$ARCH
if ! ls "$BB"/busybox-static_*.deb >/dev/null 2>&1; then
	mkdir -p "$BB.tmp"
	if (cd "$BB.tmp" && DD_APT_ARCH=$ARCH sh "$TOP/third_party/apt.sh" "$CACHE/apt" -- download busybox-static) \
		>"$T/apt.log" 2>&1; then
		mv -T "$BB.tmp" "$BB"
	else
		rm -rf "$BB.tmp"
	fi
fi
BBDEB=$(find "$BB" -name "busybox-static_*_$ARCH.deb" 2>/dev/null | sort | tail -n 1)
if [ -z "$BBDEB" ]; then
	notok "vm: Debian's $ARCH busybox-static: $(tail -n 1 "$T/apt.log" 2>/dev/null | head -c 300)"
	summary; exit
fi

# --- the image (cached) -----------------------------------------------------------------
VARIANT=${VARIANT:-systemd}
case $ARCH.$VARIANT in
amd64.systemd | amd64.nft | amd64.sysv | amd64.openrc | amd64.apparmor | arm64.systemd) ;;
*)
	notok "vm: unknown ARCH '$ARCH' or VARIANT '$VARIANT' (amd64: systemd nft sysv openrc apparmor; arm64: systemd)"
	summary; exit
	;;
esac
# The name (and the cache key) of an image: VARIANT for amd64, as always; arm64-VARIANT.
NAME=$VARIANT
[ "$ARCH" = amd64 ] || NAME=$ARCH-$VARIANT
if [ "$ARCH" = amd64 ]; then
	KEY=$VARIANT-$(cat "$HERE/mkimage.sh" - <<<"$VARIANT" | sha256sum | cut -c1-16)
else
	KEY=$NAME-$(cat "$HERE/mkimage.sh" - <<<"$VARIANT $ARCH" | sha256sum | cut -c1-16)
fi
IMG=$CACHE/$KEY
mkdir -p "$CACHE"
t=$SECONDS
exec 9>"$CACHE/.lock"
if ! flock -w "$BUILD_TIMEOUT" 9; then
	notok "vm: image cache $CACHE is locked by another run for more than $BUILD_TIMEOUT s"
	summary; exit
fi
IMAGE_BUILD_S=0
if [ -f "$IMG/base.img" ] && [ -f "$IMG/vmlinuz" ] && [ -f "$IMG/initrd.img" ]; then
	ok "vm: image $IMG (cached; kernel $(cat "$IMG/kernel-version" 2>/dev/null))"
	IMAGE_BUILD_S=$(cat "$IMG/build-seconds" 2>/dev/null || echo 0)
else
	rm -rf --one-file-system "$CACHE"/.build-* # under the lock, any of these is a dead build's
	tmp=$CACHE/.build-$KEY-$$
	note "building the $NAME VM image (debootstrap, takes minutes; cached afterwards)"
	if DD_VM_DEBS=$CACHE/debs DD_VM_BUSYBOX=$BBDEB DD_VM_FIRSTBOOT_TIMEOUT=$((BUILD_TIMEOUT - 300)) \
		timeout "$BUILD_TIMEOUT" nice bash "$HERE/mkimage.sh" "$VARIANT" "$tmp" "$ARCH" \
		2>"$T/mkimage.err" && echo $((SECONDS - t)) >"$tmp/build-seconds" && mv -T "$tmp" "$IMG"; then
		IMAGE_BUILD_S=$((SECONDS - t))
		ok "vm: image built in $IMAGE_BUILD_S s: $IMG ($(cat "$IMG/kernel-version"), $(wc -l <"$IMG/packages.txt") packages)"
		grep '^# mkimage: ' "$T/mkimage.err"
		# older images of this variant, and those from before variants (no "-" in the name)
		for d in "$CACHE"/*; do
			n=${d##*/}
			{ [ -d "$d" ] && [ "$d" != "$IMG" ]; } || continue
			case $n in debs | apt | busybox*) continue ;; "$NAME"-*) ;; *-*) continue ;; esac
			rm -rf --one-file-system "$d"
		done
	else
		notok "vm: building the $NAME image failed: $(tail -n 1 "$T/mkimage.err")"
		sed 's/^/# | /' "$T/mkimage.err" | tail -n 20
		rm -rf --one-file-system "$tmp"
		summary; exit
	fi
fi
flock -u 9
exec 9>&-
IMAGE_BUILD_WAIT=$((SECONDS - T0))
note "timing: image ready in $((SECONDS - t)) s"
if [ "${DD_VM_BUILD_ONLY:-0}" = 1 ]; then
	summary; exit
fi

# --- the run's disks --------------------------------------------------------------------
t=$SECONDS
mkdir -p "$T/ctl" "$T/client" "$T/cfg" "$T/home" "$T/cli-bin"
if ! tar -xzf "$CLI_ENGINE" -C "$T/cli-bin" docker/docker 2>"$T/err"; then
	notok "vm: tar -xzf $CLI_ENGINE docker/docker: $(head -c 200 "$T/err")"
	summary; exit
fi
DOCKER=$T/cli-bin/docker/docker
cp "$HERE/guest.sh" "$T/ctl/guest.sh"
# The web image's root: Debian's busybox-static (fetched above) and a page with this run's
# token; the guest docker-imports it.
t=$SECONDS
mkdir -p "$T/web/www"
if ! dpkg-deb -x "$BBDEB" "$T/bb" 2>"$T/err" || [ ! -x "$T/bb/bin/busybox" ]; then
	notok "vm: busybox-static for the web image: $(head -c 300 "$T/err")"
	summary; exit
fi
mkdir -p "$T/web/bin"
cp "$T/bb/bin/busybox" "$T/web/bin/busybox"
TOKEN=dd-web-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
printf '<html><body>%s</body></html>\n' "$TOKEN" >"$T/web/www/index.html"
printf '%s\n' "$TOKEN" >"$T/ctl/web-token"
tar --numeric-owner --owner=0 --group=0 -C "$T/web" -cf "$T/ctl/web.tar" bin www
note "timing: web image ($(basename "$BBDEB"), $(($(stat -c %s "$T/ctl/web.tar") / 1024)) KB) in $((SECONDS - t)) s"
echo "$MODE" >"$T/ctl/mode"
echo "$MACHINE" >"$T/ctl/machine"
echo "$VARIANT" >"$T/ctl/variant"
# The apparmor image: install must refuse before any change (guest.sh says why).
EXPECT=install
[ "$VARIANT" = apparmor ] && EXPECT=refuse
echo "$EXPECT" >"$T/ctl/expect"
printf '%s\n' "${DD_VM_EXPERIMENT:-}" >"$T/ctl/experiment"
printf '%s\n' "${DD_VM_INSTALL_ARGS:-}" >"$T/ctl/install-args"
if [ $MODE = install ]; then
	# The application comes from the payload (issue 13): the web page as an image (made
	# here with tests/tools/mksave.sh, no daemon), Debian 13's Compose plugin and a compose
	# file publishing 8080 with container_name ddweb (so the checks below are the same as
	# for a container run by hand). install --compose brings it up; the dockdrop-compose
	# service at boot and the restart policy bring it back.
	t=$SECONDS
	mkdir -p "$T/ctl/compose"
	if ! { DD_IMAGE_ARCH=$ARCH sh "$TOP/tests/tools/mksave.sh" "$T/web" ddweb:1 "$T/web-image.tar" \
		/bin/busybox httpd -f -p 80 -h /www >/dev/null &&
		ARCH=$ARCH BUILD=$BUILD sh "$TOP/tests/tools/compose-plugin.sh" "$T" >/dev/null &&
		"${EMU[@]}" "$DIST/dockdrop" bundle -q --engine "$ENGINE" --sha256 "$(sha256sum "$ENGINE" | cut -c1-64)" \
			--image "$T/web-image.tar" --plugin "$T/docker-compose.gz" -o "$T/ctl/dockdrop"; } 2>"$T/err"; then
		notok "vm: the bundle with the web image and the Compose plugin: $(tail -n 2 "$T/err" | tr '\n' '|' | head -c 300)"
		summary; exit
	fi
	printf 'services:\n  web:\n    image: ddweb:1\n    container_name: ddweb\n    restart: always\n    ports:\n      - "8080:80"\n' \
		>"$T/ctl/compose/compose.yaml"
	printf '%s --compose /mnt/dd/compose/compose.yaml --compose-name ddweb\n' "${DD_VM_INSTALL_ARGS:-}" \
		>"$T/ctl/install-args"
	note "timing: bundle with the web image and Compose ($(($(stat -c %s "$T/ctl/dockdrop") / 1048576)) MB) in $((SECONDS - t)) s"
	# systemd: the same application through the Azure agent instead (issue 14): the handler
	# package made from that bundle, a tenant certificate, settings N=0 with the compose
	# project in public settings and an environment value in protected settings encrypted
	# to the tenant certificate; the guest runs tests/e2e/fake-waagent.sh (install, enable).
	if [ "$VARIANT" = systemd ] && [ "${DD_VM_AZURE:-1}" = 1 ]; then
		A=$T/ctl/azure FW="$TOP/tests/e2e/fake-waagent.sh"
		mkdir -p "$A/lib" && cp "$FW" "$A/fake-waagent.sh"
		printf '{"environment": {"DD_VM_SECRET": "%s"}}' "s-$TOKEN" >"$T/prot.json"
		if ! { python3 "$TOP/release/azure/mkzip.py" "$A/handler.zip" "$TOP/release/azure/HandlerManifest.json" \
			"$T/ctl/dockdrop" 0 >/dev/null && tp=$(sh "$FW" tenant "$A/lib") &&
			blob=$(sh "$FW" encrypt "$A/lib" "$tp" "$T/prot.json" -aes256); } 2>"$T/err"; then
			notok "vm: the Azure handler package, tenant certificate and encrypted settings: $(tail -n 2 "$T/err" | tr '\n' '|' | head -c 300)"
			summary; exit
		fi
		jq -n --arg b "$blob" --arg t "$tp" '{publicSettings: {docker: {port: "2376"}, compose: {services: {web: {
			image: "ddweb:1", container_name: "ddweb", restart: "always", ports: ["8080:80"],
			environment: ["DD_VM_SECRET=${DD_VM_SECRET}"]}}}}, protectedSettings: $b,
			protectedSettingsCertThumbprint: $t}' >"$A/settings.json"
		echo "s-$TOKEN" >"$A/secret"
		note "azure: the handler package, tenant certificate $tp, settings N=0 (compose public, environment encrypted, AES-256)"
	fi
else
	cp "$ENGINE" "$T/ctl/engine.tgz"
	if ! { "${EMU[@]}" "$BUILD/dockdrop" ca init -q --dir "$T/ca" &&
		"${EMU[@]}" "$BUILD/dockdrop" ca issue server -q --ca "$T/ca" --out "$T/ctl/srv" --san 127.0.0.1 \
			--san localhost &&
		"${EMU[@]}" "$BUILD/dockdrop" ca issue client -q --ca "$T/ca" --out "$T/ctl/cli"; } 2>"$T/err"; then
		notok "vm: selftest: dockdrop ca init/issue: $(head -c 300 "$T/err")"
		summary; exit
	fi
fi
size=$(($(du -sm "$T/ctl" | cut -f1) + 32))
if ! mkfs.ext4 -q -F -L ddctl -d "$T/ctl" "$T/ctl.img" "${size}M" >/dev/null 2>"$T/err" ||
	! qemu-img create -q -f qcow2 -b "$IMG/base.img" -F raw "$T/root.qcow2" 2>>"$T/err"; then
	notok "vm: making the run's disks: $(head -c 300 "$T/err")"
	summary; exit
fi
note "timing: disks (overlay, ${size} MB control disk) in $((SECONDS - t)) s"

# A free port on 127.0.0.1 for the host-forward to the guest's 2376.
free_port() {
	for _ in $(seq 100); do
		p=$((20000 + RANDOM % 40000))
		hex=$(printf ':%04X ' "$p")
		grep -qi "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null || { echo "$p"; return 0; }
	done
	return 1
}

# --- qemu -------------------------------------------------------------------------------
start_qemu() {
	for try in 1 2 3; do
		start_qemu_once && return 0
		# another process took the port between the check and qemu's bind: a new port
		if [ $try -eq 3 ] || ! grep -qi 'forward' "$T/qemu.out"; then break; fi
		note "qemu could not forward port $PORT ($(head -c 200 "$T/qemu.out")); another port"
	done
	notok "vm: qemu exited at once: $(tr '\n' '|' <"$T/qemu.out" | head -c 300)"
	return 1
}
start_qemu_once() {
	PORT=$(free_port) WPORT=$(free_port)
	if [ -z "$PORT" ] || [ -z "$WPORT" ] || [ "$PORT" = "$WPORT" ]; then
		echo "no free port" >"$T/qemu.out"
		return 1
	fi
	rm -f "$T/ctl.in" "$T/ctl.out" "$T/qemu.pid"
	mkfifo "$T/ctl.in" "$T/ctl.out"
	: >"$T/console.log"
	# timeout: qemu ends even if this script is killed without its trap running.
	timeout -s KILL "$QEMU_LIMIT" "${QEMU[@]}" -name dd-vm -accel tcg \
		-m "${DD_VM_MEM:-2048}" -smp "${DD_VM_CPUS:-2}" -nodefaults -no-user-config \
		-display none -monitor none \
		-kernel "$IMG/vmlinuz" -initrd "$IMG/initrd.img" \
		-append "root=/dev/vda rw console=$CONSOLE net.ifnames=0 loglevel=4 systemd.show_status=auto dd.port=$PORT ${DD_VM_APPEND:-}" \
		-drive "file=$T/root.qcow2,if=virtio,format=qcow2$DRIVE" \
		-drive "file=$T/ctl.img,if=virtio,format=raw,readonly=on$DRIVE" \
		-netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$PORT-:2376,hostfwd=tcp:127.0.0.1:$WPORT-:8080" \
		-device "virtio-net-pci,netdev=n0$NETROM" \
		-device virtio-rng-pci \
		-chardev "pipe,id=ctl,path=$T/ctl" -device virtio-serial-pci \
		-device virtserialport,chardev=ctl,name=dd.ctl \
		-serial "file:$T/console.log" \
		-pidfile "$T/qemu.pid" >"$T/qemu.out" 2>&1 </dev/null &
	QPID=$!
	# qemu opens both FIFOs read-write; so do we, so that no open blocks and no EOF comes.
	exec 4<>"$T/ctl.out" 5<>"$T/ctl.in"
	sleep 2
	if ! alive "$QPID"; then
		wait "$QPID"
		QPID=
		return 1
	fi
	note "qemu pid $(cat "$T/qemu.pid" 2>/dev/null), TLS port 127.0.0.1:$PORT -> guest 2376, web 127.0.0.1:$WPORT -> guest 8080 (restrict=on)"
}

console_tail() {
	note "console (last 25 lines of $T/console.log):"
	tail -n 25 "$T/console.log" | tr -d '\r' | sed 's/\x1b\[[0-9;]*m//g' | cut -c1-200 | sed 's/^/# | /'
}

# wait_ready PHASE TIMEOUT: handle guest lines until "ready PHASE"; 0 on it, 1 otherwise.
BOOT_ID='' HELLO_AT='' BOOTED_AT='' LAST_GUEST=''
wait_ready() {
	want=$1 limit=$2 deadline=$((SECONDS + $2)) buf= LAST_GUEST=
	while :; do
		if ! alive "$QPID"; then
			notok "vm: phase $want: qemu exited before the guest was ready: $(tr '\n' '|' <"$T/qemu.out" | head -c 200)"
			console_tail
			return 1
		fi
		if [ $SECONDS -ge $deadline ]; then
			# Where it stopped, on the failure's own line (CI shows the failures' list).
			notok "vm: phase $want: the guest was not ready within $limit s (last from the guest: ${LAST_GUEST:-nothing}; the console's last line: $(tr -d '\r' <"$T/console.log" | sed 's/\x1b\[[0-9;]*m//g' | grep . | tail -n 1 | cut -c1-160))"
			console_tail
			return 1
		fi
		chunk=
		if IFS= read -r -t 2 -u 4 chunk; then
			line=$buf$chunk buf=
		else
			[ $? -gt 128 ] && buf=$buf$chunk
			continue
		fi
		LAST_GUEST=$(printf '%s' "$line" | cut -c1-120)
		case $line in
		"ok - "*) ok "vm: ${line#ok - }" ;;
		"not ok - "*) notok "vm: ${line#not ok - }" ;;
		"skip - "*) skip "vm: ${line#skip - }" ;;
		"#"*) echo "$line" ;;
		"hello "*)
			HELLO_AT=$SECONDS
			note "guest: $line"
			BOOT_ID=$(printf '%s\n' "$line" | sed -n 's/.* boot_id=\([^ ]*\).*/\1/p')
			;;
		"booted "*)
			BOOTED_AT=$SECONDS
			note "guest: $line"
			;;
		"put "*)
			# shellcheck disable=SC2086 # "put NAME BASE64": three words
			set -- $line
			case ${2-} in
			ca.pem | cert.pem | key.pem | docker.env)
				printf '%s' "${3-}" | base64 -d >"$T/client/$2" 2>/dev/null ||
					notok "vm: phase $want: client bundle file $2 did not decode"
				;;
			*) notok "vm: phase $want: unexpected file '${2-}' from the guest" ;;
			esac
			;;
		"ready $want") return 0 ;;
		"fatal "*)
			note "guest gave up: ${line#fatal }"
			return 1
			;;
		"ready "*) ;; # the "ready fatal" after a fatal
		*) note "guest (unparsed): $(printf '%s' "$line" | cut -c1-200)" ;;
		esac
	done
}
tell() { printf '%s\n' "$1" >&5; }

# docker_tls WHEN: the real docker CLI over TLS through the host-forward.
docker_tls() {
	for f in ca.pem cert.pem key.pem; do
		if [ ! -s "$T/client/$f" ]; then
			notok "vm: $1: host docker --tlsverify: no $f from the guest"
			return 1
		fi
	done
	tries=0
	while :; do
		env -u DOCKER_HOST -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH -u DOCKER_CONTEXT \
			HOME="$T/home" DOCKER_CONFIG="$T/cfg" timeout 60 "$DOCKER" --tlsverify \
			--tlscacert "$T/client/ca.pem" --tlscert "$T/client/cert.pem" \
			--tlskey "$T/client/key.pem" -H "tcp://127.0.0.1:$PORT" version >"$T/out" 2>"$T/err"
		rc=$?
		if [ $rc -eq 0 ] && grep -q '^Server:' "$T/out"; then
			v=$(awk '/^Server:/ { s = 1 } s && /^  Version:/ { print $2; exit }' "$T/out")
			ok "vm: $1: host docker --tlsverify --tlscacert/--tlscert/--tlskey -H tcp://127.0.0.1:$PORT version: Server $v"
			return 0
		fi
		tries=$((tries + 1))
		[ $tries -ge 5 ] && break
		sleep 3
	done
	notok "vm: $1: host docker --tlsverify -H tcp://127.0.0.1:$PORT version: exit $rc: $(tr '\n' '|' <"$T/err" | head -c 300)"
	return 1
}

# web_check WHEN: the page through the second host-forward (to the guest's 8080, the
# container's published port), with bash's /dev/tcp: the token must come back.
web_fetch() {
	# shellcheck disable=SC2016 # the inner shell's $1
	timeout 10 bash -c 'exec 9<>"/dev/tcp/127.0.0.1/$1" && printf "GET / HTTP/1.0\r\nHost: x\r\n\r\n" >&9 && cat <&9' _ "$WPORT" 2>&1
}
web_check() {
	for _ in $(seq 10); do
		web_fetch >"$T/web.out"
		grep -qF "$TOKEN" "$T/web.out" && break
		sleep 3
	done
	if grep -qF "$TOKEN" "$T/web.out"; then
		ok "vm: $1: host GET http://127.0.0.1:$WPORT/ (-> guest 8080 -> the container's 80): $(head -n 1 "$T/web.out" | tr -d '\r'), the token"
	else
		notok "vm: $1: host GET http://127.0.0.1:$WPORT/: no token in: $(tr '\r\n' '  ' <"$T/web.out" | head -c 200)"
	fi
}

# --- the run ----------------------------------------------------------------------------
run_vm() {
	t=$SECONDS
	start_qemu || return 1
	if [ "$EXPECT" = refuse ]; then
		wait_ready end $((BOOT_TIMEOUT + INSTALL_TIMEOUT))
		return
	fi
	wait_ready 1 $((BOOT_TIMEOUT + INSTALL_TIMEOUT)) || return 1
	boot1_id=$BOOT_ID
	note "timing: boot 1: qemu start -> guest script $((HELLO_AT - t)) s -> init ready $((BOOTED_AT - t)) s; phase 1 (install, checks) $((SECONDS - BOOTED_AT)) s"
	docker_tls "after install"
	web_check "after install"
	t=$SECONDS
	tell reboot
	wait_ready 2 "$BOOT_TIMEOUT" || return 1
	note "timing: reboot: -> guest script $((HELLO_AT - t)) s -> init ready $((BOOTED_AT - t)) s; phase 2 $((SECONDS - BOOTED_AT)) s"
	if [ -n "$BOOT_ID" ] && [ "$BOOT_ID" != "$boot1_id" ]; then
		ok "vm: the VM rebooted (new boot id; reboot to init ready $((BOOTED_AT - t)) s)"
	else
		notok "vm: the second phase ran in the same boot ($BOOT_ID)"
	fi
	docker_tls "after reboot"
	web_check "after reboot"
	t=$SECONDS
	tell go
	wait_ready 3 "$INSTALL_TIMEOUT" || return 1
	note "timing: install again $((SECONDS - t)) s"
	docker_tls "after install again"
	web_check "after install again"
	t=$SECONDS
	tell go
	wait_ready 4 "$INSTALL_TIMEOUT" || return 1
	note "timing: uninstall --purge and the comparison $((SECONDS - t)) s"
	return 0
}

# CPU: the CPU seconds (user and system) of the children this shell has waited for, from
# bash's `times` (its second line; in this shell, not a $( ) subshell, which has its own):
# between two readings, qemu's once it has ended (TCG's cost, whatever else loads the host)
# with the host's side of the checks (the docker CLI, the page fetches, their tools).
child_cpu() {
	times >"$T/times"
	CPU=$(tail -n 1 "$T/times" | tr 'ms' '  ' | awk '{ printf "%d", $1 * 60 + $2 + $3 * 60 + $4 }')
}
child_cpu
CPU0=$CPU
if run_vm; then
	t=$SECONDS
	tell poweroff
	deadline=$((SECONDS + 120))
	while alive "$QPID" && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
	if alive "$QPID"; then
		notok "vm: the VM did not power off within 120 s"
		console_tail
	else
		wait "$QPID"
		qrc=$?
		QPID=
		if [ $qrc -eq 0 ]; then
			ok "vm: the VM powered off cleanly in $((SECONDS - t)) s (qemu exit 0)"
		else
			notok "vm: qemu exited $qrc: $(head -c 300 "$T/qemu.out")"
		fi
	fi
elif alive "$QPID"; then
	tell poweroff # the guest waits for a word after "fatal"; a clean end if it can
	for _ in $(seq 60); do alive "$QPID" || break; sleep 0.5; done
fi
stop_qemu
RUN_S=$((SECONDS - T0 - IMAGE_BUILD_WAIT))
child_cpu
note "timing: whole run $((SECONDS - T0)) s (mode $MODE), boot and test $RUN_S s, $((CPU - CPU0)) s of CPU (qemu and the host's checks)"
if grep -q '^not ok - ' "$LOG"; then r=FAIL; else r=PASS; fi
# One line for tests/vm/all.sh's table: variant, result, boot+test s, image build s.
echo "# vm-result $NAME $r $RUN_S $IMAGE_BUILD_S"
summary
