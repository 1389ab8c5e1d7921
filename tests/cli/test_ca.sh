# The tiny CA from the command line, checked against OpenSSL: for every key type, ca init,
# ca issue server and ca issue client give files that `openssl verify -x509_strict` takes
# for the right purpose only, whose extensions, names, keys, validity and modes are what
# DESIGN.md "Certificates" says; --days and the CA's end; --auto-san; ca show [--json]
# against openssl's view; DOCKDROP_TEST_NOW; --force; CAs made by openssl; and a table of
# refusals, each exit 2 with one "dockdrop: " line on stderr and nothing written.
. "$(dirname "$0")/lib.sh"
T=$T_TMP

if ! command -v openssl >/dev/null 2>&1; then
	skip "ca: openssl is not installed"
	exit 0
fi

# --- helpers --------------------------------------------------------------------------------
# expect_err_silent NAME RC TEXT CMD...: exit RC, nothing on stdout, exactly one line on stderr,
# starting "dockdrop: " and containing TEXT (when not empty).
expect_err_silent() { # expect_err, and nothing on stdout either
	expect_err "$@"
	if [ -s "$T/out" ]; then notok "$1: stdout: $(head -c 100 "$T/out")"; fi
}
# snap DIR: listing (type, mode, owner, size, mtime) and SHA-256 of every file in the tree.
snap() {
	(cd "$1" && find . -printf '%P %y %m %U:%G %s %T@ %l\n' | LC_ALL=C sort &&
		find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}
# jq_check NAME FILE FILTER: the JSON in FILE is valid and FILTER is true of it.
jq_check() {
	if ! command -v jq >/dev/null 2>&1; then skip "$1 (no jq)"; return; fi
	if jq -e "$3" "$2" >/dev/null 2>&1; then ok "$1"; else notok "$1: $(head -c 400 "$2")"; fi
}
mode() { stat -c %a "$1"; }
# Seconds since the epoch of openssl's "Nov 23 20:17:06 2026 GMT".
epoch() { date -u -d "$1" +%s; }
not_before() { epoch "$(openssl x509 -in "$1" -noout -startdate | sed 's/^notBefore=//')"; }
not_after() { epoch "$(openssl x509 -in "$1" -noout -enddate | sed 's/^notAfter=//')"; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
# within NAME VALUE LO HI: LO <= VALUE <= HI.
within() {
	if [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then ok "$1"
	else notok "$1: $(iso "$2") not in $(iso "$3") .. $(iso "$4")"; fi
}
# ext FILE HEADER: the first line after the line holding HEADER in openssl's -text, trimmed.
ext() { awk -v h="$2" 'f { sub(/^ +/, ""); sub(/ +$/, ""); print; exit } index($0, h) { f = 1 }' "$1"; }
keyid() { ext "$1" "$2" | sed 's/^keyid://'; }
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//' | tr -d : | tr 'A-F' 'a-f'; }
# verify NAME WANT(0|1) ARGS...: openssl verify -x509_strict exits 0 (WANT 0) or not.
verify() {
	_n=$1 _want=$2; shift 2
	openssl verify -x509_strict "$@" >"$T/v.out" 2>&1
	_rc=$?
	if { [ "$_want" = 0 ] && [ $_rc -eq 0 ]; } || { [ "$_want" = 1 ] && [ $_rc -ne 0 ]; }; then ok "$_n"
	else notok "$_n: openssl verify exit $_rc: $(tr '\n' '|' <"$T/v.out" | head -c 300)"; fi
}

DAY=86400
SAN4="DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:a.example.com"

# --- every key type -------------------------------------------------------------------------
$DD_EMU "$DOCKDROP" ca init --dir "$T/another" -q	# same subject as every CA here, another key
for kt in ecdsa-p256 ecdsa-p384 rsa2048 rsa3072 rsa4096; do
	C=$T/$kt/ca S=$T/$kt/server L=$T/$kt/client
	case $kt in
	ecdsa-p256) bits=256 alg=ecdsa-with-SHA256 leafku="Digital Signature" ;;
	ecdsa-p384) bits=384 alg=ecdsa-with-SHA384 leafku="Digital Signature" ;;
	rsa*) bits=${kt#rsa} alg=sha256WithRSAEncryption leafku="Digital Signature, Key Encipherment" ;;
	esac
	t0=$(date +%s)
	run "$DOCKDROP" ca init --dir "$C" --key-type "$kt"
	check "$kt: ca init exits 0, stderr quiet" test $rc -eq 0 -a ! -s "$T/err"
	[ $rc -eq 0 ] || { notok "$kt: ca init: $(cat "$T/err")"; continue; }
	run "$DOCKDROP" ca issue server --ca "$C" --out "$S" --key-type "$kt" \
		--san localhost --san 127.0.0.1 --san ::1 --san a.example.com
	check "$kt: ca issue server exits 0, stderr quiet" test $rc -eq 0 -a ! -s "$T/err"
	run "$DOCKDROP" ca issue client --ca "$C" --out "$L" --key-type "$kt"
	check "$kt: ca issue client exits 0, stderr quiet" test $rc -eq 0 -a ! -s "$T/err"
	t1=$(date +%s)

	# Files and modes.
	check "$kt: CA dir holds exactly ca-key.pem ca.pem" test "$(ls -A "$C" | tr '\n' ' ')" = "ca-key.pem ca.pem "
	check "$kt: server dir holds exactly ca.pem server-cert.pem server-key.pem" \
		test "$(ls -A "$S" | tr '\n' ' ')" = "ca.pem server-cert.pem server-key.pem "
	check "$kt: client dir holds exactly ca.pem cert.pem key.pem" \
		test "$(ls -A "$L" | tr '\n' ' ')" = "ca.pem cert.pem key.pem "
	check "$kt: modes: dirs 0700, keys 0600, certs 0644" test \
		"$(mode "$C") $(mode "$C/ca.pem") $(mode "$C/ca-key.pem") $(mode "$S") $(mode "$S/server-cert.pem") $(mode "$S/server-key.pem") $(mode "$S/ca.pem") $(mode "$L") $(mode "$L/cert.pem") $(mode "$L/key.pem") $(mode "$L/ca.pem")" = \
		"700 644 600 700 644 600 644 700 644 600 644"
	check "$kt: the ca.pem beside each leaf is the CA's" sh -c "cmp -s '$C/ca.pem' '$S/ca.pem' && cmp -s '$C/ca.pem' '$L/ca.pem'"

	# openssl verify: the right purpose passes, the other fails.
	verify "$kt: openssl verify -x509_strict the CA itself" 0 -CAfile "$C/ca.pem" "$C/ca.pem"
	verify "$kt: openssl verify -x509_strict -purpose sslserver server-cert.pem" 0 \
		-CAfile "$S/ca.pem" -purpose sslserver "$S/server-cert.pem"
	verify "$kt: openssl verify -x509_strict -purpose sslclient cert.pem" 0 \
		-CAfile "$L/ca.pem" -purpose sslclient "$L/cert.pem"
	verify "$kt: the server certificate fails -purpose sslclient" 1 \
		-CAfile "$S/ca.pem" -purpose sslclient "$S/server-cert.pem"
	verify "$kt: the client certificate fails -purpose sslserver" 1 \
		-CAfile "$L/ca.pem" -purpose sslserver "$L/cert.pem"
	verify "$kt: the server certificate fails against another CA" 1 \
		-CAfile "$T/another/ca.pem" -purpose sslserver "$S/server-cert.pem"

	# openssl's view of the CA.
	openssl x509 -in "$C/ca.pem" -text -noout >"$T/ca.txt"
	openssl x509 -in "$S/server-cert.pem" -text -noout >"$T/srv.txt"
	openssl x509 -in "$L/cert.pem" -text -noout >"$T/cli.txt"
	check "$kt: CA: version 3" grep -q 'Version: 3 (0x2)' "$T/ca.txt"
	check "$kt: CA: basicConstraints critical" grep -q 'X509v3 Basic Constraints: critical' "$T/ca.txt"
	check "$kt: CA: basicConstraints CA:TRUE, pathlen:0" test "$(ext "$T/ca.txt" "X509v3 Basic Constraints")" = "CA:TRUE, pathlen:0"
	check "$kt: CA: keyUsage critical" grep -q 'X509v3 Key Usage: critical' "$T/ca.txt"
	check "$kt: CA: keyUsage is exactly Certificate Sign, CRL Sign" test "$(ext "$T/ca.txt" "X509v3 Key Usage")" = "Certificate Sign, CRL Sign"
	check "$kt: CA: a SKID, no AKID, no EKU, no SAN" sh -c \
		"grep -q 'X509v3 Subject Key Identifier' '$T/ca.txt' && ! grep -q 'Authority Key Identifier\|Extended Key Usage\|Subject Alternative Name' '$T/ca.txt'"
	check "$kt: CA: SKID not critical" sh -c "! grep -q 'Subject Key Identifier: critical' '$T/ca.txt'"
	check "$kt: CA: subject and issuer O = dockdrop, CN = dockdrop CA" sh -c \
		"grep -q 'Subject: O = dockdrop, CN = dockdrop CA' '$T/ca.txt' && grep -q 'Issuer: O = dockdrop, CN = dockdrop CA' '$T/ca.txt'"
	check "$kt: CA: signature algorithm $alg" test "$(grep -m1 'Signature Algorithm:' "$T/ca.txt" | sed 's/.*: //')" = "$alg"
	check "$kt: CA: a $bits-bit key" grep -q "Public-Key: ($bits bit)" "$T/ca.txt"
	nb=$(not_before "$C/ca.pem"); na=$(not_after "$C/ca.pem")
	within "$kt: CA: notBefore = now - 1 h (2 min slack)" "$nb" $((t0 - 3600 - 120)) $((t1 - 3600 + 120))
	within "$kt: CA: notAfter = now + 3650 days (2 min slack)" "$na" $((t0 + 3650 * DAY - 120)) $((t1 + 3650 * DAY + 120))
	check "$kt: CA: notAfter - notBefore = 3650 days + 1 hour" test $((na - nb)) -eq $((3650 * DAY + 3600))
	serial=$(openssl x509 -in "$C/ca.pem" -noout -serial | sed 's/^serial=//')
	check "$kt: CA: serial of 16 octets, positive (got $serial)" sh -c "echo '$serial' | grep -Eqx '[0-9A-F]{32}' && ! echo '$serial' | grep -q '^00'"

	# openssl's view of the leaves.
	for leaf in srv cli; do
		f=$T/$leaf.txt
		[ $leaf = srv ] && cert=$S/server-cert.pem || cert=$L/cert.pem
		check "$kt: $leaf: basicConstraints critical" grep -q 'X509v3 Basic Constraints: critical' "$f"
		check "$kt: $leaf: basicConstraints CA:FALSE" test "$(ext "$f" "X509v3 Basic Constraints")" = "CA:FALSE"
		check "$kt: $leaf: keyUsage critical" grep -q 'X509v3 Key Usage: critical' "$f"
		check "$kt: $leaf: keyUsage is $leafku" test "$(ext "$f" "X509v3 Key Usage")" = "$leafku"
		check "$kt: $leaf: EKU not critical" grep -Eq 'X509v3 Extended Key Usage: *$' "$f"
		check "$kt: $leaf: SKID and AKID not critical" sh -c \
			"grep -Eq 'X509v3 Subject Key Identifier: *\$' '$f' && grep -Eq 'X509v3 Authority Key Identifier: *\$' '$f'"
		check "$kt: $leaf: AKID = the CA's SKID" test "$(keyid "$f" "X509v3 Authority Key Identifier")" = "$(keyid "$T/ca.txt" "X509v3 Subject Key Identifier")"
		check "$kt: $leaf: its SKID is not the CA's" test "$(keyid "$f" "X509v3 Subject Key Identifier")" != "$(keyid "$T/ca.txt" "X509v3 Subject Key Identifier")"
		check "$kt: $leaf: issuer O = dockdrop, CN = dockdrop CA" grep -q 'Issuer: O = dockdrop, CN = dockdrop CA' "$f"
		check "$kt: $leaf: signature algorithm $alg (the CA's)" test "$(grep -m1 'Signature Algorithm:' "$f" | sed 's/.*: //')" = "$alg"
		check "$kt: $leaf: a $bits-bit key" grep -q "Public-Key: ($bits bit)" "$f"
		nb=$(not_before "$cert"); na=$(not_after "$cert")
		within "$kt: $leaf: notBefore = now - 1 h (2 min slack)" "$nb" $((t0 - 3600 - 120)) $((t1 - 3600 + 120))
		within "$kt: $leaf: notAfter = now + 825 days (2 min slack)" "$na" $((t0 + 825 * DAY - 120)) $((t1 + 825 * DAY + 120))
		serial=$(openssl x509 -in "$cert" -noout -serial | sed 's/^serial=//')
		check "$kt: $leaf: serial of 16 octets, positive" sh -c "echo '$serial' | grep -Eqx '[0-9A-F]{32}' && ! echo '$serial' | grep -q '^00'"
	done
	check "$kt: server: SANs are exactly $SAN4" test "$(ext "$T/srv.txt" "X509v3 Subject Alternative Name")" = "$SAN4"
	check "$kt: server: SAN not critical" grep -Eq 'X509v3 Subject Alternative Name: *$' "$T/srv.txt"
	check "$kt: server: EKU is TLS Web Server Authentication only" test "$(ext "$T/srv.txt" "X509v3 Extended Key Usage")" = "TLS Web Server Authentication"
	check "$kt: server: subject CN = localhost (the first SAN)" grep -q 'Subject: CN = localhost$' "$T/srv.txt"
	check "$kt: client: EKU is TLS Web Client Authentication only" test "$(ext "$T/cli.txt" "X509v3 Extended Key Usage")" = "TLS Web Client Authentication"
	check "$kt: client: no SAN" sh -c "! grep -q 'Subject Alternative Name' '$T/cli.txt'"
	check "$kt: client: subject CN = client" grep -q 'Subject: CN = client$' "$T/cli.txt"

	# Keys: openssl reads each, and each is the private half of its certificate.
	for pair in "$C/ca.pem $C/ca-key.pem" "$S/server-cert.pem $S/server-key.pem" "$L/cert.pem $L/key.pem"; do
		set -- $pair
		n=$(basename "$2")
		check "$kt: openssl pkey reads $n" openssl pkey -in "$2" -noout
		check "$kt: openssl pkey -check passes on $n" sh -c "openssl pkey -in '$2' -check -noout >/dev/null 2>&1"
		check "$kt: $n is PKCS#8 (BEGIN PRIVATE KEY)" sh -c "head -1 '$2' | grep -qx -- '-----BEGIN PRIVATE KEY-----'"
		openssl x509 -in "$1" -noout -pubkey >"$T/pub.cert" 2>/dev/null
		openssl pkey -in "$2" -pubout >"$T/pub.key" 2>/dev/null
		check "$kt: $n: its public key is the one in $(basename "$1")" sh -c "[ -s '$T/pub.cert' ] && cmp -s '$T/pub.cert' '$T/pub.key'"
	done
	check "$kt: the three keys differ" test "$(sha256sum "$C/ca-key.pem" "$S/server-key.pem" "$L/key.pem" | cut -c1-64 | sort -u | wc -l)" = 3
done

# A CA of one type issuing leaves of another (signature algorithm is the CA's).
M=$T/mix
run "$DOCKDROP" ca issue server --ca "$T/ecdsa-p384/ca" --out "$M/s" --key-type rsa2048 --san mix.example
check "P-384 CA, RSA 2048 server: exit 0" test $rc -eq 0
verify "P-384 CA, RSA 2048 server: openssl verify" 0 -CAfile "$M/s/ca.pem" -purpose sslserver "$M/s/server-cert.pem"
check "P-384 CA, RSA 2048 server: signed ecdsa-with-SHA384" sh -c \
	"openssl x509 -in '$M/s/server-cert.pem' -noout -text | grep -m1 'Signature Algorithm:' | grep -q 'ecdsa-with-SHA384'"
run "$DOCKDROP" ca issue client --ca "$T/rsa2048/ca" --out "$M/c" --key-type ecdsa-p384
verify "RSA CA, P-384 client: openssl verify" 0 -CAfile "$M/c/ca.pem" -purpose sslclient "$M/c/cert.pem"
check "default leaf key type is ecdsa-p256" sh -c \
	"$DD_EMU '$DOCKDROP' ca issue client --ca '$T/rsa2048/ca' --out '$M/d' -q && openssl x509 -in '$M/d/cert.pem' -noout -text | grep -q 'ASN1 OID: prime256v1'"
check "default CA key type is ecdsa-p256" sh -c \
	"$DD_EMU '$DOCKDROP' ca init --dir '$M/ca' -q && openssl x509 -in '$M/ca/ca.pem' -noout -text | grep -q 'ASN1 OID: prime256v1'"
run "$DOCKDROP" ca issue client --ca "$M/ca" --out "$M/cn" --cn "ci runner-7"
check "client --cn sets the subject CN" sh -c "[ $rc -eq 0 ] && openssl x509 -in '$M/cn/cert.pem' -noout -subject | grep -qx 'subject=CN = ci runner-7'"
run "$DOCKDROP" ca issue server --ca "$M/ca" --out "$M/ip" --san 10.1.2.3 --san Host.Example.COM
check "server: CN is the first SAN even when it is an address; names are lowercased" sh -c \
	"[ $rc -eq 0 ] && openssl x509 -in '$M/ip/server-cert.pem' -noout -subject | grep -qx 'subject=CN = 10.1.2.3' &&
	 openssl x509 -in '$M/ip/server-cert.pem' -noout -ext subjectAltName | grep -q 'IP Address:10.1.2.3, DNS:host.example.com'"
run "$DOCKDROP" ca issue server --ca "$M/ca" --out "$M/dup" --san a.example --san A.EXAMPLE --san 127.0.0.1 --san 127.0.0.1
check "server: repeated SANs are written once" sh -c \
	"[ $rc -eq 0 ] && [ \"\$(openssl x509 -in '$M/dup/server-cert.pem' -noout -ext subjectAltName | tail -1 | sed 's/^ *//')\" = 'DNS:a.example, IP Address:127.0.0.1' ]"
run "$DOCKDROP" ca init --dir "$M/named" --name "Example Org"
check "ca init --name sets the CA's O" sh -c \
	"[ $rc -eq 0 ] && openssl x509 -in '$M/named/ca.pem' -noout -subject | grep -qx 'subject=O = Example Org, CN = dockdrop CA'"
run "$DOCKDROP" ca issue client --ca "$M/named" --out "$M/named-c"
check "a leaf's issuer is its CA's subject (with --name)" sh -c \
	"[ $rc -eq 0 ] && [ \"\$(openssl x509 -in '$M/named-c/cert.pem' -noout -issuer | sed s/^issuer=//)\" = \"\$(openssl x509 -in '$M/named/ca.pem' -noout -subject | sed s/^subject=//)\" ]"
verify "a leaf of a CA with --name verifies" 0 -CAfile "$M/named-c/ca.pem" -purpose sslclient "$M/named-c/cert.pem"

# umask does not change the modes.
for u in 000 077; do
	run sh -c "umask $u && $DD_EMU '$DOCKDROP' ca init --dir '$T/umask$u/ca' && $DD_EMU '$DOCKDROP' ca issue client --ca '$T/umask$u/ca' --out '$T/umask$u/c'"
	check "umask $u: modes still 0700/0644/0600" test \
		"$(mode "$T/umask$u/ca") $(mode "$T/umask$u/ca/ca.pem") $(mode "$T/umask$u/ca/ca-key.pem") $(mode "$T/umask$u/c") $(mode "$T/umask$u/c/cert.pem") $(mode "$T/umask$u/c/key.pem")" = \
		"700 644 600 700 644 600"
done
mkdir -m 755 "$T/pre"
run "$DOCKDROP" ca init --dir "$T/pre"
check "ca init into an existing 0755 directory makes it 0700" test $rc -eq 0 -a "$(mode "$T/pre")" = 700

# --- validity: --days, the CA's end, DOCKDROP_TEST_NOW --------------------------------------
P=$T/ecdsa-p256/ca
t0=$(date +%s)
run "$DOCKDROP" ca issue server --ca "$P" --out "$T/d1" --san d1.example --days 1
t1=$(date +%s)
check "leaf --days 1: exit 0" test $rc -eq 0
within "leaf --days 1: notAfter = now + 1 day" "$(not_after "$T/d1/server-cert.pem")" $((t0 + DAY - 120)) $((t1 + DAY + 120))
within "leaf --days 1: notBefore = now - 1 h" "$(not_before "$T/d1/server-cert.pem")" $((t0 - 3600 - 120)) $((t1 - 3600 + 120))
verify "leaf --days 1: openssl verify" 0 -CAfile "$T/d1/ca.pem" -purpose sslserver "$T/d1/server-cert.pem"
run "$DOCKDROP" ca issue server --ca "$P" --out "$T/d3650" --san d3650.example --days 3650
check "leaf --days 3650 (longer than the CA has left): clipped at the CA's notAfter" \
	test $rc -eq 0 -a "$(not_after "$T/d3650/server-cert.pem")" = "$(not_after "$P/ca.pem")"
verify "leaf --days 3650: openssl verify" 0 -CAfile "$T/d3650/ca.pem" -purpose sslserver "$T/d3650/server-cert.pem"
t0=$(date +%s)
run "$DOCKDROP" ca init --dir "$T/ca10" --days 10
t1=$(date +%s)
check "ca init --days 10: exit 0" test $rc -eq 0
within "ca init --days 10: notAfter = now + 10 days" "$(not_after "$T/ca10/ca.pem")" $((t0 + 10 * DAY - 120)) $((t1 + 10 * DAY + 120))
run "$DOCKDROP" ca issue server --ca "$T/ca10" --out "$T/ca10s" --san x.example --days 825
check "CA of 10 days, leaf --days 825: the leaf ends when the CA ends" \
	test $rc -eq 0 -a "$(not_after "$T/ca10s/server-cert.pem")" = "$(not_after "$T/ca10/ca.pem")"
verify "CA of 10 days, clipped leaf: openssl verify" 0 -CAfile "$T/ca10s/ca.pem" -purpose sslserver "$T/ca10s/server-cert.pem"
run "$DOCKDROP" ca issue client --ca "$T/ca10" --out "$T/ca10c" --days 9
check "CA of 10 days, leaf --days 9: exit 0" test $rc -eq 0
within "CA of 10 days, leaf --days 9: not clipped (ends a day before the CA)" "$(not_after "$T/ca10c/cert.pem")" \
	$(($(not_after "$T/ca10/ca.pem") - DAY - 120)) $(($(not_after "$T/ca10/ca.pem") - DAY + 120))

# Exact times with DOCKDROP_TEST_NOW (2026-01-01T00:00:00Z).
NOW=1767225600
run env DOCKDROP_TEST_NOW=$NOW $DD_EMU "$DOCKDROP" ca init --dir "$T/fixed"
run env DOCKDROP_TEST_NOW=$NOW $DD_EMU "$DOCKDROP" ca issue server --ca "$T/fixed" --out "$T/fixed-s" --san f.example
check "DOCKDROP_TEST_NOW: CA notBefore is NOW - 3600 exactly" test "$(not_before "$T/fixed/ca.pem")" = $((NOW - 3600))
check "DOCKDROP_TEST_NOW: CA notAfter is NOW + 3650 days exactly" test "$(not_after "$T/fixed/ca.pem")" = $((NOW + 3650 * DAY))
check "DOCKDROP_TEST_NOW: leaf notBefore is NOW - 3600 exactly" test "$(not_before "$T/fixed-s/server-cert.pem")" = $((NOW - 3600))
check "DOCKDROP_TEST_NOW: leaf notAfter is NOW + 825 days exactly" test "$(not_after "$T/fixed-s/server-cert.pem")" = $((NOW + 825 * DAY))
verify "DOCKDROP_TEST_NOW: verifies at NOW (-attime)" 0 -attime $NOW -CAfile "$T/fixed-s/ca.pem" -purpose sslserver "$T/fixed-s/server-cert.pem"

# In the past: the leaf has expired (the CA, 10 years, has not).
now=$(date +%s)
PAST=$((now - 900 * DAY))
run env DOCKDROP_TEST_NOW=$PAST $DD_EMU "$DOCKDROP" ca init --dir "$T/past"
run env DOCKDROP_TEST_NOW=$PAST $DD_EMU "$DOCKDROP" ca issue server --ca "$T/past" --out "$T/past-s" --san old.example
check "DOCKDROP_TEST_NOW 900 days back: issue exits 0" test $rc -eq 0
openssl verify -x509_strict -CAfile "$T/past-s/ca.pem" -purpose sslserver "$T/past-s/server-cert.pem" >"$T/v.out" 2>&1
vrc=$?
check "DOCKDROP_TEST_NOW in the past: openssl verify fails with 'certificate has expired'" \
	sh -c "[ $vrc -ne 0 ] && grep -q 'certificate has expired' '$T/v.out'"
run "$DOCKDROP" ca show "$T/past-s/server-cert.pem"
check "ca show of the expired certificate says EXPIRED" grep -q '^valid .*days left: EXPIRED)$' "$T/out"
# In the future: not yet valid.
run env DOCKDROP_TEST_NOW=$((now + 2 * DAY)) $DD_EMU "$DOCKDROP" ca issue server --ca "$P" --out "$T/future-s" --san new.example
openssl verify -x509_strict -CAfile "$T/future-s/ca.pem" -purpose sslserver "$T/future-s/server-cert.pem" >"$T/v.out" 2>&1
vrc=$?
check "DOCKDROP_TEST_NOW 2 days ahead: openssl verify fails with 'not yet valid'" \
	sh -c "[ $vrc -ne 0 ] && grep -q 'certificate is not yet valid' '$T/v.out'"

# UTCTime through 2049, GeneralizedTime from 2050: a leaf across the boundary, and a CA of
# 100 years, both accepted by openssl verify -x509_strict.
EDGE=$((2524608000 - 100))	# 2049-12-31T23:58:20Z
run env DOCKDROP_TEST_NOW=$EDGE $DD_EMU "$DOCKDROP" ca init --dir "$T/edge"
run env DOCKDROP_TEST_NOW=$EDGE $DD_EMU "$DOCKDROP" ca issue server --ca "$T/edge" --out "$T/edge-s" --san edge.example
openssl asn1parse -in "$T/edge-s/server-cert.pem" >"$T/asn1" 2>&1
gen=$(date -u -d "@$((EDGE + 825 * DAY))" +%Y%m%d%H%M%SZ)
check "2049/2050: notBefore is a UTCTime (491231225820Z), notAfter a GeneralizedTime ($gen)" sh -c \
	"grep -q 'UTCTIME *:491231225820Z' '$T/asn1' && grep -q 'GENERALIZEDTIME *:$gen' '$T/asn1'"
verify "2049/2050: openssl verify -x509_strict at the boundary" 0 -attime $((EDGE + 200)) \
	-CAfile "$T/edge-s/ca.pem" -purpose sslserver "$T/edge-s/server-cert.pem"
run "$DOCKDROP" ca init --dir "$T/ca100" --days 36500
run "$DOCKDROP" ca issue client --ca "$T/ca100" --out "$T/ca100c"
check "ca init --days 36500: notAfter a GeneralizedTime" sh -c \
	"openssl asn1parse -in '$T/ca100/ca.pem' | grep -q GENERALIZEDTIME"
verify "CA of 100 years: its leaf verifies" 0 -CAfile "$T/ca100c/ca.pem" -purpose sslclient "$T/ca100c/cert.pem"

# An expired CA must not issue. BUG (reported): pki_ca_issue clips the leaf's notAfter to
# the CA's without checking that the CA is still valid: with the CA expired the leaf gets
# notAfter < notBefore (a certificate that is never valid), exit 0.
run "$DOCKDROP" ca init --dir "$T/short" --days 1
snap "$T/short" >"$T/snap.before"
run env DOCKDROP_TEST_NOW=$((now + 3 * DAY)) $DD_EMU "$DOCKDROP" ca issue server --ca "$T/short" --out "$T/short-s" --san late.example
if [ $rc -ne 0 ]; then
	check "issue from an expired CA: refused with one 'dockdrop: ' line, nothing written" sh -c \
		"[ \"\$(wc -l <'$T/err')\" = 1 ] && grep -q '^dockdrop: ' '$T/err' && [ ! -e '$T/short-s' ]"
else
	notok "issue from an expired CA: exit 0, leaf valid $(iso "$(not_before "$T/short-s/server-cert.pem")") to $(iso "$(not_after "$T/short-s/server-cert.pem")")"
fi
snap "$T/short" >"$T/snap.after"
check "issue from an expired CA: the CA is unchanged" cmp -s "$T/snap.before" "$T/snap.after"

# --- --auto-san -----------------------------------------------------------------------------
run "$DOCKDROP" ca issue server --ca "$P" --out "$T/auto" --auto-san
check "--auto-san: exit 0" test $rc -eq 0
sans=$(openssl x509 -in "$T/auto/server-cert.pem" -noout -ext subjectAltName 2>/dev/null | tail -1 | sed 's/^ *//')
host=$(uname -n | tr 'A-Z' 'a-z')
for want in "DNS:localhost" "IP Address:127.0.0.1" "IP Address:0:0:0:0:0:0:0:1" "DNS:$host"; do
	case ", $sans," in
	*", $want,"*) ok "--auto-san includes $want" ;;
	*) notok "--auto-san includes $want: $sans" ;;
	esac
done
verify "--auto-san: openssl verify" 0 -CAfile "$T/auto/ca.pem" -purpose sslserver "$T/auto/server-cert.pem"
run "$DOCKDROP" ca issue server --ca "$P" --out "$T/auto2" --auto-san --san extra.example
check "--auto-san with --san: both" sh -c \
	"[ $rc -eq 0 ] && openssl x509 -in '$T/auto2/server-cert.pem' -noout -ext subjectAltName | grep -q 'DNS:extra.example' &&
	 openssl x509 -in '$T/auto2/server-cert.pem' -noout -ext subjectAltName | grep -q 'DNS:localhost'"

# --- ca show against openssl ----------------------------------------------------------------
# show_matches NAME CERT KEYTYPE: every line of ca show equals what openssl says.
show_matches() {
	_n=$1 _c=$2 _kt=$3
	run "$DOCKDROP" ca show "$_c"
	if [ $rc -ne 0 ] || [ -s "$T/err" ]; then notok "$_n: ca show exit $rc: $(cat "$T/err")"; return; fi
	_cn=$(openssl x509 -in "$_c" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= //p')
	_o=$(openssl x509 -in "$_c" -noout -subject -nameopt multiline | sed -n 's/^ *organizationName *= //p')
	_icn=$(openssl x509 -in "$_c" -noout -issuer -nameopt multiline | sed -n 's/^ *commonName *= //p')
	_subj="CN=$_cn"; [ -n "$_o" ] && _subj="$_subj, O=$_o"
	check "$_n: subject line" test "$(sed -n 's/^subject  *//p' "$T/out")" = "$_subj"
	check "$_n: issuer line" test "$(sed -n 's/^issuer  *//p' "$T/out")" = "CN=$_icn"
	_nb=$(iso "$(not_before "$_c")") _na=$(iso "$(not_after "$_c")")
	check "$_n: valid line" grep -q "^valid  *$_nb to $_na (" "$T/out"
	_days=$(( ($(not_after "$_c") - $(date +%s)) / DAY ))
	check "$_n: days left" sh -c "grep -q '^valid .*($_days days left' '$T/out' || grep -q '^valid .*($((_days - 1)) days left' '$T/out'"
	check "$_n: key line" test "$(sed -n 's/^key  *//p' "$T/out")" = "$_kt"
	if openssl x509 -in "$_c" -noout -text | grep -q 'CA:TRUE'; then _ca=yes; else _ca=no; fi
	check "$_n: ca line" test "$(sed -n 's/^ca  *//p' "$T/out")" = "$_ca"
	check "$_n: sha256 line = openssl -fingerprint -sha256" test "$(sed -n 's/^sha256  *//p' "$T/out")" = "$(fp "$_c")"
	check "$_n: 8 lines" test "$(lines "$T/out")" = 8
}
for kt in ecdsa-p256 ecdsa-p384 rsa2048 rsa3072 rsa4096; do
	show_matches "ca show $kt CA" "$T/$kt/ca/ca.pem" "$kt"
	show_matches "ca show $kt server" "$T/$kt/server/server-cert.pem" "$kt"
	show_matches "ca show $kt client" "$T/$kt/client/cert.pem" "$kt"
done
show_matches "ca show of a CA with --name" "$M/named/ca.pem" ecdsa-p256
run "$DOCKDROP" ca show "$T/ecdsa-p256/server/server-cert.pem"
check "ca show: sans line lists the SANs in order" grep -qx 'sans         localhost 127.0.0.1 ::1 a.example.com' "$T/out"
run "$DOCKDROP" ca show "$T/ecdsa-p256/client/cert.pem"
check "ca show: a client has no SANs" grep -qx 'sans         (none)' "$T/out"
run "$DOCKDROP" ca show "$T/ecdsa-p256/server/server-cert.pem" --json
check "ca show --json: exit 0, one line" test $rc -eq 0 -a "$(lines "$T/out")" = 1
S=$T/ecdsa-p256/server/server-cert.pem
jq_check "ca show --json: the fields of the server certificate" "$T/out" \
	".subject == {cn: \"localhost\", o: \"\"} and .issuer == {cn: \"dockdrop CA\"} and
	 .sans == [\"localhost\", \"127.0.0.1\", \"::1\", \"a.example.com\"] and
	 .not_before == \"$(iso "$(not_before "$S")")\" and .not_after == \"$(iso "$(not_after "$S")")\" and
	 (.days_left | type) == \"number\" and .days_left >= 824 and .days_left <= 825 and
	 .key_type == \"ecdsa-p256\" and .ca == false and .server_auth == true and .client_auth == false and
	 .sha256 == \"$(fp "$S")\""
run "$DOCKDROP" ca show --json "$T/rsa4096/ca/ca.pem"
jq_check "ca show --json: the fields of an RSA 4096 CA" "$T/out" \
	".subject == {cn: \"dockdrop CA\", o: \"dockdrop\"} and .sans == [] and .ca == true and
	 .key_type == \"rsa4096\" and .server_auth == false and .client_auth == false and
	 .sha256 == \"$(fp "$T/rsa4096/ca/ca.pem")\" and (keys | length) == 11"
run "$DOCKDROP" ca show --json "$T/ecdsa-p384/client/cert.pem"
jq_check "ca show --json: a client" "$T/out" '.client_auth == true and .server_auth == false and .sans == [] and .subject.cn == "client"'
openssl x509 -in "$S" -outform DER -out "$T/server.der"
expect_err_silent "ca show of a DER file (PEM is expected) exits 2" 2 "no PEM certificate" "$DOCKDROP" ca show "$T/server.der"
cat "$T/ecdsa-p256/server/server-key.pem" "$S" >"$T/key-then-cert.pem"
run "$DOCKDROP" ca show "$T/key-then-cert.pem"
check "ca show finds the certificate after a key in the file" sh -c "[ $rc -eq 0 ] && grep -q '^sha256       $(fp "$S")' '$T/out'"

# --- --force --------------------------------------------------------------------------------
F=$T/force
$DD_EMU "$DOCKDROP" ca init --dir "$F/ca" -q
$DD_EMU "$DOCKDROP" ca issue server --ca "$F/ca" --out "$F/s" --san f.example -q
old=$(fp "$F/ca/ca.pem")
oldkey=$(sha256sum <"$F/ca/ca-key.pem")
run "$DOCKDROP" ca init --dir "$F/ca" --force
check "ca init --force over a CA exits 0" test $rc -eq 0
check "ca init --force: a new CA certificate (new fingerprint)" test "$(fp "$F/ca/ca.pem")" != "$old"
check "ca init --force: a new CA key" test "$(sha256sum <"$F/ca/ca-key.pem")" != "$oldkey"
check "ca init --force: modes 0700/0644/0600 kept" test "$(mode "$F/ca") $(mode "$F/ca/ca.pem") $(mode "$F/ca/ca-key.pem")" = "700 644 600"
check "ca init --force: no temp files left" test "$(ls -A "$F/ca" | tr '\n' ' ')" = "ca-key.pem ca.pem "
verify "ca init --force: the old leaf no longer verifies against the new CA" 1 -CAfile "$F/ca/ca.pem" -purpose sslserver "$F/s/server-cert.pem"
run "$DOCKDROP" ca issue server --ca "$F/ca" --out "$F/s2" --san f.example
verify "ca init --force: the new CA issues" 0 -CAfile "$F/s2/ca.pem" -purpose sslserver "$F/s2/server-cert.pem"
run "$DOCKDROP" ca init --dir "$F/fresh" --force
check "ca init --force where no CA is: exit 0" test $rc -eq 0 -a -s "$F/fresh/ca.pem"
run "$DOCKDROP" ca issue server --ca "$F/ca" --out "$F/s2" --san g.example
check "issue into an --out that already holds a pair replaces it" sh -c \
	"[ $rc -eq 0 ] && openssl x509 -in '$F/s2/server-cert.pem' -noout -ext subjectAltName | grep -q 'DNS:g.example' && [ \"\$(ls -A '$F/s2' | tr '\n' ' ')\" = 'ca.pem server-cert.pem server-key.pem ' ]"

# --- CAs made by openssl --------------------------------------------------------------------
O=$T/ossl
mkdir -p "$O/ec"
openssl ecparam -name prime256v1 -genkey -noout -out "$O/ec/ca-key.pem" 2>/dev/null
openssl req -x509 -new -key "$O/ec/ca-key.pem" -subj "/O=Ops/CN=ops CA" -days 365 \
	-addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	-out "$O/ec/ca.pem" 2>/dev/null
run "$DOCKDROP" ca issue server --ca "$O/ec" --out "$O/ec-s" --san ops.example
check "an openssl P-256 CA (SEC1 key) issues a server certificate" test $rc -eq 0
verify "openssl P-256 CA: its dockdrop leaf verifies -x509_strict" 0 -CAfile "$O/ec/ca.pem" -purpose sslserver "$O/ec-s/server-cert.pem"
check "openssl P-256 CA: leaf AKID = the CA's SKID" test \
	"$(openssl x509 -in "$O/ec-s/server-cert.pem" -noout -text | ext /dev/stdin 'X509v3 Authority Key Identifier' | sed 's/^keyid://')" = \
	"$(openssl x509 -in "$O/ec/ca.pem" -noout -text | ext /dev/stdin 'X509v3 Subject Key Identifier')"
check "openssl P-256 CA: leaf notAfter clipped at the CA's (365 days)" \
	test "$(not_after "$O/ec-s/server-cert.pem")" = "$(not_after "$O/ec/ca.pem")"
# An RSA key made by openssl genrsa: three in four have a prime that is not 3 mod 4, where
# BearSSL cannot derive e and dockdrop finds it by a round trip. A fresh key each run.
mkdir -p "$O/rsa"
openssl genrsa -traditional -out "$O/rsa/ca-key.pem" 2048 2>/dev/null
openssl req -x509 -new -key "$O/rsa/ca-key.pem" -subj "/CN=ops RSA CA" -days 365 \
	-addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	-out "$O/rsa/ca.pem" 2>/dev/null
run "$DOCKDROP" ca issue server --ca "$O/rsa" --out "$O/rsa-s" --san ops.example
if [ $rc -eq 0 ]; then ok "an openssl RSA 2048 CA (genrsa key) issues a server certificate"
else notok "an openssl RSA 2048 CA (genrsa key) issues a server certificate: exit $rc: $(head -c 200 "$T/err")"; fi
if [ -s "$O/rsa-s/server-cert.pem" ]; then
	verify "openssl RSA CA: its dockdrop leaf verifies" 0 -CAfile "$O/rsa/ca.pem" -purpose sslserver "$O/rsa-s/server-cert.pem"
else
	skip "openssl RSA CA: its dockdrop leaf verifies (no leaf: see the failure above)"
fi

# --- refusals: exit 2, one line, nothing written --------------------------------------------
W=$T/w
mkdir -p "$W"
$DD_EMU "$DOCKDROP" ca init --dir "$W/ca" -q
$DD_EMU "$DOCKDROP" ca init --dir "$W/other" -q
$DD_EMU "$DOCKDROP" ca issue server --ca "$W/ca" --out "$W/leaf" --san leaf.example -q
mkdir "$W/nokey" "$W/nocert" "$W/mismatch" "$W/leafca" "$W/garbage" "$W/enc" "$W/empty"
cp "$W/ca/ca.pem" "$W/nokey/"
cp "$W/ca/ca-key.pem" "$W/nocert/"
cp "$W/ca/ca.pem" "$W/mismatch/" && cp "$W/other/ca-key.pem" "$W/mismatch/"
cp "$W/leaf/server-cert.pem" "$W/leafca/ca.pem" && cp "$W/leaf/server-key.pem" "$W/leafca/ca-key.pem"
echo "not a certificate" >"$W/garbage/ca.pem" && cp "$W/ca/ca-key.pem" "$W/garbage/"
cp "$W/ca/ca.pem" "$W/enc/"
openssl pkcs8 -topk8 -in "$W/ca/ca-key.pem" -passout pass:secret -out "$W/enc/ca-key.pem" 2>/dev/null
echo "plain file" >"$W/file"
head -c 300 /dev/urandom >"$W/random.bin"
L63=abcdefghij0123456789abcdefghij0123456789abcdefghij0123456789abc
C65=$(printf '%065d' 7)
N65=$(printf 'n%.0s' $(seq 65))
set --
i=0
while [ $i -lt 33 ]; do set -- "$@" --san "h$i.example"; i=$((i + 1)); done
SAN33="$*"

# bad NAME TEXT ARGS...: dockdrop ARGS exits 2 as expect_err_silent says, and $W is unchanged.
bad() {
	_bn=$1 _bt=$2; shift 2
	snap "$W" >"$T/snap.before"
	expect_err_silent "$_bn" 2 "$_bt" "$DOCKDROP" "$@"
	snap "$W" >"$T/snap.after"
	if ! cmp -s "$T/snap.before" "$T/snap.after"; then
		notok "$_bn: wrote: $(diff "$T/snap.before" "$T/snap.after" | grep '^[<>]' | head -4 | tr '\n' '|')"
	fi
}
SRV="ca issue server --ca $W/ca --out $W/new"
bad "--san -bad" "--san '-bad'" $SRV --san -bad
bad "--san a..b" "--san 'a..b'" $SRV --san a..b
bad "--san 'x y'" "neither a DNS name" ca issue server --ca "$W/ca" --out "$W/new" --san "x y"
bad "--san with a 64-character label" "neither a DNS name" $SRV --san "${L63}d.example"
bad "--san= (empty)" "--san" $SRV --san=
bad "--san a_b" "neither a DNS name" $SRV --san a_b.example
bad "--san with a trailing dot" "neither a DNS name" $SRV --san example.com.
bad "--san [::1]" "neither a DNS name" $SRV --san "[::1]"
bad "--san fe80::1%eth0" "neither a DNS name" $SRV --san "fe80::1%eth0"
bad "--san 1.2.3.4:443" "neither a DNS name" $SRV --san 1.2.3.4:443
bad "one bad --san among good ones" "'bad_name'" $SRV --san localhost --san bad_name --san 127.0.0.1
bad "33 --san options (more than the 32 a list holds)" "--san" $SRV $SAN33
bad "ca init --days 0" "--days" ca init --dir "$W/new" --days 0
bad "ca init --days 36501" "--days" ca init --dir "$W/new" --days 36501
bad "ca init --days -1" "--days" ca init --dir "$W/new" --days -1
bad "ca init --days 1x" "--days" ca init --dir "$W/new" --days 1x
bad "issue server --days 0" "--days" $SRV --san a.example --days 0
bad "issue client --days 36501" "--days" ca issue client --ca "$W/ca" --out "$W/new" --days 36501
bad "ca init --key-type rsa1024" "--key-type" ca init --dir "$W/new" --key-type rsa1024
bad "issue server --key-type ed25519" "--key-type" $SRV --san a.example --key-type ed25519
bad "issue client --key-type ECDSA-P256 (case)" "--key-type" ca issue client --ca "$W/ca" --out "$W/new" --key-type ECDSA-P256
bad "ca init without --dir" "--dir" ca init
bad "issue server without --ca" "--ca" ca issue server --out "$W/new" --san a.example
bad "issue server without --out" "--out" ca issue server --ca "$W/ca" --san a.example
bad "issue client without --ca" "--ca" ca issue client --out "$W/new"
bad "issue client without --out" "--out" ca issue client --ca "$W/ca"
bad "ca init into an existing CA without --force" "already holds a CA" ca init --dir "$W/ca"
bad "ca init where only ca-key.pem is" "already holds a CA" ca init --dir "$W/nocert"
bad "ca init --dir of a regular file" "" ca init --dir "$W/file"
bad "--ca of a missing directory" "ca.pem" ca issue client --ca "$W/missing" --out "$W/new"
bad "--ca of an empty directory" "ca.pem" ca issue client --ca "$W/empty" --out "$W/new"
bad "--ca of a regular file" "" ca issue client --ca "$W/file" --out "$W/new"
bad "--ca without ca-key.pem" "ca-key.pem" ca issue client --ca "$W/nokey" --out "$W/new"
bad "--ca without ca.pem" "ca.pem" ca issue client --ca "$W/nocert" --out "$W/new"
bad "--ca with another CA's key" "is not the key of" ca issue client --ca "$W/mismatch" --out "$W/new"
bad "--ca holding a leaf certificate" "not a CA certificate" ca issue server --ca "$W/leafca" --out "$W/new" --san a.example
bad "--ca with a garbage ca.pem" "no PEM certificate" ca issue client --ca "$W/garbage" --out "$W/new"
bad "--ca with an encrypted key" "encrypted" ca issue client --ca "$W/enc" --out "$W/new"
bad "--out of a regular file" "" ca issue client --ca "$W/ca" --out "$W/file"
bad "--out below a regular file" "" ca issue client --ca "$W/ca" --out "$W/file/sub"
bad "server without any SAN" "needs names" $SRV
bad "client --cn of 65 characters" "--cn" ca issue client --ca "$W/ca" --out "$W/new" --cn "$C65"
bad "client --cn= (empty)" "--cn" ca issue client --ca "$W/ca" --out "$W/new" --cn=
bad "server --cn (clients only)" "--cn" $SRV --san a.example --cn x
bad "client --san (servers only)" "--san" ca issue client --ca "$W/ca" --out "$W/new" --san a.example
bad "ca init --name= (empty)" "--name" ca init --dir "$W/new" --name=
bad "ca init --name of 65 characters" "--name" ca init --dir "$W/new" --name "$N65"
bad "ca init --key-type twice" "--key-type" ca init --dir "$W/new" --key-type rsa2048 --key-type rsa2048
bad "ca init with an unknown option" "--bogus" ca init --dir "$W/new" --bogus
bad "ca show of a missing file" "$W/missing.pem" ca show "$W/missing.pem"
bad "ca show of a key file" "no PEM certificate" ca show "$W/ca/ca-key.pem"
bad "ca show of garbage" "no PEM certificate" ca show "$W/random.bin"
bad "ca show of a directory" "" ca show "$W/ca"
bad "ca show with two files" "" ca show "$W/ca/ca.pem" "$W/leaf/server-cert.pem"
bad "ca show without a file" "FILE" ca show
check "no refusal created $W/new" test ! -e "$W/new"
# At the edges of the ranges: accepted.
run "$DOCKDROP" ca issue client --ca "$W/ca" --out "$W/cn64" --cn "$(printf '%064d' 7)"
check "client --cn of 64 characters is accepted" test $rc -eq 0
run "$DOCKDROP" ca init --dir "$W/n64" --name "$(printf 'n%.0s' $(seq 64))"
check "ca init --name of 64 characters is accepted" test $rc -eq 0
run "$DOCKDROP" ca issue server --ca "$W/ca" --out "$W/l63" --san short.example --san "$L63.example"
check "--san with a 63-character label is accepted" test $rc -eq 0
D253=$L63.$L63.$L63.${L63%??}
run "$DOCKDROP" ca issue server --ca "$W/ca" --out "$W/d253" --san short.example --san "$D253"
check "--san of 253 characters is accepted, whole in the certificate" sh -c \
	"[ $rc -eq 0 ] && openssl x509 -in '$W/d253/server-cert.pem' -noout -ext subjectAltName | grep -q 'DNS:$D253\$'"
bad "--san of 254 characters" "neither a DNS name" $SRV --san short.example --san "${D253}x"
# A server's CN is its first SAN; a valid name longer than 64 characters (the CN limit)
# must not make the certificate impossible. BUG (reported): pki_ca_issue (src/pki/ca.c)
# takes the first SAN as the CN and then refuses it with "--cn must be 1 to 64
# characters", exit 2, although 'ca issue server' has no --cn option.
run "$DOCKDROP" ca issue server --ca "$W/ca" --out "$W/long-first" --san "$L63.example"
if [ $rc -eq 0 ]; then ok "server whose first --san is a valid 71-character name: exit 0"
else notok "server whose first --san is a valid 71-character name: exit $rc: $(head -c 200 "$T/err")"; fi
if [ -s "$W/long-first/server-cert.pem" ]; then
	verify "server whose first --san has 71 characters: openssl verify" 0 -CAfile "$W/ca/ca.pem" -purpose sslserver "$W/long-first/server-cert.pem"
else
	skip "server whose first --san has 71 characters: openssl verify (no certificate: see the failure above)"
fi
set --
i=0
while [ $i -lt 32 ]; do set -- "$@" --san "h$i.example"; i=$((i + 1)); done
run "$DOCKDROP" ca issue server --ca "$W/ca" --out "$W/s32" "$@"
check "32 --san options are accepted, all 32 in the certificate" sh -c \
	"[ $rc -eq 0 ] && [ \"\$(openssl x509 -in '$W/s32/server-cert.pem' -noout -ext subjectAltName | tail -1 | tr ',' '\n' | grep -c DNS:)\" = 32 ]"
# A mistyped address is neither an address nor a name (all-digit last label): refused.
for bad in 1.2.3.4.5 10.0.0.256 1.2.3; do
	expect_usage "--san $bad is refused" ca issue server --ca "$W/ca" --out "$W/numeric" --san $bad
	check "--san $bad: nothing written" test ! -e "$W/numeric"
done
