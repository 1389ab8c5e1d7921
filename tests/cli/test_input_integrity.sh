# Input validation and integrity (issue 11, point 4), on image trees (--root: nothing is
# started):
# - bad input is refused before the first change with exit 2 and one line, and no file is
#   rewritten, not even with the same bytes (inodes, mtimes, ctimes compared): wildcard
#   and oversized server names, control characters, a malformed /etc/group, NUL bytes in
#   daemon.json, /etc/group and --certs PEM files; `ca init --name` is UTF-8 without
#   controls; verify/list/extract/bundle on a fifo or device return at once;
# - values at their limits are recorded and read back (a re-run says "unchanged");
# - an engine without regular dockerd/containerd/runc/docker is refused by bundle (2) and
#   by install (3, nothing changed); engine files never keep group or world write bits;
# - daemon.json and its saved original keep mode and owner, and uninstall restores them;
# - a key and its certificate are replaced as a pair: a kill between the two renames is
#   reported by certs check, status and client-bundle and mended by the next install;
# - a damaged stub or payload is refused even over an installed engine, a changed engine
#   file is reported by status (exit 1) and put back by install.
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$T_TMP
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
RAW=$BUILD/host/tools/rawbundle

E=$(sh "$TOP/tests/fixtures/mkengine-small.sh" "$T/e") || { notok "small engine"; exit 1; }
bundle() { # ENGINE OUT [VERSION]
	run "$DOCKDROP" bundle -q --engine "$1" --sha256 "$(sha "$1")" --engine-version "${3:-0.0.1-test}" -o "$2"
}
bundle "$E" "$T/dd" && [ $rc -eq 0 ] || { notok "bundle the small engine: $(cat "$T_TMP/err")"; exit 1; }
DD=$T/dd

# content: what a rollback restores (paths, types, modes, links, digests).
content() {
	(cd "$1" && find . -printf '%p %y %m %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}
# refused NAME RC TEXT DIR CMD...: CMD exits RC with one error line holding TEXT (preflight's
# warnings about the test trees aside), nothing on stdout, and DIR exactly as before.
# With SNAP=content, DIR's contents as before (a rollback restores contents, not inodes).
refused() {
	_n=$1 _rc=$2 _t=$3 _d=$4; shift 4
	${SNAP:-exact_tree} "$_d" >"$T/x.before"
	emu "$@" >"$T/x.out" 2>"$T/x.err"
	rc=$?
	${SNAP:-exact_tree} "$_d" >"$T/x.after"
	grep -v '^dockdrop: warning: ' "$T/x.err" >"$T/x.errs"
	if [ $rc -eq "$_rc" ] && [ ! -s "$T/x.out" ] && [ "$(lines "$T/x.errs")" = 1 ] &&
		grep -q '^dockdrop: ' "$T/x.errs" && grep -q -- "$_t" "$T/x.errs" && cmp -s "$T/x.before" "$T/x.after"; then
		ok "$_n"
	else
		notok "$_n: exit $rc (want $_rc): $(head -c 300 "$T/x.errs" | tr '\n' '|') $(diff "$T/x.before" "$T/x.after" | grep '^[<>]' | head -3 | tr '\n' '|')"
	fi
}
pubkey_cert() { openssl x509 -in "$1" -noout -pubkey 2>/dev/null; }
pubkey_key() { openssl pkey -in "$1" -pubout 2>/dev/null; }
pair_ok() { [ -n "$(pubkey_cert "$1")" ] && [ "$(pubkey_cert "$1")" = "$(pubkey_key "$2")" ]; }

# --- bad input: exit 2, one line, no file rewritten ------------------------------------------
R=$T/r
image_root "$R"
CA=$T/ca
$DD_EMU "$DOCKDROP" ca init -q --dir "$CA" && $DD_EMU "$DOCKDROP" ca issue server -q --ca "$CA" --out "$T/good" --san localhost ||
	{ notok "certificate fixtures"; exit 1; }
mkdir -p "$T/with space" "$T/nul"
cp "$T/good/"*.pem "$T/with space/" && cp "$T/good/"*.pem "$T/nul/"
printf '\000trailing' >>"$T/nul/server-cert.pem"
L253=$(printf 'a%.0s' $(seq 63)).$(printf 'b%.0s' $(seq 63)).$(printf 'c%.0s' $(seq 63)).$(printf 'd%.0s' $(seq 61))
big_sans=
for i in 1 2 3 4 5 6 7 8 9; do big_sans="$big_sans --tls-san $i$(echo "$L253" | cut -c2-)"; done
long_opt="labels=[\"$(printf 'x%.0s' $(seq 600))\"]"

bad_input() { # the same refusals on a fresh and on an installed tree
	refused "$1: wildcard --tls-san" 2 "wildcards are not issued" "$R" "$DD" install --root "$R" --tls-san '*.example.com'
	# shellcheck disable=SC2086
	refused "$1: names beyond one certificate" 2 "names take .* more than the 2048 one certificate holds" "$R" \
		$DD_EMU "$DD" install --root "$R" $big_sans
	refused "$1: a tab in --tls-san" 2 "control character" "$R" "$DD" install --root "$R" --tls-san "$(printf 'a\tb')"
	refused "$1: pretty JSON (a newline) in --daemon-opt" 2 "control character" "$R" \
		$DD_EMU "$DD" install --root "$R" --daemon-opt "$(printf 'debug=\n true')"
	refused "$1: a --daemon-opt longer than the record holds" 2 "at most 511 bytes" "$R" "$DD" install --root "$R" --daemon-opt "$long_opt"
	refused "$1: --certs in a path with a space" 2 "without spaces" "$R" "$DD" install --root "$R" --certs "$T/with space"
	refused "$1: --certs PEM with a NUL byte" 2 "NUL byte" "$R" "$DD" install --root "$R" --certs "$T/nul"
	cp "$R/etc/group" "$T/group.keep"
	for g in 'a line that is no entry|root:x:0:\nbroken\n' 'a non-numeric gid|root:x:0:\nfoo:x:abc:\n' \
		'five fields|root:x:0:\nfoo:x:1:2:3\n' 'docker twice|root:x:0:\ndocker:x:998:\ndocker:x:999:\n' \
		'gid 4294967295|root:x:0:\ndocker:x:4294967295:\n' 'a NUL byte|root:x:0:\n\000docker:x:9:\n'; do
		printf "${g#*|}" >"$R/etc/group"
		refused "$1: /etc/group with ${g%%|*}" 2 "/etc/group" "$R" "$DD" install --root "$R"
	done
	cp "$T/group.keep" "$R/etc/group"
	cp "$R/etc/docker/daemon.json" "$T/dj.keep" 2>/dev/null || : >"$T/dj.keep.none"
	printf '{"debug": true}\000\n' >"$R/etc/docker/daemon.json"
	refused "$1: daemon.json with a NUL byte" 2 "daemon.json" "$R" "$DD" install --root "$R"
	printf '{"debug": "a\000b"}\n' >"$R/etc/docker/daemon.json"
	refused "$1: daemon.json with a NUL byte in a string" 2 "daemon.json" "$R" "$DD" install --root "$R"
	if [ -f "$T/dj.keep.none" ]; then rm -f "$R/etc/docker/daemon.json" "$T/dj.keep.none"; else cp "$T/dj.keep" "$R/etc/docker/daemon.json"; fi
}
bad_input "fresh tree"
run "$DD" install -q --root "$R" --tls-san vm.example
[ $rc -eq 0 ] || notok "install into the tree: $(cat "$T_TMP/err")"
bad_input "installed tree"

# ca init --name: UTF-8 without control characters, 1 to 64 characters.
W64=$(printf '\303\251%.0s' $(seq 64))
mkdir "$T/cas"
for n in "cut UTF-8|$(printf 'caf\303(')" "a C1 control|$(printf 'a\302\205b')" "65 characters|$(printf 'a%.0s' $(seq 65))" \
	"an overlong form|$(printf '\300\257')"; do
	refused "ca init --name refuses ${n%%|*}" 2 "UTF-8" "$T/cas" "$DOCKDROP" ca init --dir "$T/cas/ca-bad" --name "${n#*|}"
done
run "$DOCKDROP" ca init --dir "$T/ca-utf8" --name "$W64"
check "ca init --name takes 64 characters of UTF-8 (openssl reads them back)" sh -c \
	"[ $rc -eq 0 ] && openssl x509 -in '$T/ca-utf8/ca.pem' -noout -subject -nameopt utf8,sep_multiline | grep -qF '$W64'"

# verify, list, extract and bundle on a fifo without a writer, or a device: exit 2 at once.
mkfifo "$T/fifo"
for c in "verify -f $T/fifo" "list -f $T/fifo" "extract -f $T/fifo $T/xf" "bundle --engine $T/fifo --sha256 $(sha "$E") -o $T/xb" \
	"verify -f /dev/null" "list -f /dev/zero"; do
	# shellcheck disable=SC2086
	run timeout 5 $DD_EMU "$DOCKDROP" $c
	if [ $rc -eq 2 ] && [ "$(lines "$T_TMP/err")" = 1 ] && grep -q '^dockdrop: ' "$T_TMP/err"; then
		ok "$c: exit 2 at once, one line"
	else notok "$c: exit $rc (124: it waited), $(head -c 200 "$T_TMP/err")"; fi
done
check "nothing written by the fifo refusals" [ ! -e "$T/xf" ] && [ ! -e "$T/xb" ]

# --- values at their limits read back ----------------------------------------------------------
V=$T/v
image_root "$V"
printf 'root:x:0:\ndocker:x:4294967294:\n' >"$V/etc/group"
opt511="labels=[\"$(printf '\303\251%.0s' $(seq 245))\"]"
run "$DD" install -q --root "$V" --tls-san "$L253" --tls-san 10.1.2.3 --daemon-opt "$opt511" --json
check "install takes a 253-character name, a 511-byte --daemon-opt and gid 4294967294 ($(printf '%s' "$opt511" | wc -c) bytes)" \
	sh -c "[ $rc -eq 0 ] && grep -q '^group docker 4294967294 existing$' '$V/var/lib/dockdrop/state' &&
	grep -qF 'daemon-opt $opt511' '$V/var/lib/dockdrop/state'"
run "$DD" install --root "$V" --tls-san "$L253" --tls-san 10.1.2.3 --daemon-opt "$opt511" --json
check "the record reads back: a re-run with the same values is unchanged" grep -q '"result":"unchanged"' "$T_TMP/out"
run "$DD" status --root "$V"
check "status reads the record (exit 0)" [ $rc -eq 0 ]
V2=$T/v2
image_root "$V2"
(cd "$T" && $DD_EMU "$DD" install -q --root "$V2" --certs good 2>/dev/null) && grep -q "^certs $T/good\$" "$V2/var/lib/dockdrop/state"
check "a relative --certs is recorded as its absolute path" [ $? -eq 0 ]
run "$DD" install --root "$V2" --certs "$T/good" --json
check "... and a re-run naming it absolutely is unchanged" grep -q '"result":"unchanged"' "$T_TMP/out"

# --- the engine's layout -----------------------------------------------------------------------
S=$T/stage
mkdir -p "$S" && tar -xzf "$E" -C "$S"
mk() { # NAME: a tarball of $S's docker/ as it is now
	tar --owner=0 --group=0 --numeric-owner -czf "$T/$1.tgz" -C "$S" docker
}
rm "$S/docker/runc" && ln -s docker-init "$S/docker/runc" && mk runc-symlink
rm "$S/docker/runc" && mkdir "$S/docker/runc" && mk runc-dir
rmdir "$S/docker/runc" && mk runc-missing
cp "$S/docker/docker-init" "$S/docker/runc" && mk good
cp "$S/docker/ctr" "$S/docker/my tool" && mk spaced-name
rm "$S/docker/my tool"
# docker/runc as a file, then replaced by a later entry "docker//runc" that is a symlink.
mkdir -p "$T/later/docker" && ln -s docker-init "$T/later/docker/runc"
tar --owner=0 --group=0 --numeric-owner -cf "$T/later.tar" -C "$S" docker &&
	tar --owner=0 --group=0 --numeric-owner -rf "$T/later.tar" -C "$T/later" --transform 's,^docker/runc$,docker//runc,' docker/runc &&
	gzip -c "$T/later.tar" >"$T/runc-replaced.tgz"
for t in runc-symlink runc-dir runc-missing runc-replaced spaced-name; do
	refused "bundle refuses an engine with $t" 2 "" "$T/e" "$DOCKDROP" bundle --engine "$T/$t.tgz" --sha256 "$(sha "$T/$t.tgz")" \
		--engine-version 9.9.9 -o "$T/b-$t"
	[ ! -e "$T/b-$t" ] || notok "bundle $t: wrote $T/b-$t"
done
if [ -x "$RAW" ]; then
	$DD_EMU "$RAW" "$DOCKDROP" "$T/good.tgz" 0.0.9-raw "$DD_ARCH" "$T/raw-good" &&
		$DD_EMU "$RAW" "$DOCKDROP" "$T/runc-symlink.tgz" 0.0.9-raw "$DD_ARCH" "$T/raw-symlink" &&
		$DD_EMU "$RAW" "$DOCKDROP" "$T/runc-replaced.tgz" 0.0.9-raw "$DD_ARCH" "$T/raw-replaced"
	W=$T/w
	image_root "$W"
	for b in raw-symlink raw-replaced; do
		SNAP=content
		refused "install refuses a payload whose engine has no regular runc ($b): exit 3, nothing changed" \
			3 "no regular file docker/runc" "$W" "$T/$b" install --root "$W"
		SNAP=
	done
	run "$T/raw-good" install -q --root "$W"
	check "the same tool's payload with a good engine installs (the tool is sound)" [ $rc -eq 0 ]
else
	skip "install refuses an engine without a regular runc (no $RAW: make test-build)"
fi

# --- engine files never keep group or world write bits ------------------------------------------
chmod 0777 "$S/docker/ctr" && chmod 0775 "$S/docker/runc" && chmod 0777 "$S/docker" && mk open-modes
bundle "$T/open-modes.tgz" "$T/dd-open" 0.0.3-test
run "$T/dd-open" extract "$T/xo"
check "extract: no group or world write bit on any engine file" sh -c \
	"[ $rc -eq 0 ] && [ -z \"\$(find '$T/xo' -perm /022)\" ] && [ \$(stat -c %a '$T/xo/docker/ctr') = 755 ]"
O=$T/om
image_root "$O"
run "$T/dd-open" install -q --root "$O"
check "install: no group or world write bit under the engine directory" sh -c \
	"[ $rc -eq 0 ] && [ -z \"\$(find '$O/opt/dockdrop/engine/' -perm /022 ! -type l)\" ]"

# --- daemon.json keeps its mode and owner, and so does the saved original -------------------------
if [ "$(id -u)" = 0 ]; then
	J=$T/j
	image_root "$J"
	printf '{\n  "log-level": "warn"\n}\n' >"$J/etc/docker/daemon.json"
	chown 1234:5678 "$J/etc/docker/daemon.json" && chmod 0600 "$J/etc/docker/daemon.json"
	cp -p "$J/etc/docker/daemon.json" "$T/dj.orig"
	meta() { stat -c '%a %u:%g' "$1"; }
	run "$DD" install -q --root "$J"
	check "install keeps daemon.json's mode and owner (0600 1234:5678)" sh -c \
		"[ $rc -eq 0 ] && [ '$(printf '600 1234:5678')' = \"\$(stat -c '%a %u:%g' '$J/etc/docker/daemon.json')\" ]"
	check "the saved original has them too" sh -c \
		"[ '600 1234:5678' = \"\$(stat -c '%a %u:%g' '$J/var/lib/dockdrop/daemon.json.orig')\" ] && cmp -s '$J/var/lib/dockdrop/daemon.json.orig' '$T/dj.orig'"
	run "$DD" uninstall --root "$J"
	check "uninstall restores daemon.json: bytes, mode and owner" sh -c \
		"[ $rc -eq 0 ] && cmp -s '$J/etc/docker/daemon.json' '$T/dj.orig' && [ '600 1234:5678' = \"\$(stat -c '%a %u:%g' '$J/etc/docker/daemon.json')\" ]"
	run "$DD" install -q --root "$J"
	sed -i 's/"log-level": "warn"/"log-level": "info"/' "$J/etc/docker/daemon.json"
	run "$DD" uninstall --root "$J"
	check "uninstall of a daemon.json changed since: dockdrop's keys out, mode and owner kept" sh -c \
		"[ $rc -eq 0 ] && grep -q '\"info\"' '$J/etc/docker/daemon.json' && ! grep -q tlsverify '$J/etc/docker/daemon.json' &&
		 [ '600 1234:5678' = \"\$(stat -c '%a %u:%g' '$J/etc/docker/daemon.json')\" ]"
else
	skip "daemon.json mode and owner (needs root to chown)"
fi

# --- a key and its certificate change as a pair ------------------------------------------------------
# Kill install at each change point until one leaves a new key beside its old certificate
# (between the two renames); that state is reported, then mended by the next run.
found=0
n=0
while [ $n -lt 60 ] && [ $found -lt 2 ]; do
	n=$((n + 1))
	K=$T/k$n
	image_root "$K"
	$DD_EMU "$DD" install -q --root "$K" --tls-san vm.example >/dev/null 2>&1 # a first pair to replace
	DOCKDROP_TEST_NOW=$(($(date +%s) + 800 * 86400)) DOCKDROP_TEST_KILL_AT=$n $DD_EMU "$DD" install -q --root "$K" --tls-san vm.example >/dev/null 2>&1
	krc=$?
	[ $krc -eq 137 ] || { rm -rf "$K"; break; }
	bad=
	pair_ok "$K/etc/docker/tls/server-cert.pem" "$K/etc/docker/tls/server-key.pem" || bad=server
	pair_ok "$K/etc/dockdrop/client/cert.pem" "$K/etc/dockdrop/client/key.pem" || bad=client
	if [ -z "$bad" ]; then rm -rf "$K"; continue; fi
	found=$((found + 1))
	echo "# killed at point $n: the $bad key is new, its certificate old"
	run env DOCKDROP_TEST_NOW=$(($(date +%s) + 800 * 86400)) $DD_EMU "$DD" certs check --root "$K"
	check "killed between the $bad pair's renames: certs check exits 1 and says the key is not the certificate's" \
		sh -c "[ $rc -eq 1 ] && grep -q 'is not the key of' '$T_TMP/out'"
	run env DOCKDROP_TEST_NOW=$(($(date +%s) + 800 * 86400)) $DD_EMU "$DD" status --root "$K"
	check "... status exits 1 and names it" sh -c "[ $rc -eq 1 ] && grep -q 'is not the key of' '$T_TMP/err'"
	if [ "$bad" = client ]; then
		expect_err "... client-bundle refuses to pack it (exit 1, one line)" 1 "is not the key of" \
			$DD_EMU "$DD" client-bundle --root "$K" -o "$T/cb-$n.tgz"
	fi
	run env DOCKDROP_TEST_NOW=$(($(date +%s) + 800 * 86400)) $DD_EMU "$DD" install -q --root "$K" --tls-san vm.example
	check "... and the next install mends it (both pairs whole, chained to the CA)" sh -c \
		"[ $rc -eq 0 ] && openssl verify -attime $(($(date +%s) + 800 * 86400)) -CAfile '$K/etc/dockdrop/ca/ca.pem' '$K/etc/docker/tls/server-cert.pem' '$K/etc/dockdrop/client/cert.pem' >/dev/null 2>&1" &&
		pair_ok "$K/etc/docker/tls/server-cert.pem" "$K/etc/docker/tls/server-key.pem" &&
		pair_ok "$K/etc/dockdrop/client/cert.pem" "$K/etc/dockdrop/client/key.pem" || notok "... pairs after the mend"
	rm -rf "$K"
done
check "a kill between a key's and its certificate's rename was found for both pairs ($found)" [ $found -eq 2 ]
# Both or neither: a certificate that cannot be written (files over 512 bytes refused by
# ulimit -f, the key fits) leaves the old pair as it was, and no temporary behind.
$DD_EMU "$DOCKDROP" ca issue server -q --ca "$CA" --out "$T/pair" --san localhost && cp -a "$T/pair" "$T/pair.before"
SNAP=content
refused "a key and certificate pair: the certificate not written, the old pair kept (exit 1)" 1 "server-cert.pem" "$T/pair" \
	sh -c 'ulimit -f 1; trap "" XFSZ; exec $DD_EMU "$0" ca issue server --ca "$1" --out "$2" --san localhost' "$DOCKDROP" "$CA" "$T/pair"
SNAP=
check "... both files as they were" sh -c "diff -r '$T/pair' '$T/pair.before' >/dev/null"
# By hand: another key, another CA.
$DD_EMU "$DOCKDROP" ca init -q --dir "$T/ca-other" && $DD_EMU "$DOCKDROP" ca issue client -q --ca "$T/ca-other" --out "$T/other-cli" &&
	$DD_EMU "$DOCKDROP" ca issue server -q --ca "$T/ca-other" --out "$T/other-srv" --san localhost
cp "$T/other-cli/key.pem" "$R/etc/dockdrop/client/key.pem"
run "$DD" certs check --root "$R"
check "certs check: a client key.pem that is not cert.pem's: exit 1, named" sh -c "[ $rc -eq 1 ] && grep -q 'client.*is not the key of' '$T_TMP/out'"
refused "client-bundle refuses a client key that is not its certificate's" 1 "is not the key of" "$T/e" \
	$DD_EMU "$DD" client-bundle --root "$R" -o "$T/e/cb.tgz"
cp "$T/other-srv/server-cert.pem" "$T/other-srv/server-key.pem" "$R/etc/docker/tls/"
run "$DD" status --root "$R"
check "status: a server certificate from another CA: exit 1, named" sh -c "[ $rc -eq 1 ] && grep -q 'server-cert.pem was not issued by' '$T_TMP/err'"
run "$DD" install -q --root "$R" --tls-san vm.example
check "install mends both" sh -c "[ $rc -eq 0 ] && $DD_EMU '$DD' certs check --root '$R' >/dev/null"

# --- integrity: a damaged stub or payload, changed engine files ------------------------------------------
off=$(grep -abo 'Verify and unpack the embedded engine' "$DD" | head -n 1 | cut -d: -f1)
cp "$DD" "$T/dd-stub"
printf 'v' | dd of="$T/dd-stub" bs=1 seek="$off" count=1 conv=notrunc 2>/dev/null
refused "extract refuses a program whose stub differs from the manifest's digest" 3 "stub" "$T/e" "$T/dd-stub" extract "$T/e/x"
F=$T/f
image_root "$F"
refused "install refuses it on a fresh tree" 3 "stub" "$F" "$T/dd-stub" install --root "$F"
refused "install refuses it over an installed engine" 3 "stub" "$R" "$T/dd-stub" install --root "$R" --tls-san vm.example
stub=$($DD_EMU "$DD" verify | sed -n 's/.*stub .*dockdrop  \([0-9]*\) bytes.*/\1/p')
esize=$(stat -c %s "$E")
cp "$DD" "$T/dd-blob"
printf '\377' | dd of="$T/dd-blob" bs=1 seek=$((stub + esize / 2)) count=1 conv=notrunc 2>/dev/null
refused "install refuses a damaged engine blob even when its engine directory is in place" 3 "SHA-256 mismatch" "$R" \
	$DD_EMU "$T/dd-blob" install --root "$R" --tls-san vm.example
run "$DD" status --root "$R"
check "status: an intact install is healthy, engine files as unpacked" sh -c "[ $rc -eq 0 ] && grep -q '^files .*as unpacked' '$T_TMP/out'"
runc=$(ls -d "$R"/opt/dockdrop/engine/0.0.1-test-*)/docker/runc
cp "$runc" "$T/runc.orig"
printf 'x' >>"$runc"
run "$DD" status --root "$R"
check "status: an engine file changed since install: exit 1, says so" sh -c "[ $rc -eq 1 ] && grep -q '^files .*CHANGED' '$T_TMP/out'"
run "$DD" status --root "$R" --json
if command -v jq >/dev/null; then
	check "status --json: engine.files is \"changed\", healthy false" \
		sh -c "jq -e '.engine.files == \"changed\" and .healthy == false' '$T_TMP/out' >/dev/null"
fi
run "$DD" install --root "$R" --tls-san vm.example
check "install puts the engine back from the verified payload (and says so)" sh -c \
	"[ $rc -eq 0 ] && cmp -s '$runc' '$T/runc.orig' && grep -q 'unpacking it again' '$T_TMP/err'"
run "$DD" status --root "$R"
check "status afterwards: healthy again" [ $rc -eq 0 ]
chmod g+w "$runc"
run "$DD" status --root "$R"
check "status: a group write bit on an engine file counts as a change" [ $rc -eq 1 ]
run "$DD" install -q --root "$R" --tls-san vm.example
check "install puts the mode back" sh -c "[ $rc -eq 0 ] && [ \$(stat -c %a '$runc') = 755 ]"
# A previous engine whose files changed is not rolled back to.
cp "$E" "$T/e2.tgz" && mkdir -p "$T/s3" && tar -xzf "$E" -C "$T/s3" && cp /bin/ls "$T/s3/docker/docker-proxy" &&
	tar --owner=0 --group=0 --numeric-owner -czf "$T/e2.tgz" -C "$T/s3" docker
bundle "$T/e2.tgz" "$T/dd2" 0.0.2-test
run "$T/dd2" install -q --root "$R" --tls-san vm.example
printf 'x' >>"$runc"
refused "install --rollback refuses a previous engine whose files changed (exit 1, one line)" 1 "changed since" "$R" \
	$DD_EMU "$T/dd2" install --root "$R" --rollback
