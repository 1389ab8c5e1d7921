# The third-party rules: pins in third_party/lock, digests checked before anything is
# unpacked, THIRD_PARTY_DIR for user-supplied tarballs, and the prerequisite check.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
lock="$top/third_party/lock"
dl="$top/${BUILD:-build}/third_party/dl"

rows=$(awk '!/^#/ && NF == 7' "$lock")
for lib in bearssl zlib iptables; do
	check "lock pins $lib" sh -c "echo '$rows' | grep -q '^$lib '"
done
check "lock pins BearSSL 0.6" sh -c "echo '$rows' | grep -q '^bearssl  *0\.6 '"
check "lock pins zlib 1.2.13" sh -c "echo '$rows' | grep -q '^zlib  *1\.2\.13 '"
check "lock pins iptables 1.8.9" sh -c "echo '$rows' | grep -q '^iptables  *1\.8\.9 '"
# ARCH=arm64 builds musl from source: the version Debian's musl-tools (the amd64 stub's) is.
tools=$(dpkg-query -W -f '${Version}' musl-tools 2>/dev/null)
musl=$(echo "$rows" | awk '$1 == "musl" && $5 == "orig" { print $4 }')
check "lock pins musl ${musl:-(none)}, the musl-tools version (${tools:-not installed})" \
	test -n "$musl" -a "$musl" = "$tools"
bad=$(echo "$rows" | awk 'length($7) != 64 || $7 ~ /[^0-9a-f]/ || ($5 != "orig" && $5 != "debian")')
check "every lock row has a role and a SHA-256" test -z "$bad"
if git -C "$top" rev-parse HEAD >/dev/null 2>&1; then
	vendored=$(git -C "$top" ls-files third_party | grep -vE '^third_party/(lock|[a-z]+\.(sh|mk|sed))$')
	check "third_party/ tracks no third-party code" test -z "$vendored"
fi

# THIRD_PARTY_DIR with good copies: fetched, verified, unpacked, patched (every name but
# musl, named one by one: fetch.sh fetches only the names asked for).
supplied="$T_TMP/supplied"
mkdir -p "$supplied"
rows=$(echo "$rows" | awk '$1 != "musl"')
names=$(echo "$rows" | awk '{ print $1 }' | uniq | tr '\n' ' ')
for f in $(echo "$rows" | awk '{ print $6 }'); do
	[ -f "$dl/$f" ] || { skip "THIRD_PARTY_DIR tests: $f not downloaded yet (run make)"; exit 0; }
	cp "$dl/$f" "$supplied/"
done
# shellcheck disable=SC2086
run env THIRD_PARTY_DIR="$supplied" sh "$top/third_party/fetch.sh" "$T_TMP/good" $names
check "THIRD_PARTY_DIR: only the names asked for are fetched" test ! -e "$T_TMP/good/src/musl"
check "THIRD_PARTY_DIR: fetch succeeds (exit $rc)" test $rc -eq 0
check "THIRD_PARTY_DIR: BearSSL unpacked" test -f "$T_TMP/good/src/bearssl/inc/bearssl.h"
check "THIRD_PARTY_DIR: zlib unpacked" test -f "$T_TMP/good/src/zlib/inflate.c"
check "THIRD_PARTY_DIR: iptables unpacked" test -f "$T_TMP/good/src/iptables/configure"
check "Debian patch series applied (iptables' NAT format string)" \
	grep -q 'xt_xlate_add(xl, "%s", tgt);' "$T_TMP/good/src/iptables/extensions/libxt_NAT.c"
check "Debian patch series applied (cJSON CVE-2025-57052)" \
	grep -q 'pointer\[position\] <= .9.' "$T_TMP/good/src/cjson/cJSON_Utils.c"

# A corrupted tarball: one clear line, nothing unpacked.
orig=$(echo "$rows" | awk '$1 == "zlib" && $5 == "orig" { print $6 }')
cp -r "$supplied" "$T_TMP/corrupt"
printf 'X' | dd of="$T_TMP/corrupt/$orig" bs=1 seek=1000 conv=notrunc 2>/dev/null
run env THIRD_PARTY_DIR="$T_TMP/corrupt" sh "$top/third_party/fetch.sh" "$T_TMP/bad" $names
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
run env THIRD_PARTY_DIR="$T_TMP/corrupt" sh "$top/third_party/fetch.sh" "$T_TMP/missing" $names
check "a missing tarball is named in one line" sh -c \
	"[ $rc -ne 0 ] && [ \$(wc -l <'$T_TMP/err') = 1 ] && grep -q '$orig not found in THIRD_PARTY_DIR' '$T_TMP/err'"

# Non-root without musl-gcc: the one command to run as root (installing packages only:
# no deb-src entry, no change to the machine's apt sources), and a non-zero exit.
if [ "$(id -u)" = 0 ]; then
	bin="$T_TMP/bin"
	mkdir -p "$bin"
	for t in sh awk grep id cat dirname gcc xz bzip2 patch dpkg-deb; do ln -s "$(command -v $t)" "$bin/$t"; done
	chmod 755 "$T_TMP"
	run setpriv --reuid=65534 --regid=65534 --clear-groups env PATH="$bin" \
		sh "$top/third_party/prereq.sh"
	if [ $rc -ne 0 ] && [ "$(lines "$T_TMP/err")" = 1 ] &&
		grep -qx 'dockdrop build: missing build prerequisites; run as root: sh -c "apt-get update && apt-get install -y musl-tools"' "$T_TMP/err"; then
		ok "non-root without musl-gcc: one apt-get line to run, installing musl-tools only"
	else
		notok "prereq as non-root: exit $rc: $(cat "$T_TMP/err")"
	fi
else
	skip "prereq as non-root: needs root to switch users"
fi

# third_party/apt.sh derives its private sources list from the machine's (here fixture
# directories through DD_APT_ETC; --print runs no apt-get, needs no network): one-line
# entries with their [options], deb822 stanzas with several values per field, an inline
# Signed-By key, Enabled: no, comments, cdrom: and unterminated entries left out, a deb-src
# twin for each entry, each line once.
etc="$T_TMP/etc"
mkdir -p "$etc/sources.list.d"
cat >"$etc/sources.list" <<'X'
# deb http://commented.example/debian bookworm main
deb [ arch=amd64 signed-by=/etc/apt/keyrings/a.gpg ] http://one.example/debian bookworm main contrib # why
deb-src [ arch=amd64 signed-by=/etc/apt/keyrings/a.gpg ] http://one.example/debian bookworm main contrib
deb cdrom:[Debian GNU/Linux 12.5.0 _Bookworm_ - Official amd64 DVD Binary-1 20240210-11:28]/ bookworm contrib main
deb [arch=amd64 http://broken.example/debian bookworm main
   deb	http://one.example/debian-security   bookworm-security main
X
printf 'deb [trusted=yes] file:/srv/repo ./\n' >"$etc/sources.list.d/local.list"
printf 'deb http://stale.example/debian bookworm main\n' >"$etc/sources.list.d/old.list.save"
printf 'Types: deb\nURIs: http://stale.example/debian\nSuites: bookworm\n' \
	>"$etc/sources.list.d/off.sources.disabled"
cat >"$etc/sources.list.d/debian.sources" <<'X'
Types: deb
# a comment inside the stanza
URIs: http://deb.example/debian
Suites: bookworm bookworm-updates
 bookworm-backports
Components: main non-free-firmware
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb deb-src
URIs: http://off.example/debian
Suites: bookworm
Components: main
Enabled: no

types: deb
uris: http://vendor.example/apt http://mirror.vendor.example/apt
suites: stable
components: main
architectures: amd64 arm64
Check-Valid-Until: no
X-Repolib-Name: vendor
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mDMEYCQjIxYJKwYBBAHaRw8BAQdAD/P5Nvvnvk66SxBBHDbhRml9ORg1WV5CvzKY
 =IE0r
 -----END PGP PUBLIC KEY BLOCK-----
X
key="$T_TMP/apt/keys/debian-1.asc"
cat >"$T_TMP/want" <<X
deb [arch=amd64 signed-by=/etc/apt/keyrings/a.gpg] http://one.example/debian bookworm main contrib
deb-src [arch=amd64 signed-by=/etc/apt/keyrings/a.gpg] http://one.example/debian bookworm main contrib
deb http://one.example/debian-security bookworm-security main
deb-src http://one.example/debian-security bookworm-security main
deb [trusted=yes] file:/srv/repo ./
deb-src [trusted=yes] file:/srv/repo ./
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.example/debian bookworm main non-free-firmware
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.example/debian bookworm main non-free-firmware
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.example/debian bookworm-updates main non-free-firmware
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.example/debian bookworm-updates main non-free-firmware
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.example/debian bookworm-backports main non-free-firmware
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.example/debian bookworm-backports main non-free-firmware
deb [arch=amd64,arm64 signed-by=$key check-valid-until=no] http://vendor.example/apt stable main
deb-src [arch=amd64,arm64 signed-by=$key check-valid-until=no] http://vendor.example/apt stable main
deb [arch=amd64,arm64 signed-by=$key check-valid-until=no] http://mirror.vendor.example/apt stable main
deb-src [arch=amd64,arm64 signed-by=$key check-valid-until=no] http://mirror.vendor.example/apt stable main
X
apt_sh="$top/third_party/apt.sh"
run env DD_APT_ETC="$etc" sh "$apt_sh" "$T_TMP/apt" --print
if [ $rc -eq 0 ] && cmp -s "$T_TMP/want" "$T_TMP/out"; then
	ok "apt.sh: the private list derived from one-line and deb822 sources"
else
	notok "apt.sh --print: exit $rc: $(diff "$T_TMP/want" "$T_TMP/out" | tr '\n' '|') $(tr '\n' '|' <"$T_TMP/err")"
fi
check "apt.sh: an entry without its closing ] is named on stderr" \
	grep -q 'sources.list: 5: no closing ]' "$T_TMP/err"
printf '%s\n' '-----BEGIN PGP PUBLIC KEY BLOCK-----' '' \
	'mDMEYCQjIxYJKwYBBAHaRw8BAQdAD/P5Nvvnvk66SxBBHDbhRml9ORg1WV5CvzKY' '=IE0r' \
	'-----END PGP PUBLIC KEY BLOCK-----' >"$T_TMP/want.asc"
check "apt.sh: the inline Signed-By key written as an armored file (\" .\" an empty line)" \
	cmp -s "$T_TMP/want.asc" "$key"

# SUITE: the Debian entries for another release (updates and security kept, backports
# and third-party entries left out).
cat >"$T_TMP/want" <<X
deb [arch=amd64 signed-by=/etc/apt/keyrings/a.gpg] http://one.example/debian trixie main contrib
deb-src [arch=amd64 signed-by=/etc/apt/keyrings/a.gpg] http://one.example/debian trixie main contrib
deb http://one.example/debian-security trixie-security main
deb-src http://one.example/debian-security trixie-security main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.example/debian trixie main non-free-firmware
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.example/debian trixie main non-free-firmware
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.example/debian trixie-updates main non-free-firmware
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.example/debian trixie-updates main non-free-firmware
X
run env DD_APT_ETC="$etc" sh "$apt_sh" "$T_TMP/apt" trixie --print
check "apt.sh trixie: only the Debian entries, renamed" sh -c "[ $rc -eq 0 ] && cmp -s '$T_TMP/want' '$T_TMP/out'"

# Only deb822 (today's cloud images and installers: no sources.list at all).
rm "$etc/sources.list" "$etc/sources.list.d/local.list"
run env DD_APT_ETC="$etc" sh "$apt_sh" "$T_TMP/apt" --print
check "apt.sh: deb822 only (no sources.list)" sh -c \
	"[ $rc -eq 0 ] && [ \$(grep -c '^deb ' '$T_TMP/out') = 5 ] && [ \$(grep -c '^deb-src ' '$T_TMP/out') = 5 ]"
# Nothing enabled: one line, exit 1; bad usage: exit 2.
rm "$etc/sources.list.d/debian.sources"
run env DD_APT_ETC="$etc" sh "$apt_sh" "$T_TMP/apt" --print
check "apt.sh: no enabled source is one line, exit 1" sh -c \
	"[ $rc -eq 1 ] && [ \$(wc -l <'$T_TMP/err') = 1 ] && grep -q '^dockdrop build: no enabled apt sources in $etc' '$T_TMP/err'"
run sh "$apt_sh" "$T_TMP/apt" source zlib
check "apt.sh without -- is a usage error (exit 2)" test $rc -eq 2
