#!/bin/sh
# apt-get with a private configuration, so that the build never changes the machine's own
# (its sources, lists and caches stay as they were: a build must never leave the package
# manager broken).
#   apt.sh DIR [SUITE] -- APT-GET-ARGS...   apt-get with the private configuration in DIR
#   apt.sh DIR [SUITE] --print              print the private sources list, run nothing
# DIR holds the private sources, lists and cache. The sources are derived from the
# machine's own: the files apt reads (Dir::Etc::sourcelist and the *.list and *.sources
# files of Dir::Etc::sourceparts; DD_APT_ETC=D reads D/sources.list and D/sources.list.d
# instead, for tests), one-line and deb822, each entry with its own options (Signed-By
# paths, fingerprints or an inline key, architectures, ...) and a deb-src twin, so
# `apt-get source` works where the machine has no deb-src entry. Disabled entries
# (Enabled: no, comments) and cdrom: entries are left out. With SUITE (for example
# trixie) only the Debian entries are kept, their suite names replaced by SUITE and its
# updates/security twins, for fetching another release's packages the same way.
# The private lists are refreshed when missing, older than a day, derived from other
# sources, or after a command failed. A repository that fails to update (an unreachable
# third-party one) is reported in one line and does not stop the build: the apt-get
# command itself decides. Needs nothing but apt, sed and awk.
# DD_APT_ARCH=ARCH (a Debian architecture, for example arm64): apt works as on an ARCH machine
# (APT::Architecture, for apt-get download of another architecture's packages), with lists
# of its own in DIR/lists-ARCH, from a sources list of its own without the deb-src twins
# (DIR/sources-ARCH.list: sources are not per architecture, and apt-get download reads no
# Sources index: 21 MB less to fetch); nothing global (no dpkg --add-architecture).
set -eu
usage="usage: apt.sh DIR [SUITE] -- APT-GET-ARGS... | apt.sh DIR [SUITE] --print"
die() { echo "dockdrop build: $*" >&2; exit 1; }
[ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
dir=$1
shift
suite=""
case $1 in --|--print) ;; *) suite=$1 && shift ;; esac
mode=${1:-}
case $mode in --) ;; --print) [ $# = 1 ] || mode="" ;; *) mode="" ;; esac
[ -n "$mode" ] || { echo "$usage" >&2; exit 2; }
shift
case $dir in *[[:space:]]*) die "the private apt directory must not contain spaces: $dir" ;; esac

mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/parts" "$dir/keys"
dir=$(cd "$dir" && pwd)
# One apt-get at a time in DIR (make -j runs fetch.sh and mkengine.sh side by side).
if [ "$mode" = -- ] && [ -z "${DD_APT_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
	DD_APT_LOCKED=1 exec flock "$dir/.lock" sh "$0" "$dir" ${suite:+"$suite"} -- "$@"
fi

# Where the machine's apt reads its sources.
list="" parts=""
if [ -n "${DD_APT_ETC:-}" ]; then
	list=$DD_APT_ETC/sources.list parts=$DD_APT_ETC/sources.list.d
elif command -v apt-config >/dev/null 2>&1; then
	eval "$(apt-config shell list Dir::Etc::sourcelist/f parts Dir::Etc::sourceparts/d)"
fi
list=${list:-/etc/apt/sources.list}
parts=${parts%/}
parts=${parts:-/etc/apt/sources.list.d}

# Every enabled entry as one record: TYPE|OPTIONS|URI|SUITE|COMPONENTS, OPTIONS being the
# one-line form's "name=value" words (the deb822 fields turned into them).
oneline_records() {
	for f in "$list" "$parts"/*.list; do
		[ -f "$f" ] || continue
		# The deb-src entry older dockdrop builds added (see prereq.sh): twins replace it.
		[ "$f" = "$parts/dockdrop-src.list" ] && continue
		awk '
		{ sub(/#.*/, "") }
		$1 != "deb" && $1 != "deb-src" { next }
		{
			opt = ""; i = 2
			if ($2 ~ /^\[/) {
				while (i <= NF && $i !~ /\]$/) i++
				if (i > NF) { print FILENAME ": " FNR ": no closing ]" >"/dev/stderr"; next }
				for (k = 2; k <= i; k++) opt = opt " " $k
				gsub(/[][]/, " ", opt); gsub(/^ +| +$/, "", opt); gsub(/ +/, " ", opt)
				i++
			}
			if ($i ~ /^cdrom:/ || i + 1 > NF) next
			comps = ""
			for (k = i + 2; k <= NF; k++) comps = comps (comps == "" ? "" : " ") $k
			print $1 "|" opt "|" $i "|" $(i + 1) "|" comps
		}' "$f"
	done
}

deb822_records() {
	for f in "$parts"/*.sources; do
		[ -f "$f" ] || continue
		awk -v keys="$dir/keys" -v tag="$(basename "$f" .sources)" '
		BEGIN {
			# deb822 field -> one-line option (sources.list(5)); other fields are ignored.
			n = split("architectures=arch architectures-add=arch+ architectures-remove=arch- " \
				"languages=lang languages-add=lang+ languages-remove=lang- targets=target " \
				"targets-add=target+ targets-remove=target- pdiffs=pdiffs by-hash=by-hash " \
				"allow-insecure=allow-insecure allow-weak=allow-weak " \
				"allow-downgrade-to-insecure=allow-downgrade-to-insecure trusted=trusted " \
				"signed-by=signed-by check-valid-until=check-valid-until " \
				"valid-until-min=valid-until-min valid-until-max=valid-until-max " \
				"check-date=check-date date-max-future=date-max-future " \
				"inrelease-path=inrelease-path snapshot=snapshot", m, " ")
			for (i = 1; i <= n; i++) { split(m[i], kv, "="); optname[kv[1]] = kv[2]; order[i] = kv[1] }
			nopt = n
			split("no false off without disable 0", f, " ")
			for (i in f) off[f[i]] = 1
		}
		function words(s) { gsub(/[ \t\n]+/, " ", s); gsub(/^ | $/, "", s); return s }
		function flush(   i, j, k, t, u, s, opt, key, val, o) {
			if (v["types"] != "" && v["uris"] != "" && v["suites"] != "" && !(tolower(words(v["enabled"])) in off)) {
				if (v["signed-by"] ~ /-----BEGIN PGP PUBLIC KEY BLOCK-----/) {
					# An inline key: apt reads the same armored text from a .asc file.
					key = keys "/" tag "-" ++nkey ".asc"
					sub(/^\n+/, "", v["signed-by"])
					printf "%s\n", v["signed-by"] >key; close(key)
					v["signed-by"] = key
				}
				opt = ""
				for (i = 1; i <= nopt; i++) {
					val = words(v[order[i]])
					if (val == "") continue
					gsub(/ /, ",", val)
					o = optname[order[i]]
					opt = opt (opt == "" ? "" : " ") o "=" val
				}
				split(words(v["types"]), t, " "); split(words(v["uris"]), u, " ")
				split(words(v["suites"]), s, " ")
				for (i = 1; i in t; i++)
					for (j = 1; j in u; j++)
						for (k = 1; k in s; k++)
							if (u[j] !~ /^cdrom:/)
								print t[i] "|" opt "|" u[j] "|" s[k] "|" words(v["components"])
			}
			delete v; field = ""
		}
		/^#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^[ \t]/ {
			if (field != "") {
				line = $0; sub(/^[ \t]+/, "", line); sub(/[ \t]+$/, "", line)
				if (line == ".") line = ""
				v[field] = v[field] "\n" line
			}
			next
		}
		index($0, ":") > 1 {
			field = tolower(substr($0, 1, index($0, ":") - 1))
			val = substr($0, index($0, ":") + 1); gsub(/^[ \t]+|[ \t]+$/, "", val)
			v[field] = val
			next
		}
		{ field = "" }
		END { flush() }' "$f"
	done
}

# The private list: deb and deb-src for every entry, once; SUITE renames Debian suites.
derive() {
	{ oneline_records; deb822_records; } | awk -F'|' -v suite="$suite" '
	BEGIN {
		split("buster bullseye bookworm trixie forky duke sid", d, " ")
		for (i in d) debian[d[i]] = 1
		# Aliases third parties use too: Debian only at a Debian archive path.
		split("oldoldstable oldstable stable testing unstable", d, " ")
		for (i in d) alias[d[i]] = 1
	}
	{
		s = $4
		if (suite != "") {
			base = s; sub(/-(updates|security|backports|proposed-updates)$/, "", base)
			if (!(base in debian) && !(base in alias && $3 ~ /\/debian(-security)?\/?$/)) next
			if (s ~ /-(backports|proposed-updates)$/) next
			s = suite substr(s, length(base) + 1)
		}
		for (t = 0; t < 2; t++) {
			line = (t ? "deb-src" : "deb") ($2 != "" ? " [" $2 "]" : "") " " $3 " " s ($5 != "" ? " " $5 : "")
			if (!(line in seen)) { seen[line] = 1; print line }
		}
	}'
}

derive >"$dir/sources.list.new"
[ -s "$dir/sources.list.new" ] ||
	die "no enabled apt sources in $list or $parts (*.list, *.sources)${suite:+ for $suite}"
if [ "$mode" = --print ]; then
	cat "$dir/sources.list.new"
	rm -f "$dir/sources.list.new"
	exit 0
fi

arch=${DD_APT_ARCH:-}
case $arch in *[!a-z0-9]*) die "DD_APT_ARCH=$arch: not a Debian architecture name" ;; esac
stamp=$dir/updated${arch:+-$arch}
sources=$dir/sources${arch:+-$arch}.list
if [ -n "$arch" ]; then
	grep -v '^deb-src ' "$dir/sources.list.new" >"$dir/sources.list.tmp" || true
	mv "$dir/sources.list.tmp" "$dir/sources.list.new"
fi
fresh=0
if cmp -s "$dir/sources.list.new" "$sources" 2>/dev/null &&
	[ -n "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
	fresh=1
fi
mv "$dir/sources.list.new" "$sources"

opts="-o Dir::Etc::sourcelist=$sources -o Dir::Etc::sourceparts=$dir/parts
 -o Dir::State::Lists=$dir/lists${arch:+-$arch} -o Dir::Cache=$dir/cache${arch:+-$arch}
 -o Dir::Cache::archives=$dir/cache/archives"
if [ -n "$arch" ]; then
	mkdir -p "$dir/lists-$arch/partial" "$dir/cache-$arch"
	opts="$opts -o APT::Architecture=$arch -o APT::Architectures=$arch"
fi
# The downloads go to directories the _apt user may not enter.
[ "$(id -u)" = 0 ] && opts="$opts -o APT::Sandbox::User=root"

if [ $fresh = 0 ]; then
	rm -f "$stamp"
	echo "dockdrop build: apt-get update (private lists in $dir)" >&2
	# shellcheck disable=SC2086
	if apt-get -q $opts update >"$dir/update.log" 2>&1; then
		touch "$stamp"
	fi
	problem=$(grep -m1 '^[EW]:' "$dir/update.log" || true)
	[ -z "$problem" ] ||
		echo "dockdrop build: note: apt-get update with the private sources in $dir: $problem" >&2
fi
# shellcheck disable=SC2086
apt-get $opts "$@" || { rc=$?; rm -f "$stamp"; exit $rc; }
