#!/bin/sh
# A fake Azure Linux guest agent (waagent) for the handler tests: it lays out a handler the
# way the agent does and runs the manifest's commands the way the agent runs them
# (AZURE.md 5, 6 and 14.1; our own code). POSIX sh; needs jq, openssl (tenant, encrypt),
# unzip or busybox's, setsid.
#
#   fake-waagent.sh setup LIB NAME VERSION ZIP
#       unzip ZIP into LIB/NAME-VERSION, u+x on every file, HandlerManifest.json copied to
#       that base dir, config/ and status/ 0700, HandlerEnvironment.json (logFolder
#       LOGROOT/NAME, LOGROOT=$FAKE_WAAGENT_LOGROOT or /var/log/azure), config/HandlerState
#   fake-waagent.sh settings LIB NAME VERSION N FILE
#       config/N.settings as the agent writes it (Python's json.dumps: ", " and ": ",
#       non-ASCII as \uXXXX) from FILE, a JSON object with publicSettings,
#       protectedSettings and protectedSettingsCertThumbprint (a missing one is null); FILE
#       "-" or empty: the agent's empty 0-byte file (no settings)
#   fake-waagent.sh run LIB NAME VERSION OP [N]
#       OP's command from the manifest (jq), run with /bin/sh -c in the base dir, in a new
#       session, stdin /dev/null, stdout and stderr into temp files, HOME unset, the
#       agent's variables (ConfigSequenceNumber=N: default the newest settings file's,
#       "-" leaves it unset), the agent's timeout for OP (install, disable, update 900 s,
#       enable, uninstall 300 s; FAKE_WAAGENT_TIMEOUT overrides) with SIGKILL of the
#       process group; prints "rc=CODE" (124 on the timeout), "seconds=S.SSS" and the
#       output as the agent keeps it (the first 3200 characters of each stream, the pair
#       then cut to 3200), also appended to LOGROOT/NAME/CommandExecution.log; exits CODE.
#       For update the caller sets VERSION, AZURE_GUEST_AGENT_UPDATING_FROM_VERSION and
#       AZURE_GUEST_AGENT_DISABLE_CMD_EXIT_CODE; for install and enable
#       AZURE_GUEST_AGENT_UNINSTALL_CMD_EXIT_CODE is the caller's or NOT_RUN.
#   fake-waagent.sh upgrade LIB NAME OLDVER NEWVER ZIP
#       AZURE.md 5.4 in order: set up NEWVER with the current settings, OLDVER's disable,
#       mrseq and status/* copied, NEWVER's update, OLDVER's uninstall, OLDVER's directory
#       deleted, NEWVER's install (updateMode UpdateWithInstall or none), NEWVER's enable.
#       A failing disable or uninstall aborts unless the new manifest says
#       continueOnUpdateFailure; a failing update always does. Exits 0 or the failing code.
#   fake-waagent.sh uninstall LIB NAME VERSION
#       AZURE.md 5.5: disable (a failure stops there), uninstall (its code only printed),
#       the base dir deleted (the log folder stays).
#   fake-waagent.sh tenant LIB
#       a tenant certificate as the agent stores one: a self-signed RSA-2048 "/DC=..."
#       certificate and key through a PKCS#12 round trip (`openssl pkcs12 -nodes`), split
#       at each END line the agent's way (so both files keep the "Bag Attributes" and
#       "Key Attributes" lines before the PEM), named LIB/THUMBPRINT.crt and .prv (SHA-1,
#       upper-case hex); prints THUMBPRINT
#   fake-waagent.sh encrypt LIB THUMB JSONFILE [openssl cms cipher options]
#       prints base64 (one line) of the DER CMS EnvelopedData of JSONFILE for
#       LIB/THUMB.crt (`openssl cms -encrypt -binary -outform DER`, -des3 when no option)
set -u

LOGROOT=${FAKE_WAAGENT_LOGROOT:-/var/log/azure}

die() {
	echo "fake-waagent: $*" >&2
	exit 2
}

# jq: JSON text as Python's json.dumps writes it (ensure_ascii, ", " and ": ").
DUMPS='def h4: [(. / 4096 | floor) % 16, (. / 256 | floor) % 16, (. / 16 | floor) % 16, . % 16] |
	map("0123456789abcdef"[.:.+1]) | join("");
def a: explode | map(if . < 127 then [.] | implode elif . < 65536 then "\\u" + h4
	else (. - 65536) as $v | "\\u" + ((55296 + ($v / 1024 | floor)) | h4) + "\\u" + ((56320 + $v % 1024) | h4) end) |
	join("");
def d: if type == "object" then "{" + (to_entries | map((.key | tojson | a) + ": " + (.value | d)) | join(", ")) + "}"
	elif type == "array" then "[" + (map(d) | join(", ")) + "]" else tojson | a end;'

base_of() { echo "$1/$2-$3"; }

# The newest settings file's N (mtime, ties: the highest N), as the agent picks it; 0.
newest_seq() { # CONFIGDIR
	n=$(cd "$1" 2>/dev/null && ls -t -- *.settings 2>/dev/null | sed -n 's/^\([0-9][0-9]*\)\.settings$/\1/p' |
		head -n 1)
	echo "${n:-0}"
}

setup() { # LIB NAME VERSION ZIP
	[ $# -eq 4 ] || die "usage: setup LIB NAME VERSION ZIP"
	b=$(base_of "$1" "$2" "$3")
	[ -f "$4" ] || die "setup: no zip $4"
	[ -e "$b" ] && die "setup: $b exists"
	mkdir -p "$b" || die "setup: mkdir $b"
	if command -v unzip >/dev/null 2>&1; then
		unzip -q -o "$4" -d "$b" || die "setup: unzip $4"
	else
		busybox unzip -q -o "$4" -d "$b" || die "setup: busybox unzip $4"
	fi
	# The agent adds owner-execute to every file of the tree, then copies the first
	# HandlerManifest.json it finds to the base dir.
	find "$b" -type f -exec chmod u+x {} + || die "setup: chmod"
	m=$(find "$b" -name HandlerManifest.json -type f | sort | head -n 1)
	[ -n "$m" ] || die "setup: no HandlerManifest.json in $4"
	[ "$m" = "$b/HandlerManifest.json" ] || cp "$m" "$b/HandlerManifest.json"
	mkdir -p "$b/config" "$b/status" && chmod 700 "$b/config" "$b/status" || die "setup: config/ status/"
	log=$LOGROOT/$2
	mkdir -p "$log/events" && chmod 755 "$log" && chmod 700 "$log/events" || die "setup: $log"
	jq -nr --arg n "$2" --arg l "$log" --arg b "$b" "$DUMPS"'
		[{name: $n, version: 1.0, handlerEnvironment: {logFolder: $l, configFolder: ($b + "/config"),
		statusFolder: ($b + "/status"), heartbeatFile: ($b + "/heartbeat.log"), eventsFolder: ($l + "/events"),
		eventsFolder_preview: ($l + "/events")}}] | d | sub("\"version\": 1,"; "\"version\": 1.0,")' \
		>"$b/HandlerEnvironment.json" || die "setup: HandlerEnvironment.json"
	echo NotInstalled >"$b/config/HandlerState"
}

settings() { # LIB NAME VERSION N FILE
	[ $# -eq 5 ] || die "usage: settings LIB NAME VERSION N FILE"
	b=$(base_of "$1" "$2" "$3")
	[ -d "$b/config" ] || die "settings: no $b/config (setup first)"
	case $4 in '' | *[!0-9]*) die "settings: N must be a number" ;; esac
	out=$b/config/$4.settings
	if [ "$5" = - ] || [ ! -s "$5" ]; then
		: >"$out"
		return
	fi
	jq -r "$DUMPS"'{runtimeSettings: [{handlerSettings: {publicSettings: .publicSettings,
		protectedSettings: .protectedSettings,
		protectedSettingsCertThumbprint: .protectedSettingsCertThumbprint}}]} | d' "$5" >"$out.tmp" &&
		mv "$out.tmp" "$out" || die "settings: $5 is not a JSON object"
}

# The output as the agent keeps it (WALA's read_output and format_stdout_stderr): the first
# 3200 characters of each stream; when both together reach 3200, the end of each, the
# shorter one's unused share given to the other.
agent_output() { # OUTFILE ERRFILE
	head -c 3200 "$1" >"$1.h"
	head -c 3200 "$2" >"$2.h"
	so=$(wc -c <"$1.h") se=$(wc -c <"$2.h")
	each=$(((3200 - 26 + 6) / 2))	# WALA: (max - len(template) + 6) / 2
	if [ $((so + se)) -lt 3200 ]; then
		ko=$so ke=$se
	elif [ "$so" -lt $each ]; then
		ko=$so ke=$((each + each - so))
	elif [ "$se" -lt $each ]; then
		ke=$se ko=$((each + each - se))
	else
		ko=$each ke=$each
	fi
	[ "$ke" -gt "$se" ] && ke=$se
	[ "$ko" -gt "$so" ] && ko=$so
	printf '[stdout]\n%s\n\n[stderr]\n%s\n' "$(tail -c "$ko" "$1.h")" "$(tail -c "$ke" "$2.h")"
	rm -f "$1.h" "$2.h"
}

run() { # LIB NAME VERSION OP [N]
	[ $# -eq 4 ] || [ $# -eq 5 ] || die "usage: run LIB NAME VERSION OP [N]"
	b=$(base_of "$1" "$2" "$3")
	op=$4
	[ -f "$b/HandlerManifest.json" ] || die "run: no $b/HandlerManifest.json (setup first)"
	case $op in
	install | disable | update) limit=900 ;;
	enable | uninstall) limit=300 ;;
	*) die "run: OP is install, enable, disable, update or uninstall" ;;
	esac
	limit=${FAKE_WAAGENT_TIMEOUT:-$limit}
	seq=${5:-$(newest_seq "$b/config")}
	cmd=$(jq -r --arg k "${op}Command" '.[0].handlerManifest[$k] // empty' "$b/HandlerManifest.json")
	[ -n "$cmd" ] || die "run: the manifest has no ${op}Command"
	cmd=${cmd#/}	# the agent strips a leading slash
	o=$(mktemp "${TMPDIR:-/tmp}/fake-waagent-out.XXXXXX") && e=$(mktemp "${TMPDIR:-/tmp}/fake-waagent-err.XXXXXX") ||
		die "run: mktemp"
	t0=$(date +%s%N)
	# The agent's variables, then its own environment (here: the caller's, without HOME,
	# which a service has not).
	(
		cd "$b" || exit 127
		unset HOME
		export AZURE_GUEST_AGENT_EXTENSION_PATH="$b" AZURE_GUEST_AGENT_EXTENSION_VERSION="$3"
		export AZURE_GUEST_AGENT_WIRE_PROTOCOL_ADDRESS="${FAKE_WAAGENT_WIRE:-168.63.129.16}"
		if [ "$seq" = - ]; then unset ConfigSequenceNumber; else export ConfigSequenceNumber="$seq"; fi
		case $op in install | enable)
			export AZURE_GUEST_AGENT_UNINSTALL_CMD_EXIT_CODE="${AZURE_GUEST_AGENT_UNINSTALL_CMD_EXIT_CODE:-NOT_RUN}" ;;
		esac
		exec setsid /bin/sh -c "$b/$cmd" </dev/null >"$o" 2>"$e"
	) &
	pid=$!
	# Polled as the agent does (it looks once a second; here every 0.1 s, for speed).
	ticks=0 rc=
	while kill -0 "$pid" 2>/dev/null; do
		if [ -d "/proc/$pid" ] && grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
			break
		fi
		if [ $ticks -ge $((limit * 10)) ]; then
			kill -s KILL -- "-$pid" 2>/dev/null || kill -s KILL "$pid" 2>/dev/null
			rc=124
			break
		fi
		sleep 0.1
		ticks=$((ticks + 1))
	done
	if [ -z "$rc" ]; then
		wait "$pid"
		rc=$?
	else
		wait "$pid" 2>/dev/null
	fi
	ms=$((($(date +%s%N) - t0) / 1000000))
	{
		echo "rc=$rc"
		[ $rc -eq 124 ] && echo "timeout: $op killed (process group) after $limit s"
		printf 'seconds=%d.%03d\n' $((ms / 1000)) $((ms % 1000))
		agent_output "$o" "$e"
	} >"$o.msg"
	mkdir -p "$LOGROOT/$2" && {
		echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $2-$3 $op (ConfigSequenceNumber=$seq): $cmd"
		cat "$o.msg"
	} >>"$LOGROOT/$2/CommandExecution.log"
	cat "$o.msg"
	rm -f "$o" "$e" "$o.msg"
	# The agent's handler state (config/HandlerState), which handlers must ignore.
	if [ $rc -eq 0 ] && [ -d "$b/config" ]; then
		case $op in
		install) echo Installed >"$b/config/HandlerState" ;;
		enable) echo Enabled >"$b/config/HandlerState" ;;
		disable) echo Installed >"$b/config/HandlerState" ;;
		esac
	fi
	return $rc
}

step() { # TITLE LIB NAME VERSION OP [N]: run, with a title line
	t=$1
	shift
	echo "== $t"
	run "$@"
}

upgrade() { # LIB NAME OLDVER NEWVER ZIP
	[ $# -eq 5 ] || die "usage: upgrade LIB NAME OLDVER NEWVER ZIP"
	lib=$1 name=$2 old=$3 new=$4
	ob=$(base_of "$lib" "$name" "$old") nb=$(base_of "$lib" "$name" "$new")
	[ -d "$ob" ] || die "upgrade: no $ob"
	seq=$(newest_seq "$ob/config")
	# 1. The new version unpacked and initialised; the goal state's settings written
	# into its config dir.
	setup "$lib" "$name" "$new" "$5" || return $?
	[ -f "$ob/config/$seq.settings" ] && cp "$ob/config/$seq.settings" "$nb/config/$seq.settings"
	cont=$(jq -r '.[0].handlerManifest.continueOnUpdateFailure // false' "$nb/HandlerManifest.json")
	mode=$(jq -r '.[0].handlerManifest.updateMode // "UpdateWithInstall"' "$nb/HandlerManifest.json" |
		tr '[:upper:]' '[:lower:]')
	# 2. The old version's disable, when it is enabled.
	drc=NOT_RUN
	if [ "$(cat "$ob/config/HandlerState" 2>/dev/null)" = Enabled ]; then
		step "disable $old" "$lib" "$name" "$old" disable "$seq"
		drc=$?
		if [ $drc -ne 0 ] && [ "$cont" != true ]; then
			echo "upgrade aborted: the disable of $old failed ($drc)"
			return $drc
		fi
	fi
	# 3. mrseq and the statuses carried over.
	[ -f "$ob/mrseq" ] && cp "$ob/mrseq" "$nb/mrseq"
	for f in "$ob"/status/*; do
		[ -f "$f" ] && cp "$f" "$nb/status/"
	done
	# 4. The new version's update.
	VERSION=$new AZURE_GUEST_AGENT_UPDATING_FROM_VERSION=$old AZURE_GUEST_AGENT_DISABLE_CMD_EXIT_CODE=$drc \
		step "update $new (from $old)" "$lib" "$name" "$new" update "$seq"
	urc=$?
	if [ $urc -ne 0 ]; then
		echo "upgrade failed: the update of $new failed ($urc): FailedUpgrade"
		echo FailedUpgrade >"$nb/config/HandlerState"
		return $urc
	fi
	# 5. The old version's uninstall.
	step "uninstall $old" "$lib" "$name" "$old" uninstall "$seq"
	xrc=$?
	if [ $xrc -ne 0 ] && [ "$cont" != true ]; then
		echo "upgrade aborted: the uninstall of $old failed ($xrc)"
		return $xrc
	fi
	# 6. The old version's directory deleted.
	rm -rf "$ob"
	echo "== $ob deleted"
	# 7, 8. The new install (update with install), then enable.
	if [ "$mode" = updatewithinstall ]; then
		AZURE_GUEST_AGENT_UNINSTALL_CMD_EXIT_CODE=$xrc step "install $new" "$lib" "$name" "$new" install "$seq" ||
			return $?
	fi
	AZURE_GUEST_AGENT_UNINSTALL_CMD_EXIT_CODE=$xrc step "enable $new" "$lib" "$name" "$new" enable "$seq"
}

uninstall() { # LIB NAME VERSION
	[ $# -eq 3 ] || die "usage: uninstall LIB NAME VERSION"
	ub=$(base_of "$1" "$2" "$3")
	[ -d "$ub" ] || die "uninstall: no $ub"
	seq=$(newest_seq "$ub/config")
	if [ "$(cat "$ub/config/HandlerState" 2>/dev/null)" = Enabled ]; then
		step "disable $3" "$1" "$2" "$3" disable "$seq" || {
			rc=$?
			echo "uninstall stopped: the disable failed ($rc); retried at the next goal state"
			return $rc
		}
	fi
	step "uninstall $3" "$1" "$2" "$3" uninstall "$seq"
	echo "(the uninstall's code is only logged by the agent: $?)"
	rm -rf "$ub"
	echo "== $ub deleted"
}

tenant() { # LIB
	[ $# -eq 1 ] || die "usage: tenant LIB"
	mkdir -p "$1" && chmod 700 "$1" || die "tenant: mkdir $1"
	w=$(mktemp -d "${TMPDIR:-/tmp}/fake-waagent-tenant.XXXXXX") || die "tenant: mktemp"
	if ! openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/DC=Windows Azure CRP Certificate Generator" \
		-keyout "$w/k.pem" -out "$w/c.pem" >/dev/null 2>&1 ||
		! openssl pkcs12 -export -in "$w/c.pem" -inkey "$w/k.pem" -passout pass: \
			-CSP "Microsoft Enhanced Cryptographic Provider v1.0" -out "$w/p.pfx" 2>/dev/null ||
		! openssl pkcs12 -in "$w/p.pfx" -nodes -passin pass: -out "$w/all.pem" 2>/dev/null; then
		rm -rf "$w"
		die "tenant: openssl req/pkcs12 failed"
	fi
	# The agent's split: lines gathered until an END line, then written as one file.
	awk -v d="$w" '{ buf = buf $0 "\n" }
		/^-+END .*KEY-+$/ { printf "%s", buf > (d "/t.prv"); buf = "" }
		/^-+END CERTIFICATE-+$/ { printf "%s", buf > (d "/t.crt"); buf = "" }' "$w/all.pem"
	tp=$(openssl x509 -in "$w/t.crt" -noout -fingerprint -sha1 2>/dev/null | sed 's/.*=//; s/://g' |
		tr '[:lower:]' '[:upper:]')
	if [ ${#tp} -ne 40 ] || ! grep -q '^Bag Attributes' "$w/t.prv"; then
		rm -rf "$w"
		die "tenant: no certificate or key in the PKCS#12 output"
	fi
	(umask 077 && cp "$w/t.prv" "$1/$tp.prv" && cp "$w/t.crt" "$1/$tp.crt") || die "tenant: writing $1/$tp.*"
	rm -rf "$w"
	echo "$tp"
}

encrypt() { # LIB THUMB JSONFILE [cms options]
	[ $# -ge 3 ] || die "usage: encrypt LIB THUMB JSONFILE [openssl cms cipher options]"
	lib=$1 tp=$2 in=$3
	shift 3
	[ -f "$lib/$tp.crt" ] || die "encrypt: no $lib/$tp.crt"
	[ $# -gt 0 ] || set -- -des3
	openssl cms -encrypt -binary -outform DER -in "$in" -recip "$lib/$tp.crt" "$@" | base64 -w0 ||
		die "encrypt: openssl cms -encrypt $*"
	echo
}

[ $# -ge 1 ] || die "usage: fake-waagent.sh setup|settings|run|upgrade|uninstall|tenant|encrypt ..."
c=$1
shift
case $c in
setup | settings | run | upgrade | uninstall | tenant | encrypt) "$c" "$@" ;;
*) die "unknown command $c" ;;
esac
