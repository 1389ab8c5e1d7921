# Bad input on the command line: exit 2, one line naming the problem, nothing on stdout.
. "$(dirname "$0")/lib.sh"

# Password files for install --registry: empty, readable by the group, a symbolic link.
: >"$T_TMP/pw-empty" && printf 'pw\n' >"$T_TMP/pw" && cp "$T_TMP/pw" "$T_TMP/pw-0640" &&
	chmod 600 "$T_TMP/pw-empty" "$T_TMP/pw" && chmod 640 "$T_TMP/pw-0640" && ln -s pw "$T_TMP/pw-link"
R="install --registry r.example --username u"

# expected text in the error | arguments
TABLE="--registry needs a password|$R
--password-stdin serves one --registry only|$R --registry b.example --username v --password-stdin
--password-stdin serves one --registry only|$R --password-stdin --password-file $T_TMP/pw
give one --username for each --registry|install --registry r.example --password-stdin
go with --registry SERVER|install --username u --password-file $T_TMP/pw
is empty|$R --password-file $T_TMP/pw-empty
group or others have access to it|$R --password-file $T_TMP/pw-0640
is a symbolic link|$R --password-file $T_TMP/pw-link
No such file|$R --password-file $T_TMP/none
--registry r;x: not a registry name|install --registry r;x --username u --password-file $T_TMP/pw
--registry r.example:99999: not a registry name|install --registry r.example:99999 --username u --password-file $T_TMP/pw
--username u:x: printable ASCII without spaces or ':'|install --registry r.example --username u:x --password-file $T_TMP/pw
--registry https://r.example/: given twice|$R --password-file $T_TMP/pw --registry https://r.example/ --username v --password-file $T_TMP/pw
--rollback takes no --registry|$R --password-file $T_TMP/pw --rollback
--port must be a number from 1 to 65535, not '0'|install --port 0
--port must be a number from 1 to 65535, not '70000'|install --port 70000
--port must be a number from 1 to 65535, not '-1'|install --port=-1
--port must be a number from 1 to 65535, not '2376x'|install --port 2376x
--port must be a number from 1 to 65535, not '99999999999999999999999'|install --port 99999999999999999999999
--init must be one of auto|install --init upstart
--key-type must be one of ecdsa-p256|install --key-type dsa
--key-type must be one of ecdsa-p256|ca init --key-type ecdsa
--days must be a number from 1 to 36500, not '0'|ca init --days 0
--days must be a number from 1 to 36500, not '36501'|ca issue server --days 36501
option '--root' needs a value|install --root
option '--root' needs a non-empty value|install --root=
option '--root' given twice|install --root /a --root /b
option '--port' given twice|install --port 1 --port 2
option '--force' takes no value|install --force=yes
option '--output' needs a value|bundle -o
option '--tls-san' given too many times|install$(i=0; while [ $i -le 32 ]; do printf ' --tls-san n%d' $i; i=$((i+1)); done)
unexpected argument 'x'|install x
unexpected argument 'b'|extract a b
missing argument DIR|extract
missing argument FILE|ca show
unknown option '--cn'|ca issue server --cn x
unknown option '--san'|ca issue client --san x
unknown option '--tls-sans'|install --tls-sans x
unknown option '--'|install --=x
unknown command 'issue-server'|ca issue-server"

echo "$TABLE" | while IFS='|' read -r want args; do
	expect_usage "$args" $args
	grep -qF -- "$want" "$T_TMP/err" || notok "$args: error says '$want': $(cat "$T_TMP/err")"
done

# An empty password on stdin.
expect_usage "install --registry --password-stdin with nothing on stdin" $R --password-stdin </dev/null
grep -qF 'the password from stdin is empty' "$T_TMP/err" || notok "empty stdin: $(cat "$T_TMP/err")"

# Control characters in a bad value never break the one-line rule.
expect_usage "newline in an option value" install --init "$(printf 'a\nb')"
grep -qF 'a\x0ab' "$T_TMP/err" || notok "newline escaped: $(cat "$T_TMP/err")"
