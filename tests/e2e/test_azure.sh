# End to end for the Azure VM-extension handler (issue 14 point 3): the handler package
# (the zip `make release` builds, made here the same way from $DIST/dockdrop), a fake Linux
# guest agent (tests/e2e/fake-waagent.sh) and the status checker (tests/e2e/status-check.sh)
# go into the debootstrap'd root of tests/e2e (same namespaces: test_install.sh runs
# tests/e2e/inside_azure.sh there), where the agent's lifecycle runs against the real
# dockerd: install, enable (fresh, new settings with encrypted protected settings, the
# replay at boot, the legacy schema, refusals), two enables at once, an upgrade to a second
# handler version, the uninstall. The root has no jq, openssl or unzip: the host's are
# copied into its /tmp with the libraries they load, and run through their own loader.
#   DD_E2E_LIMIT=600   seconds for the whole namespace session
set -u
cd "$(dirname "$0")/../.." || exit 1
DIST=${DIST:-dist}
if [ "$(id -u)" != 0 ] || [ "$(uname -m)" != x86_64 ]; then
	echo "skip - azure handler end to end: needs root on x86_64"
	exit 0
fi
for t in jq openssl unzip python3 ldd; do
	command -v $t >/dev/null || { echo "skip - azure handler end to end: $t is not installed"; exit 0; }
done
[ -x "$DIST/dockdrop" ] || { echo "not ok - azure handler end to end: $DIST/dockdrop is missing (make)"; exit 1; }
T=$(mktemp -d /tmp/dd-azure.XXXXXX)
trap 'rm -rf "$T"' EXIT
F=$T/files
mkdir -p "$F/tools/bin" "$F/tools/lib" "$F/tools/real" || exit 1
python3 release/azure/mkzip.py "$F/dockdrop-azure.zip" release/azure/HandlerManifest.json "$DIST/dockdrop" 0 ||
	{ echo "not ok - azure handler end to end: the handler zip (release/azure/mkzip.py)"; exit 1; }
# a second package around the bare stub (no engine): its install is the 52 case
python3 release/azure/mkzip.py "$F/bare-azure.zip" release/azure/HandlerManifest.json "${BUILD:-build}/dockdrop" 0 ||
	{ echo "not ok - azure handler end to end: the bare stub's zip"; exit 1; }
cp tests/e2e/fake-waagent.sh tests/e2e/status-check.sh "$F/" || exit 1
# tool NAME: the host's program and every library it loads, run in the root by their loader.
tool() {
	p=$(command -v "$1") && cp "$p" "$F/tools/real/$1" || return 1
	for l in $(ldd "$p" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		cp -L "$l" "$F/tools/lib/" || return 1
	done
	printf '#!/bin/sh\nOPENSSL_CONF=/tmp/tools/openssl.cnf exec /tmp/tools/lib/ld-linux-x86-64.so.2 --library-path /tmp/tools/lib /tmp/tools/real/%s "$@"\n' \
		"$1" >"$F/tools/bin/$1" && chmod 755 "$F/tools/bin/$1"
}
# openssl req reads a configuration file; the root has none.
cp "$(openssl version -d | sed 's/^OPENSSLDIR: "\(.*\)"$/\1/')/openssl.cnf" "$F/tools/openssl.cnf" ||
	{ echo "not ok - azure handler end to end: the host's openssl.cnf"; exit 1; }
for t in jq openssl unzip; do
	tool $t || { echo "not ok - azure handler end to end: copying the host's $t for the root"; exit 1; }
done
[ -f "$F/tools/lib/ld-linux-x86-64.so.2" ] || { echo "skip - azure handler end to end: no ld-linux-x86-64.so.2"; exit 0; }
DD_E2E_FILES=$F DD_E2E_INSIDE=tests/e2e/inside_azure.sh sh tests/e2e/test_install.sh
