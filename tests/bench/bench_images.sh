#!/bin/bash
# Image loading benchmark (issue 13), side by side in one run, in the Debian root of the
# end-to-end test (tests/e2e/mkroot.sh; one overlay, one namespace session), with the
# engine installed and running first (dist/dockdrop install --init none, vfs):
#   dockdrop      a dockdrop carrying the image set runs install: the engine is in place, the
#                 image blobs are hashed, then each archive is streamed to POST /images/load
#                 while hashed again, and its images looked up before and after
#   docker load   `docker load -i` of the same archives, one after the other
# The image set is made at test time: IMAGES images (default 4) of one layer each of random
# bytes (100 MB in all, so gzip cannot shrink it), saved by tests/tools/mksave.sh. Between
# rounds every image is removed (docker rmi); rounds alternate which goes first; medians
# are reported, with the cost of an install that finds every image present (nothing
# loaded). Run by hand:
#   bash tests/bench/bench_images.sh [ROUNDS]     (default 3)
set -u

if [ "${1-}" = --inner ]; then
	T=$2 LOWER=$3 ROUNDS=$4 N=$5
	R=$T/root
	ip link set lo up && mount --make-rprivate / && mkdir -p "$T/upper" "$T/work" "$R" &&
		mount -t overlay dd-bench -o "lowerdir=$LOWER,upperdir=$T/upper,workdir=$T/work" "$R" &&
		mount -t proc proc "$R/proc" && mount --rbind /sys "$R/sys" && mount --make-rslave "$R/sys" &&
		mount --rbind /dev "$R/dev" && mount --make-rslave "$R/dev" &&
		mount -t tmpfs dd-run "$R/run" && mount -t tmpfs -o mode=1777 dd-tmp "$R/tmp" ||
		{ echo "bench_images: root setup failed" >&2; exit 1; }
	cp "$T/dockdrop" "$T/ddimg" "$T"/img*.tar "$R/tmp/" || exit 1
	in_root() { chroot "$R" /usr/bin/env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
	OPTS=(--init none --no-tcp --daemon-opt iptables=false --daemon-opt ip6tables=false
		--daemon-opt 'bridge="none"' --daemon-opt 'storage-driver="vfs"')
	in_root /tmp/dockdrop install -q "${OPTS[@]}" >"$T/i0.out" 2>&1 ||
		{ echo "bench_images: the engine install failed:"; tail -5 "$T/i0.out"; exit 1; }
	ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
	rmi() { in_root docker rmi $(seq -f 'dd-bench:%g' 1 "$N") >/dev/null 2>&1; sync; }
	declare -a A B C
	for r in $(seq "$ROUNDS"); do
		for which in $( [ $((r % 2)) = 1 ] && echo "dd load" || echo "load dd"); do
			rmi
			t0=$EPOCHREALTIME
			if [ $which = dd ]; then
				in_root /tmp/ddimg install "${OPTS[@]}" >"$T/dd.out" 2>&1 &&
					grep -q "^images: $N archive(s) loaded" "$T/dd.out" ||
					{ echo "bench_images: dockdrop install failed:"; tail -5 "$T/dd.out"; exit 1; }
				t1=$EPOCHREALTIME; A+=("$(ms "$t0" "$t1")")
				in_root /tmp/ddimg install "${OPTS[@]}" >"$T/dd2.out" 2>&1 &&
					grep -q "nothing to load" "$T/dd2.out" || { echo "bench_images: re-run:"; cat "$T/dd2.out"; exit 1; }
				C+=("$(ms "$t1" "$EPOCHREALTIME")")
			else
				for i in $(seq "$N"); do
					in_root docker load -q -i "/tmp/img$i.tar" >/dev/null || { echo "bench_images: docker load failed"; exit 1; }
				done
				t1=$EPOCHREALTIME; B+=("$(ms "$t0" "$t1")")
			fi
		done
	done
	med() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
	ma=$(med "${A[@]}") mb=$(med "${B[@]}") mc=$(med "${C[@]}")
	echo "loading $N images ($(du -cm "$T"/img*.tar | tail -n 1 | cut -f1) MB), median of $ROUNDS (ms): dockdrop install $ma  docker load $mb"
	echo "  dockdrop install runs: ${A[*]}"
	echo "  docker load runs:      ${B[*]}"
	echo "  dockdrop install with every image present (stub, engine and image blobs verified, nothing loaded): $mc ms (runs: ${C[*]})"
	awk -v a="$ma" -v b="$mb" -v c="$mc" 'BEGIN { printf "  dockdrop install / docker load = %.2fx; without install'"'"'s fixed cost (%d ms): %.2fx\n", a / b, c, (a - c) / b }'
	exit 0
fi

cd "$(dirname "$0")/../.." || exit 1
DIST=${DIST:-dist}
BUILD=${BUILD:-build}
N=${IMAGES:-4} ROUNDS=${1:-3}
[ "$(id -u)" = 0 ] || { echo "bench_images: needs root" >&2; exit 1; }
[ -x "$DIST/dockdrop" ] || { echo "bench_images: no $DIST/dockdrop (make)" >&2; exit 1; }
# shellcheck disable=SC1090 # written by make
. "./$BUILD/engine/engine.env" || exit 1
LOWER=$(sh tests/e2e/mkroot.sh) || exit 1
T=$(mktemp -d /tmp/dd-bench-images.XXXXXX)
trap 'umount -R "$T/root" 2>/dev/null; rm -rf "$T"' EXIT
set --
for i in $(seq "$N"); do
	mkdir -p "$T/l$i" && head -c $((100 * 1024 * 1024 / N)) /dev/urandom >"$T/l$i/data" &&
		sh tests/tools/mksave.sh "$T/l$i" "dd-bench:$i" "$T/img$i.tar" >/dev/null && rm -rf "$T/l$i" || exit 1
	set -- "$@" --image "$T/img$i.tar"
done
cp "$DIST/dockdrop" "$T/dockdrop" &&
	"$DIST/dockdrop" bundle -q --engine "$ENGINE_FILE" --sha256 "$ENGINE_SHA256" --engine-version "$ENGINE_VERSION" \
		"$@" -o "$T/ddimg" || { echo "bench_images: bundle failed" >&2; exit 1; }
timeout -k 10 1800 unshare --mount --net --pid --fork --kill-child --mount-proc \
	bash "$0" --inner "$T" "$LOWER" "$ROUNDS" "$N"
