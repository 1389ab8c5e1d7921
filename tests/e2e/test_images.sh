# Images end to end (issue 13, point 1) with the real dockerd in the debootstrap'd root
# (tests/e2e/mkroot.sh, cached; the namespaces as test_install.sh makes them, without the
# second host): a dockdrop bundled with an image made at test time (tests/tools/mksave.sh,
# busybox) installs and loads it (docker images shows its tag, docker run runs it, the
# daemon logged a "load" event); a re-run loads nothing (no "load" event between its start
# and end, and it says so); install --images DIR with a SHA256SUMS that does not match
# exits 3 and the daemon sees nothing, with a good one loads the archive there; a payload
# whose image blob is damaged exits 3 and loads nothing; uninstall leaves the images,
# --purge removes them.
#   DD_E2E_LIMIT=300   seconds for the whole namespace session
set -u
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; FAILS=$((FAILS + 1)); }
skip() { echo "skip - $*"; }
FAILS=0

# ============================================================================================
# In the chroot.
# ============================================================================================
if [ "${1-}" = --chroot ]; then
	DD=/tmp/ddimg
	set -- --init none --no-tcp --daemon-opt 'storage-driver="vfs"'	# every install's options
	now() { date +%s.%N; }
	# loads SINCE UNTIL: the daemon's image "load" events in that window, one a line.
	loads() { timeout 20 docker events --since "$1" --until "$2" --filter type=image --filter event=load 2>&1; }
	has() { docker image inspect "$1" >/dev/null 2>&1; }
	t0=$(now)
	$DD install "$@" >/tmp/i1.out 2>/tmp/i1.err
	rc=$?
	t1=$(now)
	if [ $rc -eq 0 ] && grep -q '^image dd-img:1 loaded (id sha256:' /tmp/i1.out; then
		ok "install loads the carried image ($(echo "$t0 $t1" | awk '{ printf "%.1f s", $2 - $1 }') with the daemon's start)"
	else
		notok "install: exit $rc: $(tail -n 5 /tmp/i1.err | tr '\n' '|' | cut -c1-600) $(tr '\n' '|' </tmp/i1.out | cut -c1-400)"
		exit 1
	fi
	ID=$(cat /tmp/img.id)
	[ "$(docker images --format '{{.Repository}}:{{.Tag}} {{.ID}}' dd-img:1)" = "dd-img:1 $(echo "$ID" | cut -c1-12)" ] &&
		ok "docker images shows dd-img:1 with the id its config digest gives" ||
		notok "docker images: $(docker images 2>&1 | tr '\n' '|')"
	out=$(timeout 60 docker run --rm --network none dd-img:1 /bin/sh -c 'echo hello from a loaded image' 2>&1)
	[ "$out" = "hello from a loaded image" ] && ok "docker run of the loaded image" || notok "docker run: $out"
	[ "$(loads "$t0" "$t1" | grep -c " image load sha256:$ID")" = 1 ] &&
		ok "the daemon logged one load event during install" || notok "events during install: $(loads "$t0" "$t1" | tr '\n' '|')"

	t2=$(now)
	$DD install "$@" >/tmp/i2.out 2>/tmp/i2.err
	rc=$?
	t3=$(now)
	[ $rc -eq 0 ] && grep -q '^images: 0 archive(s) loaded, 1 already in the daemon: nothing to load' /tmp/i2.out &&
		! grep -q 'loaded (id' /tmp/i2.out && ok "a re-run says the image is there and loads nothing" ||
		notok "re-run: exit $rc: $(tr '\n' '|' </tmp/i2.err | cut -c1-300) $(tr '\n' '|' </tmp/i2.out)"
	ev=$(loads "$t2" "$t3")
	[ -z "$ev" ] && ok "no load event during the re-run" || notok "load events during the re-run: $ev"
	$DD install "$@" --dry-run >/tmp/d.out 2>/tmp/d.err
	[ $? -eq 0 ] && grep -qx '  image dd-img:1: present' /tmp/d.out && ok "install --dry-run: the image present" ||
		notok "install --dry-run: $(tr '\n' '|' </tmp/d.out) $(tr '\n' '|' </tmp/d.err)"
	$DD install "$@" --json >/tmp/i3.out 2>/tmp/i3.err
	grep -q "\"images\":\[{\"tag\":\"dd-img:1\",\"id\":\"$ID\",\"result\":\"present\"}\]" /tmp/i3.out &&
		ok "install --json: the image present" || notok "install --json: $(cat /tmp/i3.out)"

	# --images DIR: a SHA256SUMS that does not vouch for the archive, then one that does.
	mkdir /tmp/drop && mv /tmp/drop.tar.gz /tmp/drop/ && DID=$(cat /tmp/drop.id)
	echo "$(sha256sum /tmp/drop/drop.tar.gz | cut -c1-63)0  drop.tar.gz" >/tmp/drop/SHA256SUMS
	t4=$(now)
	$DD install "$@" --images /tmp/drop >/tmp/i4.out 2>/tmp/i4.err
	rc=$?
	t5=$(now)
	[ $rc -eq 3 ] && [ "$(wc -l </tmp/i4.err)" = 1 ] && grep -q 'drop.tar.gz: SHA-256 is not the one in SHA256SUMS' /tmp/i4.err &&
		! has dd-drop:1 && [ -z "$(loads "$t4" "$t5")" ] &&
		ok "--images with a SHA256SUMS that does not match: exit 3, one line, nothing loaded" ||
		notok "--images, bad SHA256SUMS: exit $rc: $(tr '\n' '|' </tmp/i4.err | cut -c1-300)"
	(cd /tmp/drop && sha256sum drop.tar.gz >SHA256SUMS)
	$DD install "$@" --images /tmp/drop --dry-run >/tmp/d.out 2>/tmp/d.err
	[ $? -eq 0 ] && grep -qx '  image dd-drop:1: load' /tmp/d.out && ok "install --dry-run --images: the archive there to load" ||
		notok "install --dry-run --images: $(tr '\n' '|' </tmp/d.out) $(tr '\n' '|' </tmp/d.err)"
	$DD install "$@" --images /tmp/drop >/tmp/i5.out 2>/tmp/i5.err
	rc=$?
	[ $rc -eq 0 ] && has dd-drop:1 && [ "$(docker image inspect -f '{{.Id}}' dd-drop:1)" = "sha256:$DID" ] &&
		grep -q '^image dd-drop:1 loaded' /tmp/i5.out && grep -q '^images: 1 archive(s) loaded, 1 already' /tmp/i5.out &&
		ok "--images with a good SHA256SUMS loads the gzip archive there (and leaves the carried image be)" ||
		notok "--images: exit $rc: $(tr '\n' '|' </tmp/i5.err | cut -c1-300) $(tr '\n' '|' </tmp/i5.out)"

	# A payload whose image blob is damaged: exit 3, and the daemon sees no byte of it.
	docker rmi dd-img:1 >/dev/null 2>&1
	cp $DD /tmp/dmg && off=$(grep -obaF dd-e2e-image-marker /tmp/dmg | head -n 1 | cut -d: -f1) &&
		printf 'X' | dd of=/tmp/dmg bs=1 seek="$off" conv=notrunc 2>/dev/null
	t6=$(now)
	/tmp/dmg install "$@" >/tmp/i6.out 2>/tmp/i6.err
	rc=$?
	t7=$(now)
	[ $rc -eq 3 ] && grep -q 'image dd-img 1: SHA-256 mismatch' /tmp/i6.err && ! has dd-img:1 && [ -z "$(loads "$t6" "$t7")" ] &&
		ok "a damaged image blob: exit 3, nothing loaded" ||
		notok "damaged image blob: exit $rc: $(tr '\n' '|' </tmp/i6.err | cut -c1-300)"

	# An archive the daemon refuses (its layer left out): exit 1 with the daemon's message.
	# Its config names a layer nobody has (so the daemon needs the missing file).
	Z=0000000000000000000000000000000000000000000000000000000000000000
	mkdir -p /tmp/bad /tmp/x && tar -xf /tmp/img.tar -C /tmp/x && rm -r /tmp/x/*/layer.tar &&
		sed -i "s/diff_ids\":\[\"sha256:[0-9a-f]*/diff_ids\":[\"sha256:$Z/" "/tmp/x/$ID.json" &&
		BID=$(sha256sum "/tmp/x/$ID.json" | cut -c1-64) &&
		mv "/tmp/x/$ID.json" "/tmp/x/$BID.json" && sed -i "s/$ID/$BID/; s/dd-img:1/dd-bad:1/" /tmp/x/manifest.json &&
		(cd /tmp/x && tar -cf /tmp/bad/nolayer.tar -- *) && (cd /tmp/bad && sha256sum nolayer.tar >SHA256SUMS)
	$DD install "$@" --images /tmp/bad >/tmp/i8.out 2>/tmp/i8.err
	rc=$?
	[ $rc -eq 1 ] && [ "$(wc -l </tmp/i8.err)" = 1 ] && grep -q "nolayer.tar: the daemon did not load it: .*layer.tar" /tmp/i8.err &&
		ok "an archive the daemon refuses: exit 1, one line with the daemon's message ($(cut -c1-200 /tmp/i8.err))" ||
		notok "archive refused by the daemon: exit $rc: $(tr '\n' '|' </tmp/i8.err | cut -c1-400) $(tr '\n' '|' </tmp/i8.out)"

	# Images are data: uninstall leaves them, --purge takes /var/lib/docker.
	$DD install "$@" >/dev/null 2>&1 && has dd-img:1 || notok "install again after the damaged one"
	$DD uninstall >/tmp/u.out 2>/tmp/u.err
	[ $? -eq 0 ] && [ -n "$(find /var/lib/docker/image -name "$ID" 2>/dev/null)" ] &&
		ok "uninstall leaves the loaded images" || notok "uninstall: $(tr '\n' '|' </tmp/u.err)"

	# An archive that changes after install checked it (while the stopped daemon starts):
	# the load is cut off before its last byte, exit 3, the image not there.
	rm -f /var/run/docker.sock
	mkdir /tmp/race && mv /tmp/race.tar /tmp/race/ && (cd /tmp/race && sha256sum race.tar >SHA256SUMS)
	(i=0; while [ ! -S /var/run/docker.sock ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
	 printf 'X' | dd of=/tmp/race/race.tar bs=1 seek=2000 conv=notrunc 2>/dev/null) &
	t8=$(now)
	$DD install "$@" --images /tmp/race >/tmp/i9.out 2>/tmp/i9.err
	rc=$?
	t9=$(now)
	wait
	[ $rc -eq 3 ] && grep -q 'image race.tar: its archive changed since it was checked' /tmp/i9.err && ! has dd-race:1 &&
		[ -z "$(loads "$t8" "$t9" | grep -v " image load sha256:$ID ")" ] &&
		ok "an archive changed after the check: its load cut off, exit 3, not loaded" ||
		notok "archive changed after the check: exit $rc: $(tr '\n' '|' </tmp/i9.err | cut -c1-300) $(tr '\n' '|' </tmp/i9.out)"
	$DD uninstall --purge >/dev/null 2>/tmp/u.err
	[ $? -eq 0 ] && [ ! -e /var/lib/docker ] && ok "uninstall --purge removes them with /var/lib/docker" ||
		notok "uninstall --purge: $(tr '\n' '|' </tmp/u.err)"
	exit $((FAILS > 0))
fi

# ============================================================================================
# Inside the namespaces: the overlay root, then the chroot.
# ============================================================================================
if [ "${1-}" = --inner ]; then
	T=$2 LOWER=$3 R=$2/root
	ip link set lo up && mount --make-rprivate / && mkdir -p "$T/upper" "$T/work" "$R" &&
		mount -t overlay dd-e2e -o "lowerdir=$LOWER,upperdir=$T/upper,workdir=$T/work" "$R" &&
		mount -t proc proc "$R/proc" && mount --rbind /sys "$R/sys" && mount --rbind /dev "$R/dev" &&
		mount -t tmpfs -o mode=0755 dd-run "$R/run" && mount -t tmpfs -o mode=1777 dd-tmp "$R/tmp" ||
		{ notok "namespace: overlay root with /proc, /sys, /dev, /run, /tmp"; exit 1; }
	mount --make-rslave "$R/sys" "$R/dev" 2>/dev/null
	cp "$T/ddimg" "$T/img.tar" "$T/img.id" "$T/drop.tar.gz" "$T/drop.id" "$T/race.tar" "$R/tmp/" && cp "$0" "$R/tmp/test_images.sh" ||
		{ notok "copy into the root"; exit 1; }
	exec chroot "$R" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/tmp /bin/sh /tmp/test_images.sh --chroot
fi

# ============================================================================================
# Outside: the images, the bundle, the namespace session.
# ============================================================================================
cd "$(dirname "$0")/../.." || exit 1
DIST=${DIST:-dist} BUILD=${BUILD:-build}
[ "$(id -u)" = 0 ] || { skip "images end to end: needs root (namespaces, chroot)"; exit 0; }
for t in unshare chroot ip debootstrap; do
	command -v $t >/dev/null || { skip "images end to end: $t is not installed"; exit 0; }
done
# shellcheck disable=SC1090 # written by make
[ -x "$DIST/dockdrop" ] && [ -f "$BUILD/engine/engine.env" ] && . "./$BUILD/engine/engine.env" && [ -f "$ENGINE_FILE" ] ||
	{ notok "images end to end: $DIST/dockdrop and the engine tarball (make)"; exit 1; }
LOWER=$(sh tests/e2e/mkroot.sh) || { notok "images end to end: the Debian root could not be made"; exit 1; }
T=$(mktemp -d /tmp/dd-e2e-img.XXXXXX)
trap 'umount -R "$T/root" 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/l/bin" "$T/d/bin" && cp "$LOWER/bin/busybox" "$T/l/bin/busybox" && ln -s busybox "$T/l/bin/sh" &&
	echo dd-e2e-image-marker >"$T/l/marker" && cp -a "$T/l/bin" "$T/d/" && echo drop >"$T/d/drop" &&
	sh tests/tools/mksave.sh "$T/l" dd-img:1 "$T/img.tar" >"$T/img.id" &&
	sh tests/tools/mksave.sh "$T/d" dd-drop:1 "$T/drop.tar" >"$T/drop.id" && gzip -n "$T/drop.tar" &&
	mkdir "$T/r" && head -c 400000 /dev/urandom >"$T/r/data" && sh tests/tools/mksave.sh "$T/r" dd-race:1 "$T/race.tar" >/dev/null ||
	{ notok "images end to end: making the images (mksave.sh)"; exit 1; }
"$DIST/dockdrop" bundle -q --engine "$ENGINE_FILE" --sha256 "$ENGINE_SHA256" --engine-version "$ENGINE_VERSION" \
	--image "$T/img.tar" -o "$T/ddimg" || { notok "images end to end: bundle --image"; exit 1; }
timeout -k 10 "${DD_E2E_LIMIT:-300}" unshare --mount --net --pid --fork --kill-child --mount-proc \
	sh "$0" --inner "$T" "$LOWER"
rc=$?
[ $rc -eq 124 ] && notok "images end to end: the session did not finish within ${DD_E2E_LIMIT:-300} s"
exit $rc
