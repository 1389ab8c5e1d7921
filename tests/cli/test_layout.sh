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
big=$(git -C "$top" ls-files -z | xargs -0 -r stat -c '%s %n' | awk '$1 > 1000000 { print $2 }')
check "no tracked file over 1 MB" test -z "$big"
# Fuzz seeds are tiny crafted inputs (some are gzip or tar data by nature): allowed under
# tests/fuzz/corpus when each stays under 4 KB; no other archive or object file anywhere.
bins=$(git -C "$top" ls-files | grep -v '^tests/fuzz/corpus/' | grep -E '\.(tgz|tar|gz|xz|bz2|a|o|so)$')
check "no tarball or binary tracked" test -z "$bins"
seeds=$(git -C "$top" ls-files -z tests/fuzz/corpus | xargs -0 -r stat -c '%s %n' | awk '$1 >= 4096 { print $2 }')
check "fuzz seeds are under 4 KB each${seeds:+: $seeds}" test -z "$seeds"
