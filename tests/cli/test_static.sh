# The product binary: static, stripped, small, and runnable with no libc on the system.
. "$(dirname "$0")/lib.sh"

desc=$(file -b "$DOCKDROP")
check "file says statically linked ($desc)" sh -c "echo '$desc' | grep -q 'statically linked'"
check "file says stripped" sh -c "echo '$desc' | grep -q ', stripped'"
check "no program interpreter (readelf -l)" sh -c "! readelf -l '$DOCKDROP' | grep -q INTERP"
check "no dynamic section (readelf -d)" sh -c "readelf -d '$DOCKDROP' | grep -q 'no dynamic section'"
# The code on pages of its own (release/stub.ld moves .rodata, never into the code): one
# executable segment, not writable, holding .init .text .fini and nothing else.
code=$(readelf -lW "$DOCKDROP" | awk '$1 == "LOAD" { n++; if ($7 $8 ~ /E/) { e++; f = $7 $8; i = n - 1 } }
	/^ *[0-9][0-9] / && $1 + 0 == i { $1 = ""; s = $0 } END { print e + 0, f, s }')
if [ "$DD_ARCH" = aarch64 ]; then
	# aarch64: binutils' default layout there, read-only data in the code segment. Its pages
	# may be 64 KB, and code on pages of its own (-z separate-code) would pad the file by up
	# to 64 KB on each side of it (413,384 -> 527,480 bytes, measured); what stays checked is
	# one segment that runs and is never writable.
	check "one code segment, R E, .rodata .init .text .fini ($code)" \
		test "$code" = "1 RE  .rodata .init .text .fini"
else
	check "one code segment, R E, with .init .text .fini only ($code)" test "$code" = "1 RE  .init .text .fini"
fi

size=$(stat -c %s "$DOCKDROP")
# Both architectures' stubs: aarch64's is the same code in fixed 4-byte instructions
# (409,504 bytes when amd64's has 391,936).
echo "# stub size: $size bytes (limit 409600)"
check "$DD_ARCH stub size $size bytes is under 400 KB (409600)" test "$size" -lt 409600

# The stub formats with util/fmt.c, not musl's vfprintf: no format in src/ may need what it
# does not have (floating point, %n, positional arguments). "%%" is taken first.
top=$(cd "$(dirname "$0")/../.." && pwd)
floats=$(cd "$top" && grep -rnoE --include='*.c' '%%|%[-+ #0]*([0-9]+|\*)?(\.([0-9]+|\*)?)?(hh|h|ll|l|z|j|t|L)?[aeEfFgGn]|%[0-9]+\$' src |
	grep -v ':%%$' | tr '\n' ' ')
check "no format in src/ needs floating point, %n or positional arguments (util/fmt.h)${floats:+: $floats}" test -z "$floats"

if [ "$(id -u)" != 0 ]; then
	skip "runs alone in an empty chroot: needs root"
	exit 0
fi
root="$T_TMP/chroot"
mkdir -p "$root"
cp "$DOCKDROP" "$root/dockdrop"
# Under qemu-user the (static) emulator goes in beside it, and runs it.
emu=""
if [ -n "$DD_EMU" ]; then
	cp "$(command -v "$DD_EMU")" "$root/emu" && emu=/emu
fi
run chroot "$root" $emu /dockdrop version
if [ $rc -eq 0 ] && head -1 "$T_TMP/out" | grep -q '^dockdrop [0-9]' &&
	[ "$(ls -A "$root" | tr '\n' ' ')" = "dockdrop ${emu:+emu }" ]; then
	ok "runs alone in an empty chroot${emu:+ (beside qemu-user)}: $(head -1 "$T_TMP/out")"
else
	notok "chroot run: exit $rc: $(cat "$T_TMP/err")"
fi
run chroot "$root" $emu /dockdrop nosuch
check "usage error works in the empty chroot too" test $rc -eq 2
