# Found by a red-team pass over issue 11 on image trees (--root), each a case that once
# went wrong:
# - a run killed between making a directory and setting its mode left it owner-only
#   (/opt/dockdrop 0700: the docker group's users cannot run docker), and the next run,
#   finding it in place, kept it so. strace kills install at each of its first fchmod
#   calls; the re-run must give the tree of a clean install.
# - a CA put in /etc/dockdrop/ca by hand before the first install (a fleet's CA) was used,
#   then deleted with its key by uninstall --purge.
# - certs rotate killed between the renames of a pair left a new key beside the old
#   certificate, and the record still named the old digests: uninstall --purge kept the
#   certificates and keys ("changed since dockdrop wrote it"), private keys left in an image.
# - install killed before its first record (at the mkdir of /var, /var/lib, ...) left
#   directories and a temporary record that uninstall, finding no record, would not touch.
# - something else than a file at /etc/docker/daemon.json, /etc/group or /etc/gshadow (a
#   FIFO, a device, a directory, a symlink, a loop) or one too big: exit 1 with raw errno
#   text ("Invalid argument", "Symbolic link loop"), or exit 1 after the engine was
#   unpacked (a 1 MiB gshadow); now exit 2, one line saying what to do, nothing changed.
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
rm -rf "$R" && image_root "$R" && $DD_EMU "$DD" install -q --root "$R" --init systemd 2>/dev/null
shape "$R" >"$T/clean"

if ! command -v strace >/dev/null 2>&1; then
	skip "killed after a mkdir: no strace on this machine"
else
	bad=
	for n in 1 2 3 4 5 6 7 8; do
		rm -rf "$R" && image_root "$R"
		strace -f -qq -o /dev/null -e trace=fchmod -e inject=fchmod:signal=SIGKILL:when=$n \
			$DD_EMU "$DD" install -q --root "$R" --init systemd >/dev/null 2>&1
		run "$DD" install -q --root "$R" --init systemd
		shape "$R" | diff "$T/clean" - >"$T/diff" || bad="$bad re-run after fchmod $n (exit $rc): $(tr '\n' '|' <"$T/diff")"
	done
	check "killed after a mkdir, at each of 8 points: the re-run has a clean install's modes${bad:+:$bad}" [ -z "$bad" ]
fi

# A CA of the user's in place before the first install: used, and kept by --purge.
rm -rf "$R" && image_root "$R" && mkdir -p "$R/etc/dockdrop" &&
	$DD_EMU "$DD" ca init -q --dir "$R/etc/dockdrop/ca" --name "fleet CA" && bytes "$R" >"$T/pre"
run "$DD" install -q --root "$R" --init systemd
$DD_EMU "$DD" ca show "$R/etc/docker/tls/server-cert.pem" >"$T/show" 2>&1
check "a CA of the user's in /etc/dockdrop/ca signs the server certificate" \
	[ $rc -eq 0 ] && grep -q "fleet CA" "$T/show"
run "$DD" uninstall -q --root "$R"
run "$DD" install -q --root "$R" --init systemd
run "$DD" uninstall -q --purge --root "$R"
bytes "$R" | diff "$T/pre" - >"$T/diff"
check "install, uninstall, install, uninstall --purge keep the user's CA and its key: the tree as before$(
	[ -s "$T/diff" ] && echo ": $(head -c 300 "$T/diff" | tr '\n' '|')")" [ ! -s "$T/diff" ]

# certs rotate killed at each rename: the next rotate or install leaves a matching pair
# (status exit 0), and uninstall --purge gives back the tree as before install.
if ! command -v strace >/dev/null 2>&1; then
	skip "certs rotate killed at each rename: no strace on this machine"
else
	bad=
	for n in 1 2 3 4 5 6 7 8 9; do
		for next in rotate install purge; do
			rm -rf "$R" && image_root "$R" && bytes "$R" >"$T/pre"
			$DD_EMU "$DD" install -q --root "$R" --init systemd 2>/dev/null
			strace -f -qq -o /dev/null -e trace=rename,renameat,renameat2 \
				-e inject=rename,renameat,renameat2:signal=SIGKILL:when=$n \
				$DD_EMU "$DD" certs rotate -q --root "$R" >/dev/null 2>&1
			case $next in
			rotate) run "$DD" certs rotate -q --root "$R" ;;
			install) run "$DD" install -q --root "$R" --init systemd ;;
			purge) run "$DD" uninstall -q --purge --root "$R" ;;
			esac
			[ $rc -eq 0 ] || bad="$bad $next after kill $n: exit $rc $(head -c 200 "$T/err" | tr '\n' '|')"
			if [ $next = purge ]; then
				bytes "$R" | diff "$T/pre" - >"$T/diff" ||
					bad="$bad purge after kill $n: $(grep -c '^[<>]' "$T/diff") lines differ $(grep -m3 '^[<>]' "$T/diff" | tr '\n' '|')"
			else
				run "$DD" status --root "$R"
				[ $rc -eq 0 ] || bad="$bad status after kill $n, $next: exit $rc $(head -c 200 "$T/err" | tr '\n' '|')"
			fi
		done
	done
	check "certs rotate killed at each of 9 renames: rotate or install mends the pair, uninstall --purge leaves the tree as before install${bad:+:$bad}" [ -z "$bad" ]
fi

# install killed at each of its first changes, on a tree without /var and one with it:
# uninstall --purge gives back the tree as before.
if ! command -v strace >/dev/null 2>&1; then
	skip "install killed before its first record: no strace on this machine"
else
	bad=
	for var in absent present; do
		for sc in fchmod mkdir,mkdirat rename,renameat,renameat2; do
			for n in 1 2 3 4 5; do
				rm -rf "$R" && image_root "$R" && { [ $var = absent ] || mkdir "$R/var"; } &&
					bytes "$R" >"$T/pre"
				strace -f -qq -o /dev/null -e trace=$sc -e inject=$sc:signal=SIGKILL:when=$n \
					$DD_EMU "$DD" install -q --root "$R" --init systemd >/dev/null 2>&1
				run "$DD" uninstall -q --purge --root "$R"
				bytes "$R" | diff "$T/pre" - >"$T/diff" ||
					bad="$bad /var $var, $sc $n (exit $rc): $(grep '^[<>]' "$T/diff" | cut -d' ' -f2 | tr '\n' ' ')"
			done
		done
	done
	check "install killed at each of its first changes: uninstall --purge leaves the tree as before${bad:+:$bad}" [ -z "$bad" ]
fi

# Bad files on the system: exit 2, one line naming the file and what is there, nothing changed.
bad=
for f in etc/docker/daemon.json etc/group etc/gshadow; do
	for k in fifo chr dir loop big environ zero dangling; do
		rm -rf "$R" && image_root "$R" && rm -f "$R/$f"
		case $k in
		fifo) mkfifo "$R/$f" ;;
		chr) mknod "$R/$f" c 1 3 2>/dev/null || continue ;;
		dir) mkdir "$R/$f" ;;
		loop) ln -s "$(basename $f)" "$R/$f" ;;
		big) head -c 1100000 /dev/zero | tr '\0' ' ' >"$R/$f" ;;
		environ) ln -s /proc/self/environ "$R/$f" ;;
		zero) ln -s /dev/zero "$R/$f" ;;
		dangling) ln -s nowhere "$R/$f" ;;
		esac
		case $k in
		fifo) want="is a FIFO, not a regular file" ;;
		chr) want="is a character device, not a regular file" ;;
		dir) want="is a directory, not a regular file" ;;
		big) want="larger than 1024 KiB" ;;
		*) want="is a symbolic link, not a regular file" ;;
		esac
		exact_tree "$R" >"$T/pre"
		run timeout 60 $DD_EMU "$DD" install -q --root "$R" --init systemd
		grep -v 'warning: preflight' "$T/err" >"$T/err1"
		exact_tree "$R" | cmp -s "$T/pre" - || bad="$bad $f $k: changed the tree;"
		[ $rc -eq 2 ] && [ "$(lines "$T/err1")" = 1 ] && grep -q "^dockdrop: install: .*/$f: $want" "$T/err1" ||
			bad="$bad $f $k: exit $rc $(head -c 200 "$T/err1" | tr '\n' '|');"
	done
done
check "a FIFO, device, directory, symlink or oversized file at daemon.json, /etc/group, /etc/gshadow: exit 2, one line, nothing changed${bad:+:$bad}" [ -z "$bad" ]
