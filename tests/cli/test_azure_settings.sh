# install --settings / --protected-settings: the retired Azure Docker extension's settings
# (AZURE.md 10) mapped onto install (AZURE.md 10.5), on image trees (--root: nothing
# starts). Each key lands where install's own option would put it; a bad setting exits 2
# with one line and changes nothing; secrets never reach the output.
. "$(dirname "$0")/lib.sh"
T=$T_TMP
small_dockdrops 1
DD=$T/dd1
digest() { (cd "$1" && find . -printf '%p %y %m %s %l\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha256sum; }
fresh() { rm -rf "$T/root" && image_root "$T/root"; }
# handler FILE PUBLIC-JSON: FILE as the Azure agent writes config/N.settings (no protected).
handler() {
	printf '{"runtimeSettings": [{"handlerSettings": {"publicSettings": %s, "protectedSettings": null, "protectedSettingsCertThumbprint": null}}]}' "$2" >"$1"
}
J=$T/root/etc/docker/daemon.json
S=$T/root/var/lib/dockdrop/state

# --- public settings, plain and in the agent's file ----------------------------------------
printf '%s' '{"docker": {"port": "4243", "options": ["-D", "--dns", "8.8.8.8", "--dns=1.1.1.1",
 "--label", "az=1", "--log-opt", "max-size=10m", "--storage-driver=vfs", "--iptables=false",
 "--max-concurrent-downloads", "5"]}, "azure-environment": "AzureCloud"}' >"$T/pub.json"
for form in plain handler; do
	fresh
	if [ $form = plain ]; then F=$T/pub.json; else F=$T/h.settings; handler "$F" "$(cat "$T/pub.json")"; fi
	run "$DD" install -q --root "$T/root" --settings "$F"
	check "$form settings: install exit 0" [ $rc -eq 0 ]
	check "$form settings: docker.port 4243 is the TLS port (daemon.json and record)" sh -c \
		"jq -e '.hosts | index(\"tcp://0.0.0.0:4243\")' '$J' >/dev/null && grep -qx 'port 4243' '$S'"
	check "$form settings: docker.options became daemon.json keys" sh -c "jq -e \
		'.debug == true and .dns == [\"8.8.8.8\",\"1.1.1.1\"] and .labels == [\"az=1\"] and .[\"log-opts\"] == {\"max-size\":\"10m\"} and .[\"storage-driver\"] == \"vfs\" and .iptables == false and .[\"max-concurrent-downloads\"] == 5 and .tlsverify == true' '$J' >/dev/null"
done
run "$DD" install -q --root "$T/root" --settings "$F"
check "the same settings again: exit 0, daemon.json unchanged" sh -c "[ $rc -eq 0 ] && jq -e '.labels == [\"az=1\"]' '$J' >/dev/null"

fresh
: >"$T/empty.settings"
run "$DD" install -q --root "$T/root" --settings "$T/empty.settings"
check "an empty settings file (the agent's 'no settings'): the defaults, port 2376" sh -c \
	"[ $rc -eq 0 ] && grep -qx 'port 2376' '$S'"
for legacy in '{"dockerport": "4244"}|4244' '{"docker": {"port": 4245}}|4245' '{"docker": null, "dockerport": 4246}|4246'; do
	fresh
	printf '%s' "${legacy%|*}" >"$T/legacy.json"
	run "$DD" install -q --root "$T/root" --settings "$T/legacy.json"
	check "port from ${legacy%|*}" sh -c "[ $rc -eq 0 ] && grep -qx 'port ${legacy#*|}' '$S'"
done
fresh
printf '{"docker": {"port": "2377", "frobnicate": 1}, "installonly": "true"}' >"$T/unknown.json"
run "$DD" install -q --root "$T/root" --settings "$T/unknown.json"
check "unknown keys: a warning line each naming it, and the install goes on" sh -c \
	"[ $rc -eq 0 ] && grep -q 'warning: settings: unknown key docker.frobnicate ignored' '$T/err' && grep -q 'unknown key installonly' '$T/err' && grep -qx 'port 2377' '$S'"

# --- refusals: exit 2, one line, nothing changed -------------------------------------------
fresh
before=$(digest "$T/root")
refuse() { # NAME TEXT-IN-LINE PUBLIC-JSON [more install args]
	_n=$1 _t=$2; printf '%s' "$3" >"$T/bad.json"; shift 3
	expect_err "refused: $_n" 2 "$_t" "$DD" install -q --root "$T/root" --settings "$T/bad.json" "$@"
	[ "$(digest "$T/root")" = "$before" ] || notok "refused: $_n: the tree changed"
}
refuse "-H is dockdrop's" "docker.options -H: dockdrop sets the daemon's listeners" '{"docker": {"options": ["-H", "tcp://0.0.0.0:2375"]}}'
refuse "--host= is dockdrop's" "dockdrop sets the daemon's listeners" '{"docker": {"options": ["--host=tcp://0.0.0.0:2375"]}}'
refuse "--tlsverify=false" "dockdrop always serves mutual TLS" '{"docker": {"options": ["--tlsverify=false"]}}'
refuse "--tlscert" "dockdrop sets the certificates" '{"docker": {"options": ["--tlscert", "/x.pem"]}}'
refuse "--config-file" "daemon.json" '{"docker": {"options": ["--config-file=/tmp/x.json"]}}'
refuse "an unknown option" "--frobnicate: not a dockerd option dockdrop can put in daemon.json" '{"docker": {"options": ["--frobnicate"]}}'
refuse "an option without its value" "needs a value" '{"docker": {"options": ["--dns"]}}'
refuse "a bool option with a bad value" "takes true or false" '{"docker": {"options": ["--debug=yes"]}}'
refuse "an int option with a bad value" "takes a whole number" '{"docker": {"options": ["--mtu=big"]}}'
refuse "a string option twice" "given twice" '{"docker": {"options": ["--log-level=info", "-l", "debug"]}}'
refuse "a log-opt without =" "takes KEY=VALUE" '{"docker": {"options": ["--log-opt", "max-size"]}}'
refuse "a bare word" "options start with -" '{"docker": {"options": ["debug"]}}'
refuse "options not an array" "docker.options: not a JSON array" '{"docker": {"options": "-D"}}'
refuse "port not a number" "docker.port: not a port number" '{"docker": {"port": "23a"}}'
refuse "port 0" "not a port number" '{"docker": {"port": 0}}'
refuse "port 70000" "not a port number" '{"dockerport": "70000"}'
refuse "port a bool" "not a port number" '{"docker": {"port": true}}'
refuse "docker not an object" "docker: not a JSON object" '{"docker": []}'
refuse "azure-environment unknown" "invalid environment name" '{"azure-environment": "Mars"}'
refuse "compose not an object" "compose: not a JSON object" '{"compose": "web"}'
refuse "compose and composeup" "given twice" '{"compose": {"a": {"image": "x"}}, "composeup": {"b": {"image": "y"}}}'
refuse "compose-environment without compose" "environment: given without compose" '{"compose-environment": {"A": "1"}}'
refuse "compose-environment bad name" "not a variable name" '{"compose-environment": {"A-B": "1"}, "compose": {"a": {"image": "x"}}}'
refuse "public settings an array" "publicSettings: not a JSON object" '[1]'
refuse "not JSON" "not JSON" '{"docker": '
refuse "two runtimeSettings" "runtimeSettings: not an array of one element" '{"runtimeSettings": [{"handlerSettings": {}}, {"handlerSettings": {}}]}'
refuse "no handlerSettings" "no handlerSettings object" '{"runtimeSettings": [{}]}'
refuse "docker.port and --port" "given as an option too" '{"docker": {"port": "4243"}}' --port 2380
refuse "docker.options and --daemon-opt" "given as an option too" '{"docker": {"options": ["-D"]}}' --daemon-opt debug=true
refuse "docker.port and --no-tcp" "--no-tcp" '{"docker": {"port": "4243"}}' --no-tcp
expect_err "refused: --settings of a missing file" 2 "No such file" "$DD" install -q --root "$T/root" --settings "$T/none.json"
expect_err "refused: --protected-settings without --settings" 2 "goes with --settings" "$DD" install -q --root "$T/root" --protected-settings "$T/pub.json"
[ "$(digest "$T/root")" = "$before" ] && ok "refusals changed nothing in the tree" || notok "refusals changed the tree"

# --- protected settings in clear (Custom Script use): certificates and a login ----------------
CA=$T/ca OTHER=$T/other
$DD_EMU "$DOCKDROP" ca init -q --dir "$CA" && $DD_EMU "$DOCKDROP" ca init -q --dir "$OTHER" &&
	$DD_EMU "$DOCKDROP" ca issue server -q --ca "$CA" --out "$T/good" --san localhost --san 127.0.0.1 &&
	$DD_EMU "$DOCKDROP" ca issue server -q --ca "$CA" --out "$T/k2" --san localhost &&
	$DD_EMU "$DOCKDROP" ca issue server -q --ca "$OTHER" --out "$T/otherca" --san localhost ||
	{ notok "certificate fixtures"; exit 1; }
openssl req -x509 -newkey rsa:1024 -nodes -days 30 -subj /CN=weak -addext subjectAltName=DNS:localhost \
	-keyout "$T/weak.key" -out "$T/weak.pem" 2>/dev/null || notok "an RSA-1024 fixture"
# an expired server certificate from the same CA (valid until a day before it was made)
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=old -keyout "$T/old.key" \
	-out "$T/old.csr" 2>/dev/null && printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$T/old.ext" &&
	openssl x509 -req -in "$T/old.csr" -CA "$CA/ca.pem" -CAkey "$CA/ca-key.pem" -CAcreateserial -days -1 \
		-extfile "$T/old.ext" -out "$T/old.pem" 2>/dev/null || notok "an expired certificate fixture"
b64() { base64 -w0 <"$1"; }
jstr() { jq -Rs . <"$1"; }	# a file as a JSON string (PEM in clear)
prot() { # FILE JSON: a protected settings file, 0600
	(umask 077 && printf '%s' "$2" >"$1")
}
prot "$T/p-good.json" "{\"certs\": {\"ca\": \"$(b64 "$T/good/ca.pem")\", \"cert\": \"$(b64 "$T/good/server-cert.pem")\", \"key\": \"$(b64 "$T/good/server-key.pem")\"}, \"login\": {\"server\": \"registry.invalid:5000\", \"username\": \"azuser\", \"password\": \"s3cret-Pa55\", \"email\": \"a@b.c\"}}"
printf '{"docker": {"port": "4243"}}' >"$T/p-pub.json"
fresh
run "$DD" install -q --root "$T/root" --settings "$T/p-pub.json" --protected-settings "$T/p-good.json"
check "protected certs (base64 of PEM) and login: exit 0" [ $rc -eq 0 ]
check "the daemon's certificate and key are the settings' (byte for byte), key 0600" sh -c \
	"cmp -s '$T/good/server-cert.pem' '$T/root/etc/docker/tls/server-cert.pem' && cmp -s '$T/good/server-key.pem' '$T/root/etc/docker/tls/server-key.pem' && cmp -s '$T/good/ca.pem' '$T/root/etc/docker/tls/ca.pem' && [ \$(stat -c %a '$T/root/etc/docker/tls/server-key.pem') = 600 ]"
check "no CA made and no client bundle: the certificates are the settings'" sh -c \
	"[ ! -e '$T/root/etc/dockdrop/ca/ca-key.pem' ] && [ ! -e '$T/root/etc/dockdrop/client/key.pem' ]"
AUTH=$(printf 'azuser:s3cret-Pa55' | base64 -w0)
check "login: root's config.json has the registry's auth (0600)" sh -c \
	"jq -e '.auths[\"registry.invalid:5000\"].auth == \"$AUTH\"' '$T/root/root/.docker/config.json' >/dev/null && [ \$(stat -c %a '$T/root/root/.docker/config.json') = 600 ]"
check "login.email is said to be unused" grep -q 'login.email is not used' "$T/out" "$T/err"
check "no secret in the output (password, key)" sh -c \
	"! grep -q 's3cret-Pa55' '$T/out' '$T/err' && ! grep -qF \"\$(sed -n 2p '$T/good/server-key.pem')\" '$T/out' '$T/err'"
run "$DD" install -q --root "$T/root" --settings "$T/p-pub.json" --protected-settings "$T/p-good.json"
check "the same protected settings again: exit 0" [ $rc -eq 0 ]
fresh
prot "$T/p-legacy.json" "{\"ca\": $(jstr "$T/good/ca.pem"), \"server-cert\": $(jstr "$T/good/server-cert.pem"), \"server-key\": $(jstr "$T/good/server-key.pem")}"
run "$DD" install -q --root "$T/root" --settings "$T/p-pub.json" --protected-settings "$T/p-legacy.json"
check "legacy top-level ca, server-cert, server-key (PEM in clear) are the daemon's certificates" sh -c \
	"[ $rc -eq 0 ] && cmp -s '$T/good/server-cert.pem' '$T/root/etc/docker/tls/server-cert.pem'"

fresh
before=$(digest "$T/root")
badprot() { # NAME TEXT JSON
	_n=$1 _t=$2; prot "$T/p-bad.json" "$3"
	expect_err "protected refused: $_n" 2 "$_t" "$DD" install -q --root "$T/root" --settings "$T/p-pub.json" --protected-settings "$T/p-bad.json"
	[ "$(digest "$T/root")" = "$before" ] || notok "protected refused: $_n: the tree changed"
}
badprot "a key that is not the certificate's" "is not the key of" "{\"certs\": {\"ca\": \"$(b64 "$T/good/ca.pem")\", \"cert\": \"$(b64 "$T/good/server-cert.pem")\", \"key\": \"$(b64 "$T/k2/server-key.pem")\"}}"
badprot "a certificate from another CA" "was not issued by" "{\"certs\": {\"ca\": \"$(b64 "$T/good/ca.pem")\", \"cert\": \"$(b64 "$T/otherca/server-cert.pem")\", \"key\": \"$(b64 "$T/otherca/server-key.pem")\"}}"
badprot "an expired certificate" "expired on" "{\"certs\": {\"ca\": \"$(b64 "$T/good/ca.pem")\", \"cert\": \"$(b64 "$T/old.pem")\", \"key\": \"$(b64 "$T/old.key")\"}}"
badprot "an RSA-1024 key" "unsupported key" "{\"certs\": {\"ca\": \"$(b64 "$T/weak.pem")\", \"cert\": \"$(b64 "$T/weak.pem")\", \"key\": \"$(b64 "$T/weak.key")\"}}"
badprot "certs without key" "needs ca, cert and key" "{\"certs\": {\"ca\": \"$(b64 "$T/good/ca.pem")\", \"cert\": \"$(b64 "$T/good/server-cert.pem")\"}}"
badprot "certs with an empty key" "needs ca, cert and key" "{\"certs\": {\"ca\": \"$(b64 "$T/good/ca.pem")\", \"cert\": \"$(b64 "$T/good/server-cert.pem")\", \"key\": \"\"}}"
badprot "a cert that is neither PEM nor base64 of PEM" "neither PEM nor base64 of PEM" "{\"certs\": {\"ca\": \"bm90IHBlbQ==\", \"cert\": \"x\", \"key\": \"y\"}}"
badprot "legacy certs, two of three" "needs all three" "{\"ca\": $(jstr "$T/good/ca.pem"), \"server-cert\": $(jstr "$T/good/server-cert.pem")}"
badprot "login without password" "login: needs username and password" '{"login": {"username": "u"}}'
badprot "protected not an object" "protected settings: not a JSON object" '"x"'
badprot "environment without compose" "given without compose" '{"environment": {"SECRET": "v"}}'
chmod 644 "$T/p-good.json"
expect_err "protected refused: a file others can read" 2 "group or others can read it" \
	$DD_EMU "$DD" install -q --root "$T/root" --settings "$T/p-pub.json" --protected-settings "$T/p-good.json"
ln -s "$T/p-good.json" "$T/p-link.json"
expect_err "protected refused: a symbolic link" 2 "is a symbolic link" \
	$DD_EMU "$DD" install -q --root "$T/root" --settings "$T/p-pub.json" --protected-settings "$T/p-link.json"
[ "$(digest "$T/root")" = "$before" ] && ok "protected refusals changed nothing" || notok "protected refusals changed the tree"
check "no secret in any refusal's output" sh -c "! grep -rq 's3cret-Pa55' '$T/out' '$T/err'"

# --- protected settings that should be encrypted and are not usable --------------------------
fresh
printf '{"runtimeSettings": [{"handlerSettings": {"publicSettings": {}, "protectedSettings": "MIIB", "protectedSettingsCertThumbprint": null}}]}' >"$T/nothumb.settings"
expect_err "encrypted protected settings without a thumbprint: exit 3" 3 "without a certificate thumbprint" \
	$DD_EMU "$DD" install -q --root "$T/root" --settings "$T/nothumb.settings"

# --- protected settings encrypted to the tenant certificate, as the agent hands them over ----
# The agent's layout: LIB/THUMB.crt and .prv, settings in LIB/NAME-VERSION/config/N.settings
# (the tenant certificates are two levels above the settings' folder).
L=$T/waagent C=$T/waagent/Example.DockDrop-1.0.0/config
mkdir -p "$C"
tenant() { # NAME: a self-signed RSA-2048 tenant certificate; prints its thumbprint
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/DC=Fake Tenant $1" \
		-keyout "$T/$1.key" -out "$T/$1.crt" 2>/dev/null &&
		openssl x509 -in "$T/$1.crt" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g'
}
tp=$(tenant t1) && op=$(tenant t2) || { notok "tenant certificates"; exit 1; }
cp "$T/t1.crt" "$L/$tp.crt" && (umask 077 && { printf 'Bag Attributes\n    localKeyID: 01 00 00 00\nKey Attributes\n    X509v3 Key Usage: 10\n'; cat "$T/t1.key"; } >"$L/$tp.prv")
encrypted() { # N CERT THUMB [openssl cms options]: config/N.settings, protected = $T/p-good.json
	_n=$1 _c=$2 _t=$3; shift 3
	_blob=$(openssl cms -encrypt -binary -outform DER -in "$T/p-good.json" -recip "$_c" "$@" | base64 -w0) &&
		printf '{"runtimeSettings":[{"handlerSettings":{"publicSettings":{"docker":{"port":"4243"}},"protectedSettings":"%s","protectedSettingsCertThumbprint":"%s"}}]}' \
			"$_blob" "$_t" >"$C/$_n.settings"
}
chmod 600 "$T/p-good.json"
fresh
encrypted 0 "$T/t1.crt" "$tp" -des3 && run "$DD" install -q --root "$T/root" --settings "$C/0.settings"
check "encrypted protected settings (3DES, PKCS#1 v1.5): exit 0, the certificates are the blob's" sh -c \
	"[ $rc -eq 0 ] && cmp -s '$T/good/server-key.pem' '$T/root/etc/docker/tls/server-key.pem' && grep -qx 'port 4243' '$S'"
fresh
encrypted 1 "$T/t1.crt" "$tp" -aes256 -keyopt rsa_padding_mode:oaep && run "$DD" install -q --root "$T/root" --settings "$C/1.settings"
check "encrypted protected settings (AES-256, RSA-OAEP): exit 0, the login is the blob's" sh -c \
	"[ $rc -eq 0 ] && jq -e '.auths[\"registry.invalid:5000\"].auth == \"$AUTH\"' '$T/root/root/.docker/config.json' >/dev/null"
check "no secret from the blob in the output" sh -c "! grep -q 's3cret-Pa55' '$T/out' '$T/err'"
fresh
before=$(digest "$T/root")
encrypted 2 "$T/t2.crt" "$tp" -des3
expect_err "a blob for another certificate: exit 3" 3 "protected settings: no recipient matches certificate $tp" \
	$DD_EMU "$DD" install -q --root "$T/root" --settings "$C/2.settings"
encrypted 3 "$T/t1.crt" "$tp" -aes128 && sed -i 's/"protectedSettings":"\(.\{200\}\)[^"]*"/"protectedSettings":"\1"/' "$C/3.settings"
expect_err "a cut blob: exit 3" 3 "protected settings: truncated CMS structure" \
	$DD_EMU "$DD" install -q --root "$T/root" --settings "$C/3.settings"
encrypted 4 "$T/t2.crt" "$op" -des3
expect_err "a thumbprint without its certificate: exit 3" 3 "no certificate" \
	$DD_EMU "$DD" install -q --root "$T/root" --settings "$C/4.settings"
[ "$(digest "$T/root")" = "$before" ] && ok "blobs that do not decrypt changed nothing" || notok "a refused blob changed the tree"
(umask 077 && printf '["not an object"]' >"$T/p-arr.json")
openssl cms -encrypt -binary -outform DER -des3 -in "$T/p-arr.json" "$T/t1.crt" | base64 -w0 >"$T/arr.b64"
printf '{"runtimeSettings":[{"handlerSettings":{"publicSettings":null,"protectedSettings":"%s","protectedSettingsCertThumbprint":"%s"}}]}' \
	"$(cat "$T/arr.b64")" "$tp" >"$C/5.settings"
expect_err "a blob whose clear text is not a JSON object: exit 2" 2 "protected settings: not a JSON object" \
	$DD_EMU "$DD" install -q --root "$T/root" --settings "$C/5.settings"
