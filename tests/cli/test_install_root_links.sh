# --root DIR never reaches outside DIR. Each directory dockdrop writes under is replaced in
# the image tree by a symlink, absolute (/W/sentinel/NAME) or climbing (../../[..]w/sentinel/NAME),
# that a path joined as a string (DIR + /etc/docker/...) would follow out of DIR into a
# sentinel directory beside it, W/sentinel. Resolved the way the target machine will see
# it, both links lead inside DIR instead (to DIR/W/sentinel/NAME and DIR/w/sentinel/NAME,
# made there), where install, a re-run, certs rotate and uninstall --purge all work; the
# sentinel, and this machine's own /etc/docker, /var/lib/docker ..., stay byte-identical.
# Run through openat2 and through the fd walk (DOCKDROP_TEST_NO_OPENAT2=1).
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$T_TMP

small_dockdrops 1
mv "$T/dd1" "$T/dd"

mkdir -p "$T/w"
W=$(cd "$T/w" && pwd -P)
R=$W/root S=$W/sentinel

# A digest of a tree: names, types, modes, link targets, file bytes ("-" when absent).
digest() {
	for d in "$@"; do
		[ -e "$d" ] || [ -L "$d" ] || { echo "$d -"; continue; }
		(cd "$d" && find . -printf '%p %y %m %l\n' | LC_ALL=C sort &&
			find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
	done | sha256sum
}
HOST_DIRS="/etc/docker /var/lib/docker /var/lib/containerd /etc/dockdrop /var/lib/dockdrop /opt/dockdrop /usr/local/bin /etc/systemd/system /var/log/dockdrop"
host_before=$(digest $HOST_DIRS)

# DIR relative-path FILE-dockdrop-writes-there: one line per case.
CASES="etc/docker:daemon.json
etc/docker/tls:server-cert.pem
etc/dockdrop:ca/ca.pem
var/lib:dockdrop/state
var/lib/dockdrop:state
usr/local/bin:dockerd
etc/systemd/system:docker.service
opt:dockdrop/engine/current
var/log:dockdrop"

# A fresh image tree (as debootstrap leaves one: var/run -> /run, sbin/init absolute) with
# $1 replaced by a link of kind $2; the sentinel refilled. Prints where the link leads
# inside the tree.
make_tree() {
	d=$1 kind=$2 name=$(echo "$1" | tr / -)
	rm -rf "$R" "$S"
	mkdir -p "$R/etc" "$R/lib/systemd" "$R/sbin" "$R/var" "$R/run" "$R/usr/local" "$R/bin"
	ln -s /lib/systemd/systemd "$R/sbin/init"
	ln -s /run "$R/var/run"
	printf 'root:x:0:\nusers:x:100:\n' >"$R/etc/group"
	printf 'root:*::\nusers:*::\n' >"$R/etc/gshadow"
	: >"$R/etc/.pwd.lock"
	mkdir -p "$R/$(dirname "$d")"
	# What the string join would reach: filled like a machine's own directory.
	mkdir -p "$S/$name/dockdrop/ca" "$S/$name/tls" "$S/$name/docker/volumes/data" "$S/$name/containerd"
	echo "a volume's data" >"$S/$name/docker/volumes/data/file"
	echo '{"host": "sentinel"}' >"$S/$name/daemon.json"
	echo '{"key": "sentinel"}' >"$S/$name/key.json"
	echo "sentinel" >"$S/$name/state"
	echo "sentinel" >"$S/$name/dockdrop/ca/ca.pem"
	if [ "$kind" = absolute ]; then
		ln -s "$S/$name" "$R/$d"
		inside=$R$S/$name
	else
		ups=$(echo "$d" | sed 's|[^/]*|..|g')
		ln -s "$ups/../w/sentinel/$name" "$R/$d"
		inside=$R/w/sentinel/$name
	fi
	mkdir -p "$inside"
	echo "$inside"
}

for mode in openat2 walk; do
	if [ $mode = walk ]; then export DOCKDROP_TEST_NO_OPENAT2=1; else unset DOCKDROP_TEST_NO_OPENAT2; fi
	printf '%s\n' "$CASES" | while IFS=: read -r d file; do
		for kind in absolute climbing; do
			case $kind in absolute) n="$mode: $d as an absolute link" ;; *) n="$mode: $d as a ../.. link" ;; esac
			inside=$(make_tree "$d" "$kind")
			init=systemd
			[ "$d" = var/log ] && init=sysv
			before=$(digest "$S") moved=""
			# After each command: the sentinel as it was (a later command must not hide
			# what an earlier one did there).
			same() { [ "$before" = "$(digest "$S")" ] || moved="$moved $1"; }
			run "$T/dd" install -q --root "$R" --init $init
			same install
			if [ $rc -eq 0 ] && { [ -e "$inside/$file" ] || [ -L "$inside/$file" ]; }; then
				ok "$n: install works inside the tree ($file where the link leads there)"
			else
				notok "$n: install: exit $rc, $inside/$file $( [ -e "$inside/$file" ] && echo present || echo absent); $(head -c 300 "$T_TMP/err" | tr '\n' '|')"
			fi
			run "$T/dd" install --root "$R" --init $init --json
			same re-run
			check "$n: a re-run changes nothing" sh -c "[ $rc -eq 0 ] && grep -q '\"result\":\"unchanged\"' '$T_TMP/out'"
			run "$T/dd" certs rotate --root "$R"
			same "certs rotate"
			check "$n: certs rotate" [ $rc -eq 0 ]
			run "$T/dd" uninstall --root "$R" --purge
			urc=$rc
			same "uninstall --purge"
			run "$T/dd" status --root "$R"
			check "$n: uninstall --purge (status then: not installed)" sh -c "[ $urc -eq 0 ] && grep -q 'not installed' '$T_TMP/out'"
			check "$n: the sentinel outside the tree is byte-identical after each command${moved:+ (changed by:$moved)}" [ -z "$moved" ]
		done
	done
done
unset DOCKDROP_TEST_NO_OPENAT2
check "this machine's own /etc/docker, /var/lib/docker, /usr/local/bin ... are unchanged" \
	[ "$host_before" = "$(digest $HOST_DIRS)" ]
