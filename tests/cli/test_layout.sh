# The repository's fixed shape: the top level, the license, and the README's test command
# being exactly what CI runs.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)

if ! git -C "$top" rev-parse HEAD >/dev/null 2>&1; then
	skip "layout: not a git checkout"
	exit 0
fi
want='.ci LICENSE Makefile README release src tests third_party'
got=$(git -C "$top" ls-files | cut -d/ -f1 | LC_ALL=C sort -u | tr '\n' ' ' | sed 's/ $//')
check "top level is exactly: $want" test "$got" = "$want"
check "LICENSE is Apache-2.0" grep -q 'Apache License' "$top/LICENSE"
check "README gives the test command" grep -q '^    make test$' "$top/README"
check "README gives the build-and-run command" grep -q '^    make && \./' "$top/README"
check ".ci/run runs exactly the README's test command" grep -qx 'make test' "$top/.ci/run"
check ".ci/run runs apt-get update first" sh -c \
	"grep -n 'apt-get' '$top/.ci/run' | head -1 | grep -q 'apt-get update'"
check ".ci/run sets DD_CI=1 before the tests (a skip fails in CI)" sh -c \
	"grep -nx -e 'export DD_CI=1' -e 'make test' '$top/.ci/run' | cut -d: -f2 | tr '\n' ' ' | grep -qx 'export DD_CI=1 make test '"
check ".ci/run never writes into the machine's apt configuration" sh -c \
	"! grep -nE '>>? *[^ ]*/etc/apt|(tee|cp|mv|ln|sed -i)[^|;]*/etc/apt' '$top/.ci/run'"
check "README names the quick loop (make check)" grep -q '^    make check$' "$top/README"
check "make check runs tests/run.sh --quick" sh -c \
	"sed -n '/^check:/,/^\$/p' '$top/Makefile' | grep -q 'tests/run.sh --quick'"

# tests/run.sh: a skip is a skip locally and a listed failure under DD_CI=1 (as .ci/run
# sets it); tried on a copy with one command-line suite of our own (DD_ARM64 cleared: make
# test sets it, and the copy has no arm64 build).
mini="$T_TMP/mini"
mkdir -p "$mini/tests/cli"
cp "$top/tests/run.sh" "$mini/tests/run.sh"
printf 'echo "ok - one"\necho "skip - two: a tool is missing"\n' >"$mini/tests/cli/test_x.sh"
run env BUILD="$T_TMP/nobuild" DD_ARM64= DD_CI= sh "$mini/tests/run.sh" --quick
check "tests/run.sh: locally a skip is counted as skipped (exit 0)" sh -c \
	"[ $rc -eq 0 ] && tail -n 1 '$T_TMP/out' | grep -qx '1 passed, 0 failed, 1 skipped'"
run env BUILD="$T_TMP/nobuild" DD_ARM64= DD_CI=1 sh "$mini/tests/run.sh" --quick
check "tests/run.sh with DD_CI=1: a skip is a listed failure (exit 1)" sh -c \
	"[ $rc -ne 0 ] && tail -n 1 '$T_TMP/out' | grep -qx '1 passed, 1 failed, 0 skipped' &&
	 sed -n '/^Failures:/,\$p' '$T_TMP/out' | grep -q '^not ok - cli/test_x: skipped in CI.*two: a tool is missing'"
big=$(git -C "$top" ls-files -z | xargs -0 -r stat -c '%s %n' | awk '$1 > 1000000 { print $2 }')
check "no tracked file over 1 MB" test -z "$big"
# Fuzz seeds are tiny crafted inputs (some are gzip or tar data by nature): allowed under
# tests/fuzz/corpus when each stays under 4 KB; no other archive or object file anywhere.
bins=$(git -C "$top" ls-files | grep -v '^tests/fuzz/corpus/' | grep -E '\.(tgz|tar|gz|xz|bz2|a|o|so)$')
check "no tarball or binary tracked" test -z "$bins"
seeds=$(git -C "$top" ls-files -z tests/fuzz/corpus | xargs -0 -r stat -c '%s %n' | awk '$1 >= 4096 { print $2 }')
check "fuzz seeds are under 4 KB each${seeds:+: $seeds}" test -z "$seeds"
