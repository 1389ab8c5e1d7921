#!/bin/bash
# The test driver inside the VM: the image's boot hook (dd-vm.service under systemd, the
# dd-vm init script under sysvinit and OpenRC) runs it at every boot from the read-only
# control disk mounted at /mnt/dd, with DD_CTL (the virtio-serial port named dd.ctl) and
# DD_INIT (systemd, sysv or openrc). It talks to tests/vm/run.sh over that port, one line
# per message (protocol in run.sh's header), and echoes everything to the console too. The
# phase lives in the VM's own disk (/var/lib/dd-vm/phase), so the second boot knows it is
# the one after the reboot.
#   /mnt/dd/mode          install (run dist/dockdrop install) or selftest (install by hand)
#   /mnt/dd/install-args  extra arguments for dockdrop install (one line, may be empty)
#   /mnt/dd/compose/compose.yaml  install mode: the project install --compose brings up
#                         (ddweb from the image the payload carries, -p 8080:80)
#   /mnt/dd/web.tar       selftest mode: the web image's root (busybox httpd), imported
#   /mnt/dd/web-token     the token index.html holds
#   /mnt/dd/machine       x86_64 or aarch64: what uname -m and the dockdrop must be
# Phases: boot 1: snapshot, install, checks, the web container; "ready 1", the host checks
# and says reboot. Boot 2: the same checks; "ready 2", the host checks and says go; install
# again (nothing restarted); "ready 3", go; uninstall --purge and the snapshot compared;
# "ready 4", poweroff.
set -u
D=/mnt/dd
S=/var/lib/dd-vm
CLIENT=/etc/dockdrop/client
INIT=${DD_INIT:-systemd}
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# The CLI inside the VM keeps its config in the test's own directory, not in /root.
export DOCKER_CONFIG=$S/docker-config
exec 3<>"${DD_CTL:-/dev/virtio-ports/dd.ctl}" || exit 1
mkdir -p "$S"

say() { printf '%s\n' "$*" >&3; printf 'dd-vm: %s\n' "$*"; }
ok() { say "ok - $*"; }
notok() { say "not ok - $*"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
say_tail() { # FILE N: the last N lines of FILE as comment lines
	tail -n "$2" "$1" 2>/dev/null | cut -c1-300 | while IFS= read -r l; do say "# | $l"; done
}
# The host's word: reboot or poweroff (anything else, or EOF, powers off), or go on.
await_host() {
	say "ready $1"
	cmd=
	IFS= read -r -t 1800 cmd <&3 # the host is gone after that long: power off
	say "# got '$cmd'"
	[ "$cmd" = go ] && return 0
	sync
	case $INIT.$cmd in
	systemd.reboot) systemctl reboot ;;
	systemd.*) systemctl poweroff ;;
	*.reboot) reboot ;;
	*) poweroff ;;
	esac
	exit 0
}
fatal() { say "fatal $*"; await_host fatal; }

phase=$(cat "$S/phase" 2>/dev/null || echo 1)
mode=$(cat "$D/mode" 2>/dev/null || echo install)
say "hello phase=$phase mode=$mode init=$INIT boot_id=$(cat /proc/sys/kernel/random/boot_id) uptime=$(uptime_s)"

# --- boot: wait for the init system to finish starting everything -------------------------
if [ "$INIT" = systemd ]; then
	st=$(timeout 300 systemctl is-system-running --wait 2>/dev/null)
	say "booted $st $(uptime_s)"
	if [ "$st" = running ]; then
		ok "boot $phase: systemd is PID 1 ($(cat /proc/1/comm)), system running after $(uptime_s) s uptime"
	else
		notok "boot $phase: systemctl is-system-running says '$st'"
		systemctl --failed --no-legend --plain 2>&1 | while IFS= read -r l; do say "# failed: $l"; done
	fi
else
	# The hook ran from the rc run in the background: wait for the run (sysv-rc's rc and
	# startpar, or openrc) to end.
	i=0
	while pgrep -x 'rc|startpar|openrc' >/dev/null && [ $i -lt 600 ]; do
		i=$((i + 1))
		sleep 0.5
	done
	pid1=$(readlink /proc/1/exe)
	say "booted $(runlevel 2>/dev/null | tr ' ' /) $(uptime_s)"
	if [ $i -ge 600 ]; then
		notok "boot $phase: the rc run did not end within 300 s: $(pgrep -a -x 'rc|startpar|openrc' | tr '\n' ' ')"
	elif [ -d /run/systemd/system ] || [ "$(cat /proc/1/comm)" != init ]; then
		notok "boot $phase: PID 1 is $pid1 ($(cat /proc/1/comm)), not sysvinit's init"
	elif [ "$INIT" = openrc ] && ! rc-status --runlevel 2>/dev/null | grep -qx default; then
		notok "boot $phase: OpenRC's runlevel is '$(rc-status --runlevel 2>&1)', not default"
	else
		ok "boot $phase: PID 1 is sysvinit's $pid1, $INIT's rc run ended after $(uptime_s) s uptime (runlevel $(runlevel | cut -d' ' -f2))"
	fi
fi

# --- what the daemons say ------------------------------------------------------------------
daemon_logs() { # N: dockerd's and containerd's last N lines each, to the host
	if [ "$INIT" = systemd ]; then
		journalctl -b --no-pager -n "$1" -u docker.service -u containerd.service >"$S/journal" 2>&1
		say_tail "$S/journal" "$1"
	else
		for f in /var/log/dockdrop/*.log; do
			[ -f "$f" ] || continue
			say "# $f:"
			say_tail "$f" "$1"
		done
	fi
}
# The init system's own word on each service: running and enabled.
svc_status() { # WHEN
	when=$1
	case $INIT in
	systemd)
		a=$(systemctl is-active docker.service containerd.service 2>&1 | tr '\n' ' ')
		e=$(systemctl is-enabled docker.service containerd.service 2>&1 | tr '\n' ' ')
		want="active active enabled enabled"
		got="${a% } ${e% }"
		how="systemctl is-active, is-enabled docker.service containerd.service"
		;;
	openrc)
		got=
		for s in docker containerd; do
			rc-service "$s" status >/dev/null 2>&1 && got="$got started" || got="$got stopped"
		done
		for s in docker containerd; do
			rc-update show default 2>/dev/null | grep -qw "$s" && got="$got default" || got="$got none"
		done
		got=${got# }
		want="started started default default"
		how="rc-service docker|containerd status; rc-update show default"
		;;
	sysv)
		got=
		for s in docker containerd; do
			if "/etc/init.d/$s" status >/dev/null 2>&1 &&
				p=$(cat "/var/run/dockdrop-$s.pid" 2>/dev/null) &&
				[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$(basename "$(sed -n 's/^DAEMON=//p' "/etc/init.d/$s")")" ]; then
				got="$got running"
			else
				got="$got stopped"
			fi
		done
		for s in docker containerd; do
			set -- /etc/rc2.d/S??"$s"
			[ -L "$1" ] && got="$got S2" || got="$got none"
		done
		got=${got# }
		want="running running S2 S2"
		how="/etc/init.d/docker|containerd status, their pid files' processes; /etc/rc2.d links"
		;;
	esac
	if [ "$got" = "$want" ]; then
		ok "$when: $how: $got"
	else
		notok "$when: $how: $got (want $want)"
		daemon_logs 30
	fi
}

# --- the checks after install and after reboot --------------------------------------------
check_units() { # WHEN
	svc_status "$1"
	if timeout 60 docker -H unix:///var/run/docker.sock version >"$S/version" 2>&1 &&
		grep -q '^Server:' "$S/version"; then
		ok "$1: docker version over /var/run/docker.sock inside the VM shows the Server section"
	else
		notok "$1: docker version over /var/run/docker.sock inside the VM"
		say_tail "$S/version" 10
	fi
}

# The web page through the published port, from inside the VM (docker-proxy on 127.0.0.1).
fetch_local() {
	timeout 10 bash -c 'exec 9<>/dev/tcp/127.0.0.1/8080 && printf "GET / HTTP/1.0\r\nHost: x\r\n\r\n" >&9 && cat <&9' 2>/dev/null
}
check_web() { # WHEN
	token=$(cat "$D/web-token")
	i=0
	while [ $i -lt 30 ]; do
		st=$(docker inspect -f '{{.State.Running}}' ddweb 2>/dev/null)
		[ "$st" = true ] && fetch_local | grep -qF "$token" && break
		i=$((i + 1))
		sleep 2
	done
	info=$(docker inspect -f 'running={{.State.Running}} started={{.State.StartedAt}} restarts={{.RestartCount}} ip={{.NetworkSettings.IPAddress}}' ddweb 2>&1 | tr '\n' ' ')
	if [ $i -lt 30 ]; then
		ok "$1: the web container is up ($info) and http://127.0.0.1:8080/ in the VM answers its token"
	else
		notok "$1: the web container or its published port: $info; page: $(fetch_local | head -c 200 | tr '\r\n' '  ')"
		docker ps -a >"$S/ps" 2>&1
		say_tail "$S/ps" 5
		daemon_logs 20
	fi
}

# After a reboot: the init system ran dockdrop-compose (up -d once docker answered).
check_compose_service() {
	case $INIT in
	systemd) st=$(systemctl is-active dockdrop-compose.service 2>&1) ;;
	openrc) st=$(rc-service dockdrop-compose status 2>&1 | tail -n 1) ;;
	*) st=$(/etc/init.d/dockdrop-compose status 2>&1 | grep -c ' Up ') ;;
	esac
	case $INIT.$st in
	systemd.active | openrc.*started* | sysv.[1-9]*)
		ok "after reboot: the dockdrop-compose service ran ($INIT: $st)" ;;
	*)
		notok "after reboot: the dockdrop-compose service ($INIT): '$st'"
		[ "$INIT" = systemd ] && journalctl -b -u dockdrop-compose --no-pager >"$S/cj" 2>&1 && say_tail "$S/cj" 10 ;;
	esac
}

start_web() {
	# install mode: the compose project install brought up (image and plugin from the payload)
	if [ -f "$D/compose/compose.yaml" ]; then
		if docker compose version >"$S/web.log" 2>&1 && docker inspect ddweb >>"$S/web.log" 2>&1; then
			ok "after install: docker compose version works, and install --compose started ddweb (image ddweb:1 from the payload, -p 8080:80)"
		else
			notok "after install: compose plugin or the project's container: $(tail -n 1 "$S/web.log" | cut -c1-300)"
			daemon_logs 30
			return 1
		fi
		check_web "after install"
		return
	fi
	if docker import --change 'CMD ["/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www"]' \
		"$D/web.tar" ddweb:1 >"$S/web.log" 2>&1 &&
		docker run -d --name ddweb --restart always -p 8080:80 ddweb:1 >>"$S/web.log" 2>&1; then
		ok "after install: docker import web.tar and docker run -d --restart always -p 8080:80 (bridge network)"
	else
		notok "after install: docker import / docker run -d -p 8080:80: $(tail -n 1 "$S/web.log" | cut -c1-300)"
		say_tail "$S/web.log" 10
		daemon_logs 30
		return 1
	fi
	check_web "after install"
}

# What the machine holds, to compare before install and after uninstall --purge: every
# name on the root filesystem with its type, mode and owner, and every /etc file's digest.
# Left out: the kernel's and the test's own places, and what the machine changes by itself
# across a reboot (EXCEPT, matched against "PATH ..." lines; run.sh's header says why).
EXCEPT='^/(proc|sys|dev|run|tmp|var/tmp|mnt|var/lib/dd-vm|lost\+found|var/log/(journal|wtmp|btmp|lastlog|dmesg|boot|faillog)|var/lib/systemd/(timers|random-seed|catalog|deb-systemd-helper-enabled)|var/lib/urandom/random-seed|var/cache/ldconfig/aux-cache|etc/adjtime|usr/lib/rc/cache)([ /.]|$)'
sorted_words() { # each line's words sorted, then the lines
	(
		set -f
		while IFS= read -r l; do
			# shellcheck disable=SC2086 # the words, split
			printf '%s\n' "$(printf '%s\n' $l | sort | tr '\n' ' ')"
		done | sort
	)
}
snapshot() { # NAME
	mkdir -p "$S/$1-depend" && cp -p /etc/init.d/.depend.* "$S/$1-depend/" 2>/dev/null
	find / -xdev -printf '%p %y %m %u:%g\n' 2>/dev/null | grep -Ev "$EXCEPT" | sort >"$S/$1.list"
	find /etc -xdev -type f -exec sha256sum {} + 2>/dev/null | awk '{ print $2, $1 }' |
		grep -Ev "$EXCEPT" | grep -v '^/etc/init.d/\.depend\.' >"$S/$1.etc.tmp"
	# insserv's .depend files are sets: a recompute writes the same in another order
	for f in /etc/init.d/.depend.*; do
		[ -f "$f" ] || continue
		echo "$f $(sorted_words <"$f" | sha256sum | cut -c1-64) (words and lines sorted)" >>"$S/$1.etc.tmp"
	done
	sort "$S/$1.etc.tmp" >"$S/$1.etc"
}
compare_snapshots() { # [WHEN]
	when=${1:-after uninstall --purge}
	diff "$S/before.list" "$S/after.list" >"$S/diff.list"
	diff "$S/before.etc" "$S/after.etc" >"$S/diff.etc"
	n=$(grep -c '^[<>]' "$S/diff.list")
	m=$(grep -c '^[<>]' "$S/diff.etc")
	if [ "$n" -eq 0 ] && [ "$m" -eq 0 ]; then
		ok "$when: the file list ($(wc -l <"$S/after.list") names, types, modes, owners) and /etc ($(wc -l <"$S/after.etc") files, SHA-256) are as before install"
	else
		notok "$when: $n differences in the file list, $m in /etc's digests (< before, > after)"
		grep '^[<>]' "$S/diff.list" | head -n 40 >"$S/diff.show"
		grep '^[<>]' "$S/diff.etc" | head -n 20 >>"$S/diff.show"
		say_tail "$S/diff.show" 60
		# insserv's dependency files: what changed in them
		for f in "$S"/before-depend/.depend.*; do
			[ -f "$f" ] || continue
			diff "$f" "/etc/init.d/${f##*/}" >"$S/diff.dep" || { say "# ${f##*/}:"; say_tail "$S/diff.dep" 8; }
		done
	fi
}

dockerd_pid() { pidof dockerd 2>/dev/null; }
containerd_pid() { pidof containerd 2>/dev/null; }
started_at() { docker inspect -f '{{.State.Running}} {{.State.StartedAt}}' ddweb 2>&1 | tr '\n' ' '; }

# What install does, done by hand with the host's certificates (DD_VM_SELFTEST=1, systemd).
selftest_install() {
	set -e
	mkdir -p /opt/dd-selftest /etc/docker/tls "$CLIENT"
	tar -xzf "$D/engine.tgz" -C /opt/dd-selftest
	for b in /opt/dd-selftest/docker/*; do ln -sf "$b" "/usr/local/bin/${b##*/}"; done
	install -m 0644 "$D/srv/ca.pem" "$D/srv/server-cert.pem" /etc/docker/tls/
	install -m 0600 "$D/srv/server-key.pem" /etc/docker/tls/
	install -m 0644 "$D/cli/ca.pem" "$D/cli/cert.pem" "$CLIENT/"
	install -m 0600 "$D/cli/key.pem" "$CLIENT/"
	printf 'DOCKER_HOST=tcp://127.0.0.1:2376\nDOCKER_TLS_VERIFY=1\nDOCKER_CERT_PATH=%s\n' \
		"$CLIENT" >"$CLIENT/docker.env"
	cat >/etc/systemd/system/containerd.service <<-'EOF'
		[Unit]
		Description=containerd (dockdrop VM selftest)
		After=network.target local-fs.target
		[Service]
		ExecStartPre=-/sbin/modprobe overlay
		ExecStart=/usr/local/bin/containerd
		Type=notify
		Delegate=yes
		KillMode=process
		Restart=always
		LimitNOFILE=infinity
		TasksMax=infinity
		[Install]
		WantedBy=multi-user.target
	EOF
	cat >/etc/systemd/system/docker.service <<-'EOF'
		[Unit]
		Description=Docker (dockdrop VM selftest)
		After=network-online.target containerd.service
		Wants=network-online.target containerd.service
		[Service]
		Type=notify
		ExecStart=/usr/local/bin/dockerd --containerd=/run/containerd/containerd.sock --tlsverify --tlscacert=/etc/docker/tls/ca.pem --tlscert=/etc/docker/tls/server-cert.pem --tlskey=/etc/docker/tls/server-key.pem -H tcp://0.0.0.0:2376 -H unix:///var/run/docker.sock
		Delegate=yes
		KillMode=process
		OOMScoreAdjust=-500
		Restart=always
		LimitNOFILE=infinity
		TasksMax=infinity
		[Install]
		WantedBy=multi-user.target
	EOF
	systemctl daemon-reload
	systemctl enable --now containerd.service docker.service
	set +e
}

# restrict=on: the guest reaches nothing outside qemu, not even the host. 10.0.2.2 is slirp's
# alias for the host's 127.0.0.1, where the host-forward listens on dd.port.
no_way_out() {
	port=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^dd\.port=//p')
	if ! ip -4 -o addr show dev eth0 | grep -q ' 10\.0\.2\.15/24'; then
		notok "network: eth0 does not have 10.0.2.15/24: $(ip -4 -o addr show | awk '{ print $2, $4 }' | tr '\n' ' ')"
	elif [ -z "$port" ]; then
		notok "network: no dd.port= on the kernel command line"
	elif timeout 5 bash -c "exec 9<>/dev/tcp/10.0.2.2/$port" 2>/dev/null; then
		notok "network: the guest reached the host at 10.0.2.2:$port (restrict=on is not in force)"
	else
		ok "network: eth0 10.0.2.15/24; TCP to the host (10.0.2.2:$port, slirp's host loopback) fails: restrict=on holds"
	fi
}

# The machine is the one the run asked for (/mnt/dd/machine: x86_64 or aarch64), and so is
# the dockdrop it installs (its ELF header's e_machine: 62 x86_64, 183 aarch64).
machine_facts() {
	mw=$(cat "$D/machine" 2>/dev/null) m=$(uname -m)
	case $(od -An -tu2 -j18 -N2 "$D/dockdrop" 2>/dev/null | tr -d ' ') in
	62) e=x86_64 ;; 183) e=aarch64 ;; *) e=unknown ;;
	esac
	if [ -n "$mw" ] && [ "$m" = "$mw" ] && [ "$e" = "$mw" ]; then
		ok "machine: uname -m is $m, and the dockdrop to install is $e code"
	else
		notok "machine: uname -m is $m and the dockdrop is $e code; the run wants ${mw:-?}"
	fi
}

# The image is what its name says: init checked at boot; iptables, AppArmor here.
image_facts() {
	v=$(cat "$D/variant" 2>/dev/null)
	aa=$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)
	parser=$(command -v apparmor_parser)
	ipt=$(command -v iptables)
	say "# image $v: AppArmor enabled=${aa:-absent}, apparmor_parser=${parser:-none}, iptables=${ipt:-none}, /sys/fs/cgroup: $(awk '$2 == "/sys/fs/cgroup" { print $3 }' /proc/self/mounts | tr '\n' ' ')"
	if [ "$v" = apparmor ]; then
		if [ "$aa" = Y ] && [ -z "$parser" ]; then
			ok "image apparmor: AppArmor enabled in the kernel (Y), no apparmor_parser"
		else
			notok "image apparmor: enabled=$aa parser=$parser"
		fi
	elif [ "$v" = nft ] || [ "$v" = openrc ]; then
		if [ -z "$ipt" ]; then ok "image $v: no iptables on the system"; else notok "image $v: iptables at $ipt"; fi
	fi
}

# install's error names rc-service's last line of output, but OpenRC says why on stderr:
# install once more with rc-service bind-mounted over by a wrapper that keeps its stderr
# (a bind mount, undone at once: no file of the image changes), and show that.
rc_service_stderr() {
	rs=$(readlink -f /sbin/rc-service)
	cp "$rs" "$S/rc-service.real"
	printf '#!/bin/sh\n%s "$@" 2>>%s\n' "$S/rc-service.real" "$S/rc-service.err" >"$S/rc-service.wrap"
	chmod 0755 "$S/rc-service.wrap"
	mount --bind "$S/rc-service.wrap" "$rs" || return 0
	timeout 900 "$S/dockdrop" "$@" >"$S/install-diag.log" 2>&1
	umount "$rs"
	say "# rc-service's stderr during a second install (diagnosis only):"
	say_tail "$S/rc-service.err" 15
}

# The Azure agent's way (run.sh's azure step, systemd image): tests/e2e/fake-waagent.sh lays
# out the handler package and runs its commands as the agent does; the tenant certificate
# and the settings (N=0, protected settings encrypted to it) come from the host.
LIB=$S/waagent AZN=Example.Publisher.DockDrop AZV=1.0.0
export FAKE_WAAGENT_LOGROOT=$S/azure-log
agent() { sh "$D/azure/fake-waagent.sh" "$@"; }
AZST=$LIB/$AZN-$AZV/status/0.status
agent_install() {
	if ! { mkdir -p "$LIB" && cp "$D/azure/lib/"*.crt "$D/azure/lib/"*.prv "$LIB/" && chmod 600 "$LIB"/*.prv &&
		agent setup "$LIB" $AZN $AZV "$D/azure/handler.zip" && agent settings "$LIB" $AZN $AZV 0 "$D/azure/settings.json" &&
		agent run "$LIB" $AZN $AZV install 0; } >"$S/agent.log" 2>&1; then
		notok "azure: the fake agent's setup, settings or the handler's install: $(tail -n 3 "$S/agent.log" | tr '\n' '|' | cut -c1-300)"
		return 1
	fi
	agent run "$LIB" $AZN $AZV enable 0 >"$S/install.log" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && jq -e '.[0].status.status == "success"' "$AZST" >/dev/null 2>&1; then
		ok "azure: the handler package installed and enabled by the agent from encrypted settings: exit 0, $(jq -r '.[0].status.formattedMessage.message' "$AZST")"
	else
		notok "azure: enable exit $rc, status $(head -c 300 "$AZST" 2>&1)"
		say_tail "$S/install.log" 20
		say_tail "$FAKE_WAAGENT_LOGROOT/$AZN/dockdrop-handler.log" 20
		return 1
	fi
	cp "$AZST" "$S/status0.ref"
	if docker inspect -f '{{join .Config.Env " "}}' ddweb 2>&1 | grep -q "DD_VM_SECRET=$(cat "$D/azure/secret")"; then
		ok "azure: the value from the encrypted protected settings reached the compose service"
	else
		notok "azure: the protected environment value is not in ddweb's environment"
	fi
	if grep -rqF "$(cat "$D/azure/secret")" "$AZST" "$FAKE_WAAGENT_LOGROOT" "$S/install.log" "$S/agent.log"; then
		notok "azure: the protected value is in a status file, the log folder or the agent's output"
	else
		ok "azure: the protected value is in no status file, log or output"
	fi
}

phase1() {
	no_way_out
	image_facts
	[ "$mode" = selftest ] || machine_facts
	snapshot before
	t0=$(uptime_s)
	if [ "$mode" = selftest ]; then
		if (selftest_install) >"$S/install.log" 2>&1; then
			ok "selftest: engine unpacked, host certificates, containerd/docker units enabled and started (by hand, not dockdrop)"
		else
			notok "selftest: the by-hand install failed"
			say_tail "$S/install.log" 20
			fatal "selftest install"
		fi
	elif [ -d "$D/azure" ]; then
		install -m 0755 "$D/dockdrop" "$S/dockdrop" # for uninstall --purge at the end
		echo azure >"$S/install-cmd"
		agent_install || { daemon_logs 30; fatal "the Azure handler's enable"; }
	else
		install -m 0755 "$D/dockdrop" "$S/dockdrop"
		# shellcheck disable=SC2046 # the extra arguments are words
		set -- install --tls-san 127.0.0.1 $(cat "$D/install-args" 2>/dev/null)
		echo "$*" >"$S/install-cmd"
		timeout 900 "$S/dockdrop" "$@" >"$S/install.log" 2>&1
		rc=$?
		if [ $rc -eq 0 ]; then
			ok "dockdrop $*: exit 0"
		else
			notok "dockdrop $*: exit $rc: $(tail -n 1 "$S/install.log" | cut -c1-300)"
			say "# install output (last 20 lines):"
			say_tail "$S/install.log" 20
			daemon_logs 30
			[ "$INIT" = openrc ] && rc_service_stderr "$@"
			fatal "install exited $rc"
		fi
	fi
	say "# timing: install took $(echo "$(uptime_s) $t0" | awk '{ printf "%.1f", $1 - $2 }') s"
	# DD_VM_EXPERIMENT=insserv (a trial of a fix, not a test): what update-rc.d would do.
	if [ "$(cat "$D/experiment" 2>/dev/null)" = insserv ]; then
		insserv containerd docker >"$S/insserv.log" 2>&1
		say "# experiment: insserv containerd docker: exit $? $(tr '\n' ' ' <"$S/insserv.log" | cut -c1-200); rc2.d: $(find /etc/rc2.d -mindepth 1 -printf "%f " | tr '\n' ' ')"
	fi
	# Debian's sysv-rc starts, through startpar, only what insserv put in .depend.start.
	if [ -s /etc/init.d/.depend.start ]; then
		say "# /etc/init.d/.depend.start names: $(grep -o -w -E 'containerd|docker' /etc/init.d/.depend.start | sort -u | tr '\n' ' ')(none means not started at boot)"
	fi
	check_units "after install"
	start_web
	for f in ca.pem cert.pem key.pem docker.env; do
		if [ -s "$CLIENT/$f" ]; then
			say "put $f $(base64 -w0 <"$CLIENT/$f")"
		else
			notok "after install: $CLIENT/$f is missing or empty"
		fi
	done
	(cd "$CLIENT" && sha256sum ca.pem cert.pem key.pem docker.env) >"$S/bundle.sum" 2>/dev/null
	echo 2 >"$S/phase"
	sync
	await_host 1
}

# install again: nothing to do, nothing restarted.
reinstall() {
	p0="$(dockerd_pid)/$(containerd_pid)" s0=$(started_at)
	# shellcheck disable=SC2046 # as in phase 1
	set -- $(cat "$S/install-cmd")
	if [ "$1" = azure ]; then # the agent's enable again with the same N (as at every boot)
		agent run "$LIB" $AZN $AZV enable 0 >"$S/install2.log" 2>&1
		rc=$?
		if cmp -s "$AZST" "$S/status0.ref"; then
			ok "azure: enable again with the same N leaves status/0.status byte-identical"
		else
			notok "azure: enable again rewrote status/0.status: $(head -c 300 "$AZST")"
		fi
	else
		timeout 600 "$S/dockdrop" "$@" >"$S/install2.log" 2>&1
		rc=$?
	fi
	sleep 5 # a restart the re-run set off would show by now
	p1="$(dockerd_pid)/$(containerd_pid)" s1=$(started_at)
	if [ $rc -eq 0 ]; then
		ok "install again: exit 0: $(tail -n 1 "$S/install2.log" | cut -c1-200)"
	else
		notok "install again: exit $rc: $(tail -n 1 "$S/install2.log" | cut -c1-300)"
		say_tail "$S/install2.log" 10
	fi
	if [ -n "${p0%/}" ] && [ "$p0" = "$p1" ]; then
		ok "install again: dockerd/containerd not restarted (pids $p1)"
	else
		notok "install again: dockerd/containerd pids $p0 before, $p1 after"
	fi
	if [ "${s0%% *}" != true ]; then
		notok "install again: the web container was not running before: $s0"
	elif [ "$s0" = "$s1" ]; then
		ok "install again: the web container still up, same start time (${s1#true })"
	else
		notok "install again: the web container was '$s0', is '$s1'"
	fi
	check_web "after install again"
}

uninstall_purge() {
	timeout 600 "$S/dockdrop" uninstall --purge >"$S/uninstall.log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		ok "uninstall --purge: exit 0"
	else
		notok "uninstall --purge: exit $rc: $(tail -n 1 "$S/uninstall.log" | cut -c1-300)"
		say_tail "$S/uninstall.log" 10
	fi
	sleep 2
	left=$(pgrep -a -x 'dockerd|containerd|containerd-shim-runc-v2|docker-proxy|busybox' | cut -c1-80 | tr '\n' ';')
	if [ -z "$left" ]; then
		ok "uninstall --purge: no dockerd, containerd, shim, docker-proxy or container process left"
	else
		notok "uninstall --purge: processes left: $left"
	fi
	snapshot after
	compare_snapshots
	r=$(iptables-save 2>/dev/null | grep -c -i docker)
	[ "$r" -gt 0 ] 2>/dev/null && say "# after uninstall --purge: $r iptables rules or chains still name DOCKER (the kernel's, gone at the next boot)"
}

# The apparmor image (AppArmor enabled, no apparmor_parser): Debian's dockerd 20.10.24
# starts there, but every docker run fails ("AppArmor enabled on system but the
# docker-default profile could not be loaded: ... exec: \"apparmor_parser\": executable file
# not found in $PATH", seen on this image with preflight's check taken out), so install
# must refuse before any change and name what to install.
refuse() {
	no_way_out
	image_facts
	snapshot before
	install -m 0755 "$D/dockdrop" "$S/dockdrop"
	timeout 900 "$S/dockdrop" install --tls-san 127.0.0.1 >"$S/install.log" 2>&1
	rc=$?
	last=$(grep 'apparmor' "$S/install.log" | tail -n 1 | cut -c1-300)
	if [ $rc -eq 1 ] && printf '%s' "$last" | grep -q 'apt-get install apparmor'; then
		ok "install refuses, exit 1: $last"
	else
		notok "install on AppArmor without apparmor_parser: exit $rc: $(tail -n 1 "$S/install.log" | cut -c1-300)"
		say_tail "$S/install.log" 10
	fi
	if pgrep -x 'dockerd|containerd' >/dev/null; then
		notok "after the refusal: a dockerd or containerd runs"
	else
		ok "after the refusal: no dockerd or containerd runs"
	fi
	snapshot after
	compare_snapshots "after the refusal"
	await_host end
}

case $phase.$(cat "$D/expect" 2>/dev/null) in
1.refuse) refuse ;;
1.*) phase1 ;;
2.*)
	check_units "after reboot"
	if (cd "$CLIENT" && sha256sum -c --quiet "$S/bundle.sum") >/dev/null 2>&1; then
		ok "after reboot: the client bundle in $CLIENT is unchanged"
	else
		notok "after reboot: the client bundle in $CLIENT changed or is missing"
	fi
	check_web "after reboot (restart policy)"
	[ -f "$D/compose/compose.yaml" ] && check_compose_service
	echo 3 >"$S/phase"
	sync
	await_host 2
	reinstall
	await_host 3
	uninstall_purge
	await_host 4
	;;
*)
	notok "unexpected boot (phase $phase): the VM rebooted on its own"
	fatal "unexpected boot"
	;;
esac
