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
bench bench_extract bash tests/bench/bench_extract.sh "${DD_BENCH_ROUNDS:-5}"
# root: namespaces, chroots and the end-to-end test's Debian root (make test runs as root)
if [ "$(id -u)" = 0 ]; then
	bench bench_install bash tests/bench/bench_install.sh "${DD_BENCH_ROUNDS:-5}"
else
	echo "skip - bench_install: needs root"
fi
exit $rc
