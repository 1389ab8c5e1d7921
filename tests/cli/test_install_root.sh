# install and its companions on image trees (--root: nothing is started): upgrade keeps the
# previous engine, --rollback switches back, status and certs check/rotate read the tree,
# client-bundle packs the installed client files, uninstall keeps certificates unless
# --purge and keeps a file the user changed, and the user's daemon.json comes back as it was.
. "$(dirname "$0")/lib.sh"
T=$T_TMP

# Two small engines: 0.0.1-test and 0.0.2-test (one program differs).
small_dockdrops 2

R=$T/root
image_root "$R"
printf '{\n  "log-level": "warn"\n}\n' >"$R/etc/docker/daemon.json"
cp "$R/etc/docker/daemon.json" "$T/daemon.json.user"
tree() { (cd "$1" && find . -printf '%p %y %m %l\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum); }
tree "$R" >"$T/before"

run "$T/dd1" install --root "$R" --tls-san vm.example --port 2377 --dry-run
tree "$R" >"$T/dry"
check "install --dry-run prints the plan and changes nothing" sh -c \
	"[ $rc -eq 0 ] && grep -q '^plan' '$T_TMP/out' && grep -q 'TLS port 2377' '$T_TMP/out' && cmp -s '$T/before' '$T/dry'"
run "$T/dd1" install --root "$R" --tls-san vm.example --port 2377 --json
check "install 0.0.1 into a tree" [ $rc -eq 0 ]
if command -v jq >/dev/null; then
	check "install --json: one JSON object with the result, engine and port" sh -c \
		"jq -e '.result == \"installed\" and .engine.version == \"0.0.1-test\" and .port == 2377 and .tcp == true' '$T_TMP/out' >/dev/null"
else
	skip "install --json: jq is not installed"
fi
if command -v jq >/dev/null; then
	Q="$T/a \"quoted\" root"
	mkdir -p "$Q/etc" && cp "$R/etc/group" "$R/etc/gshadow" "$Q/etc/"
	run "$T/dd1" install --root "$Q" --json
	check "install --json escapes a --root path with quotes (jq reads it back)" sh -c \
		"[ $rc -eq 0 ] && [ \"\$(jq -r .root '$T_TMP/out')\" = '$Q' ]"
	run "$T/dd1" status --root "$Q" --json
	check "status --json is valid JSON there too" sh -c "jq -e '.installed and (.certificates | length) == 3' '$T_TMP/out' >/dev/null"
fi
run "$T/dd1" install --root "$R" --tls-san vm.example --port 2377 --json
check "a second install --json says unchanged" sh -c "grep -q '\"result\":\"unchanged\"' '$T_TMP/out'"
check "daemon.json keeps the user's key and gains dockdrop's" sh -c \
	"grep -q '\"log-level\": \"warn\"' '$R/etc/docker/daemon.json' && grep -q 'tcp://0.0.0.0:2377' '$R/etc/docker/daemon.json'"
run "$T/dd2" install -q --root "$R" --tls-san vm.example --port 2377
check "upgrade to 0.0.2" [ $rc -eq 0 ]
check "the current engine is 0.0.2, 0.0.1 is kept" sh -c \
	"readlink '$R/opt/dockdrop/engine/current' | grep -q '^0.0.2-test-' && ls -d '$R'/opt/dockdrop/engine/0.0.1-test-* >/dev/null"
run "$T/dd2" status --root "$R" --json
check "status --json --root: engine 0.0.2, previous 0.0.1" sh -c \
	"grep -q '\"version\":\"0.0.2-test\"' '$T_TMP/out' && grep -q '\"previous\":\\[\"0.0.1-test\"\\]' '$T_TMP/out'"
run "$T/dd2" install --root "$R" --rollback
check "install --rollback: exit 0" [ $rc -eq 0 ]
check "after --rollback the current engine is 0.0.1 and 0.0.2 is kept" sh -c \
	"readlink '$R/opt/dockdrop/engine/current' | grep -q '^0.0.1-test-' && ls -d '$R'/opt/dockdrop/engine/0.0.2-test-* >/dev/null"
run "$T/dd2" install --root "$R" --rollback
check "a second --rollback goes forward to 0.0.2 again" sh -c \
	"[ $rc -eq 0 ] && readlink '$R/opt/dockdrop/engine/current' | grep -q '^0.0.2-test-'"

# --- certificates ------------------------------------------------------------------------
run "$T/dd2" certs check --root "$R"
check "certs check: three certificates, none near expiry" sh -c \
	"[ $rc -eq 0 ] && [ \$(grep -c 'days left' '$T_TMP/out') = 3 ]"
check "the server certificate names vm.example" sh -c \
	"openssl x509 -in '$R/etc/docker/tls/server-cert.pem' -noout -ext subjectAltName | grep -q 'DNS:vm.example'"
old=$(sha256sum <"$R/etc/docker/tls/server-cert.pem")
run "$T/dd2" certs rotate --root "$R" --days 40
check "certs rotate: new server certificate from the same CA" sh -c \
	"[ $rc -eq 0 ] && [ \"\$(sha256sum <'$R/etc/docker/tls/server-cert.pem')\" != '$old' ] &&
	 openssl verify -x509_strict -CAfile '$R/etc/dockdrop/ca/ca.pem' '$R/etc/docker/tls/server-cert.pem' '$R/etc/dockdrop/client/cert.pem' >/dev/null"
run env DOCKDROP_TEST_NOW=$(($(date +%s) + 20 * 86400)) $DD_EMU "$T/dd2" certs check --root "$R"
check "certs check warns and exits 1 when a certificate has under 30 days" sh -c \
	"[ $rc -eq 1 ] && grep -q WARNING '$T_TMP/out'"
old=$(sha256sum <"$R/etc/docker/tls/server-cert.pem")
run "$T/dd2" install -q --root "$R" --tls-san vm.example --port 2377
check "a re-install keeps a server certificate with 40 days left" sh -c \
	"[ $rc -eq 0 ] && [ \"\$(sha256sum <'$R/etc/docker/tls/server-cert.pem')\" = '$old' ]"
run env DOCKDROP_TEST_NOW=$(($(date +%s) + 15 * 86400)) $DD_EMU "$T/dd2" install -q --root "$R" --tls-san vm.example --port 2377
check "a re-install 15 days later (25 left, under 30) issues a new one" sh -c \
	"[ $rc -eq 0 ] && [ \"\$(sha256sum <'$R/etc/docker/tls/server-cert.pem')\" != '$old' ]"

# --- client bundle -----------------------------------------------------------------------
run "$T/dd2" client-bundle --root "$R" -o "$T/client.tgz"
check "client-bundle: exit 0, mode 0600" sh -c "[ $rc -eq 0 ] && [ \$(stat -c %a '$T/client.tgz') = 600 ]"
check "client-bundle uses the installed name and port (tcp://vm.example:2377)" sh -c \
	"tar -xzOf '$T/client.tgz' --wildcards '*/docker.env' | grep -q 'DOCKER_HOST=tcp://vm.example:2377'"

# --- uninstall ---------------------------------------------------------------------------
echo '# changed by the user' >>"$R/etc/systemd/system/docker.service"
run "$T/dd2" uninstall --root "$R"
check "uninstall: exit 0, warns about the changed unit" sh -c "[ $rc -eq 0 ] && grep -q 'docker.service kept' '$T_TMP/err'"
check "uninstall keeps the changed unit, the certificates and the CA" sh -c \
	"[ -f '$R/etc/systemd/system/docker.service' ] && [ -f '$R/etc/dockdrop/ca/ca-key.pem' ] && [ -f '$R/etc/docker/tls/server-key.pem' ]"
check "uninstall removes both engines and the links" sh -c \
	"[ ! -e '$R/opt/dockdrop' ] && [ ! -e '$R/usr/local/bin/dockerd' ] && [ ! -L '$R/usr/local/bin/dockerd' ]"
check "uninstall puts the user's daemon.json back byte for byte" cmp -s "$R/etc/docker/daemon.json" "$T/daemon.json.user"
cp "$R/etc/systemd/system/docker.service" "$T/docker.service.user"
run "$T/dd2" install -q --root "$R" --tls-san vm.example --port 2377
grep -v '^dockdrop: warning: ' "$T_TMP/err" >"$T/errs"
check "a re-install refuses the changed unit uninstall kept (it is the user's now): exit 2, one line" sh -c \
	"[ $rc -eq 2 ] && [ \$(wc -l <'$T/errs') = 1 ] && grep -q '/etc/systemd/system/docker.service exists and is not dockdrop' '$T/errs'"
run "$T/dd2" install -q --root "$R" --tls-san vm.example --port 2377 --force
check "a re-install with --force keeps the changed unit aside, in /var/lib/dockdrop/backup" \
	cmp -s "$R/var/lib/dockdrop/backup/etc/systemd/system/docker.service" "$T/docker.service.user"
check "a re-install reuses the kept CA" sh -c \
	"[ $rc -eq 0 ] && openssl verify -CAfile '$R/etc/dockdrop/ca/ca.pem' '$R/etc/docker/tls/server-cert.pem' >/dev/null"
run "$T/dd2" uninstall --root "$R" --purge
check "uninstall --purge after a re-install: exit 0, CA and keys gone" sh -c \
	"[ $rc -eq 0 ] && [ ! -e '$R/etc/dockdrop' ] && [ ! -e '$R/etc/docker/tls' ]"
check "uninstall --purge puts the user's unit back and the backup directory goes" sh -c \
	"cmp -s '$R/etc/systemd/system/docker.service' '$T/docker.service.user' && [ ! -e '$R/var/lib/dockdrop' ]"

# A whole life in a fresh tree: install, upgrade, rollback, uninstall --purge, and the tree
# is exactly as before (a debootstrap tree has /etc/.pwd.lock already).
P=$T/p
mkdir -p "$P/etc" "$P/lib/systemd" "$P/sbin" && ln -s /lib/systemd/systemd "$P/sbin/init"
printf 'root:x:0:\nusers:x:100:\n' >"$P/etc/group" && printf 'root:*::\nusers:*::\n' >"$P/etc/gshadow"
: >"$P/etc/.pwd.lock" && chmod 0600 "$P/etc/.pwd.lock"
tree "$P" >"$T/before"
$DD_EMU "$T/dd1" install -q --root "$P" 2>/dev/null && $DD_EMU "$T/dd2" install -q --root "$P" 2>/dev/null &&
	$DD_EMU "$T/dd2" install -q --root "$P" --rollback 2>/dev/null
run "$T/dd2" install -q --root "$P" --init sysv
check "install --init sysv after systemd: sysv scripts in, systemd units and links out" sh -c \
	"[ $rc -eq 0 ] && [ -x '$P/etc/init.d/docker' ] && [ ! -e '$P/etc/systemd/system/docker.service' ] &&
	 [ ! -L '$P/etc/systemd/system/multi-user.target.wants/docker.service' ] && ls '$P'/etc/rc2.d/S*docker >/dev/null"
run "$T/dd2" uninstall --root "$P" --purge
check "uninstall --purge after install, upgrade, rollback and an init switch: exit 0" [ $rc -eq 0 ]
tree "$P" >"$T/after"
if cmp -s "$T/before" "$T/after"; then ok "after uninstall --purge the tree is exactly as before (group files too)"; else
	notok "the tree differs after uninstall --purge: $(diff "$T/before" "$T/after" | grep '^[<>]' | head -n 6 | tr '\n' '|')"
fi
run "$T/dd2" uninstall --root "$P"
check "uninstall with nothing installed: exit 1, one line" sh -c "[ $rc -eq 1 ] && [ \$(wc -l <'$T_TMP/err') = 1 ]"
