# Reproducible builds: one commit (HEAD) built twice, at different paths (different lengths
# and depths), at different times, with a different umask, TZ and locale, sharing only the
# verified source downloads (THIRD_PARTY_DIR: fetch.sh checks each digest again) and the
# engine's .debs. What is compared is what `make release` builds: for every architecture
# the Makefile releases, the stub (BUILD/dockdrop), the bundle (DIST/dockdrop), the engine
# and iptables tarballs it carries, the Azure handler zip, and release/out (the artifacts,
# their SBOMs, the manual page, SHA256SUMS). Every one must be byte-identical; a difference
# names the file and the first differing byte. No output may hold either build's path. The
# comparison itself is shown to catch a changed byte.
# The first build is this checkout's own, as make test made it, when it is of HEAD: no
# tracked file changed, BUILD is its build/, and every stub and bundle names HEAD's commit
# (make test in CI: one more build, in a fresh clone). Otherwise both are fresh clones, the
# second started a minute after the first (DD_REPRO_GAP seconds; the two overlap: a build
# leaves one of two cores idle half of its time, in configure scripts, links and gzip).
#   DD_REPRO_LIMIT=1800   seconds for each build
#   DD_REPRO_GAP=60       seconds between the two starts of two clones; the first is waited
#                         for when it ends before (DD_REPRO_GAP=serial: one after the other)
#   DD_REPRO_CLONES=2     two clones even when this checkout's build is of HEAD
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# This checkout's build (make test exports BUILD: kept apart, never given to a clone's make).
bld=${BUILD:-build}
case $bld in /*) ;; *) bld=$top/$bld ;; esac
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
now() { date +%s; }
limit=${DD_REPRO_LIMIT:-1800}
gap=${DD_REPRO_GAP:-60}

# The commit both build, even if HEAD moves meanwhile.
rev=$(git rev-parse HEAD) || { notok "not a git checkout"; exit 1; }
dl=$bld/third_party/dl
[ -d "$dl" ] || { notok "no verified downloads in $dl (make first)"; exit 1; }
arches=$(sed -n 's/^RELEASE_ARCHES := //p' Makefile)
[ -n "$arches" ] || { notok "no RELEASE_ARCHES in the Makefile"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/dd-repro-XXXXXX")
trap 'rm -rf "$T"' EXIT
# Two paths of different lengths and depths.
A=$T/a
B=$T/second-build/of/the/same/commit

# build DIR UMASK TZ LOCALE: a clean clone of HEAD, the shared inputs, make release.
build() {
	dir=$1
	{ git clone -q --no-hardlinks "$top" "$dir" && git -C "$dir" checkout -q --detach "$rev"; } ||
		{ notok "git clone into $dir and checkout $rev"; return 1; }
	for a in $arches; do
		case $a in amd64) b=build ;; *) b=build/$a ;; esac
		if [ -d "$top/$b/engine/debs" ]; then
			mkdir -p "$dir/$b/engine" && cp -a "$top/$b/engine/debs" "$dir/$b/engine/"
		fi
	done
	b0=$(now)
	(
		# The clone's make sees none of make test's settings (BUILD, DIST, DD_APT_DIR, the
		# make flags...): its own defaults, as a user's first make.
		cd "$dir" && umask "$2" &&
			exec env -u BUILD -u DIST -u TP -u ARCH -u DD_APT_DIR -u MAKEFLAGS -u MFLAGS \
				-u MAKELEVEL -u SIGN_KEY -u SIGN_PUB -u SOURCE_DATE_EPOCH -u DD_ARM64 \
				-u DD_ARM64_DIST TZ="$3" LC_ALL="$4" LANG="$4" \
				timeout "$limit" nice make -j2 THIRD_PARTY_DIR="$dl" release
	) >"$dir.log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		ok "make release in $dir (umask $2, TZ=$3, LC_ALL=$4), from $(date -d @"$b0" +%T): $(($(now) - b0)) s"
	else
		notok "make release in $dir: exit $rc after $(($(now) - b0)) s; the end of its log:"
		tail -n 20 "$dir.log" | sed 's/^/#   /'
		return 1
	fi
}

# The outputs compared, relative to a clone: every architecture's.
outputs() {
	for a in $arches; do
		case $a in amd64) b=build d=dist ;; *) b=build/$a d=dist/$a ;; esac
		echo "$b/dockdrop"
		echo "$d/dockdrop"
		(cd "$1" && ls "$b"/engine/docker-*.tgz "$b"/engine/engine.parts "$b"/carry/iptables-*.tgz \
			"$d"/azure/*.zip 2>/dev/null)
	done
	(cd "$1" && find release/out -type f | LC_ALL=C sort)
}

# same X Y NAME: byte-identical, or the first differing byte named.
same() {
	if [ ! -f "$1" ] || [ ! -f "$2" ]; then
		echo "$3: missing in one build"
		return 1
	fi
	d=$(cmp "$1" "$2" 2>&1) && return 0
	n=$(echo "$d" | sed -n 's/.* differ: byte \([0-9]*\),.*/\1/p')
	if [ -n "$n" ]; then
		echo "$3: differs first at offset $((n - 1)) ($(stat -c %s "$1") and $(stat -c %s "$2") bytes)"
	else
		echo "$3: $d"
	fi
	return 1
}

# This checkout as the first build: HEAD's, clean, with make release's outputs in build/.
# No change to a tracked file and no untracked file but the build's outputs (make compiles
# every src/*.c); every stub and bundle names HEAD's commit, not "-dirty".
ours() {
	[ "${DD_REPRO_CLONES:-1}" != 2 ] && [ "$bld" = "$top/build" ] && [ -d release/out ] || return 1
	st=$(git status --porcelain -- . ':!build' ':!dist' ':!release/out' ':!**/__pycache__') &&
		[ -z "$st" ] || return 1
	short=$(git rev-parse --short=12 HEAD)
	for a in $arches; do
		case $a in amd64) b=build d=dist ;; *) b=build/$a d=dist/$a ;; esac
		for f in "$b/dockdrop" "$d/dockdrop" "release/out/dockdrop-$(sed -n 's/^VERSION := //p' Makefile)-$a"; do
			grep -qaF "$short" "$f" 2>/dev/null && ! grep -qaF "$short-dirty" "$f" || return 1
		done
	done
}
locale -a 2>/dev/null | grep -qix 'en_US.utf8' && loc2=en_US.UTF-8 || loc2=C.UTF-8
t0=$(now)
if ours; then
	A=$top
	echo "# commit $rev, arches: $arches; this checkout's build (make test's) and a clone in $B"
	ok "the first build is this checkout's, of HEAD ($(git rev-parse --short=12 HEAD)), made $(date -r release/out +%T)" >"$T/a.status"
	# A minute apart at least, as two clones are (make test's build is long done by now).
	i=0
	[ "$gap" = serial ] || while [ $i -le "$gap" ] && [ $(($(now) - $(date -r release/out +%s))) -le "$gap" ]; do
		sleep 1
		i=$((i + 1))
	done
	build "$B" 077 Pacific/Chatham "$loc2" >"$T/b.status"
elif [ "$gap" = serial ]; then
	echo "# commit $rev, arches: $arches; clones $A and $B"
	build "$A" 022 UTC C >"$T/a.status" && build "$B" 077 Pacific/Chatham "$loc2" >"$T/b.status"
else
	echo "# commit $rev, arches: $arches; clones $A and $B"
	build "$A" 022 UTC C >"$T/a.status" &
	pid=$!
	# Every time stamp a tool might take differs by a minute at least (the clock's other
	# fields, the date, could only differ across midnight, for two builds in a row too).
	i=0
	while [ $i -lt "$gap" ] && kill -0 $pid 2>/dev/null; do sleep 1; i=$((i + 1)); done
	sleep 1
	build "$B" 077 Pacific/Chatham "$loc2" >"$T/b.status"
	wait $pid
fi
cat "$T/a.status" "$T/b.status" 2>/dev/null
grep -q '^not ok' "$T/a.status" "$T/b.status" && exit 1
[ -s "$T/b.status" ] || exit 1
echo "# both built in $(($(now) - t0)) s"

outputs "$A" >"$T/list.a"
outputs "$B" >"$T/list.b"
if cmp -s "$T/list.a" "$T/list.b"; then
	ok "both builds made the same $(wc -l <"$T/list.a") outputs: $(tr '\n' ' ' <"$T/list.a" | cut -c1-300)"
else
	notok "the builds made different outputs: $(diff "$T/list.a" "$T/list.b" | grep '^[<>]' | tr '\n' '|')"
fi
bad=0
while read -r f; do
	if why=$(same "$A/$f" "$B/$f" "$f"); then
		ok "$f: byte-identical ($(stat -c %s "$A/$f") bytes)"
	else
		notok "$why"
		bad=$((bad + 1))
	fi
done <"$T/list.a"
[ "$(grep -c '/dockdrop$' "$T/list.a")" -ge 2 ] || notok "no stub or bundle among the outputs"

# No build path in any output (-ffile-prefix-map, and nothing else keeping one).
found=""
while read -r f; do
	for d in "$A" "$B"; do
		grep -qaF -e "$A" -e "$B" -e "$top" "$d/$f" && found="$found $f"
		case $f in *.tgz)
			tar -xzf "$d/$f" -O 2>/dev/null | grep -qaF -e "$A" -e "$B" -e "$top" && found="$found $f(members)" ;;
		esac
	done
done <"$T/list.a"
[ -z "$found" ] && ok "no output holds either build's path or $top" || notok "build paths in:$found"

# The comparison catches one changed byte, and names the file and where.
f=$(grep -m1 '/dockdrop$' "$T/list.a")
cp "$B/$f" "$T/flipped"
size=$(stat -c %s "$T/flipped")
off=$((size / 2))
printf '\001' | dd of="$T/flipped" bs=1 seek=$off conv=notrunc 2>/dev/null
cmp -s "$T/flipped" "$B/$f" && printf '\002' | dd of="$T/flipped" bs=1 seek=$off conv=notrunc 2>/dev/null
why=$(same "$A/$f" "$T/flipped" "$f") && notok "a flipped byte went unnoticed" ||
	{ echo "$why" | grep -q "at offset $off " && ok "a flipped byte is caught: $why" ||
		notok "a flipped byte: $why"; }
exit 0
