# Helpers for the command-line tests: each check prints one "ok - ", "not ok - " or
# "skip - " line, which tests/run.sh counts. Source this file; $DOCKDROP is the binary.
: "${DOCKDROP:?DOCKDROP must name the dockdrop binary}"
# DD_EMU: what runs a program of $DOCKDROP's architecture here, empty for this machine's
# (tests/run.sh sets qemu-aarch64-static for make ARCH=arm64's build): every dockdrop (and
# tests/tools program) a test runs is run as $DD_EMU PROGRAM ARGS (run does it by itself).
# Under qemu-user only that program is emulated: the programs it starts run natively, so an
# arm64 engine's cannot.
DD_EMU=${DD_EMU:-}
# DD_ARCH: the architecture $DOCKDROP runs, as the manifest names it (its ELF machine).
elf_arch() {
	case $(od -An -tx1 -j18 -N2 "$1" 2>/dev/null | tr -d ' \n') in
	3e00) echo x86_64 ;;
	b700) echo aarch64 ;;
	*) echo unknown ;;
	esac
}
DD_ARCH=$(elf_arch "$DOCKDROP")
export DD_EMU DD_ARCH
# OTHER_ARCH: the other one, for payloads and programs that must be refused.
OTHER_ARCH=aarch64
[ "$DD_ARCH" = aarch64 ] && OTHER_ARCH=x86_64
# set_machine FILE ARCH: FILE's ELF machine made ARCH's (x86_64, aarch64), as bundle reads
# it: a program "for" an architecture that no test runs.
set_machine() {
	case $2 in aarch64) printf '\267\000' ;; *) printf '\076\000' ;; esac |
		dd of="$1" bs=1 seek=18 conv=notrunc 2>/dev/null
}
# NATIVE_BUILD: the build of this machine's architecture (DD_NATIVE_BUILD, set by run.sh for
# the arm64 suites; else BUILD), whose engine programs (the docker CLI, dockerd) the tests
# use to check what dockdrop writes (certificates, client bundles, daemon.json).
NATIVE_BUILD=${DD_NATIVE_BUILD:-${BUILD:-build}}
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dd-cli-XXXXXX")
trap 'rm -rf "$T_TMP"' EXIT

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }
check() { # NAME COND-COMMAND...: ok when the command succeeds
	name=$1; shift
	if "$@"; then ok "$name"; else notok "$name"; fi
}

# emu CMD...: CMD, under $DD_EMU when it is a program of $DOCKDROP's architecture (a
# dockdrop, a test tool); a shell function or another program as it is.
emu() {
	if [ -n "$DD_EMU" ] && [ -f "$1" ] && [ "$(elf_arch "$1")" = "$DD_ARCH" ]; then
		$DD_EMU "$@"
	else
		"$@"
	fi
}
# Run a command (through emu), keeping its exit code in $rc, stdout in $T_TMP/out, stderr in
# $T_TMP/err.
run() {
	emu "$@" >"$T_TMP/out" 2>"$T_TMP/err"
	rc=$?
}
lines() { wc -l <"$1" | tr -d ' '; }
sha() { sha256sum "$1" | cut -c1-64; }	# sha FILE: its SHA-256 in hex

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

# small_dockdrops N: $T_TMP/dd1 .. $T_TMP/ddN, each carrying a small engine of its own
# (0.0.1-test .. 0.0.N-test, N up to 3: one program differs in each), for upgrades and
# rollbacks on image trees. Exits the test when one cannot be made.
small_dockdrops() {
	_e1=$(sh "$(dirname "$0")/../fixtures/mkengine-small.sh" "$T_TMP/e1") ||
		{ notok "small engine"; exit 1; }
	for _v in $(seq 1 "$1"); do
		_e=$_e1
		if [ "$_v" != 1 ]; then
			_e=$T_TMP/e$_v/docker-0.0.$_v-test.tgz
			case $_v in 2) _p=/bin/ls ;; *) _p=/bin/cat ;; esac
			mkdir -p "$T_TMP/e$_v" "$T_TMP/s$_v" && tar -xzf "$_e1" -C "$T_TMP/s$_v" &&
				cp "$_p" "$T_TMP/s$_v/docker/docker-proxy" &&
				tar --owner=0 --group=0 --numeric-owner -czf "$_e" -C "$T_TMP/s$_v" docker ||
				{ notok "engine $_v"; exit 1; }
		fi
		run "$DOCKDROP" bundle -q --engine "$_e" --sha256 "$(sha "$_e")" \
			--engine-version "0.0.$_v-test" -o "$T_TMP/dd$_v"
		[ $rc -eq 0 ] || { notok "bundle engine $_v: $(cat "$T_TMP/err")"; exit 1; }
	done
}

# image_root DIR: the least of an image tree that install --root takes for systemd: an init
# link, /etc/group and /etc/gshadow with root and users, an empty /etc/docker.
image_root() {
	mkdir -p "$1/etc/docker" "$1/lib/systemd" "$1/sbin" && ln -s /lib/systemd/systemd "$1/sbin/init" &&
		printf 'root:x:0:\nusers:x:100:\n' >"$1/etc/group" && printf 'root:*::\nusers:*::\n' >"$1/etc/gshadow"
}

# exact_tree DIR: everything a change could touch, even one that rewrote the same bytes:
# each entry's type, mode, owner, size, inode, mtime, ctime and link, and every digest.
exact_tree() {
	(cd "$1" && find . -printf '%p %y %m %U:%G %s %i %T@ %C@ %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}
