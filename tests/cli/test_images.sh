# Images (issue 13, point 1) without a daemon: bundle --image records each image's config
# digest and tags (ref lines; list and list --json show them) and refuses what is not a
# whole docker save archive; install refuses a payload whose image blob is damaged (exit 3)
# and an --images DIR that SHA256SUMS does not vouch for (exit 3) or names files outside
# it (exit 2), before any change; under --root images are checked, not loaded (a warning).
# The loading itself runs against the real dockerd: tests/e2e/test_images.sh.
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$T_TMP
jq_check() { # NAME FILE FILTER
	if ! command -v jq >/dev/null 2>&1; then skip "$1 (no jq)"; return; fi
	if jq -e "$3" "$2" >/dev/null 2>&1; then ok "$1"; else notok "$1: $(head -c 400 "$2")"; fi
}
# refused NAME RC TEXT DIR CMD...: exit RC, one error line with TEXT (warnings aside),
# nothing on stdout, DIR exactly as before.
refused() {
	_n=$1 _rc=$2 _t=$3 _d=$4; shift 4
	exact_tree "$_d" >"$T/x.before"
	emu "$@" >"$T/x.out" 2>"$T/x.err"
	rc=$?
	exact_tree "$_d" >"$T/x.after"
	grep -v '^dockdrop: warning: ' "$T/x.err" >"$T/x.errs"
	if [ $rc -eq "$_rc" ] && [ ! -s "$T/x.out" ] && [ "$(lines "$T/x.errs")" = 1 ] &&
		grep -q -- "$_t" "$T/x.errs" && cmp -s "$T/x.before" "$T/x.after"; then
		ok "$_n"
	else
		notok "$_n: exit $rc (want $_rc): $(head -c 300 "$T/x.errs" | tr '\n' '|') $(diff "$T/x.before" "$T/x.after" | grep '^[<>]' | head -3 | tr '\n' '|')"
	fi
}

E=$(sh "$TOP/tests/fixtures/mkengine-small.sh" "$T/e") || { notok "small engine"; exit 1; }
ESHA=$(sha "$E")
mkdir -p "$T/l" "$T/in" && echo "dd-image-marker-$$" >"$T/l/marker" && head -c 20000 /dev/urandom >"$T/l/noise" ||
	{ notok "image layer"; exit 1; }
ID=$(sh "$TOP/tests/tools/mksave.sh" "$T/l" dd-tiny:1 "$T/in/tiny.tar") || { notok "mksave.sh"; exit 1; }
ID2=$(sh "$TOP/tests/tools/mksave.sh" "$T/e" reg.example:5000/team/app:2.0 "$T/in/app.tar") || { notok "mksave.sh"; exit 1; }
gzip -c "$T/in/app.tar" >"$T/in/app.tar.gz"

# --- bundle: ref records, list ----------------------------------------------------------------
run "$DOCKDROP" bundle -q --engine "$E" --sha256 "$ESHA" --image "$T/in/tiny.tar" --image "$T/in/app.tar.gz" -o "$T/dd"
check "bundle with two images (tar, tar.gz) exits 0" test $rc -eq 0
run "$DOCKDROP" list -f "$T/dd"
check "list shows each image's tag and id under its blob" sh -c \
	"grep -qx '  image dd-tiny:1 id sha256:$ID' '$T/out' && grep -qx '  image reg.example:5000/team/app:2.0 id sha256:$ID2' '$T/out' &&
	 grep -A1 '^image  *dd-tiny ' '$T/out' | grep -q 'id sha256:$ID'"
tail -c 2000 "$T/dd" | grep -a '^ref ' >"$T/refs"
check "the manifest has one ref line per image, after its blob" test "$(cat "$T/refs")" = "ref $ID dd-tiny:1
ref $ID2 reg.example:5000/team/app:2.0"
run "$DOCKDROP" list --json -f "$T/dd"
jq_check "list --json: images [{tag, id}] of each image component" "$T/out" \
	"[.components[] | select(.kind == \"image\") | .images] == [[{\"tag\":\"dd-tiny:1\",\"id\":\"$ID\"}],[{\"tag\":\"reg.example:5000/team/app:2.0\",\"id\":\"$ID2\"}]]"
run "$DOCKDROP" verify -f "$T/dd"
check "verify a bundle with ref records exits 0" test $rc -eq 0

# An archive of two images, one untagged and one with two tags (docker save a b).
mkdir -p "$T/m" && tar -xf "$T/in/tiny.tar" -C "$T/m" && tar -xf "$T/in/app.tar" -C "$T/m" &&
	printf '[{"Config":"%s.json","RepoTags":null,"Layers":[]},{"Config":"blobs/sha256/%s","RepoTags":["a:1","b/c:2"],"Layers":[]}]' \
		"$ID" "$ID2" >"$T/m/manifest.json" && tar -cf "$T/in/multi.tar" -C "$T/m" . || notok "multi.tar"
run "$DOCKDROP" bundle -q --engine "$E" --sha256 "$ESHA" --image "$T/in/multi.tar" -o "$T/ddm"
run "$DOCKDROP" list -f "$T/ddm"
check "an untagged image is '-', each tag its own record (Config HEX.json or blobs/sha256/HEX)" sh -c \
	"[ $rc -eq 0 ] && [ \"\$(grep '^  image' '$T/out')\" = '  image - id sha256:$ID
  image a:1 id sha256:$ID2
  image b/c:2 id sha256:$ID2' ]"

# --- bundle: what is not a whole docker save archive -----------------------------------------
bad_image() { # NAME FILE
	rm -f "$T/o"
	expect_err "$1: exit 2" 2 "docker save" "$DOCKDROP" bundle --engine "$E" --sha256 "$ESHA" --image "$2" -o "$T/o"
	check "$1: nothing written" test ! -e "$T/o"
}
head -c $(($(stat -c %s "$T/in/tiny.tar") / 2)) "$T/in/tiny.tar" >"$T/in/half.tar"
bad_image "a truncated image archive" "$T/in/half.tar"
mkdir "$T/t1" && tar -xf "$T/in/tiny.tar" -C "$T/t1" && tar -b1 -cf "$T/in/b1.tar" -C "$T/t1" . &&
	head -c $(($(stat -c %s "$T/in/b1.tar") - 1024)) "$T/in/b1.tar" >"$T/in/noend.tar"
bad_image "an image archive cut before its end blocks" "$T/in/noend.tar"
head -c $(($(stat -c %s "$T/in/app.tar.gz") - 4)) "$T/in/app.tar.gz" >"$T/in/cut.tar.gz"
bad_image "a gzip image archive without its trailer" "$T/in/cut.tar.gz"
for m in '[{"Config":"c.json","RepoTags":["x:1"]}]' '[]' '{"Config":"'"$ID"'.json"}' \
	'[{"Config":"'"$ID"'.json","RepoTags":["bad tag"]}]' '[{"Config":"'"$ID"'.json","RepoTags":"x:1"}]' \
	'[{"Config":"'"$ID"'.json","RepoTags":["x:1"],"RepoTags":["y:1"]}]'; do
	rm -rf "$T/bm" && mkdir "$T/bm" && printf '%s' "$m" >"$T/bm/manifest.json" && tar -cf "$T/in/bm.tar" -C "$T/bm" manifest.json
	bad_image "manifest.json $m" "$T/in/bm.tar"
done

# --- install: a damaged image blob ----------------------------------------------------------
R=$T/r
image_root "$R"
cp "$T/dd" "$T/dmg"
off=$(grep -obaF "dd-image-marker-$$" "$T/dmg" | head -n 1 | cut -d: -f1)
printf 'X' | dd of="$T/dmg" bs=1 seek="$off" conv=notrunc 2>/dev/null
refused "install of a payload whose image blob is damaged: exit 3, nothing changed" 3 "image dd-tiny 1: SHA-256 mismatch" \
	"$R" "$T/dmg" install --root "$R" --init systemd
refused "install --dry-run of it: exit 3 too" 3 "SHA-256 mismatch" "$R" "$T/dmg" install --dry-run --root "$R" --init systemd

# --- install --images DIR: every check before any change -------------------------------------
D=$T/drop
mkdir "$D" && cp "$T/in/tiny.tar" "$T/in/app.tar.gz" "$D/" && (cd "$D" && sha256sum tiny.tar >SHA256SUMS && sha256sum -b app.tar.gz >>SHA256SUMS)
inst() { $DD_EMU "$T/dd" install --root "$R" --init systemd --images "$@"; }
mv "$D/SHA256SUMS" "$T/sums"
refused "--images without SHA256SUMS: exit 3" 3 "SHA256SUMS" "$R" inst "$D"
cp "$T/sums" "$D/SHA256SUMS" && cp "$T/in/tiny.tar" "$D/extra.tar"
refused "--images with an archive SHA256SUMS does not list: exit 3" 3 "extra.tar: not in SHA256SUMS" "$R" inst "$D"
rm "$D/extra.tar" && cp "$T/in/half.tar" "$D/tiny.tar"
refused "--images with an archive whose SHA-256 differs: exit 3" 3 "tiny.tar: SHA-256 is not" "$R" inst "$D"
rm "$D/tiny.tar"
refused "--images with a listed archive missing: exit 3" 3 "tiny.tar" "$R" inst "$D"
ln -s "$T/in/tiny.tar" "$D/tiny.tar"
refused "--images with a listed archive that is a symlink: exit 2" 2 "tiny.tar" "$R" inst "$D"
rm "$D/tiny.tar" && cp "$T/in/tiny.tar" "$D/tiny.tar"
for n in ../x.tar sub/x.tar; do
	{ cat "$T/sums"; echo "$(sha "$T/in/tiny.tar")  $n"; } >"$D/SHA256SUMS"
	refused "--images with SHA256SUMS naming $n: exit 2" 2 "$n" "$R" inst "$D"
done
echo "not a sha256sum line" >"$D/SHA256SUMS"
refused "--images with a malformed SHA256SUMS: exit 2" 2 "SHA256SUMS" "$R" inst "$D"
cp "$T/in/half.tar" "$D/half.tar" && { cat "$T/sums"; (cd "$D" && sha256sum half.tar); } >"$D/SHA256SUMS"
refused "--images with a listed archive that is not a whole one: exit 2" 2 "half.tar: not a whole image archive" "$R" inst "$D"
rm "$D/half.tar" && cp "$T/sums" "$D/SHA256SUMS" && echo "$(sha "$T/in/tiny.tar")  notes.txt" >>"$D/SHA256SUMS"

# --- install --root: checked, not loaded ------------------------------------------------------
run "$T/dd" install --root "$R" --init systemd --images "$D" --dry-run
check "install --dry-run --root --images: each image planned as not loaded" sh -c \
	"[ $rc -eq 0 ] && grep -q '^  image dd-tiny:1: skipped' '$T/out' && [ \$(grep -c '^  image ' '$T/out') = 4 ]"
run "$T/dd" install --root "$R" --init systemd --images "$D" --json
check "install --root --images: exit 0, a warning that images are not loaded in an image tree" sh -c \
	"[ $rc -eq 0 ] && grep -q 'warning: 4 image archive(s) not loaded' '$T/err'"
jq_check "install --root --json: images with result skipped" "$T/out" \
	"[.images[] | [.tag, .result]] == [[\"dd-tiny:1\",\"skipped\"],[\"reg.example:5000/team/app:2.0\",\"skipped\"],[\"dd-tiny:1\",\"skipped\"],[\"reg.example:5000/team/app:2.0\",\"skipped\"]] and .images[0].id == \"$ID\""
