/* dockdrop man, dockdrop completion bash|zsh: the manual page and the completion scripts,
 * made from the very tables --help prints (dd_cli_doc, util/cli.h): an option added to a
 * table is in --help, the page and both scripts at once. The prose around the tables is
 * said once: root's summary (the page's NAME and DESCRIPTION, and root --help), the exit
 * codes (util/cli.c: EXIT STATUS and root --help), and the page's FILES and SEE ALSO below.
 * install --with-docs writes the same texts (dd_doc_text). */
#include <stdio.h>
#include <string.h>

#include "buildinfo.h"
#include "cmd/cmd.h"
#include "host/paths.h"
#include "util/log.h"
#include "util/utc.h"

/* Before the tables: the page's head, or the scripts' (a line saying what made them,
 * then the start of their function); after them, the page's last sections, or the
 * function's end. The function is the same in both shells: it walks the words typed so
 * far through the case arms (a subcommand goes deeper, an option's value is skipped), then
 * offers the command's subcommands and choices, its options after a '-', or an option's
 * choices; a file name when none fits (bash's -o default, zsh's _files). */
#define SH_HEAD "# %04d-%02d-%02d dockdrop %s: %.*s%.0s\n"
static const char *const text[] = {
	".TH DOCKDROP 1 %04d-%02d-%02d \"dockdrop %s\"\n"
	/* every '-' as "\-", a hyphen-minus in every output (options are searched for and
	 * pasted); no hyphen added where a line breaks */
	".tr -\\-\n.nh\n"
	".SH NAME\ndockdrop \\- %.*s\n"
	".SH SYNOPSIS\n.B dockdrop\n.I command\n.RI [ options ]\n"
	".SH DESCRIPTION\n%s\n.SH COMMANDS\n",
	SH_HEAD "_dockdrop() {\nlocal W=(\"${COMP_WORDS[@]}\") N=$COMP_CWORD\n%s",
	/* zsh counts words from 1: the command word is walked too, and is no command's */
	"#compdef dockdrop\n" SH_HEAD "setopt localoptions shwordsplit\n"
	"local W=(\"${words[@]}\") N=$CURRENT\n%s",
	".SH FILES\n"
	".TP\n" DD_STATE_FILE "\nwhat install wrote\n"
	".TP\n" DD_ENGINE_DIR "\nthe engines\n"
	".TP\n" DD_ETC_DIR "\nthe CA and the client's certificates\n"
	".SH SEE ALSO\n.BR docker (1),\n.BR dockerd (8)\n",
	"';;\n"
	"esac\n"
	"((++i < N)) || break\n"
	"w=${W[i]}\n"
	"[[ $o == *\" $w=\"* ]] && ((++i)) || [[ $w == -* || $o != *\" $w \"* ]] || c+=${c:+ }$w\n"
	"done\n"
	"if ((i > N)); then r=${o#*\" ${W[N-1]}=\"} r=${r%% *}\n"
	"else for w in $o; do\n"
	"if [[ $w == -* ]]; then [[ $cur == -* ]] && r+=\" ${w%%=*}\"\n"
	"elif [[ $cur != -* && $w == *[a-z]* ]]; then r+=\" $w\"; fi\n"
	"done\n"
	"fi\n"
	"r=${r//|/ }\n",
	"COMPREPLY=($(compgen -W \"$r\" -- \"$cur\"))\n}\n"
	"complete -o default -F _dockdrop dockdrop\n",
	"compadd -- $r || { setopt noshwordsplit; _files; }\n",
	/* the function's start, and a first case arm (the tables' first ends it) */
	"local c= o w r= i=0 cur=${W[N]}\n"
	"while :; do\n"
	"case $c in\n"
	"'  ') o='",
};

size_t dd_doc_text(int fmt, char *buf, size_t cap)
{
	const char *sum = dd_cmd_root.summary;
	int first = (int)strcspn(sum, "\n"), k = fmt == 'b' ? 1 : fmt == 'z' ? 2 : 0;
	static struct dd_utc u; /* static: no stack guard for it */
	size_t n;

	dd_utc(DD_BUILD_EPOCH, &u);
	n = (size_t)snprintf(buf, cap, text[k], u.year, u.mon, u.day, DD_VERSION, first, sum,
			     sum + first + (sum[first] ? 2 : 0), text[7]);
	n = dd_cli_doc(&dd_cmd_root, k ? DD_DOC_SH : DD_DOC_MAN, buf, n, cap);
	n += (size_t)snprintf(buf + n, cap - n, "%s%s", text[3 + !!k], k ? text[4 + k] : "");
	return n < cap ? n : 0;
}

/* man, completion bash|zsh: the text named by the command's own name or its argument. */
static int run(const struct dd_cmd *self, int argc, char **argv)
{
	static char buf[DD_DOC_MAX];
	struct dd_args args;
	int rc = dd_cli_parse(self, NULL, 0, argc, argv, &args);
	const char *w = args.n ? args.v[0] : self->name;
	size_t n;

	if (rc != DD_CLI_CONTINUE)
		return rc;
	if (args.n && strcmp(w, "bash") && strcmp(w, "zsh"))
		return dd_fail(DD_EXIT_USAGE, "completion: no %s completion: give bash or zsh", w);
	n = dd_doc_text(*w, buf, sizeof buf);
	return n && fwrite(buf, 1, n, stdout) == n && fflush(stdout) == 0 ? 0 : DD_EXIT_FAIL;
}

const struct dd_cmd dd_cmd_man = {
	"man", "man", "", "Print this manual, dockdrop(1), in roff: dockdrop man | man -l -", 0, 0,
	run, NULL
};
const struct dd_cmd dd_cmd_completion = {
	"completion", "completion", "bash|zsh",
	"Print a shell's completion script (install --with-docs installs both).", 1, 1, run, NULL
};
