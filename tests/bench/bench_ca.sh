#!/bin/bash
# CA benchmark, side by side in one run: the three steps a user takes to protect a Docker
# daemon socket with TLS (a CA, a server certificate, a client certificate):
#   dockdrop   ca init + ca issue server --auto-san + ca issue client
#   openssl    Docker's "Protect the Docker daemon socket" procedure (docs.docker.com/engine/
#              security/protect-access/), adapted to P-256: ecparam -genkey for each key,
#              req -new -x509 -days 3650 for the CA, req + x509 -req -extfile (subjectAltName,
#              extendedKeyUsage) for server and client, then the rm and chmod the page lists.
#              The CA key is not encrypted (the page's -aes256 asks for a passphrase), and the
#              SANs are the ones dockdrop's --auto-san picked (the user would type them).
# and the same with RSA-4096 (dockdrop --key-type rsa4096; the page's own genrsa 4096).
# Rounds alternate which tool goes first; medians are reported (wall time, ms, processes
# started included). Run by hand, not by make test:
#   bash tests/bench/bench_ca.sh [ROUNDS [RSA_ROUNDS]]      (defaults 20 and 3)
#   BUILD=build DOCKDROP=path/to/dockdrop bash tests/bench/bench_ca.sh
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
DD=${DOCKDROP:-$PWD/$BUILD/dockdrop}
rounds=${1:-20}
rsa_rounds=${2:-3}
[ -x "$DD" ] || { echo "bench_ca: no $DD (make $BUILD/dockdrop)" >&2; exit 1; }
command -v openssl >/dev/null || { echo "bench_ca: no openssl" >&2; exit 1; }
[ -n "${EPOCHREALTIME:-}" ] || { echo "bench_ca: needs bash >= 5 (EPOCHREALTIME)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/dd-bench-ca-XXXXXX")
trap 'rm -rf "$work"' EXIT
unset DOCKDROP_TEST_NOW

# --- the two procedures; each step records its start and end ------------------------------
declare -A S   # S[name] = " ms ms ..." (one per round)
mark() { MARKS+=("$EPOCHREALTIME"); }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) * 1000 }'; }
record() { # PREFIX: per-step and total times from MARKS (4 marks: start, ca, server, client)
	local p=$1
	S[$p.ca]+=" $(ms "${MARKS[0]}" "${MARKS[1]}")"
	S[$p.server]+=" $(ms "${MARKS[1]}" "${MARKS[2]}")"
	S[$p.client]+=" $(ms "${MARKS[2]}" "${MARKS[3]}")"
	S[$p.total]+=" $(ms "${MARKS[0]}" "${MARKS[3]}")"
}

dockdrop_run() { # KEYTYPE DIR
	local k=$1 d=$2
	rm -rf "$d"; mkdir -p "$d"
	MARKS=()
	mark
	"$DD" ca init -q --dir "$d/ca" --key-type "$k"
	mark
	"$DD" ca issue server -q --ca "$d/ca" --out "$d/server" --key-type "$k" --auto-san
	mark
	"$DD" ca issue client -q --ca "$d/ca" --out "$d/client" --key-type "$k"
	mark
}

genkey() { # KEYTYPE FILE
	case $1 in
	p256) openssl ecparam -name prime256v1 -genkey -noout -out "$2" ;;
	rsa4096) openssl genrsa -out "$2" 4096 2>/dev/null ;;
	esac
}
openssl_run() { # KEYTYPE DIR (in DIR, as the page does it in one directory)
	local k=$1 d=$2
	rm -rf "$d"; mkdir -p "$d"
	MARKS=()
	(
		cd "$d"
		mark
		genkey "$k" ca-key.pem
		openssl req -new -x509 -days 3650 -key ca-key.pem -sha256 -subj "/O=bench/CN=bench CA" \
			-out ca.pem
		mark
		genkey "$k" server-key.pem
		openssl req -subj "/CN=$HOSTNAME_" -sha256 -new -key server-key.pem -out server.csr
		echo "subjectAltName = $SANS" >>extfile.cnf
		echo "extendedKeyUsage = serverAuth" >>extfile.cnf
		openssl x509 -req -days 825 -sha256 -in server.csr -CA ca.pem -CAkey ca-key.pem \
			-CAcreateserial -out server-cert.pem -extfile extfile.cnf 2>/dev/null
		mark
		genkey "$k" key.pem
		openssl req -subj '/CN=client' -new -key key.pem -out client.csr
		echo "extendedKeyUsage = clientAuth" >extfile-client.cnf
		openssl x509 -req -days 825 -sha256 -in client.csr -CA ca.pem -CAkey ca-key.pem \
			-CAcreateserial -out cert.pem -extfile extfile-client.cnf 2>/dev/null
		rm client.csr server.csr extfile.cnf extfile-client.cnf
		chmod 0400 ca-key.pem key.pem server-key.pem
		chmod 0444 ca.pem server-cert.pem cert.pem
		mark
		printf '%s\n' "${MARKS[@]}" >marks
	)
	mapfile -t MARKS <"$d/marks"
	rm -f "$d/marks"
}

# --- once, untimed: the SANs --auto-san picks (the openssl side uses the same list) -------
"$DD" ca init -q --dir "$work/probe/ca"
"$DD" ca issue server -q --ca "$work/probe/ca" --out "$work/probe/srv" --auto-san
sans=$("$DD" ca show --json "$work/probe/srv/server-cert.pem" |
	sed -n 's/.*"sans":\[\([^]]*\)\].*/\1/p' | tr -d '"' | tr ',' ' ')
HOSTNAME_=$("$DD" ca show --json "$work/probe/srv/server-cert.pem" |
	sed -n 's/.*"subject":{"cn":"\([^"]*\)".*/\1/p')
SANS=
for n in $sans; do
	case $n in
	*:*) SANS="$SANS,IP:$n" ;;
	*[!0-9.]*) SANS="$SANS,DNS:$n" ;;
	*) SANS="$SANS,IP:$n" ;;
	esac
done
SANS=${SANS#,}
[ -n "$SANS" ] || { echo "bench_ca: no SANs from --auto-san" >&2; exit 1; }

# Each procedure once, checked: the certificates verify and carry the expected usages.
check_set() { # NAME CA SERVER-CERT CLIENT-CERT
	if ! openssl verify -CAfile "$2" "$3" "$4" >/dev/null ||
		! openssl x509 -in "$3" -noout -ext extendedKeyUsage,subjectAltName | grep -q 'Server Auth' ||
		! openssl x509 -in "$4" -noout -ext extendedKeyUsage | grep -q 'Client Auth'; then
		echo "bench_ca: the $1 certificates do not verify" >&2
		exit 1
	fi
}
dockdrop_run ecdsa-p256 "$work/dd"
check_set "dockdrop P-256" "$work/dd/ca/ca.pem" "$work/dd/server/server-cert.pem" "$work/dd/client/cert.pem"
openssl_run p256 "$work/os"
check_set "openssl P-256" "$work/os/ca.pem" "$work/os/server-cert.pem" "$work/os/cert.pem"
dd_sans=$(openssl x509 -in "$work/dd/server/server-cert.pem" -noout -ext subjectAltName | tail -n +2 | tr -d ' ')
os_sans=$(openssl x509 -in "$work/os/server-cert.pem" -noout -ext subjectAltName | tail -n +2 | tr -d ' ')
[ "$dd_sans" = "$os_sans" ] || echo "note: SANs differ: dockdrop $dd_sans, openssl $os_sans" >&2

echo "dockdrop: $DD ($("$DD" version 2>/dev/null | head -n 1))"
echo "openssl:  $(openssl version)"
echo "machine:  $(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
echo "SANs:     $SANS"
echo "processes per run: dockdrop 3; openssl procedure 11 openssl + rm + 2 chmod"
echo

# --- the rounds ------------------------------------------------------------------------------
for r in $(seq 1 "$rounds"); do
	if [ $((r % 2)) = 1 ]; then
		dockdrop_run ecdsa-p256 "$work/dd"; record dd.p256
		openssl_run p256 "$work/os"; record os.p256
	else
		openssl_run p256 "$work/os"; record os.p256
		dockdrop_run ecdsa-p256 "$work/dd"; record dd.p256
	fi
done
for r in $(seq 1 "$rsa_rounds"); do
	if [ $((r % 2)) = 1 ]; then
		dockdrop_run rsa4096 "$work/dd"; record dd.rsa
		openssl_run rsa4096 "$work/os"; record os.rsa
	else
		openssl_run rsa4096 "$work/os"; record os.rsa
		dockdrop_run rsa4096 "$work/dd"; record dd.rsa
	fi
done
check_set "dockdrop RSA-4096" "$work/dd/ca/ca.pem" "$work/dd/server/server-cert.pem" "$work/dd/client/cert.pem"
check_set "openssl RSA-4096" "$work/os/ca.pem" "$work/os/server-cert.pem" "$work/os/cert.pem"

# --- the table -----------------------------------------------------------------------------
median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ a[NR] = $1 } END {
	if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
spread() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.1f-%.1f", lo, hi }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
declare -A M
printf '%-22s %12s %12s %12s   %s\n' "median wall time (ms)" dockdrop openssl "openssl/dd" "dockdrop min-max | openssl min-max"
for set in p256 rsa; do
	case $set in
	p256) label="P-256" n=$rounds ;;
	rsa) label="RSA-4096" n=$rsa_rounds ;;
	esac
	for step in ca server client total; do
		a=$(echo "${S[dd.$set.$step]}" | median)
		b=$(echo "${S[os.$set.$step]}" | median)
		M[dd.$set.$step]=$a
		M[os.$set.$step]=$b
		printf '%-22s %12s %12s %12s   %s | %s\n' "$label $step" "$a" "$b" "$(ratio "$b" "$a")" \
			"$(echo "${S[dd.$set.$step]}" | spread)" "$(echo "${S[os.$set.$step]}" | spread)"
	done
	echo "  ($n rounds; ca = init, server = issue server --auto-san, client = issue client)"
done
echo
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo MISSED; fi; }
echo "dockdrop P-256 total   = ${M[dd.p256.total]} ms   (target <= 50 ms: $(verdict "${M[dd.p256.total]} <= 50"))"
echo "openssl / dockdrop     = $(ratio "${M[os.p256.total]}" "${M[dd.p256.total]}") (P-256)," \
	"$(ratio "${M[os.rsa.total]}" "${M[dd.rsa.total]}") (RSA-4096)"
