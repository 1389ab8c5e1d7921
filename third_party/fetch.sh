#!/bin/sh
# Fetch, verify, unpack and patch the pinned third-party sources listed in ./lock.
#   fetch.sh OUT [NAME...]   downloads into OUT/dl, unpacks into OUT/src/NAME (every NAME
#                            of the lock, or those given)
# THIRD_PARTY_DIR=DIR takes the files from DIR instead of apt-get source. apt-get runs with
# a private configuration (third_party/apt.sh, in DD_APT_DIR, default OUT/apt) derived from
# the machine's own sources: the machine's apt configuration is never changed.
# Any digest mismatch stops with one line; a bad file is never unpacked.
set -eu
out=${1:?usage: fetch.sh OUT [NAME...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
lock=$here/lock
mkdir -p "$out/dl" "$out/src"
out=$(cd "$out" && pwd)
aptdir=${DD_APT_DIR:-$out/apt}
die() { echo "dockdrop build: $*" >&2; exit 1; }

rows=$(awk -v only=" $* " '!/^#/ && NF == 7 && (only == "  " || index(only, " " $1 " "))' "$lock")
[ -n "$rows" ] || die "no entries${1:+ for $*} in $lock"

echo "$rows" | while read -r name ver pkg debver role file sum; do
	f="$out/dl/$file"
	if [ ! -f "$f" ]; then
		if [ -n "${THIRD_PARTY_DIR:-}" ]; then
			[ -f "$THIRD_PARTY_DIR/$file" ] || die "$file not found in THIRD_PARTY_DIR=$THIRD_PARTY_DIR"
			cp "$THIRD_PARTY_DIR/$file" "$f.part" && mv "$f.part" "$f"
		else
			echo "dockdrop build: apt-get source --download-only $pkg=$debver" >&2
			(cd "$out/dl" && sh "$here/apt.sh" "$aptdir" -- source -qq --download-only "$pkg=$debver" >/dev/null) ||
				die "apt-get source $pkg=$debver failed (private apt configuration in $aptdir); or set THIRD_PARTY_DIR to a directory holding the files of $lock"
			[ -f "$f" ] || die "apt-get source $pkg=$debver did not provide $file"
		fi
	fi
	got=$(sha256sum "$f" | cut -d' ' -f1)
	if [ "$got" != "$sum" ]; then
		rm -f "$f"
		die "SHA-256 mismatch for $file: expected $sum, got $got (file removed; check its origin)"
	fi
done

echo "$rows" | awk '{ print $1 }' | uniq | while read -r name; do
	orig=$(echo "$rows" | awk -v n="$name" '$1 == n && $5 == "orig" { print $6 }')
	deb=$(echo "$rows" | awk -v n="$name" '$1 == n && $5 == "debian" { print $6 }')
	dst="$out/src/$name"
	stamp="$dst/.dockdrop-stamp"
	want="$orig $deb"
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && continue
	rm -rf "$dst" "$dst.tmp" && mkdir -p "$dst.tmp/debian-pkg"
	tar -xf "$out/dl/$orig" -C "$dst.tmp" --strip-components=1 --no-same-owner
	if [ -n "$deb" ]; then
		tar -xf "$out/dl/$deb" -C "$dst.tmp/debian-pkg" --no-same-owner
		series="$dst.tmp/debian-pkg/debian/patches/series"
		if [ -f "$series" ]; then
			grep -v '^[[:space:]]*\(#\|$\)' "$series" | while read -r p _; do
				patch -s -p1 -d "$dst.tmp" <"$dst.tmp/debian-pkg/debian/patches/$p" ||
					die "Debian patch $p does not apply to $name"
			done
		fi
	fi
	echo "$want" >"$dst.tmp/.dockdrop-stamp"
	mv "$dst.tmp" "$dst"
	echo "dockdrop build: $name unpacked and patched in $dst" >&2
done
