# The README's Azure Custom Script and cloud-init examples, run as written (issue 14 point
# 4): the commandToExecute texts, the example settings files and the runcmd lines are
# taken from README's section "Azure Custom Script and cloud-init" and run in the
# debootstrap'd root of tests/e2e (same namespaces: test_install.sh runs
# tests/e2e/inside_cse.sh there) the way the extension runs them (/bin/sh -c in
# /var/lib/waagent/custom-script/download/N with the downloads 0500, no HOME, stdin
# /dev/null, stdout and stderr into files, the last 4 KiB of each kept) and cloud-init
# runs runcmd (its lines as one sh script; the download line stands for the blob already
# fetched).
#   DD_E2E_LIMIT=600   seconds for the whole namespace session
set -u
cd "$(dirname "$0")/../.." || exit 1
DIST=${DIST:-dist}
if [ "$(id -u)" != 0 ] || [ "$(uname -m)" != x86_64 ]; then
	echo "skip - custom script end to end: needs root on x86_64"
	exit 0
fi
command -v jq >/dev/null || { echo "skip - custom script end to end: jq is not installed"; exit 0; }
[ -x "$DIST/dockdrop" ] || { echo "not ok - custom script end to end: $DIST/dockdrop is missing (make)"; exit 1; }
T=$(mktemp -d /tmp/dd-cse.XXXXXX)
trap 'rm -rf "$T"' EXIT
F=$T/files
mkdir -p "$F" || exit 1
sed -n '/^Azure Custom Script and cloud-init$/,/^Building$/p' README >"$T/section"
# The commandToExecute values (JSON strings, as the settings hold them), in order.
grep '^ *"commandToExecute": ' "$T/section" | sed 's/,$//' | while IFS= read -r l; do
	printf '{%s}\n' "$l" | jq -r .commandToExecute
done >"$T/commands"
n=$(wc -l <"$T/commands")
[ "$n" = 2 ] && sed -n 1p "$T/commands" >"$F/cse.1" && sed -n 2p "$T/commands" >"$F/cse.2" &&
	echo "ok - README: two commandToExecute examples ($(tr '\n' '|' <"$T/commands"))" ||
	{ echo "not ok - README: $n commandToExecute examples, the test runs two (update it with the README)"; exit 1; }
sed -n 's/^    docker-settings.json: *//p' "$T/section" >"$F/docker-settings.json"
sed -n 's/^    docker-protected.json: *//p' "$T/section" >"$F/docker-protected.json"
jq -e 'type == "object"' "$F/docker-settings.json" >/dev/null 2>&1 &&
	jq -e '.login.password | type == "string"' "$F/docker-protected.json" >/dev/null 2>&1 &&
	echo "ok - README: the example settings files are JSON objects" ||
	{ echo "not ok - README: docker-settings.json and docker-protected.json examples not found or not JSON"; exit 1; }
# docker-protected.json with a password of this run, for a registry that cannot be reached
# from the namespace (install says "not checked" and goes on).
PASS=cse$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')Pw
printf '%s\n' "$PASS" >"$F/pass"
jq --arg p "$PASS" '.login.password = $p | .login.server = "10.99.0.1:5000"' "$F/docker-protected.json" >"$F/prot.json" ||
	{ echo "not ok - docker-protected.json with the test's password"; exit 1; }
# runcmd: the lines of the cloud-config list; the download is the one the test stands in for.
sed -n '/^    runcmd:$/,/^$/s/^      - //p' "$T/section" >"$T/runcmd"
grep -q '^curl .* -o /root/dockdrop ' "$T/runcmd" && grep -q '^/root/dockdrop install' "$T/runcmd" &&
	grep -v '^curl ' "$T/runcmd" >"$F/runcmd" &&
	echo "ok - README: the runcmd lines ($(tr '\n' '|' <"$T/runcmd" | cut -c1-200))" ||
	{ echo "not ok - README: no runcmd list downloading /root/dockdrop and running its install"; exit 1; }
DD_E2E_FILES=$F DD_E2E_INSIDE=tests/e2e/inside_cse.sh sh tests/e2e/test_install.sh
