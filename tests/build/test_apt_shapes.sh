# `make` on a fresh Debian 12 machine, whatever its apt configuration. Two bookworm roots
# (the debootstrap'd root of tests/e2e/mkroot.sh, cached, as the lower layer of an overlay,
# so the cache is never changed): one whose sources are only a deb822
# /etc/apt/sources.list.d/debian.sources with Signed-By (no sources.list: today's cloud
# images and installers), one with a classic one-line /etc/apt/sources.list. In each, as
# root in a chroot on the machine's network (it reaches the Debian mirror the machine
# uses): a clean clone of the commit under test (HEAD: uncommitted changes are not in it),
# `.ci/run --deps-only`, `make` (in the one-line root without musl-tools, which make
# installs itself), then `apt-get update` still succeeds and /etc/apt is byte-identical to
# what it was before `.ci/run`.
# Before that, on the machine itself: apt accepts an inline Signed-By key the way apt.sh
# passes it on (a deb822 stanza carrying the Debian archive key, armored by gpg).
# Downloads reused: the .debs the roots install (apt's archives directory is an overlay on
# /var/cache/dockdrop-test/build-debs, new ones kept there; apt checks each against the
# signed index), and the engine's packages, downloaded in the deb822 root and given to the
# one-line root. The pinned sources are fetched through third_party/apt.sh in both.
#   DD_BUILD_LIMIT=900   seconds for each root's session
set -u

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }
now() { date +%s; }
# The tree's names, types, modes, owners, sizes, link targets and contents' digests.
tree_list() {
	(cd "$1" && find . -printf '%p %y %m %U:%G %s %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}
tail_log() { tail -n "${2:-15}" "$1" 2>/dev/null | sed 's/^/#   /'; }

# ============================================================================================
# In the chroot (root): SHAPE MIRROR SECURITY-MIRROR
# ============================================================================================
if [ "${1-}" = --chroot ]; then
	# This part rewrites /etc/apt: only ever inside the throw-away root --inner made.
	[ -f /.dd-build-test-root ] || { notok "--chroot outside the test root: refused"; exit 1; }
	shape=$2 mirror=$3 security=$4
	export DEBIAN_FRONTEND=noninteractive
	rm -f /etc/apt/sources.list /etc/apt/sources.list.d/*
	if [ "$shape" = deb822 ]; then
		cat >/etc/apt/sources.list.d/debian.sources <<-X
			Types: deb
			URIs: $mirror
			Suites: bookworm bookworm-updates
			Components: main
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

			Types: deb
			URIs: $security
			Suites: bookworm-security
			Components: main
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		X
	else
		printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
			"$mirror" "$mirror" "$security" >/etc/apt/sources.list
	fi
	tree_list /etc/apt >/tmp/etc-apt.before
	# No fsync per unpacked file (a throw-away root; dpkg's own setting, not apt's).
	echo force-unsafe-io >/etc/dpkg/dpkg.cfg.d/dd-test-unsafe-io
	cd /src || exit 1
	t0=$(now)
	if bash .ci/run --deps-only >/tmp/deps.log 2>&1; then
		ok "$shape: .ci/run --deps-only installs the dependencies ($(($(now) - t0)) s)"
	else
		notok "$shape: .ci/run --deps-only failed; the end of its log:"
		tail_log /tmp/deps.log
		exit 1
	fi
	t1=$(now)
	if [ "$shape" = oneline ]; then
		# A machine without musl-tools: make installs it itself (third_party/prereq.sh).
		apt-get purge -y -qq musl-tools musl-dev >/dev/null 2>&1
		command -v musl-gcc >/dev/null && { notok "$shape: musl-tools still installed after purge"; exit 1; }
	fi
	if nice make -j2 >/tmp/make.log 2>&1; then
		ok "$shape: make in a clean clone succeeds ($(($(now) - t1)) s)"
	else
		notok "$shape: make failed; the end of its log:"
		tail_log /tmp/make.log 25
	fi
	if [ "$shape" = oneline ]; then
		if grep -q '^dockdrop build: apt-get update && apt-get install -y musl-tools' /tmp/make.log &&
			command -v musl-gcc >/dev/null; then
			ok "$shape: make installed the missing musl-tools with the machine's apt"
		else
			notok "$shape: make did not install musl-tools: $(grep -m3 'dockdrop build' /tmp/make.log | tr '\n' '|')"
		fi
	fi
	if grep -q '^dockdrop build: apt-get update (private lists in /src/build/apt)' /tmp/make.log &&
		grep -q '^dockdrop build: apt-get source --download-only bearssl=' /tmp/make.log &&
		[ -f build/third_party/src/.stamp ]; then
		ok "$shape: the pinned sources came through apt.sh's private configuration (build/apt), digests checked"
	else
		notok "$shape: no apt-get source through build/apt in make's log"
	fi
	./dist/dockdrop verify >/tmp/verify.log 2>&1
	check_rc=$?
	if [ $check_rc -eq 0 ]; then
		ok "$shape: dist/dockdrop verifies"
	else
		notok "$shape: dist/dockdrop verify exit $check_rc: $(tr '\n' '|' </tmp/verify.log)"
	fi
	apt-get update >/tmp/update.log 2>&1
	rc=$?
	if [ $rc -eq 0 ] && ! grep -q '^[EW]:' /tmp/update.log; then
		ok "$shape: apt-get update still succeeds after make"
	else
		notok "$shape: apt-get update after make: exit $rc"
		tail_log /tmp/update.log
	fi
	tree_list /etc/apt >/tmp/etc-apt.after
	if cmp -s /tmp/etc-apt.before /tmp/etc-apt.after; then
		ok "$shape: /etc/apt byte-identical after .ci/run and make ($(grep -c ' f ' /tmp/etc-apt.after) files)"
	else
		notok "$shape: /etc/apt changed: $(diff /tmp/etc-apt.before /tmp/etc-apt.after | grep '^[<>]' | tr '\n' '|')"
	fi
	if [ "$shape" = deb822 ]; then
		# A machine an older build broke (its one-line deb-src entry without Signed-By):
		# make names the file to remove, and still builds (apt.sh leaves that entry out).
		old=/etc/apt/sources.list.d/dockdrop-src.list
		echo 'deb-src http://deb.debian.org/debian bookworm main' >$old
		make >/tmp/make2.log 2>&1
		rc=$?
		if [ $rc -eq 0 ] && grep -q "^dockdrop build: note: apt cannot read its sources; $old (added by an older dockdrop build) conflicts with them: remove it" /tmp/make2.log &&
			! sh third_party/apt.sh build/apt --print | grep -qv signed-by=; then
			ok "$shape: with an older build's $old, make says to remove it and still builds"
		else
			notok "$shape: with an older build's $old: make exit $rc: $(grep -m3 'dockdrop build' /tmp/make2.log | tr '\n' '|')"
		fi
		rm -f $old
	fi
	echo "# timing: $shape: .ci/run --deps-only $((t1 - t0)) s, make and checks $(($(now) - t1)) s"
	exit 0
fi

# ============================================================================================
# In the namespaces (unshare --mount --pid --fork --kill-child --mount-proc; the machine's
# network): T LOWER DEBS SHAPE MIRROR SECURITY-MIRROR. The overlay root, then chroot.
# ============================================================================================
if [ "${1-}" = --inner ]; then
	T=$2 LOWER=$3 DEBS=$4
	shift 4
	R=$T/root
	mount --make-rprivate /
	mkdir -p "$T/upper" "$T/work" "$T/debs-upper" "$T/debs-work" "$R"
	if ! mount -t overlay dd-build -o "lowerdir=$LOWER,upperdir=$T/upper,workdir=$T/work" "$R" ||
		! mount -t overlay dd-build-debs \
			-o "lowerdir=$DEBS,upperdir=$T/debs-upper,workdir=$T/debs-work" "$R/var/cache/apt/archives" ||
		! mount -t proc proc "$R/proc" || ! mount --rbind /sys "$R/sys" ||
		! mount --rbind /dev "$R/dev" || ! mount -t tmpfs -o mode=0755 dd-run "$R/run"; then
		notok "namespace: overlay root with /proc, /sys, /dev, /run and the shared .debs"
		exit 1
	fi
	mount --make-rslave "$R/sys" "$R/dev" 2>/dev/null
	rm -f "$R/etc/resolv.conf" && cp -L /etc/resolv.conf "$R/etc/resolv.conf" &&
		cp -a "$T/clone" "$R/src" && cp "$T/test.sh" "$R/tmp/test.sh" && : >"$R/.dd-build-test-root" ||
		{ notok "namespace: the clone, the test and resolv.conf into the root"; exit 1; }
	if [ -d "$T/engine-debs" ]; then
		mkdir -p "$R/src/build/engine" && cp -a "$T/engine-debs" "$R/src/build/engine/debs"
	fi
	exec chroot "$R" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 /bin/sh /tmp/test.sh --chroot "$@"
fi

# ============================================================================================
# Outside.
# ============================================================================================
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
CACHE=${DD_TEST_CACHE:-/var/cache/dockdrop-test}
LIMIT=${DD_BUILD_LIMIT:-900}
if [ "$(id -u)" != 0 ]; then
	skip "build on fresh roots: needs root (namespaces, chroot)"
	exit 0
fi
for t in unshare chroot debootstrap git gpg timeout; do
	command -v $t >/dev/null || { skip "build on fresh roots: $t is not installed"; exit 0; }
done
git rev-parse HEAD >/dev/null 2>&1 || { skip "build on fresh roots: not a git checkout"; exit 0; }

# The mirror this machine uses (as mkroot.sh finds it), and its security twin.
src_uris() {
	sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | tr ' \t' '\n\n'
	awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
}
mirror=$(src_uris | grep -m1 '^http[^ ]*/debian/*$' | sed 's,/*$,,')
security=$(src_uris | grep -m1 '^http[^ ]*/debian-security/*$' | sed 's,/*$,,')
mirror=${mirror:-http://deb.debian.org/debian}
security=${security:-${mirror%/debian}/debian-security}

W=$(mktemp -d /var/tmp/dd-build.XXXXXX)
# (The mounts live in each session's mount namespace and end with it.)
trap 'rm -rf "$W"' EXIT
start=$(now)

# An inline Signed-By key, on the machine: the private list apt.sh derives from a deb822
# stanza carrying the Debian archive key passes apt's signature check (and fails with a
# key that did not sign the archive).
mkdir -p "$W/gpg" "$W/inline/sources.list.d" "$W/other/sources.list.d"
chmod 700 "$W/gpg"
inline() { # KEYRING ETC
	{
		printf 'Types: deb\nURIs: %s\nSuites: bookworm\nComponents: main\nSigned-By:\n' "$mirror"
		GNUPGHOME=$W/gpg gpg -q --no-default-keyring --keyring "$1" --export --armor 2>/dev/null |
			sed -e 's/^$/./' -e 's/^/ /'
	} >"$2/sources.list.d/inline.sources"
}
inline /usr/share/keyrings/debian-archive-keyring.gpg "$W/inline"
DD_APT_ETC=$W/inline timeout 300 sh third_party/apt.sh "$W/apt-inline" -- \
	source --print-uris -qq zlib >"$W/inline.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "^'http.*/zlib_.*\.dsc'" "$W/inline.out" && ! grep -q 'note:' "$W/inline.out"; then
	ok "apt.sh: a deb822 inline Signed-By key is used (apt verified the archive with it)"
else
	notok "apt.sh with an inline key: exit $rc: $(head -c 400 "$W/inline.out" | tr '\n' '|')"
fi
# Debian's retired archive keys (debian-archive-keyring) did not sign bookworm: the update
# must fail the signature check.
other=/usr/share/keyrings/debian-archive-removed-keys.gpg
inline "$other" "$W/other"
DD_APT_ETC=$W/other timeout 300 sh third_party/apt.sh "$W/apt-other" -- \
	source --print-uris -qq zlib >"$W/other.out" 2>&1
rc=$?
check_sig=$(grep -c 'NO_PUBKEY\|signatures couldn.t be verified\|not signed' "$W/other.out")
if [ $rc -ne 0 ] && [ "$check_sig" -gt 0 ]; then
	ok "apt.sh: an inline key that did not sign the archive is refused ($(basename "$other"))"
else
	notok "apt.sh with a wrong inline key: exit $rc: $(head -c 400 "$W/other.out" | tr '\n' '|')"
fi

LOWER=$(sh tests/e2e/mkroot.sh) || { notok "build on fresh roots: the Debian root could not be made"; exit 1; }
DEBS=$CACHE/build-debs
mkdir -p "$DEBS"
# Old versions leave the shared cache after 60 days unused (a current one is fetched again).
find "$DEBS" -maxdepth 1 -name '*.deb' -mtime +60 -delete 2>/dev/null

for shape in deb822 oneline; do
	T=$W/$shape
	mkdir -p "$T"
	# Only the commit itself (--depth 1) when it is the tip the clone gets, else all.
	head=$(git rev-parse HEAD)
	git clone -q --depth 1 "file://$top" "$T/clone" 2>/dev/null &&
		[ "$(git -C "$T/clone" rev-parse HEAD)" = "$head" ] ||
		{ rm -rf "$T/clone" && git clone -q --no-hardlinks "$top" "$T/clone" &&
			git -C "$T/clone" checkout -q "$head"; } ||
		{ notok "$shape: git clone of $head"; continue; }
	cp "$0" "$T/test.sh"
	[ -d "$W/engine-debs" ] && cp -a "$W/engine-debs" "$T/engine-debs"
	timeout -k 10 "$LIMIT" unshare --mount --pid --fork --kill-child --mount-proc \
		sh "$0" --inner "$T" "$LOWER" "$DEBS" "$shape" "$mirror" "$security"
	rc=$?
	if [ $rc -eq 124 ]; then
		notok "$shape: the session did not finish within $LIMIT s"
	elif [ $rc -ne 0 ]; then
		notok "$shape: the namespace session exited $rc (unshare, overlay or chroot failed)"
	fi
	# Keep what apt downloaded for the next run (complete files only, renamed into place).
	for f in "$T/debs-upper"/*.deb; do
		[ -f "$f" ] && [ ! -e "$DEBS/${f##*/}" ] && cp "$f" "$DEBS/.${f##*/}.tmp" &&
			mv "$DEBS/.${f##*/}.tmp" "$DEBS/${f##*/}"
	done
	eng=$T/upper/src/build/engine/debs
	[ "$shape" = deb822 ] && ls "$eng"/docker.io_*.deb >/dev/null 2>&1 && cp -a "$eng" "$W/engine-debs"
	rm -rf "$T"
done
echo "# timing: whole build test $(($(now) - start)) s"
