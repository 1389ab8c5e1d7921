#!/bin/sh
# status-check.sh FILE: is FILE a status file the Azure agent takes (AZURE.md 7.1), in the
# shape the handler promises (7.2)? Prints "STATUS<TAB>CODE<TAB>MESSAGE" and exits 0, or one
# line saying what is wrong and exits 1. Needs jq.
#   the agent: under 128 KiB; a JSON array with an element; [0].status an object whose
#   status is transitioning, warning, error or success; code an integer; formattedMessage,
#   when there, with both lang and message (strings); substatus null or an array whose
#   elements have a valid status, and an integer code and a full formattedMessage when
#   they have one
#   the handler's shape: operation, code and formattedMessage present; version and an
#   RFC 3339 UTC timestampUTC (YYYY-MM-DDTHH:MM:SS[.fff]Z); message one line, under 1 KiB
set -u
f=${1:?usage: status-check.sh FILE}
[ -f "$f" ] || { echo "status-check: $f: no such file"; exit 1; }
size=$(wc -c <"$f")
[ "$size" -lt 131072 ] || { echo "status-check: $f: $size bytes, not under 128 KiB"; exit 1; }
why=$(jq -r '
	def int: type == "number" and . == floor;
	def fm: type == "object" and (.lang | type) == "string" and (.message | type) == "string";
	def st: type == "string" and (. == "transitioning" or . == "warning" or . == "error" or . == "success");
	if type != "array" then "not a JSON array"
	elif length == 0 then "an empty array (the agent reports no status at all)"
	elif (.[0] | type) != "object" then "[0] is not an object"
	elif (.[0].status | type) != "object" then "[0].status is not an object"
	elif (.[0].status.status | st | not) then "[0].status.status is \(.[0].status.status | tojson), not transitioning, warning, error or success"
	elif (.[0].status | has("code") and (.code | int | not)) then "[0].status.code is not an integer"
	elif (.[0].status | has("formattedMessage") and (.formattedMessage | fm | not)) then "[0].status.formattedMessage lacks lang or message (the agent calls the status malformed)"
	elif (.[0].status.substatus | . == null or (type == "array" and all(.[]; type == "object" and (.status | st) and
		((has("code") | not) or (.code | int)) and ((has("formattedMessage") | not) or (.formattedMessage | fm))))) | not
		then "[0].status.substatus is not null or an array of valid elements"
	elif (.[0].status.operation | type) != "string" then "no [0].status.operation"
	elif (.[0].status | has("code") and has("formattedMessage") | not) then "no [0].status.code or formattedMessage"
	elif (.[0] | has("version") | not) then "no [0].version"
	elif (.[0].timestampUTC | type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?Z$") | not)
		then "[0].timestampUTC is not YYYY-MM-DDTHH:MM:SSZ"
	elif (.[0].status.formattedMessage.message | test("\n") or length >= 1024) then "the message is not one line under 1 KiB"
	else "" end' "$f" 2>&1) || { echo "status-check: $f: not JSON: $(echo "$why" | head -n 1)"; exit 1; }
[ -z "$why" ] || { echo "status-check: $f: $why"; exit 1; }
jq -r '.[0].status | "\(.status)\t\(.code)\t\(.formattedMessage.message)"' "$f"
