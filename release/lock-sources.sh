#!/bin/sh
# Write the rows of release/sources.lock for Debian packages dockdrop carries but does not
# build from source itself: the engine's packages (release/mkengine.sh). Each row is one
# source tarball (.orig, and each .orig-COMPONENT of a multi-tarball source) of the
# package's source (release/debsource.sh), with the SHA-256 Debian's Sources index gives for
# it: apt-get source --print-uris through third_party/apt.sh (a private apt configuration;
# apt checks the index against the archive's signed Release file). Nothing is downloaded.
# The licence is the "Files: *" stanza of the package's copyright file, as SPDX
# (third_party/license.sh).
#   lock-sources.sh DEB...  > rows     (DD_APT_DIR: the private apt directory)
# e.g. sh release/lock-sources.sh build/engine/debs/*.deb build/arm64/engine/debs/*.deb
# Review the rows, then put them in release/sources.lock (sorted, duplicates once).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
aptdir=${DD_APT_DIR:-$here/../build/apt}
die() { echo "lock-sources: $*" >&2; exit 1; }
[ $# -gt 0 ] || die "usage: lock-sources.sh DEB..."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for a; do
	[ -f "$a" ] || die "$a: not a .deb file"
	pkg=$(dpkg-deb -f "$a" Package)
	src=$(sh "$here/debsource.sh" "$a")
	name=${src% *} srcver=${src#* }
	rm -rf "$tmp/x" && mkdir "$tmp/x" && dpkg-deb -x "$a" "$tmp/x"
	copyright=$tmp/x/usr/share/doc/$pkg/copyright
	[ -f "$copyright" ] || copyright=$tmp/x/usr/share/doc/$name/copyright
	lic=$(sh "$here/../third_party/license.sh" "$copyright" 2>/dev/null) || lic=""
	[ -n "$lic" ] || die "$a: no licence in a \"Files: *\" stanza of $copyright"
	up=$(printf '%s\n' "$srcver" | sed 's/^[0-9]*://; s/-[^-]*$//')
	short=$(printf '%s\n' "$up" | sed 's/[+~].*//')
	sh "$here/../third_party/apt.sh" "$aptdir" -- source --print-uris -qq "$name=$srcver" >"$tmp/uris" ||
		die "apt-get source --print-uris $name=$srcver failed"
	n=0
	while read -r _ file _ hash; do
		case $file in *.asc) continue ;; "${name}_$up".orig.tar.* | "${name}_$up".orig-*.tar.*) ;; *) continue ;; esac
		case $hash in SHA256:*) ;; *) die "$file: no SHA256 in the Sources index ($hash)" ;; esac
		comp=${file#"${name}_$up".orig}
		comp=${comp%%.tar.*}
		printf '%s %s %s %s %s %s %s\n' "$name${comp:+:${comp#-}}" "$short" "$name" "$srcver" "$lic" "$file" "${hash#SHA256:}"
		n=$((n + 1))
	done <"$tmp/uris"
	[ $n -gt 0 ] || die "$name=$srcver: no .orig tarball in the Sources index"
done | LC_ALL=C sort -u | awk '{ printf "%-22s %-9s %-11s %-25s %-11s %-46s %s\n", $1, $2, $3, $4, $5, $6, $7 }'
