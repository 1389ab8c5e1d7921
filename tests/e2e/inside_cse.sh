# Run by tests/e2e/test_cse.sh (through test_install.sh) inside the chroot: the
# debootstrap'd bookworm root in its own mount, network and PID namespaces, made a sysvinit
# one (an /sbin/init). /tmp/cse.1 and /tmp/cse.2 are README's commandToExecute examples,
# /tmp/docker-settings.json its example settings file, /tmp/runcmd its
# cloud-init runcmd lines but the download. Each runs as the Custom Script extension (or
# cloud-init) runs it; the last line of what it printed must say what happened, and no
# secret may be in what the extension keeps (the last 4 KiB of stdout and of stderr).
set -u
. /tmp/lib_inside.sh
DL=/var/lib/waagent/custom-script/download
printf '#!/bin/sh\n# stands for sysvinit in this test root\nexit 1\n' >/sbin/init && chmod 755 /sbin/init
# The root is an overlay (no overlay2 on top of it): the machine's own daemon.json says vfs.
mkdir -p /etc/docker && printf '{\n  "storage-driver": "vfs"\n}\n' >/etc/docker/daemon.json
# /tmp/prot.json: docker-protected.json with a password of this run and a registry that
# cannot be reached from here (install then says "not checked" and goes on); /tmp/pass.
PASS=$(cat /tmp/pass)
AUTH=$(printf 'puller:%s' "$PASS" | base64 -w0)
printf '%s\n%s\n' "$PASS" "$AUTH" >/tmp/secrets
dpid() { pidof dockerd; }
state() { cat /etc/docker/daemon.json /etc/docker/tls/* /var/lib/dockdrop/state 2>/dev/null | sha256sum; }

# cse N COMMANDFILE [SETTINGSFILE]: the extension's run of the command in download/N: the
# downloads there 0500, /bin/sh -c in that directory, no HOME, stdin /dev/null, stdout and
# stderr into files there (0600); the exit code in $rc, the kept tails in $d/kept.
cse() {
	d=$DL/$1
	mkdir -p "$d" && cp /tmp/dockdrop "$d/dockdrop" && cp "${3:-/tmp/docker-settings.json}" "$d/docker-settings.json" &&
		cp /tmp/prot.json "$d/docker-protected.json" && chmod 0500 "$d"/* || { notok "download dir $d"; return 1; }
	(cd "$d" && umask 077 && exec env -u HOME ConfigSequenceNumber="$1" \
		AZURE_GUEST_AGENT_EXTENSION_PATH=/var/lib/waagent/Microsoft.Azure.Extensions.CustomScript-2.1.19 \
		AZURE_GUEST_AGENT_EXTENSION_VERSION=2.1.19 /bin/sh -c "$(cat "$2")" </dev/null >"$d/stdout" 2>"$d/stderr")
	rc=$?
	{ printf '[stdout]\n'; tail -c 4096 "$d/stdout"; printf '\n[stderr]\n'; tail -c 4096 "$d/stderr"; } >"$d/kept"
}
last() { grep -v '^$' "$1" | tail -n 1; }
# result NAME DIR RC ERE: exit RC, the last line of stdout (stderr for a failure) matches ERE,
# the output fits what the extension keeps, and no secret is in it.
result() {
	f=$2/stdout
	[ "$3" = 0 ] || f=$2/stderr
	l=$(last "$f")
	if [ "$rc" = "$3" ] && printf '%s' "$l" | grep -Eq -- "$4"; then
		ok "$1: exit $rc, the last line says what happened: $l"
	else
		notok "$1: exit $rc (want $3), last line '$l': $(tail -c 600 "$2/kept" | tr '\n' '|')"
	fi
	so=$(wc -c <"$2/stdout") se=$(wc -c <"$2/stderr")
	[ "$so" -le 4096 ] && [ "$se" -le 4096 ] && ok "$1: stdout $so and stderr $se bytes: all of it in the 4 KiB the extension keeps" ||
		notok "$1: stdout $so, stderr $se bytes: more than the extension keeps"
	grep -qF -f /tmp/secrets "$2/stdout" "$2/stderr" && notok "$1: a secret in the output" ||
		ok "$1: no secret in the output"
}

# --- the first example: a fresh machine ------------------------------------------------------------
cse 0 /tmp/cse.1
result "Custom Script, $(cat /tmp/cse.1)" $DL/0 0 '^installed: engine '
sed 's/^/#   /' $DL/0/kept
check "docker answers on the socket" sh -c 'timeout 30 docker version | grep -q "^Server:"'
check "the client certificates for the bundle are in /etc/dockdrop/client" test -s /etc/dockdrop/client/cert.pem

# --- the second: settings files in the Docker extension's schema; then the same again -----------------
cse 1 /tmp/cse.2
result "Custom Script, $(cat /tmp/cse.2)" $DL/1 0 '^installed: engine '
grep -q '10.99.0.1:5000' /root/.docker/config.json 2>/dev/null && grep -qF "$AUTH" /root/.docker/config.json &&
	ok "the login of docker-protected.json in root's config.json" || notok "no login in config.json"
check "the daemon has the option of docker-settings.json (log-level warn)" sh -c \
	'grep -q "\"log-level\": *\"warn\"" /etc/docker/daemon.json'
D=$(dpid)
S=$(state)
cse 2 /tmp/cse.2
result "Custom Script again (a new sequence number, the same files)" $DL/2 0 '^already installed, nothing to do'
[ -n "$D" ] && [ "$(dpid)" = "$D" ] && [ "$(state)" = "$S" ] &&
	ok "the second run changed nothing: dockerd $D, daemon.json, certificates and record as they were" ||
	notok "the second run changed something: dockerd $D -> $(dpid)"

# --- bad input: exit 2 with the reason last on stderr, nothing changed ------------------------------
printf '{"docker": {"options": ["-H", "tcp://0.0.0.0:2375"]}}\n' >/tmp/bad-settings.json
cse 3 /tmp/cse.2 /tmp/bad-settings.json
result "Custom Script with settings dockdrop refuses (plain TCP)" $DL/3 2 '^dockdrop: install: '
[ "$(dpid)" = "$D" ] && [ "$(state)" = "$S" ] && ok "refused settings: nothing changed" ||
	notok "refused settings changed something: dockerd $D -> $(dpid)"

# --- cloud-init: runcmd as one sh script, from / -------------------------------------------------------
cp /tmp/dockdrop /root/dockdrop
ci() { # N
	mkdir -p /tmp/ci.$1 && (cd / && exec env -u HOME sh /tmp/runcmd </dev/null >/tmp/ci.$1/stdout 2>/tmp/ci.$1/stderr)
	rc=$?
	{ printf '[stdout]\n'; cat /tmp/ci.$1/stdout; printf '\n[stderr]\n'; cat /tmp/ci.$1/stderr; } >/tmp/ci.$1/kept
}
ci 1
result "cloud-init runcmd" /tmp/ci.1 0 '^installed: engine '
check "runcmd's chmod: /root/dockdrop 0700" sh -c '[ "$(stat -c %a /root/dockdrop)" = 700 ]'
D=$(dpid)
S=$(state)
ci 2
result "cloud-init runcmd again" /tmp/ci.2 0 '^already installed, nothing to do'
[ -n "$D" ] && [ "$(dpid)" = "$D" ] && [ "$(state)" = "$S" ] && ok "runcmd again changed nothing (dockerd $D)" ||
	notok "runcmd again changed something: dockerd $D -> $(dpid)"
/root/dockdrop uninstall --purge >/dev/null 2>&1
[ $FAILS -eq 0 ]
