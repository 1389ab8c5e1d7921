#!/bin/sh
# Make sure the build can run: a C compiler, musl-gcc, the unpackers fetch.sh uses, and
# (unless the sources are already here or given with THIRD_PARTY_DIR) a deb-src entry so
# that `apt-get source` can fetch the pinned libraries. As root the missing pieces are
# installed; otherwise one command line is printed and the build stops.
set -eu
dl=${1:?usage: prereq.sh DOWNLOAD_DIR}
lock=$(dirname "$0")/lock
srcfile=/etc/apt/sources.list.d/dockdrop-src.list

pkgs=""
for pair in gcc:gcc musl-gcc:musl-tools xz:xz-utils bzip2:bzip2 patch:patch; do
	command -v "${pair%%:*}" >/dev/null 2>&1 || pkgs="$pkgs ${pair#*:}"
done
need_src=0
if [ -z "${THIRD_PARTY_DIR:-}" ]; then
	for f in $(awk '!/^#/ && NF == 7 { print $6 }' "$lock"); do
		[ -f "$dl/$f" ] || need_src=1
	done
	if [ $need_src = 1 ] && apt-cache showsrc bearssl 2>/dev/null | grep -q '^Package: bearssl'; then
		need_src=0
	fi
fi
[ -z "$pkgs" ] && [ $need_src = 0 ] && exit 0

add_src="echo 'deb-src http://deb.debian.org/debian bookworm main' >$srcfile"
install="apt-get update"
[ -n "$pkgs" ] && install="$install && apt-get install -y$pkgs"
if [ "$(id -u)" != 0 ]; then
	line=$install
	[ $need_src = 1 ] && line="$add_src && $line"
	printf '%s\n' "dockdrop build: missing build prerequisites; run as root: sh -c \"$line\"" >&2
	exit 1
fi
if [ $need_src = 1 ] && ! grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "dockdrop build: adding a deb-src entry ($srcfile)" >&2
	sh -c "$add_src"
fi
echo "dockdrop build: $install" >&2
apt-get update -qq
if [ -n "$pkgs" ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
fi
for pair in gcc:gcc musl-gcc:musl-tools; do
	command -v "${pair%%:*}" >/dev/null 2>&1 ||
		{ echo "dockdrop build: ${pair%%:*} still missing after apt-get install ${pair#*:}" >&2; exit 1; }
done
