#!/bin/bash
# Builds the VM image for tests/vm/run.sh: a Debian bookworm root made by debootstrap
# (minbase plus systemd as PID 1, a kernel, and the libraries Debian's dockerd and runc link:
# NOT docker.io), put into an ext4 disk image without any loop mount (mkfs.ext4 -d).
# run.sh keys its cache on this file's SHA-256: any change here rebuilds the image.
#
# usage: mkimage.sh OUTDIR   -> OUTDIR/{base.img,vmlinuz,initrd.img,packages.txt}
#   DD_VM_MIRROR=URL     Debian mirror (default: the first one apt uses here, else deb.debian.org)
#   DD_VM_DEBS=DIR       debootstrap's package cache (kept between builds)
#
# The image knows nothing about dockdrop: at every boot dd-vm.service mounts the second
# virtio disk (/dev/vdb, read-only) and runs its guest.sh, which talks to the host through
# the virtio-serial port /dev/virtio-ports/dd.ctl (see run.sh).
set -euo pipefail
out=${1:?usage: mkimage.sh OUTDIR}
SUITE=bookworm
# systemd as PID 1 and what a cloud VM has; iptables and kmod for dockerd; libseccomp2 (runc)
# and libdevmapper1.02.1 (dockerd; libsystemd0, libudev1, libcap2, libgcrypt20, liblzma5,
# libzstd1, liblz4-1, libselinux1 come with systemd and udev). apparmor: Debian's kernel
# enables AppArmor, and a standard Debian install has apparmor_parser (without it dockdrop's
# preflight rightly refuses: docker run would fail).
PKGS=systemd,systemd-sysv,udev,dbus,linux-image-amd64,initramfs-tools,iproute2,kmod,iptables
PKGS=$PKGS,libdevmapper1.02.1,libseccomp2,libsystemd0,libudev1,libcap2,libgcrypt20,liblzma5
PKGS=$PKGS,libzstd1,liblz4-1,libselinux1,procps,apparmor
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
echo ddvm >"$tree/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tddvm\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
	>"$tree/etc/hosts"
printf '/dev/vda\t/\text4\tdefaults\t0\t0\n' >"$tree/etc/fstab"
# Static address in qemu's user network (the address hostfwd forwards to): no DHCP client.
mkdir -p "$tree/etc/systemd/network"
cat >"$tree/etc/systemd/network/10-eth0.network" <<'EOF'
[Match]
Name=eth0

[Network]
Address=10.0.2.15/24
Gateway=10.0.2.2
EOF

# The boot hook: wait for the control disk, mount it read-only, run its guest.sh.
cat >"$tree/usr/local/sbin/dd-vm-boot" <<'EOF'
#!/bin/sh
# dockdrop VM test: run the test driver from the control disk (see tests/vm/run.sh).
i=0
while [ ! -b /dev/vdb ] || [ ! -e /dev/virtio-ports/dd.ctl ]; do
	i=$((i + 1))
	[ $i -gt 600 ] && { echo "dd-vm-boot: no /dev/vdb or /dev/virtio-ports/dd.ctl"; exit 1; }
	sleep 0.1
done
mkdir -p /mnt/dd
mountpoint -q /mnt/dd || mount -o ro /dev/vdb /mnt/dd || exit 1
exec /bin/bash /mnt/dd/guest.sh
EOF
chmod 0755 "$tree/usr/local/sbin/dd-vm-boot"
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

in_tree() { chroot "$tree" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
in_tree systemctl enable dd-vm.service systemd-networkd.service >/dev/null 2>&1
# Nothing that waits for a person, reaches out, or runs at a random time during the test.
in_tree systemctl mask systemd-firstboot.service apt-daily.timer apt-daily-upgrade.timer \
	e2scrub_all.timer e2scrub_reap.service fstrim.timer getty@tty1.service >/dev/null 2>&1
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
