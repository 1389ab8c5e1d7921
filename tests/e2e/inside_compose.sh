# Run by tests/e2e/test_compose.sh (through test_install.sh) inside the chroot: a
# debootstrap'd bookworm root in its own mount, network and PID namespaces; /tmp/dockdrop
# carries the engine and Debian's Compose CLI plugin.
set -u
DD=/tmp/dockdrop
. /tmp/lib_inside.sh
OPTS="--init sysv --no-tcp --daemon-opt storage-driver=\"vfs\""

# --- the plugin: installed with the engine, found by the docker CLI -------------------------
# Debian's 2.26.1-4: 64288304 bytes, sha256 c0ef2e286ba1c45bf1868b70a1c71d30a802bb3996888f2f986c3166f9e45f57
$DD list >/tmp/list.out 2>&1
VER=$(sed -n 's/^plugin  *docker-compose  *\([0-9][^ ]*\)  *x86_64 .*/\1/p' /tmp/list.out)
check "list shows the Compose plugin with its version from its metadata ($VER), stored compressed" sh -c \
	"[ -n '$VER' ] && grep -A1 '^plugin  *docker-compose ' /tmp/list.out | grep -Eq 'stored gzip-compressed: [0-9]{8} bytes unpacked, sha256 [0-9a-f]{64}\$'"
# shellcheck disable=SC2086
$DD install $OPTS >/tmp/install.out 2>/tmp/install.err
rc=$?
[ $rc -eq 0 ] && ok "install with the plugin: exit 0" ||
	{ notok "install: exit $rc: $(tail -n 5 /tmp/install.err | tr '\n' '|' | cut -c1-600)"; exit 1; }
check "docker compose version works and says $VER" sh -c "docker compose version | grep -qF '$VER'"
check "the plugin is linked through the current engine" sh -c \
	"[ \"\$(readlink /usr/local/lib/docker/cli-plugins/docker-compose)\" = /opt/dockdrop/engine/current/cli-plugins/docker-compose ]"

# --- a tiny image, loaded the way the images of point 1 will be -------------------------------
mkdir -p /tmp/img/bin && cp /bin/busybox /tmp/img/bin/busybox && ln -s busybox /tmp/img/bin/sh
if tar -C /tmp/img -c . | docker import - dd-tiny:1 >/dev/null 2>/tmp/err &&
	docker save -o /tmp/tiny.tar dd-tiny:1 2>>/tmp/err && docker rmi dd-tiny:1 >/dev/null 2>>/tmp/err &&
	docker load -i /tmp/tiny.tar >/dev/null 2>>/tmp/err; then
	ok "the test image made, saved and loaded with docker load"
else
	notok "making the test image: $(tail -n 3 /tmp/err | tr '\n' '|')"
fi

# --- a file Compose rejects: exit 2 with its message, nothing changed, the daemon as it was ---
mkdir -p /tmp/proj/Shop.App
P=/tmp/proj/Shop.App/compose.yaml
printf 'services: [web\n  this is: not yaml: at all\n' >$P
cp /var/lib/dockdrop/state /tmp/state.0
DPID=$(pidof dockerd)
# shellcheck disable=SC2086
$DD install $OPTS --compose $P >/tmp/bad.out 2>/tmp/bad.err
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l </tmp/bad.err)" = 1 ] && grep -q 'Compose rejects it: .*yaml' /tmp/bad.err &&
	cmp -s /var/lib/dockdrop/state /tmp/state.0 && ! [ -e /etc/dockdrop/compose ] &&
	[ "$(pidof dockerd)" = "$DPID" ] && docker version >/dev/null 2>&1; then
	ok "a compose file that is not YAML: exit 2 with Compose's message, nothing changed, dockerd ($DPID) still answers"
else
	notok "not YAML: exit $rc: $(tr '\n' '|' </tmp/bad.err | cut -c1-400)"
fi

# --- the project: up after the daemon, a port published ---------------------------------------
cat >$P <<'YML'
services:
  web:
    image: dd-tiny:1
    command: ["/bin/sh", "-c", "mkdir -p /www && echo \"$$TOKEN\" >/www/index.html && exec busybox httpd -f -p 80 -h /www"]
    environment:
      TOKEN: "${TOKEN}"
    ports:
      - "8080:80"
  idle:
    image: dd-tiny:1
    command: ["/bin/busybox", "sleep", "100000"]
    network_mode: none
YML
printf 'TOKEN=dd-compose-page\n' >/tmp/proj/secret.env
fetch() {
	printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 busybox nc -w 5 127.0.0.1 "$1" 2>/dev/null | tail -n 1 | tr -d '\r'
}
answers() { # PORT TOKEN: the page is TOKEN within 20 tries
	i=0
	while [ $i -lt 20 ]; do
		[ "$(fetch "$1")" = "$2" ] && return 0
		sleep 0.5
		i=$((i + 1))
	done
	return 1
}
started() { docker inspect -f '{{.State.StartedAt}}' "shopapp-$1-1" 2>&1; }
t0=$(date +%s%N)
# shellcheck disable=SC2086
$DD install $OPTS --compose $P --compose-env /tmp/proj/secret.env >/tmp/c1.out 2>/tmp/c1.err
rc=$?
[ $rc -eq 0 ] && grep -q '^compose project shopapp: up' /tmp/c1.out &&
	ok "install --compose: exit 0, project shopapp (from the directory Shop.App, as Compose names it) up" ||
	notok "install --compose: exit $rc: $(cat /tmp/c1.out /tmp/c1.err | tr '\n' '|' | cut -c1-600)"
check "the published port answers with the page from the env file" answers 8080 dd-compose-page
echo "# install --compose to the port answering: $((($(date +%s%N) - t0) / 1000000)) ms"
check "the dockerd of before was not restarted for it" sh -c "[ \"\$(pidof dockerd)\" = $DPID ]"
check "the project copied, the env file 0600" sh -c \
	'cmp -s /etc/dockdrop/compose/shopapp/compose.yaml '$P' && [ "$(stat -c %a /etc/dockdrop/compose/shopapp/compose.env)" = 600 ]'
check "the record lists the project's files and its service" sh -c \
	'grep -q "^file /etc/dockdrop/compose/shopapp/compose.env 0600 " /var/lib/dockdrop/state &&
	grep -q "^file /etc/init.d/dockdrop-compose " /var/lib/dockdrop/state && grep -q "^link /etc/rc2.d/S03dockdrop-compose " /var/lib/dockdrop/state'
$DD status >/tmp/st.out 2>&1
check "status lists the project's containers running" sh -c \
	"grep -q '^compose     project shopapp' /tmp/st.out && grep -Eq '^  web +shopapp-web-1 +running' /tmp/st.out && grep -Eq '^  idle +shopapp-idle-1 +running' /tmp/st.out"
$DD status --json >/tmp/st.json 2>&1
check "status --json: the compose project and its containers" sh -c \
	"grep -q '\"compose\":{\"project\":\"shopapp\",\"answered\":true,\"containers\":\[' /tmp/st.json && grep -q '\"service\":\"idle\",\"state\":\"running\"' /tmp/st.json"
check "the env file's secret is in no dockdrop output" sh -c '! grep -rq dd-compose-page /tmp/c1.out /tmp/c1.err /tmp/st.out /tmp/st.json /var/lib/dockdrop/state'
check "nor its digest in the world-readable record (a short secret would be guessed from it)" sh -c \
	'! grep -q "$(sha256sum </etc/dockdrop/compose/shopapp/compose.env | cut -c1-64)" /var/lib/dockdrop/state'

# --- the same again: nothing runs; a changed file: only its service recreated ------------------
W1=$(started web) I1=$(started idle)
# shellcheck disable=SC2086
$DD install $OPTS --compose $P --compose-env /tmp/proj/secret.env >/tmp/c2.out 2>/tmp/c2.err
rc=$?
[ $rc -eq 0 ] && grep -q 'already installed, nothing to do' /tmp/c2.out && ! grep -q 'compose project' /tmp/c2.out &&
	[ "$(started web)" = "$W1" ] && [ "$(started idle)" = "$I1" ] &&
	ok "a re-run with the same files: nothing to do, no compose up, both containers' StartedAt unchanged" ||
	notok "re-run: exit $rc: $(cat /tmp/c2.out /tmp/c2.err | tr '\n' '|' | cut -c1-400) web $W1/$(started web)"
sed -i 's/TOKEN: "${TOKEN}"/TOKEN: "${TOKEN}-v2"/' $P
# shellcheck disable=SC2086
$DD install $OPTS --compose $P --compose-env /tmp/proj/secret.env >/tmp/c3.out 2>/tmp/c3.err
rc=$?
[ $rc -eq 0 ] && grep -q '^compose project shopapp: up' /tmp/c3.out && [ "$(started web)" != "$W1" ] &&
	[ "$(started idle)" = "$I1" ] &&
	ok "a changed compose file: up again, web recreated, idle untouched" ||
	notok "changed file: exit $rc: $(cat /tmp/c3.out /tmp/c3.err | tr '\n' '|' | cut -c1-400)"
check "the port answers with the changed page" answers 8080 dd-compose-page-v2

# --- a reboot-equivalent: the services stopped and started as sysvinit would ---------------------
reboot_equivalent() { # PORT TOKEN
	for k in /etc/rc0.d/K??dockdrop-compose /etc/rc0.d/K??docker /etc/rc0.d/K??containerd; do "$k" stop >/dev/null 2>&1; done
	i=0
	while { pidof dockerd || pidof containerd; } >/dev/null 2>&1 && [ $i -lt 40 ]; do sleep 0.5; i=$((i + 1)); done
	check "after the K scripts no daemon runs and port $1 is closed" sh -c \
		'! pidof dockerd && ! pidof containerd && [ -z "$(printf "GET / HTTP/1.0\r\n\r\n" | timeout 5 busybox nc -w 2 127.0.0.1 '"$1"' 2>/dev/null)" ]'
	for s in $(ls /etc/rc2.d | grep -E '^S[0-9]+(containerd|docker|dockdrop-compose)$' | sort); do
		/etc/rc2.d/"$s" start >/tmp/boot.out 2>&1 || notok "/etc/rc2.d/$s start: $(tr '\n' '|' </tmp/boot.out | cut -c1-300)"
	done
	check "after the S scripts the project is back: port $1 answers" answers "$1" "$2"
}
reboot_equivalent 8080 dd-compose-page-v2

# --- a re-run without --compose takes the project down; with it again, up -------------------
# shellcheck disable=SC2086
$DD install $OPTS >/tmp/c4.out 2>/tmp/c4.err
rc=$?
[ $rc -eq 0 ] && grep -q '^compose project shopapp: down' /tmp/c4.out && [ -z "$(docker ps -aq)" ] &&
	! [ -e /etc/dockdrop/compose/shopapp/compose.yaml ] && ! [ -e /etc/init.d/dockdrop-compose ] &&
	ok "install without --compose: the project down, its files and service removed" ||
	notok "install without --compose: exit $rc: $(cat /tmp/c4.out /tmp/c4.err | tr '\n' '|' | cut -c1-400)"
# shellcheck disable=SC2086
$DD install $OPTS --compose $P --compose-env /tmp/proj/secret.env >/tmp/c5.out 2>/tmp/c5.err
check "install --compose again: up, the port answers" answers 8080 dd-compose-page-v2
# A run without --compose takes the project down before its daemon is proven; when that
# daemon does not come up, the run is rolled back and the project comes up again.
BAD=$(echo "$OPTS" | sed 's/storage-driver="vfs"/storage-driver="no-such-driver"/')
# shellcheck disable=SC2086
$DD install $BAD >/tmp/c6.out 2>/tmp/c6.err
rc=$?
[ $rc -eq 1 ] && grep -q 'compose project shopapp: down' /tmp/c6.out &&
	grep -q 'compose project shopapp: up again' /tmp/c6.out &&
	grep -q 'the previous configuration is back' /tmp/c6.err && answers 8080 dd-compose-page-v2 &&
	ok "a run without --compose whose daemon does not come up: rolled back, the project up again, the port answers" ||
	notok "rolled-back run without --compose: exit $rc: $(cat /tmp/c6.out /tmp/c6.err | tr '\n' '|' | cut -c1-500)"

# --- uninstall --------------------------------------------------------------------------------
$DD uninstall >/tmp/un.out 2>/tmp/un.err
rc=$?
[ $rc -eq 0 ] && grep -q '^compose project shopapp: down' /tmp/un.out && [ -z "$(ls -A /var/lib/docker/containers 2>/dev/null)" ] &&
	ok "uninstall: exit 0, compose down first (no container left)" ||
	notok "uninstall: exit $rc: $(cat /tmp/un.out /tmp/un.err | tr '\n' '|' | cut -c1-300)"
$DD uninstall --purge >/dev/null 2>&1
check "uninstall removed the plugin link, the project and the service" sh -c \
	'! [ -e /usr/local/lib/docker ] && ! [ -e /etc/dockdrop/compose ] && ! [ -e /etc/init.d/dockdrop-compose ] && ! ls /etc/rc*.d/*dockdrop-compose'
check "no daemon left" sh -c '! pidof dockerd && ! pidof containerd'

# --- the whole application from the payload, one install on a clean root ----------------------
# The bundle carries dd-web:1 (made at test time); nothing is loaded by hand, and the root
# has no network beyond its own namespace.
mkdir -p /tmp/app
P2=/tmp/app/compose.yaml
cat >$P2 <<'YML'
services:
  web:
    image: dd-web:1
    restart: always
    ports:
      - "8081:80"
YML
# The daemon's image load events between two times (seconds with nanoseconds: a whole
# second would cut an event of the same second off, or count one from before).
loads() { # SINCE UNTIL
	timeout 20 docker events --since "$1" --until "$2" --filter type=image --filter event=load 2>/dev/null | wc -l
}
t0=$(date +%s.%N)
# shellcheck disable=SC2086
$DD install $OPTS --compose $P2 >/tmp/a1.out 2>/tmp/a1.err
rc=$?
t1=$(date +%s.%N)
[ $rc -eq 0 ] && grep -q '^compose project app: up' /tmp/a1.out ||
	notok "one install of the application: exit $rc: $(cat /tmp/a1.out /tmp/a1.err | tr '\n' '|' | cut -c1-600)"
check "one install: the carried image loaded, the project up, port 8081 answers the image's page" answers 8081 dd-bundled-page
echo "# install (engine, image, plugin, project) to the application answering: $(echo "$t0 $(date +%s.%N)" | awk '{ printf "%d", ($2 - $1) * 1000 }') ms"
[ "$(loads "$t0" "$t1")" = 1 ] && docker image inspect dd-web:1 >/dev/null 2>&1 &&
	ok "the image came from the payload (one load event during install, the tag present)" ||
	notok "the image from the payload: $(loads "$t0" "$t1") load events, $(docker images 2>&1 | tr '\n' '|')"
A1=$(docker inspect -f '{{.State.StartedAt}}' app-web-1 2>&1)
t2=$(date +%s.%N)
# shellcheck disable=SC2086
$DD install $OPTS --compose $P2 >/tmp/a2.out 2>/tmp/a2.err
rc=$?
t3=$(date +%s.%N)
[ $rc -eq 0 ] && grep -q 'already installed, nothing to do' /tmp/a2.out && [ "$(loads "$t2" "$t3")" = 0 ] &&
	[ "$(docker inspect -f '{{.State.StartedAt}}' app-web-1 2>&1)" = "$A1" ] &&
	ok "a re-run: nothing to do, no image load event, the container's StartedAt unchanged" ||
	notok "re-run of the application: exit $rc, loads $(loads "$t2" "$t3"): $(cat /tmp/a2.out /tmp/a2.err | tr '\n' '|' | cut -c1-400)"
reboot_equivalent 8081 dd-bundled-page
$DD uninstall --purge >/dev/null 2>&1
check "uninstall --purge: no daemon left" sh -c '! pidof dockerd && ! pidof containerd'

# --- the same application from the Azure Docker extension's settings ---------------------------
# "compose" in the extension's v1 layout (services at the top level: wrapped for Compose v2),
# compose-environment public, environment protected (in clear here, as Custom Script has it).
cat >/tmp/az-pub.json <<'JSON'
{"docker": {"options": ["--storage-driver=vfs"]},
 "compose": {"web": {"image": "dd-web:1", "restart": "always", "ports": ["8082:80"],
                     "environment": ["GREETING=${GREETING}", "TOKEN=${SECRET_TOKEN}"]}},
 "compose-environment": {"GREETING": "hello"}}
JSON
(umask 077 && printf '{"environment": {"SECRET_TOKEN": "tok-5e3c7"}}' >/tmp/az-prot.json)
$DD install --init sysv --no-tcp --settings /tmp/az-pub.json --protected-settings /tmp/az-prot.json \
	>/tmp/az1.out 2>/tmp/az1.err
rc=$?
[ $rc -eq 0 ] && grep -q '^compose project compose: up' /tmp/az1.out ||
	notok "install --settings with compose: exit $rc: $(cat /tmp/az1.out /tmp/az1.err | tr '\n' '|' | cut -c1-600)"
check "settings compose (v1 layout): the service up, port 8082 answers" answers 8082 dd-bundled-page
# Each on its own: Compose gives the service's variables in no fixed order.
E=$(docker inspect -f '{{join .Config.Env " "}}' compose-web-1 2>&1)
case " $E " in
*" GREETING=hello "*) case " $E " in
	*" TOKEN=tok-5e3c7 "*) ok "compose-environment and protected environment reach the service" ;;
	*) notok "the service's environment has no TOKEN=tok-5e3c7: $E" ;;
	esac ;;
*) notok "the service's environment has no GREETING=hello: $E" ;;
esac
[ "$(stat -c %a /etc/dockdrop/compose/compose/compose.env 2>&1)" = 600 ] && ok "the project's env file is 0600" ||
	notok "compose.env: $(stat -c %a /etc/dockdrop/compose/compose/compose.env 2>&1)"
grep -q tok-5e3c7 /tmp/az1.out /tmp/az1.err /var/lib/dockdrop/state && notok "the protected value is in the output or the record" ||
	ok "the protected value is in neither install's output nor the record"
Z1=$(docker inspect -f '{{.State.StartedAt}}' compose-web-1 2>&1)
$DD install --init sysv --no-tcp --settings /tmp/az-pub.json --protected-settings /tmp/az-prot.json \
	>/tmp/az2.out 2>/tmp/az2.err
rc=$?
[ $rc -eq 0 ] && [ "$(docker inspect -f '{{.State.StartedAt}}' compose-web-1 2>&1)" = "$Z1" ] &&
	ok "the same settings again: exit 0, the service not restarted" ||
	notok "the same settings again: exit $rc: $(cat /tmp/az2.out /tmp/az2.err | tr '\n' '|' | cut -c1-400)"
$DD uninstall --purge >/dev/null 2>&1
check "uninstall --purge after the settings' project: no daemon left" sh -c '! pidof dockerd && ! pidof containerd'
[ $FAILS -eq 0 ]
