# The carried iptables in the payload (issue 12, bundle/xtables.h): bundle --iptables
# checks the tarball's layout (refusing anything else with exit 2 and one line), records
# what it is built from (list shows it), a re-bundle keeps it unless --no-iptables;
# install unpacks it into the engine's directory with its names linked to the chosen
# backend, puts it on the daemons' PATH after the system directories, status says which
# iptables dockerd runs, a damaged iptables blob is refused before any change, and a new
# iptables is a new engine directory (the previous one kept for rollback).
# The tarballs here carry this dockdrop's own static program under the iptables names:
# the layout is what is tested (the real programs: test_carried_iptables.sh).
. "$(dirname "$0")/lib.sh"
T=$T_TMP

small_dockdrops 1
E=$(ls "$T"/e1/docker-*.tgz)
ESHA=$(sha256sum "$E" | cut -c1-64)
HA=$(printf 'a%.0s' $(seq 64))
HB=$(printf 'b%.0s' $(seq 64))

# xt NAME [MUTATION]: $T/NAME.tgz, a carried-iptables tarball, changed by MUTATION (a
# shell snippet run in its staging directory).
xt() {
	rm -rf "$T/xs" && mkdir -p "$T/xs/iptables" &&
		cp "$DOCKDROP" "$T/xs/iptables/xtables-nft-multi" &&
		cp "$DOCKDROP" "$T/xs/iptables/xtables-legacy-multi" &&
		printf 'iptables 1.8.9 1.8.9-2 GPL-2.0-or-later %s\nlibnftnl 1.2.4 1.2.4-2 GPL-2.0-or-later %s\nlibmnl 1.0.4 1.0.4-3 LGPL-2.1-or-later %s\n' \
			"$HA" "$HB" "$HA" >"$T/xs/iptables/COMPONENTS" &&
		chmod 0644 "$T/xs/iptables/COMPONENTS" &&
		(cd "$T/xs" && eval "${2:-:}") &&
		tar -C "$T/xs" --sort=name --owner=0 --group=0 --numeric-owner -czf "$T/$1.tgz" $(ls "$T/xs")
}
B() { $DD_EMU "$DOCKDROP" bundle -q --engine "$E" --sha256 "$ESHA" "$@"; }

# --- bundle --------------------------------------------------------------------------------
xt good
run B --iptables "$T/good.tgz" -o "$T/ddx"
check "bundle --iptables carries it" [ $rc -eq 0 ]
run "$T/ddx" list
check "list shows the carried iptables and the three sources it is built from" sh -c "
	grep -q '^tools  *iptables  *1.8.9  *$DD_ARCH ' '$T_TMP/out' &&
	grep -q '^  built from iptables 1.8.9 (Debian source 1.8.9-2, GPL-2.0-or-later), source sha256 $HA' '$T_TMP/out' &&
	grep -q '^  built from libnftnl 1.2.4 ' '$T_TMP/out' && grep -q '^  built from libmnl 1.0.4 .*LGPL-2.1' '$T_TMP/out'"
XSHA=$(sha256sum "$T/good.tgz" | cut -c1-64)
if command -v jq >/dev/null; then
	run "$T/ddx" list --json
	check "list --json: the tools blob's digest and built_from" sh -c \
		"jq -e '.components[] | select(.kind == \"tools\") | .sha256 == \"$XSHA\" and ([.built_from[].name] == [\"iptables\", \"libnftnl\", \"libmnl\"]) and .built_from[0].source_sha256 == \"$HA\"' '$T_TMP/out' >/dev/null"
else
	skip "list --json: jq is not installed"
fi
run "$T/ddx" verify
check "verify checks the bundle with its iptables" [ $rc -eq 0 ]
run "$T/ddx" bundle -q --engine "$E" --sha256 "$ESHA" -o "$T/ddkeep"
run "$T/ddkeep" list
check "a bundle made by a dockdrop that carries iptables keeps it (same digest, same sources)" sh -c \
	"grep -q '^tools  *iptables .* $XSHA\$' '$T_TMP/out' && [ \$(sed '1,/^tools/d' '$T_TMP/out' | grep -c '^  built from') = 3 ]"
run "$T/ddx" bundle -q --engine "$E" --sha256 "$ESHA" --no-iptables -o "$T/ddnone"
run "$T/ddnone" list
check "--no-iptables carries none" sh -c "[ $rc -eq 0 ] && ! grep -q '^tools' '$T_TMP/out'"
expect_err "--iptables with --no-iptables: exit 2" 2 "exclude each other" B \
	--iptables "$T/good.tgz" --no-iptables -o "$T/x"

# Tarballs that are not the carried iptables: exit 2, one line, nothing written.
bad() { # NAME WHAT MUTATION
	xt "$1" "$3" || { notok "$2: making the tarball"; return; }
	expect_err "--iptables $2: exit 2" 2 "not dockdrop's iptables tarball" B \
		--iptables "$T/$1.tgz" -o "$T/out-$1"
	check "--iptables $2: nothing written" [ ! -e "$T/out-$1" ]
}
bad extra "with another file" "echo x >iptables/README"
bad nocomp "without COMPONENTS" "rm iptables/COMPONENTS"
bad nolegacy "without xtables-legacy-multi" "rm iptables/xtables-legacy-multi"
bad link "with a program that is a symlink" "rm iptables/xtables-nft-multi && ln -s xtables-legacy-multi iptables/xtables-nft-multi"
bad dynamic "with a dynamic program" "cp /bin/ls iptables/xtables-nft-multi"
bad noexec "with a program not executable" "chmod 0644 iptables/xtables-legacy-multi"
bad script "with a script for a program" "printf '#!/bin/sh\n' >iptables/xtables-nft-multi"
bad nonftlib "with xtables-nft-multi but no libnftnl in COMPONENTS" "sed -i /^libnftnl/d iptables/COMPONENTS"
bad nonftprog "naming libnftnl without xtables-nft-multi" "rm iptables/xtables-nft-multi"
bad fields "with a COMPONENTS line of four fields" "echo 'zlib 1 1 Zlib' >>iptables/COMPONENTS"
bad order "with COMPONENTS not starting with iptables" "sort -r -o iptables/COMPONENTS iptables/COMPONENTS"
bad hex "with a short digest in COMPONENTS" "echo 'zlib 1 1 Zlib abc' >>iptables/COMPONENTS"
bad nonl "with COMPONENTS lacking its last newline" "printf 'x' >>iptables/COMPONENTS"
bad outside "with a file beside iptables/" "mkdir docker && echo x >docker/dockerd"
expect_err "--iptables of a file that is not gzip: exit 2" 2 "not dockdrop's iptables tarball" B \
	--iptables /bin/ls -o "$T/x"
expect_err "--iptables of a missing file: exit 2" 2 "--iptables" B --iptables "$T/nope.tgz" -o "$T/x"
# The programs of another architecture than the engine's.
xt arm "set_machine iptables/xtables-nft-multi $OTHER_ARCH && set_machine iptables/xtables-legacy-multi $OTHER_ARCH"
expect_err "--iptables of $OTHER_ARCH programs with an $DD_ARCH engine: exit 2" 2 "its programs are $OTHER_ARCH, the engine is $DD_ARCH" \
	B --iptables "$T/arm.tgz" -o "$T/x"

# --- install ---------------------------------------------------------------------------------
R=$T/root
image_root "$R"
run "$T/ddx" install --root "$R"
check "install --root with the carried iptables says which backend and why" sh -c \
	"[ $rc -eq 0 ] && grep -q 'iptables 1.8.9 carried beside it for dockerd, backend nft: installing into --root' '$T_TMP/out'"
D=$(readlink "$R/opt/dockdrop/engine/current")
check "the engine directory names the iptables it holds ($D)" sh -c \
	"case '$D' in 0.0.1-test-*+iptables-1.8.9-$(echo "$XSHA" | cut -c1-8)) true ;; *) false ;; esac"
ok_links=1
for n in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
	[ "$(readlink "$R/opt/dockdrop/engine/$D/iptables/$n")" = xtables-nft-multi ] || ok_links=0
done
check "iptables, ip6tables and their -save and -restore link to xtables-nft-multi (--root: nft)" [ $ok_links = 1 ]
check "the carried programs are there, nothing of it on the system PATH" sh -c \
	"cmp -s '$DOCKDROP' '$R/opt/dockdrop/engine/$D/iptables/xtables-legacy-multi' &&
	 ! ls '$R/usr/local/bin' '$R/usr/local/sbin' 2>/dev/null | grep -q tables"
check "docker.service's PATH ends with the carried iptables, after the system directories" grep -qx \
	'Environment=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/dockdrop/engine/current/iptables' \
	"$R/etc/systemd/system/docker.service"
run "$T/ddx" status --root "$R"
check "status: iptables carried, nft backend" grep -q '^iptables    carried, nft backend (/opt/dockdrop/engine/current/iptables)' "$T_TMP/out"
mkdir -p "$R/usr/sbin" && cp /bin/true "$R/usr/sbin/iptables"
run "$T/ddx" status --root "$R"
check "status: a host iptables is the one dockerd runs" grep -q '^iptables    /usr/sbin/iptables (the host.s)' "$T_TMP/out"
rm -f "$R/usr/sbin/iptables"
exact_tree "$R" >"$T/t1"
run "$T/ddx" install --root "$R"
exact_tree "$R" >"$T/t2"
check "a re-run changes nothing" sh -c "[ $rc -eq 0 ] && cmp -s '$T/t1' '$T/t2'"

# A new iptables (other sources) with the same engine: a new engine directory, the old
# one kept as the previous engine.
xt newer "sed -i 's/libmnl 1.0.4 1.0.4-3/libmnl 1.0.5 1.0.5-1/' iptables/COMPONENTS"
run "$T/ddx" bundle -q --engine "$E" --sha256 "$ESHA" --iptables "$T/newer.tgz" -o "$T/ddnew"
run "$T/ddnew" install --root "$R"
D2=$(readlink "$R/opt/dockdrop/engine/current")
check "a new carried iptables is a new engine directory, the old one kept" sh -c \
	"[ $rc -eq 0 ] && [ '$D2' != '$D' ] && [ -d '$R/opt/dockdrop/engine/$D' ] && [ -d '$R/opt/dockdrop/engine/$D2/iptables' ]"
run "$T/ddnew" install --root "$R" --rollback
check "--rollback returns to the engine with the earlier iptables" sh -c \
	"[ $rc -eq 0 ] && [ \"\$(readlink '$R/opt/dockdrop/engine/current')\" = '$D' ]"

# Built without libnftnl (the nft backend needs it): legacy only, and legacy is chosen.
xt legacy "rm iptables/xtables-nft-multi && sed -i '/^libnftnl/d; /^libmnl/d' iptables/COMPONENTS"
run "$T/ddx" bundle -q --engine "$E" --sha256 "$ESHA" --iptables "$T/legacy.tgz" -o "$T/ddlegacy"
check "bundle --iptables of a legacy-only build" [ $rc -eq 0 ]
R3=$T/root3
image_root "$R3"
run "$T/ddlegacy" install --root "$R3"
D3=$(readlink "$R3/opt/dockdrop/engine/current")
check "with legacy only carried, the names link to xtables-legacy-multi and say why" sh -c \
	"[ $rc -eq 0 ] && [ \"\$(readlink '$R3/opt/dockdrop/engine/$D3/iptables/ip6tables-save')\" = xtables-legacy-multi ] &&
	 [ ! -e '$R3/opt/dockdrop/engine/$D3/iptables/xtables-nft-multi' ] &&
	 grep -q 'backend legacy: the only backend carried' '$T_TMP/out'"

# A damaged iptables blob: exit 3, one line naming it, nothing changed on a fresh tree.
R2=$T/root2
image_root "$R2"
cp "$T/ddx" "$T/dddamaged"
line=$(tail -c 4096 "$T/ddx" | grep -a '^blob tools iptables ')
off=$(echo "$line" | cut -d' ' -f6)
len=$(echo "$line" | cut -d' ' -f7)
# Every bit of the byte flipped (writing 0xff there changed nothing where it was 0xff).
byte=$(od -An -tu1 -j $((off + len / 2)) -N1 "$T/ddx" | tr -d ' ')
printf "\\$(printf %03o $((byte ^ 255)))" | dd of="$T/dddamaged" bs=1 seek=$((off + len / 2)) conv=notrunc 2>/dev/null
exact_tree "$R2" >"$T/b2"
expect_err "verify names a damaged iptables blob: exit 3" 3 "tools iptables 1.8.9 $DD_ARCH: SHA-256 mismatch" \
	$DD_EMU "$T/dddamaged" verify
run "$T/dddamaged" install --root "$R2"
check "install with a damaged iptables blob: exit 3, the last line names it" sh -c \
	"[ $rc -eq 3 ] && tail -n 1 '$T_TMP/err' | grep -q '^dockdrop: install: tools iptables 1.8.9: SHA-256 mismatch; the payload is damaged; nothing was changed'"
exact_tree "$R2" >"$T/a2"
check "install with a damaged iptables blob changes nothing" cmp -s "$T/b2" "$T/a2"

run "$T/ddnew" uninstall --root "$R" --purge
check "uninstall --purge removes the engine directories with their iptables" sh -c \
	"[ $rc -eq 0 ] && [ ! -e '$R/opt/dockdrop/engine' ]"
