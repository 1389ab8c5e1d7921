# install --registry into image trees (--root, a small engine): what root's config.json
# already holds decides. A credential helper for the server (credsStore, credHelpers), a
# broken file, or someone else's credentials for it: exit 2 and the tree unchanged;
# --force replaces the last. A login identical to one already there is left the user's
# (uninstall keeps it); dockdrop's own go, the user's keys stay. The registry is 127.0.0.1:1,
# which refuses at once: "not checked" (test_registry.sh checks against a real registry).
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$T_TMP

small_dockdrops 1
DD=$T_TMP/dd1
printf 'dd-Secret-9x\n' >"$T/pw" && chmod 600 "$T/pw"
AUTH=$(printf 'u:dd-Secret-9x' | base64)	# as docker login writes it
LOGIN="--registry 127.0.0.1:1 --username u --password-file $T/pw"

# A tree with root's config.json holding $1 (none when empty).
mkroot() {
	R=$T/r$((n = ${n:-0} + 1))
	mkdir -p "$R/etc" "$R/root/.docker" && chmod 700 "$R/root" "$R/root/.docker"
	printf 'root:x:0:\n' >"$R/etc/group" && printf 'root:*::\n' >"$R/etc/gshadow"
	[ -z "$1" ] || { printf '%s\n' "$1" >"$R/root/.docker/config.json" && chmod 600 "$R/root/.docker/config.json"; }
}
tree() { (cd "$R" && find . -printf '%p %y %m %s %l\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum); }
install() { run "$DD" install --root "$R" --init none "$@"; grep -v '^dockdrop: warning: ' "$T_TMP/err" >"$T/errs"; }
cfg() { tr -d ' \n' <"$R/root/.docker/config.json"; }

# --- refused: exit 2, one line, the tree as it was -----------------------------------------
while IFS='|' read -r want file; do
	mkroot "$file"
	tree >"$T/before"
	# shellcheck disable=SC2086
	install $LOGIN
	tree >"$T/after"
	if [ $rc -eq 2 ] && [ "$(lines "$T/errs")" = 1 ] && grep -qF -- "$want" "$T/errs" && cmp -s "$T/before" "$T/after"; then
		ok "config.json $file: exit 2, nothing changed"
	else
		notok "config.json $file: exit $rc: $(head -c 300 "$T/errs" | tr '\n' '|') $(diff "$T/before" "$T/after" | head -n 3 | tr '\n' '|')"
	fi
done <<EOF
names the credential helper "desktop" for 127.0.0.1:1|{"credsStore":"desktop"}
names the credential helper "pass" for 127.0.0.1:1|{"auths":{},"credHelpers":{"127.0.0.1:1":"pass"}}
holds other credentials for 127.0.0.1:1 of user v|{"auths":{"127.0.0.1:1":{"auth":"djp4"}}}
holds other credentials for 127.0.0.1:1|{"auths":{"127.0.0.1:1":{"identitytoken":"x"}}}
"auths" is not an object: fix or remove it|{"auths":[]}
not a JSON object: fix or remove it|[1]
EOF

# --- --force replaces someone else's; uninstall then removes it ----------------------------
mkroot '{"auths":{"127.0.0.1:1":{"auth":"djp4"},"o.example":{"auth":"eDp5"}},"k":1}'
# shellcheck disable=SC2086
install $LOGIN --force
[ $rc -eq 0 ] && grep -q 'credentials for 127.0.0.1:1 are replaced (--force)' "$T_TMP/err" &&
	[ "$(cfg)" = '{"auths":{"o.example":{"auth":"eDp5"},"127.0.0.1:1":{"auth":"'"$AUTH"'"}},"k":1}' ] &&
	grep -q 'credentials of u not checked' "$T_TMP/out" &&
	ok "--force replaces another login for the server, not checked (refused), the rest kept" ||
	notok "--force: exit $rc, $(cfg) $(head -c 300 "$T/errs")"
grep -qx 'auth 127.0.0.1:1 u' "$R/var/lib/dockdrop/state" && ! grep -qF -e dd-Secret-9x -e "$AUTH" "$R/var/lib/dockdrop/state" &&
	ok "the record names server and user, not the password" || notok "record: $(grep auth "$R/var/lib/dockdrop/state")"
run "$DD" uninstall --root "$R"
[ $rc -eq 0 ] && [ "$(cfg)" = '{"auths":{"o.example":{"auth":"eDp5"}},"k":1}' ] &&
	ok "uninstall takes dockdrop's login out, the rest stays" || notok "uninstall: exit $rc, $(cfg)"

# --- the same login already there is the user's: written by nobody, kept by uninstall ------
mkroot '{"auths":{"127.0.0.1:1":{"auth":"'"$AUTH"'"}}}'
tree >"$T/before"
# shellcheck disable=SC2086
install $LOGIN
grep -q '^auth ' "$R/var/lib/dockdrop/state" && notok "a login that was there is on dockdrop's record" ||
	ok "a login already there is not put on record"
run "$DD" uninstall --root "$R" --purge
tree >"$T/after"
cmp -s "$T/before" "$T/after" && ok "uninstall --purge leaves the user's identical login (the tree as before)" ||
	notok "after uninstall --purge: $(diff "$T/before" "$T/after" | head -n 4 | tr '\n' '|')"

# --- a user who changed dockdrop's login keeps it ------------------------------------------
mkroot ''
# shellcheck disable=SC2086
install $LOGIN
printf '{"auths":{"127.0.0.1:1":{"auth":"djp4"}}}\n' >"$R/root/.docker/config.json"
run "$DD" uninstall --root "$R"
[ "$(cfg)" = '{"auths":{"127.0.0.1:1":{"auth":"djp4"}}}' ] && grep -q 'no longer the one dockdrop added: kept' "$T_TMP/err" &&
	ok "uninstall keeps a login the user changed since (another user), with a warning" ||
	notok "uninstall after the user's change: $(cfg) $(head -c 200 "$T_TMP/err")"
