# Run by tests/e2e/test_restart_kill.sh (through test_install.sh) inside the chroot: a sysv
# install with a container (--restart always: dockerd's stop waits for it), then for each
# phase of a restart (containerd's stop and start, dockerd's stop and start) an install with
# a new daemon option is SIGKILLed with its process group when the restart reaches that
# phase, and the next install with the same option must converge: exit 0 (the daemon
# proven over mutual TLS), the option in force, one containerd and one dockerd.
set -u
. /tmp/lib_inside.sh
DD=/tmp/dockdrop
CL=/var/log/dockdrop/containerd.log DL=/var/log/dockdrop/docker.log
printf '#!/bin/sh\n# stands for sysvinit in this test root\nexit 1\n' >/sbin/init && chmod 755 /sbin/init
mkdir -p /etc/docker && printf '{\n  "storage-driver": "vfs"\n}\n' >/etc/docker/daemon.json
$DD install --init sysv >/tmp/i0.out 2>&1 || { notok "install --init sysv: $(tail -n 3 /tmp/i0.out | tr '\n' '|')"; exit 1; }
mkdir -p /tmp/img/bin && cp /bin/busybox /tmp/img/bin/busybox
if tar -C /tmp/img -c . | timeout 60 docker import - dd-tiny:1 >/dev/null &&
	timeout 60 docker run -d --network none --restart always dd-tiny:1 /bin/busybox sleep 100000 >/dev/null; then
	ok "install --init sysv, a container (--restart always) runs"
else
	notok "install --init sysv and a container"
	exit 1
fi
# reached PHASE: the killed run's restart is there (c0, d0: the logs' counts before it).
reached() {
	case $1 in
	containerd-stop) grep -q '^restarting' /tmp/k.out ;;
	containerd-start) [ "$(grep -c 'starting containerd' $CL)" -gt "$c0" ] ;;
	docker-stop) grep -qs 'init[.]d/docker' /proc/[0-9]*/cmdline ;;
	docker-start) [ "$(grep -c 'Starting up' $DL)" -gt "$d0" ] ;;
	esac
}
n=0
for phase in containerd-stop containerd-start docker-stop docker-start; do
	n=$((n + 1))
	c0=$(grep -c 'starting containerd' $CL) d0=$(grep -c 'Starting up' $DL)
	setsid $DD install --init sysv --daemon-opt "labels=[\"k=$n\"]" >/tmp/k.out 2>&1 &
	K=$!
	i=0
	while ! reached $phase && [ $i -lt 600 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -s KILL -- "-$K" 2>/dev/null
	wait $K 2>/dev/null
	k=$?
	$DD install --init sysv --daemon-opt "labels=[\"k=$n\"]" >/tmp/r.out 2>&1
	r=$?
	l=$(timeout 30 docker info --format '{{json .Labels}}' 2>&1)
	c=$(pidof containerd) d=$(pidof dockerd)
	if [ $k = 137 ] && [ $r -eq 0 ] && echo "$l" | grep -q "\"k=$n\"" && [ -n "$c" ] && [ "$c" = "${c% *}" ] &&
		[ -n "$d" ] && [ "$d" = "${d% *}" ]; then
		ok "killed at $phase: the next run converges (exit 0, labels $l, containerd $c, dockerd $d)"
	else
		notok "killed at $phase (exit $k, want 137): next run exit $r, labels $l, containerd '$c', dockerd '$d': $(tr '\n' '|' </tmp/r.out | cut -c1-500)"
	fi
done
[ "$FAILS" -eq 0 ]
