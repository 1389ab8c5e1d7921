#!/bin/bash
# RSA key generation against OpenSSL, side by side in one run. For rsa2048, rsa3072 and
# rsa4096, ROUNDS rounds, each timing both tools, which of the two goes first alternating:
#   dockdrop   ca init --key-type rsaN: the key, then a self-signed CA certificate signed
#              with it and the two files written (more than openssl does)
#   openssl    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:N (the key alone)
# Wall time in ms, process start included; the median, the p90 (nearest rank) and the spread
# p90/median of each, and dockdrop's median and p90 over openssl's. Prime search times vary
# by nature (how far the next prime is): the more rounds, the steadier the p90.
#   bash tests/bench/bench_rsa.sh [ROUNDS]             (default 31)
#   BUILD=build DOCKDROP=path/to/dockdrop bash tests/bench/bench_rsa.sh
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
DD=${DOCKDROP:-$PWD/$BUILD/dockdrop}
rounds=${1:-31}
[ -x "$DD" ] || { echo "bench_rsa: no $DD (make $BUILD/dockdrop)" >&2; exit 1; }
command -v openssl >/dev/null || { echo "bench_rsa: no openssl" >&2; exit 1; }
[ -n "${EPOCHREALTIME:-}" ] || { echo "bench_rsa: needs bash >= 5 (EPOCHREALTIME)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/dd-bench-rsa-XXXXXX")
trap 'rm -rf "$work"' EXIT
unset DOCKDROP_TEST_NOW

ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }
dd_one() { # BITS: ms of one ca init
	local t0 t1
	rm -rf "$work/ca"
	t0=$EPOCHREALTIME
	"$DD" ca init -q --dir "$work/ca" --key-type "rsa$1"
	t1=$EPOCHREALTIME
	ms "$t0" "$t1"
}
ossl_one() { # BITS: ms of one openssl genpkey
	local t0 t1
	t0=$EPOCHREALTIME
	openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$1" -out "$work/key.pem" 2>/dev/null
	t1=$EPOCHREALTIME
	ms "$t0" "$t1"
}
# stats MS...: "median p90" (nearest rank)
stats() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
		p = int(NR * 0.9); if (p < NR * 0.9) p++
		printf "%s %s", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[p] }'
}

echo "RSA key generation, $rounds rounds per size, alternating (wall ms, process start included)"
printf '%-8s | %-26s | %-26s | %s\n' "" "dockdrop ca init" "openssl genpkey" "dockdrop / openssl"
printf '%-8s | %8s %8s %8s | %8s %8s %8s | %8s %8s\n' size median p90 p90/med median p90 p90/med median p90
for bits in 2048 3072 4096; do
	D=() O=()
	for ((r = 0; r < rounds; r++)); do
		if ((r % 2 == 0)); then
			D+=("$(dd_one "$bits")")
			O+=("$(ossl_one "$bits")")
		else
			O+=("$(ossl_one "$bits")")
			D+=("$(dd_one "$bits")")
		fi
	done
	read -r dm dp <<<"$(stats "${D[@]}")"
	read -r om op <<<"$(stats "${O[@]}")"
	awk -v b="rsa$bits" -v dm="$dm" -v dp="$dp" -v om="$om" -v op="$op" 'BEGIN {
		printf "%-8s | %8.0f %8.0f %7.2fx | %8.0f %8.0f %7.2fx | %7.2fx %7.2fx\n",
			b, dm, dp, dp / dm, om, op, op / om, dm / om, dp / op }'
done
