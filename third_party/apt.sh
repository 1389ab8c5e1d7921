#!/bin/sh
# apt-get with a private configuration, so that the build never changes the machine's own
# (its sources, lists and caches stay as they were: see DEVELOPERS.md, "Machines nobody
# prepared").
#   apt.sh DIR [SUITE] -- APT-GET-ARGS...
# DIR holds the private sources, lists and cache. The sources are derived from the
# machine's own (one-line sources.list and *.list files, deb822 *.sources files), each
# entry with its own options (Signed-By, arch, trusted keyrings) and a deb-src twin, so
# `apt-get source` works where the machine has no deb-src entry. With SUITE (for example
# trixie), every Debian suite name of the machine's entries is replaced by SUITE and its
# updates/security twins, for fetching another release's packages the same way.
# The private lists are refreshed when missing, older than a day, or derived from other
# sources. Needs nothing but apt and sed/awk.
set -eu
dir=${1:?usage: apt.sh DIR [SUITE] -- APT-GET-ARGS...}
shift
suite=""
if [ "${1:-}" != "--" ]; then
	suite=${1:?usage: apt.sh DIR [SUITE] -- APT-GET-ARGS...}
	shift
fi
[ "${1:-}" = "--" ] || { echo "usage: apt.sh DIR [SUITE] -- APT-GET-ARGS..." >&2; exit 2; }
shift
die() { echo "dockdrop build: $*" >&2; exit 1; }

etc=${DD_APT_ETC:-/etc/apt}
mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/parts" "$dir/keys"
dir=$(cd "$dir" && pwd)
# One apt-get at a time in DIR (make -j runs fetch.sh and mkengine.sh side by side).
if [ -z "${DD_APT_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
	DD_APT_LOCKED=1 exec flock "$dir/.lock" sh "$0" "$dir" ${suite:+"$suite"} -- "$@"
fi

# The machine's entries, one-line form, deb and deb-src. One-line options ("[signed-by=...
# arch=...]") carry over unchanged; deb822 fields are turned into the same options.
oneline() {
	for f in "$etc/sources.list" "$etc"/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -e 's/#.*//' -e 's/^[[:space:]]*//' "$f" | awk '$1 == "deb" || $1 == "deb-src"'
	done
	for f in "$etc"/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v keys="$dir/keys" -v tag="$(basename "$f" .sources)" '
		function flush(   n, i, j, k, t, u, s, opt, key) {
			if (v["types"] != "" && v["uris"] != "" && v["suites"] != "" && tolower(v["enabled"]) != "no") {
				opt = ""
				if (v["signed-by"] ~ /-----BEGIN/) {
					# An inline key: apt reads the same armored text from a .asc file.
					key = keys "/" tag "-" ++nkey ".asc"
					gsub(/\n[ \t]*\.?[ \t]*\n/, "\n\n", v["signed-by"])
					printf "%s\n", v["signed-by"] >key; close(key)
					v["signed-by"] = key
				}
				split("signed-by architectures trusted lang target", names, " ")
				for (i = 1; i <= 5; i++) {
					k = names[i]
					if (v[k] == "") continue
					gsub(/[ \t]+/, ",", v[k])
					opt = opt " " (k == "architectures" ? "arch" : k) "=" v[k]
				}
				if (opt != "") opt = "[" substr(opt, 2) "]"
				n = split(v["types"], t, " "); split(v["uris"], u, " "); split(v["suites"], s, " ")
				for (i = 1; i <= n; i++)
					for (j = 1; j in u; j++)
						for (k = 1; k in s; k++)
							print t[i], opt, u[j], s[k], v["components"]
			}
			delete v; field = ""
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^[ \t]/ {
			if (field != "") {
				line = $0; sub(/^[ \t]+/, "", line)
				if (line == ".") line = ""
				v[field] = v[field] "\n" line
			}
			next
		}
		{
			field = tolower(substr($0, 1, index($0, ":") - 1))
			val = substr($0, index($0, ":") + 1); gsub(/^[ \t]+|[ \t]+$/, "", val)
			v[field] = val
		}
		END { flush() }' "$f"
	done
}

# deb and deb-src for every entry, once; SUITE renames Debian suites.
oneline | awk -v suite="$suite" '
	{
		opt = ""; i = 2
		if ($2 ~ /^\[/) { while ($i !~ /\]$/) { opt = opt $i " "; i++ } opt = opt $i; i++ }
		uri = $i; s = $(i + 1); comps = ""
		for (k = i + 2; k <= NF; k++) comps = comps " " $k
		if (suite != "") {
			if (s ~ /-security$/) s = suite "-security"
			else if (s ~ /-updates$/) s = suite "-updates"
			else if (s ~ /-backports$/) next
			else s = suite
		}
		for (t = 0; t < 2; t++) {
			line = (t ? "deb-src" : "deb") (opt != "" ? " " opt : "") " " uri " " s comps
			if (!(line in seen)) { seen[line] = 1; print line }
		}
	}' >"$dir/sources.list.new"
[ -s "$dir/sources.list.new" ] || die "no apt sources found in $etc (sources.list, sources.list.d/*.list, *.sources)"

fresh=0
if cmp -s "$dir/sources.list.new" "$dir/sources.list" 2>/dev/null &&
	[ -n "$(find "$dir/lists" -maxdepth 1 -name '*Release' -mtime -1 2>/dev/null | head -1)" ]; then
	fresh=1
fi
mv "$dir/sources.list.new" "$dir/sources.list"

opts="-o Dir::Etc::sourcelist=$dir/sources.list -o Dir::Etc::sourceparts=$dir/parts
 -o Dir::State::Lists=$dir/lists -o Dir::Cache=$dir/cache -o Dir::Cache::archives=$dir/cache/archives"
[ "$(id -u)" = 0 ] && opts="$opts -o APT::Sandbox::User=root"
case $dir in *[[:space:]]*) die "the private apt directory must not contain spaces: $dir" ;; esac

if [ $fresh = 0 ]; then
	echo "dockdrop build: apt-get update (private lists in $dir)" >&2
	# shellcheck disable=SC2086
	if ! apt-get -q $opts update >"$dir/update.log" 2>&1 || grep -q '^[EW]:' "$dir/update.log"; then
		rm -f "$dir/lists/"*Release
		die "apt-get update with the private sources in $dir failed: $(grep -m1 '^[EW]:' "$dir/update.log" || tail -1 "$dir/update.log")"
	fi
fi
# shellcheck disable=SC2086
exec apt-get $opts "$@"
