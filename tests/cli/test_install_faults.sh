# install under faults, into image trees (--root: nothing is started, so every run is
# quick and touches only its tree):
# - killed with SIGKILL at every change it makes (DOCKDROP_TEST_KILL_AT=N, util/fault.h),
#   then re-run: it completes, and the tree equals a clean install's (certificates and
#   keys are random, so for those: present, right modes, verified by openssl);
# - killed so at every change point, then `uninstall --purge`: the tree is byte for byte
#   the one before install (links, staging and partial engine directories, temporary
#   names, the group line: everything that run made is gone);
# - into a full filesystem (small tmpfs roots, in a private mount namespace): it fails
#   with one line and the tree is exactly as before.
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$T_TMP

# An image tree as debootstrap leaves it, as far as install looks: group files, systemd.
mkroot() {
	mkdir -p "$1/etc" "$1/lib/systemd" "$1/sbin" "$1/usr/local/bin" "$1/var/lib" "$1/opt"
	printf 'root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\nshadow:x:42:\nusers:x:100:\nsystemd-journal:x:999:\n' >"$1/etc/group"
	printf 'root:*::\ndaemon:*::\nbin:*::\nsys:*::\nadm:*::\nshadow:*::\nusers:*::\nsystemd-journal:!*::\n' >"$1/etc/gshadow"
	chmod 0644 "$1/etc/group" && chmod 0640 "$1/etc/gshadow"
	printf '#!/bin/sh\n' >"$1/lib/systemd/systemd" && chmod 0755 "$1/lib/systemd/systemd" &&
		ln -s /lib/systemd/systemd "$1/sbin/init"
}

# The tree as lines: path, type, mode, link target, and a digest for files but the random
# ones (keys and certificates, and the state record that lists their digests, masked).
tree() {
	(cd "$1" && find . -printf '%p %y %m %l\n' | LC_ALL=C sort)
	(cd "$1" && find . -type f ! -name '*.pem' ! -path ./var/lib/dockdrop/state -print0 |
		LC_ALL=C sort -z | xargs -0 -r sha256sum)
	sed 's/^keep \([^ ]*\) \([^ ]*\) .*/keep \1 \2/' "$1/var/lib/dockdrop/state" 2>/dev/null
}

# Every path, type, mode and link target, and every file's digest, unmasked; kept in
# $T/u.tree too for the report.
full_tree() {
	(cd "$1" && find . -printf '%p %y %m %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) | tee "$T/u.tree"
}

# The certificates of a tree chain to its CA and each key is its certificate's.
certs_ok() {
	for p in "etc/docker/tls/server-cert.pem etc/docker/tls/server-key.pem" \
		"etc/dockdrop/client/cert.pem etc/dockdrop/client/key.pem"; do
		set -- $p
		openssl verify -x509_strict -CAfile "$R/etc/dockdrop/ca/ca.pem" "$R/$1" >/dev/null 2>&1 || return 1
		[ "$(openssl x509 -in "$R/$1" -noout -pubkey)" = "$(openssl pkey -in "$R/$2" -pubout 2>/dev/null)" ] || return 1
	done
}

# With a registry login (127.0.0.1:1 refuses at once: "not checked"), so that root's
# config.json and its directory are among what a kill may leave and uninstall must take.
printf 'pw\n' >"$T/pw" && chmod 600 "$T/pw"
INSTALL="install --tls-san dd.test --registry 127.0.0.1:1 --username u --password-file $T/pw"

# In a private mount namespace: tmpfs roots that are full at different points. Space is
# checked by preflight (exit 1 before any change), so the filesystem runs out of inodes
# instead: from "the engine does not fit" to "all but the last files fit". Each install
# must fail with one error line (warnings aside) and leave the tree exactly as it was.
if [ "${1-}" = --full ]; then
	R=$2 DD=$3 BIG=$4
	mkdir -p "$R"
	mount --make-rprivate / 2>/dev/null
	full() { # LABEL SIZE INODES BINARY
		mount -t tmpfs -o "size=$2,nr_inodes=$3" dd-full "$R" || { notok "$1: tmpfs"; return; }
		mkroot "$R"
		tree "$R" >"$T/before"
		emu "$4" $INSTALL --root "$R" >"$T/out" 2>"$T/err"
		frc=$?
		tree "$R" >"$T/after"
		grep -v '^dockdrop: warning: ' "$T/err" >"$T/errs"
		if [ $frc -eq 0 ]; then
			echo "# $1: the install fits"
		elif [ $frc -eq 1 ] && [ "$(lines "$T/errs")" = 1 ] && cmp -s "$T/before" "$T/after"; then
			ok "$1: exit 1, one error line, tree unchanged ($(cut -c1-110 "$T/errs"))"
		else
			notok "$1: exit $frc, $(head -c 300 "$T/errs" | tr '\n' '|') $(diff "$T/before" "$T/after" | grep '^[<>]' | head -n 4 | tr '\n' '|')"
		fi
		umount "$R"
	}
	full "full filesystem (1 MiB: preflight refuses)" 1m 1000 "$DD"
	for n in 24 28 32 36 40 44 48 52 56 60 64 68 72; do
		full "full filesystem ($n inodes)" 80m $n "$DD"
	done
	[ -x "$BIG" ] && full "full filesystem (the real engine, 20 inodes)" 400m 20 "$BIG"
	exit 0
fi

small_dockdrops 1
DD=$T_TMP/dd1

R=$T/clean
mkroot "$R"
run "$DD" $INSTALL --root "$R"
if [ $rc -eq 0 ] && certs_ok; then ok "clean install into an image tree"; else
	notok "clean install: exit $rc: $(head -c 400 "$T_TMP/err")"
	exit 1
fi
tree "$R" >"$T/clean.tree"
run "$DD" $INSTALL --root "$R"
tree "$R" >"$T/again.tree"
[ $rc -eq 0 ] && cmp -s "$T/clean.tree" "$T/again.tree" && grep -q 'unchanged\|already\|installed into' "$T_TMP/out" &&
	ok "a second install --root changes nothing" || notok "second install --root: exit $rc or the tree changed"

# --- SIGKILL at every change point ---------------------------------------------------------
n=0 killed=0 bad=0 max=200
while [ $n -lt $max ]; do
	n=$((n + 1))
	R=$T/k$n
	mkroot "$R"
	DOCKDROP_TEST_KILL_AT=$n $DD_EMU "$DD" $INSTALL --root "$R" >/dev/null 2>"$T/kill.err"
	krc=$?
	if [ $krc -ne 137 ]; then # ran through: every point has been visited
		rm -rf "$R"
		break
	fi
	killed=$((killed + 1))
	run "$DD" $INSTALL --root "$R"
	tree "$R" >"$T/k.tree"
	if [ $rc -ne 0 ] || ! cmp -s "$T/clean.tree" "$T/k.tree" || ! certs_ok; then
		bad=$((bad + 1))
		notok "killed at point $n, then re-run: exit $rc, $(diff "$T/clean.tree" "$T/k.tree" | grep '^[<>]' | head -n 4 | tr '\n' '|' | cut -c1-400) $(head -c 200 "$T_TMP/err")"
	fi
	rm -rf "$R"
done
# The same kill points, then uninstall: everything that run made goes but what a plain
# uninstall keeps by design (certificates, the CA, the docker group, the record of them);
# then uninstall --purge: the tree is byte for byte as before.
KEPT='\./(etc/dockdrop|etc/docker|var/lib/dockdrop|etc/group|etc/gshadow|etc/\.pwd\.lock)([/ ]|$)'
n=0 bad2=0 undone=0
while [ $n -lt "$killed" ]; do
	n=$((n + 1))
	R=$T/u$n
	mkroot "$R"
	before=$(full_tree "$R")
	DOCKDROP_TEST_KILL_AT=$n $DD_EMU "$DD" $INSTALL --root "$R" >/dev/null 2>&1
	run "$DD" uninstall --root "$R"
	printf '%s\n' "$before" >"$T/u.before"
	full_tree "$R" >/dev/null
	extra=$(diff "$T/u.before" "$T/u.tree" | grep '^[<>]' | grep -Ev "$KEPT")
	if [ $rc -ne 0 ] || [ -n "$extra" ]; then
		bad2=$((bad2 + 1))
		notok "killed at point $n, then uninstall: exit $rc, left: $(printf '%s' "$extra" | head -n 4 | tr '\n' '|' | cut -c1-400) $(head -c 200 "$T_TMP/err")"
		rm -rf "$R"
		continue
	fi
	run "$DD" uninstall --root "$R" --purge
	if [ $rc -eq 0 ] && [ "$(full_tree "$R")" = "$before" ]; then
		undone=$((undone + 1))
	else
		bad2=$((bad2 + 1))
		notok "killed at point $n, then uninstall and uninstall --purge: exit $rc, $(printf '%s\n' "$before" | diff - "$T/u.tree" | grep '^[<>]' | head -n 4 | tr '\n' '|' | cut -c1-400) $(head -c 200 "$T_TMP/err")"
	fi
	rm -rf "$R"
done
[ $bad2 -eq 0 ] && [ "$undone" -eq "$killed" ] && [ $killed -gt 0 ] &&
	ok "after each of the $killed kills, uninstall removes all that run made but the certificates, and uninstall --purge leaves the tree byte for byte as before install" ||
	notok "$bad2 of $killed killed installs were not undone by uninstall, uninstall --purge"
n=0 bad2=0
while [ $n -lt "$killed" ]; do
	n=$((n + 1))
	R=$T/p$n
	mkroot "$R"
	before=$(full_tree "$R")
	DOCKDROP_TEST_KILL_AT=$n $DD_EMU "$DD" $INSTALL --root "$R" >/dev/null 2>&1
	run "$DD" uninstall --root "$R" --purge
	if [ $rc -ne 0 ] || [ "$(full_tree "$R")" != "$before" ]; then
		bad2=$((bad2 + 1))
		notok "killed at point $n, then uninstall --purge: exit $rc, $(printf '%s\n' "$before" | diff - "$T/u.tree" | grep '^[<>]' | head -n 4 | tr '\n' '|' | cut -c1-400) $(head -c 200 "$T_TMP/err")"
	fi
	rm -rf "$R"
done
[ $bad2 -eq 0 ] && [ $killed -gt 0 ] &&
	ok "after each of the $killed kills, uninstall --purge at once leaves the tree byte for byte as before install" ||
	notok "$bad2 of $killed killed installs were not undone by uninstall --purge"

echo "# install --root has $killed kill points"
[ $killed -ge 20 ] && ok "install killed at each of its $killed change points (>= 20)" ||
	notok "only $killed kill points (want >= 20)"
[ $bad -eq 0 ] && [ $killed -gt 0 ] &&
	ok "after each of the $killed kills a re-run completes and equals a clean install" ||
	notok "$bad of $killed killed installs did not recover"

# --- a full filesystem --------------------------------------------------------------------
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
	skip "full filesystem: needs root and unshare (a private tmpfs)"
	exit 0
fi
DIST_DD=${DIST:-$TOP/dist}/dockdrop
case $DIST_DD in /*) ;; *) DIST_DD=$TOP/$DIST_DD ;; esac
unshare --mount sh "$0" --full "$T/full" "$DD" "$DIST_DD"
