# azure-handler's protocol errors, where nothing is installed (the lifecycle against a real
# dockerd is tests/e2e/test_azure.sh): no or a malformed HandlerEnvironment.json is exit 2
# with one line; an unknown operation too; settings that are wrong or do not decrypt end
# enable with an "error" status the agent takes (a JSON array, the reason in its message)
# and the exit code, before anything is installed; disable writes its status.
. "$(dirname "$0")/lib.sh"
T=$T_TMP
command -v jq >/dev/null || { skip "azure-handler: jq is not installed"; exit 0; }
B=$T/lib/Example.DockDrop-1.0.0
mkdir -p "$B/bin" "$B/config" "$B/status" && cp "$DOCKDROP" "$B/bin/dockdrop" || { notok "handler folder"; exit 1; }
henv() { printf '%s' "$1" >"$B/HandlerEnvironment.json"; }
good="[{\"name\": \"Example.DockDrop\", \"version\": 1.0, \"handlerEnvironment\": {\"logFolder\": \"$T/log\", \"configFolder\": \"$B/config\", \"statusFolder\": \"$B/status\", \"heartbeatFile\": \"$B/heartbeat.log\"}}]"
handler() { # N OP: the agent's way: in the folder, with ConfigSequenceNumber
	(cd "$B" && ConfigSequenceNumber=$1 AZURE_GUEST_AGENT_EXTENSION_PATH=$B $DD_EMU bin/dockdrop azure-handler "$2") \
		>"$T_TMP/out" 2>"$T_TMP/err" </dev/null
	rc=$?
}

expect_err "no HandlerEnvironment.json: exit 2" 2 "no HandlerEnvironment.json" "$B/bin/dockdrop" azure-handler enable
for bad in 'not json' '[]' "[$good, $good]" '[{"name": "x", "version": 1}]' \
	'[{"name": "x", "handlerEnvironment": {"logFolder": "log", "configFolder": "/c", "statusFolder": "/s"}}]'; do
	henv "$bad"
	handler 0 enable
	[ $rc -eq 2 ] && [ "$(lines "$T_TMP/err")" = 1 ] && grep -q 'HandlerEnvironment.json: ' "$T_TMP/err" &&
		ok "HandlerEnvironment.json $(printf '%s' "$bad" | cut -c1-40): exit 2, one line" ||
		notok "HandlerEnvironment.json $(printf '%s' "$bad" | cut -c1-40): exit $rc: $(cat "$T_TMP/err")"
done
[ -z "$(ls -A "$B/status")" ] && ok "no status file without a HandlerEnvironment" || notok "a status file was written"
henv "$good"
expect_err "an unknown operation: exit 2" 2 "not install, enable, disable, update or uninstall" "$B/bin/dockdrop" azure-handler frobnicate

# status N WANT TEXT: status/N.status as the agent takes it
status() {
	f=$B/status/$1.status
	if jq -e --arg w "$2" 'type == "array" and (.[0].status.status == $w) and (.[0].status.code | type == "number") and
		(.[0].status.formattedMessage | has("lang") and has("message"))' "$f" >/dev/null 2>&1 &&
		jq -r '.[0].status.formattedMessage.message' "$f" | grep -qF -- "$3"; then
		ok "status/$1.status: $2, $(jq -r '.[0].status.formattedMessage.message' "$f" | cut -c1-120)"
	else
		notok "status/$1.status: want $2 with '$3': $(head -c 300 "$f" 2>&1)"
	fi
}
printf '{"runtimeSettings": [{"handlerSettings": {"publicSettings": {"docker": {"port": "abc"}}}}]}' >"$B/config/1.settings"
handler 1 enable
[ $rc -eq 2 ] && head -n 1 "$T_TMP/err" | grep -q 'azure-handler enable 1: install: settings: docker.port: not a port number' &&
	ok "enable with a bad docker.port: exit 2, the reason first" || notok "enable with a bad port: exit $rc: $(cat "$T_TMP/err")"
status 1 error "Enable failed: install: settings: docker.port: not a port number"
[ "$(cat "$B/mrseq" 2>&1)" = 1 ] && ok "mrseq is 1" || notok "mrseq: $(cat "$B/mrseq" 2>&1)"
printf '{"runtimeSettings": [{"handlerSettings": {"publicSettings": {}, "protectedSettings": "MIIBAA==", "protectedSettingsCertThumbprint": "0123456789ABCDEF0123456789ABCDEF01234567"}}]}' \
	>"$B/config/2.settings"
handler 2 enable
[ $rc -eq 3 ] && ok "enable with protected settings for a certificate that is not there: exit 3" ||
	notok "enable, missing tenant certificate: exit $rc: $(cat "$T_TMP/err")"
status 2 error "protected settings: no certificate $T/lib/Example.DockDrop-1.0.0/config/../../0123456789ABCDEF0123456789ABCDEF01234567.crt"
handler 3 enable
[ $rc -eq 2 ] && grep -q '3.settings: No such file' "$T_TMP/err" && ok "enable without N.settings: exit 2" ||
	notok "enable without its settings file: exit $rc: $(cat "$T_TMP/err")"
status 3 error "No such file"
handler 3 disable
[ $rc -eq 0 ] && ok "disable: exit 0" || notok "disable: exit $rc: $(cat "$T_TMP/err")"
status 3 success "Disable succeeded: Docker left running"
L=$T/log/dockdrop-handler.log
[ "$(stat -c %a "$L" 2>&1)" = 600 ] && grep -q 'enable 1: Enable failed' "$L" && ok "the handler's log (0600) has every run" ||
	notok "the handler's log: $(stat -c %a "$L" 2>&1) $(tail -n 3 "$L" 2>&1 | tr '\n' '|')"
