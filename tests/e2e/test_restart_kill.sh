# End to end: a run killed at any phase of a restart is completed by the next run (README,
# Install), under the sysv scripts: tests/e2e/test_install.sh runs
# tests/e2e/inside_restart_kill.sh in the debootstrap'd root (about 2 minutes).
set -u
cd "$(dirname "$0")/../.." || exit 1
DIST=${DIST:-dist}
if [ "$(id -u)" != 0 ] || [ "$(uname -m)" != x86_64 ]; then
	echo "skip - restart killed end to end: needs root on x86_64"
	exit 0
fi
[ -x "$DIST/dockdrop" ] || { echo "not ok - restart killed end to end: $DIST/dockdrop is missing (make)"; exit 1; }
DD_E2E_INSIDE=tests/e2e/inside_restart_kill.sh DD_E2E_DOCKDROP=$(cd "$DIST" && pwd)/dockdrop sh tests/e2e/test_install.sh
