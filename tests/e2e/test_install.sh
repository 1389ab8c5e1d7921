# End to end in a real Debian root: dist/dockdrop installs the engine it carries into a
# debootstrap'd bookworm tree (tests/e2e/mkroot.sh, cached), with --init none, and the
# real docker CLI then talks to the real dockerd over mutual TLS, loads an image the test
# makes and runs containers on the default bridge and on a user network with published
# ports, reached from a second host (a network namespace on a veth pair): the root has no
# iptables of its own, so dockerd's NAT rules are made by the iptables dockdrop carries. Then: after real use (networks, a running container, veth
# pairs, link-local and down interfaces) a re-run is a no-op that restarts and rewrites
# nothing, a --tls-san taken off leaves the certificate, status --json is right, the TLS
# port refuses the wrong clients, and uninstall --purge leaves the tree as it was apart
# from data.
#
# Everything runs in one namespace session:
#   unshare --mount --net --pid --fork --kill-child --mount-proc sh THIS --inner DIR ROOT
# The root is an overlay (the cached tree below, DIR/upper on top), so the cache is never
# changed; the new network namespace has only its own loopback; when the session's first
# process ends, every daemon in the PID namespace dies with it.
#   DD_E2E_LIMIT=600   seconds for the whole namespace session
#   DD_E2E_INSIDE=F DD_E2E_DOCKDROP=B   another script to run inside, with the bundle B as
#                      /tmp/dockdrop (tests/e2e/test_compose.sh)
#   DD_E2E_FILES=DIR   DIR's files copied into the root's /tmp too (tests/e2e/test_azure.sh)
set -u

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }

# ============================================================================================
# Inside the namespaces.
# ============================================================================================
if [ "${1-}" = --inner ]; then
	T=$2 LOWER=$3
	R=$T/root
	ip link set lo up || { notok "namespace: lo up"; exit 1; }
	# An interface of the machine's own (up, with carrier from its veth peer): stable IPv4
	# and IPv6 addresses the server certificate must name, and an IPv6 temporary (privacy)
	# address the kernel derives from the mngtmpaddr one, which it must not (it rotates).
	if ! ip link add ddeth0 type veth peer name ddeth0p || ! ip link set ddeth0 up ||
		! ip link set ddeth0p up || ! ip addr add 10.77.0.1/24 dev ddeth0; then
		notok "namespace: ddeth0 with 10.77.0.1"
		exit 1
	fi
	if [ -w /proc/sys/net/ipv6/conf/ddeth0/use_tempaddr ]; then
		echo 2 >/proc/sys/net/ipv6/conf/ddeth0/use_tempaddr &&
			ip addr add 2001:db8:7::1/64 dev ddeth0 mngtmpaddr nodad ||
			{ notok "namespace: ddeth0 with 2001:db8:7::1 mngtmpaddr"; exit 1; }
	fi
	# A second host on ddeth0's wire: the peer moved into a network namespace of its own
	# (10.77.0.2, no route beyond its subnet). From there the published ports are reached
	# (DNAT in PREROUTING, then FORWARD), and containers connect to it (masqueraded: it has
	# no route back to their subnets). Its sleep dies with the session (--kill-child).
	unshare --net sleep 100000 &
	CLIENT=$!
	i=0
	while [ "$(readlink /proc/$CLIENT/ns/net 2>/dev/null)" = "$(readlink /proc/self/ns/net)" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if ! ip link set ddeth0p netns "$CLIENT" ||
		! nsenter --net=/proc/$CLIENT/ns/net sh -c 'ip link set lo up && ip link set ddeth0p up &&
			ip addr add 10.77.0.2/24 dev ddeth0p'; then
		notok "namespace: the client host 10.77.0.2 on ddeth0's peer"
		exit 1
	fi
	mount --make-rprivate /
	mkdir -p "$T/upper" "$T/work" "$R"
	if ! mount -t overlay dd-e2e -o "lowerdir=$LOWER,upperdir=$T/upper,workdir=$T/work" "$R" ||
		! mount -t proc proc "$R/proc" || ! mount --rbind /sys "$R/sys" ||
		! mount --rbind /dev "$R/dev" || ! mount -t tmpfs -o mode=0755 dd-run "$R/run" ||
		! mount -t tmpfs -o mode=1777 dd-tmp "$R/tmp"; then
		notok "namespace: overlay root with /proc, /sys, /dev, /run, /tmp"
		exit 1
	fi
	mount --make-rslave "$R/sys" "$R/dev" 2>/dev/null
	cp "$DIST_DOCKDROP" "$R/tmp/dockdrop" && cp "$T/inside.sh" "$R/tmp/inside.sh" && cp "$T/lib_inside.sh" "$R/tmp/lib_inside.sh" ||
		{ notok "copy dockdrop into the root"; exit 1; }
	[ -f "$T/dockdrop2" ] && cp "$T/dockdrop2" "$R/tmp/dockdrop2"
	[ -z "${DD_E2E_FILES-}" ] || cp -a "$DD_E2E_FILES/." "$R/tmp/" || { notok "copy $DD_E2E_FILES into the root"; exit 1; }
	echo "$CLIENT" >"$R/tmp/client.pid"
	exec chroot "$R" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/tmp /bin/sh /tmp/inside.sh
fi

# ============================================================================================
# Outside: checks, the cached root, the namespace session.
# ============================================================================================
cd "$(dirname "$0")/../.." || exit 1
DIST=${DIST:-dist}
if [ "$(id -u)" != 0 ]; then
	skip "end to end install: needs root (namespaces, chroot)"
	exit 0
fi
for t in unshare nsenter chroot ip debootstrap; do
	command -v $t >/dev/null || { skip "end to end install: $t is not installed"; exit 0; }
done
[ -x "$DIST/dockdrop" ] || { notok "end to end install: $DIST/dockdrop is missing (make)"; exit 1; }
LOWER=$(sh tests/e2e/mkroot.sh) || { notok "end to end install: the Debian root could not be made"; exit 1; }
T=$(mktemp -d /tmp/dd-e2e.XXXXXX)
trap 'umount -R "$T/root" 2>/dev/null; rm -rf "$T"' EXIT
cp "${DD_E2E_INSIDE:-tests/e2e/inside.sh}" "$T/inside.sh" && cp tests/e2e/lib_inside.sh "$T/lib_inside.sh"
DIST_DOCKDROP=${DD_E2E_DOCKDROP:-$(cd "$DIST" && pwd)/dockdrop}
export DIST_DOCKDROP
# A second dockdrop for the upgrade and rollback: the same engine bytes under another
# version name (so another engine directory), bundled by dist/dockdrop itself.
BUILD=${BUILD:-build}
if [ -z "${DD_E2E_INSIDE-}" ] && [ -f "$BUILD/engine/engine.env" ] && . "./$BUILD/engine/engine.env" && [ -f "$ENGINE_FILE" ]; then
	"$DIST_DOCKDROP" bundle -q --engine "$ENGINE_FILE" --sha256 "$ENGINE_SHA256" \
		--engine-version "$ENGINE_VERSION-next" -o "$T/dockdrop2" ||
		notok "end to end install: bundling the second engine failed"
fi
timeout -k 10 "${DD_E2E_LIMIT:-600}" unshare --mount --net --pid --fork --kill-child --mount-proc \
	sh "$0" --inner "$T" "$LOWER"
rc=$?
[ $rc -eq 124 ] && notok "end to end install: the session did not finish within ${DD_E2E_LIMIT:-600} s"
exit $rc
