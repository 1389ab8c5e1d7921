#!/bin/sh
# compose-plugin.sh OUTDIR: Debian 13's Compose CLI plugin (the docker-compose package,
# fetched once with a private apt configuration naming trixie, cached in DD_TEST_CACHE,
# never committed) as OUTDIR/docker-compose.gz (gzip -n: what bundle --plugin carries
# compressed). Prints the program's own SHA-256. Exit 1 when it cannot be fetched.
#   DD_TEST_CACHE=/var/cache/dockdrop-test   BUILD=build (its apt-trixie holds the lists)
#   ARCH=amd64|arm64 (default amd64): the package's architecture (apt.sh's DD_APT_ARCH)
set -u
out=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${DD_TEST_CACHE:-/var/cache/dockdrop-test}
BUILD=${BUILD:-build}
case $BUILD in /*) apt=$BUILD/apt-trixie ;; *) apt=$top/$BUILD/apt-trixie ;; esac
arch=${ARCH:-amd64}
deb=$(ls "$CACHE"/docker-compose_*_"$arch".deb 2>/dev/null | tail -n 1)
if [ -z "$deb" ]; then
	dl=$(mktemp -d "$CACHE/dl.XXXXXX") || exit 1
	(cd "$dl" && DD_APT_ARCH=$arch sh "$top/third_party/apt.sh" "$apt" trixie -- download docker-compose) >&2 &&
		mv "$dl"/docker-compose_*_"$arch".deb "$CACHE/"
	rm -rf "$dl"
	deb=$(ls "$CACHE"/docker-compose_*_"$arch".deb 2>/dev/null | tail -n 1)
	[ -n "$deb" ] || { echo "compose-plugin.sh: cannot fetch docker-compose from Debian trixie" >&2; exit 1; }
fi
x=$(mktemp -d) || exit 1
trap 'rm -rf "$x"' EXIT
dpkg-deb -x "$deb" "$x" && p=$x/usr/libexec/docker/cli-plugins/docker-compose && [ -x "$p" ] ||
	{ echo "compose-plugin.sh: no docker-compose program in $deb" >&2; exit 1; }
sha256sum "$p" | cut -c1-64
gzip -n -c "$p" >"$out/docker-compose.gz"
