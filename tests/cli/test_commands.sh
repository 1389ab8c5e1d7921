# The command surface of DESIGN.md: every command exists, has --help and -h, refuses
# unknown options with one line and exit 2; commands not built yet say so and exit 1.
. "$(dirname "$0")/lib.sh"

# command path | arguments that satisfy it (for the "not implemented yet" check)
SURFACE='install|
status|
uninstall|
verify|
list|
extract|DIR
ca init|
ca issue server|
ca issue client|
ca show|FILE
certs rotate|
certs check|
client-bundle|
bundle|
version|'
GROUPS='ca
ca issue
certs'

run "$DOCKDROP" --help
for cmd in install status uninstall verify list extract ca certs client-bundle bundle version; do
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
	[ "$path" = version ] && continue
	run "$DOCKDROP" $path $args
	if [ $rc -eq 1 ] && [ "$(cat "$T_TMP/err")" = "dockdrop: $path: not implemented yet" ]; then
		ok "$path says not implemented yet"
	else
		notok "$path not implemented: exit $rc: $(cat "$T_TMP/err")"
	fi
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
