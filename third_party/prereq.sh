#!/bin/sh
# Make sure the build can run: a C compiler, musl-gcc and the unpackers fetch.sh uses. As
# root the missing packages are installed with the machine's own apt (whose configuration
# is only read: the pinned sources are fetched later through a private configuration, see
# apt.sh, so no deb-src entry is ever added); otherwise one command line is printed and
# the build stops. prereq.sh arm64: also what make ARCH=arm64 uses (the cross gcc, and
# qemu-aarch64-static, which runs the arm64 stub's bundle and tests).
set -eu
arch=${1:-amd64}
die() { echo "dockdrop build: $*" >&2; exit 1; }
# Older dockdrop builds added this one-line deb-src entry; on a machine whose sources are
# deb822 with Signed-By it makes every apt command fail. Say so (the machine's files are
# the operator's to change; apt.sh leaves this entry out of its private list).
old=/etc/apt/sources.list.d/dockdrop-src.list
if [ -f "$old" ] && command -v apt-cache >/dev/null 2>&1 && ! apt-cache policy >/dev/null 2>&1; then
	echo "dockdrop build: note: apt cannot read its sources; $old (added by an older dockdrop build) conflicts with them: remove it (rm $old)" >&2
fi

pkgs=""
for pair in gcc:gcc musl-gcc:musl-tools xz:xz-utils bzip2:bzip2 patch:patch dpkg-deb:dpkg; do
	command -v "${pair%%:*}" >/dev/null 2>&1 || pkgs="$pkgs ${pair#*:}"
done
if [ "$arch" = arm64 ]; then
	for pair in aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu qemu-aarch64-static:qemu-user-static; do
		command -v "${pair%%:*}" >/dev/null 2>&1 || pkgs="$pkgs ${pair#*:}"
	done
	[ -f /usr/aarch64-linux-gnu/include/linux/netfilter.h ] || pkgs="$pkgs linux-libc-dev-arm64-cross"
fi
# The carried iptables (iptables.mk) is compiled against the kernel's headers.
[ -f /usr/include/linux/netfilter.h ] || pkgs="$pkgs linux-libc-dev"
[ -z "$pkgs" ] && exit 0

install="apt-get update && apt-get install -y$pkgs"
if [ "$(id -u)" != 0 ]; then
	printf '%s\n' "dockdrop build: missing build prerequisites; run as root: sh -c \"$install\"" >&2
	exit 1
fi
echo "dockdrop build: $install" >&2
apt-get update -qq || die "apt-get update failed (see above); then run make again"
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null ||
	die "apt-get install$pkgs failed (see above)"
for pair in gcc:gcc musl-gcc:musl-tools; do
	command -v "${pair%%:*}" >/dev/null 2>&1 ||
		die "${pair%%:*} still missing after apt-get install ${pair#*:}"
done
