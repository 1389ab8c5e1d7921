# The backend install chooses for the carried iptables (host/iptables.h), on the real
# kernel, each case in a network namespace of its own (legacy rules are per namespace)
# and a private mount namespace (a host iptables put on /usr/local/sbin there only):
# nft by default, legacy when legacy tables here hold rules (IPv4 or IPv6), the host's own
# iptables's backend when it has one, legacy when nft is not carried.
. "$(dirname "$0")/lib.sh"
T=$T_TMP
TOOL=${BUILD:-build}/host/tools/xtchoose
XTGZ=$(ls "${BUILD:-build}"/carry/iptables-*.tgz 2>/dev/null | head -n 1)
[ -x "$TOOL" ] || { notok "iptables choice: $TOOL is missing (make test-build)"; exit 1; }
[ -f "$XTGZ" ] || { notok "iptables choice: no carried iptables in ${BUILD:-build}/carry (make)"; exit 1; }
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
	skip "iptables choice: needs root and unshare (network namespaces)"
	exit 0
fi
tar -xzf "$XTGZ" -C "$T"
L=$T/iptables/xtables-legacy-multi
TOOL=$(cd "$(dirname "$TOOL")" && pwd)/xtchoose
# in_ns SCRIPT: SCRIPT in new network and mount namespaces, 60 s at most; its output.
in_ns() { timeout 60 unshare --net --mount sh -c "mount --make-rprivate / && $1" 2>&1; }
want() { # NAME EXPECTED-START OUTPUT
	case $3 in "$2"*) ok "$1: $3" ;; *) notok "$1: '$3', want '$2...'" ;; esac
}
# Legacy rules are made (iptables) and counted (the tool) with getsockopt(XT_SO_GET_INFO),
# which qemu-user does not emulate: it answers ENOPROTOOPT itself, and the carried iptables
# (run by it, as the tool is) says "iptables who? (do you need to insmod?)". Under it
# (DD_EMU) a case with legacy tables that fails so skips; any other outcome is checked.
rules() { # NAME EXPECTED-START SCRIPT
	_out=$(in_ns "$3")
	case $_out in "$2"*) ok "$1: $_out"; return ;; esac
	case ${DD_EMU:+emu}$_out in
	emu*"iptables who? (do you need to insmod?)"*)
		skip "$1: qemu-user: no XT_SO_GET_INFO getsockopt emulated: $(echo "$_out" | head -1)" ;;
	*) notok "$1: '$_out', want '$2...'" ;;
	esac
}
TOOL="$DD_EMU '$TOOL'"
LX="$DD_EMU '$L'"	# run by the emulator too: the carried iptables of the tool's architecture
# A host iptables of this machine's own would decide every case first.
for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
	if [ -e "$d/iptables" ] || [ -L "$d/iptables" ]; then
		skip "iptables choice: this machine has $d/iptables, which decides first"
		exit 0
	fi
done
want "a fresh namespace, nft carried: nft" "xtables-nft-multi: nft: no legacy rules here" \
	"$(in_ns "$TOOL 1")"
want "a fresh namespace, legacy only carried: legacy, saying why" \
	"xtables-legacy-multi: legacy: the only backend carried (else nft: no legacy rules here" "$(in_ns "$TOOL 0")"
rules "an IPv4 legacy rule here: legacy" "xtables-legacy-multi: legacy: this host's legacy iptables tables hold 1 rules" \
	"$LX iptables -w -A INPUT -s 192.0.2.9 -j ACCEPT && $TOOL 1"
rules "an IPv6 legacy rule here: legacy" "xtables-legacy-multi: legacy: this host's legacy iptables tables hold 1 rules" \
	"$LX ip6tables -w -A INPUT -s 2001:db8::9 -j ACCEPT && $TOOL 1"
rules "a user chain and two rules in two tables: counted" "xtables-legacy-multi: legacy: this host's legacy iptables tables hold 4 rules" \
	"$LX iptables -w -N DD && $LX iptables -w -A DD -j RETURN && $LX iptables -w -t nat -A OUTPUT -d 192.0.2.1 -j RETURN && $TOOL 1"
rules "legacy tables with no rules of their own (listed only): nft" "xtables-nft-multi: nft: no legacy rules here" \
	"$LX iptables -w -t nat -L -n >/dev/null && $LX ip6tables -w -L -n >/dev/null && $TOOL 1"
want "the host's own iptables, a link to xtables-legacy-multi: legacy" "xtables-legacy-multi: legacy: the backend of this host's /usr/local/sbin/iptables" \
	"$(in_ns "mount -t tmpfs dd /usr/local/sbin && ln -s '$L' /usr/local/sbin/iptables && $TOOL 1")"
want "a link of dockdrop's own is not the host's iptables" "xtables-nft-multi: nft: no legacy rules here" \
	"$(in_ns "mount -t tmpfs dd /usr/local/sbin && ln -s /opt/dockdrop/engine/current/iptables/iptables /usr/local/sbin/iptables && $TOOL 1")"
