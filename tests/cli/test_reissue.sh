# Re-issue of the installed certificates decided from the identity asked for (issue 11.2),
# on an image tree (--root: the names are the fixed ones plus --tls-san, no daemon): the
# same options keep both pairs byte for byte and say nothing; a --tls-san taken off is
# taken off the certificate, one added is added, the key type and the validity renew a
# pair, a key that is not the certificate's too; each time one plain line says why, and
# --json output stays JSON.
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$T_TMP

small_dockdrops 1
mv "$T/dd1" "$T/dd"
R=$T/root
mkdir -p "$R/etc"
printf 'root:x:0:\n' >"$R/etc/group"
printf 'root:*::\n' >"$R/etc/gshadow"
S=$R/etc/docker/tls/server-cert.pem
K=$R/etc/dockdrop/client/cert.pem
sans() { openssl x509 -in "$S" -noout -ext subjectAltName | tail -n 1 | tr -d ' '; }
stamp() { stat -c '%i %Y %Z' "$S" "$R/etc/docker/tls/server-key.pem" "$K"; }
reason() { grep 're-issued' "$T_TMP/out" | tr '\n' '|'; }
command -v openssl >/dev/null || { skip "certificate re-issue: openssl is not installed"; exit 0; }

run "$T/dd" install --root "$R" --tls-san a.example --tls-san b.example
check "install with --tls-san a.example b.example" sh -c "[ $rc -eq 0 ] && ! grep -q re-issued '$T_TMP/out'"
check "the server certificate names exactly localhost 127.0.0.1 ::1 a.example b.example" \
	[ "$(sans)" = "DNS:localhost,IPAddress:127.0.0.1,IPAddress:0:0:0:0:0:0:0:1,DNS:a.example,DNS:b.example" ]
before=$(stamp)
sleep 1.1
run "$T/dd" install --root "$R" --tls-san b.example --tls-san A.example
check "the same names again (other order and case): both pairs kept (inode, mtime, ctime), no reason printed" sh -c \
	"[ $rc -eq 0 ] && [ '$(stamp)' = '$before' ] && ! grep -q re-issued '$T_TMP/out'"

run "$T/dd" install --root "$R" --tls-san a.example
check "--tls-san b.example taken off: re-issued, and says so in one line" sh -c \
	"[ $rc -eq 0 ] && [ \"\$(grep -c re-issued '$T_TMP/out')\" = 1 ] &&
	 grep -qx 'server certificate re-issued: name b.example removed' '$T_TMP/out'"
check "b.example is gone from the certificate, a.example stays" sh -c \
	"echo '$(sans)' | grep -q DNS:a.example && ! echo '$(sans)' | grep -q b.example"
check "the client pair was kept" [ "$(stat -c '%i %Y' "$K")" = "$(echo "$before" | sed -n 3p | cut -d' ' -f1-2)" ]

run "$T/dd" install --root "$R" --tls-san a.example --tls-san 10.0.0.5 --tls-san c.example
check "two names added: one line names both" sh -c \
	"[ $rc -eq 0 ] && grep -qx 'server certificate re-issued: name 10.0.0.5 added, name c.example added' '$T_TMP/out'"
run "$T/dd" install --root "$R" --tls-san c.example --tls-san 10.0.0.6
check "one added and two removed" sh -c \
	"[ $rc -eq 0 ] && grep -qx 'server certificate re-issued: name 10.0.0.6 added, name a.example removed, name 10.0.0.5 removed' '$T_TMP/out'"

NOW=$(($(date +%s) + 805 * 86400))
run env DOCKDROP_TEST_NOW=$NOW $DD_EMU "$T/dd" install --root "$R" --tls-san c.example --tls-san 10.0.0.6
check "805 days on: both pairs re-issued, each saying it expires in 19 (or 20) days" sh -c \
	"[ $rc -eq 0 ] && grep -qx 'server certificate re-issued: expires in \(19\|20\) days' '$T_TMP/out' &&
	 grep -qx 'client certificate re-issued: expires in \(19\|20\) days' '$T_TMP/out'"

run "$T/dd" install --root "$R" --tls-san c.example --tls-san 10.0.0.6 --key-type ecdsa-p384
check "another key type: both pairs re-issued, and say why" sh -c \
	"[ $rc -eq 0 ] && grep -qx 'server certificate re-issued: key type ecdsa-p384 asked for, it has ecdsa-p256' '$T_TMP/out' &&
	 openssl x509 -in '$S' -noout -text | grep -q 'NIST CURVE: P-384'"

cp "$R/etc/dockdrop/client/key.pem" "$R/etc/docker/tls/server-key.pem"
run "$T/dd" install --root "$R" --tls-san c.example --tls-san 10.0.0.6 --key-type ecdsa-p384
check "a server key that is not the certificate's: re-issued, and says so" sh -c \
	"[ $rc -eq 0 ] && grep -qx 'server certificate re-issued: the key does not match' '$T_TMP/out' &&
	 openssl verify -x509_strict -CAfile '$R/etc/dockdrop/ca/ca.pem' '$S' >/dev/null"

run "$T/dd" install --root "$R" --tls-san c.example --key-type ecdsa-p384 --json
if command -v jq >/dev/null; then
	check "--json: a re-issue prints no line beside the JSON object" sh -c \
		"[ $rc -eq 0 ] && jq -e '.result == \"installed\"' '$T_TMP/out' >/dev/null && ! echo '$(sans)' | grep -q 10.0.0.6"
else
	check "--json: a re-issue prints no line beside the JSON object" sh -c \
		"[ $rc -eq 0 ] && [ \"\$(lines '$T_TMP/out')\" = 1 ] && ! grep -q re-issued '$T_TMP/out'"
fi
before=$(stamp)
run "$T/dd" install --root "$R" --tls-san c.example --key-type ecdsa-p384
check "and then the same options change nothing" sh -c \
	"[ $rc -eq 0 ] && [ '$(stamp)' = '$before' ] && ! grep -q re-issued '$T_TMP/out'"
