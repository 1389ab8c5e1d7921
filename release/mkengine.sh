#!/bin/sh
# Assemble a Docker engine tarball in the official static layout
#   docker/{docker,dockerd,containerd,containerd-shim-runc-v2,ctr,runc,docker-init,docker-proxy}
# from Debian's docker.io, containerd, runc and tini packages (which file is which:
# release/engine.map) (apt verifies the .debs
# against the signed archive index). The tarball is built reproducibly (sorted names, fixed
# mtime, root-owned, gzip -n) and its SHA-256 is printed, never assumed. Nothing here is
# committed: the output goes to OUTDIR (the build directory).
#
# Each package's source is looked up in release/sources.lock (its tarballs' SHA-256 from
# Debian's signed Sources index): OUTDIR/engine.parts holds those rows as part records'
# fields (bundle --engine-parts), so the signed manifest names what the engine is built
# from; a package whose source has no row there stops the build.
#
# usage: mkengine.sh OUTDIR [ARCH]
#   -> OUTDIR/docker-VERSION.tgz, OUTDIR/engine.parts, OUTDIR/engine.env
# ARCH: the Debian architecture of the packages (amd64, arm64; default: this machine's),
# taken through the private apt configuration set up as on such a machine
# (third_party/apt.sh, DD_APT_ARCH); every .deb is checked to be of that architecture.
# (DD_APT_DIR: the private apt directory, shared with third_party/fetch.sh)
set -eu
out=${1:?usage: mkengine.sh OUTDIR [ARCH]}
want=${2:-}
pkgs="docker.io containerd runc tini"
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/debs"
out=$(cd "$out" && pwd)
aptdir=${DD_APT_DIR:-$out/apt}
cd "$out"

have_debs() {
	for p in $pkgs; do
		ls debs/"$p"_*.deb >/dev/null 2>&1 || return 1
	done
}
if ! have_debs; then
	# A private apt configuration derived from the machine's sources (third_party/apt.sh):
	# the machine's own lists and sources are never touched.
	echo "dockdrop build: apt-get download $pkgs" >&2
	(cd debs && DD_APT_ARCH=$want sh "$here/../third_party/apt.sh" "$aptdir" -- download -q $pkgs >/dev/null) ||
		{ echo "dockdrop build: apt-get download $pkgs${want:+ for $want} failed (private apt configuration in $aptdir); or give make ENGINE=path/docker-X.tgz" >&2; exit 1; }
fi
for d in debs/*.deb; do
	a=$(dpkg-deb -f "$d" Architecture)
	[ -z "$want" ] || [ "$a" = "$want" ] || [ "$a" = all ] ||
		{ echo "dockdrop build: $out/$d is for $a, not $want: remove it and run make again" >&2; exit 1; }
done

rm -rf root stage
mkdir -p root stage/docker
: >engine.parts.tmp
for p in $pkgs; do
	d=$(ls debs/"$p"_*.deb)
	dpkg-deb -x "$d" root
	src=$(sh "$here/debsource.sh" "$d")
	name=${src% *} srcver=${src#* }
	awk -v n="$name" -v v="$srcver" '!/^#/ && NF == 7 && $3 == n && $4 == v { print $1, $2, $4, $5, $7; f = 1 }
		END { exit !f }' "$here/sources.lock" >>engine.parts.tmp ||
		{ echo "dockdrop build: the source of $d ($name $srcver) has no row in release/sources.lock: run release/lock-sources.sh $d and add its rows" >&2; exit 1; }
done
mv engine.parts.tmp engine.parts
# official name <- file in the Debian packages (release/engine.map)
map=$(awk '!/^#/ && NF >= 4 { print $1 ":" $3 }' "$here/engine.map")
for pair in $map; do
	src=root/${pair#*:}
	[ -f "$src" ] && [ ! -L "$src" ] || { echo "dockdrop build: $src missing from the packages" >&2; exit 1; }
	cp -p "$src" "stage/docker/${pair%%:*}"
	chmod 0755 "stage/docker/${pair%%:*}"
done
chmod 0755 stage/docker

debver=$(dpkg-deb -f debs/docker.io_*.deb Version)
version=$(printf '%s\n' "$debver" | sed 's/^[0-9]*://; s/[+~-].*//')
case $(dpkg-deb -f debs/docker.io_*.deb Architecture) in
amd64) arch=x86_64 ;;
arm64) arch=aarch64 ;;
*) arch=$(dpkg-deb -f debs/docker.io_*.deb Architecture) ;;
esac
# The newest file's time, so the same packages always give the same bytes.
epoch=$(find stage -type f -printf '%T@\n' | sort -n | tail -1 | cut -d. -f1)
tgz=docker-$version.tgz
rm -f docker-*.tgz
tar -C stage --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
	-cf - docker | gzip -n >"$tgz.tmp"
mv "$tgz.tmp" "$tgz"
rm -rf root stage
sum=$(sha256sum "$tgz" | cut -d' ' -f1)
printf 'ENGINE_FILE=%s\nENGINE_VERSION=%s\nENGINE_ARCH=%s\nENGINE_SHA256=%s\nENGINE_PARTS=%s\n' \
	"$out/$tgz" "$version" "$arch" "$sum" "$out/engine.parts" >engine.env
echo "dockdrop build: engine $tgz (Debian docker.io $debver, $arch) sha256 $sum" >&2
