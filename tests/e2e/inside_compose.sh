# Run by tests/e2e/test_compose.sh (through test_install.sh) inside the chroot: a
# debootstrap'd bookworm root in its own mount, network and PID namespaces; /tmp/dockdrop
# carries the engine and Debian's Compose CLI plugin.
set -u
DD=/tmp/dockdrop
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
OPTS="--init none --no-tcp --daemon-opt storage-driver=\"vfs\""

# --- the plugin: installed with the engine, found by the docker CLI -------------------------
check "list shows the Compose plugin with its version from its metadata" sh -c \
	"$DD list | grep -Eq '^plugin +docker-compose +2\.26\.1-4 +x86_64 '"
# shellcheck disable=SC2086
$DD install $OPTS >/tmp/install.out 2>/tmp/install.err
rc=$?
[ $rc -eq 0 ] && ok "install with the plugin: exit 0" ||
	{ notok "install: exit $rc: $(tail -n 5 /tmp/install.err | tr '\n' '|' | cut -c1-600)"; exit 1; }
check "docker compose version works (2.26.1-4)" sh -c "docker compose version | grep -q 'v*2\.26\.1-4'"
check "the plugin is linked through the current engine" sh -c \
	"[ \"\$(readlink /usr/local/lib/docker/cli-plugins/docker-compose)\" = /opt/dockdrop/engine/current/cli-plugins/docker-compose ]"

# --- uninstall --------------------------------------------------------------------------------
$DD uninstall --purge >/tmp/un.out 2>/tmp/un.err
rc=$?
[ $rc -eq 0 ] && ok "uninstall --purge: exit 0" || notok "uninstall --purge: exit $rc: $(tr '\n' '|' </tmp/un.err | cut -c1-300)"
check "uninstall removed the plugin link and its directories" sh -c '! [ -e /usr/local/lib/docker ]'
[ $FAILS -eq 0 ]
