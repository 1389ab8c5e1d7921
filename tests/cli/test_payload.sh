# The payload commands with a small engine (tests/fixtures/mkengine-small.sh): bundle,
# verify, list [--json] and extract, their happy paths and every refusal. Each refusal exits
# with its code, says one line on stderr starting "dockdrop: " and leaves nothing behind.
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$T_TMP

# --- helpers --------------------------------------------------------------------------------
# expect_bundle_err NAME RC TEXT ARGS...: "$DOCKDROP bundle ARGS -o $O/NEW" refused as
# expect_err says, nothing on stdout, and the output directory unchanged (no NEW, no temp).
expect_bundle_err() {
	_n=$1 _want=$2 _text=$3; shift 3
	_before=$(ls -A "$O")
	expect_err "$_n" "$_want" "$_text" "$DOCKDROP" bundle "$@" -o "$O/NEW"
	if [ -s "$T/out" ]; then notok "$_n: stdout: $(head -c 200 "$T/out")"; fi
	_after=$(ls -A "$O")
	[ "$_before" = "$_after" ] || notok "$_n: left in the output directory: $(echo "$_after" | tr '\n' ' ')"
}
size() { stat -c %s "$1"; }
# snap DIR: listing (type, mode, owner, size, mtime) and SHA-256 of every file in the tree.
snap() {
	(cd "$1" && find . -printf '%P %y %m %U:%G %s %T@ %l\n' | LC_ALL=C sort &&
		find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}
# tree DIR: the listing the brief compares with tar -xzf (no mtimes: compared apart).
tree() { (cd "$1" && find . -printf '%P %y %m %U:%G %s %l\n' | LC_ALL=C sort); }
# same_tree NAME DIR REF: DIR's listing, file contents and file mtimes equal REF's.
same_tree() {
	if [ ! -d "$2" ]; then notok "$1: $2 missing"; return; fi
	tree "$2" >"$T/tree.a"; tree "$3" >"$T/tree.b"
	if cmp -s "$T/tree.a" "$T/tree.b"; then ok "$1: listing"
	else notok "$1: listing differs: $(diff "$T/tree.b" "$T/tree.a" | grep '^[<>]' | head -5 | tr '\n' '|')"; fi
	_bad=
	for _f in $(cd "$3" && find . -type f | LC_ALL=C sort); do
		cmp -s "$2/$_f" "$3/$_f" || _bad="$_bad $_f"
	done
	if [ -z "$_bad" ] && [ -n "$(cd "$3" && find . -type f)" ]; then ok "$1: contents (cmp)"
	else notok "$1: contents differ:$_bad"; fi
	(cd "$2" && find . -type f -printf '%P %T@\n' | LC_ALL=C sort) >"$T/tree.a"
	(cd "$3" && find . -type f -printf '%P %T@\n' | LC_ALL=C sort) >"$T/tree.b"
	if cmp -s "$T/tree.a" "$T/tree.b"; then ok "$1: file mtimes"
	else notok "$1: file mtimes differ: $(diff "$T/tree.b" "$T/tree.a" | grep '^[<>]' | head -4 | tr '\n' '|')"; fi
}
# jq_check NAME FILE FILTER: the JSON in FILE is valid and FILTER is true of it.
jq_check() {
	if ! command -v jq >/dev/null 2>&1; then skip "$1 (no jq)"; return; fi
	if jq -e "$3" "$2" >/dev/null 2>&1; then ok "$1"; else notok "$1: $(head -c 400 "$2")"; fi
}

# --- fixtures -------------------------------------------------------------------------------
O=$T/o
mkdir -p "$O" "$T/in"
ENGINE=$(sh "$TOP/tests/fixtures/mkengine-small.sh" "$T/in") || ENGINE=
if [ -z "$ENGINE" ] || [ ! -s "$ENGINE" ] || [ "$ENGINE" != "$T/in/docker-0.0.1-test.tgz" ]; then
	notok "mkengine-small.sh made $T/in/docker-0.0.1-test.tgz (printed '$ENGINE')"
	exit 1
fi
ok "mkengine-small.sh prints only the tarball's path"
ESHA=$(sha "$ENGINE")
ESIZE=$(size "$ENGINE")
STUB=$(size "$DOCKDROP")
STUBSHA=$(sha "$DOCKDROP")
REF=$T/ref
mkdir "$REF" && tar -xzf "$ENGINE" -C "$REF"
# What the stub is built from (musl, BearSSL, zlib): bundle writes these part records into
# the manifest, before the first blob; list and verify print a line for each.
$DD_EMU "$DOCKDROP" version | sed -n 's/^  built from \([^ ]*\) .*/\1/p' >"$T/stubparts"
NSTUB=$(lines "$T/stubparts")

# A stage to make broken engines from: the small engine unpacked.
STAGE=$T/stage
mkdir "$STAGE" && tar -xzf "$ENGINE" -C "$STAGE"
mktgz() { # OUT [tar options and names...]: a gzip tar of $STAGE's entries
	_o=$1; shift
	tar --owner=0 --group=0 --numeric-owner -czf "$_o" -C "$STAGE" "$@"
}

# --- bundle: the happy path -----------------------------------------------------------------
B=$O/B
run "$DOCKDROP" bundle --engine "$ENGINE" --sha256 "$ESHA" -o "$B"
check "bundle exits 0" test $rc -eq 0 -a ! -s "$T/err"
[ $rc -eq 0 ] || { notok "bundle: $(cat "$T/err")"; exit 1; }
check "bundle output is mode 0755" test "$(stat -c %a "$B")" = 755
check "bundle leaves no temp file beside its output" test "$(ls -A "$O")" = B
check "bundle: the file starts with the running stub, byte for byte" cmp -s -n "$STUB" "$B" "$DOCKDROP"
tail -c +$((STUB + 1)) "$B" | head -c "$ESIZE" >"$T/blob"
check "bundle: the engine blob follows the stub unchanged" cmp -s "$T/blob" "$ENGINE"
check "bundle: 128-byte trailer at EOF starts with DOCKDROP" \
	test "$(tail -c 128 "$B" | head -c 8)" = DOCKDROP
MLEN=$(($(size "$B") - STUB - ESIZE - 128))
tail -c +$((STUB + ESIZE + 1)) "$B" | head -c "$MLEN" >"$T/manifest"
printf 'dockdrop-manifest 1\nstub %s %s\nblob engine docker 0.0.1-test %s %s %s %s\n' \
	"$STUB" "$STUBSHA" "$DD_ARCH" "$STUB" "$ESIZE" "$ESHA" >"$T/manifest.want"
if grep -v '^part ' "$T/manifest" | cmp -s - "$T/manifest.want"; then ok "bundle: manifest text after the blob"
else notok "bundle: manifest text: $(tr '\n' '|' <"$T/manifest" | head -c 400)"; fi
sed -n 's/^part \([^ ]*\) .*/\1/p' "$T/manifest" >"$T/parts"
check "bundle: the stub's parts ($(tr '\n' ' ' <"$T/stubparts")) right after the stub record" sh -c \
	"[ $NSTUB = 3 ] && cmp -s '$T/parts' '$T/stubparts' && sed -n '3,5p' '$T/manifest' | grep -c '^part ' | grep -qx 3"

# verify
run "$DOCKDROP" verify --file "$B"
check "verify --file exits 0, quiet on stderr" test $rc -eq 0 -a ! -s "$T/err"
check "verify: payload line with the file's size" grep -q '^ok    payload  .*[^0-9]'"$(size "$B")"' bytes' "$T/out"
check "verify: authenticity not established (no key compiled in)" \
	grep -q '^note  signed   authenticity not established' "$T/out"
check "verify: stub line with the stub's size and digest" \
	grep -qx "ok    stub     dockdrop  $STUB bytes  sha256:$STUBSHA" "$T/out"
check "verify: engine line (version, arch, size, sha256 of the tarball)" \
	grep -qx "ok    engine   docker 0.0.1-test $DD_ARCH  $ESIZE bytes  sha256:$ESHA" "$T/out"
check "verify: 4 lines and the stub's parts" test "$(lines "$T/out")" = $((4 + NSTUB))
check "verify: what the stub is built from, after its line" sh -c \
	"sed -n '4,$((3 + NSTUB))p' '$T/out' | sed -n 's/^  built from \\([^ ]*\\) .*/\\1/p' | cmp -s - '$T/stubparts'"
run "$DOCKDROP" verify -f "$B"
check "verify -f FILE works as --file" test $rc -eq 0
run "$B" verify
check "the bundle verifies itself (no --file)" sh -c "[ $rc -eq 0 ] && grep -q '^ok    engine   docker 0.0.1-test' '$T/out'"

# list
run "$DOCKDROP" list --file "$B"
check "list exits 0" test $rc -eq 0 -a ! -s "$T/err"
check "list: header" grep -Eq '^KIND +NAME +VERSION +ARCH +SIZE +SHA256$' "$T/out"
check "list: header, the stub and what it is built from, one row" test "$(lines "$T/out")" = $((3 + NSTUB))
check "list: stub row (size, sha256)" test "$(sed -n 2p "$T/out" | awk '{ print $1, $2, $5, $6 }')" = \
	"stub dockdrop $STUB $STUBSHA"
check "list: engine row" test "$(sed -n "$((3 + NSTUB))p" "$T/out" | awk '{ print $1, $2, $3, $4, $5, $6 }')" = \
	"engine docker 0.0.1-test $DD_ARCH $ESIZE $ESHA"
run "$DOCKDROP" list --json -f "$B"
check "list --json exits 0" test $rc -eq 0 -a ! -s "$T/err"
check "list --json: one line" test "$(lines "$T/out")" = 1
jq_check "list --json: fields, sha256 and size of the engine tarball" "$T/out" \
	".signed == false and .authenticity == \"not established\" and (.components | length) == 1 and
	 .components[0] == {kind: \"engine\", name: \"docker\", version: \"0.0.1-test\", arch: \"$DD_ARCH\",
	 size: $ESIZE, sha256: \"$ESHA\", built_from: []}"
jq_check "list --json: the stub's size, sha256 and what it is built from" "$T/out" \
	".stub.size == $STUB and .stub.sha256 == \"$STUBSHA\" and
	 ([.stub.built_from[].name] | join(\" \")) == \"$(tr '\n' ' ' <"$T/stubparts" | sed 's/ $//')\" and
	 ([.stub.built_from[] | select((.source_sha256 | length) == 64 and .version != \"\" and .debian_version != \"\" and .license != \"\")] | length) == $NSTUB"
run "$B" list
check "the bundle lists itself (no --file)" test $rc -eq 0 -a "$(lines "$T/out")" = $((3 + NSTUB))

# --- the bare stub has no payload -----------------------------------------------------------
expect_err "bare stub: verify exits 1, no payload" 1 "no payload" "$DOCKDROP" verify
expect_err "bare stub: verify --file of a bare stub exits 1" 1 "no payload" "$DOCKDROP" verify --file "$DOCKDROP"
expect_err "bare stub: list exits 1" 1 "no payload" "$DOCKDROP" list
expect_err "bare stub: list --json exits 1" 1 "no payload" "$DOCKDROP" list --json
mkdir "$T/bare"
expect_err "bare stub: extract exits 1" 1 "no payload" "$DOCKDROP" extract "$T/bare/engine"
check "bare stub: extract made nothing" test -z "$(ls -A "$T/bare")"
# A bad --file value is a usage error (exit 2), checked first.
expect_err "verify --file of a missing file exits 2" 2 "cannot open" "$DOCKDROP" verify --file "$T/nonexistent"
expect_err "verify --file of a directory exits 2" 2 "not a regular file" "$DOCKDROP" verify --file "$T"
expect_err "list --file of a missing file exits 2" 2 "cannot open" "$DOCKDROP" list --file "$T/nonexistent"
expect_err "extract --file of a missing file exits 2" 2 "cannot open" "$DOCKDROP" extract --file "$T/nonexistent" "$T/bare/engine"
check "extract --file of a missing file made nothing" test -z "$(ls -A "$T/bare")"
printf '%s\n' "this is a text file, long enough to hold an ELF header, but it is no program" >"$T/text"
expect_err "verify --file of a text file exits 3: not a dockdrop program" 3 "not a dockdrop program" "$DOCKDROP" verify --file "$T/text"
# BUG (reported): a text file shorter than an ELF header (64 bytes) is called "truncated:
# the program itself is incomplete ... copy the file again" although it does not even start
# with the ELF magic.
echo "not a program" >"$T/text"
expect_err "verify --file of a 14-byte text file: not a dockdrop program (not 'truncated')" 3 "not a dockdrop program" "$DOCKDROP" verify --file "$T/text"
expect_err "verify --file of another ELF program exits 1 (no payload)" 1 "no payload" "$DOCKDROP" verify --file /bin/true

# --- extract --------------------------------------------------------------------------------
mkdir "$T/x"
run "$DOCKDROP" extract --file "$B" "$T/x/engine"
check "extract exits 0" test $rc -eq 0 -a ! -s "$T/err"
check "extract says what it did (8 files)" grep -q "^extracted .*$T/x/engine.* 8 files" "$T/out"
same_tree "extract equals tar -xzf" "$T/x/engine" "$REF"
check "extract: the directory is mode 0755" test "$(stat -c %a "$T/x/engine")" = 755
check "extract: no staging directory left" test "$(ls -A "$T/x")" = engine
for n in docker dockerd containerd containerd-shim-runc-v2 ctr runc docker-init docker-proxy; do
	[ -f "$T/x/engine/docker/$n" ] && [ -x "$T/x/engine/docker/$n" ] || notok "extract: docker/$n missing"
done

snap "$T/x" >"$T/snap.before"
expect_err "extract into a non-empty directory exits 2" 2 "not empty" \
	$DD_EMU "$DOCKDROP" extract --file "$B" "$T/x/engine"
snap "$T/x" >"$T/snap.after"
check "extract into a non-empty directory: the directory is unchanged, no staging left" \
	cmp -s "$T/snap.before" "$T/snap.after"

mkdir -p "$T/y/engine"
run "$DOCKDROP" extract --file "$B" "$T/y/engine"
check "extract into an existing empty directory exits 0" test $rc -eq 0
same_tree "extract into an existing empty directory" "$T/y/engine" "$REF"
check "extract into an existing empty directory: no staging left" test "$(ls -A "$T/y")" = engine

expect_err "extract when the parent is missing exits 2" 2 "" \
	$DD_EMU "$DOCKDROP" extract --file "$B" "$T/nope/sub/engine"
check "extract when the parent is missing: nothing created" test ! -e "$T/nope"

mkdir "$T/f" && echo canary >"$T/f/engine"
snap "$T/f" >"$T/snap.before"
expect_err "extract onto a regular file exits 2" 2 "not a directory" \
	$DD_EMU "$DOCKDROP" extract --file "$B" "$T/f/engine"
snap "$T/f" >"$T/snap.after"
check "extract onto a regular file: it is unchanged" cmp -s "$T/snap.before" "$T/snap.after"

mkdir "$T/rel"
run sh -c "cd '$T/rel' && exec $DD_EMU '$DOCKDROP' extract --file '$B' engine"
check "extract into a relative DIR exits 0" test $rc -eq 0
same_tree "extract into a relative DIR" "$T/rel/engine" "$REF"

# Two extracts racing for one DIR: one wins, the other refuses; no staging left either way.
mkdir "$T/race"
$DD_EMU "$DOCKDROP" extract --file "$B" "$T/race/engine" >/dev/null 2>"$T/race.err1" &
pid1=$!
$DD_EMU "$DOCKDROP" extract --file "$B" "$T/race/engine" >/dev/null 2>"$T/race.err2"
rc2=$?
wait $pid1
rc1=$?
if { [ $rc1 -eq 0 ] && [ $rc2 -ne 0 ]; } || { [ $rc1 -ne 0 ] && [ $rc2 -eq 0 ]; }; then
	ok "two extracts into one DIR at once: one succeeds ($rc1/$rc2)"
else
	notok "two extracts into one DIR at once: exits $rc1 and $rc2: $(cat "$T/race.err1" "$T/race.err2" | tr '\n' '|')"
fi
check "two extracts at once: the loser said one line" test "$(cat "$T/race.err1" "$T/race.err2" | wc -l)" = 1
check "two extracts at once: no staging left" test "$(ls -A "$T/race")" = engine
same_tree "two extracts at once: the winner's tree" "$T/race/engine" "$REF"

mkdir "$T/self"
run "$B" extract "$T/self/engine"
check "the bundle extracts itself (no --file)" test $rc -eq 0
same_tree "the bundle extracts itself" "$T/self/engine" "$REF"

# --- bundling from a bundled program carries one stub ---------------------------------------
run "$B" bundle --engine "$ENGINE" --sha256 "$ESHA" -o "$O/B2"
check "bundle run by a bundled program exits 0" test $rc -eq 0
check "bundle from a bundle carries one stub: size = stub + blob + meta, not double" \
	test "$(size "$O/B2")" = "$(size "$B")"
check "bundle from a bundle: byte-identical to the bundle made by the bare stub" cmp -s "$O/B2" "$B"
run "$DOCKDROP" verify --file "$O/B2"
check "bundle from a bundle: verify reports the bare stub's size" \
	sh -c "[ $rc -eq 0 ] && grep -q '^ok    stub     dockdrop  $STUB bytes' '$T/out'"
rm -f "$O/B2"

# -o onto an existing file replaces it; a refused bundle leaves an existing file alone.
echo old >"$O/OLD"
run "$DOCKDROP" bundle --engine "$ENGINE" --sha256 "$ESHA" -o "$O/OLD"
check "bundle -o an existing file replaces it" sh -c "[ $rc -eq 0 ] && cmp -s '$O/OLD' '$B'"
check "bundle -o an existing file: mode 0755" test "$(stat -c %a "$O/OLD")" = 755
echo old >"$O/OLD"
expect_err "bundle refused onto an existing file exits 3" 3 "" \
	$DD_EMU "$DOCKDROP" bundle --engine "$ENGINE" --sha256 "$(echo "$ESHA" | tr 0-9a-f 1-9a-f0)" -o "$O/OLD"
check "bundle refused onto an existing file: the file is unchanged" test "$(cat "$O/OLD")" = old
check "bundle refused onto an existing file: no temp left" test "$(ls -A "$O" | tr '\n' ' ')" = "B OLD "
rm -f "$O/OLD"

# A bad -o is a usage error, checked before anything is written.
mkdir "$O/isdir"
expect_err "bundle -o an existing directory exits 2" 2 "" \
	$DD_EMU "$DOCKDROP" bundle --engine "$ENGINE" --sha256 "$ESHA" -o "$O/isdir"
check "bundle -o an existing directory: no temp left, the directory untouched" \
	sh -c "[ \"\$(ls -A '$O' | tr '\n' ' ')\" = 'B isdir ' ] && [ -z \"\$(ls -A '$O/isdir')\" ]"
rmdir "$O/isdir"
expect_err "bundle -o into a missing directory exits 2" 2 "" \
	$DD_EMU "$DOCKDROP" bundle --engine "$ENGINE" --sha256 "$ESHA" -o "$T/missing/B"
check "bundle -o into a missing directory: nothing created" test ! -e "$T/missing"
# A write that fails midway (the file size limit, SIGXFSZ ignored so write says EFBIG): exit 1
# and the temp file removed. 100 blocks is less than the stub whether blocks are 512 or 1024
# bytes, so the failure comes after the temp file was opened and partly written.
run sh -c "trap '' XFSZ; ulimit -f 100 && exec $DD_EMU '$DOCKDROP' bundle --engine '$ENGINE' --sha256 '$ESHA' -o '$O/NEW'"
if [ $rc -eq 1 ] && [ "$(lines "$T/err")" = 1 ] && grep -q '^dockdrop: ' "$T/err"; then
	ok "bundle: a write failing midway exits 1 with one line"
else
	notok "bundle: a write failing midway: exit $rc: $(tr '\n' '|' <"$T/err")"
fi
check "bundle: a write failing midway leaves no temp file and no output" test "$(ls -A "$O")" = B

# --- bundle: the engine's digest ------------------------------------------------------------
WRONG=$(printf '%s' "$ESHA" | tr 0-9a-f 1-9a-f0)
expect_bundle_err "--sha256 wrong exits 3, nothing written" 3 "nothing written" --engine "$ENGINE" --sha256 "$WRONG"
grep -qF "$ESHA" "$T/err" || notok "--sha256 wrong: the error names the actual digest: $(cat "$T/err")"
expect_bundle_err "not pinned and no --sha256 exits 2" 2 "not pinned" --engine "$ENGINE"
cp "$ENGINE" "$T/in/docker-28.3.2.tgz"
expect_bundle_err "named like a pin with another digest exits 3" 3 "engines.lock" --engine "$T/in/docker-28.3.2.tgz"
expect_bundle_err "--sha256 not hex exits 2" 2 "--sha256" --engine "$ENGINE" --sha256 "$(printf '%s' "$ESHA" | sed 's/./g/')"
expect_bundle_err "--sha256 63 digits exits 2" 2 "--sha256" --engine "$ENGINE" --sha256 "$(printf '%s' "$ESHA" | cut -c2-)"
expect_bundle_err "--sha256 65 digits exits 2" 2 "--sha256" --engine "$ENGINE" --sha256 "${ESHA}0"
expect_bundle_err "--sha256 empty exits 2" 2 "" --engine "$ENGINE" --sha256 ""
expect_bundle_err "--sha256 with a sha256: prefix exits 2" 2 "" --engine "$ENGINE" --sha256 "sha256:$ESHA"

# --- bundle: what the engine must be --------------------------------------------------------
bad_engine() { # NAME FILE TEXT: refused with exit 2 even with the right --sha256
	expect_bundle_err "$1" 2 "$3" --engine "$2" --sha256 "$(sha "$2")" --engine-version 1.0
	grep -q 'pinned' "$T/err" && notok "$1: blamed on the pin: $(cat "$T/err")"
}
expect_bundle_err "--engine missing file exits 2" 2 "" --engine "$T/in/nonexistent.tgz" --sha256 "$ESHA"
expect_bundle_err "--engine a directory exits 2" 2 "" --engine "$T/in" --sha256 "$ESHA"
: >"$T/in/empty.tgz"
expect_bundle_err "--engine an empty file exits 2" 2 "" --engine "$T/in/empty.tgz" --sha256 "$(sha "$T/in/empty.tgz")"
head -c 5000 /bin/true >"$T/in/notgz.tgz"
bad_engine "engine not gzip exits 2" "$T/in/notgz.tgz" ""
head -c 20000 /dev/urandom | gzip -c >"$T/in/gznottar.tgz"
bad_engine "engine gzip but not tar exits 2" "$T/in/gznottar.tgz" ""
echo hello | gzip -c >"$T/in/gzhello.tgz"
bad_engine "engine gzip of a short text exits 2" "$T/in/gzhello.tgz" ""
head -c $((ESIZE / 2)) "$ENGINE" >"$T/in/cut.tgz"
bad_engine "engine tarball cut in half exits 2" "$T/in/cut.tgz" ""
mktgz "$T/in/nodockerd.tgz" --exclude docker/dockerd docker
bad_engine "engine without docker/dockerd exits 2" "$T/in/nodockerd.tgz" "docker/dockerd"
for req in docker containerd runc; do
	mktgz "$T/in/no$req.tgz" --exclude "docker/$req" docker
	bad_engine "engine without docker/$req exits 2" "$T/in/no$req.tgz" "docker/$req"
done
mkdir -p "$STAGE/etc" && echo x >"$STAGE/etc/passwd"
mktgz "$T/in/outside.tgz" docker etc
bad_engine "engine with an entry outside docker/ exits 2" "$T/in/outside.tgz" "outside docker/"
rm -rf "$STAGE/etc"
mktgz "$T/in/dotdot.tgz" -P --transform 's,^docker/runc$,docker/../runc,' docker
if tar -tzf "$T/in/dotdot.tgz" 2>/dev/null | grep -q '\.\./'; then
	bad_engine "engine with a docker/../ entry exits 2" "$T/in/dotdot.tgz" ""
else
	skip "engine with a docker/../ entry (tar would not make one)"
fi
mktgz "$T/in/abs.tgz" -P --transform 's,^docker/runc$,/docker/runc,' docker
if tar -tzf "$T/in/abs.tgz" 2>/dev/null | grep -q '^/'; then
	bad_engine "engine with an absolute entry exits 2" "$T/in/abs.tgz" ""
else
	skip "engine with an absolute entry (tar would not make one)"
fi
mv "$STAGE/docker/dockerd" "$T/dockerd.real"
echo '#!/bin/sh' >"$STAGE/docker/dockerd"
mktgz "$T/in/notelf.tgz" docker
bad_engine "engine whose docker/dockerd is not ELF exits 2" "$T/in/notelf.tgz" "ELF"
rm "$STAGE/docker/dockerd" && ln -s docker "$STAGE/docker/dockerd"
mktgz "$T/in/symlink.tgz" docker
bad_engine "engine whose docker/dockerd is a symlink exits 2" "$T/in/symlink.tgz" "docker/dockerd"
rm "$STAGE/docker/dockerd" && mv "$T/dockerd.real" "$STAGE/docker/dockerd"
mktgz "$T/in/plain.tar" docker
tar --owner=0 --group=0 -cf "$T/in/plain.tar" -C "$STAGE" docker
bad_engine "engine that is an uncompressed tar exits 2" "$T/in/plain.tar" ""

# Accepted forms: ./docker/ entries, an explicit --engine-version, a name without a version.
mktgz "$T/in/docker-dot.tgz" ./docker
run "$DOCKDROP" bundle --engine "$T/in/docker-dot.tgz" --sha256 "$(sha "$T/in/docker-dot.tgz")" \
	--engine-version 9.9 -o "$O/dot"
check "engine with ./docker/ entries is accepted" test $rc -eq 0
rm -f "$O/dot"
# gzip allows several members one after another (GNU tar reads them as one stream).
gzip -dc "$ENGINE" >"$T/in/engine.tar"
half=$(($(size "$T/in/engine.tar") / 2))
{ head -c "$half" "$T/in/engine.tar" | gzip -c; tail -c +$((half + 1)) "$T/in/engine.tar" | gzip -c; } >"$T/in/docker-2m.tgz"
run "$DOCKDROP" bundle --engine "$T/in/docker-2m.tgz" --sha256 "$(sha "$T/in/docker-2m.tgz")" -o "$O/2m"
check "an engine gzipped as two members is accepted" test $rc -eq 0
mkdir "$T/x2m"
run "$DOCKDROP" extract --file "$O/2m" "$T/x2m/engine"
check "an engine of two gzip members extracts" test $rc -eq 0
same_tree "an engine of two gzip members" "$T/x2m/engine" "$REF"
rm -f "$O/2m"
cp "$ENGINE" "$T/in/engine.tgz"
expect_bundle_err "engine named without a version and no --engine-version exits 2" 2 "--engine-version" \
	--engine "$T/in/engine.tgz" --sha256 "$ESHA"
run "$DOCKDROP" bundle --engine "$T/in/engine.tgz" --sha256 "$ESHA" --engine-version 1.2.3-rc.1 -o "$O/ver"
run "$DOCKDROP" list --file "$O/ver"
check "--engine-version names the engine's version" \
	test "$(grep '^engine' "$T/out" | awk '{ print $1, $2, $3, $4 }')" = "engine docker 1.2.3-rc.1 $DD_ARCH"
rm -f "$O/ver"
expect_bundle_err "--engine-version with a space exits 2" 2 "--engine-version" \
	--engine "$ENGINE" --sha256 "$ESHA" --engine-version "1 2"
expect_bundle_err "--engine-version of 64 characters exits 2" 2 "--engine-version" \
	--engine "$ENGINE" --sha256 "$ESHA" --engine-version "$(printf '%064d' 1)"
# --engine-parts FILE: the engine's sources (release/mkengine.sh writes them from
# release/sources.lock), part records of the engine blob in the signed manifest.
printf 'docker.io 20.10.24 20.10.24+dfsg1-1+deb12u1 Apache-2.0 %s\ncontainerd 1.6.20 1.6.20~ds1-1+deb12u3 Apache-2.0 %s\n' \
	"$ESHA" "$STUBSHA" >"$T/in/parts"
run "$DOCKDROP" bundle --engine "$ENGINE" --sha256 "$ESHA" --engine-parts "$T/in/parts" -o "$O/P"
run "$DOCKDROP" list --file "$O/P"
check "--engine-parts: list names each source under the engine, with its digest" sh -c \
	"[ $rc -eq 0 ] && sed '1,/^engine/d' '$T/out' | grep -qx '  built from docker.io 20.10.24 (Debian source 20.10.24+dfsg1-1+deb12u1, Apache-2.0), source sha256 $ESHA' &&
	 sed '1,/^engine/d' '$T/out' | grep -qx '  built from containerd 1.6.20 (Debian source 1.6.20~ds1-1+deb12u3, Apache-2.0), source sha256 $STUBSHA'"
run "$DOCKDROP" verify --file "$O/P"
check "--engine-parts: verify prints them after the engine's line" sh -c \
	"[ $rc -eq 0 ] && sed '1,/^ok    engine/d' '$T/out' | head -2 | grep -c '^  built from \\(docker.io\\|containerd\\) ' | grep -qx 2"
tail -c 2000 "$O/P" | grep -a -q "^part containerd 1.6.20 1.6.20~ds1-1+deb12u3 Apache-2.0 $STUBSHA\$" &&
	ok "--engine-parts: part records in the manifest (which the signature covers)" ||
	notok "--engine-parts: no part record in the manifest"
rm -f "$O/P"
expect_bundle_err "--engine-parts of a missing file exits 2" 2 "--engine-parts" \
	--engine "$ENGINE" --sha256 "$ESHA" --engine-parts "$T/in/nosuch"
printf 'docker.io 20.10.24 Apache-2.0 %s\n' "$ESHA" >"$T/in/parts4"
expect_bundle_err "--engine-parts with a line of four fields exits 2" 2 "not NAME VERSION DEBVERSION LICENSE SHA256" \
	--engine "$ENGINE" --sha256 "$ESHA" --engine-parts "$T/in/parts4"
printf 'docker.io 1 1 MIT abc\n' >"$T/in/partsx"
expect_bundle_err "--engine-parts with a short digest exits 2" 2 "--engine-parts" \
	--engine "$ENGINE" --sha256 "$ESHA" --engine-parts "$T/in/partsx"
printf 'docker.io 1 1 MIT %s' "$ESHA" >"$T/in/partsnl"
expect_bundle_err "--engine-parts without a final newline exits 2" 2 "newline" \
	--engine "$ENGINE" --sha256 "$ESHA" --engine-parts "$T/in/partsnl"
printf 'docker.io 1 1 MIT %s\n\000x 1 1 MIT %s\n' "$ESHA" "$ESHA" >"$T/in/partsnul"
expect_bundle_err "--engine-parts with a NUL byte exits 2" 2 "NUL" \
	--engine "$ENGINE" --sha256 "$ESHA" --engine-parts "$T/in/partsnul"
: >"$T/in/partsempty"
expect_bundle_err "--engine-parts of an empty file exits 2" 2 "empty" \
	--engine "$ENGINE" --sha256 "$ESHA" --engine-parts "$T/in/partsempty"
i=0
while [ $i -lt 14 ]; do cat "$T/in/parts"; i=$((i + 1)); done >"$T/in/partsmany"
expect_bundle_err "--engine-parts of 28 lines (the stub's and the engine's over $(grep -o 'DD_PARTS_MAX [0-9]*' "$TOP/src/bundle/format.h")) exits 2" 2 "too many" \
	--engine "$ENGINE" --sha256 "$ESHA" --engine-parts "$T/in/partsmany"
expect_bundle_err "bundle without --engine exits 2" 2 "--engine" --sha256 "$ESHA"
expect_err "bundle without -o exits 2" 2 "-o" "$DOCKDROP" bundle --engine "$ENGINE" --sha256 "$ESHA"

# --- images ---------------------------------------------------------------------------------
mkimage() { # OUT REPOTAG-JSON [CONFIG]: a fake 'docker save' archive (manifest.json + config)
	rm -rf "$T/img" && mkdir "$T/img"
	if [ $# -ge 3 ]; then echo "$3"; else echo '{"architecture":"amd64","os":"linux"}'; fi >"$T/img/c"
	_c=$(sha "$T/img/c") && mv "$T/img/c" "$T/img/$_c.json"
	printf '[{"Config":"%s.json","RepoTags":%s,"Layers":[]}]\n' "$_c" "$2" >"$T/img/manifest.json"
	tar --owner=0 --group=0 -cf "$1" -C "$T/img" manifest.json "$_c.json"
	echo "$_c" >"$1.id"
}
mkimage "$T/in/busybox.tar" '["busybox:latest"]'
run "$DOCKDROP" bundle --engine "$ENGINE" --sha256 "$ESHA" --image "$T/in/busybox.tar" -o "$O/I"
check "bundle with --image exits 0" test $rc -eq 0 -a ! -s "$T/err"
run "$DOCKDROP" list --file "$O/I"
check "list shows the image: busybox latest, its size and sha256" \
	test "$(grep -v '^ ' "$T/out" | sed -n 4p | awk '{ print $1, $2, $3, $5, $6 }')" = \
	"image busybox latest $(size "$T/in/busybox.tar") $(sha "$T/in/busybox.tar")"
check "list shows the engine first, after the stub" test "$(grep -v '^ ' "$T/out" | sed -n 3p | awk '{ print $1, $2 }')" = "engine docker"
run "$DOCKDROP" verify --file "$O/I"
check "verify a bundle with an image exits 0, one line per component" \
	sh -c "[ $rc -eq 0 ] && grep -q '^ok    image    busybox latest' '$T/out' && [ \$(grep -vc '^  built from' '$T/out') = 5 ]"
mkdir "$T/xi"
run "$DOCKDROP" extract --file "$O/I" "$T/xi/engine"
check "extract of a bundle with an image unpacks the engine" test $rc -eq 0
same_tree "extract of a bundle with an image" "$T/xi/engine" "$REF"
rm -f "$O/I"

mkimage "$T/in/app.tar" '["registry.example.com:5000/team/app:1.0","app:latest"]'
mkimage "$T/in/untagged.tar" 'null'
gzip -c "$T/in/busybox.tar" >"$T/in/busybox.tar.gz"
run "$DOCKDROP" bundle --engine "$ENGINE" --sha256 "$ESHA" --image "$T/in/busybox.tar" \
	--image "$T/in/app.tar" --image "$T/in/untagged.tar" -o "$O/M"
check "bundle with three images exits 0" test $rc -eq 0
run "$DOCKDROP" list --json --file "$O/M"
jq_check "list --json: engine then the images in order, named by RepoTags" "$T/out" \
	"[.components[] | [.kind, .name, .version]] | .[0:3] ==
	 [[\"engine\",\"docker\",\"0.0.1-test\"],[\"image\",\"busybox\",\"latest\"],
	  [\"image\",\"registry.example.com:5000/team/app\",\"1.0\"]] and length == 4"
jq_check "list --json: each image's size and sha256" "$T/out" \
	".components[1].sha256 == \"$(sha "$T/in/busybox.tar")\" and .components[2].size == $(size "$T/in/app.tar")
	 and .components[3].sha256 == \"$(sha "$T/in/untagged.tar")\" and .components[3].kind == \"image\""
run "$DOCKDROP" verify --file "$O/M"
check "verify a bundle with three images exits 0" test $rc -eq 0 -a "$(lines "$T/out")" = $((7 + NSTUB))
meta=$(($(size "$O/M") - STUB - ESIZE - $(size "$T/in/busybox.tar") - $(size "$T/in/app.tar") - $(size "$T/in/untagged.tar")))
check "bundle with three images: size = stub + blobs + meta ($meta bytes)" test "$meta" -gt 128 -a "$meta" -lt 2000
rm -f "$O/M"
run "$DOCKDROP" bundle --engine "$ENGINE" --sha256 "$ESHA" --image "$T/in/busybox.tar.gz" -o "$O/G"
check "--image of a gzipped docker save archive is accepted" test $rc -eq 0
rm -f "$O/G"

set --
i=0
while [ $i -lt 15 ]; do set -- "$@" --image "$T/in/busybox.tar"; i=$((i + 1)); done
expect_bundle_err "15 images is too many (exit 2)" 2 "at most" --engine "$ENGINE" --sha256 "$ESHA" "$@"
shift 2
run "$DOCKDROP" bundle --engine "$ENGINE" --sha256 "$ESHA" "$@" -o "$O/14"
check "14 images are accepted" test $rc -eq 0
run "$DOCKDROP" verify --file "$O/14"
check "a bundle with 14 images verifies: 4 lines, the stub's parts and one per image" test $rc -eq 0 -a "$(lines "$T/out")" = $((18 + NSTUB))
rm -f "$O/14"

head -c 3000 /bin/true >"$T/in/notimage.tar"
expect_bundle_err "--image of a non-archive exits 2" 2 "docker save" --engine "$ENGINE" --sha256 "$ESHA" --image "$T/in/notimage.tar"
tar -cf "$T/in/nomanifest.tar" -C "$T/img" "$(cat "$T/in/busybox.tar.id").json"
expect_bundle_err "--image of a tar without manifest.json exits 2" 2 "manifest.json" --engine "$ENGINE" --sha256 "$ESHA" --image "$T/in/nomanifest.tar"
expect_bundle_err "--image of a missing file exits 2" 2 "" --engine "$ENGINE" --sha256 "$ESHA" --image "$T/in/nonexistent.tar"
expect_bundle_err "--image: one bad among good ones exits 2" 2 "notimage" --engine "$ENGINE" --sha256 "$ESHA" \
	--image "$T/in/busybox.tar" --image "$T/in/notimage.tar"

# --- signing keys ---------------------------------------------------------------------------
echo "not a key" >"$T/in/nokey.pem"
expect_bundle_err "--sign-key of a non-key file exits 2" 2 "--sign-key" --engine "$ENGINE" --sha256 "$ESHA" --sign-key "$T/in/nokey.pem"
expect_bundle_err "--sign-key of a missing file exits 2" 2 "--sign-key" --engine "$ENGINE" --sha256 "$ESHA" --sign-key "$T/in/nonexistent.pem"
if openssl genrsa -out "$T/in/rsa.pem" 2048 2>/dev/null; then
	expect_bundle_err "--sign-key of an RSA key exits 2" 2 "--sign-key" --engine "$ENGINE" --sha256 "$ESHA" --sign-key "$T/in/rsa.pem"
else
	skip "--sign-key of an RSA key (openssl genrsa failed)"
fi
if openssl ecparam -name secp384r1 -genkey -noout -out "$T/in/p384.pem" 2>/dev/null; then
	expect_bundle_err "--sign-key of a P-384 key exits 2" 2 "--sign-key" --engine "$ENGINE" --sha256 "$ESHA" --sign-key "$T/in/p384.pem"
else
	skip "--sign-key of a P-384 key (openssl failed)"
fi
if openssl ecparam -name prime256v1 -genkey -noout -out "$T/in/p256.pem" 2>/dev/null; then
	openssl ec -in "$T/in/p256.pem" -pubout -out "$T/in/p256.pub" 2>/dev/null
	expect_bundle_err "--sign-key of a public key exits 2" 2 "--sign-key" --engine "$ENGINE" --sha256 "$ESHA" --sign-key "$T/in/p256.pub"
	run "$DOCKDROP" bundle --engine "$ENGINE" --sha256 "$ESHA" --sign-key "$T/in/p256.pem" -o "$O/S"
	check "--sign-key of a P-256 key exits 0" test $rc -eq 0
	check "a signed bundle is 64 bytes longer" test "$(size "$O/S")" = $(($(size "$B") + 64))
	run "$DOCKDROP" list --json --file "$O/S"
	jq_check "list --json of a signed bundle: signed, authenticity not established" "$T/out" \
		'.signed == true and .authenticity == "not established"'
	rm -f "$O/S"
else
	skip "--sign-key of a P-256 key (openssl failed)"
fi
check "the output directory holds only the first bundle at the end" test "$(ls -A "$O")" = B
