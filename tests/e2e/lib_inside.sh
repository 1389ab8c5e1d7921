# Helpers for the scripts that run inside the e2e chroot (inside.sh, inside_compose.sh,
# registry_inside.sh): their harnesses copy this file to /tmp/lib_inside.sh in the root.
# Each check prints one "ok - " or "not ok - " line; FAILS counts the second kind.
FAILS=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; FAILS=$((FAILS + 1)); }
check() { # NAME COMMAND...: ok when the command succeeds
	n=$1; shift
	if "$@" >/tmp/out 2>/tmp/err; then ok "$n"; else
		notok "$n: exit $?: $(tail -n 3 /tmp/err | tr '\n' '|' | cut -c1-300)"
	fi
}
alive() { [ -n "$1" ] && [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# The tree as a list of "path type mode size target" lines and file digests, without what
# is not the system's (mounts, /tmp, logs) or is the daemon's data. A directory's size is
# the filesystem's business (on an overlay over tmpfs it counts whiteouts): left out.
digest() {
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \
		-o -path /var/lib/docker -o -path /var/lib/containerd -o -path /var/cache \
		-o -path /var/log \) -prune -o -type d -printf '%p %y %m\n' -o -printf '%p %y %m %s %l\n' |
		LC_ALL=C sort
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \
		-o -path /var/lib/docker -o -path /var/lib/containerd -o -path /var/cache \
		-o -path /var/log \) -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
}
