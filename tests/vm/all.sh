#!/bin/bash
# tests/vm/all.sh [VARIANT...]: tests/vm/run.sh for each image, one after the other (one VM
# at a time: qemu TCG takes every core it gets), then a table: image, result, boot and test
# seconds, image build seconds (measured when the image was built and kept beside it, so
# a cached image shows its build's time too). `make test-vm-all` runs every amd64 image;
# tests/run.sh's vm suite runs DD_VM_VARIANTS (the set that fits CI). arm64-systemd is the
# arm64 systemd image (run.sh's ARCH=arm64) with the arm64 build: DD_ARM64 and
# DD_ARM64_DIST (as make test sets them; default BUILD/arm64 and DIST/arm64).
# Ends with the usual "N passed, N failed, N skipped" over all the images' lines.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- systemd nft sysv openrc apparmor
out=$(mktemp)
table=$(mktemp)
trap 'rm -f "$out" "$table"' EXIT
for v in "$@"; do
	echo "# --- vm image $v"
	t=$SECONDS
	# run.sh's lines once each, named after the image; its own failure list and summary
	# are left out (the table and the summary below cover every image).
	case $v in
	arm64-*)
		b=${BUILD:-build} d=${DIST:-dist}
		run=(env ARCH=arm64 VARIANT="${v#arm64-}" BUILD="${DD_ARM64:-$b/arm64}"
			DIST="${DD_ARM64_DIST:-$d/arm64}" DD_VM_HOST_BUILD="$b")
		;;
	*) run=(env VARIANT="$v") ;;
	esac
	"${run[@]}" bash "$HERE/run.sh" 2>&1 | awk -v v="$v" '
		/^Failures:$/ { skip = 1; next }
		/^[0-9]+ passed, [0-9]+ failed/ { skip = 0; next }
		skip && /^not ok - / { next }
		{ skip = 0; sub(/^ok - vm: /, "ok - vm " v ": "); sub(/^not ok - vm: /, "not ok - vm " v ": ")
		  sub(/^skip - vm: /, "skip - vm " v ": "); print; fflush() }' | tee "$out.$v"
	line=$(grep '^# vm-result ' "$out.$v" | tail -n 1)
	if [ -z "$line" ]; then
		line="# vm-result $v FAIL $((SECONDS - t)) ?"
		grep -q '^not ok - ' "$out.$v" || echo "not ok - vm $v: run.sh ended without a result" | tee -a "$out.$v"
	fi
	echo "$line" >>"$table"
	grep -E '^(ok|not ok|skip) - ' "$out.$v" >>"$out"
	rm -f "$out.$v"
done
echo "# image         result  boot+test s  image build s"
while read -r _ _ v r s b; do
	printf '# %-13s %-7s %11s  %13s\n' "$v" "$r" "$s" "$b"
done <"$table"
pass=$(grep -c '^ok - ' "$out")
fail=$(grep -c '^not ok - ' "$out")
nskip=$(grep -c '^skip - ' "$out")
if [ "$fail" -gt 0 ]; then
	echo "# Failures:"
	grep '^not ok - ' "$out" | sed 's/^/#   /'
fi
echo "$pass passed, $fail failed, $nskip skipped"
[ "$fail" -eq 0 ]
