#!/bin/sh
# The Debian root the end-to-end tests install into: debootstrap bookworm (minbase) plus
# what Debian's dockerd links against (libdevmapper1.02.1) and busybox-static for a tiny
# test image. Built once per machine and cached:
#   mkroot.sh          prints the cached root's path, building it first when missing
# The cache key is the digest of what goes in (suite, variant, packages). It is
# built under a temporary name and renamed into place, so a killed build leaves no root
# that looks complete. Bounded: debootstrap gets 20 minutes.
set -eu
CACHE=${DD_TEST_CACHE:-/var/cache/dockdrop-test}
INCLUDE=libdevmapper1.02.1,busybox-static
key=$(echo "bookworm minbase $INCLUDE" | sha256sum | cut -c1-12)
root=$CACHE/e2e-root-$key
if [ -x "$root/bin/sh" ]; then
	echo "$root"
	exit 0
fi
command -v debootstrap >/dev/null || { echo "mkroot: debootstrap is not installed" >&2; exit 1; }
# The machine's own Debian mirror (deb822 or one-line sources), else deb.debian.org.
mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 ~ /^http/ && $2 !~ /security/ { print $2; exit }' \
	/etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
mkdir -p "$CACHE"
tmp=$(mktemp -d "$CACHE/.e2e-root-$key.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "mkroot: debootstrap bookworm from $mirror into $tmp (once per machine)" >&2
if ! timeout 1200 debootstrap --variant=minbase --include="$INCLUDE" bookworm "$tmp" "$mirror" \
	>"$tmp.log" 2>&1; then
	echo "mkroot: debootstrap failed; the end of its log:" >&2
	tail -n 15 "$tmp.log" >&2
	rm -f "$tmp.log"
	exit 1
fi
rm -f "$tmp.log"
rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/var/lib/apt/lists/"* 2>/dev/null || true
mv "$tmp" "$root"
trap - EXIT
echo "$root"
