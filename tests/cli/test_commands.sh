# The command surface of DESIGN.md: every command exists, has --help and -h, refuses
# unknown options with one line and exit 2. Run by the bare stub, the payload commands
# (install, verify, list, extract) say there is no payload (exit 1); on a machine with
# nothing installed, status, uninstall and certs say so (exit 1); bundle without arguments
# asks for --engine (exit 2). The ca
# commands work: without their required options they ask for them (exit 2). client-bundle
# works: without client certificates it says to run install first (exit 1).
. "$(dirname "$0")/lib.sh"

# command path | arguments that satisfy it (for the "nothing installed" / "no payload" checks)
SURFACE='install|
status|
uninstall|
verify|
list|
extract|DIR
ca init|
ca issue server|
ca issue client|
ca show|/nonexistent-file
certs rotate|
certs check|
client-bundle|--client-dir /nonexistent-dir --name vm1
bundle|
version|
man|
completion|bash'
GROUPS='ca
ca issue
certs'

run "$DOCKDROP" --help
for cmd in install status uninstall verify list extract ca certs client-bundle bundle version man completion; do
	check "top-level --help lists $cmd" grep -q "^  $cmd " "$T_TMP/out"
done

echo "$SURFACE" | while IFS='|' read -r path args; do
	for h in --help -h; do
		run "$DOCKDROP" $path $h
		if [ $rc -eq 0 ] && head -1 "$T_TMP/out" | grep -q "^Usage: dockdrop $path \[options\]" &&
			[ ! -s "$T_TMP/err" ] && grep -q -- '--help' "$T_TMP/out"; then
			ok "$path $h"
		else
			notok "$path $h: exit $rc: $(head -1 "$T_TMP/out")"
		fi
	done
	expect_usage "$path refuses an unknown option" $path --no-such-option $args
	if ! grep -q "unknown option '--no-such-option'; see 'dockdrop $path --help'" "$T_TMP/err"; then
		notok "$path: unknown option line names it: $(cat "$T_TMP/err")"
	fi
	expect_usage "$path refuses an unknown short option" $path -Z $args
	run "$DOCKDROP" $path $args
	case $path in
	version) ;;
	man | completion)
		check "$path $args prints its text (test_docs checks it)" sh -c "[ $rc -eq 0 ] && [ -s '$T_TMP/out' ] && [ ! -s '$T_TMP/err' ]"
		[ $path = man ] || expect_usage "completion of a shell it has none for" completion fish
		;;
	install | verify | list | extract)
		if [ $rc -eq 1 ] && [ "$(lines "$T_TMP/err")" = 1 ] &&
			grep -q "^dockdrop: $path: this program: no payload" "$T_TMP/err" &&
			! grep -q 'not implemented' "$T_TMP/err"; then
			ok "$path on the bare stub says no payload"
		else
			notok "$path on the bare stub: exit $rc: $(cat "$T_TMP/err")"
		fi
		;;
	bundle)
		if [ $rc -eq 2 ] && [ ! -s "$T_TMP/out" ] &&
			[ "$(cat "$T_TMP/err")" = "dockdrop: bundle: --engine is required; see 'dockdrop bundle --help'" ]; then
			ok "bundle without arguments asks for --engine"
		else
			notok "bundle without arguments: exit $rc: $(cat "$T_TMP/err")"
		fi
		;;
	ca\ init | ca\ issue\ *)
		want="--dir D"
		[ "$path" = "ca init" ] || want="--ca D"
		if [ $rc -eq 2 ] && [ ! -s "$T_TMP/out" ] &&
			[ "$(cat "$T_TMP/err")" = "dockdrop: $path: $want is required; see 'dockdrop $path --help'" ]; then
			ok "$path without arguments asks for $want"
		else
			notok "$path without arguments: exit $rc: $(cat "$T_TMP/err")"
		fi
		;;
	client-bundle)
		if [ $rc -eq 1 ] && [ ! -s "$T_TMP/out" ] && [ "$(cat "$T_TMP/err")" = \
			"dockdrop: client-bundle: no client certificate in /nonexistent-dir: run dockdrop install first" ]; then
			ok "client-bundle without client certificates: exit 1, run install first"
		else
			notok "client-bundle without client certificates: exit $rc: $(cat "$T_TMP/err")"
		fi
		;;
	ca\ show)
		if [ $rc -eq 2 ] && [ "$(lines "$T_TMP/err")" = 1 ] &&
			grep -q '^dockdrop: ca show: /nonexistent-file: No such file' "$T_TMP/err"; then
			ok "ca show of a missing file: exit 2, one line"
		else
			notok "ca show of a missing file: exit $rc: $(cat "$T_TMP/err")"
		fi
		;;
	status)
		if [ $rc -eq 1 ] && grep -q '^not installed' "$T_TMP/out" && [ ! -s "$T_TMP/err" ]; then
			ok "status with nothing installed: exit 1, not installed"
		else
			notok "status with nothing installed: exit $rc: $(cat "$T_TMP/out" "$T_TMP/err")"
		fi
		;;
	*)
		if [ $rc -eq 1 ] && [ "$(lines "$T_TMP/err")" = 1 ] &&
			grep -q "^dockdrop: $path: dockdrop has not installed anything here" "$T_TMP/err"; then
			ok "$path with nothing installed: exit 1, one line"
		else
			notok "$path with nothing installed: exit $rc: $(cat "$T_TMP/err")"
		fi
		;;
	esac
done

echo "$GROUPS" | while read -r group; do
	run "$DOCKDROP" $group --help
	check "$group --help lists its commands" sh -c \
		"[ $rc -eq 0 ] && grep -q '^Usage: dockdrop $group COMMAND' '$T_TMP/out'"
	expect_usage "$group without a command" $group
	expect_usage "$group with an unknown command" $group nosuch
done

expect_usage "no command at all"
expect_usage "unknown command" frobnicate
grep -q "unknown command 'frobnicate'; see 'dockdrop --help'" "$T_TMP/err" &&
	ok "unknown command line names it" || notok "unknown command line: $(cat "$T_TMP/err")"
expect_usage "unknown global option" --frobnicate install
run "$DOCKDROP" -v version
check "global -v before a command" test $rc -eq 0
run "$DOCKDROP" -q --help
check "global --help after -q" test $rc -eq 0
