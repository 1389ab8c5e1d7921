# Found by a red-team pass over issue 11 on image trees (--root), each a case that once
# went wrong:
# - a run killed between making a directory and setting its mode left it owner-only
#   (/opt/dockdrop 0700: the docker group's users cannot run docker), and the next run,
#   finding it in place, kept it so. strace kills install at each of its first fchmod
#   calls; the re-run must give the tree of a clean install.
# - a CA put in /etc/dockdrop/ca by hand before the first install (a fleet's CA) was used,
#   then deleted with its key by uninstall --purge.
. "$(dirname "$0")/lib.sh"
T=$T_TMP

small_dockdrops 1
DD=$T/dd1

# Names, types, modes, owners and link targets (certificates differ from run to run).
# Every entry's type, mode, owner, size and link, and every file's digest.
bytes() {
	(cd "$1" && find . -printf '%p %y %m %U:%G %s %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}
shape() { (cd "$1" && find . ! -path ./var/lib/dockdrop/state -printf '%p %y %m %U:%G %l\n' | LC_ALL=C sort); }

R=$T/root
rm -rf "$R" && image_root "$R" && "$DD" install -q --root "$R" --init systemd 2>/dev/null
shape "$R" >"$T/clean"

if ! command -v strace >/dev/null 2>&1; then
	skip "killed after a mkdir: no strace on this machine"
else
	bad=
	for n in 1 2 3 4 5 6 7 8; do
		rm -rf "$R" && image_root "$R"
		strace -f -qq -o /dev/null -e trace=fchmod -e inject=fchmod:signal=SIGKILL:when=$n \
			"$DD" install -q --root "$R" --init systemd >/dev/null 2>&1
		run "$DD" install -q --root "$R" --init systemd
		shape "$R" | diff "$T/clean" - >"$T/diff" || bad="$bad re-run after fchmod $n (exit $rc): $(tr '\n' '|' <"$T/diff")"
	done
	check "killed after a mkdir, at each of 8 points: the re-run has a clean install's modes${bad:+:$bad}" [ -z "$bad" ]
fi

# A CA of the user's in place before the first install: used, and kept by --purge.
rm -rf "$R" && image_root "$R" && mkdir -p "$R/etc/dockdrop" &&
	"$DD" ca init -q --dir "$R/etc/dockdrop/ca" --name "fleet CA" && bytes "$R" >"$T/pre"
run "$DD" install -q --root "$R" --init systemd
"$DD" ca show "$R/etc/docker/tls/server-cert.pem" >"$T/show" 2>&1
check "a CA of the user's in /etc/dockdrop/ca signs the server certificate" \
	[ $rc -eq 0 ] && grep -q "fleet CA" "$T/show"
run "$DD" uninstall -q --root "$R"
run "$DD" install -q --root "$R" --init systemd
run "$DD" uninstall -q --purge --root "$R"
bytes "$R" | diff "$T/pre" - >"$T/diff"
check "install, uninstall, install, uninstall --purge keep the user's CA and its key: the tree as before$(
	[ -s "$T/diff" ] && echo ": $(head -c 300 "$T/diff" | tr '\n' '|')")" [ ! -s "$T/diff" ]
