# --dry-run changes nothing in any mode, and --json is honoured or refused (exit 2, one
# line) by every command, never ignored (issue 11, point 4). On image trees (--root), so
# nothing is started: a fresh tree, an installed one, a re-run with other options, an
# upgrade, and install --rollback. "Nothing changed" is exact here: every entry's type,
# mode, owner, size, inode, mtime and ctime, and every file's digest.
. "$(dirname "$0")/lib.sh"
T=$T_TMP

small_dockdrops 2
DD1=$T/dd1 DD2=$T/dd2

R=$T/root
image_root "$R"
printf '{\n  "log-level": "warn"\n}\n' >"$R/etc/docker/daemon.json"

have_jq() { command -v jq >/dev/null 2>&1; }
jq_check() { # NAME FILTER: on $T_TMP/out
	if ! have_jq; then skip "$1 (no jq)"; return; fi
	if jq -e "$2" "$T_TMP/out" >/dev/null 2>&1 && [ "$(wc -l <"$T_TMP/out")" = 1 ]; then ok "$1"
	else notok "$1: exit $rc: $(head -c 300 "$T_TMP/out") $(head -c 200 "$T_TMP/err")"; fi
}
# dry NAME ARGS...: a dry run exits 0 and the tree is exactly as before.
dry() {
	_n=$1; shift
	exact_tree "$R" >"$T/before"
	run "$@"
	exact_tree "$R" >"$T/after"
	if [ $rc -eq 0 ] && cmp -s "$T/before" "$T/after"; then ok "$_n: exit 0, nothing changed"
	else notok "$_n: exit $rc, $(diff "$T/before" "$T/after" | grep '^[<>]' | head -3 | tr '\n' '|') $(head -c 200 "$T_TMP/err")"; fi
}

# --- install --dry-run in every mode ----------------------------------------------------------
dry "install --dry-run on a fresh tree" "$DD1" install --root "$R" --tls-san vm.example --dry-run
grep -q '^plan' "$T_TMP/out" || notok "install --dry-run prints the plan: $(head -c 200 "$T_TMP/out")"
dry "install --dry-run --json on a fresh tree" "$DD1" install --root "$R" --dry-run --json
jq_check "install --dry-run --json: one JSON plan (engine 0.0.1-test, port 2376)" \
	'.result == "plan" and .engine.version == "0.0.1-test" and .port == 2376 and .tcp == true'
run "$DD1" install -q --root "$R" --tls-san vm.example --json
jq_check "install --json: one JSON result" '.result == "installed" and .engine.version == "0.0.1-test"'
dry "install --dry-run on an installed tree (same options)" "$DD1" install --root "$R" --tls-san vm.example --dry-run
# What a killed run left (a temporary of a dead process) stays too: the next real run sweeps it.
: >"$R/etc/docker/.daemon.json.dd-2147483646-0"
dry "install --dry-run beside a killed run's temporary" "$DD1" install --root "$R" --tls-san vm.example --dry-run
run "$DD1" install -q --root "$R" --tls-san vm.example
check "the next install removes that temporary" sh -c "[ $rc -eq 0 ] && [ ! -e '$R/etc/docker/.daemon.json.dd-2147483646-0' ]"
dry "install --dry-run with other options" "$DD1" install --root "$R" --tls-san other.example --port 2377 --init sysv --dry-run
dry "install --dry-run --json with other options" "$DD1" install --root "$R" --no-tcp --dry-run --json
jq_check "install --dry-run --json --no-tcp: the plan says tcp false" '.result == "plan" and .tcp == false'
dry "install --dry-run of an upgrade" "$DD2" install --root "$R" --tls-san vm.example --dry-run
run "$DD2" install -q --root "$R" --tls-san vm.example
[ $rc -eq 0 ] || notok "upgrade to 0.0.2: $(cat "$T_TMP/err")"
dry "install --rollback --dry-run" "$DD2" install --root "$R" --rollback --dry-run
grep -q 'engine 0.0.1-test becomes current again' "$T_TMP/out" ||
	notok "install --rollback --dry-run names the engine: $(cat "$T_TMP/out")"
dry "install --rollback --dry-run --json" "$DD2" install --root "$R" --rollback --dry-run --json
jq_check "install --rollback --dry-run --json: the plan (0.0.1-test back, 0.0.2-test kept)" \
	'.result == "plan" and .engine == "0.0.1-test" and .previous == "0.0.2-test"'
check "after the dry runs 0.0.2 is still current" sh -c "readlink '$R/opt/dockdrop/engine/current' | grep -q '^0.0.2-test-'"
run "$DD2" install --root "$R" --rollback --json
jq_check "install --rollback --json: one JSON result" \
	'.result == "rolled back" and .engine == "0.0.1-test" and .previous == "0.0.2-test"'
check "install --rollback --json did roll back" sh -c "readlink '$R/opt/dockdrop/engine/current' | grep -q '^0.0.1-test-'"

# --- --json honoured where a command has it --------------------------------------------------
run "$DD2" status --root "$R" --json
jq_check "status --json" '.installed == true and .engine.version == "0.0.1-test"'
run "$DD2" certs check --root "$R" --json
jq_check "certs check --json" 'length == 3 and all(.[]; .present)'
run "$DD2" list --json
jq_check "list --json" '.components[0].kind == "engine"'
$DD_EMU "$DD2" ca init -q --dir "$T/ca" && $DD_EMU "$DD2" ca issue server -q --ca "$T/ca" --out "$T/srv" --san a.example
run "$DD2" ca show --json "$T/srv/server-cert.pem"
jq_check "ca show --json" '.sans == ["a.example"] and .server_auth == true'

# --- --json and --dry-run refused where a command has not got them ----------------------------
# Every command and subcommand: an option its --help does not list is refused with exit 2
# and one line, and changes nothing.
# Every command of --help (azure-handler's subcommands are in test_azure_handler), one a line.
CMDS='install
status
uninstall
verify
list
extract
ca init
ca issue server
ca issue client
ca show
certs rotate
certs check
client-bundle
bundle
version
man
completion'
top=$($DD_EMU "$DD2" --help | awk '/^Commands:/ { c = 1; next } /^$/ { c = 0 } c { print $1 }' | grep -vx azure-handler)
check "the list holds every command of --help but azure-handler" \
	test "$(echo "$CMDS" | cut -d' ' -f1 | uniq)" = "$top"
exact_tree "$R" >"$T/before"
while IFS= read -r cmd; do
	# shellcheck disable=SC2086 # the subcommand words are meant to split
	$DD_EMU "$DD2" $cmd --help >"$T/help" 2>&1 </dev/null
	for opt in --json --dry-run; do
		if grep -q -- "$opt" "$T/help"; then
			continue
		fi
		# shellcheck disable=SC2086 # (--root, where there is one, points at the tree)
		expect_usage "$cmd $opt: refused (exit 2, one line)" $cmd "$opt" \
			$(grep -q -- --root "$T/help" && echo "--root $R")
		grep -qF -- "unknown option '$opt'" "$T_TMP/err" ||
			notok "$cmd $opt: the error names the option: $(cat "$T_TMP/err")"
	done </dev/null # the list, not each command's stdin
done <<EOF
$CMDS
EOF
exact_tree "$R" >"$T/after"
cmp -s "$T/before" "$T/after" && ok "the refused options changed nothing" ||
	notok "the tree changed: $(diff "$T/before" "$T/after" | grep '^[<>]' | head -3 | tr '\n' '|')"
# The commands that list --json are exactly those whose JSON is checked above.
listed=
while IFS= read -r cmd; do
	# shellcheck disable=SC2086
	$DD_EMU "$DD2" $cmd --help 2>&1 </dev/null | grep -q -- --json && listed="$listed${listed:+,}$cmd"
done <<EOF
$CMDS
EOF
check "--json is listed by install, status, list, ca show and certs check only ($listed)" \
	[ "$listed" = "install,status,list,ca show,certs check" ]
