# Run by test_registry.sh inside the chroot (the debootstrap root in the session's mount,
# network and PID namespaces; registry.test is 10.88.0.2:5000, TLS from a CA whose ca.crt
# is in /etc/docker/certs.d/registry.test:5000, user alice; /tmp/pass holds her password).
set -u
DD=/tmp/dockdrop
CFG=/root/.docker/config.json
OPTS="--init none --no-tcp --daemon-opt storage-driver=\"vfs\""
. /tmp/lib_inside.sh
PASS=$(cat /tmp/pass)
AUTH=$(printf 'alice:%s' "$PASS" | base64 -w0)
OTHER='{"auths":{"other.example":{"auth":"b3RoZXI6eA=="}},"psFormat":"table {{.ID}}"}'

same_tree() { # NAME: the tree is as /tmp/tree.ref says
	digest >/tmp/tree.now
	cmp -s /tmp/tree.ref /tmp/tree.now && ok "$1: nothing changed" ||
		notok "$1: the tree changed: $(diff /tmp/tree.ref /tmp/tree.now | grep '^[<>]' | head -n 6 | tr '\n' '|' | cut -c1-500)"
}
# Every process's argv and environment, and ps's view, sampled until /tmp/stop appears
# (at most 3000 rounds): the password must be in none of them.
sample() {
	n=0
	while [ ! -f /tmp/stop ] && [ $n -lt 3000 ]; do
		busybox ps -o pid,args 2>/dev/null
		for p in /proc/[0-9]*; do
			tr '\0' ' ' <"$p/cmdline"
			echo
			tr '\0' '\n' <"$p/environ"
		done 2>/dev/null
		n=$((n + 1))
		sleep 0.05
	done >>/tmp/ps.log
}
run() { # OUT ARGS...: dockdrop with its output in /tmp/OUT.out and .err; the exit code in $rc
	o=$1
	shift
	$DD "$@" >/tmp/$o.out 2>/tmp/$o.err
	rc=$?
}
says() { tail -n 3 "/tmp/$1.err" | tr '\n' '|' | cut -c1-400; }

# The root's own docker config before dockdrop: an entry and a key of the user's.
mkdir -p /root/.docker && chmod 700 /root/.docker && printf '%s\n' "$OTHER" >$CFG && chmod 600 $CFG
digest >/tmp/tree.ref

# --- a wrong password: exit 1 before anything changes -------------------------------------
# shellcheck disable=SC2086
run wrong install $OPTS --registry registry.test:5000 --username alice --password-file /tmp/wrong.file
[ $rc -eq 1 ] && grep -q 'registry registry.test:5000: refused the credentials of alice' /tmp/wrong.err &&
	ok "a wrong password: exit 1, the registry refused it" || notok "a wrong password: exit $rc: $(says wrong)"
same_tree "a wrong password"

# --- the right one, on stdin, with ps and /proc sampled all along --------------------------
rm -f /tmp/stop /tmp/ps.log
sample &
SP=$!
# shellcheck disable=SC2086
printf '%s\n' "$PASS" | $DD install $OPTS --registry registry.test:5000 --username alice --password-stdin \
	>/tmp/good.out 2>/tmp/good.err
rc=$?
sleep 0.3
touch /tmp/stop
wait $SP
[ $rc -eq 0 ] && grep -q 'registry registry.test:5000: credentials of alice checked' /tmp/good.out &&
	ok "install --registry --password-stdin: exit 0, credentials checked" ||
	{ notok "install --registry: exit $rc: $(says good)"; sed 's/^/# /' /tmp/good.out; exit 1; }
[ "$(stat -c %a $CFG) $(stat -c %a /root/.docker)" = "600 700" ] && ok "config.json 0600 in a 0700 directory" ||
	notok "config.json modes: $(stat -c %a $CFG /root/.docker | tr '\n' ' ')"
c=$(tr -d ' \n' <$CFG)
case $c in
*'"registry.test:5000":{"auth":"'"$AUTH"'"}'*) ok "config.json has alice's login for registry.test:5000" ;;
*) notok "config.json has no login for registry.test:5000: $c" ;;
esac
case $c in
*'"other.example":{"auth":"b3RoZXI6eA=="}'*'"psFormat":"table{{.ID}}"'*) ok "config.json keeps the entry and the key that were there" ;;
*) notok "config.json lost what was there: $c" ;;
esac
grep -qx 'auth registry.test:5000 alice' /var/lib/dockdrop/state && ok "the record lists the login (server, user)" ||
	notok "the record has no auth line: $(grep auth /var/lib/dockdrop/state)"
grep -c '/tmp/dockdrop install' /tmp/ps.log | { read -r n; [ "$n" -gt 0 ] && ok "ps and /proc sampled while install ran ($n samples)" ||
	notok "the sampler never saw install running"; }
grep -qF "$PASS" /tmp/ps.log && notok "the password is in ps output, an argv or an environment" ||
	ok "the password is in no ps output, argv or environment (dockerd's and containerd's included)"
# Every file on the tree but config.json (and the test's own password files in /tmp), and
# what install printed: neither the password nor its base64 form.
leaks=$(find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp \) -prune -o -type f -print0 |
	xargs -0 grep -lF -e "$PASS" -e "$AUTH" 2>/dev/null | grep -vx $CFG)
leaks="$leaks$(grep -lF -e "$PASS" -e "$AUTH" /tmp/good.out /tmp/good.err /tmp/wrong.out /tmp/wrong.err /var/log/dockdrop/* /run/dockdrop/* 2>/dev/null)"
[ -z "$leaks" ] && ok "the password is in no file but config.json, nor in install's output or the daemons' logs" ||
	notok "the password is in: $leaks"

# --- the real dockerd pushes and pulls with root's config.json ----------------------------
mkdir -p /tmp/img/bin && cp /bin/busybox /tmp/img/bin/busybox
IMG=registry.test:5000/dd/tiny:1
if tar -C /tmp/img -c . | HOME=/root timeout 60 docker import - $IMG >/dev/null 2>/tmp/err &&
	HOME=/root timeout 120 docker push $IMG >/tmp/push.out 2>>/tmp/err; then
	ok "docker push to registry.test:5000 with the login dockdrop wrote"
else
	notok "docker push: $(tail -n 3 /tmp/err | tr '\n' '|')"
fi
HOME=/root docker rmi $IMG >/dev/null 2>&1
mkdir -p /tmp/nologin
if DOCKER_CONFIG=/tmp/nologin timeout 60 docker pull $IMG >/dev/null 2>&1; then
	notok "docker pull without a login succeeded: the registry does not ask for one"
else
	ok "docker pull without a login is refused (the registry asks for one)"
fi
HOME=/root timeout 120 docker pull $IMG >/tmp/pull.out 2>/tmp/err &&
	HOME=/root docker image inspect $IMG >/dev/null 2>&1 &&
	ok "docker pull of the pushed image with root's config.json" ||
	notok "docker pull: $(tail -n 3 /tmp/err | tr '\n' '|')"

# --- the same again (a file this time, --json): nothing changes ----------------------------
before=$(stat -c '%i %Y %s' $CFG)
digest >/tmp/tree.ref
# shellcheck disable=SC2086
run again install $OPTS --json --registry registry.test:5000 --username alice --password-file /tmp/pass.file
[ $rc -eq 0 ] && grep -q '"result": *"unchanged"' /tmp/again.out && [ "$(stat -c '%i %Y %s' $CFG)" = "$before" ] &&
	ok "the same login again: unchanged, config.json not rewritten" ||
	notok "the same login again: exit $rc, $(tr '\n' ' ' </tmp/again.out | cut -c1-200) $(says again)"
same_tree "the same login again"
grep -qF -e "$PASS" -e "$AUTH" /tmp/again.out /tmp/again.err && notok "the password is in install --json's output" ||
	ok "the password is not in install --json's output"

# --- a TLS failure: the registry's CA not trusted -> exit 3, nothing written ----------------
mv "/etc/docker/certs.d/registry.test:5000/ca.crt" /tmp/ca.crt
digest >/tmp/tree.ref
# shellcheck disable=SC2086
run tls install $OPTS --registry registry.test:5000 --username alice --password-file /tmp/pass.file
[ $rc -eq 3 ] && grep -q 'not signed by' /tmp/tls.err && ok "an untrusted registry certificate: exit 3 ($(says tls | cut -c1-160))" ||
	notok "an untrusted registry certificate: exit $rc: $(says tls)"
same_tree "an untrusted registry certificate"
mv /tmp/ca.crt "/etc/docker/certs.d/registry.test:5000/ca.crt"

# --- a name only DNS knows (the root's name server answers a CNAME, then the address) -------
# shellcheck disable=SC2086
run dns install $OPTS --registry dns.registry.test:5000 --username alice --password-file /tmp/pass.file
[ $rc -eq 0 ] && grep -q 'registry dns.registry.test:5000: credentials of alice checked' /tmp/dns.out &&
	ok "a registry found through DNS: credentials checked" || notok "a registry found through DNS: exit $rc: $(tr '\n' '|' </tmp/dns.out | cut -c1-300) $(says dns)"

# --- token auth (Docker Hub's scheme): the realm on another name -----------------------------
# shellcheck disable=SC2086
run tokwrong install $OPTS --registry token.test:5002 --username alice --password-file /tmp/wrong.file
[ $rc -eq 1 ] && grep -q 'registry token.test:5002: refused the credentials of alice (HTTP 401)' /tmp/tokwrong.err &&
	ok "token auth, a wrong password: exit 1, the token server refused it" ||
	notok "token auth, a wrong password: exit $rc: $(says tokwrong)"
# shellcheck disable=SC2086
run tok install $OPTS --registry token.test:5002 --username alice --password-file /tmp/pass.file
[ $rc -eq 0 ] && grep -q 'registry token.test:5002: credentials of alice checked' /tmp/tok.out &&
	ok "token auth: credentials checked through the token realm" || notok "token auth: exit $rc: $(says tok)"
TIMG=token.test:5002/dd/tiny:1
if HOME=/root docker tag $IMG $TIMG 2>/tmp/err && HOME=/root timeout 120 docker push $TIMG >/dev/null 2>>/tmp/err &&
	HOME=/root docker rmi $TIMG >/dev/null 2>>/tmp/err && HOME=/root timeout 120 docker pull $TIMG >/dev/null 2>>/tmp/err; then
	ok "docker push and pull through token auth with the login dockdrop wrote"
else
	notok "docker push/pull through token auth: $(tail -n 3 /tmp/err | tr '\n' '|')"
fi

# --- registries that cannot be reached: not checked, written, install goes on --------------
# shellcheck disable=SC2086
run far install $OPTS --registry registry.test:5001 --username bob --password-file /tmp/other.file \
	--registry https://nosuch.invalid/ --username carol --password-file /tmp/other.file
[ $rc -eq 0 ] && grep -q 'registry registry.test:5001: credentials of bob not checked' /tmp/far.out &&
	grep -q 'registry nosuch.invalid: credentials of carol not checked' /tmp/far.out &&
	ok "unreachable registries (refused, no such name): not checked, install goes on" ||
	notok "unreachable registries: exit $rc: $(tr '\n' '|' </tmp/far.out | cut -c1-300) $(says far)"
c=$(tr -d ' \n' <$CFG)
case $c in
*'"registry.test:5000":{"auth":"'"$AUTH"'"}'*'"registry.test:5001":{"auth":"'*'"nosuch.invalid":{"auth":"'*)
	ok "config.json has the three logins" ;;
*) notok "config.json after two more registries: $c" ;;
esac

# A re-run without --registry keeps the logins on record (uninstall below must find them).
# shellcheck disable=SC2086
run plain install $OPTS
[ $rc -eq 0 ] && [ "$(grep -c '^auth ' /var/lib/dockdrop/state)" = 5 ] &&
	ok "a re-run without --registry keeps the five logins on record" ||
	notok "a re-run without --registry: exit $rc, record: $(grep '^auth' /var/lib/dockdrop/state | tr '\n' '|') $(says plain)"

# --- bad input: nothing changed -------------------------------------------------------------
digest >/tmp/tree.ref
run bad1 install --registry registry.test:5000 --username alice
rc1=$rc
: >/tmp/empty.file && chmod 600 /tmp/empty.file
run bad2 install --registry registry.test:5000 --username alice --password-file /tmp/empty.file
rc2=$rc
[ "$rc1 $rc2" = "2 2" ] && ok "--registry without a password, an empty password file: exit 2" ||
	notok "bad input: exit $rc1 ($(says bad1)), $rc2 ($(says bad2))"
same_tree "bad --registry input"

# --- uninstall: only dockdrop's entries go ---------------------------------------------------
run un uninstall
c=$(tr -d ' \n' <$CFG 2>/dev/null)
case $c in
*registry.test*|*nosuch*|*token.test*) notok "uninstall left dockdrop's logins: $c" ;;
*'"other.example":{"auth":"b3RoZXI6eA=="}'*'"psFormat":"table{{.ID}}"'*) ok "uninstall took dockdrop's logins out, the others stay" ;;
*) notok "uninstall: exit $rc, config.json: $c $(says un)" ;;
esac
grep -q '^auth' /var/lib/dockdrop/state 2>/dev/null && notok "the record still lists logins after uninstall" ||
	ok "no login left on record after uninstall"

# --- a config.json dockdrop made: uninstall removes it and its directory --------------------
rm -rf /root/.docker
# shellcheck disable=SC2086
printf '%s\n' "$PASS" | $DD install $OPTS --registry registry.test:5000 --username alice --password-stdin \
	>/tmp/new.out 2>/tmp/new.err
rc=$?
[ $rc -eq 0 ] && [ "$(stat -c %a $CFG /root/.docker | tr '\n' ' ')" = "600 700 " ] &&
	ok "install made root's config.json (0600, directory 0700)" || notok "install into no config.json: exit $rc: $(says new)"
run un2 uninstall --purge
[ ! -e /root/.docker ] && ok "uninstall removed the config.json and directory dockdrop made" ||
	notok "uninstall left $(ls -la /root/.docker | tr '\n' '|')"

# --- the Azure Docker extension's settings: the login in protected settings ----------------
# (install --settings with --protected-settings in clear, as a Custom Script runs it)
printf '{"docker": {"options": ["--storage-driver=vfs"]}}' >/tmp/az-pub.json
(umask 077 && printf '{"login": {"server": "registry.test:5000", "username": "alice", "password": "%s", "email": "a@example.com"}}' \
	"$PASS" >/tmp/az-prot.json && printf '{"login": {"server": "registry.test:5000", "username": "alice", "password": "x%s"}}' \
	"$PASS" >/tmp/az-wrong.json)
digest >/tmp/tree.ref
run azwrong install --init none --no-tcp --settings /tmp/az-pub.json --protected-settings /tmp/az-wrong.json
[ $rc -eq 1 ] && grep -q 'refused the credentials of alice' /tmp/azwrong.err &&
	ok "settings login with a wrong password: exit 1, the registry refused it" ||
	notok "settings login with a wrong password: exit $rc: $(says azwrong)"
same_tree "settings login with a wrong password"
run az install --init none --no-tcp --settings /tmp/az-pub.json --protected-settings /tmp/az-prot.json
[ $rc -eq 0 ] && grep -q 'registry registry.test:5000: credentials of alice checked' /tmp/az.out &&
	tr -d ' \n' <$CFG | grep -qF '"registry.test:5000":{"auth":"'"$AUTH"'"}' &&
	ok "settings login: exit 0, credentials checked, config.json has alice's login" ||
	notok "settings login: exit $rc: $(says az)"
grep -qF -e "$PASS" -e "$AUTH" /tmp/az.out /tmp/az.err /tmp/azwrong.out /tmp/azwrong.err &&
	notok "the settings' password is in install's output" || ok "the settings' password is not in install's output"
HOME=/root timeout 120 docker pull $IMG >/tmp/pull.out 2>/tmp/err && ok "docker pull with the settings' login" ||
	notok "docker pull with the settings' login: $(tail -n 3 /tmp/err | tr '\n' '|')"
exit $((FAILS > 0))
