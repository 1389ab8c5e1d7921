# Every change install makes, uninstall can undo, and nothing dockdrop did not make is lost
# (issue 11, point 4), on image trees (--root: nothing is started):
# - --daemon-opt keys are dockdrop's: a re-run without one takes it out of daemon.json (or
#   gives back the value the user's file had), a value the user changed since stays;
# - at most the current and the previous engine directory are kept; older, incomplete and
#   staging ones go; uninstall --purge removes all;
# - the user's files where dockdrop writes (/usr/local/bin/docker, a server key) are refused
#   without --force (exit 2, one line naming the file, nothing changed), kept aside with it
#   and put back by uninstall; other files in /etc/docker/tls and key.json are never
#   removed; --purge keeps a certificate that changed; a record naming a path outside
#   dockdrop's set is damaged (exit 1, one line, nothing removed);
# - the lock is taken before the record is read (install, certs rotate, uninstall);
# - install, uninstall, install, uninstall --purge leaves the tree byte for byte as it was
#   (group files without a final newline, the user's daemon.json, directories), and a
#   purge after a plain uninstall still removes the CA and the daemons' data.
. "$(dirname "$0")/lib.sh"
T=$T_TMP

# Three small engines, 0.0.1-test to 0.0.3-test (one program differs in each).
small_dockdrops 3
DD=$T/dd1

# A tree as debootstrap leaves it, as far as install looks. With "nonl", the group files
# end without a newline (hand-edited files often do).
mkroot() { # DIR [nonl]
	mkdir -p "$1/etc" "$1/lib/systemd" "$1/sbin" "$1/usr/local/bin" "$1/var/lib" "$1/opt"
	printf 'root:x:0:\nusers:x:100:' >"$1/etc/group" && printf 'root:*::\nusers:*::' >"$1/etc/gshadow"
	[ "${2-}" = nonl ] || { echo >>"$1/etc/group" && echo >>"$1/etc/gshadow"; }
	chmod 0644 "$1/etc/group" && chmod 0640 "$1/etc/gshadow"
	printf '#!/bin/sh\n' >"$1/lib/systemd/systemd" && chmod 0755 "$1/lib/systemd/systemd" &&
		ln -s /lib/systemd/systemd "$1/sbin/init"
}
# Every path with its type, mode and link target, and every file's digest.
tree() { (cd "$1" && find . -printf '%p %y %m %l\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum); }
same_tree() { # NAME BEFORE DIR
	tree "$3" >"$T/after"
	if cmp -s "$2" "$T/after"; then ok "$1"; else
		notok "$1: $(diff "$2" "$T/after" | grep '^[<>]' | head -n 6 | tr '\n' '|' | cut -c1-500)"
	fi
}
# Exit RC and exactly one line on stderr apart from warnings, containing TEXT.
one_line() { # NAME RC TEXT
	grep -v '^dockdrop: warning: ' "$T_TMP/err" >"$T/errs"
	if [ $rc -eq "$2" ] && [ "$(lines "$T/errs")" = 1 ] && grep -qF -- "$3" "$T/errs"; then ok "$1"; else
		notok "$1: exit $rc, $(head -c 400 "$T/errs" | tr '\n' '|')"
	fi
}
json_has() { grep -qF -- "$2" "$1/etc/docker/daemon.json"; }

# --- --daemon-opt keys are dockdrop's -------------------------------------------------------
R=$T/opts
mkroot "$R" && mkdir -p "$R/etc/docker" && printf '{\n  "log-level": "warn"\n}\n' >"$R/etc/docker/daemon.json"
run "$DD" install -q --root "$R" --daemon-opt 'log-level="debug"' --daemon-opt max-concurrent-downloads=5
check "install --daemon-opt sets the keys (log-level over the user's, a new one)" sh -c \
	"[ $rc -eq 0 ] && grep -q '\"log-level\": \"debug\"' '$R/etc/docker/daemon.json' && grep -q '\"max-concurrent-downloads\": 5' '$R/etc/docker/daemon.json'"
run "$DD" install -q --root "$R"
if [ $rc -eq 0 ] && json_has "$R" '"log-level": "warn"' && ! json_has "$R" 'max-concurrent-downloads'; then
	ok "a re-run without them: the new key is gone, the user's log-level is back to \"warn\""
else
	notok "re-run without --daemon-opt: exit $rc, $(tr '\n' ' ' <"$R/etc/docker/daemon.json" | cut -c1-300)"
fi
run "$DD" install -q --root "$R" --daemon-opt debug=true
sed -i 's/"debug": true/"debug": false/' "$R/etc/docker/daemon.json"
run "$DD" install -q --root "$R"
check "a key dockdrop set that the user changed since stays as the user left it" sh -c \
	"[ $rc -eq 0 ] && grep -q '\"debug\": false' '$R/etc/docker/daemon.json'"

# --- engine directories: the current and the previous -------------------------------------
R=$T/engines
mkroot "$R"
$DD_EMU "$T/dd1" install -q --root "$R" 2>/dev/null && $DD_EMU "$T/dd2" install -q --root "$R" 2>/dev/null
run "$T/dd3" install -q --root "$R"
n=$(ls "$R/opt/dockdrop/engine" | grep -c -- '-test-')
check "after three engines: the current (0.0.3) and the previous (0.0.2) are kept, 0.0.1 is gone" sh -c \
	"[ $rc -eq 0 ] && [ $n = 2 ] && ls -d '$R'/opt/dockdrop/engine/0.0.3-test-* '$R'/opt/dockdrop/engine/0.0.2-test-* >/dev/null"
cur=$(readlink "$R/opt/dockdrop/engine/current")
mkdir -p "$R/opt/dockdrop/engine/0.0.1-test-000000000000/docker" "$R/opt/dockdrop/engine/.0.0.4-test-x.dockdrop-AbCdEf"
rm "$R/opt/dockdrop/engine/$cur/docker/runc"
run "$T/dd3" install -q --root "$R"
check "an incomplete engine is unpacked again, an old incomplete one and a staging directory go" sh -c \
	"[ $rc -eq 0 ] && [ -f '$R/opt/dockdrop/engine/$cur/docker/runc' ] && [ \$(ls -A '$R/opt/dockdrop/engine' | wc -l) = 3 ]"
run "$T/dd3" install --root "$R" --rollback
check "--rollback to the previous engine still works" sh -c \
	"[ $rc -eq 0 ] && readlink '$R/opt/dockdrop/engine/current' | grep -q '^0.0.2-test-'"
run "$T/dd3" uninstall -q --root "$R" --purge
check "uninstall --purge removes every engine directory" sh -c "[ $rc -eq 0 ] && [ ! -e '$R/opt/dockdrop' ]"

# --- the user's files ------------------------------------------------------------------------
R=$T/user
mkroot "$R"
printf '#!/bin/sh\necho the user docker\n' >"$R/usr/local/bin/docker" && chmod 0750 "$R/usr/local/bin/docker"
tree "$R" >"$T/user.before"
run "$DD" install --root "$R"
one_line "a /usr/local/bin/docker of the user's: refused without --force, exit 2, one line naming it" 2 "/usr/local/bin/docker exists and is not dockdrop's"
same_tree "... and nothing changed" "$T/user.before" "$R"
rm "$R/usr/local/bin/docker"
mkdir -p "$R/etc/docker/tls" && echo 'the user key' >"$R/etc/docker/tls/server-key.pem" && chmod 0600 "$R/etc/docker/tls/server-key.pem"
tree "$R" >"$T/user.before"
run "$DD" install --root "$R"
one_line "a server key of the user's in /etc/docker/tls: refused without --force, exit 2, one line naming it" 2 "/etc/docker/tls/server-key.pem exists and is not dockdrop's"
same_tree "... and nothing changed" "$T/user.before" "$R"
printf '#!/bin/sh\necho the user docker\n' >"$R/usr/local/bin/docker" && chmod 0750 "$R/usr/local/bin/docker"
echo 'mine' >"$R/etc/docker/tls/notes.txt" && echo '{"keys":[]}' >"$R/etc/docker/key.json"
tree "$R" >"$T/user.before"
run "$DD" install -q --root "$R" --force
check "with --force: installed, the user's docker and server key kept in /var/lib/dockdrop/backup" sh -c \
	"[ $rc -eq 0 ] && readlink '$R/usr/local/bin/docker' | grep -q '^/opt/dockdrop/' &&
	 grep -q 'the user docker' '$R/var/lib/dockdrop/backup/usr/local/bin/docker' &&
	 grep -q 'the user key' '$R/var/lib/dockdrop/backup/etc/docker/tls/server-key.pem' &&
	 openssl x509 -in '$R/etc/docker/tls/server-cert.pem' -noout -pubkey >/dev/null 2>&1"
run "$DD" install -q --root "$R"
check "a re-run needs no --force (the backups are on record)" [ $rc -eq 0 ]
run "$DD" uninstall -q --root "$R"
check "uninstall puts the user's docker (bytes and mode) and server key back" sh -c \
	"[ $rc -eq 0 ] && grep -q 'the user docker' '$R/usr/local/bin/docker' && [ \$(stat -c %a '$R/usr/local/bin/docker') = 750 ] &&
	 grep -q 'the user key' '$R/etc/docker/tls/server-key.pem' && [ -f '$R/etc/docker/tls/notes.txt' ]"
run "$DD" uninstall -q --root "$R" --purge
check "uninstall --purge after it: exit 0" [ $rc -eq 0 ]
same_tree "then the tree is as before install: the user's files, notes.txt and key.json untouched" "$T/user.before" "$R"

R=$T/damaged
mkroot "$R" && $DD_EMU "$DD" install -q --root "$R" 2>/dev/null
echo 'x:x:1:' >"$R/etc/passwd"
printf 'file /etc/passwd 0644 %s\n' "$(sha256sum <"$R/etc/passwd" | cut -c1-64)" >>"$R/var/lib/dockdrop/state"
tree "$R" >"$T/damaged.before"
run "$DD" uninstall --root "$R" --purge
one_line "a record naming a path outside dockdrop's set is damaged: exit 1, one line" 1 "names /etc/passwd, which is not dockdrop's"
same_tree "... and nothing was removed" "$T/damaged.before" "$R"
sed -i '$d' "$R/var/lib/dockdrop/state"
echo '# the user was here' >>"$R/etc/dockdrop/ca/ca.pem"
run "$DD" uninstall --root "$R" --purge
check "--purge keeps a certificate whose digest is not the recorded one, and says so" sh -c \
	"[ $rc -eq 0 ] && grep -q 'the user was here' '$R/etc/dockdrop/ca/ca.pem' && grep -q 'ca.pem kept' '$T_TMP/err' && [ ! -e '$R/etc/dockdrop/ca/ca-key.pem' ]"

# --- the lock before the record ----------------------------------------------------------------
if command -v flock >/dev/null; then
	R=$T/lock
	mkroot "$R" && $DD_EMU "$DD" install -q --root "$R" 2>/dev/null
	echo 'not a record' >"$R/var/lib/dockdrop/state"
	flock -x "$R" sleep 30 &
	holder=$!
	i=0
	while [ $i -lt 50 ] && ! flock -n -x "$R" true 2>/dev/null; do break; done
	sleep 0.3
	for cmd in "install" "certs rotate" "uninstall"; do
		# shellcheck disable=SC2086
		run "$DD" $cmd --root "$R"
		one_line "$cmd waits for the lock before it reads the record (lock held, record damaged): the lock is named" 1 \
			"another dockdrop is changing this machine"
	done
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
else
	skip "the lock before the record: flock(1) is not installed"
fi

# --- install, uninstall, install, uninstall --purge: byte for byte ------------------------------
R=$T/cycle
mkroot "$R" nonl
mkdir -p "$R/etc/docker" && printf '{"log-level":"warn",\n "hosts": ["unix:///run/other.sock"]}' >"$R/etc/docker/daemon.json"
chmod 0640 "$R/etc/docker/daemon.json"
tree "$R" >"$T/cycle.before"
$DD_EMU "$DD" install -q --root "$R" 2>/dev/null
grep -q '^docker:x:' "$R/etc/group" && mkdir -p "$R/var/lib/docker/image" || notok "cycle: first install"
run "$DD" uninstall -q --root "$R"
check "a plain uninstall keeps the CA and the data, and leaves a record of them" sh -c \
	"[ $rc -eq 0 ] && [ -f '$R/etc/dockdrop/ca/ca-key.pem' ] && [ -d '$R/var/lib/docker/image' ] && grep -q '^uninstalled' '$R/var/lib/dockdrop/state'"
run "$DD" status --root "$R"
check "status after a plain uninstall: not installed" sh -c "[ $rc -eq 1 ] && grep -q '^not installed' '$T_TMP/out'"
run "$DD" uninstall --root "$R"
one_line "a second plain uninstall: not installed, exit 1" 1 "dockdrop has not installed anything here"
run "$DD" install -q --root "$R"
check "install again after the plain uninstall" [ $rc -eq 0 ]
run "$DD" uninstall -q --root "$R" --purge
check "uninstall --purge: exit 0" [ $rc -eq 0 ]
same_tree "install, uninstall, install, uninstall --purge: the tree is byte for byte as before (group files without a final newline, daemon.json and its mode)" "$T/cycle.before" "$R"

R=$T/later
mkroot "$R"
tree "$R" >"$T/later.before"
$DD_EMU "$DD" install -q --root "$R" 2>/dev/null && mkdir -p "$R/var/lib/containerd/x" && $DD_EMU "$DD" uninstall -q --root "$R" 2>/dev/null
run "$DD" uninstall -q --root "$R" --purge
check "uninstall --purge after a plain uninstall: exit 0" [ $rc -eq 0 ]
same_tree "... it removes the CA, the certificates, the data and the group: the tree is as before" "$T/later.before" "$R"

# --- service definitions: rendered once, status compares against that rendering ---------------
R=$T/units
mkroot "$R" && $DD_EMU "$DD" install -q --root "$R" 2>/dev/null
run "$DD" status --root "$R" --json
check "status: the service files are as dockdrop renders them" sh -c \
	"grep -q '\"service_files_as_installed\":true' '$T_TMP/out' && ! grep -q differs '$T_TMP/err'"
echo '# changed' >>"$R/etc/systemd/system/containerd.service"
run "$DD" status --root "$R"
check "status names a service file that differs from the rendering" grep -q 'containerd.service differs from what dockdrop writes' "$T_TMP/err"
