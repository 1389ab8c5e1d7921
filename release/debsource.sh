#!/bin/sh
# The Debian source package a .deb is built from: NAME VERSION, from its Source: field
# ("NAME", or "NAME (VERSION)" when the source version differs from the binary's, as in a
# binNMU's +bN), or its own Package and Version when it has none.
#   debsource.sh DEB   (release/mkengine.sh, release/lock-sources.sh)
set -eu
d=${1:?usage: debsource.sh DEB}
src=$(dpkg-deb -f "$d" Source) pkg=$(dpkg-deb -f "$d" Package) ver=$(dpkg-deb -f "$d" Version)
name=${src%% *}
srcver=$(printf '%s\n' "$src" | sed -n 's/.*(\(.*\))$/\1/p')
echo "${name:-$pkg} ${srcver:-$ver}"
