# bundle --plugin (Docker CLI plugins, issue 13 point 2): a plugin is carried
# gzip-compressed with its own SHA-256 visible (list), bad plugins are refused with exit 2
# and nothing written, install --root puts it into the engine's directory and links it
# where the docker CLI looks, an upgrade without it takes the link away, --rollback brings
# it back, uninstall removes it, and a damaged plugin blob is exit 3 with nothing changed.
. "$(dirname "$0")/lib.sh"
T=$T_TMP
small_dockdrops 2
E=$(sh "$(dirname "$0")/../fixtures/mkengine-small.sh" "$T/e")
SHA=$(sha256sum "$E" | cut -c1-64)
# The plugins: /bin/true made a program for the engine's architecture (no test runs them).
TRUE=$T/true
cp /bin/true "$TRUE" && set_machine "$TRUE" "$DD_ARCH"
P=$T/p/docker-foo
mkdir -p "$T/p" && cp "$TRUE" "$P"
bundle() { run "$T/dd1" bundle -q --engine "$E" --sha256 "$SHA" --engine-version 0.0.1-test "$@"; }

# --- bad input: exit 2, one line, nothing written -------------------------------------------
printf 'not a program\n' >"$T/p/docker-text"
cp "$TRUE" "$T/p/docker-arm" && set_machine "$T/p/docker-arm" "$OTHER_ARCH"
cp "$TRUE" "$T/p/compose"
head -c 4000 "$TRUE" >"$T/p/docker-cut"	# an ELF header, the rest cut off
head -c 4000 "$TRUE" | gzip -n >"$T/p/docker-cutgz.gz"
for bad in docker-text docker-arm compose docker-cut docker-cutgz.gz; do
	expect_err "bundle --plugin $bad is refused" 2 "--plugin $T/p/$bad" "$T/dd1" bundle -q --engine "$E" \
		--sha256 "$SHA" --plugin "$T/p/$bad" -o "$T/bad"
	check "  and nothing is written" [ ! -e "$T/bad" ]
done
expect_err "bundle --plugin: an ELF of another architecture says which" 2 "$OTHER_ARCH" "$T/dd1" bundle -q \
	--engine "$E" --sha256 "$SHA" --plugin "$T/p/docker-arm" -o "$T/bad"
expect_err "bundle --plugin twice the same name is refused" 2 "a second docker-foo" "$T/dd1" bundle -q \
	--engine "$E" --sha256 "$SHA" --plugin "$P" --plugin "$P" -o "$T/bad"

# --- carried: a program as it is, a gzip'd one compressed with the program's digest shown ------
RAW=$(sha256sum "$P" | cut -c1-64)
cp "$TRUE" "$T/p/docker-bar" && gzip -n "$T/p/docker-bar"
printf 'x' | gzip -n >"$T/p/docker-gz.gz"
expect_err "bundle --plugin docker-gz.gz holding no program is refused" 2 "not an ELF executable" "$T/dd1" bundle -q \
	--engine "$E" --sha256 "$SHA" --plugin "$T/p/docker-gz.gz" -o "$T/bad"
bundle --plugin "$P" --plugin "$T/p/docker-bar.gz" -o "$T/ddp"
check "bundle --plugin docker-foo --plugin docker-bar.gz: exit 0" [ $rc -eq 0 ]
run "$T/ddp" list
check "list: a plugin docker-foo for $DD_ARCH, version unknown (it has no metadata), the program's SHA-256" \
	grep -Eq "^plugin +docker-foo +unknown +$DD_ARCH +$(stat -c %s "$P") +$RAW\$" "$T_TMP/out"
check "list: docker-bar stored gzip-compressed, the program's size and SHA-256" \
	grep -A1 '^plugin  *docker-bar ' "$T_TMP/out" | grep -q "stored gzip-compressed: $(stat -c %s "$P") bytes unpacked, sha256 $RAW"
run "$T/ddp" list --json
check "list --json: raw_sha256 of docker-bar" grep -q "\"name\":\"docker-bar\",.*\"raw_sha256\":\"$RAW\"" "$T_TMP/out"
run "$T/ddp" verify
check "verify: exit 0" [ $rc -eq 0 ]

# --- install --root: in the engine directory, linked for the docker CLI ---------------------
R=$T/root
image_root "$R"
tree() { (cd "$1" && find . -printf '%p %y %m %l\n' | LC_ALL=C sort); }
tree "$R" >"$T/before"
L=$R/usr/local/lib/docker/cli-plugins/docker-foo
run "$T/ddp" install -q --root "$R"
check "install --root with the plugin: exit 0" [ $rc -eq 0 ]
check "the engine directory's name carries the plugin (+foo-unknown-DIGEST8)" sh -c \
	"readlink '$R/opt/dockdrop/engine/current' | grep -Eq '^0\.0\.1-test-[0-9a-f]{12}\+foo-unknown-[0-9a-f]{8}\+bar-unknown-[0-9a-f]{8}$'"
check "the plugins are in it, the same bytes (docker-bar inflated), 0755" sh -c \
	"cmp -s '$R/opt/dockdrop/engine/current/cli-plugins/docker-foo' '$P' && [ \$(stat -c %a '$R/opt/dockdrop/engine/current/cli-plugins/docker-foo') = 755 ] &&
	cmp -s '$R/opt/dockdrop/engine/current/cli-plugins/docker-bar' '$P' && [ \$(stat -c %a '$R/opt/dockdrop/engine/current/cli-plugins/docker-bar') = 755 ]"
check "/usr/local/lib/docker/cli-plugins/docker-foo links to it through current" sh -c \
	"[ \"\$(readlink '$L')\" = /opt/dockdrop/engine/current/cli-plugins/docker-foo ]"
check "the link is on the record" grep -q '^link /usr/local/lib/docker/cli-plugins/docker-foo ' "$R/var/lib/dockdrop/state"
run "$T/ddp" install -q --root "$R" --json
check "a re-run: unchanged" grep -q '"result":"unchanged"' "$T_TMP/out"
run "$T/dd2" install -q --root "$R"
check "an upgrade to an engine without plugins takes the link away" sh -c "[ $rc -eq 0 ] && [ ! -L '$L' ]"
run "$T/dd2" install -q --root "$R" --rollback
check "install --rollback: the plugin's engine is current and the link is back" sh -c \
	"[ $rc -eq 0 ] && [ -L '$L' ] && cmp -s '$R/opt/dockdrop/engine/current/cli-plugins/docker-foo' '$P'"
run "$T/ddp" uninstall -q --root "$R" --purge
tree "$R" >"$T/after"
check "uninstall --purge removes the plugin, its link and directories" sh -c \
	"[ $rc -eq 0 ] && [ ! -e '$R/usr/local/lib/docker' ] && cmp -s '$T/before' '$T/after'"

# --- a damaged plugin blob: exit 3 before any change ----------------------------------------
cp "$T/ddp" "$T/ddbad"
# the plugin is the last blob: its bytes end where the manifest starts; flip one of them
MOFF=$(grep -abo 'dockdrop-manifest 1' "$T/ddbad" | tail -n 1 | cut -d: -f1)
printf 'X' | dd of="$T/ddbad" bs=1 seek=$((MOFF - 100)) conv=notrunc 2>/dev/null
tree "$R" >"$T/before2"
expect_err "install with a damaged plugin blob: exit 3" 3 "SHA-256 mismatch" "$T/ddbad" install -q --root "$R"
tree "$R" >"$T/after2"
check "  and nothing changed" cmp -s "$T/before2" "$T/after2"

# --- install --compose: bad input is exit 2 before anything changes -----------------------------
mkdir -p "$T/proj" && printf 'services:\n  a:\n    image: x\n' >"$T/proj/compose.yaml" && printf 'A=1\n' >"$T/proj/e.env"
R2=$T/root2
image_root "$R2"
tree "$R2" >"$T/before3"
expect_err "install --compose-env without --compose" 2 "--compose-env and --compose-name need --compose" \
	$DD_EMU "$T/ddp" install -q --root "$R2" --compose-env "$T/proj/e.env"
expect_err "install --compose with a dockdrop that carries no Compose plugin" 2 "needs a dockdrop carrying docker-compose" \
	$DD_EMU "$T/ddp" install -q --root "$R2" --compose "$T/proj/compose.yaml"
expect_err "install --compose-name with a name Compose would not take" 2 "is not 1-48 of [a-z0-9_-]: give --compose-name" \
	$DD_EMU "$T/ddp" install -q --root "$R2" --compose "$T/proj/compose.yaml" --compose-name "Bad Name"
expect_err "install --compose with a file that is not there" 2 "--compose $T/proj/nope.yaml" \
	$DD_EMU "$T/ddp" install -q --root "$R2" --compose "$T/proj/nope.yaml"
tree "$R2" >"$T/after3"
check "  and nothing changed" cmp -s "$T/before3" "$T/after3"

# --- install --root --compose: the project and its service placed in the image tree ------------
cp "$TRUE" "$T/p/docker-compose"
bundle --plugin "$T/p/docker-compose" -o "$T/ddc"
run "$T/ddc" install -q --root "$R2" --compose "$T/proj/compose.yaml" --compose-env "$T/proj/e.env"
check "install --root --compose: exit 0 (nothing run in an image tree)" [ $rc -eq 0 ]
check "the project is in /etc/dockdrop/compose/proj, the env file 0600" sh -c \
	"cmp -s '$R2/etc/dockdrop/compose/proj/compose.yaml' '$T/proj/compose.yaml' && [ \$(stat -c %a '$R2/etc/dockdrop/compose/proj/compose.env') = 600 ]"
check "dockdrop-compose.service runs it after docker, enabled" sh -c \
	"grep -qx 'ExecStart=/usr/local/bin/docker compose -p proj -f /etc/dockdrop/compose/proj/compose.yaml --env-file /etc/dockdrop/compose/proj/compose.env up -d --remove-orphans' '$R2/etc/systemd/system/dockdrop-compose.service' &&
	grep -qx 'Requires=docker.service' '$R2/etc/systemd/system/dockdrop-compose.service' &&
	[ -L '$R2/etc/systemd/system/multi-user.target.wants/dockdrop-compose.service' ]"
run "$T/ddc" install -q --root "$R2" --compose "$T/proj/compose.yaml" --compose-env "$T/proj/e.env" --json
check "a re-run: unchanged" grep -q '"result":"unchanged"' "$T_TMP/out"
run "$T/ddc" uninstall -q --root "$R2" --purge
tree "$R2" >"$T/after4"
check "uninstall --purge removes the project and its service" sh -c "[ $rc -eq 0 ] && cmp -s '$T/before3' '$T/after4'"
