# install's output on a terminal and off it: on a TTY the engine unpack draws a progress
# line (bytes and percent, redrawn in place on stderr); without one (a pipe, a log file,
# cloud-init) the output is the plain one-line steps only, with no progress line and no
# carriage return. The terminal is `script -qc`'s pseudo-terminal.
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$T_TMP

small_dockdrops 1
mkroot() { mkdir -p "$1/etc" && printf 'root:x:0:\n' >"$1/etc/group"; }

mkroot "$T/plain"
run "$T_TMP/dd1" install --root "$T/plain" --init none
if [ $rc -eq 0 ] && grep -q '^engine .* verified and unpacked into' "$T_TMP/out" &&
	! grep -q 'unpacking engine' "$T_TMP/out" "$T_TMP/err" && ! grep -q "$(printf '\r')" "$T_TMP/out" "$T_TMP/err"; then
	ok "without a terminal: the one-line steps, no progress line"
else
	notok "without a terminal: exit $rc, $(cat "$T_TMP/out" "$T_TMP/err" | tr '\r\n' '^|' | cut -c1-300)"
fi

if ! command -v script >/dev/null; then
	skip "on a terminal: script(1) is not installed"
	exit 0
fi
mkroot "$T/tty"
script -qec "$DD_EMU '$T_TMP/dd1' install --root '$T/tty' --init none" /dev/null >"$T/tty.out" 2>&1
rc=$?
# The progress line: "\runpacking engine: N of M MB (P%)" then an erase to the end of line.
if [ $rc -eq 0 ] && grep -q "$(printf '\r')unpacking engine: [0-9.]* of [0-9.]* MB ([0-9]*%)" "$T/tty.out" &&
	grep -q "unpacking engine: .* (100%)" "$T/tty.out" && grep -q 'verified and unpacked into' "$T/tty.out"; then
	ok "on a terminal: a progress line for the engine unpack (bytes and percent), then the step"
else
	notok "on a terminal: exit $rc, $(tr '\r\n\033' '^|~' <"$T/tty.out" | cut -c1-400)"
fi
mkroot "$T/quiet"
script -qec "$DD_EMU '$T_TMP/dd1' install --root '$T/quiet' --init none -q" /dev/null >"$T/q.out" 2>&1
[ $? -eq 0 ] && ! grep -q 'unpacking engine' "$T/q.out" &&
	ok "on a terminal with -q: no progress line" || notok "-q on a terminal: $(tr '\r\n' '^|' <"$T/q.out" | cut -c1-300)"
