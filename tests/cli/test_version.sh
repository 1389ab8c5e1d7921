# `dockdrop version`: dockdrop's version, the commit it was built from, BearSSL and zlib.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)

run "$DOCKDROP" version
check "version exits 0" test $rc -eq 0
check "version line" grep -q '^dockdrop [0-9]\+\.[0-9]\+\.[0-9]\+$' "$T_TMP/out"
check "BearSSL version from the lock" grep -q '^BearSSL  0\.6 (Debian ' "$T_TMP/out"
check "zlib version linked in" grep -q '^zlib     1\.2\.13$' "$T_TMP/out"
check "no cJSON line: dockdrop has one JSON stack and links no cJSON" sh -c "! grep -q cJSON '$T_TMP/out'"
cp "$T_TMP/out" "$T_TMP/version"

commit=$(git -C "$top" rev-parse --short=12 HEAD 2>/dev/null)
if [ -n "$commit" ]; then
	check "commit line names HEAD ($commit)" grep -q "^commit   $commit\(-dirty\)\?$" "$T_TMP/version"
else
	skip "commit line: not a git checkout"
fi

run "$DOCKDROP" --version
check "--version is the same as version" cmp -s "$T_TMP/out" "$T_TMP/version"
