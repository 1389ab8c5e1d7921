# Signed payloads: $BUILD/dockdrop-testkey is the product's code with a throw-away trusted key
# ($BUILD/testkey/sign.pem); a stub with a key accepts only payloads signed by it, the plain
# stub (no key) checks digests and says authenticity is not established.
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$T_TMP
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
TK=$BUILD/dockdrop-testkey
KEY=$BUILD/testkey/sign.pem
PUB=$BUILD/testkey/sign.pub
if [ ! -x "$TK" ] || [ ! -s "$KEY" ] || [ ! -s "$PUB" ]; then
	skip "signature tests: no $TK or test key (make test-build)"
	exit 0
fi

size() { stat -c %s "$1"; }
jq_check() { # NAME FILE FILTER
	if ! command -v jq >/dev/null 2>&1; then skip "$1 (no jq)"; return; fi
	if jq -e "$3" "$2" >/dev/null 2>&1; then ok "$1"; else notok "$1: $(head -c 300 "$2")"; fi
}
tree() { (cd "$1" && find . -mindepth 1 -printf '%P %y %m %U:%G %s %l\n' | LC_ALL=C sort &&
	find . -type f -exec sha256sum {} + | LC_ALL=C sort); }
hex() { od -An -v -tx1 | tr -d ' \n'; }	# stdin as lowercase hex
unhex() { # HEX: write those bytes to stdout
	printf '%b' "$(printf '%s' "$1" | awk '{
		for (i = 1; i < length($0); i += 2) {
			h = substr($0, i, 2)
			hi = index("0123456789abcdef", substr(h, 1, 1)) - 1
			printf "\\0%03o", hi * 16 + index("0123456789abcdef", substr(h, 2, 1)) - 1
		}
	}')"
}
putbytes() { # FILE OFFSET HEX: overwrite bytes in place
	unhex "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
flip() { # FILE OFFSET: XOR the byte with 0x01
	set -- "$1" "$2" $(od -An -tu1 -j "$2" -N1 "$1")
	printf "\\$(printf %o $(($3 ^ 1)))" | dd of="$1" bs=1 seek="$2" count=1 conv=notrunc 2>/dev/null
}
# reseal FILE MOFF MLEN SIGLEN: make the trailer agree with the file's manifest and signature
# again (its meta digest and its own seal), as someone rewriting a payload would: then only
# the signature can tell.
reseal() {
	_tr=$(($(size "$1") - 128))
	putbytes "$1" $((_tr + 48)) "$(tail -c +$(($2 + 1)) "$1" | head -c $(($3 + $4)) | sha256sum | cut -c1-64)"
	putbytes "$1" $((_tr + 96)) "$(tail -c 128 "$1" | head -c 96 | sha256sum | cut -c1-64)"
}

# --- fixtures -------------------------------------------------------------------------------
ENGINE=$(sh "$TOP/tests/fixtures/mkengine-small.sh" "$T/in") && [ -s "$ENGINE" ] ||
	{ notok "mkengine-small.sh"; exit 1; }
ESHA=$(sha "$ENGINE")
ESIZE=$(size "$ENGINE")
mkdir "$T/ref" && tar -xzf "$ENGINE" -C "$T/ref"
tree "$T/ref" >"$T/tree.ref"
KEYID=$(openssl ec -pubin -in "$PUB" -outform DER 2>/dev/null | tail -c 65 | sha256sum | cut -c1-16)
mkdir "$T/o" "$T/x"
S=$T/o/signed U=$T/o/unsigned

run "$TK" bundle --engine "$ENGINE" --sha256 "$ESHA" --sign-key "$KEY" -o "$S"
check "testkey stub: bundle --sign-key with the test key exits 0" test $rc -eq 0 -a ! -s "$T/err"
[ $rc -eq 0 ] || exit 1
STUB=$(size "$TK")
check "the signed bundle carries the testkey stub" cmp -s -n "$STUB" "$S" "$TK"
MOFF=$((STUB + ESIZE))
MLEN=$(($(size "$S") - MOFF - 64 - 128))
SIGOFF=$((MOFF + MLEN))
check "the signed bundle's manifest ends with a newline before the signature" \
	test "$(tail -c +$((SIGOFF)) "$S" | head -c 1 | hex)" = 0a

# --- signed with the trusted key ------------------------------------------------------------
run "$TK" verify --file "$S"
check "testkey stub verifies a payload signed by its key: exit 0" test $rc -eq 0 -a ! -s "$T/err"
check "verify says signed by the release key (and names the key)" \
	grep -qx "ok    signed   ECDSA P-256 by the release key $KEYID" "$T/out"
check "verify: engine line" grep -q "^ok    engine   docker 0.0.1-test $DD_ARCH  $ESIZE bytes  sha256:$ESHA$" "$T/out"
run "$TK" list --json --file "$S"
jq_check "list --json: signed, authenticity verified" "$T/out" \
	'.signed == true and .authenticity == "verified" and .components[0].kind == "engine"'
run "$TK" list --file "$S"
check "list of a signed payload exits 0: header, the stub and its parts, the engine" test $rc -eq 0 -a \
	"$(lines "$T/out")" = $((3 + $($DD_EMU "$TK" version | grep -c '^  built from')))
run "$TK" extract --file "$S" "$T/x/e1"
check "extract of a signed payload exits 0" test $rc -eq 0
tree "$T/x/e1" >"$T/tree.got" 2>/dev/null
check "extract of a signed payload equals tar -xzf" cmp -s "$T/tree.got" "$T/tree.ref"
run "$S" verify
check "the signed bundle verifies itself (no --file)" \
	sh -c "[ $rc -eq 0 ] && grep -q '^ok    signed   ECDSA P-256 by the release key' '$T/out'"
run "$S" extract "$T/x/e2"
check "the signed bundle extracts itself" test $rc -eq 0 -a -f "$T/x/e2/docker/dockerd"

# The signature is plain ECDSA P-256 / SHA-256 over the manifest text: openssl agrees.
tail -c +$((MOFF + 1)) "$S" | head -c "$MLEN" >"$T/manifest"
R=$(tail -c +$((SIGOFF + 1)) "$S" | head -c 32 | hex)
SS=$(tail -c +$((SIGOFF + 33)) "$S" | head -c 32 | hex)
derint() { # HEX of a 32-byte big-endian integer: DER INTEGER
	_h=$(printf '%s' "$1" | sed 's/^\(00\)*//')
	[ -n "$_h" ] || _h=00
	case $_h in [89a-f]*) _h=00$_h ;; esac
	printf '02%02x%s' $((${#_h} / 2)) "$_h"
}
body=$(derint "$R")$(derint "$SS")
unhex "30$(printf '%02x' $((${#body} / 2)))$body" >"$T/sig.der"
if openssl dgst -sha256 -verify "$PUB" -signature "$T/sig.der" "$T/manifest" >/dev/null 2>&1; then
	ok "openssl verifies the 64-byte r||s signature over the manifest with sign.pub"
else
	notok "openssl does not verify the signature over the manifest"
fi

# --- the plain stub (no key compiled in) ----------------------------------------------------
run "$DOCKDROP" verify --file "$S"
check "plain stub verifies a signed payload: exit 0" test $rc -eq 0
check "plain stub: authenticity not established" grep -q '^note  signed   authenticity not established' "$T/out"
run "$DOCKDROP" list --json --file "$S"
jq_check "plain stub: list --json signed, authenticity not established" "$T/out" \
	'.signed == true and .authenticity == "not established"'
run "$DOCKDROP" extract --file "$S" "$T/x/e3"
check "plain stub extracts a signed payload" test $rc -eq 0 -a -f "$T/x/e3/docker/dockerd"

# --- unsigned -------------------------------------------------------------------------------
run "$TK" bundle --engine "$ENGINE" --sha256 "$ESHA" -o "$U"
check "testkey stub: bundle without --sign-key exits 0 (unsigned)" test $rc -eq 0
expect_err "testkey stub: verify an unsigned payload exits 3, not signed" 3 "not signed" "$TK" verify --file "$U"
expect_err "testkey stub: list an unsigned payload exits 3" 3 "not signed" "$TK" list --file "$U"
expect_err "testkey stub: list --json an unsigned payload exits 3" 3 "not signed" "$TK" list --json --file "$U"
check "testkey stub: list --json of an unsigned payload prints nothing" test ! -s "$T/out"
expect_err "testkey stub: extract an unsigned payload exits 3" 3 "not signed" "$TK" extract --file "$U" "$T/x/u"
check "testkey stub: extract of an unsigned payload made nothing" test "$(ls -A "$T/x" | tr '\n' ' ')" = "e1 e2 e3 "
expect_err "an unsigned bundle with the testkey stub refuses itself" 3 "not signed" "$U" verify
run "$DOCKDROP" verify --file "$U"
check "plain stub verifies the unsigned payload: exit 0" test $rc -eq 0

# --- signed by another key ------------------------------------------------------------------
if openssl ecparam -name prime256v1 -genkey -noout -out "$T/in/other.pem" 2>/dev/null; then
	run "$TK" bundle --engine "$ENGINE" --sha256 "$ESHA" --sign-key "$T/in/other.pem" -o "$T/o/other"
	check "bundle signed with another P-256 key exits 0" test $rc -eq 0
	expect_err "testkey stub: verify, another key: exit 3, bad signature" 3 "bad signature" "$TK" verify --file "$T/o/other"
	expect_err "testkey stub: list, another key: exit 3" 3 "bad signature" "$TK" list --file "$T/o/other"
	expect_err "testkey stub: extract, another key: exit 3" 3 "bad signature" "$TK" extract --file "$T/o/other" "$T/x/o"
	check "testkey stub: extract, another key: made nothing" test ! -e "$T/x/o"
	run "$DOCKDROP" verify --file "$T/o/other"
	check "plain stub, another key: exit 0, authenticity not established" \
		sh -c "[ $rc -eq 0 ] && grep -q 'authenticity not established' '$T/out'"
else
	skip "signed by another key (openssl ecparam failed)"
fi

# --- the signature damaged ------------------------------------------------------------------
for at in 0 31 32 63; do
	cp "$S" "$T/o/flip" && flip "$T/o/flip" $((SIGOFF + at))
	expect_err "signature byte $at flipped: testkey stub verify exits 3" 3 "" "$TK" verify --file "$T/o/flip"
	expect_err "signature byte $at flipped: plain stub verify exits 3" 3 "" "$DOCKDROP" verify --file "$T/o/flip"
	expect_err "signature byte $at flipped: testkey stub extract exits 3" 3 "" "$TK" extract --file "$T/o/flip" "$T/x/f"
	expect_err "signature byte $at flipped: plain stub extract exits 3" 3 "" "$DOCKDROP" extract --file "$T/o/flip" "$T/x/f"
	check "signature byte $at flipped: nothing extracted" test ! -e "$T/x/f"
done

# Rewritten consistently (trailer digests recomputed), only the signature can tell.
cp "$S" "$T/o/forged" && flip "$T/o/forged" $((SIGOFF + 10)) && reseal "$T/o/forged" "$MOFF" "$MLEN" 64
run "$DOCKDROP" verify --file "$T/o/forged"
check "a resealed signature flip passes the plain stub (the reseal is right)" test $rc -eq 0
expect_err "a resealed signature flip: testkey stub says bad signature" 3 "bad signature" "$TK" verify --file "$T/o/forged"
expect_err "a resealed signature flip: testkey stub extract refuses" 3 "bad signature" "$TK" extract --file "$T/o/forged" "$T/x/g"
cp "$S" "$T/o/forged"
VAT=$(grep -abo '0\.0\.1-test' "$T/manifest" | head -1 | cut -d: -f1)
if [ -n "$VAT" ]; then
	printf '9' | dd of="$T/o/forged" bs=1 seek=$((MOFF + VAT + 4)) count=1 conv=notrunc 2>/dev/null
	reseal "$T/o/forged" "$MOFF" "$MLEN" 64
	run "$DOCKDROP" list --file "$T/o/forged"
	check "a rewritten manifest (version 0.0.9-test) passes the plain stub" \
		sh -c "[ $rc -eq 0 ] && grep -q ' 0\.0\.9-test ' '$T/out'"
	expect_err "a rewritten manifest: testkey stub verify says bad signature" 3 "bad signature" "$TK" verify --file "$T/o/forged"
	expect_err "a rewritten manifest: testkey stub list refuses" 3 "bad signature" "$TK" list --file "$T/o/forged"
else
	notok "the manifest names the version 0.0.1-test"
fi

# --- key forms ------------------------------------------------------------------------------
if openssl pkcs8 -topk8 -nocrypt -in "$KEY" -out "$T/in/pkcs8.pem" 2>/dev/null &&
	grep -q 'BEGIN PRIVATE KEY' "$T/in/pkcs8.pem"; then
	run "$TK" bundle --engine "$ENGINE" --sha256 "$ESHA" --sign-key "$T/in/pkcs8.pem" -o "$T/o/p8"
	check "a PKCS#8 key signs: bundle exits 0" test $rc -eq 0
	run "$TK" verify --file "$T/o/p8"
	check "a PKCS#8-signed payload verifies with the release key" \
		sh -c "[ $rc -eq 0 ] && grep -q 'by the release key $KEYID' '$T/out'"
	check "PKCS#8 and SEC1 forms of one key sign the same payload the same size" \
		test "$(size "$T/o/p8")" = "$(size "$S")"
else
	skip "PKCS#8 key (openssl pkcs8 failed)"
fi
if openssl ecparam -name prime256v1 >"$T/in/params.pem" 2>/dev/null; then
	cat "$T/in/params.pem" "$KEY" >"$T/in/withparams.pem"
	run "$TK" bundle --engine "$ENGINE" --sha256 "$ESHA" --sign-key "$T/in/withparams.pem" -o "$T/o/wp"
	run "$TK" verify --file "$T/o/wp"
	check "a SEC1 key after an EC PARAMETERS block (openssl ecparam -genkey) signs" test $rc -eq 0
fi
if openssl pkcs8 -topk8 -passout pass:secret -in "$KEY" -out "$T/in/enc.pem" 2>/dev/null; then
	expect_err "an encrypted PKCS#8 key is refused: exit 2" 2 "--sign-key" \
		"$TK" bundle --engine "$ENGINE" --sha256 "$ESHA" --sign-key "$T/in/enc.pem" -o "$T/o/enc"
	check "an encrypted key: nothing written" test ! -e "$T/o/enc"
fi
check "no temp file left in the output directory" \
	sh -c "! ls -A '$T/o' | grep -q '^\\.'"
