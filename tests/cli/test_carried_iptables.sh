# The carried iptables (issue 12; third_party/iptables.mk): the tarball's exact layout,
# reproducible bytes, static binaries that answer to every name dockerd and install use,
# the extensions dockerd's rules need, and dockerd's own rules set, checked, listed, saved
# and restored in a fresh network namespace, in nf_tables and in legacy mode.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
lock=$top/third_party/lock
env=$build/carry/iptables.env
[ -f "$env" ] || { notok "no $env: run make"; exit 1; }
IPTABLES_FILE="" IPTABLES_VERSION="" IPTABLES_SHA256=""
# shellcheck disable=SC1090 # written by iptables.mk
. "$env"
tgz=$IPTABLES_FILE

# What the lock pins: iptables always, the nf_tables binary with libnftnl and libmnl.
pinned() { awk -v n="$1" '!/^#/ && NF == 7 && $1 == n && $5 == "orig"' "$lock"; }
version=$(pinned iptables | awk '{ print $2 }')
bins=xtables-legacy-multi
comps=iptables
if [ -n "$(pinned libnftnl)" ] && [ -n "$(pinned libmnl)" ]; then
	bins="xtables-nft-multi xtables-legacy-multi"
	comps="iptables libnftnl libmnl"
else
	echo "# xtables-nft-multi not built: libnftnl and libmnl are not pinned in $lock"
fi

# --- the tarball ---------------------------------------------------------------------------
check "iptables.env names iptables-$version.tgz, version $version" \
	test "$(basename "$tgz")" = "iptables-$version.tgz" -a "$IPTABLES_VERSION" = "$version"
check "IPTABLES_SHA256 is the tarball's digest" \
	test "$(sha256sum "$tgz" | cut -d' ' -f1)" = "$IPTABLES_SHA256"
want=$( {
	echo "drwxr-xr-x 0/0 iptables/"
	echo "-rw-r--r-- 0/0 iptables/COMPONENTS"
	for b in $bins; do echo "-rwxr-xr-x 0/0 iptables/$b"; done
} | LC_ALL=C sort -k3)
got=$(tar --numeric-owner -tvzf "$tgz" | awk '{ print $1, $2, $6 }')
if [ "$got" = "$want" ]; then
	ok "tarball holds exactly iptables/, COMPONENTS and $bins (modes, root-owned, no links)"
else
	notok "tarball layout: got [$(echo "$got" | tr '\n' '|')] want [$(echo "$want" | tr '\n' '|')]"
fi
# gzip -n: no name, no time (bytes 4-7 of the header).
check "gzip header carries no time and no name" \
	test "$(od -An -tx1 -j3 -N5 "$tgz" | tr -d ' ')" = 0000000000
ex=$T_TMP/x
mkdir -p "$ex"
tar -xzf "$tgz" -C "$ex" || { notok "tarball does not unpack"; exit 1; }
want=$(for c in $comps; do pinned "$c" | awk '{ print $1, $2, $4, "LICENSE", $7 }'; done)
got=$(awk '{ $4 = ($4 ~ /^(GPL|LGPL)-2\.[01]-(only|or-later)$/) ? "LICENSE" : "bad:" $4; print }' \
	"$ex/iptables/COMPONENTS")
if [ "$got" = "$want" ]; then
	ok "COMPONENTS: $comps: versions, SPDX licenses, the lock's orig digests"
else
	notok "COMPONENTS: got [$(tr '\n' '|' <"$ex/iptables/COMPONENTS")] want [$(echo "$want" | tr '\n' '|')]"
fi
check "iptables is GPL-2.0-only (Debian's copyright, Files: *)" \
	grep -q '^iptables [^ ]* [^ ]* GPL-2.0-only ' "$ex/iptables/COMPONENTS"

# The same sources give the same bytes: a second build in another directory (its own
# objects, configure run and tarball) must equal the first. (make ARCH=arm64: with its cross
# musl-gcc and tools, from the sources it shares with amd64, in the native build's
# third_party (NATIVE_BUILD, lib.sh), as make test builds both.)
native=$NATIVE_BUILD
case $native in /*) ;; *) native=$top/$native ;; esac
src=$native/third_party/src cc=${MUSLCC:-musl-gcc} cross=""
if [ "$DD_ARCH" = aarch64 ] && [ "$(uname -m)" != aarch64 ]; then
	g=aarch64-linux-gnu cc=$build/cross/bin/musl-gcc
	cross="HOST=$g KHDR=/usr/$g/include KARCH=/usr/$g/include AR=$g-ar STRIP=$g-strip"
fi
if command -v "$cc" >/dev/null 2>&1 && [ -f "$src/iptables/configure" ]; then
	# shellcheck disable=SC2086 # $cross: words
	run nice make -s -C "$top" -f third_party/iptables.mk SRC="$src" \
		OUT="$T_TMP/rebuild" CC="$cc" $cross
	if [ $rc -eq 0 ] && cmp -s "$tgz" "$T_TMP/rebuild/$(basename "$tgz")"; then
		ok "a rebuild in another directory gives the same tarball bytes"
	else
		notok "rebuild: exit $rc, $(tail -3 "$T_TMP/err" | tr '\n' '|'), cmp: $(cmp "$tgz" "$T_TMP/rebuild/$(basename "$tgz")" 2>&1)"
	fi
else
	skip "rebuild: no $cc or no sources in $src (run make)"
fi

# --- the binaries --------------------------------------------------------------------------
for b in $bins; do
	f=$ex/iptables/$b
	check "$b: no program interpreter, no dynamic section (static)" sh -c \
		"! readelf -lW '$f' | grep -q INTERP && readelf -d '$f' | grep -q 'no dynamic section'"
	check "$b: stripped (no .symtab)" sh -c "! readelf -SW '$f' | grep -q '\.symtab'"
done

# qemu_nosockopt CMD...: under qemu-user (DD_EMU), CMD's trace (QEMU_STRACE) shows a
# netfilter socket option (level SOL_IP 0 or SOL_IPV6 41) answered ENOPROTOOPT (92): qemu
# 7.2 emulates none of iptables' (IPT_SO_GET_INFO, IP6T_SO_GET_REVISION_MATCH...) and answers
# so without asking the kernel (strace of qemu shows no getsockopt). ip6tables takes that
# for an old kernel's, with revision 0 only: an extension of revision 1 or more is "not
# supported". Anything else that fails fails the check.
qemu_nosockopt() {
	[ -n "$DD_EMU" ] && QEMU_STRACE=1 "$@" 2>&1 >/dev/null |
		grep -q '^[0-9]* getsockopt([0-9]*,\(0\|41\),[0-9]*,.*) = -1 errno=92 '
}

# The names install links to each binary, each run through a link (argv[0] picks the tool).
mode_of() { case $1 in xtables-nft-multi) echo nf_tables ;; *) echo legacy ;; esac; }
names="iptables ip6tables iptables-save iptables-restore ip6tables-save ip6tables-restore"
for b in $bins; do
	d=$T_TMP/$(mode_of "$b")
	mkdir -p "$d"
	for n in $names; do
		if [ -n "$DD_EMU" ]; then	# argv[0] through qemu-user's -0
			printf '#!/bin/sh\nexec %s -0 %s %s "$@"\n' "$DD_EMU" "$n" "$ex/iptables/$b" >"$d/$n"
			chmod 0755 "$d/$n"
		else
			ln -s "$ex/iptables/$b" "$d/$n"
		fi
	done
	bad=""
	for n in $names; do
		v=$("$d/$n" -V 2>&1)
		echo "$v" | grep -qx "$n v$version ($(mode_of "$b"))" || bad="$bad $n:[$(echo "$v" | head -1)]"
	done
	[ -n "$bad" ] || touch "$d/.runs"
	check "$b answers as $(echo "$names" | tr ' ' ,) with -V ... ($(mode_of "$b"))${bad:+: $bad}" test -z "$bad"
	# The extensions dockerd's rules use (20.10 and 28), and a few a user's DOCKER-USER
	# rules commonly do; a missing one says "Couldn't load".
	bad=""
	for m in addrtype conntrack state comment tcp udp multiport physdev mark set icmp; do
		"$d/iptables" -m "$m" --help >/dev/null 2>&1 || bad="$bad -m $m"
	done
	for t in DNAT SNAT MASQUERADE REJECT REDIRECT MARK LOG; do
		"$d/iptables" -j "$t" --help >/dev/null 2>&1 || bad="$bad -j $t"
	done
	emu=""
	for x in "-m icmp6" "-j REJECT" "-j DNAT" "-j MASQUERADE" "-m addrtype" "-m conntrack"; do
		# shellcheck disable=SC2086 # "-m NAME": two words
		"$d/ip6tables" $x --help >/dev/null 2>&1 && continue
		# shellcheck disable=SC2086
		if qemu_nosockopt "$d/ip6tables" $x --help; then emu="$emu $x"; else bad="$bad ip6tables $x"; fi
	done
	check "$b: extensions built in${bad:+; missing:$bad}" test -z "$bad"
	[ -z "$emu" ] || skip "$b: ip6tables$emu: qemu-user: no IP6T_SO_GET_REVISION_* getsockopt emulated"
	"$d/iptables" -m nosuchmatch --help >/dev/null 2>&1
	check "$b: an unknown extension is refused (the check above can fail)" test $? -ne 0
done

# --- dockerd's rules in a fresh network namespace --------------------------------------------
# The rules as dockerd makes them for the default bridge with a port published (8080 to a
# container's 80), in the form iptables -S prints them back (moby's libnetwork:
# iptables.go, setup_ip_tables_linux.go; docker 28 adds the raw-table DROP).
# The chains and FORWARD rules, the same for both families.
forward='filter -N DOCKER
filter -N DOCKER-ISOLATION-STAGE-1
filter -N DOCKER-ISOLATION-STAGE-2
filter -N DOCKER-USER
filter -A FORWARD -j DOCKER-USER
filter -A FORWARD -j DOCKER-ISOLATION-STAGE-1
filter -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
filter -A FORWARD -o docker0 -j DOCKER
filter -A FORWARD -i docker0 ! -o docker0 -j ACCEPT
filter -A FORWARD -i docker0 -o docker0 -j ACCEPT'
rules4="$forward"'
filter -A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
filter -A DOCKER ! -i docker0 -o docker0 -j DROP
filter -A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
filter -A DOCKER-ISOLATION-STAGE-1 -j RETURN
filter -A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
filter -A DOCKER-ISOLATION-STAGE-2 -j RETURN
filter -A DOCKER-USER -m state --state INVALID -m comment --comment "dockdrop test" -j DROP
filter -A DOCKER-USER -p udp -m multiport --dports 53,5353 -m mark --mark 0x1 -j REJECT --reject-with icmp-port-unreachable
filter -A DOCKER-USER -m physdev --physdev-is-bridged -j RETURN
filter -A DOCKER-USER -j RETURN
nat -N DOCKER
nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
nat -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
nat -A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE
nat -A POSTROUTING -s 172.18.0.0/16 -o eth9 -j SNAT --to-source 192.0.2.1
nat -A DOCKER -i docker0 -j RETURN
nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
raw -A PREROUTING -d 172.17.0.2/32 ! -i docker0 -j DROP'
rules6="$forward"'
filter -A DOCKER -d fd00:dd::2/128 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
filter -A DOCKER ! -i docker0 -o docker0 -j DROP
filter -A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
filter -A DOCKER-ISOLATION-STAGE-1 -j RETURN
filter -A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
filter -A DOCKER-ISOLATION-STAGE-2 -j RETURN
filter -A DOCKER-USER -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j REJECT --reject-with icmp6-port-unreachable
filter -A DOCKER-USER -j RETURN
nat -N DOCKER
nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
nat -A OUTPUT ! -d ::1/128 -m addrtype --dst-type LOCAL -j DOCKER
nat -A POSTROUTING -s fd00:dd::/64 ! -o docker0 -j MASQUERADE
nat -A DOCKER -i docker0 -j RETURN
nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd00:dd::2]:80'

# ns_run MODE-DIR SCRIPT: SCRIPT under sh in a new network and mount namespace (a private
# /run for legacy's xtables.lock), bounded in time; the tools' directory is $d in it.
ns_run() {
	timeout 60 unshare --net --mount sh -c 'mount -t tmpfs -o mode=0755 tmpfs /run && d=$0 && eval "$1"' \
		"$1" "$2" >"$T_TMP/out" 2>"$T_TMP/err"
	rc=$?
}

# The script run in the namespace: every rule added with --wait as dockerd does, each
# checked with -C, the chains listed, then the tables saved, flushed, restored and saved
# again. It prints "-S" per table, then the two saves.
script='set -u
add() { t=$1; shift; eval "\"\$d/$tool\" --wait -t $t $*" || { echo "FAILED: -t $t $*" >&2; exit 1; }; }
check() { t=$1; shift; c=$1; shift; eval "\"\$d/$tool\" --wait -t $t -C $*" || { echo "FAILED: -C $*" >&2; exit 1; }; }
echo "$rules" | while read -r t rest; do add "$t" "$rest" || exit 1; done || exit 1
echo "$rules" | grep " -A " | while read -r t rest; do check "$t" $rest || exit 1; done || exit 1
"$d/$tool" --wait -t filter -C FORWARD -o docker9 -j DOCKER 2>/dev/null && { echo "FAILED: -C of a missing rule succeeded" >&2; exit 1; }
"$d/$tool" --wait -t filter -n -L DOCKER-USER >/dev/null || { echo "FAILED: -n -L DOCKER-USER" >&2; exit 1; }
"$d/$tool" --wait -t filter -n -L NO-SUCH-CHAIN >/dev/null 2>&1 && { echo "FAILED: -L of a missing chain" >&2; exit 1; }
"$d/$tool" --wait -t filter -n -L | grep -q "^Chain DOCKER-ISOLATION-STAGE-1 (1 references)" || { echo "FAILED: -t filter -n -L" >&2; exit 1; }
for t in $tables; do "$d/$tool" --wait -t $t -S | sed "s/^/$t /"; done
"$d/$tool-save" >"$d/saved" || exit 1
for t in $tables; do "$d/$tool" -t $t -F && "$d/$tool" -t $t -X || exit 1; done
[ -z "$(for t in $tables; do "$d/$tool" -t $t -S | grep -v "^-P"; done)" ] || { echo "FAILED: flush" >&2; exit 1; }
"$d/$tool-restore" <"$d/saved" || { echo "FAILED: restore" >&2; exit 1; }
echo "== saved"; grep -v "^#" "$d/saved"
echo "== restored"; "$d/$tool-save" | grep -v "^#"'

if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null 2>&1; then
	skip "dockerd's rules in a network namespace: needs root and unshare"
	exit 0
fi
for b in $bins; do
	mode=$(mode_of "$b")
	d=$T_TMP/$mode
	for fam in 4 6; do
		if [ $fam = 4 ]; then tool=iptables rules=$rules4 tables="filter nat raw"
		else tool=ip6tables rules=$rules6 tables="filter nat"; fi
		# Can this kernel take rules in this mode at all? (nf_tables or ip_tables, built
		# in or as modules that modprobe loads.)
		ns_run "$d" "\"\$d/$tool\" -t filter -A INPUT -j ACCEPT && \"\$d/$tool\" -t nat -S >/dev/null"
		if [ $rc -ne 0 ] && [ ! -f "$d/.runs" ]; then
			notok "$tool ($mode): the binary does not run (see -V above)"
			continue
		elif [ $rc -ne 0 ] && [ -n "$DD_EMU" ] && grep -q 'iptables who?' "$T_TMP/err"; then
			# libiptc's words for ENOPROTOOPT from IPT_SO_GET_INFO (qemu_nosockopt)
			skip "$tool ($mode): qemu-user: no IPT_SO_* socket options emulated: $(head -c 300 "$T_TMP/err" | tr '\n' ' ')"
			continue
		elif [ $rc -ne 0 ] && [ -n "$DD_EMU" ]; then
			notok "$tool ($mode): a first rule under qemu-user (exit $rc): $(head -c 300 "$T_TMP/err" | tr '\n' ' ')"
			continue
		elif [ $rc -ne 0 ]; then
			skip "$tool ($mode): the kernel here refuses a first rule (exit $rc): $(head -c 300 "$T_TMP/err" | tr '\n' ' ')"
			continue
		fi
		ns_run "$d" "tool=$tool tables='$tables' rules='$rules'
$script"
		if [ $rc -ne 0 ]; then
			notok "$tool ($mode): dockerd's rules: exit $rc: $(head -c 400 "$T_TMP/err" | tr '\n' '|')"
			continue
		fi
		ok "$tool ($mode): dockerd's rules added with --wait and found by -C; -n -L lists the chains"
		listed=$(sed '/^== saved/,$d' "$T_TMP/out" | grep -v ' -P ')
		# -S prints a table's -N lines, then its -A lines chain by chain: the order written.
		echo "$rules" | awk '!s[$1]++ { print $1 }' | while read -r t; do
			echo "$rules" | awk -v t="$t" '$1 == t && $2 == "-N"'
			echo "$rules" | awk -v t="$t" '$1 == t && $2 == "-A"'
		done >"$T_TMP/want"
		echo "$listed" >"$T_TMP/listed"
		if cmp -s "$T_TMP/want" "$T_TMP/listed"; then
			ok "$tool ($mode): -S lists every rule back as dockerd wrote it, in order"
		else
			notok "$tool ($mode): -S: $(diff "$T_TMP/want" "$T_TMP/listed" | head -20 | tr '\n' '|')"
		fi
		saved=$(sed -n '/^== saved/,/^== restored/p' "$T_TMP/out" | sed '1d;$d')
		restored=$(sed -n '/^== restored/,$p' "$T_TMP/out" | sed '1d')
		if [ -n "$saved" ] && [ "$saved" = "$restored" ] &&
			echo "$saved" | grep -q -- '--to-destination' && echo "$saved" | grep -q '^\*raw\|^\*nat'; then
			ok "$tool ($mode): $tool-save, flush, $tool-restore: the same tables again"
		else
			echo "$saved" >"$T_TMP/saved" && echo "$restored" >"$T_TMP/restored"
			notok "$tool ($mode): save/restore differ: $(diff "$T_TMP/saved" "$T_TMP/restored" | head -10 | tr '\n' '|')"
		fi
	done
done
