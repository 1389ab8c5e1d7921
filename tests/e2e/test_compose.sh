# End to end for the workloads a bundle carries (issue 13): the Compose CLI plugin (Debian
# 13's docker-compose package, fetched once with a private apt configuration and cached in
# /var/cache/dockdrop-test, never committed) bundled with the engine and an image made at
# test time, installed into the
# debootstrap'd root of tests/e2e (same namespaces, tests/e2e/test_install.sh runs
# tests/e2e/inside_compose.sh there): `docker compose version` works, a compose project
# publishing a port comes up, a re-run restarts nothing, a changed file recreates only
# its service, a reboot-equivalent brings it back, uninstall takes it down. Then the
# whole application from the payload in one install on a clean root (no network: the
# namespace has no route out): the carried image loaded, the project up, its port
# answering; a re-run loads nothing and restarts nothing; a reboot-equivalent.
set -u
cd "$(dirname "$0")/../.." || exit 1
DIST=${DIST:-dist}
BUILD=${BUILD:-build}
if [ "$(id -u)" != 0 ] || [ "$(uname -m)" != x86_64 ]; then
	echo "skip - compose end to end: needs root on x86_64"
	exit 0
fi
[ -x "$DIST/dockdrop" ] && [ -f "$BUILD/engine/engine.env" ] && . "./$BUILD/engine/engine.env" ||
	{ echo "not ok - compose end to end: $DIST/dockdrop or $BUILD/engine/engine.env missing (make)"; exit 1; }
T=$(mktemp -d /tmp/dd-compose.XXXXXX)
trap 'rm -rf "$T"' EXIT
# Debian 13's docker-compose (2.26.1-4 when this was written), fetched once, gzip'd
# (64 MB -> 19 MB): bundle keeps it compressed, the program's digest in the manifest.
RAW=$(sh tests/tools/compose-plugin.sh "$T") ||
	{ echo "not ok - compose end to end: Debian trixie's docker-compose (tests/tools/compose-plugin.sh)"; exit 1; }
# The application's image, made here at test time without a daemon (tests/tools/mksave.sh):
# the root's static busybox serving a page, tagged dd-web:1; bundle carries it.
LOWER=$(sh tests/e2e/mkroot.sh) && mkdir -p "$T/web/bin" "$T/web/www" &&
	cp "$LOWER/bin/busybox" "$T/web/bin/busybox" && echo dd-bundled-page >"$T/web/www/index.html" &&
	sh tests/tools/mksave.sh "$T/web" dd-web:1 "$T/web.tar" /bin/busybox httpd -f -p 80 -h /www >/dev/null ||
	{ echo "not ok - compose end to end: the web image (mkroot.sh, mksave.sh)"; exit 1; }
"$DIST/dockdrop" bundle -q --engine "$ENGINE_FILE" --sha256 "$ENGINE_SHA256" --image "$T/web.tar" \
	--plugin "$T/docker-compose.gz" -o "$T/dockdrop" ||
	{ echo "not ok - compose end to end: bundle --image --plugin docker-compose"; exit 1; }
"$T/dockdrop" list | grep -A1 '^plugin  *docker-compose ' | grep -q "sha256 $RAW\$" &&
	echo "ok - list shows the Compose program's own SHA-256 ($RAW) beside the compressed blob's" ||
	echo "not ok - list lacks the Compose program's SHA-256 $RAW"
DD_E2E_INSIDE=tests/e2e/inside_compose.sh DD_E2E_DOCKDROP=$T/dockdrop sh tests/e2e/test_install.sh
