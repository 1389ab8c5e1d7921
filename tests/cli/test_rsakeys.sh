# RSA keys (pki/rsagen.c) as others check them: for each size, keys made by ca init on every
# CPU the machine has and on one (taskset), each passing `openssl pkey -check`, and Go's
# rsa.PrivateKey.Validate with FIPS 186-5 B.3.1's criteria (tests/tools/rsacheck.go: prime
# sizes and floor, |p - q|, d = e^-1 mod lcm(p - 1, q - 1) above 2^(bits/2), e, CRT values).
# With two CPUs or more the search runs on threads (strace sees them start).
#   DD_RSA_KEYS=N   keys per size and CPU setting (default 3; 1 under qemu-user)
. "$(dirname "$0")/lib.sh"
T=$T_TMP

if ! command -v openssl >/dev/null 2>&1; then
	skip "rsakeys: openssl is not installed"
	exit 0
fi
n=${DD_RSA_KEYS:-3}
[ -n "$DD_EMU" ] && n=${DD_RSA_KEYS:-1}

for bits in 2048 3072 4096; do
	for cpus in all one; do
		i=0
		while [ $i -lt "$n" ]; do
			i=$((i + 1))
			d=$T/$bits/$cpus.$i
			if [ $cpus = one ]; then
				run taskset -c 0 ${DD_EMU:+$DD_EMU} "$DOCKDROP" ca init -q --dir "$d" --key-type "rsa$bits"
			else
				run "$DOCKDROP" ca init -q --dir "$d" --key-type "rsa$bits"
			fi
			if [ "$rc" -ne 0 ]; then
				notok "rsa$bits ($cpus CPUs) key $i: ca init exited $rc: $(head -c 200 "$T/err")"
				continue
			fi
			check "rsa$bits ($cpus CPUs) key $i: openssl pkey -check" \
				sh -c "openssl pkey -check -noout -in '$d/ca-key.pem' 2>&1 | grep -qx 'Key is valid'"
			check "rsa$bits ($cpus CPUs) key $i: $bits bits, e = 65537" \
				sh -c "openssl rsa -in '$d/ca-key.pem' -noout -text 2>/dev/null |
					grep -q '^Private-Key: ($bits bit, 2 primes)' &&
					openssl rsa -in '$d/ca-key.pem' -noout -text 2>/dev/null |
					grep -qx 'publicExponent: 65537 (0x10001)'"
		done
	done
done

if ! command -v go >/dev/null 2>&1; then
	skip "rsakeys: Go's checks: go is not installed (Debian's golang-go)"
else
	mkdir -p "$T/go"
	if ! GOCACHE=$T/go/cache GOPATH=$T/go GO111MODULE=off \
		go build -o "$T/go/rsacheck" tests/tools/rsacheck.go >"$T/go/log" 2>&1; then
		notok "rsakeys: go build tests/tools/rsacheck.go: $(head -c 300 "$T/go/log")"
	else
		for bits in 2048 3072 4096; do
			set -- "$T/$bits"/*/ca-key.pem
			[ -f "$1" ] || continue
			"$T/go/rsacheck" "$bits" "$@" >"$T/go/out" 2>&1
			while read -r verdict f rest; do
				case $verdict in
				ok) ok "rsa$bits ${f#"$T/$bits/"}: Go's Validate and FIPS 186-5 B.3.1" ;;
				*) notok "rsa$bits ${f#"$T/$bits/"} $rest" ;;
				esac
			done <"$T/go/out"
		done
	fi
fi

# Threads: two CPUs, two searches (the main thread and one more).
if [ -n "$DD_EMU" ]; then
	skip "rsakeys: threads: qemu-user: strace sees the emulator"
elif ! command -v strace >/dev/null 2>&1; then
	skip "rsakeys: threads: strace is not installed"
elif [ "$(nproc)" -lt 2 ]; then
	skip "rsakeys: threads: one CPU here"
else
	strace -f -qq -e trace=clone,clone3 -o "$T/strace" "$DOCKDROP" ca init -q --dir "$T/threads" \
		--key-type rsa2048 2>/dev/null
	check "rsa2048: the search starts a thread on two CPUs" grep -q 'CLONE_THREAD' "$T/strace"
	strace -f -qq -e trace=clone,clone3 -o "$T/strace1" taskset -c 0 "$DOCKDROP" ca init -q \
		--dir "$T/thread1" --key-type rsa2048 2>/dev/null
	check "rsa2048: and none on one" sh -c "! grep -q CLONE_THREAD '$T/strace1'"
fi
