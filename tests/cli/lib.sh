# Helpers for the command-line tests: each check prints one "ok - ", "not ok - " or
# "skip - " line, which tests/run.sh counts. Source this file; $DOCKDROP is the binary.
: "${DOCKDROP:?DOCKDROP must name the dockdrop binary}"
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dd-cli-XXXXXX")
trap 'rm -rf "$T_TMP"' EXIT

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }
check() { # NAME COND-COMMAND...: ok when the command succeeds
	name=$1; shift
	if "$@"; then ok "$name"; else notok "$name"; fi
}

# Run a command, keeping its exit code in $rc, stdout in $T_TMP/out, stderr in $T_TMP/err.
run() {
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	rc=$?
}
lines() { wc -l <"$1" | tr -d ' '; }

# expect_usage NAME ARGS...: exit 2, nothing on stdout, exactly one line on stderr that
# starts with "dockdrop: ".
expect_usage() {
	name=$1; shift
	run "$DOCKDROP" "$@"
	if [ $rc -eq 2 ] && [ ! -s "$T_TMP/out" ] && [ "$(lines "$T_TMP/err")" = 1 ] &&
		grep -q '^dockdrop: ' "$T_TMP/err"; then
		ok "$name"
	else
		notok "$name: exit $rc, stderr: $(head -c 300 "$T_TMP/err" | tr '\n' '|')"
	fi
}

# expect_err NAME RC TEXT CMD...: exit RC, exactly one line on stderr, starting "dockdrop: "
# and containing TEXT (when not empty).
expect_err() {
	_n=$1 _want=$2 _text=$3; shift 3
	run "$@"
	if [ $rc -eq "$_want" ] && [ "$(lines "$T_TMP/err")" = 1 ] && grep -q '^dockdrop: ' "$T_TMP/err" &&
		{ [ -z "$_text" ] || grep -qF -- "$_text" "$T_TMP/err"; }; then
		ok "$_n"
	else
		notok "$_n: exit $rc (want $_want), stderr: $(head -c 400 "$T_TMP/err" | tr '\n' '|')"
	fi
}
