# A payload for the other architecture (issue 15: make ARCH=arm64 builds an aarch64 dockdrop
# beside the x86_64 one): every command that opens the payload refuses it before anything
# changes, exit 3, with one line naming both architectures and the file to use instead; bundle
# refuses to put an engine of the other architecture behind its stub (exit 2). The payload is
# crafted by tests/tools/rawbundle (unsigned, digests right, only the arch field differs), so
# only the architecture check can refuse it.
. "$(dirname "$0")/lib.sh"
T=$T_TMP
RAW=$BUILD/host/tools/rawbundle
[ -x "$RAW" ] || { notok "$RAW missing (make $RAW)"; exit 1; }
# OTHER_DEB: lib.sh's OTHER_ARCH as the release files name it (Debian's name)
case $DD_ARCH in
x86_64) OTHER_DEB=arm64 ;;
aarch64) OTHER_DEB=amd64 ;;
*) notok "$DOCKDROP: not an x86_64 or aarch64 program"; exit 1 ;;
esac
VERSION=$($DD_EMU "$DOCKDROP" version | awk 'NR == 1 { print $2 }')
WHY="payload is for $OTHER_ARCH, this dockdrop runs $DD_ARCH code: use dockdrop-$VERSION-$OTHER_DEB"
WHY_FILE="payload is for $OTHER_ARCH, its program runs $DD_ARCH code: use dockdrop-$VERSION-$OTHER_DEB"

E=$(sh "$(dirname "$0")/../fixtures/mkengine-small.sh" "$T/e") || { notok "small engine"; exit 1; }
$DD_EMU "$RAW" "$DOCKDROP" "$E" 0.0.1-test "$DD_ARCH" "$T/same" &&
	$DD_EMU "$RAW" "$DOCKDROP" "$E" 0.0.1-test "$OTHER_ARCH" "$T/other" || { notok "rawbundle"; exit 1; }
run "$T/same" verify
check "the same payload for $DD_ARCH verifies (exit $rc)" test $rc -eq 0
SUM=$(sha "$T/other")

# Each command that opens this program's payload, then with --file from the bare stub.
mkdir -p "$T/root" "$T/gone"
image_root "$T/root"
exact_tree "$T/root" >"$T/root.before"
while read -r name args; do
	# shellcheck disable=SC2086
	expect_err "$(echo "$name" | tr _ " ") refuses a payload for $OTHER_ARCH, exit 3, one line naming both" 3 "$WHY" \
		$DD_EMU "$T/other" $args
done <<EOF
verify verify
list list
list_--json list --json
extract extract $T/gone/x
install_--root install --root $T/root --init none
install_--dry-run install --root $T/root --dry-run
bundle bundle --engine $E --sha256 $(sha "$E") -o $T/gone/b
EOF
for c in "verify" "list" "extract"; do
	arg=""
	[ "$c" = extract ] && arg=$T/gone/y
	# shellcheck disable=SC2086
	expect_err "$c --file refuses a file whose payload is for $OTHER_ARCH" 3 "$WHY_FILE" \
		$DD_EMU "$DOCKDROP" $c --file "$T/other" $arg
done
check "nothing extracted, nothing bundled" test -z "$(ls -A "$T/gone")"
exact_tree "$T/root" >"$T/root.after"
check "the image root is unchanged by install" cmp -s "$T/root.before" "$T/root.after"
check "the file itself is unchanged" test "$(sha "$T/other")" = "$SUM"

# bundle: an engine of the other architecture behind this stub is bad input, nothing written;
# the same engine made for this architecture is bundled.
DD_ARCH=$OTHER_ARCH sh "$(dirname "$0")/../fixtures/mkengine-small.sh" "$T/eo" >/dev/null ||
	{ notok "small engine for $OTHER_ARCH"; exit 1; }
EO=$T/eo/docker-0.0.1-test.tgz
expect_err "bundle refuses an engine for $OTHER_ARCH behind this $DD_ARCH stub (exit 2)" 2 "$WHY" \
	$DD_EMU "$DOCKDROP" bundle -q --engine "$EO" --sha256 "$(sha "$EO")" --no-iptables -o "$T/b"
check "nothing written" test ! -e "$T/b"
run "$DOCKDROP" bundle -q --engine "$E" --sha256 "$(sha "$E")" --no-iptables -o "$T/b"
check "bundle takes the engine for $DD_ARCH (exit $rc: $(head -c 200 "$T_TMP/err"))" test $rc -eq 0
