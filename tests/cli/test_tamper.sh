# Robustness of the payload against damage (an acceptance criterion): with a small-engine
# bundle B, 200 random single-byte flips in the payload region and 50 random truncations are
# each refused by verify and by extract (exit 3), and extract leaves its target directory
# byte-identical, with no staging directory behind. Plus bytes appended, the trailer, the
# manifest and the engine blob damaged on purpose. The random draws come from a fixed seed
# (printed; DD_TAMPER_SEED=N to change it), so a failure can be replayed.
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$T_TMP
SEED=${DD_TAMPER_SEED:-20250601}
FLIPS=200
CUTS=50
echo "# seed $SEED"

size() { stat -c %s "$1"; }
# The target tree: every entry below it (type, mode, owner, size, mtime, link) and every
# file's SHA-256, and the directory's own mode. Its own mtime changes when a staging
# directory comes and goes, which is allowed.
# (One find, unsorted: the order of an unchanged directory is stable, and a changed one
# differs anyway. This runs 1000 times.)
snap() {
	find "$1" \( -path "$1" -printf '%m %U:%G\n' \) -o \
		\( -printf '%P %y %m %U:%G %s %T@ %l\n' -type f -exec sha256sum {} + \)
}
# patch FILE OFFSET XOR: XOR one byte of FILE in place.
patch() {
	set -- "$1" "$2" "$3" $(od -An -tu1 -j "$2" -N1 "$1")
	printf "\\$(printf %o $(($4 ^ $3)))" | dd of="$1" bs=1 seek="$2" count=1 conv=notrunc 2>/dev/null
}
# withbytes FILE: for "OFFSET XOR" lines on stdin, print "OFFSET XOR ESC" where ESC is the
# printf escape of the flipped byte (FILE's byte there XOR XOR), reading FILE once: a
# flip then costs one dd. (awk has no XOR: done bit by bit.)
withbytes() {
	cat >"$T/wb.in"
	_lo=$(sort -n "$T/wb.in" | head -1 | cut -d' ' -f1)
	_hi=$(sort -n "$T/wb.in" | tail -1 | cut -d' ' -f1)
	od -An -v -tu1 -j "$_lo" -N $((_hi - _lo + 1)) "$1" | awk -v lo="$_lo" '
		function xor(a, b,   r, p) {
			for (p = 1; a || b; p *= 2) {
				if ((a % 2) != (b % 2)) r += p
				a = int(a / 2); b = int(b / 2)
			}
			return r + 0
		}
		NR == FNR { order[++n] = $1; xs[n] = $2; next }
		{ for (i = 1; i <= NF; i++) byte[lo + pos++] = $i }
		END {
			for (i = 1; i <= n; i++)
				printf "%d %d \\%03o\n", order[i], xs[i], xor(byte[order[i]], xs[i])
		}' "$T/wb.in" -
}
# be FILE OFFSET LEN: an unsigned big-endian number read from FILE.
be() { od -An -v -tu1 -j "$2" -N "$3" "$1" | awk '{ for (i = 1; i <= NF; i++) v = v * 256 + $i } END { print v }'; }
# trailer FILE: MOFF, MLEN, SIGLEN from FILE's trailer (manifest offset, length, signature).
trailer() {
	_t=$(($(size "$1") - 128))
	MOFF=$(be "$1" $((_t + 24)) 8) MLEN=$(be "$1" $((_t + 32)) 4) SIGLEN=$(be "$1" $((_t + 36)) 4)
}
unhex() { # HEX: those bytes on stdout
	printf '%b' "$(printf '%s' "$1" | awk '{
		for (i = 1; i < length($0); i += 2) {
			hi = index("0123456789abcdef", substr($0, i, 1)) - 1
			printf "\\0%03o", hi * 16 + index("0123456789abcdef", substr($0, i + 1, 1)) - 1
		}
	}')"
}
putbytes() { unhex "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }	# FILE OFF HEX
# reseal FILE: recompute the trailer's digest of manifest+signature and its own seal, as
# someone rewriting the payload would (the plain stub has no key: only digests protect it).
reseal() {
	trailer "$1"
	_t=$(($(size "$1") - 128))
	putbytes "$1" $((_t + 48)) "$(tail -c +$((MOFF + 1)) "$1" | head -c $((MLEN + SIGLEN)) | sha256sum | cut -c1-64)"
	putbytes "$1" $((_t + 96)) "$(tail -c 128 "$1" | head -c 96 | sha256sum | cut -c1-64)"
}
# Random numbers: the Park-Miller generator (exact in any awk's doubles), so the draws are
# the same with mawk, gawk or busybox awk. draw N LO SPAN [SKIP]: N lines "OFFSET XOR" with
# OFFSET uniform in [LO, LO+SPAN-1] (never SKIP) and XOR uniform in [1, 255].
draw() {
	awk -v seed="$SEED" -v n="$1" -v lo="$2" -v span="$3" -v skip="${4:--1}" 'BEGIN {
		x = seed % 2147483647; if (x <= 0) x = 1
		for (i = 0; i < n; ) {
			x = (x * 16807) % 2147483647; o = lo + int((x - 1) / 2147483646 * span)
			x = (x * 16807) % 2147483647; v = 1 + int((x - 1) / 2147483646 * 255)
			if (o == skip) continue
			print o, v; i++
		}
	}'
}

# --- the bundle and the target --------------------------------------------------------------
ENGINE=$(sh "$TOP/tests/fixtures/mkengine-small.sh" "$T/in") && [ -s "$ENGINE" ] ||
	{ notok "mkengine-small.sh"; exit 1; }
ESIZE=$(size "$ENGINE")
B=$T/B
run "$DOCKDROP" bundle --engine "$ENGINE" --sha256 "$(sha256sum "$ENGINE" | cut -c1-64)" -o "$B"
[ $rc -eq 0 ] || { notok "bundle the small engine: $(cat "$T/err")"; exit 1; }
run "$DOCKDROP" verify --file "$B"
STUB=$(awk '$1 == "ok" && $2 == "stub" { print $4 }' "$T/out")
SIZE=$(size "$B")
case $STUB in
'' | *[!0-9]*) notok "verify names the stub size: $(cat "$T/out" "$T/err")"; exit 1 ;;
esac
check "the intact bundle verifies" test $rc -eq 0
BLOB_END=$((STUB + ESIZE))	# [STUB, BLOB_END): engine blob; then manifest, trailer
TRAILER=$((SIZE - 128))
trailer "$B"
check "the trailer puts the manifest right after the engine blob (no index for a small engine)" \
	test "$MOFF" = "$BLOB_END" -a "$SIGLEN" = 0 -a $((MOFF + MLEN)) = "$TRAILER"
region() {
	if [ "$1" -lt "$STUB" ]; then echo stub
	elif [ "$1" -lt "$BLOB_END" ]; then echo "engine+$(($1 - STUB))"
	elif [ "$1" -lt "$MOFF" ]; then echo "blob+$(($1 - BLOB_END))"
	elif [ "$1" -lt "$TRAILER" ]; then echo "manifest+$(($1 - MOFF))"
	else echo "trailer+$(($1 - TRAILER))"; fi
}
echo "# bundle: $SIZE bytes, stub $STUB, engine blob $ESIZE, meta+trailer $((SIZE - BLOB_END))"

TG=$T/target
mkdir "$TG" && echo "canary: must survive every refused extract" >"$TG/canary"
touch -d @1600000000 "$TG/canary"
cp -p "$TG/canary" "$T/canary.orig"
snap "$TG" >"$T/snap.0"

C=$T/copy
# attempt FILE: verify and extract FILE; sets why to what went wrong ("" when refused
# properly: verify exit 3 with one "dockdrop: verify:" line, extract exit 3, target intact).
# WANT_TEXT, when set, must appear in verify's error.
attempt() {
	why=
	$DD_EMU "$DOCKDROP" verify --file "$1" >/dev/null 2>"$T/err"
	vrc=$?
	[ $vrc -eq 3 ] || why="$why verify exit $vrc;"
	{ read -r l1 && ! read -r l2; } <"$T/err" || why="$why verify stderr not one line;"
	case $l1 in "dockdrop: verify: "*) ;; *) why="$why verify stderr '$l1';" ;; esac
	case $l1 in *"$WANT_TEXT"*) ;; *) why="$why verify error lacks '$WANT_TEXT';" ;; esac
	$DD_EMU "$DOCKDROP" extract --file "$1" "$TG/engine" >/dev/null 2>"$T/err"
	xrc=$?
	[ $xrc -eq 3 ] || why="$why extract exit $xrc;"
	{ read -r l1 && ! read -r l2; } <"$T/err" || why="$why extract stderr not one line;"
	case $l1 in "dockdrop: extract: "*) ;; *) why="$why extract stderr '$l1';" ;; esac
	for s in "$TG"/.engine.dockdrop-*; do
		[ -e "$s" ] && why="$why staging $(basename "$s") left;"
	done
	snap "$TG" >"$T/snap.1"
	if ! cmp -s "$T/snap.0" "$T/snap.1"; then
		why="$why target changed: $(diff "$T/snap.0" "$T/snap.1" | grep '^[<>]' | head -3 | tr '\n' '|');"
		rm -rf "$TG" && mkdir "$TG" && cp -p "$T/canary.orig" "$TG/canary"
		snap "$TG" >"$T/snap.0"
	fi
}

# --- 200 single-byte flips in the payload region --------------------------------------------
draw $FLIPS "$STUB" $((SIZE - STUB)) | withbytes "$B" >"$T/flips"
bad=0 n=0 nblob=0 nmeta=0
WANT_TEXT=
while read -r off x esc; do
	cp "$B" "$C"
	printf "$esc" | dd of="$C" bs=1 seek="$off" count=1 conv=notrunc 2>/dev/null
	if [ $n -lt 3 ] && cmp -s "$C" "$B"; then
		notok "flip at offset $off: the copy did not change (test harness)"; bad=$((bad + 1)); continue
	fi
	attempt "$C"
	n=$((n + 1))
	[ "$off" -lt "$BLOB_END" ] && nblob=$((nblob + 1)) || nmeta=$((nmeta + 1))
	if [ -n "$why" ]; then
		bad=$((bad + 1))
		notok "flip at offset $off ($(region "$off")) ^$x: seed $SEED:$why"
	fi
done <"$T/flips"
echo "# flips: $n ($nblob in the engine blob, $nmeta in the manifest and trailer)"
if [ $bad -eq 0 ] && [ $n -eq $FLIPS ]; then
	ok "$FLIPS flips refused: verify 3, extract 3, target unchanged, no staging left"
else
	notok "$FLIPS flips: $bad not refused cleanly (offsets above), $n run"
fi

# The manifest and trailer are a few hundred bytes among the payload's 100+ KB, so random
# offsets almost never land there: flip every one of their bytes as well (XOR drawn too).
draw $((SIZE - MOFF)) 0 1 | awk -v o="$MOFF" '{ print o++, $2 }' | withbytes "$B" >"$T/xors"
bad=0 n=0
while read -r off x esc; do
	cp "$B" "$C"
	printf "$esc" | dd of="$C" bs=1 seek="$off" count=1 conv=notrunc 2>/dev/null
	attempt "$C"
	n=$((n + 1))
	if [ -n "$why" ]; then
		bad=$((bad + 1))
		notok "flip at offset $off ($(region "$off")) ^$x: seed $SEED:$why"
	fi
done <"$T/xors"
if [ $bad -eq 0 ] && [ $n -eq $((SIZE - MOFF)) ] && [ $n -gt 128 ]; then
	ok "every byte of the manifest and trailer flipped ($n): refused, target unchanged"
else
	notok "manifest and trailer sweep: $bad of $n not refused cleanly"
fi

# --- 50 truncations -------------------------------------------------------------------------
# Lengths uniform in [1, size-1], except exactly the stub size: a file cut exactly where the
# stub ends is a bare stub, which is "no payload" (exit 1) by design.
draw $CUTS 1 $((SIZE - 1)) "$STUB" >"$T/cuts"
bad=0 n=0
while read -r len x; do
	head -c "$len" "$B" >"$C"
	# Four bytes or more look like a cut program ("truncated ... copy the file again").
	if [ "$len" -ge 4 ]; then WANT_TEXT=truncated; else WANT_TEXT=; fi
	attempt "$C"
	case $l1 in *"copy the file again"*) ;; *) [ "$len" -ge 4 ] && why="$why extract error lacks 'copy the file again';" ;; esac
	n=$((n + 1))
	if [ -n "$why" ]; then
		bad=$((bad + 1))
		notok "cut to $len bytes ($(region "$len")): seed $SEED:$why"
	fi
done <"$T/cuts"
WANT_TEXT=
echo "# cuts: $(awk -v s="$STUB" '$1 < s { a++ } $1 > s { b++ } END { printf "%d inside the stub, %d inside the payload", a, b }' "$T/cuts")"
if [ $bad -eq 0 ] && [ $n -eq $CUTS ]; then
	ok "$CUTS truncations refused (truncated, copy the file again), target unchanged"
else
	notok "$CUTS truncations: $bad not refused cleanly (lengths above)"
fi
head -c "$STUB" "$B" >"$C"
run "$DOCKDROP" verify --file "$C"
check "cut exactly at the stub: a bare stub, exit 1 no payload" sh -c "[ $rc -eq 1 ] && grep -q 'no payload' '$T/err'"

# --- deliberate damage ----------------------------------------------------------------------
# one NAME WANT_TEXT: attempt $C and report one line.
one() {
	WANT_TEXT=$2
	attempt "$C"
	if [ -z "$why" ]; then ok "$1"; else notok "$1:$why"; fi
	WANT_TEXT=
}
for n in 1 100 4096; do
	cp "$B" "$C"
	head -c "$n" /dev/zero | tr '\0' 'A' >>"$C"
	one "$n bytes appended: refused, says appended" "$n bytes were appended after the payload"
	grep -q "copy the file again" "$T/err" || notok "$n bytes appended: extract says copy the file again: $(cat "$T/err")"
	run "$DOCKDROP" list --file "$C"
	check "$n bytes appended: list exits 3" test $rc -eq 3
done
cp "$B" "$C" && tail -c 128 "$B" >>"$C"
one "the trailer appended again: refused" ""
cp "$B" "$C" && cat "$B" >>"$C"
one "the whole bundle appended to itself: refused" ""

cp "$B" "$C" && patch "$C" $((SIZE - 1)) 1
one "the trailer's last byte flipped: refused" ""
cp "$B" "$C" && patch "$C" "$TRAILER" 32
one "the trailer's magic flipped: refused" ""
cp "$B" "$C" && patch "$C" $((TRAILER + 47)) 1	# low byte of the total size
one "the trailer's total size changed: refused" ""
for at in 0 20 $((MLEN / 2)) $((MLEN - 1)); do
	cp "$B" "$C" && patch "$C" $((MOFF + at)) 1
	one "a flip in the manifest (+$at): refused, says damaged" "damaged"
	run "$DOCKDROP" list --file "$C"
	check "a flip in the manifest (+$at): list exits 3" test $rc -eq 3
done

# Inside the engine blob: the staging directory must go away whatever stage it reached.
# (+0: gzip magic; +4: gzip header mtime, ignored by inflate, so only the final digest
# catches it, after the whole tree was written into staging; middle: deflate data; the last
# 8 bytes: the gzip CRC and size.)
for at in 0 4 $((ESIZE / 2)) $((ESIZE - 8)) $((ESIZE - 1)); do
	cp "$B" "$C" && patch "$C" $((STUB + at)) 128
	one "a flip inside the engine blob (+$at): refused, staging removed" ""
done
cp "$B" "$C" && patch "$C" $((STUB + 4)) 1
$DD_EMU "$DOCKDROP" extract --file "$C" "$TG/engine" >/dev/null 2>"$T/err"
check "engine blob header flip: extract names the SHA-256 mismatch" grep -q 'SHA-256 mismatch' "$T/err"

# A flip in the stub: verify checks the stub's digest too.
cp "$B" "$C" && patch "$C" $((STUB / 2)) 1
run "$DOCKDROP" verify --file "$C"
check "a flip in the middle of the stub: verify exits 3, names the stub" \
	sh -c "[ $rc -eq 3 ] && grep -q 'stub' '$T/err' && [ \$(wc -l <'$T/err') = 1 ]"

# --- the parallel path: an engine with big entries gets an index blob -----------------------
# Entries of 4 MB and more (but the first) get gzip access points, carried as an "index" blob, and extract
# then inflates segments in parallel. The same damage must be refused the same way.
MS=$T/mstage
mkdir "$MS" && tar -xzf "$ENGINE" -C "$MS"
seq 1 700000 >"$MS/docker/ctr"	# 4.8 MB, not the first entry: one access point
touch -d @1700000000 "$MS/docker/ctr"
MENG=$T/in/docker-0.0.2-medium.tgz
tar --sort=name --owner=0 --group=0 --numeric-owner -czf "$MENG" -C "$MS" docker
MB=$T/MB
run "$DOCKDROP" bundle --engine "$MENG" --sha256 "$(sha256sum "$MENG" | cut -c1-64)" -o "$MB"
check "bundle a medium engine (an entry over 4 MB)" test $rc -eq 0
MSIZE=$(size "$MB") MESIZE=$(size "$MENG")
trailer "$MB"
IOFF=$((STUB + MESIZE)) ILEN=$((MOFF - STUB - MESIZE))
run "$DOCKDROP" list --file "$MB"
if [ $rc -eq 0 ] && grep -q '^index ' "$T/out" && [ "$ILEN" -gt 0 ]; then
	ok "the medium engine carries an index blob ($ILEN bytes)"
	mkdir "$T/mref" && tar -xzf "$MENG" -C "$T/mref"
	mkdir "$T/mx"
	run "$DOCKDROP" extract --file "$MB" "$T/mx/engine"
	( cd "$T/mx/engine" && find . -mindepth 1 -printf '%P %y %m %s %T@\n' | LC_ALL=C sort &&
		find . -type f -exec sha256sum {} + | LC_ALL=C sort ) >"$T/m.got" 2>/dev/null
	( cd "$T/mref" && find . -mindepth 1 -printf '%P %y %m %s %T@\n' | LC_ALL=C sort &&
		find . -type f -exec sha256sum {} + | LC_ALL=C sort ) >"$T/m.want"
	check "the medium bundle extracts (parallel) to what tar -xzf gives" \
		sh -c "[ $rc -eq 0 ] && cmp -s '$T/m.got' '$T/m.want'"
	rm -rf "$T/mx/engine"
	region() {
		if [ "$1" -lt "$IOFF" ]; then echo "engine+$(($1 - STUB))"
		elif [ "$1" -lt "$MOFF" ]; then echo "index+$(($1 - IOFF))"
		else echo "meta+$(($1 - MOFF))"; fi
	}
	# 40 flips anywhere in the payload, 40 in the index blob.
	{ draw 40 "$STUB" $((MSIZE - STUB)); SEED=$((SEED + 1)) draw 40 "$IOFF" "$ILEN"; } >"$T/mflips"
	bad=0 n=0
	while read -r off x; do
		cp "$MB" "$C"
		patch "$C" "$off" "$x"
		attempt "$C"
		n=$((n + 1))
		if [ -n "$why" ]; then
			bad=$((bad + 1))
			notok "medium bundle: flip at offset $off ($(region "$off")) ^$x: seed $SEED:$why"
		fi
	done <"$T/mflips"
	if [ $bad -eq 0 ] && [ $n -eq 80 ]; then
		ok "medium bundle: 80 flips (40 in the index) refused, target unchanged"
	else
		notok "medium bundle: $bad of $n flips not refused cleanly"
	fi
	# A forged index: flipped, its digest in the manifest rewritten and the trailer resealed,
	# so that verify passes on the plain stub. The index only steers the parallel inflate:
	# extract must still write exactly what tar -xzf gives, or refuse and leave nothing.
	tail -c +$((MOFF + 1)) "$MB" | head -c "$MLEN" >"$T/mmanifest"
	IHEXAT=$(awk '$1 == "blob" && $2 == "index" { print n + length($0) - 64; exit } { n += length($0) + 1 }' "$T/mmanifest")
	SEED=$((SEED + 2)) draw 30 "$IOFF" "$ILEN" >"$T/iforge"
	bad=0 n=0 nok=0 nref=0
	while read -r off x; do
		cp "$MB" "$C"
		patch "$C" "$off" "$x"
		putbytes "$C" $((MOFF + IHEXAT)) "$(printf '%s' "$(tail -c +$((IOFF + 1)) "$C" | head -c "$ILEN" | sha256sum | cut -c1-64)" | od -An -v -tx1 | tr -d ' \n')"
		reseal "$C"
		trailer "$MB"
		n=$((n + 1))
		$DD_EMU "$DOCKDROP" verify --file "$C" >/dev/null 2>"$T/err" ||
			{ bad=$((bad + 1)); notok "forged index at $off ^$x: verify refused the forgery itself (the test's reseal?): $(cat "$T/err")"; continue; }
		$DD_EMU "$DOCKDROP" extract --file "$C" "$T/mx/engine" >/dev/null 2>"$T/err"
		xrc=$?
		if [ $xrc -eq 0 ]; then
			( cd "$T/mx/engine" && find . -mindepth 1 -printf '%P %y %m %s %T@\n' | LC_ALL=C sort &&
				find . -type f -exec sha256sum {} + | LC_ALL=C sort ) >"$T/m.got" 2>/dev/null
			if cmp -s "$T/m.got" "$T/m.want"; then nok=$((nok + 1))
			else bad=$((bad + 1)); notok "forged index at $off ^$x: extract exit 0 but the tree differs from tar -xzf"; fi
		elif [ $xrc -eq 3 ] && [ ! -e "$T/mx/engine" ] && [ -z "$(ls -A "$T/mx")" ]; then
			nref=$((nref + 1))
		else
			bad=$((bad + 1)); notok "forged index at $off ^$x: extract exit $xrc, left: $(ls -A "$T/mx" | tr '\n' ' ') $(cat "$T/err")"
		fi
		rm -rf "$T/mx/engine"
	done <"$T/iforge"
	echo "# forged index: $nok extracted correctly (fallback), $nref refused"
	if [ $bad -eq 0 ] && [ $n -eq 30 ]; then
		ok "30 forged indexes (digests consistent): extract writes tar -xzf's tree or refuses cleanly"
	else
		notok "forged indexes: $bad of $n wrong"
	fi
else
	skip "the medium engine carries no index blob: the parallel path is not exercised"
fi

# The intact bundle still extracts into the same place afterwards (nothing was left there).
run "$DOCKDROP" extract --file "$B" "$TG/engine"
check "after all that, the intact bundle extracts into the target" \
	sh -c "[ $rc -eq 0 ] && [ -f '$TG/engine/docker/dockerd' ] && [ \"\$(ls -A '$TG' | tr '\n' ' ')\" = 'canary engine ' ]"
