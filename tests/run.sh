#!/bin/sh
# Runs every test: the unit test binaries (built with ASan/UBSan) and the command-line
# tests, counts "ok - ", "not ok - " and "skip - " lines, lists the failures and ends with
# "N passed, N failed, N skipped". Exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
case $BUILD in
/*) DOCKDROP="$BUILD/dockdrop" ;;
*) DOCKDROP="$PWD/$BUILD/dockdrop" ;;
esac
export DOCKDROP
log=$(mktemp)
trap 'rm -f "$log"' EXIT

suite() { # name command...
	name=$1; shift
	echo "== $name"
	out=$("$@" 2>&1); rc=$?
	printf '%s\n' "$out" | awk -v n="$name" '
		/^(ok|not ok|skip) - / { i = index($0, " - "); $0 = substr($0, 1, i + 2) n ": " substr($0, i + 3) }
		{ print }' | tee -a "$log" | grep -v '^ok - ' || true
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok - '; then
		echo "not ok - $name: exited $rc" | tee -a "$log"
	fi
}

for t in "$BUILD"/host/tests/test_*; do
	[ -x "$t" ] && suite "unit/$(basename "$t")" "$t"
done
for t in tests/cli/test_*.sh tests/e2e/test_*.sh; do
	[ -f "$t" ] && suite "$(basename "$(dirname "$t")")/$(basename "$t" .sh)" sh "$t"
done

# systemd for real: a qemu VM boots a Debian image, dockdrop installs there, the docker CLI
# reaches it over TLS, then again after a reboot (a few minutes; DD_SKIP_VM=1 leaves it out
# of a quick local run).
export DIST=${DIST:-dist}
if [ "${DD_SKIP_VM:-0}" = 1 ]; then
	suite vm echo "skip - the systemd VM (DD_SKIP_VM=1)"
else
	suite vm bash tests/vm/run.sh
fi

suite fuzz sh tests/fuzz/run.sh

pass=$(grep -c '^ok - ' "$log")
fail=$(grep -c '^not ok - ' "$log")
skip=$(grep -c '^skip - ' "$log")
if [ "$fail" -gt 0 ]; then
	echo "Failures:"
	grep '^not ok - ' "$log"
fi
if [ $((pass + fail)) -eq 0 ]; then
	echo "not ok - no test ran" | tee -a "$log"
	fail=1
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
