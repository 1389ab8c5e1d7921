# The third-party rules: pins in third_party/lock, digests checked before anything is
# unpacked, THIRD_PARTY_DIR for user-supplied tarballs, and the prerequisite check.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
lock="$top/third_party/lock"
dl="$top/${BUILD:-build}/third_party/dl"

rows=$(awk '!/^#/ && NF == 7' "$lock")
for lib in bearssl zlib; do
	check "lock pins $lib" sh -c "echo '$rows' | grep -q '^$lib '"
done
check "lock pins BearSSL 0.6" sh -c "echo '$rows' | grep -q '^bearssl  *0\.6 '"
check "lock pins zlib 1.2.13" sh -c "echo '$rows' | grep -q '^zlib  *1\.2\.13 '"
bad=$(echo "$rows" | awk 'length($7) != 64 || $7 ~ /[^0-9a-f]/ || ($5 != "orig" && $5 != "debian")')
check "every lock row has a role and a SHA-256" test -z "$bad"
if git -C "$top" rev-parse HEAD >/dev/null 2>&1; then
	vendored=$(git -C "$top" ls-files third_party | grep -vE '^third_party/(lock|[a-z]+\.(sh|mk))$')
	check "third_party/ tracks no third-party code" test -z "$vendored"
fi

# THIRD_PARTY_DIR with good copies: fetched, verified, unpacked, patched.
supplied="$T_TMP/supplied"
mkdir -p "$supplied"
for f in $(echo "$rows" | awk '{ print $6 }'); do
	[ -f "$dl/$f" ] || { skip "THIRD_PARTY_DIR tests: $f not downloaded yet (run make)"; exit 0; }
	cp "$dl/$f" "$supplied/"
done
run env THIRD_PARTY_DIR="$supplied" sh "$top/third_party/fetch.sh" "$T_TMP/good"
check "THIRD_PARTY_DIR: fetch succeeds (exit $rc)" test $rc -eq 0
check "THIRD_PARTY_DIR: BearSSL unpacked" test -f "$T_TMP/good/src/bearssl/inc/bearssl.h"
check "THIRD_PARTY_DIR: zlib unpacked" test -f "$T_TMP/good/src/zlib/inflate.c"
check "Debian patch series applied (cJSON CVE-2025-57052)" \
	grep -q 'pointer\[position\] <= .9.' "$T_TMP/good/src/cjson/cJSON_Utils.c"

# A corrupted tarball: one clear line, nothing unpacked.
orig=$(echo "$rows" | awk '$1 == "zlib" && $5 == "orig" { print $6 }')
cp -r "$supplied" "$T_TMP/corrupt"
printf 'X' | dd of="$T_TMP/corrupt/$orig" bs=1 seek=1000 conv=notrunc 2>/dev/null
run env THIRD_PARTY_DIR="$T_TMP/corrupt" sh "$top/third_party/fetch.sh" "$T_TMP/bad"
if [ $rc -ne 0 ] && [ "$(lines "$T_TMP/err")" = 1 ] &&
	grep -q "^dockdrop build: SHA-256 mismatch for $orig" "$T_TMP/err"; then
	ok "a digest mismatch stops with one line"
else
	notok "digest mismatch: exit $rc: $(cat "$T_TMP/err")"
fi
check "nothing unpacked after a mismatch" test ! -e "$T_TMP/bad/src/zlib"
check "the bad copy is not kept" test ! -e "$T_TMP/bad/dl/$orig"

# Through make: the same mismatch stops the build.
run make -C "$top" BUILD="$T_TMP/mk" THIRD_PARTY_DIR="$T_TMP/corrupt" "$T_TMP/mk/third_party/src/.stamp"
check "make stops on a digest mismatch" sh -c "[ $rc -ne 0 ] && grep -q 'SHA-256 mismatch' '$T_TMP/err'"

rm "$T_TMP/corrupt/$orig"
run env THIRD_PARTY_DIR="$T_TMP/corrupt" sh "$top/third_party/fetch.sh" "$T_TMP/missing"
check "a missing tarball is named in one line" sh -c \
	"[ $rc -ne 0 ] && [ \$(wc -l <'$T_TMP/err') = 1 ] && grep -q '$orig not found in THIRD_PARTY_DIR' '$T_TMP/err'"

# Non-root without musl-gcc: the one command to run as root, and a non-zero exit.
if [ "$(id -u)" = 0 ]; then
	bin="$T_TMP/bin"
	mkdir -p "$bin"
	for t in sh awk grep id cat dirname gcc xz bzip2 patch; do ln -s "$(command -v $t)" "$bin/$t"; done
	printf '#!/bin/sh\nexit 100\n' >"$bin/apt-cache"
	chmod 755 "$bin/apt-cache" "$T_TMP"
	run setpriv --reuid=65534 --regid=65534 --clear-groups env PATH="$bin" \
		sh "$top/third_party/prereq.sh" "$T_TMP/nodl"
	if [ $rc -ne 0 ] && [ "$(lines "$T_TMP/err")" = 1 ] &&
		grep -q 'run as root: .*deb-src.*apt-get update && apt-get install -y musl-tools' "$T_TMP/err"; then
		ok "non-root without musl-gcc: one apt-get line to run"
	else
		notok "prereq as non-root: exit $rc: $(cat "$T_TMP/err")"
	fi
else
	skip "prereq as non-root: needs root to switch users"
fi
