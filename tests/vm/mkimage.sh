#!/bin/bash
# Builds a VM image for tests/vm/run.sh: a Debian bookworm root made by debootstrap
# (minbase plus an init system, a kernel, and the libraries Debian's dockerd and runc link:
# NOT docker.io), put into an ext4 disk image without any loop mount (mkfs.ext4 -d).
# run.sh keys its cache on this file's SHA-256, the variant and the architecture: any
# change here rebuilds.
#
# usage: mkimage.sh VARIANT OUTDIR [ARCH]  -> OUTDIR/{base.img,vmlinuz,initrd.img,packages.txt}
#   VARIANT  systemd   systemd as PID 1, iptables, apparmor (a standard Debian 12 install)
#            nft       systemd, nftables and NO iptables package (dockdrop's carried one)
#            sysv      sysvinit-core as init (no systemd at all), iptables, apparmor
#            openrc    OpenRC (openrc package, sysvinit-core's /sbin/init as Debian does
#                      it: `apt install openrc` replaces sysv-rc), no iptables, apparmor
#            apparmor  systemd, iptables, AppArmor enabled in the kernel (Debian's default)
#                      and NO apparmor package (no apparmor_parser)
#   ARCH     amd64 (default), or arm64 (the systemd image only): debootstrap --foreign
#            here, its second stage at the image's first boot under qemu-system-aarch64
#            (TCG; see "arm64" below), which needs DD_VM_BUSYBOX=Debian's arm64
#            busybox-static .deb; DD_VM_CPU (qemu's -cpu), DD_VM_FIRSTBOOT_TIMEOUT=1500
#   DD_VM_MIRROR=URL     Debian mirror (default: the first one apt uses here, else deb.debian.org)
#   DD_VM_DEBS=DIR       the package cache (kept between builds, shared by the variants)
#
# The image knows nothing about dockdrop: at every boot a hook (dd-vm.service, or the
# dd-vm init script under sysvinit and OpenRC) gives eth0 its static address where systemd
# does not, mounts the second virtio disk (/dev/vdb, read-only) and runs its guest.sh, which
# talks to the host through the virtio-serial port named dd.ctl (see run.sh).
set -euo pipefail
variant=${1:?usage: mkimage.sh VARIANT OUTDIR [ARCH]}
out=${2:?usage: mkimage.sh VARIANT OUTDIR [ARCH]}
arch=${3:-amd64}
SUITE=bookworm
# What every image has: a kernel, udev (the control disk and port), iproute2 and kmod for
# dockerd; libseccomp2 (runc) and libdevmapper1.02.1 (dockerd; libsystemd0, libudev1,
# libcap2, libgcrypt20, liblzma5, libzstd1, liblz4-1, libselinux1 are named since no
# systemd brings them in the sysv and openrc images).
PKGS=udev,linux-image-$arch,initramfs-tools,iproute2,kmod,procps
PKGS=$PKGS,libdevmapper1.02.1,libseccomp2,libsystemd0,libudev1,libcap2,libgcrypt20,liblzma5
PKGS=$PKGS,libzstd1,liblz4-1,libselinux1
SYSTEMD=systemd,systemd-sysv,dbus
# apparmor: Debian's kernel enables AppArmor, and a standard Debian install has
# apparmor_parser; the apparmor image leaves it out on purpose.
case $variant in
# jq and unzip: the fake Azure agent (tests/e2e/fake-waagent.sh) installs dockdrop's
# handler package there (run.sh's azure step).
systemd) PKGS=$PKGS,$SYSTEMD,iptables,apparmor,jq,unzip INIT=systemd ;;
nft) PKGS=$PKGS,$SYSTEMD,nftables,apparmor INIT=systemd ;;
apparmor) PKGS=$PKGS,$SYSTEMD,iptables INIT=systemd ;;
sysv) PKGS=$PKGS,sysvinit-core,iptables,apparmor INIT=sysv ;;
# debootstrap takes sysv-rc for sysvinit-core's "sysv-rc | file-rc | openrc"; apt-get in
# the tree then swaps it for openrc, as `apt install openrc` does on a Debian machine.
openrc) PKGS=$PKGS,sysvinit-core,apparmor INIT=openrc ;;
*) echo "mkimage: unknown variant '$variant' (systemd nft sysv openrc apparmor)" >&2; exit 2 ;;
esac
case $arch.$variant in
amd64.* | arm64.systemd) ;;
*) echo "mkimage: no $arch $variant image (amd64: every variant, arm64: systemd)" >&2; exit 2 ;;
esac
IMG_SIZE=4G

mirror=${DD_VM_MIRROR:-}
if [ -z "$mirror" ]; then
	mirror=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
		grep -o -E 'https?://[^ ]*/debian/?( |$)' | grep -v security | head -n 1 | tr -d ' ') || true
	mirror=${mirror:-http://deb.debian.org/debian}
fi

mkdir -p "$out"
tree=$out/tree
rm -rf --one-file-system "$tree"
mkdir -p "$tree"
# --one-file-system: should debootstrap die with /proc or /sys mounted in the tree
cleanup() { rm -rf --one-file-system "$tree"; }
trap cleanup EXIT

opts=()
[ "$arch" = amd64 ] || opts=(--arch="$arch" --foreign)
if [ -n "${DD_VM_DEBS:-}" ]; then
	mkdir -p "$DD_VM_DEBS"
	opts+=(--cache-dir="$DD_VM_DEBS")
fi
echo "# mkimage: debootstrap --variant=minbase ${opts[*]} $SUITE from $mirror" >&2
debootstrap --variant=minbase --components=main --include="$PKGS" "${opts[@]}" \
	"$SUITE" "$tree" "$mirror" >"$out/debootstrap.log" 2>&1 || {
	tail -n 20 "$out/debootstrap.log" >&2
	exit 1
}

# --- configuration -------------------------------------------------------------------------
in_tree() { chroot "$tree" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
echo ddvm >"$tree/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tddvm\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
	>"$tree/etc/hosts"
printf '/dev/vda\t/\text4\tdefaults\t0\t0\n' >"$tree/etc/fstab"

if [ "$variant" = openrc ]; then
	# apt-get in the tree, with the shared package cache: what a user's `apt install openrc`
	# does (sysv-rc goes, openrc's postinst puts the LSB scripts into its runlevels).
	if [ -n "${DD_VM_DEBS:-}" ]; then
		cp -l "$DD_VM_DEBS"/*.deb "$tree/var/cache/apt/archives/" 2>/dev/null || true
	fi
	cp /etc/resolv.conf "$tree/etc/resolv.conf" 2>/dev/null || true
	{ in_tree apt-get update -q &&
		in_tree env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends openrc; } >"$out/openrc.log" 2>&1 || {
		tail -n 20 "$out/openrc.log" >&2
		exit 1
	}
	if [ -n "${DD_VM_DEBS:-}" ]; then
		cp -n "$tree"/var/cache/apt/archives/*.deb "$DD_VM_DEBS"/ 2>/dev/null || true
	fi
fi

# The static address in qemu's user network (the one the host-forwards reach): no DHCP.
mkdir -p "$tree/usr/local/sbin" # not there yet after an arm64 first stage
cat >"$tree/usr/local/sbin/dd-vm-net" <<'EOF'
#!/bin/sh
# dockdrop VM test: lo and eth0 up, eth0 10.0.2.15/24 via slirp's 10.0.2.2 (no ifupdown).
ip link set lo up
ip link set eth0 up
ip -4 addr show dev eth0 | grep -q ' 10\.0\.2\.15/' || ip addr add 10.0.2.15/24 dev eth0
ip route replace default via 10.0.2.2 dev eth0
EOF
# The boot hook: wait for the control disk and port, mount the disk read-only, run guest.sh.
# The port is found by its name in sysfs, not through udev's /dev/virtio-ports link.
cat >"$tree/usr/local/sbin/dd-vm-boot" <<'EOF'
#!/bin/sh
# dockdrop VM test: run the test driver from the control disk (see tests/vm/run.sh).
i=0
while :; do
	for n in /sys/class/virtio-ports/*/name; do
		[ "$(cat "$n" 2>/dev/null)" = dd.ctl ] || continue
		d=${n%/name}
		DD_CTL=/dev/${d##*/}
	done
	[ -b /dev/vdb ] && [ -n "${DD_CTL:-}" ] && [ -c "$DD_CTL" ] && break
	i=$((i + 1))
	[ $i -gt 600 ] && { echo "dd-vm-boot: no /dev/vdb or dd.ctl port"; exit 1; }
	sleep 0.1
done
export DD_CTL DD_INIT=@INIT@
mkdir -p /mnt/dd
mountpoint -q /mnt/dd || mount -o ro /dev/vdb /mnt/dd || exit 1
exec /bin/bash /mnt/dd/guest.sh
EOF
sed -i "s/@INIT@/$INIT/" "$tree/usr/local/sbin/dd-vm-boot"
chmod 0755 "$tree/usr/local/sbin/dd-vm-boot" "$tree/usr/local/sbin/dd-vm-net"

case $INIT in
systemd)
	mkdir -p "$tree/etc/systemd/network" "$tree/etc/systemd/system"
	cat >"$tree/etc/systemd/network/10-eth0.network" <<'EOF'
[Match]
Name=eth0

[Network]
Address=10.0.2.15/24
Gateway=10.0.2.2
EOF
	cat >"$tree/etc/systemd/system/dd-vm.service" <<'EOF'
[Unit]
Description=dockdrop VM test driver (control disk /dev/vdb)
After=local-fs.target

[Service]
Type=simple
ExecStart=/usr/local/sbin/dd-vm-boot
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
EOF
	;;
sysv)
	# The hook starts guest.sh in the background: the rc run goes on and finishes, and
	# guest.sh waits for it (an init script that never returns would hold the boot).
	cat >"$tree/etc/init.d/dd-vm" <<'EOF'
#!/bin/sh
### BEGIN INIT INFO
# Provides:          dd-vm
# Required-Start:    $local_fs $remote_fs
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:
# Short-Description: dockdrop VM test driver (control disk /dev/vdb)
### END INIT INFO
case "$1" in
start)
	/usr/local/sbin/dd-vm-net
	setsid /usr/local/sbin/dd-vm-boot </dev/null >/dev/console 2>&1 &
	;;
esac
exit 0
EOF
	chmod 0755 "$tree/etc/init.d/dd-vm"
	;;
openrc)
	cat >"$tree/etc/init.d/dd-vm" <<'EOF'
#!/sbin/openrc-run
description="dockdrop VM test driver (control disk /dev/vdb)"
depend() {
	after *
}
start() {
	/usr/local/sbin/dd-vm-net
	setsid /usr/local/sbin/dd-vm-boot </dev/null >/dev/console 2>&1 &
	return 0
}
EOF
	chmod 0755 "$tree/etc/init.d/dd-vm"
	;;
esac
if [ "$INIT" != systemd ]; then
	# No gettys: the VM has no terminals (-nodefaults), they would respawn in a loop.
	sed -i 's,^\([0-9]*:[0-9]*:respawn:/sbin/getty\),#\1,' "$tree/etc/inittab"
fi


# --- in the tree: by chroot here, or at the arm64 image's first boot -----------------------
# What runs the tree's own programs: enabling the hook, the image's checks (it is what its
# name says, or the build fails), root locked, apt's caches emptied, the package list, the
# kernel and (amd64) the initrd Debian made. amd64 runs it by chroot now; arm64 programs do
# not run on this host (no binfmt_misc, and none registered: that is the kernel's global
# state), so the arm64 image runs it at its first boot, after debootstrap's second stage
# (below). Its results land in /dd-vm-out (taken out, then removed); a failure leaves the
# reason in /dd-vm-out/error.
cat >"$tree/dd-vm-setup" <<'EOF'
#!/bin/sh
# dd-vm-setup VARIANT INIT [noinitrd] (tests/vm/mkimage.sh): the image's steps run inside it.
set -eu
variant=$1 init=$2 initrd=${3:-initrd} o=/dd-vm-out
mkdir -p $o
fail() { echo "mkimage: $variant: $*" | tee $o/error >&2; exit 1; }
case $init in
systemd)
	systemctl enable dd-vm.service systemd-networkd.service >/dev/null 2>&1
	# Nothing that waits for a person, reaches out, or runs at a random time in the test.
	systemctl mask systemd-firstboot.service apt-daily.timer apt-daily-upgrade.timer \
		e2scrub_all.timer e2scrub_reap.service fstrim.timer getty@tty1.service >/dev/null 2>&1
	;;
sysv) update-rc.d dd-vm defaults >$o/update-rc.log 2>&1 ;;
openrc) rc-update add dd-vm default >$o/update-rc.log 2>&1 ;;
esac
[ "$init" = systemd ] || ls -l /etc/rc2.d /etc/runlevels/* >>$o/update-rc.log 2>&1 || true
# shellcheck disable=SC2016 # dpkg-query's own fields
has() { dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
want() { has "$1" || fail "package $1 is missing"; }
wantnot() { ! has "$1" || fail "package $1 is installed"; }
case $variant in
systemd) want systemd-sysv; want iptables; want apparmor ;;
nft) want systemd-sysv; want nftables; wantnot iptables ;;
apparmor) want systemd-sysv; want iptables; wantnot apparmor ;;
sysv) want sysvinit-core; want sysv-rc; wantnot systemd; want iptables ;;
openrc) want sysvinit-core; want openrc; wantnot sysv-rc; wantnot systemd; wantnot iptables ;;
esac
echo "$variant" >$o/variant
passwd -l root >/dev/null
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
# shellcheck disable=SC2016 # dpkg-query's own fields
dpkg-query -W -f '${Package} ${Version}\n' >$o/packages.txt
set -- /boot/vmlinuz-*
[ $# -eq 1 ] && [ -f "$1" ] || fail "expected one kernel in /boot, got: $*"
kver=${1##*/vmlinuz-}
if [ "$initrd" = initrd ]; then
	[ -f "/boot/initrd.img-$kver" ] || fail "no initrd.img-$kver"
	cp "/boot/vmlinuz-$kver" $o/vmlinuz
	cp "/boot/initrd.img-$kver" $o/initrd.img
fi
echo "$kver" >$o/kernel-version
EOF

# --- the disk image ------------------------------------------------------------------------
mkimg() {
	rm -f "$out/base.img"
	mkfs.ext4 -q -F -L ddroot -d "$tree" "$out/base.img" "$IMG_SIZE" >"$out/mkfs.log" 2>&1 || {
		cat "$out/mkfs.log" >&2
		exit 1
	}
}
setup_done() { # the setup's results in $out, or its reason
	if [ -s "$out/error" ] || [ ! -s "$out/kernel-version" ]; then
		echo "${1:-mkimage: the steps in the tree failed}: $(cat "$out/error" 2>/dev/null)" >&2
		[ ! -f "$out/stage2.log" ] || tail -n 5 "$out/stage2.log" >&2
		exit 1
	fi
	echo "# mkimage: kernel $(cat "$out/kernel-version"), $(wc -l <"$out/packages.txt") packages," \
		"image $(du -m "$out/base.img" | cut -f1) MB used" >&2
}
if [ "$arch" = amd64 ]; then
	in_tree /bin/sh /dd-vm-setup "$variant" "$INIT" || true
	cp -a "$tree/dd-vm-out/." "$out"/
	rm -rf "$tree/dd-vm-out" "$tree/dd-vm-setup"
	[ -s "$out/error" ] || mkimg
	setup_done
	exit 0
fi

# --- arm64: debootstrap's second stage and the steps above at the first boot ----------------
# The VM boots Debian's kernel from the first stage's linux-image .deb (the one the second
# stage installs: its modules are the image's) with a small initramfs made here, the image's
# own at every later boot too: Debian's arm64 busybox-static (DD_VM_BUSYBOX, fetched by
# run.sh with a private arm64 apt configuration) and the modules the root disk needs
# (virtio_pci, virtio_blk, ext4 and what their .modinfo says they depend on); its /init
# mounts /dev/vda and switches to /sbin/init, where udev loads the rest from the image's
# /lib/modules. The second stage makes no initrd of Debian's (INITRD=No, which the kernel's
# postinst hook honours): under TCG that alone takes minutes. With dd.firstboot on the
# command line /init runs /dd-vm-stage2 in the root by chroot (debootstrap --second-stage,
# /dd-vm-setup, the results as a tar on the second disk, /dev/vdb), unmounts it and powers
# off; any failure powers off too (panic=1, -no-reboot). cache=unsafe: dpkg's fsync of each
# file it unpacks costs TCG dearly, and /init unmounts the root before the power-off.
kdeb=$(find "$tree/var/cache/apt/archives" -name 'linux-image-[0-9]*-arm64_*_arm64.deb' -print -quit)
[ -n "$kdeb" ] || { echo "mkimage: no linux-image .deb in the first stage's archives" >&2; exit 1; }
[ -f "${DD_VM_BUSYBOX:-}" ] || { echo "mkimage: no arm64 busybox-static .deb (DD_VM_BUSYBOX)" >&2; exit 1; }
fb=$out/firstboot
rm -rf "$fb"
mkdir -p "$fb/k" "$fb/bb" "$fb/root/bin" "$fb/root/m"
dpkg-deb -x "$kdeb" "$fb/k"
dpkg-deb -x "$DD_VM_BUSYBOX" "$fb/bb"
set -- "$fb"/k/boot/vmlinuz-*
kver=${1##*/vmlinuz-}
cp "$1" "$out/vmlinuz"
cp "$fb/bb/bin/busybox" "$fb/root/bin/busybox"
# The modules, each after what it depends on (.modinfo's depends=; ext4's and jbd2's softdep
# on crc32c named here): no depmod or modinfo needed on this host.
modinfo_field() { tr '\0' '\n' <"$1" | sed -n "s/^$2=//p" | head -n 1; }
mods=
add_mod() {
	local f d
	case " $mods " in *" $1 "*) return 0 ;; esac
	f=$(find "$fb/k/lib/modules" -name "$1.ko" -print -quit)
	[ -n "$f" ] || { echo "mkimage: no module $1 in $(basename "$kdeb")" >&2; exit 1; }
	for d in $(modinfo_field "$f" depends | tr ',' ' '); do add_mod "$d"; done
	cp "$f" "$fb/root/m/$1.ko"
	mods="$mods $1"
}
for m in crc32c_generic virtio_pci virtio_blk ext4; do add_mod "$m"; done
echo "$mods" >"$fb/root/modules"
cat >"$fb/root/init" <<'EOF'
#!/bin/busybox sh
# The arm64 test image's initramfs (tests/vm/mkimage.sh): root is /dev/vda (ext4), read-only
# unless the command line says rw; dd.firstboot: the image's first boot instead.
/bin/busybox mkdir -p /proc /sys /dev /root /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
die() { echo "initramfs: $*"; poweroff -f; }
for m in $(cat /modules); do insmod "/m/$m.ko" || echo "initramfs: insmod $m failed"; done
i=0
while [ ! -b /dev/vda ]; do
	i=$((i + 1))
	[ $i -gt 300 ] && die "no /dev/vda"
	sleep 0.1
done
case " $(cat /proc/cmdline) " in
*" dd.firstboot "*)
	mount -t ext4 /dev/vda /root || die "cannot mount /dev/vda"
	mount -t proc proc /root/proc && mount -t sysfs sysfs /root/sys &&
		mount -t devtmpfs devtmpfs /root/dev || die "cannot mount /proc, /sys, /dev in the root"
	chroot /root /bin/sh /dd-vm-stage2
	echo "initramfs: /dd-vm-stage2 exited $?"
	grep ' /root/' /proc/mounts | cut -d' ' -f2 | sort -r | while read -r m; do umount "$m"; done
	umount /root || mount -o remount,ro /root
	sync
	poweroff -f
	;;
*" rw "*) mount -t ext4 -o rw /dev/vda /root || die "cannot mount /dev/vda" ;;
*) mount -t ext4 -o ro /dev/vda /root || die "cannot mount /dev/vda" ;;
esac
mount --move /dev /root/dev
umount /sys /proc
exec switch_root /root /sbin/init
EOF
cat >"$tree/dd-vm-stage2" <<EOF
#!/bin/sh
# The arm64 image's first boot (tests/vm/mkimage.sh), by chroot from the initramfs's /init;
# each line of the log with the uptime it was written at.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin INITRD=No
o=/dd-vm-out
mkdir -p \$o
stamp() { while IFS= read -r l; do read -r up _ </proc/uptime; echo "\$up \$l"; done; }
{ /debootstrap/debootstrap --second-stage 2>&1; echo "debootstrap exit \$?"; } | stamp >\$o/stage2.log
if tail -n 1 \$o/stage2.log | grep -q ' debootstrap exit 0\$'; then
	/bin/sh /dd-vm-setup $variant $INIT noinitrd 2>&1 | stamp >>\$o/stage2.log
else
	echo "debootstrap --second-stage failed: \$(tail -n 3 \$o/stage2.log | tr '\n' '|')" >\$o/error
fi
tail -n 3 \$o/stage2.log
tar -cf /dev/vdb -C \$o .
rm -rf \$o /dd-vm-setup /dd-vm-stage2
EOF
# A newc cpio archive (the kernel's initramfs format), written here: no cpio on the host.
newc() { # NAME MODE-HEX [FILE [RDEVMAJOR RDEVMINOR]]
	size=0
	[ -n "${3:-}" ] && size=$(stat -c %s "$3")
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\0' \
		$((ino += 1)) "0x$2" 0 0 1 0 "$size" 0 0 "${4:-0}" "${5:-0}" $((${#1} + 1)) 0 "$1"
	head -c $(((4 - (110 + ${#1} + 1) % 4) % 4)) /dev/zero
	[ "$size" = 0 ] || cat "$3"
	head -c $(((4 - size % 4) % 4)) /dev/zero
}
ino=0
{
	newc dev 41ED
	newc dev/console 2180 "" 5 1
	for d in bin m; do newc "$d" 41ED; done
	newc init 81ED "$fb/root/init"
	newc modules 81A4 "$fb/root/modules"
	newc bin/busybox 81ED "$fb/root/bin/busybox"
	for m in $mods; do newc "m/$m.ko" 81A4 "$fb/root/m/$m.ko"; done
	newc TRAILER!!! 0
} | gzip -n -9 >"$out/initrd.img"
mkimg
truncate -s 256M "$fb/out.img"
echo "# mkimage: the first boot (debootstrap --second-stage in the VM, qemu-system-aarch64 TCG)" >&2
# In the background, and waited for: a TERM or INT (run.sh's timeout ending this script, a
# Ctrl-C) runs the trap at once, which ends qemu by pid: TERM to timeout, which passes it on
# (qemu may not have written its pid file yet), then KILL to qemu's own pid. timeout -s KILL
# still bounds it should this script die by KILL (timeout runs qemu in a process group of
# its own, which a signal to this script's group does not reach).
firstboot_stop() {
	local q
	[ -z "${tpid:-}" ] || kill -TERM "$tpid" 2>/dev/null || true
	tpid=
	q=$(cat "$fb/qemu.pid" 2>/dev/null) || true
	if [ -n "$q" ] && tr '\0' ' ' 2>/dev/null <"/proc/$q/cmdline" | grep -qF "$fb/"; then
		kill -KILL "$q" 2>/dev/null || true
	fi
}
trap 'firstboot_stop; cleanup' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
# cpu: the CPU seconds (user and system) of the children this shell has waited for, from
# bash's `times` in this shell (a $( ) subshell has its own): qemu's cost (with timeout's),
# whatever else loads the host.
child_cpu() {
	times >"$fb/times"
	cpu=$(tail -n 1 "$fb/times" | tr 'ms' '  ' | awk '{ printf "%d", $1 * 60 + $2 + $3 * 60 + $4 }')
}
t=$SECONDS
child_cpu
cpu0=$cpu
timeout -s KILL "${DD_VM_FIRSTBOOT_TIMEOUT:-1500}" qemu-system-aarch64 -name dd-vm-firstboot \
	-machine virt -accel tcg -cpu "${DD_VM_CPU:-max,pauth=off}" -m 2048 -smp 2 \
	-nodefaults -no-user-config -display none -monitor none -no-reboot \
	-kernel "$out/vmlinuz" -initrd "$out/initrd.img" -append "console=ttyAMA0 panic=1 dd.firstboot" \
	-drive "file=$out/base.img,if=virtio,format=raw,cache=unsafe" \
	-drive "file=$fb/out.img,if=virtio,format=raw,cache=unsafe" \
	-device virtio-rng-pci -serial "file:$out/firstboot.log" \
	-pidfile "$fb/qemu.pid" >"$fb/qemu.out" 2>&1 </dev/null &
tpid=$!
qrc=0
wait "$tpid" || qrc=$?
tpid=
child_cpu
if [ $qrc -ne 0 ]; then
	echo "mkimage: qemu-system-aarch64 (the first boot) failed (exit $qrc) after $((SECONDS - t)) s:" \
		"$(tail -n 3 "$fb/qemu.out" "$out/firstboot.log" | tr -d '\r' | tr '\n' '|')" >&2
	exit 1
fi
tar -xf "$fb/out.img" -C "$out" 2>"$fb/tar.err" || true
echo "# mkimage: the first boot took $((SECONDS - t)) s, qemu $((cpu - cpu0)) s of CPU" >&2
[ -s "$out/error" ] || [ -s "$out/kernel-version" ] ||
	echo "no results on the second disk: $(tail -n 5 "$out/firstboot.log" | tr -d '\r' | tr '\n' '|')" >"$out/error"
[ -s "$out/error" ] || [ "$(cat "$out/kernel-version")" = "$kver" ] ||
	echo "the image's kernel is $(cat "$out/kernel-version"), not $kver" >"$out/error"
rm -rf "$fb"
setup_done "mkimage: the arm64 first boot failed"
