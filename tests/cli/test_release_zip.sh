# `make release`: the Azure VM-extension handler package dist/azure/dockdrop-azure-VERSION.zip
# (AZURE.md 2, 13.5): HandlerManifest.json at its root, equal to release/azure's, with the
# five commands and the flags AZURE.md 13.5 chose; bin/dockdrop byte for byte dist/dockdrop,
# executable once unzipped, and knowing the command the manifest names; the same inputs
# give the same zip.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
DIST=${DIST:-dist}
case $DIST in /*) ;; *) DIST=$top/$DIST ;; esac
MAN=$top/release/azure/HandlerManifest.json

for t in unzip jq python3; do
	command -v $t >/dev/null || { skip "handler zip: $t is not installed"; exit 0; }
done
[ -x "$DIST/dockdrop" ] || { notok "handler zip: $DIST/dockdrop is missing (make)"; exit 1; }
ver=$($DD_EMU "$DIST/dockdrop" version | sed -n 's/^dockdrop //p')
ZIP=$DIST/azure/dockdrop-azure-$ver.zip
[ -f "$ZIP" ] && ok "the zip is named after dockdrop's version: $(basename "$ZIP")" ||
	{ notok "handler zip: $ZIP is missing (make release)"; exit 1; }

check "unzip -t: every entry's CRC right" sh -c "unzip -tq '$ZIP' >/dev/null"
unzip -Z1 "$ZIP" >"$T_TMP/list"
printf 'HandlerManifest.json\nbin/\nbin/dockdrop\n' >"$T_TMP/want"
cmp -s "$T_TMP/list" "$T_TMP/want" && ok "the zip holds HandlerManifest.json at its root and bin/dockdrop, nothing else" ||
	notok "the zip's listing: $(tr '\n' ' ' <"$T_TMP/list")"

mkdir "$T_TMP/x" && (cd "$T_TMP/x" && unzip -q "$ZIP") || { notok "unzip $ZIP"; exit 1; }
check "the manifest in the zip is the committed one" cmp -s "$T_TMP/x/HandlerManifest.json" "$MAN"
check "the manifest is valid JSON (jq)" sh -c "jq -e . '$T_TMP/x/HandlerManifest.json' >/dev/null"
# What the agent reads (AZURE.md 2): element [0]'s handlerManifest; every command relative
# to the handler's folder, the flags JSON booleans (a string is a manifest complaint).
jq -r '.[0].handlerManifest | [.installCommand, .enableCommand, .disableCommand, .updateCommand,
	.uninstallCommand] | .[]' "$T_TMP/x/HandlerManifest.json" >"$T_TMP/cmds" 2>&1
printf 'bin/dockdrop azure-handler %s\n' install enable disable update uninstall >"$T_TMP/want"
cmp -s "$T_TMP/cmds" "$T_TMP/want" && ok "the five commands are bin/dockdrop azure-handler install|enable|disable|update|uninstall" ||
	notok "the manifest's commands: $(tr '\n' '|' <"$T_TMP/cmds")"
jq -e 'length == 1 and (.[0] | keys == ["handlerManifest", "version"]) and (.[0].handlerManifest |
		.updateMode == "UpdateWithInstall" and .continueOnUpdateFailure == false and .reportHeartbeat == false and
		.supportsMultipleExtensions == false and .rebootAfterInstall == false and (has("resourceLimits") | not))' \
	"$T_TMP/x/HandlerManifest.json" >/dev/null 2>&1 &&
	ok "updateMode UpdateWithInstall; continueOnUpdateFailure, reportHeartbeat, supportsMultipleExtensions, rebootAfterInstall false (booleans)" ||
	notok "the manifest's flags: $(jq -c '.[0].handlerManifest' "$T_TMP/x/HandlerManifest.json" 2>&1 | cut -c1-300)"

check "bin/dockdrop is dist/dockdrop, byte for byte" cmp -s "$T_TMP/x/bin/dockdrop" "$DIST/dockdrop"
check "bin/dockdrop is executable once unzipped" test -x "$T_TMP/x/bin/dockdrop"
check "bin/dockdrop runs and says the zip's version" sh -c "$DD_EMU '$T_TMP/x/bin/dockdrop' version | grep -qx 'dockdrop $ver'"
$DD_EMU "$T_TMP/x/bin/dockdrop" azure-handler --help >"$T_TMP/out" 2>"$T_TMP/err"
rc=$?
[ $rc -eq 0 ] && ok "bin/dockdrop has the command the manifest runs (azure-handler --help)" ||
	notok "bin/dockdrop azure-handler --help: exit $rc: $(head -c 200 "$T_TMP/err" | tr '\n' '|')"

# The same inputs, the same bytes (fixed times and modes).
python3 "$top/release/azure/mkzip.py" "$T_TMP/a.zip" "$MAN" "$DIST/dockdrop" 1700000000 &&
	python3 "$top/release/azure/mkzip.py" "$T_TMP/b.zip" "$MAN" "$DIST/dockdrop" 1700000000 &&
	cmp -s "$T_TMP/a.zip" "$T_TMP/b.zip" && ok "mkzip.py: the same inputs give the same zip" ||
	notok "mkzip.py: two runs differ"
