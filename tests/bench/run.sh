#!/bin/sh
# The benchmarks make test runs, so that their tables are in every test log (CI's): each
# prints its table, and "ok - NAME: ran" when it ran to its end ("not ok" when it could
# not run). None of their figures passes or fails anything: a benchmark measures, a test
# asserts (DEVELOPERS.md). make bench runs them all, with more rounds.
#   sh tests/bench/run.sh
cd "$(dirname "$0")/../.." || exit 2
rc=0
bench() { # NAME COMMAND...
	name=$1
	shift
	if "$@"; then
		echo "ok - $name: ran"
	else
		echo "not ok - $name: exited $?"
		rc=1
	fi
}
bench bench_rsa bash tests/bench/bench_rsa.sh "${DD_BENCH_RSA_ROUNDS:-31}"
exit $rc
