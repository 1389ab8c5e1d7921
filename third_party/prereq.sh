#!/bin/sh
# Make sure the build can run: a C compiler, musl-gcc and the unpackers fetch.sh uses. As
# root the missing packages are installed with the machine's own apt configuration (which
# is only read: the pinned sources are fetched later through a private configuration, see
# apt.sh, so no deb-src entry is ever added); otherwise one command line is printed and
# the build stops.
set -eu
pkgs=""
for pair in gcc:gcc musl-gcc:musl-tools xz:xz-utils bzip2:bzip2 patch:patch dpkg-deb:dpkg; do
	command -v "${pair%%:*}" >/dev/null 2>&1 || pkgs="$pkgs ${pair#*:}"
done
[ -z "$pkgs" ] && exit 0

install="apt-get update && apt-get install -y$pkgs"
if [ "$(id -u)" != 0 ]; then
	printf '%s\n' "dockdrop build: missing build prerequisites; run as root: sh -c \"$install\"" >&2
	exit 1
fi
echo "dockdrop build: $install" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
for pair in gcc:gcc musl-gcc:musl-tools; do
	command -v "${pair%%:*}" >/dev/null 2>&1 ||
		{ echo "dockdrop build: ${pair%%:*} still missing after apt-get install ${pair#*:}" >&2; exit 1; }
done
