# `dockdrop version` (and --version): dockdrop's version and commit, what the stub is built
# from (musl, BearSSL, zlib: versions, Debian versions, licences and source digests, those
# of the locks the build read), and, for a bundle, what it carries (the engine and the
# Debian sources it is built from, the carried iptables), the same lines list prints.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
DIST=${DIST:-dist}
case $DIST in /*) ;; *) DIST=$top/$DIST ;; esac

run "$DOCKDROP" version
check "version exits 0" test $rc -eq 0
check "version line" grep -q '^dockdrop [0-9]\+\.[0-9]\+\.[0-9]\+$' "$T_TMP/out"
for c in "bearssl third_party/lock" "zlib third_party/lock" "musl third_party/lock"; do
	set -- $c
	lock=$top/$2
	want=$(awk -v n="$1" '!/^#/ && NF == 7 && $1 == n && $5 != "debian" { print "  built from " n " " $2 " (Debian source " $4 ", "; exit }' "$lock")
	sum=$(awk -v n="$1" '!/^#/ && NF == 7 && $1 == n && $5 != "debian" { print $7; exit }' "$lock")
	if [ -n "$want" ] && grep -qF "$want" "$T_TMP/out" && grep "^  built from $1 " "$T_TMP/out" | grep -q "source sha256 $sum\$"; then
		ok "version names $1 with the version and source digest of $2"
	else
		notok "version: no '$want... $sum' line for $1: $(tr '\n' '|' <"$T_TMP/out")"
	fi
done
check "the licences are SPDX ones (MIT, Zlib)" sh -c \
	"grep -q '^  built from bearssl .*, MIT), ' '$T_TMP/out' && grep -q '^  built from zlib .*, Zlib), ' '$T_TMP/out'"
check "no cJSON: dockdrop has one JSON stack and links no cJSON (host tests only)" sh -c "! grep -qi cjson '$T_TMP/out'"
check "a bare stub names no engine" sh -c "! grep -q '^engine' '$T_TMP/out'"
cp "$T_TMP/out" "$T_TMP/version"

commit=$(git -C "$top" rev-parse --short=12 HEAD 2>/dev/null)
if [ -n "$commit" ]; then
	check "commit line names HEAD ($commit)" grep -q "^commit   $commit\(-dirty\)\?$" "$T_TMP/version"
else
	skip "commit line: not a git checkout"
fi

run "$DOCKDROP" --version
check "--version is the same as version" cmp -s "$T_TMP/out" "$T_TMP/version"

# A bundle: the engine and what it is built from, as list prints it.
if [ -x "$DIST/dockdrop" ]; then
	run "$DIST/dockdrop" --version
	cp "$T_TMP/out" "$T_TMP/dist"
	$DD_EMU "$DIST/dockdrop" list >"$T_TMP/list" 2>&1
	check "a bundle's --version names its engine (kind, name, version, arch $DD_ARCH)" \
		grep -q "^engine   docker [0-9][^ ]* $DD_ARCH\$" "$T_TMP/dist"
	grep '^  built from' "$T_TMP/list" >"$T_TMP/list.parts"
	grep '^  built from' "$T_TMP/dist" >"$T_TMP/dist.parts"
	check "a bundle's --version names every source list names, in the same words" \
		cmp -s "$T_TMP/list.parts" "$T_TMP/dist.parts"
	check "the engine's Debian sources are named (docker.io, containerd, runc, tini)" sh -c \
		"for s in docker.io containerd runc tini; do grep -q \"^  built from \$s \" '$T_TMP/dist' || exit 1; done"
else
	skip "a bundle's version: $DIST/dockdrop is missing (make)"
fi
