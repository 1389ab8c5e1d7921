# The man page and the completion scripts, made by the stub from the tables --help prints
# (dockdrop man, dockdrop completion bash|zsh): what the tests expect is read from --help
# itself, every command and every option it lists. The page passes mandoc's and groff's
# checks and man renders it; bash completes in real bash (and through bash-completion's own
# loader), zsh in real zsh (compinit, and a real Tab on a terminal); install --with-docs
# writes exactly those three files where man, bash-completion and zsh look, records them (a
# re-run changes nothing, uninstall removes them), and without it writes none.
. "$(dirname "$0")/lib.sh"
T=$T_TMP
export LC_ALL=C.UTF-8 MANWIDTH=200

# need TOOL PACKAGE: 0 when TOOL is there, else one skip line.
need() { command -v "$1" >/dev/null || { skip "$1 is not installed (Debian package $2)"; return 1; }; }

# Every command --help lists, depth first: "PATH|group" or "PATH|leaf" (root is "|group").
walk_help() {
	$DD_EMU "$DOCKDROP" $1 --help >"$T/h" 2>&1 || { echo "$1|broken"; return; }
	if grep -q '^Commands:' "$T/h"; then
		echo "$1|group"
		for _s in $(awk '/^Commands:/ { c = 1; next } /^$/ { c = 0 } c && /^  [a-z]/ { print $1 }' "$T/h"); do
			walk_help "${1:+$1 }$_s"
		done
	else
		echo "$1|leaf"
	fi
}
# The long options PATH --help lists (its own, then every command's).
help_opts() {
	$DD_EMU "$DOCKDROP" $1 --help | awk '/^Options:/ { o = 1; next } o && /^  / {
		for (i = 1; i <= 2; i++) if ($i ~ /^--/) { print $i; break } }'
}
# The subcommands group PATH --help lists.
help_subs() {
	$DD_EMU "$DOCKDROP" $1 --help | awk '/^Commands:/ { c = 1; next } /^$/ { c = 0 } c && /^  [a-z]/ { print $1 }'
}
walk_help "" >"$T/paths"
common=$(help_opts "" | tr '\n' ' ')
check "--help lists the commands, man and completion among them ($(wc -l <"$T/paths") in all)" sh -c \
	"! grep -q '|broken' '$T/paths' && grep -q '^man|leaf' '$T/paths' && grep -q '^completion|leaf' '$T/paths' &&
	 grep -q '^ca issue server|leaf' '$T/paths'"
check "root --help lists only the options every command takes (${common})" test "$common" = "--help --verbose --quiet "
missing=
while IFS='|' read -r path _; do
	$DD_EMU "$DOCKDROP" $path --help >"$T/h" 2>&1 </dev/null
	for o in '-h, --help' '-v, --verbose' '-q, --quiet'; do
		grep -q -- "^  $o " "$T/h" || missing="$missing '${path:-dockdrop}' ${o%%,*}"
	done
done <"$T/paths"
check "--help lists -h, -v, -q for every command ($(wc -l <"$T/paths") in all)${missing:+, missing:$missing}" test -z "$missing"

# --- the man page ---------------------------------------------------------------------
run "$DOCKDROP" man
cp "$T/out" "$T/dockdrop.1"
check "dockdrop man: exit 0, a man(7) page" sh -c "[ $rc -eq 0 ] && [ ! -s '$T/err' ] && head -1 '$T/dockdrop.1' | grep -q '^\\.TH DOCKDROP 1 [0-9-]* \"dockdrop '"
if [ -f "${BUILD:-build}/doc/dockdrop.1" ]; then
	check "make's ${BUILD:-build}/doc/dockdrop.1 is the page dockdrop man prints" cmp -s "${BUILD:-build}/doc/dockdrop.1" "$T/dockdrop.1"
else
	skip "${BUILD:-build}/doc/dockdrop.1: not made (make builds it)"
fi
# Making the documents runs each command's own run with no arguments (util/cli.h,
# dd_cli_doc), whose dd_cli_parse hands over its table: a command that did anything before
# parsing would do it here. No file opened, no program started, no socket made.
if [ -n "${DD_EMU:-}" ]; then
	skip "the documents made with no system call but the output: qemu-user: strace would trace the emulator"
elif need strace strace; then
	for w in man "completion bash" "completion zsh"; do
		strace -f -qq -e trace=%file,%process,%network -o "$T/st" "$DOCKDROP" $w >/dev/null 2>&1
		calls=$(grep -v -e '^[0-9]* *execve(' -e '^[0-9]* *exit_group(' "$T/st" | head -3 | tr '\n' '|')
		check "dockdrop $w: no command acts while the text is made (no file, process or socket call${calls:+: $calls})" \
			sh -c "[ -s '$T/st' ] && [ -z '$calls' ]"
	done
fi
if need mandoc mandoc; then
	run mandoc -T lint -W warning "$T/dockdrop.1"
	check "mandoc -T lint -W warning: nothing to say ($(head -c 300 "$T/out" | tr '\n' '|'))" sh -c "[ $rc -eq 0 ] && [ ! -s '$T/out' ]"
fi
if need groff groff-base; then
	run groff -man -ww -z "$T/dockdrop.1"
	check "groff -man -ww -z: no warning ($(head -c 300 "$T/err" | tr '\n' '|'))" sh -c "[ $rc -eq 0 ] && [ ! -s '$T/err' ]"
fi
if need man man-db; then
	run man -l "$T/dockdrop.1"
	cp "$T/out" "$T/man.txt"
	check "man -l renders it: NAME, SYNOPSIS, DESCRIPTION, COMMANDS, OPTIONS, EXIT STATUS, FILES, SEE ALSO" sh -c \
		"[ $rc -eq 0 ] && for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS 'EXIT STATUS' FILES 'SEE ALSO'; do
		   grep -qx \"\$s\" '$T/man.txt' || exit 1; done"
	# A command's part of the page: from its heading to the next one.
	man_part() { awk -v h="   dockdrop $1 [options]" 'index($0, h) == 1 { p = 1; next }
		p && (/^   dockdrop / || /^[A-Z]/) { exit } p' "$T/man.txt"; }
	# An option as a tag: "--name", "--name ARG" or "-x, --name ARG" at the start of a line.
	has_tag() { grep -qE -- "^ +(-[a-z], )?$1( |\$)" "$2"; }
	while IFS='|' read -r path kind; do
		[ "$kind" = leaf ] || continue
		man_part "$path" >"$T/part"
		missing=
		for o in $(help_opts "$path"); do
			case " $common" in *" $o "*) continue ;; esac
			has_tag "$o" "$T/part" || missing="$missing $o"
		done
		check "the page has 'dockdrop $path' with every option its --help lists${missing:+ (missing:$missing)}" sh -c \
			"[ -s '$T/part' ] && [ -z '$missing' ]"
	done <"$T/paths"
	awk '/^OPTIONS$/ { p = 1; next } /^[A-Z]/ { p = 0 } p' "$T/man.txt" >"$T/part"
	missing=
	for o in $common; do has_tag "$o" "$T/part" || missing="$missing $o"; done
	check "OPTIONS has the options every command takes${missing:+ (missing:$missing)}" test -z "$missing"
	# The prose is said once: root --help's summary and exit codes are the page's.
	$DD_EMU "$DOCKDROP" --help >"$T/root.txt"
	tr -s ' \n' '  ' <"$T/man.txt" >"$T/man.flat"
	desc=$(sed -n '5,/^$/p' "$T/root.txt" | tr -s ' \n' '  ' | sed 's/ *$//')
	exits=$(sed -n 's/^Exit codes: //p' "$T/root.txt")
	check "DESCRIPTION is root --help's paragraph ($desc)" sh -c "[ -n \"\$1\" ] && grep -qF -- \"\$1\" '$T/man.flat'" x "$desc"
	check "EXIT STATUS is root --help's exit codes ($exits)" sh -c "[ -n \"\$1\" ] && grep -qF -- \"\$1\" '$T/man.flat'" x "$exits"
	# groff 1.23 renders a plain '-' as a hyphen (U+2010), which no shell takes for an
	# option's; Debian 12's 1.22 as '-': made to render as 1.23 would, the page's options
	# must still be ASCII.
	sed '1a .char - \\[hy]' "$T/dockdrop.1" | groff -man -Tutf8 -P-c >"$T/hy.txt" 2>&1
	check "options render in ASCII hyphen-minus, also where '-' is a hyphen (copied, they work)" sh -c \
		"grep -q -- '--tls-san' '$T/hy.txt' && ! grep -q \"\$(printf '\\342\\200\\220')\" '$T/hy.txt'"
fi

# --- completion: the cases, from --help -------------------------------------------------
# "WORDS|CURRENT|WANTED": with WORDS typed and CURRENT being completed, every WANTED word
# is offered. A group offers its subcommands, a leaf after "-" its options.
while IFS='|' read -r path kind; do
	if [ "$kind" = group ]; then
		echo "dockdrop $path||$(help_subs "$path" | tr '\n' ' ')"
	else
		echo "dockdrop $path|--|$(help_opts "$path" | tr '\n' ' ')"
	fi
done <"$T/paths" >"$T/cases"
# An option's choices; an option's value is no command (the walk skips it); short ones too.
cat >>"$T/cases" <<'EOF'
dockdrop install --init|s|systemd sysv
dockdrop ca init --key-type||ecdsa-p256 ecdsa-p384 rsa2048 rsa3072 rsa4096
dockdrop install --root ca|--no|--no-tcp
dockdrop client-bundle -o ca|--na|--name
dockdrop -v|ce|certs
dockdrop completion||bash zsh
EOF
ncases=$(wc -l <"$T/cases")

if need bash bash; then
	run "$DOCKDROP" completion bash
	cp "$T/out" "$T/dockdrop.bash"
	check "dockdrop completion bash: exit 0, bash -n reads it" sh -c "[ $rc -eq 0 ] && bash -n '$T/dockdrop.bash'"
	cat >"$T/drive.bash" <<'EOF'
. "$1" || exit 1
[[ $(complete -p dockdrop) == *"-F _dockdrop"* ]] || { echo "not ok - bash: complete -F _dockdrop dockdrop"; exit 1; }
while IFS='|' read -r words cur want; do
	read -ra COMP_WORDS <<<"$words"
	COMP_WORDS+=("$cur")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_dockdrop
	missing=
	for w in $want; do [[ " ${COMPREPLY[*]} " == *" $w "* ]] || missing+=" $w"; done
	# offered words all match what is typed
	bad=
	for w in "${COMPREPLY[@]}"; do [[ $w == "$cur"* ]] || bad+=" $w"; done
	if [[ -z $missing$bad && ${#COMPREPLY[@]} -gt 0 ]]; then echo "ok - bash: '$words $cur<Tab>' offers $want"
	else echo "not ok - bash: '$words $cur<Tab>': missing:$missing, unwanted:$bad (got ${COMPREPLY[*]})"; fi
done <"$2"
EOF
	bash --norc --noprofile "$T/drive.bash" "$T/dockdrop.bash" "$T/cases" >"$T/bash.out" 2>&1
	cat "$T/bash.out"
	check "bash: all $ncases cases ran" test "$(grep -c '^ok - bash: .*<Tab>' "$T/bash.out")" = "$ncases"
fi

if need zsh zsh; then
	mkdir -p "$T/zfp"
	run "$DOCKDROP" completion zsh
	cp "$T/out" "$T/zfp/_dockdrop"
	check "dockdrop completion zsh: exit 0, #compdef dockdrop" sh -c "[ $rc -eq 0 ] && head -1 '$T/zfp/_dockdrop' | grep -qx '#compdef dockdrop'"
	cat >"$T/drive.zsh" <<'EOF'
fpath=($1 $fpath)
autoload -Uz compinit && compinit -u -d $2/zcompdump
[[ $_comps[dockdrop] == _dockdrop ]] || { print "not ok - zsh: compinit does not map dockdrop to _dockdrop"; exit 1 }
# compadd and _files as the completion system's would see them: what is offered
compadd() { [[ $1 == -- ]] && shift; got+=("$@"); (( $# )) }
_files() { got+=(FILES) }
while IFS='|' read -r line cur want; do
	words=(${(s: :)line} "$cur"); CURRENT=$#words; got=()
	_dockdrop
	missing=()
	for w in ${(s: :)want}; do (( ${got[(Ie)$w]} )) || missing+=($w); done
	if (( ! $#missing )); then print -r "ok - zsh: '$line $cur<Tab>' offers $want"
	else print -r "not ok - zsh: '$line $cur<Tab>': missing: $missing (got $got)"; fi
done <$3
EOF
	zsh -f "$T/drive.zsh" "$T/zfp" "$T" "$T/cases" >"$T/zsh.out" 2>&1
	cat "$T/zsh.out"
	check "zsh: all $ncases cases ran" test "$(grep -c '^ok - zsh: .*<Tab>' "$T/zsh.out")" = "$ncases"
	# A real Tab on a terminal (zsh/zpty): the line is completed, then run.
	cat >"$T/tab.zsh" <<'EOF'
zmodload zsh/zpty || exit 2
zpty -b z zsh -f -i
zpty -w z "PS1='> '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -d $2/zcd2; dockdrop() { print RAN \"\$*\" }"
zpty -w -n z $'dockdrop install --no-t\t'
sleep 1
zpty -w -n z $'\r'
out=
for i in {1..50}; do
	zpty -r -t z line && out+=$line
	[[ $out == *'RAN install --no-tcp'* ]] && break
	sleep 0.1
done
zpty -d z
[[ $out == *'RAN install --no-tcp'* ]]
EOF
	run timeout 30 zsh -f "$T/tab.zsh" "$T/zfp" "$T"
	check "zsh on a terminal: 'dockdrop install --no-t<Tab>' becomes --no-tcp" test $rc -eq 0
fi

# --- install --with-docs -----------------------------------------------------------------
small_dockdrops 1
DD=$T/dd1
MAN=usr/local/share/man/man1/dockdrop.1
BASHC=usr/local/share/bash-completion/completions/dockdrop
ZSHC=usr/local/share/zsh/site-functions/_dockdrop
R=$T/root
image_root "$R"
# names DIR: the names in DIR, for what a run added or took away (its record changes, so
# exact_tree would differ anyway).
names() { (cd "$1" && find . | LC_ALL=C sort); }

run "$DD" install -q --root "$R"
check "install without --with-docs: exit 0, writes no man page and no completion" sh -c "[ $rc -eq 0 ] && ! [ -e '$R/usr/local/share' ]"
names "$R" >"$T/plain"
exact_tree "$R" >"$T/d1"
run "$DD" install --root "$R" --with-docs --dry-run
exact_tree "$R" >"$T/d2"
check "install --with-docs --dry-run: the plan names them, nothing is written (exact_tree)" sh -c \
	"[ $rc -eq 0 ] && grep -q '/$MAN' '$T/out' && grep -q '/$BASHC' '$T/out' && grep -q '/$ZSHC' '$T/out' && cmp -s '$T/d1' '$T/d2'"
run "$DD" install -q --root "$R" --with-docs
names "$R" >"$T/docs"
check "install --with-docs: exit 0" test $rc -eq 0
check "it adds exactly the three files and the directories they need" sh -c \
	"[ \"\$(comm -13 '$T/plain' '$T/docs' | grep -v '^./usr/local/share\$' |
	   grep -vxE './usr/local/share/(man|man/man1|bash-completion|bash-completion/completions|zsh|zsh/site-functions)' | tr '\n' ' ')\" = \
	   './$BASHC ./$MAN ./$ZSHC ' ] && [ -z \"\$(comm -23 '$T/plain' '$T/docs')\" ]"
$DD_EMU "$DD" man >"$T/m1" && $DD_EMU "$DD" completion bash >"$T/b1" && $DD_EMU "$DD" completion zsh >"$T/z1"
check "they are what dockdrop man and completion bash|zsh print, mode 0644" sh -c \
	"cmp -s '$T/m1' '$R/$MAN' && cmp -s '$T/b1' '$R/$BASHC' && cmp -s '$T/z1' '$R/$ZSHC' &&
	 [ \"\$(stat -c %a '$R/$MAN' '$R/$BASHC' '$R/$ZSHC' | sort -u)\" = 644 ]"
check "the record lists them with their digests" sh -c "
	for f in $MAN $BASHC $ZSHC; do
		grep -qx \"file /\$f 0644 \$(sha256sum <'$R'/\$f | cut -c1-64)\" '$R/var/lib/dockdrop/state' || exit 1
	done"
exact_tree "$R" >"$T/t1"
run "$DD" install --root "$R" --with-docs
exact_tree "$R" >"$T/t2"
check "a re-run with --with-docs changes nothing at all" sh -c "[ $rc -eq 0 ] && cmp -s '$T/t1' '$T/t2'"
if need bash bash && [ -f /usr/share/bash-completion/bash_completion ]; then
	run env XDG_DATA_DIRS="$R/usr/local/share" bash --norc --noprofile -c \
		". /usr/share/bash-completion/bash_completion; __load_completion dockdrop; complete -p dockdrop"
	check "bash-completion's own loader finds the installed file (XDG_DATA_DIRS' place)" sh -c \
		"[ $rc -eq 0 ] && grep -q -- '-F _dockdrop dockdrop' '$T/out'"
else
	skip "bash-completion's loader: /usr/share/bash-completion/bash_completion is not there (package bash-completion)"
fi
if need zsh zsh; then
	run zsh -fc "fpath=('$R/usr/local/share/zsh/site-functions' \$fpath); autoload -Uz compinit; compinit -u -d '$T/zcd3'; print -r -- \$_comps[dockdrop]"
	check "zsh's compinit finds the installed file in site-functions" sh -c "[ $rc -eq 0 ] && [ \"\$(cat '$T/out')\" = _dockdrop ]"
	check "site-functions is in zsh's own fpath" sh -c "zsh -fc 'print -l \$fpath' | grep -qx /usr/local/share/zsh/site-functions"
fi
if need man man-db; then
	run env MANPATH="$R/usr/local/share/man" man dockdrop
	check "man finds the installed page (MANPATH's place)" sh -c "[ $rc -eq 0 ] && grep -q 'dockdrop install' '$T/out'"
fi
run "$DD" install -q --root "$R"
check "a re-run without --with-docs takes them away again, and off the record" sh -c \
	"[ $rc -eq 0 ] && ! [ -e '$R/$MAN' ] && ! [ -e '$R/$BASHC' ] && ! [ -e '$R/$ZSHC' ] &&
	 ! grep -q '^file /usr/local/share' '$R/var/lib/dockdrop/state'"
run "$DD" install -q --root "$R" --with-docs
run "$DD" uninstall --root "$R"
check "uninstall removes them and the directories made for them" sh -c "[ $rc -eq 0 ] && ! [ -e '$R/usr/local/share' ]"

# A file of the user's where the page goes: refused, as any other (exit 2, nothing changed).
R2=$T/root2
image_root "$R2"
mkdir -p "$R2/usr/local/share/man/man1" && echo mine >"$R2/$MAN"
exact_tree "$R2" >"$T/r2"
run "$DD" install --root "$R2" --with-docs
exact_tree "$R2" >"$T/r2b"
check "install --with-docs over the user's own dockdrop.1: exit 2, nothing written" sh -c \
	"[ $rc -eq 2 ] && grep -q '$MAN exists and is not dockdrop' '$T/err' && cmp -s '$T/r2' '$T/r2b' && [ \"\$(cat '$R2/$MAN')\" = mine ]"
expect_err "install --rollback takes no --with-docs (exit 2)" 2 "--rollback takes no settings" "$DD" install --root "$R2" --rollback --with-docs
