#!/bin/sh
# One architecture's release files in OUT (make release: release/out), from the build:
#   dockdrop-VERSION-ARCH                     dist's dockdrop (the stub and its payload)
#   dockdrop-VERSION-ARCH.spdx.json           its SBOM (release/sbom.py)
#   dockdrop-azure-VERSION-ARCH.zip           the Azure handler package with that dockdrop
#   dockdrop-azure-VERSION-ARCH.spdx.json     its SBOM
# The artifact is verified by itself first (every digest; the signature when the build
# trusts a key), and the SBOM made from its own `list --json`: what the signed manifest
# says. RUN (qemu-aarch64-static for arm64) runs a program of another architecture.
#   mkrelease.sh ARCH OUT VERSION COMMIT EPOCH DOCKDROP ZIP [RUN]
set -eu
[ $# -ge 7 ] || { echo "usage: mkrelease.sh ARCH OUT VERSION COMMIT EPOCH DOCKDROP ZIP [RUN]" >&2; exit 2; }
arch=$1 out=$2 version=$3 commit=$4 epoch=$5 dd=$6 zip=$7 run=${8:-}
here=$(cd "$(dirname "$0")" && pwd)
die() { echo "dockdrop release: $*" >&2; exit 1; }
name=dockdrop-$version-$arch
zname=dockdrop-azure-$version-$arch
mkdir -p "$out"
cp "$dd" "$out/$name.tmp" && chmod 0755 "$out/$name.tmp" && mv "$out/$name.tmp" "$out/$name"
cp "$zip" "$out/$zname.zip.tmp" && mv "$out/$zname.zip.tmp" "$out/$zname.zip"
# shellcheck disable=SC2086
$run "$out/$name" verify -q || die "$out/$name does not verify"
# shellcheck disable=SC2086
$run "$out/$name" list --json >"$out/$name.list.tmp" || die "$out/$name list --json failed"
python3 "$here/sbom.py" bundle "$out/$name" "$out/$name.list.tmp" "$out/$name.spdx.json" \
	--version "$version" --commit "$commit" --arch "$arch" --epoch "$epoch" ||
	die "the SBOM of $name"
rm -f "$out/$name.list.tmp"
python3 "$here/sbom.py" zip "$out/$zname.zip" "$out/$name.spdx.json" "$out/$zname.spdx.json" \
	--epoch "$epoch" || die "the SBOM of $zname.zip"
echo "built $out/$name, $zname.zip and their SBOMs"
