#!/bin/sh
# Protected settings decrypted on the VM (issue 14 point 2, AZURE.md 9 and 14.3): blobs made
# here by the real openssl (cms and smime -encrypt, the agent's own tool) to a tenant
# certificate laid out as the Azure agent leaves it (THUMB.crt and THUMB.prv in one
# directory, from `openssl pkcs12 -nodes`, "Bag Attributes" lines and all), each decrypting
# to the exact plaintext or refused with exit 3 and the one line naming why; and no refusal
# shows the secret in the plaintext.
#
# The run driver, in one function so that it can be aimed at the product command:
#   unprotect SETTINGS_FILE THUMB CERTDIR   -> plaintext on stdout, exit 0; or exit 3 and
#                                              "dockdrop: protected settings: WHY" on stderr
unprotect() { $DD_EMU "$BUILD/host/tools/azunprotect" "$@"; }

: "${DOCKDROP:=build/dockdrop}"
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}
command -v openssl >/dev/null 2>&1 || { skip "azure crypto: openssl not installed"; exit 0; }
[ -x "$BUILD/host/tools/azunprotect" ] || { notok "azure crypto: $BUILD/host/tools/azunprotect not built"; exit 1; }

T=$T_TMP B=$T_TMP/blobs W=$T_TMP/waagent
mkdir -p "$B" "$W" "$T/pkcs1" "$T/empty" "$T/crtonly" "$T/swapped" "$T/mismatch"

# --- the world: tenant certificates as the agent writes them ------------------------------
# newcert NAME: a self-signed RSA-2048 certificate like Azure's (one DC= RDN), through a
# PKCS#12 file and `openssl pkcs12 -nodes` as the agent does; its key and certificate
# texts land in $T/NAME.prv and $T/NAME.crt, its SHA-1 thumbprint (upper-case hex) is printed.
newcert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/DC=Windows Azure CRP Certificate Generator" \
		-keyout "$T/$1.key" -out "$T/$1.pem" 2>/dev/null &&
		openssl pkcs12 -export -keyex -CSP "Microsoft Enhanced Cryptographic Provider v1.0" \
			-inkey "$T/$1.key" -in "$T/$1.pem" -passout pass: -out "$T/$1.pfx" &&
		openssl pkcs12 -in "$T/$1.pfx" -passin pass: -nodes -nocerts -out "$T/$1.prv" &&
		openssl pkcs12 -in "$T/$1.pfx" -passin pass: -nodes -nokeys -out "$T/$1.crt" &&
		openssl x509 -in "$T/$1.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'
}
if ! { tp=$(newcert tenant) && op=$(newcert other) && newcert other2 >/dev/null; }; then
	notok "azure crypto: tenant certificates"
	exit 1
fi
cp "$T/tenant.crt" "$W/$tp.crt" && cp "$T/tenant.prv" "$W/$tp.prv" && chmod 600 "$W/$tp.prv"
if head -1 "$W/$tp.prv" | grep -q '^Bag Attributes' && grep -q '^Key Attributes' "$W/$tp.prv" &&
	head -1 "$W/$tp.crt" | grep -q '^Bag Attributes'; then
	ok "tenant .prv and .crt carry Bag Attributes / Key Attributes lines, as the agent's do"
else
	notok "tenant files without the agent's attribute lines: $(head -c 200 "$W/$tp.prv" | tr '\n' '|')"
fi
# The same certificate with a PKCS#1 ("BEGIN RSA PRIVATE KEY") key file; the certificate
# alone; another certificate under our thumbprint's name; our certificate with another key.
cp "$W/$tp.crt" "$T/pkcs1/$tp.crt" && openssl rsa -traditional -in "$T/tenant.key" -out "$T/pkcs1/$tp.prv" 2>/dev/null
cp "$W/$tp.crt" "$T/crtonly/$tp.crt"
cp "$T/other.crt" "$T/swapped/$tp.crt" && cp "$T/other.prv" "$T/swapped/$tp.prv"
cp "$W/$tp.crt" "$T/mismatch/$tp.crt" && cp "$T/other.prv" "$T/mismatch/$tp.prv"
grep -q 'BEGIN RSA PRIVATE KEY' "$T/pkcs1/$tp.prv" || notok "azure crypto: no PKCS#1 key file made"
lower=$(echo "$tp" | tr 'A-F' 'a-f')
serial=$(openssl x509 -in "$T/tenant.pem" -noout -serial | sed 's/.*=//')

# The protected settings: JSON with a secret, about the size of settings carrying certs.
secret=S3cret-$(openssl rand -hex 8)
plain=$T/plain.json
printf '{"login":{"server":"registry.example","username":"u","password":"%s"},"certs":{"ca":"%s"}}' \
	"$secret" "$(openssl rand -base64 7000 | tr -d '\n')" >"$plain"

# --- blob makers: each writes the row's DER to $der (or its base64 text to $b64) -----------
# cms ARGS...: openssl cms -encrypt to the tenant certificate; smime likewise.
cms() { openssl cms -encrypt -binary -outform DER -in "$plain" -out "$der" -recip "$W/$tp.crt" "$@"; }
smime() { openssl smime -encrypt -binary -outform DER -in "$plain" -out "$der" "$@" "$W/$tp.crt"; }
# to CERTNAME... -- ARGS...: openssl cms -encrypt to those certificates ($T/NAME.pem)
to() {
	_r=
	while [ "$1" != -- ]; do _r="$_r -recip $T/$1.pem"; shift; done
	shift
	# shellcheck disable=SC2086
	openssl cms -encrypt -binary -outform DER -in "$plain" -out "$der" $_r "$@"
}
# legacy ARGS...: cms with OpenSSL's legacy provider (single DES, RC2), when it has one.
legacy() { cms -provider legacy -provider default "$@" 2>/dev/null || { why="no legacy provider"; return 1; }; }
# from NAME: the blob of row NAME (then changed by the maker that called it).
from() { cp "$B/$1.der" "$der"; }
# indir DIR NAME / thumb THUMB NAME: row NAME's blob, with another certdir or thumbprint.
indir() { dir=$1; from "$2"; }
thumb() { th=$1; from "$2"; }

# asn1 NAME: the blob's values, "OFFSET DEPTH HEADERLEN LENGTH TEXT" a line.
asn1() {
	openssl asn1parse -inform DER -in "$B/$1.der" |
		sed -E 's/^ *([0-9]+):d=([0-9]+) +hl= *([0-9]+) +l= *([0-9a-z]+) +(prim|cons): *(.*)/\1 \2 \3 \4 \6/'
}
# where NAME PART: the offset of one byte of PART in row NAME's blob.
where() {
	asn1 "$1" | awk -v part="$2" '
		{ o = $1 + $3; l = $4 }
		part == "ctype" && /OBJECT +:pkcs7-envelopedData/ { print o + l - 1; exit }
		part == "issuer" && / IA5STRING / { print o + 2; exit }
		part == "serial" && $0 ~ (" INTEGER +:" serial "$") { print o + l - 1; exit }
		part == "ekey" && / OCTET STRING / && l == 256 { print o + 100; exit }
		part == "iv" && prev ~ /OBJECT +:(des-ede3-cbc|aes-)/ { print o + 1; exit }
		part ~ /^ct/ && / cont \[ 0 \]/ && $2 == 4 {
			if (part == "ct-middle") print o + int(l / 2)
			else if (part == "ct-padbyte") print o + l - 9	# last byte of the block before last (3DES)
			else print o + l - 1 - (part == "ct-last" ? n : 0)
			exit
		}
		{ prev = $0 }' n="${3:-0}" serial="$serial"
}
# flip NAME PART [N]: row NAME's blob with one byte of PART xor 0x01.
flip() { from "$1" && _o=$(where "$1" "$2" "${3:-0}") && [ -n "$_o" ] && xorbyte "$der" "$_o" 1; }
xorbyte() {
	_b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((_b ^ $3)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# chop NAME N: the first N bytes (N negative: all but -N) of row NAME's blob.
chop() { head -c "$2" "$B/$1.der" >"$der"; }
# append NAME BYTES: row NAME's blob with bytes after it.
# shellcheck disable=SC2059
append() { from "$1" && printf "$2" >>"$der"; }
# rc2 NAME: row NAME's 3DES blob with its cipher OID turned into RC2-CBC's (1.2.840.113549.3.7
# -> .3.2, same length): a cipher openssl 3 only makes with its legacy provider.
rc2() { from "$1" && _o=$(asn1 "$1" | awk '/OBJECT +:des-ede3-cbc/ { print $1 + $3 + $4 - 1; exit }') && xorbyte "$der" "$_o" 5; }
# lastblock NAME: row NAME's blob with a byte of its last cipher block flipped such that
# openssl cms -decrypt refuses it (a flip there leaves valid padding once in ~256).
lastblock() {
	for _n in 0 1 2 3 4 5; do
		flip "$1" ct-last "$_n" || return 1
		openssl cms -decrypt -inform DER -in "$der" -recip "$W/$tp.crt" -inkey "$T/tenant.key" \
			>/dev/null 2>&1 || return 0
	done
	return 1
}
# twokey: two-key 3DES (a 16-byte key under the des-ede3-cbc OID, which OpenSSL cannot
# make with cms): the des3 row's blob with its content encrypted by `openssl enc
# -des-ede-cbc` under a fresh 16-byte key, that key RSA-encrypted by `openssl pkeyutl`
# (PKCS#1 v1.5) in place of the encrypted key, and the new IV.
twokey() {
	from des3 &&
		openssl rand -out "$T/k16" 16 && openssl rand -out "$T/iv8" 8 &&
		openssl enc -des-ede-cbc -K "$(od -An -tx1 "$T/k16" | tr -d ' \n')" \
			-iv "$(od -An -tx1 "$T/iv8" | tr -d ' \n')" -in "$plain" -out "$T/ct2" &&
		openssl pkeyutl -encrypt -certin -inkey "$W/$tp.crt" -pkeyopt rsa_padding_mode:pkcs1 \
			-in "$T/k16" -out "$T/ek2" &&
		_a=$(asn1 des3) &&
		_ek=$(echo "$_a" | awk '/ OCTET STRING / && $4 == 256 { print $1 + $3; exit }') &&
		_iv=$(echo "$_a" | awk 'p ~ /des-ede3-cbc/ { print $1 + $3; exit } { p = $0 }') &&
		_ct=$(echo "$_a" | awk '/ cont \[ 0 \]/ && $2 == 4 { print $1 + $3, $4; exit }') &&
		[ "${_ct#* }" = "$(wc -c <"$T/ct2" | tr -d ' ')" ] &&
		dd if="$T/ek2" of="$der" bs=1 seek="$_ek" conv=notrunc status=none &&
		dd if="$T/iv8" of="$der" bs=1 seek="$_iv" conv=notrunc status=none &&
		dd if="$T/ct2" of="$der" bs=1 seek="${_ct% *}" conv=notrunc status=none
}
# big N: a blob of N bytes of plaintext (at the cap, and one past it).
big() { head -c "$1" /dev/zero | tr '\0' 'x' >"$T/big" && openssl cms -encrypt -binary -outform DER -aes256 \
	-in "$T/big" -out "$der" -recip "$W/$tp.crt" && cp "$T/big" "$T/want.$name"; }
# b64 text: wrapped into 76-column lines (whitespace is skipped), a bad character, a cut.
wrapped() { from "$1" && b64=$(base64 "$der"); }
badchar() { from "$1" && b64=$(base64 -w0 "$der" | sed 's/^\(.\{'"$2"'\}\)./\1*/'); }
b64cut() { from "$1" && b64=$(base64 -w0 "$der" | sed 's/.$//'); }
empty() { : >"$der"; }

# --- one row ----------------------------------------------------------------------------
# row NAME EXPECT MAKER ARGS...: make the blob, write it as a handler settings file, run
# unprotect. EXPECT: ok (exact plaintext, nothing on stderr); =openssl (exit 0 with what
# openssl cms -decrypt gives, which is not the plaintext: CBC has no integrity check); or
# the text of the one line that must be printed, with exit 3 and nothing on stdout.
row() {
	name=$1 want=$2; shift 2
	der=$B/$name.der b64='' dir=$W th=$tp why=
	rm -f "$der"
	if ! "$@" 2>"$B/$name.make"; then
		if [ -n "$why" ]; then skip "$name: $why"; else notok "$name: making the blob ($*): $(head -c 300 "$B/$name.make")"; fi
		return
	fi
	[ -n "$b64" ] || b64=$(base64 -w0 "$der")
	if [ "$1" = wrapped ]; then	# the base64 text as a file, newlines and all
		printf '%s\n' "$b64" >"$B/$name.settings"
	else
		printf '{"runtimeSettings":[{"handlerSettings":{"publicSettings":{},"protectedSettings":"%s","protectedSettingsCertThumbprint":"%s"}}]}\n' \
			"$b64" "$th" >"$B/$name.settings"
	fi
	unprotect "$B/$name.settings" "$th" "$dir" >"$B/$name.out" 2>"$B/$name.err"
	rc=$?
	_w=$plain
	[ -f "$T/want.$name" ] && _w=$T/want.$name
	case $want in
	ok)
		if [ $rc = 0 ] && cmp -s "$B/$name.out" "$_w" && [ ! -s "$B/$name.err" ]; then
			ok "$name: decrypts to the exact plaintext ($*)"
		else
			notok "$name: exit $rc, $(wc -c <"$B/$name.out") bytes out, stderr: $(head -c 300 "$B/$name.err")"
		fi ;;
	=openssl)
		openssl cms -decrypt -inform DER -in "$der" -recip "$W/$tp.crt" -inkey "$T/tenant.key" >"$B/$name.ossl" 2>/dev/null
		if [ $rc = 0 ] && cmp -s "$B/$name.out" "$B/$name.ossl" && ! cmp -s "$B/$name.out" "$plain"; then
			ok "$name: decrypts to what openssl cms -decrypt gives, not the plaintext (CBC has no integrity check)"
		else
			notok "$name: exit $rc, stderr: $(head -c 300 "$B/$name.err")"
		fi ;;
	*)
		if [ $rc = 3 ] && [ ! -s "$B/$name.out" ] && [ "$(lines "$B/$name.err")" = 1 ] &&
			grep -q '^dockdrop: protected settings: ' "$B/$name.err" &&
			grep -qF -- "$want" "$B/$name.err" && ! grep -qF -- "$secret" "$B/$name.err"; then
			ok "$name: refused, exit 3: $(cut -c31- "$B/$name.err")"
		else
			notok "$name: exit $rc (want 3 and \"$want\"), stdout $(wc -c <"$B/$name.out") bytes, stderr: $(head -c 300 "$B/$name.err" | tr '\n' '|')"
		fi ;;
	esac
}
# premise NAME PATTERN MIN: the blob of row NAME shows what the row claims (asn1parse lines).
premise() {
	_c=$(asn1 "$1" | grep -cE -- "$2")
	check "$1 blob has $3+ lines matching '$2' ($_c)" [ "$_c" -ge "$3" ]
}

# --- the matrix -------------------------------------------------------------------------
#   name              expect                                                           blob
row des3              ok                                                               cms -des3
row smime-des3        ok                                                               smime -des3
row aes128            ok                                                               cms -aes128
row aes192            ok                                                               cms -aes192
row aes256            ok                                                               cms -aes256
row oaep-sha1         ok                                                               cms -aes256 -keyopt rsa_padding_mode:oaep
row oaep-sha256       ok                                                               cms -aes128 -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256
row oaep-label        ok                                                               cms -aes192 -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256 -keyopt rsa_oaep_label:6c6162656c
row stream-des3       ok                                                               cms -stream -des3
row stream-aes256     ok                                                               cms -stream -aes256 -keyopt rsa_padding_mode:oaep
row keyid             ok                                                               cms -keyid -aes256
row keyid-stream      ok                                                               cms -keyid -stream -des3
row keyid-two         ok                                                               to other tenant -- -keyid -aes128
row two-recipients    ok                                                               to other tenant -- -aes256
row two-recipients-2  ok                                                               to tenant other -- -des3
row two-key-3des      ok                                                               twokey
row pkcs1-key-file    ok                                                               indir "$T/pkcs1" des3
row thumb-lower-case  ok                                                               thumb "$lower" aes128
row wrapped-base64    ok                                                               wrapped aes128
row cap-exactly       ok                                                               big 65536
row issuer-flipped    ok                                                               flip des3 issuer
row iv-flipped        =openssl                                                         flip des3 iv
row ct-middle-flipped =openssl                                                         flip aes256 ct-middle
row other-cert        "no recipient matches certificate $tp"                           to other -- -des3
row two-others        "no recipient matches certificate $tp"                           to other other2 -- -aes128
row serial-flipped    ok                                                               flip des3 serial
row serial-flipped-2  "no recipient matches certificate $tp"                           flip two-recipients-2 serial
row ctype-flipped     'not CMS EnvelopedData (content type OID 1.2.840.113549.1.7.2)'  flip des3 ctype
row ekey-flipped      'RSA key transport failed: wrong key or damaged encrypted key'   flip des3 ekey
row ekey-flipped-oaep 'RSA key transport failed: wrong key or damaged encrypted key'   flip oaep-sha256 ekey
row last-block        'content decryption failed: bad padding (damaged ciphertext or wrong key)' lastblock aes256
row pad-byte          'content decryption failed: bad padding (damaged ciphertext or wrong key)' flip des3 ct-padbyte
row gcm               'AuthEnvelopedData (AES-GCM) is not supported'                   cms -aes-256-gcm
row rc2-oid           'unsupported content encryption algorithm OID 1.2.840.113549.3.2' rc2 des3
row des-cbc           'unsupported content encryption algorithm OID 1.3.14.3.2.7'      legacy -des
row oaep-sha384       'unsupported RSA-OAEP parameters'                                cms -aes128 -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha384
row oaep-mgf1-sha1    'unsupported RSA-OAEP parameters'                                cms -aes128 -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256 -keyopt rsa_mgf1_md:sha1
row cut-1-short       'truncated CMS structure at byte 0'                              chop des3 -1
row cut-half          'truncated CMS structure at byte 0'                              chop des3 600
row cut-in-header     'truncated CMS structure at byte 0'                              chop des3 3
row cut-1-byte        'truncated CMS structure at byte 0'                              chop des3 1
row cut-stream-eoc    'truncated CMS structure at byte'                                chop stream-des3 -1
row cut-stream-mid    'truncated CMS structure at byte'                                chop stream-des3 5000
row empty             'truncated CMS structure at byte 0'                              empty
row trailing          'trailing data after the CMS structure'                          append des3 'garbage'
row trailing-eoc      'trailing data after the CMS structure'                          append stream-des3 '\0\0'
row bad-base64-char   'not base64 at offset 10'                                        badchar des3 10
row bad-base64-cut    'not base64 (bad length or padding)'                             b64cut des3
row cap-plus-1        'protected settings larger than 65536 bytes'                     big 65537
row no-cert           "no certificate $T/empty/$tp.crt for thumbprint $tp"             indir "$T/empty" des3
row no-key            "no private key $T/crtonly/$tp.prv for thumbprint $tp"           indir "$T/crtonly" des3
row thumb-short       'is not 40 hex digits'                                           thumb "${tp%?}" des3
row crt-not-thumb     "certificate $T/swapped/$tp.crt has SHA-1 thumbprint $op, not $tp" indir "$T/swapped" des3
row key-not-cert      "private key $T/mismatch/$tp.prv does not match certificate $T/mismatch/$tp.crt" indir "$T/mismatch" des3

# What the rows claim about their blobs.
premise stream-des3   '^[0-9]+ [0-9]+ 2 inf '          5	# indefinite lengths
premise stream-des3   '^[0-9]+ 5 .* OCTET STRING'   5	# the key, the IV, 3+ content segments
premise keyid         '^[0-9]+ 5 2 20 cont \[ 0 \]' 1	# recipient by subjectKeyIdentifier
premise keyid-two     '^[0-9]+ 5 2 20 cont \[ 0 \]' 2
premise oaep-sha256   'OBJECT +:sha256'             2	# hash and MGF1 hash
premise oaep-label    'OBJECT +:pSpecified'         1
premise two-recipients '^[0-9]+ 5 2 1 INTEGER'      2	# two recipients' versions
premise smime-des3    'OBJECT +:des-ede3-cbc'       1

# No refusal shows the secret, on either stream.
leaked=$(grep -lF -- "$secret" "$B"/*.err 2>/dev/null)
check "no stderr holds the plaintext's secret" [ -z "$leaked" ]
