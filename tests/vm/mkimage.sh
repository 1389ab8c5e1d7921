#!/bin/bash
# Builds a VM image for tests/vm/run.sh: a Debian bookworm root made by debootstrap
# (minbase plus an init system, a kernel, and the libraries Debian's dockerd and runc link:
# NOT docker.io), put into an ext4 disk image without any loop mount (mkfs.ext4 -d).
# run.sh keys its cache on this file's SHA-256 and the variant: any change here rebuilds.
#
# usage: mkimage.sh VARIANT OUTDIR   -> OUTDIR/{base.img,vmlinuz,initrd.img,packages.txt}
#   VARIANT  systemd   systemd as PID 1, iptables, apparmor (a standard Debian 12 install)
#            nft       systemd, nftables and NO iptables package (dockdrop's carried one)
#            sysv      sysvinit-core as init (no systemd at all), iptables, apparmor
#            openrc    OpenRC (openrc package, sysvinit-core's /sbin/init as Debian does
#                      it: `apt install openrc` replaces sysv-rc), no iptables, apparmor
#            apparmor  systemd, iptables, AppArmor enabled in the kernel (Debian's default)
#                      and NO apparmor package (no apparmor_parser)
#   DD_VM_MIRROR=URL     Debian mirror (default: the first one apt uses here, else deb.debian.org)
#   DD_VM_DEBS=DIR       the package cache (kept between builds, shared by the variants)
#
# The image knows nothing about dockdrop: at every boot a hook (dd-vm.service, or the
# dd-vm init script under sysvinit and OpenRC) gives eth0 its static address where systemd
# does not, mounts the second virtio disk (/dev/vdb, read-only) and runs its guest.sh, which
# talks to the host through the virtio-serial port named dd.ctl (see run.sh).
set -euo pipefail
variant=${1:?usage: mkimage.sh VARIANT OUTDIR}
out=${2:?usage: mkimage.sh VARIANT OUTDIR}
SUITE=bookworm
# What every image has: a kernel, udev (the control disk and port), iproute2 and kmod for
# dockerd; libseccomp2 (runc) and libdevmapper1.02.1 (dockerd; libsystemd0, libudev1,
# libcap2, libgcrypt20, liblzma5, libzstd1, liblz4-1, libselinux1 are named since no
# systemd brings them in the sysv and openrc images).
PKGS=udev,linux-image-amd64,initramfs-tools,iproute2,kmod,procps
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

cache=()
if [ -n "${DD_VM_DEBS:-}" ]; then
	mkdir -p "$DD_VM_DEBS"
	cache=(--cache-dir="$DD_VM_DEBS")
fi
echo "# mkimage: debootstrap --variant=minbase $SUITE from $mirror" >&2
debootstrap --variant=minbase --components=main --include="$PKGS" "${cache[@]}" \
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
	mkdir -p "$tree/etc/systemd/network"
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
	in_tree systemctl enable dd-vm.service systemd-networkd.service >/dev/null 2>&1
	# Nothing that waits for a person, reaches out, or runs at a random time in the test.
	in_tree systemctl mask systemd-firstboot.service apt-daily.timer apt-daily-upgrade.timer \
		e2scrub_all.timer e2scrub_reap.service fstrim.timer getty@tty1.service >/dev/null 2>&1
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
	in_tree update-rc.d dd-vm defaults >"$out/update-rc.log" 2>&1
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
	in_tree rc-update add dd-vm default >"$out/update-rc.log" 2>&1
	;;
esac
if [ "$INIT" != systemd ]; then
	# No gettys: the VM has no terminals (-nodefaults), they would respawn in a loop.
	sed -i 's,^\([0-9]*:[0-9]*:respawn:/sbin/getty\),#\1,' "$tree/etc/inittab"
	ls -l "$tree"/etc/rc2.d "$tree"/etc/runlevels/* >>"$out/update-rc.log" 2>&1 || true
fi

# The image is what its name says, or the build fails.
# shellcheck disable=SC2016 # dpkg-query's own fields
has() { in_tree dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
want() { has "$1" || { echo "mkimage: $variant: package $1 is missing" >&2; exit 1; }; }
wantnot() { ! has "$1" || { echo "mkimage: $variant: package $1 is installed" >&2; exit 1; }; }
case $variant in
systemd) want systemd-sysv; want iptables; want apparmor ;;
nft) want systemd-sysv; want nftables; wantnot iptables ;;
apparmor) want systemd-sysv; want iptables; wantnot apparmor ;;
sysv) want sysvinit-core; want sysv-rc; wantnot systemd; want iptables ;;
openrc) want sysvinit-core; want openrc; wantnot sysv-rc; wantnot systemd; wantnot iptables ;;
esac
echo "$variant" >"$out/variant"

in_tree passwd -l root >/dev/null
in_tree apt-get clean
rm -rf "$tree"/var/lib/apt/lists/* "$tree"/var/cache/apt/*.bin
# shellcheck disable=SC2016 # dpkg-query's own fields
in_tree dpkg-query -W -f '${Package} ${Version}\n' >"$out/packages.txt"

# --- kernel, initrd, disk image ------------------------------------------------------------
set -- "$tree"/boot/vmlinuz-*
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
	echo "mkimage: expected one kernel in /boot, got: $*" >&2
	exit 1
fi
kver=${1##*/vmlinuz-}
[ -f "$tree/boot/initrd.img-$kver" ] || { echo "mkimage: no initrd.img-$kver" >&2; exit 1; }
cp "$tree/boot/vmlinuz-$kver" "$out/vmlinuz"
cp "$tree/boot/initrd.img-$kver" "$out/initrd.img"
echo "$kver" >"$out/kernel-version"

rm -f "$out/base.img"
mkfs.ext4 -q -F -L ddroot -d "$tree" "$out/base.img" "$IMG_SIZE" >"$out/mkfs.log" 2>&1 || {
	cat "$out/mkfs.log" >&2
	exit 1
}
echo "# mkimage: kernel $kver, $(wc -l <"$out/packages.txt") packages," \
	"tree $(du -sm "$tree" | cut -f1) MB, image $(du -m "$out/base.img" | cut -f1) MB used" >&2
