#!/bin/sh
# Runs each libFuzzer harness in $BUILD/fuzz for FUZZ_SECONDS (default 10) on a copy of its
# seed corpus (tests/fuzz/corpus/NAME). One "ok - " / "not ok - " line per harness; a
# crashing input is kept in $BUILD/fuzz/artifacts/ and named in the line.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
secs=${FUZZ_SECONDS:-10}
found=0
for bin in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	found=1
	name=$(basename "$bin")
	work=$(mktemp -d)
	arts="$BUILD/fuzz/artifacts/$name"
	mkdir -p "$arts"
	[ -d "tests/fuzz/corpus/$name" ] && cp "tests/fuzz/corpus/$name"/* "$work/" 2>/dev/null
	log="$arts/last-run.log"
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3 \
		-artifact_prefix="$arts/" "$work" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log")
	if [ $rc -eq 0 ] && [ -n "$runs" ]; then
		echo "ok - $name: $runs runs in ${secs}s, no crash"
	else
		echo "not ok - $name: exit $rc; $(grep -m1 'ERROR\|SUMMARY\|Test unit written' "$log")"
		echo "# crashing input and log ($log) kept in $arts"
		tail -20 "$log" | sed 's/^/# /'
	fi
	rm -rf "$work"
done
[ $found = 1 ] || echo "skip - fuzz: no harness built (clang with libFuzzer not installed)"
