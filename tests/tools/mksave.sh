#!/bin/sh
# mksave.sh ROOTDIR TAG OUT.tar [CMD...]: a `docker save` archive of one image whose one
# layer is ROOTDIR, made without a daemon (for the VM test, whose host has none; the
# daemon that loads it checks every digest). Deterministic: owner 0, mtime 0, sorted.
#   OUT.tar: manifest.json, repositories, CONFIG.json, LAYER/layer.tar (docker save's
#   layout since 1.10; what `docker load` and POST /images/load read).
set -eu
[ $# -ge 3 ] || { echo "usage: mksave.sh ROOTDIR TAG OUT.tar [CMD...]" >&2; exit 2; }
root=$1 tag=$2 out=$3
shift 3
case $tag in *:*) repo=${tag%:*} ver=${tag##*:} ;; *) repo=$tag ver=latest ;; esac
# DD_IMAGE_ARCH (amd64, arm64): the image's architecture (default: this machine's)
arch=${DD_IMAGE_ARCH:-$(dpkg --print-architecture 2>/dev/null || echo amd64)}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$root" -cf "$w/layer.tar" .
lsha=$(sha256sum "$w/layer.tar" | cut -d' ' -f1)
cmd=""
for a in "$@"; do cmd="$cmd${cmd:+,}\"$a\""; done
printf '{"architecture":"%s","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Cmd":[%s]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"tests/tools/mksave.sh"}]}' \
	"$arch" "$cmd" "$lsha" >"$w/config.json"
csha=$(sha256sum "$w/config.json" | cut -d' ' -f1)
mkdir "$w/t" "$w/t/$lsha"
mv "$w/layer.tar" "$w/t/$lsha/layer.tar"
mv "$w/config.json" "$w/t/$csha.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$csha" "$tag" "$lsha" >"$w/t/manifest.json"
printf '{"%s":{"%s":"%s"}}' "$repo" "$ver" "$csha" >"$w/t/repositories"
# Member names as docker save writes them (no "./"); readers look for "manifest.json".
(cd "$w/t" && tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -cf - -- *) >"$out"
echo "$csha"
