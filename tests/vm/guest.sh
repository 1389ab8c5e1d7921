#!/bin/bash
# The test driver inside the VM: dd-vm.service runs it at every boot from the read-only
# control disk mounted at /mnt/dd. It talks to tests/vm/run.sh over the virtio-serial port
# /dev/virtio-ports/dd.ctl, one line per message (protocol in run.sh's header), and echoes
# everything to the serial console too. The phase lives in the VM's own disk
# (/var/lib/dd-vm/phase), so the second boot knows it is the one after the reboot.
#   /mnt/dd/mode          install (run dist/dockdrop install) or selftest (install by hand)
#   /mnt/dd/install-args  extra arguments for dockdrop install (one line, may be empty)
set -u
D=/mnt/dd
S=/var/lib/dd-vm
CLIENT=/etc/dockdrop/client
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
exec 3<>/dev/virtio-ports/dd.ctl || exit 1
mkdir -p "$S"

say() { printf '%s\n' "$*" >&3; printf 'dd-vm: %s\n' "$*"; }
ok() { say "ok - $*"; }
notok() { say "not ok - $*"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
say_tail() { # FILE N: the last N lines of FILE as comment lines
	tail -n "$2" "$1" 2>/dev/null | cut -c1-300 | while IFS= read -r l; do say "# | $l"; done
}
# Wait for the host's word: reboot or poweroff (anything else, or EOF, powers off).
await_host() {
	say "ready $1"
	cmd=
	IFS= read -r -t 1800 cmd <&3 # the host is gone after that long: power off
	say "# got '$cmd'"
	sync
	case $cmd in
	reboot) systemctl reboot ;;
	*) systemctl poweroff ;;
	esac
	exit 0
}
fatal() { say "fatal $*"; await_host fatal; }

phase=$(cat "$S/phase" 2>/dev/null || echo 1)
mode=$(cat "$D/mode" 2>/dev/null || echo install)
say "hello phase=$phase mode=$mode boot_id=$(cat /proc/sys/kernel/random/boot_id) uptime=$(uptime_s)"

# --- boot: wait for systemd to finish starting everything ---------------------------------
st=$(timeout 300 systemctl is-system-running --wait 2>/dev/null)
say "booted $st $(uptime_s)"
if [ "$st" = running ]; then
	ok "boot $phase: systemd is PID 1 ($(cat /proc/1/comm)), system running after $(uptime_s) s uptime"
else
	notok "boot $phase: systemctl is-system-running says '$st'"
	systemctl --failed --no-legend --plain 2>&1 | while IFS= read -r l; do say "# failed: $l"; done
fi

# --- the checks after install and after reboot --------------------------------------------
check_units() { # WHEN
	a=$(systemctl is-active docker.service containerd.service 2>&1 | tr '\n' ' ')
	a=${a% }
	if [ "$a" = "active active" ]; then
		ok "$1: systemctl is-active docker.service containerd.service: $a"
	else
		notok "$1: systemctl is-active docker.service containerd.service: $a"
		journalctl -b --no-pager -n 30 -u docker.service -u containerd.service >"$S/journal" 2>&1
		say_tail "$S/journal" 30
	fi
	e=$(systemctl is-enabled docker.service containerd.service 2>&1 | tr '\n' ' ')
	e=${e% }
	if [ "$e" = "enabled enabled" ]; then
		ok "$1: systemctl is-enabled docker.service containerd.service: $e"
	else
		notok "$1: systemctl is-enabled docker.service containerd.service: $e"
	fi
	if timeout 60 docker -H unix:///var/run/docker.sock version >"$S/version" 2>&1 &&
		grep -q '^Server:' "$S/version"; then
		ok "$1: docker version over /var/run/docker.sock inside the VM shows the Server section"
	else
		notok "$1: docker version over /var/run/docker.sock inside the VM"
		say_tail "$S/version" 10
	fi
}

# What install does, done by hand with the host's certificates (DD_VM_SELFTEST=1).
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

case $phase in
1)
	no_way_out
	t0=$(uptime_s)
	if [ "$mode" = selftest ]; then
		if (selftest_install) >"$S/install.log" 2>&1; then
			ok "selftest: engine unpacked, host certificates, containerd/docker units enabled and started (by hand, not dockdrop)"
		else
			notok "selftest: the by-hand install failed"
			say_tail "$S/install.log" 20
			fatal "selftest install"
		fi
	else
		install -m 0755 "$D/dockdrop" /root/dockdrop
		# shellcheck disable=SC2046 # the extra arguments are words
		set -- install --tls-san 127.0.0.1 $(cat "$D/install-args" 2>/dev/null)
		timeout 900 /root/dockdrop "$@" >"$S/install.log" 2>&1
		rc=$?
		if [ $rc -eq 0 ]; then
			ok "dockdrop $*: exit 0"
		else
			notok "dockdrop $*: exit $rc: $(tail -n 1 "$S/install.log" | cut -c1-200)"
			say "# install output (last 20 lines):"
			say_tail "$S/install.log" 20
			fatal "install exited $rc"
		fi
	fi
	say "# timing: install took $(echo "$(uptime_s) $t0" | awk '{ printf "%.1f", $1 - $2 }') s"
	check_units "after install"
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
	;;
2)
	check_units "after reboot"
	if (cd "$CLIENT" && sha256sum -c --quiet "$S/bundle.sum") >/dev/null 2>&1; then
		ok "after reboot: the client bundle in $CLIENT is unchanged"
	else
		notok "after reboot: the client bundle in $CLIENT changed or is missing"
	fi
	echo 3 >"$S/phase"
	sync
	await_host 2
	;;
*)
	notok "unexpected boot (phase $phase): the VM rebooted on its own"
	fatal "unexpected boot"
	;;
esac
