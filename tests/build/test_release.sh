# `make release` (make test builds it first): release/out holds, for every architecture the
# Makefile releases (RELEASE_ARCHES), dockdrop-VERSION-ARCH (dist's dockdrop, byte for
# byte), the Azure handler package dockdrop-azure-VERSION-ARCH.zip, an SPDX 2.3 JSON SBOM of
# each, the manual page dockdrop-VERSION.1, and SHA256SUMS of them all, nothing else (but
# SHA256SUMS.sig, with SIGN_KEY). Each SBOM is checked by sbom_check.py: its SPDX form (the
# required fields, relationships between elements that exist, licence identifiers of
# SPDX's list) and that it names every component the artifact's own `list --json` names
# (the stub's musl, BearSSL and zlib, each blob, each source with its tarball's SHA-256)
# and every program of the engine and of the carried iptables with its digest. verify
# prints the same sources. Then the checks are shown to fail: SBOMs with a program, a
# digest, a relationship or a licence broken, and a SHA256SUMS whose file changed. Last,
# signing: make release with SIGN_KEY signs SHA256SUMS, openssl verifies the signature,
# and a changed SHA256SUMS fails it.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
out=release/out
# Each architecture's build and dist as make test makes them (BUILD and DIST: amd64's).
BUILD=${BUILD:-build} DIST=${DIST:-dist}
arch_dirs() { # ARCH -> build=... dist=...
	case $1 in
	amd64) build=$BUILD dist=$DIST ;;
	*) build=${DD_ARM64:-$BUILD/$1} dist=${DD_ARM64_DIST:-$DIST/$1} ;;
	esac
}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }
LIC=/usr/share/nodejs/spdx-license-ids/index.json
[ -f "$LIC" ] || { skip "SPDX licence list $LIC missing (apt-get install node-spdx-license-ids)"; exit 0; }
command -v python3 >/dev/null || { skip "python3 missing"; exit 0; }

version=$(sed -n 's/^VERSION := //p' Makefile)
arches=$(sed -n 's/^RELEASE_ARCHES := //p' Makefile)
[ -d "$out" ] || { notok "no $out: make release"; exit 1; }
want=""
for a in $arches; do
	want="$want dockdrop-$version-$a dockdrop-$version-$a.spdx.json dockdrop-azure-$version-$a.spdx.json dockdrop-azure-$version-$a.zip"
done
want=$(echo SHA256SUMS dockdrop-$version.1 $want | tr ' ' '\n' | LC_ALL=C sort | tr '\n' ' ')
got=$(LC_ALL=C ls "$out" | grep -v '^SHA256SUMS.sig$' | tr '\n' ' ')
[ "$got" = "$want" ] && ok "$out holds the artifacts, their SBOMs, the manual page and SHA256SUMS for $arches" ||
	notok "$out holds [$got], not [$want]"

cmp -s "$out/dockdrop-$version.1" "$BUILD/doc/dockdrop.1" && ok "dockdrop-$version.1 is the manual page (dockdrop man)" ||
	notok "dockdrop-$version.1 differs from $BUILD/doc/dockdrop.1"

# SHA256SUMS: sha256sum -c format, every file once, and it holds.
(cd "$out" && sha256sum -c --strict --quiet SHA256SUMS) >"$T/c" 2>&1 &&
	ok "sha256sum -c SHA256SUMS: every file matches" || notok "sha256sum -c: $(tr '\n' '|' <"$T/c")"
listed=$(awk '{ print $2 }' "$out/SHA256SUMS" | LC_ALL=C sort | tr '\n' ' ')
[ "$listed" = "$(echo "$want" | tr ' ' '\n' | grep -v '^SHA256SUMS$' | grep . | tr '\n' ' ')" ] &&
	ok "SHA256SUMS lists every other file once" || notok "SHA256SUMS lists [$listed]"
mkdir "$T/sums" && cp "$out/SHA256SUMS" "$out"/*.spdx.json "$T/sums/" &&
	sed -i 's/"SPDX-2.3"/"SPDX-2.2"/' "$T/sums/$(ls "$T/sums" | grep spdx | head -1)"
(cd "$T/sums" && sha256sum -c --ignore-missing --quiet SHA256SUMS) >/dev/null 2>&1 &&
	notok "sha256sum -c passes with an SBOM changed" || ok "sha256sum -c fails when a file changed"

for a in $arches; do
	name=dockdrop-$version-$a
	art=$out/$name
	arch_dirs "$a"
	cmp -s "$art" "$dist/dockdrop" && ok "$name is $dist/dockdrop, byte for byte" ||
		notok "$name differs from $dist/dockdrop"
	# The program's own account, read by this machine's stub (-f: any architecture).
	if ! "$BUILD"/dockdrop list --json -f "$art" >"$T/$a.list" 2>"$T/err"; then
		notok "$name: list --json: $(cat "$T/err")"
		continue
	fi
	rm -rf "$T/$a.engine"
	"$BUILD"/dockdrop extract -q -f "$art" "$T/$a.engine" 2>"$T/err" || notok "$name: extract: $(cat "$T/err")"
	tools=$(ls "$build"/carry/iptables-*.tgz 2>/dev/null | head -1)
	python3 tests/build/sbom_check.py "$out/$name.spdx.json" "$LIC" "$art" "$T/$a.list" \
		"$T/$a.engine" "$tools"
	unzip -p "$out/dockdrop-azure-$version-$a.zip" bin/dockdrop >"$T/bin" 2>/dev/null
	cmp -s "$T/bin" "$art" && ok "dockdrop-azure-$version-$a.zip: bin/dockdrop is $name" ||
		notok "dockdrop-azure-$version-$a.zip: bin/dockdrop is not $name"
	python3 tests/build/sbom_check.py "$out/dockdrop-azure-$version-$a.spdx.json" "$LIC" "$art" \
		"$T/$a.list" "$T/$a.engine" "$tools" "$out/dockdrop-azure-$version-$a.zip" \
		release/azure/HandlerManifest.json
	# verify prints the same sources as list (and so as the SBOM).
	"$BUILD"/dockdrop verify -f "$art" | sed -n 's/^  built from //p' | LC_ALL=C sort >"$T/v"
	"$BUILD"/dockdrop list -f "$art" | sed -n 's/^  built from //p' | LC_ALL=C sort >"$T/l"
	[ -s "$T/v" ] && cmp -s "$T/v" "$T/l" && ok "$name: verify names the $(wc -l <"$T/v") sources list names" ||
		notok "$name: verify and list name different sources"
done

# The checks fail when the SBOM is wrong: one mutation at a time of the first architecture's.
a=$(echo $arches | cut -d' ' -f1)
name=dockdrop-$version-$a
arch_dirs "$a"
tools=$(ls "$build"/carry/iptables-*.tgz 2>/dev/null | head -1)
mutant() { # WHAT PYTHON-EXPRESSION-ON-d
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
$2
json.dump(d, open(sys.argv[2], 'w'))" "$out/$name.spdx.json" "$T/m.json" || { notok "mutant $1"; return; }
	if python3 tests/build/sbom_check.py "$T/m.json" "$LIC" "$out/$name" "$T/$a.list" \
		"$T/$a.engine" "$tools" >"$T/m.out" 2>&1; then
		notok "an SBOM with $1 passes the check"
	else
		ok "an SBOM with $1 fails the check ($(grep -m1 '^not ok' "$T/m.out" | cut -c1-120))"
	fi
}
mutant "dockerd left out" "d['packages'] = [p for p in d['packages'] if p['name'] != 'dockerd']"
mutant "a source digest changed" "
for p in d['packages']:
    if p['name'] == 'containerd' and p['primaryPackagePurpose'] == 'SOURCE': p['checksums'][0]['checksumValue'] = '0' * 64"
mutant "musl without a checksum" "
for p in d['packages']:
    if p['name'] == 'musl': del p['checksums']"
mutant "a relationship to nothing" "d['relationships'].append({'spdxElementId': 'SPDXRef-Stub', 'relationshipType': 'CONTAINS', 'relatedSpdxElement': 'SPDXRef-Nothing'})"
mutant "a licence not in SPDX's list" "
for p in d['packages']:
    if p['name'] == 'tini': p['licenseDeclared'] = 'Expat'"
mutant "a package nothing reaches" "d['relationships'] = [r for r in d['relationships'] if r['relatedSpdxElement'] != 'SPDXRef-Stub']"
mutant "spdxVersion 2.2" "d['spdxVersion'] = 'SPDX-2.2'"
mutant "no documentNamespace" "del d['documentNamespace']"
mutant "zlib's version changed" "
for p in d['packages']:
    if p['name'] == 'zlib': p['versionInfo'] = '1.3'"

# A signed release (SIGN_KEY, make release's last step: make release-sign): SHA256SUMS.sig
# that openssl verifies with the key's public half; a changed SHA256SUMS fails it.
make -n --no-print-directory release BUILD="$BUILD" DIST="$DIST" REL="$T/rel" SIGN_KEY="$T/sign.pem" 2>&1 |
	grep -q "openssl dgst -sha256 -sign \"$T/sign.pem\" -out $T/rel/SHA256SUMS.sig $T/rel/SHA256SUMS" &&
	ok "make release SIGN_KEY=... ends by signing SHA256SUMS (make -n)" ||
	notok "make release SIGN_KEY=... does not sign SHA256SUMS (make -n)"
mkdir -p "$T/rel" && cp "$out/SHA256SUMS" "$T/rel/"
if ! openssl ecparam -name prime256v1 -genkey -noout -out "$T/sign.pem" 2>/dev/null ||
	! openssl ec -in "$T/sign.pem" -pubout -out "$T/sign.pub" 2>/dev/null; then
	notok "openssl could not make a P-256 key"
elif ! make -s --no-print-directory release-sign REL="$T/rel" SIGN_KEY="$T/sign.pem" >"$T/mk" 2>&1; then
	notok "make release-sign: $(tail -n 3 "$T/mk" | tr '\n' '|')"
else
	openssl dgst -sha256 -verify "$T/sign.pub" -signature "$T/rel/SHA256SUMS.sig" \
		"$T/rel/SHA256SUMS" >"$T/v" 2>&1 &&
		ok "SHA256SUMS.sig verifies (openssl dgst -sha256 -verify)" ||
		notok "SHA256SUMS.sig does not verify: $(tr '\n' '|' <"$T/v")"
	sed -i '1s/^/0/' "$T/rel/SHA256SUMS"
	openssl dgst -sha256 -verify "$T/sign.pub" -signature "$T/rel/SHA256SUMS.sig" \
		"$T/rel/SHA256SUMS" >/dev/null 2>&1 &&
		notok "SHA256SUMS.sig verifies a changed SHA256SUMS" ||
		ok "SHA256SUMS.sig fails on a changed SHA256SUMS"
fi
