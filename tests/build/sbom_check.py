#!/usr/bin/env python3
# Checks one SPDX 2.3 JSON SBOM of the release (tests/build/test_release.sh), printing
# "ok - " / "not ok - " lines:
#   sbom_check.py SBOM LICENSES.json ARTIFACT LIST.json ENGINE-DIR TOOLS-TGZ [ZIP MANIFEST]
# SBOM's form (the SPDX 2.3 document, package and relationship fields it requires, SPDXIDs
# unique, licence expressions of identifiers in SPDX's list LICENSES.json, relationships
# between elements that exist, every package reachable from the described one), and its
# completeness against the program itself: LIST.json is `dockdrop list --json -f ARTIFACT`
# (the signed manifest), ENGINE-DIR the engine `dockdrop extract` unpacked, TOOLS-TGZ the
# carried iptables tarball (its digest must be the manifest's): every stub part, blob,
# source, engine program and iptables program named with its version, licence and SHA-256.
# With ZIP and MANIFEST: the SBOM of the Azure handler package ZIP, holding MANIFEST and
# the artifact as bin/dockdrop.
import hashlib
import json
import os
import re
import sys
import tarfile

fails = 0


def check(cond, what):
    global fails
    print(("ok - " if cond else "not ok - ") + what)
    fails += 0 if cond else 1
    return cond


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


RELS = {"DESCRIBES", "DESCRIBED_BY", "CONTAINS", "CONTAINED_BY", "DEPENDS_ON", "DEPENDENCY_OF",
        "DEPENDENCY_MANIFEST_OF", "BUILD_DEPENDENCY_OF", "DEV_DEPENDENCY_OF",
        "OPTIONAL_DEPENDENCY_OF", "PROVIDED_DEPENDENCY_OF", "TEST_DEPENDENCY_OF",
        "RUNTIME_DEPENDENCY_OF", "EXAMPLE_OF", "GENERATES", "GENERATED_FROM", "ANCESTOR_OF",
        "DESCENDANT_OF", "VARIANT_OF", "DISTRIBUTION_ARTIFACT", "PATCH_FOR", "PATCH_APPLIED",
        "COPY_OF", "FILE_ADDED", "FILE_DELETED", "FILE_MODIFIED", "EXPANDED_FROM_ARCHIVE",
        "DYNAMIC_LINK", "STATIC_LINK", "DATA_FILE_OF", "TEST_CASE_OF", "BUILD_TOOL_OF",
        "DEV_TOOL_OF", "TEST_OF", "TEST_TOOL_OF", "DOCUMENTATION_OF", "OPTIONAL_COMPONENT_OF",
        "METAFILE_OF", "PACKAGE_OF", "AMENDS", "PREREQUISITE_FOR", "HAS_PREREQUISITE",
        "REQUIREMENT_DESCRIPTION_FOR", "SPECIFICATION_FOR", "OTHER"}
PURPOSES = {"APPLICATION", "FRAMEWORK", "LIBRARY", "CONTAINER", "OPERATING-SYSTEM", "DEVICE",
            "FIRMWARE", "SOURCE", "ARCHIVE", "FILE", "INSTALL", "OTHER"}
ALGOS = {"SHA1", "SHA224", "SHA256", "SHA384", "SHA512", "SHA3-256", "SHA3-384", "SHA3-512",
         "BLAKE2b-256", "BLAKE2b-384", "BLAKE2b-512", "BLAKE3", "MD2", "MD4", "MD5", "MD6",
         "ADLER32"}
ID = re.compile(r"^SPDXRef-[A-Za-z0-9.-]+$")


def license_ok(expr, ids):
    if expr in ("NOASSERTION", "NONE"):
        return True
    words = expr.replace("(", " ").replace(")", " ").split()
    return bool(words) and all(w in ("AND", "OR", "WITH") or w in ids for w in words) and \
        words[0] not in ("AND", "OR", "WITH")


def form(doc, ids):
    """SPDX 2.3: the fields the specification requires, and their forms."""
    name = doc.get("name", "?")
    check(doc.get("spdxVersion") == "SPDX-2.3" and doc.get("dataLicense") == "CC0-1.0" and
          doc.get("SPDXID") == "SPDXRef-DOCUMENT" and bool(doc.get("name")),
          "%s: spdxVersion SPDX-2.3, dataLicense CC0-1.0, SPDXID SPDXRef-DOCUMENT, name" % name)
    ns = doc.get("documentNamespace", "")
    check(re.match(r"^[a-z][a-z0-9+.-]*://[^#\s]+$", ns) is not None,
          "%s: documentNamespace is an absolute URI without '#': %s" % (name, ns))
    ci = doc.get("creationInfo", {})
    check(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", ci.get("created", "")) is not None and
          ci.get("creators") and all(re.match(r"^(Tool|Organization|Person): \S", c)
                                     for c in ci["creators"]),
          "%s: creationInfo: created (UTC) and creators" % name)
    pk = doc.get("packages", [])
    seen, bad = set(), []
    for p in pk:
        i = p.get("SPDXID", "")
        why = []
        if not ID.match(i) or i in seen:
            why.append("SPDXID")
        seen.add(i)
        if not p.get("name"):
            why.append("name")
        dl = p.get("downloadLocation", "")
        if not (dl in ("NONE", "NOASSERTION") or re.match(r"^https?://\S+$", dl)):
            why.append("downloadLocation")
        if p.get("filesAnalyzed", True) is not False and "packageVerificationCode" not in p:
            why.append("filesAnalyzed without a verification code")
        cs = p.get("checksums", [])
        if not cs or any(c.get("algorithm") not in ALGOS or
                         not re.match(r"^[0-9a-f]+$", c.get("checksumValue", "")) for c in cs):
            why.append("checksums")
        for k in ("licenseConcluded", "licenseDeclared"):
            if k in p and not license_ok(p[k], ids):
                why.append("%s %s" % (k, p[k]))
        if p.get("primaryPackagePurpose", "OTHER") not in PURPOSES:
            why.append("primaryPackagePurpose")
        for k in ("supplier", "originator"):
            if k in p and not re.match(r"^(NOASSERTION|(Person|Organization): \S.*)$", p[k]):
                why.append(k)
        for r in p.get("externalRefs", []):
            if not (r.get("referenceCategory") in ("SECURITY", "PACKAGE-MANAGER",
                                                   "PERSISTENT-ID", "OTHER") and
                    r.get("referenceType") and r.get("referenceLocator")):
                why.append("externalRefs")
        if why:
            bad.append("%s (%s)" % (i, ", ".join(why)))
    check(pk and not bad, "%s: %d packages, each with its required fields in form%s" % (
        name, len(pk), ": " + "; ".join(bad[:5]) if bad else ""))
    rel = doc.get("relationships", [])
    ok_rel = all(r.get("relationshipType") in RELS and
                 r.get("spdxElementId") in seen | {"SPDXRef-DOCUMENT"} and
                 r.get("relatedSpdxElement") in seen for r in rel)
    check(rel and ok_rel, "%s: %d relationships, of known types, between elements that exist" %
          (name, len(rel)))
    desc = [r["relatedSpdxElement"] for r in rel
            if r.get("spdxElementId") == "SPDXRef-DOCUMENT" and r.get("relationshipType") == "DESCRIBES"]
    check(len(desc) == 1 and doc.get("documentDescribes", desc) == desc,
          "%s: the document DESCRIBES one package" % name)
    # every package reachable from the described one
    reach, todo = set(desc), list(desc)
    while todo:
        x = todo.pop()
        for r in rel:
            if r["spdxElementId"] == x and r["relatedSpdxElement"] not in reach:
                reach.add(r["relatedSpdxElement"])
                todo.append(r["relatedSpdxElement"])
    check(reach == seen, "%s: every package reached from the described one (orphans: %s)" % (
        name, sorted(seen - reach)[:5]))
    return {p["SPDXID"]: p for p in pk}, rel, (desc or [None])[0]


def digest(p):
    return next((c["checksumValue"] for c in p.get("checksums", []) if c["algorithm"] == "SHA256"),
                None)


def complete(doc, pk, rel, artifact, listing, engine_dir, tools_tgz):
    """Every component the program names, with the digest, version and licence it says."""
    name = doc["name"]
    kids = {}
    for r in rel:
        kids.setdefault((r["spdxElementId"], r["relationshipType"]), []).append(
            pk.get(r["relatedSpdxElement"]))
    art = pk.get("SPDXRef-Artifact")
    check(art is not None and digest(art) == sha(artifact),
          "%s: the artifact's SHA-256 is the file's" % name)

    def under(parent, kind, want_name, want_sha, what, version=None, lic=None):
        got = [p for p in kids.get((parent["SPDXID"], kind), []) if p and p["name"] == want_name]
        good = [p for p in got if digest(p) == want_sha and
                (version is None or p.get("versionInfo") == version) and
                (lic is None or p.get("licenseDeclared") == lic)]
        return check(len(good) == 1, "%s: %s %s%s%s, sha256 %s (%s %s)" % (
            name, what, want_name, " " + version if version else "", " " + lic if lic else "",
            want_sha[:16], kind, parent["name"])) and good[0]

    stub = next((p for p in kids.get(("SPDXRef-Artifact", "CONTAINS"), [])
                 if p and digest(p) == listing["stub"]["sha256"]), None)
    check(stub is not None, "%s: the stub (dockdrop) with the manifest's digest" % name)
    if not stub:
        return
    for t in listing["stub"]["built_from"]:
        under(stub, "STATIC_LINK", t["name"], t["source_sha256"], "compiled into the stub:",
              t["version"], t["license"])
    for c in listing["components"]:
        blobname = c["name"] + "-index" if c["kind"] == "index" else c["name"]
        b = under(art, "CONTAINS", blobname, c["sha256"], c["kind"], c["version"])
        if not b:
            continue
        srcs = {}
        for t in c["built_from"]:
            for p in [p for (k, kind), v in kids.items() if kind == "GENERATED_FROM" for p in v]:
                if p and p["name"] == t["name"] and digest(p) == t["source_sha256"] and \
                        p.get("versionInfo") == t["version"] and p.get("licenseDeclared") == t["license"]:
                    srcs[t["name"]] = p
            check(t["name"] in srcs, "%s: %s's source %s %s (Debian %s, %s), its tarball's "
                  "sha256 %s" % (name, c["name"], t["name"], t["version"], t["debian_version"],
                                 t["license"], t["source_sha256"][:16]))
        files = {}
        if c["kind"] == "engine":
            for d, _, fs in os.walk(engine_dir):
                for f in fs:
                    files[f] = sha(os.path.join(d, f))
        elif c["kind"] == "tools":
            check(sha(tools_tgz) == c["sha256"], "%s: the carried iptables is %s" % (name, tools_tgz))
            with tarfile.open(tools_tgz) as t:
                for m in t:
                    if m.isfile() and not m.name.endswith("/COMPONENTS"):
                        files[os.path.basename(m.name)] = hashlib.sha256(
                            t.extractfile(m).read()).hexdigest()
        for f, h in sorted(files.items()):
            p = under(b, "CONTAINS", f, h, "program")
            if p and c["built_from"]:
                gen = [x for x in kids.get((p["SPDXID"], "GENERATED_FROM"), []) if x]
                check(gen and all(x in srcs.values() for x in gen),
                      "%s: %s is GENERATED_FROM %s" % (name, f, ", ".join(x["name"] for x in gen)))


def main():
    a = sys.argv[1:]
    doc = json.load(open(a[0]))
    ids = set(json.load(open(a[1])))
    pk, rel, top = form(doc, ids)
    listing = json.load(open(a[3]))
    if len(a) > 6:
        z, manifest = a[6], a[7]
        zp = pk.get(top, {})
        check(digest(zp) == sha(z), "%s: the zip's SHA-256 is the file's" % doc["name"])
        inside = [pk.get(r["relatedSpdxElement"]) for r in rel
                  if r["spdxElementId"] == top and r["relationshipType"] == "CONTAINS"]
        check(any(p and p["name"] == "HandlerManifest.json" and digest(p) == sha(manifest)
                  for p in inside), "%s: HandlerManifest.json, the committed one" % doc["name"])
        check(any(p and p["SPDXID"] == "SPDXRef-Artifact" and p.get("packageFileName") ==
                  "bin/dockdrop" and digest(p) == sha(a[2]) for p in inside),
              "%s: bin/dockdrop, the artifact %s" % (doc["name"], os.path.basename(a[2])))
    complete(doc, pk, rel, a[2], listing, a[4], a[5])
    names = {p["name"] for p in pk.values() if digest(p)}
    want = ["dockdrop", "musl", "bearssl", "zlib", "dockerd", "docker", "containerd",
            "containerd-shim-runc-v2", "ctr", "runc", "docker-init", "docker-proxy", "docker.io",
            "tini", "iptables", "xtables-legacy-multi"]
    check(all(w in names for w in want), "%s: names %s, each with a SHA-256 (missing: %s)" % (
        doc["name"], " ".join(want), [w for w in want if w not in names]))
    check(not any("cjson" in n.lower() for n in names),
          "%s: no cJSON (linked by host-side tests only, not inside)" % doc["name"])
    sys.exit(1 if fails else 0)


main()
