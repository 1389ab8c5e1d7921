#!/usr/bin/env python3
# SPDX 2.3 JSON software bills of materials for the release artifacts (release/mkrelease.sh).
#
#   sbom.py bundle ARTIFACT LIST.json OUT --version V --commit C --arch A --epoch E
#   sbom.py zip ZIP ARTIFACT-SBOM OUT --epoch E
#
# bundle: what a dockdrop carries, as the program itself says it: LIST.json is the artifact's
# own `dockdrop list --json` (its signed manifest, checked by `dockdrop verify` first): the
# stub and what it is built from (musl, BearSSL, zlib), each blob (the engine, its index,
# the carried iptables, images, plugins) and the sources each is built from, with versions,
# Debian versions, SPDX licences and the SHA-256 of each source tarball. The locks add each
# tarball's file name (release/sources.lock, third_party/lock: matched by digest), and
# release/engine.map which of the engine's programs is built from which source. The
# programs inside the engine and iptables tarballs are read from the artifact's own bytes
# (each blob's digest checked against LIST.json first) and listed with their digests.
# zip: the Azure handler package: the zip, its HandlerManifest.json and bin/dockdrop, which
# is ARTIFACT-SBOM's artifact (the same digest): its packages and relationships follow.
#
# The same inputs give the same bytes: the creation time is E (SOURCE_DATE_EPOCH), the
# namespace is made of the artifact's name and digest, and the keys are written sorted.
import argparse
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
NAMESPACE = "https://dockdrop.invalid/spdx/"
TOOL = "Tool: dockdrop-release-sbom"


def die(msg):
    sys.exit("sbom.py: " + msg)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def spdx_id(*words):
    """SPDXRef- and the words joined by "-", each word's characters outside SPDX's
    [A-Za-z0-9.-] made "-" too (docker.io:cli -> docker.io-cli; containerd-shim-runc-v2
    stays itself). Two packages given the same ID stop the build (Bom.add)."""
    return "SPDXRef-" + "-".join(re.sub(r"[^A-Za-z0-9.-]+", "-", w) for w in words)


def lock_files():
    """source tarball digest -> (file name, Debian source name) from both locks (the
    same columns in each: NAME VERSION SOURCE DEBVERSION ROLE-OR-LICENSE FILE SHA256)."""
    files = {}
    for path in ("release/sources.lock", "third_party/lock"):
        with open(os.path.join(TOP, path)) as f:
            for line in f:
                w = line.split()
                if len(w) == 7 and not line.startswith("#"):
                    files[w[6]] = (w[5], w[2])
    return files


def engine_map():
    """program name -> (Debian binary package, [part names])"""
    m = {}
    with open(os.path.join(HERE, "engine.map")) as f:
        for line in f:
            w = line.split()
            if len(w) >= 4 and not line.startswith("#"):
                m[w[0]] = (w[1], w[3:])
    return m


def pool_url(source, file):
    prefix = source[:4] if source.startswith("lib") else source[0]
    return "https://deb.debian.org/debian/pool/main/%s/%s/%s" % (prefix, source, file)


def created(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def document(name, digest, epoch, packages, relationships, describes):
    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": NAMESPACE + name + "-" + digest,
        "creationInfo": {"created": created(epoch), "creators": [TOOL]},
        "documentDescribes": [describes],
        "packages": packages,
        "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                           "relatedSpdxElement": describes}] + relationships,
    }


def package(spdxid, name, version, sha256, license, purpose, **extra):
    p = {
        "SPDXID": spdxid,
        "name": name,
        "versionInfo": version,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": False,
        "checksums": [{"algorithm": "SHA256", "checksumValue": sha256}],
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": license,
        "copyrightText": "NOASSERTION",
        "primaryPackagePurpose": purpose,
    }
    p.update(extra)
    return p


class Bom:
    def __init__(self):
        self.packages, self.relationships, self.ids = [], [], set()

    def add(self, p):
        if p["SPDXID"] in self.ids:
            die("two packages would be " + p["SPDXID"])
        self.ids.add(p["SPDXID"])
        self.packages.append(p)
        return p["SPDXID"]

    def rel(self, a, kind, b):
        self.relationships.append({"spdxElementId": a, "relationshipType": kind,
                                   "relatedSpdxElement": b})

    def part(self, owner, t, files, purpose="SOURCE"):
        """A source a blob is built from, or a library the stub is (purpose LIBRARY): its
        tarball, found in the locks by its digest."""
        if t["source_sha256"] not in files:
            die("%s %s: source digest %s is in no lock" % (t["name"], t["version"],
                                                           t["source_sha256"]))
        file, source = files[t["source_sha256"]]
        debver = t["debian_version"]
        extra = {
            "supplier": "Organization: Debian",
            "packageFileName": file,
            "downloadLocation": pool_url(source, file),
            "sourceInfo": "Debian source package %s %s (its tarball %s)" % (source, debver, file),
            "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                              "referenceLocator": "pkg:deb/debian/%s@%s?arch=source" % (
                                  source, debver.replace("+", "%2B").replace(":", "%3A"))}],
        }
        return self.add(package(spdx_id(owner, t["name"]), t["name"], t["version"],
                                t["source_sha256"], t["license"], purpose, **extra))


def blob_files(artifact, off, size, want):
    """The regular files of a gzip tar blob at [off, off+size): name -> SHA-256; the blob's
    own digest checked first."""
    with open(artifact, "rb") as f:
        f.seek(off)
        data = f.read(size)
    if len(data) != size or hashlib.sha256(data).hexdigest() != want:
        die("%s: the blob at %d (%d bytes) is not the one the manifest names" %
            (artifact, off, size))
    out = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as t:
        for m in t:
            if m.isfile():
                out[m.name.removeprefix("./")] = hashlib.sha256(t.extractfile(m).read()).hexdigest()
    return out


def bundle(a):
    listing = json.load(open(a.list))
    name = os.path.basename(a.artifact)
    digest = sha256_file(a.artifact)
    files, emap, b = lock_files(), engine_map(), Bom()
    top = b.add(package("SPDXRef-Artifact", "dockdrop", a.version, digest, "NOASSERTION",
                        "APPLICATION", packageFileName=name,
                        comment="dockdrop %s for %s (commit %s): the program and the payload "
                        "appended to it; what each part is under is in its own package"
                        % (a.version, a.arch, a.commit)))
    stub = listing["stub"]
    sid = b.add(package("SPDXRef-Stub", "dockdrop", a.version, stub["sha256"], "Apache-2.0",
                        "APPLICATION", packageFileName="dockdrop",
                        comment="the statically linked program (commit %s), the first %d bytes "
                        "of the artifact" % (a.commit, stub["size"])))
    b.rel(top, "CONTAINS", sid)
    for t in stub["built_from"]:
        b.rel(sid, "STATIC_LINK", b.part("Stub", t, files, "LIBRARY"))
    off = stub["size"]
    for i, c in enumerate(listing["components"]):
        kind = c["kind"]
        label = "%s %s %s" % (c["name"], c["version"], c["arch"])
        purpose = {"engine": "ARCHIVE", "tools": "ARCHIVE", "image": "CONTAINER",
                   "plugin": "APPLICATION"}.get(kind, "OTHER")
        extra = {"comment": "%s blob %d of the payload: %s" % (kind, i, label)}
        if kind == "index":
            extra["comment"] += " (dockdrop's access points into the engine's gzip stream)"
        if kind == "plugin" and "raw_sha256" in c:
            extra["comment"] += "; stored gzip-compressed, the program's SHA-256 %s (%d bytes)" % (
                c["raw_sha256"], c["raw_size"])
        if kind == "image":
            extra["comment"] += "; images: " + ", ".join(
                "%s (id sha256:%s)" % (r["tag"], r["id"]) for r in c.get("images", []))
        lic = "Apache-2.0" if kind == "index" else "NOASSERTION"
        bname = c["name"] + "-index" if kind == "index" else c["name"]
        bid = b.add(package(spdx_id("Blob%d" % i, kind, c["name"]), bname, c["version"],
                            c["sha256"], lic, purpose, **extra))
        b.rel(top, "CONTAINS", bid)
        parts = {t["name"]: b.part("Blob%d-Source" % i, t, files) for t in c["built_from"]}
        if kind in ("engine", "tools"):
            used = set()
            for path, h in sorted(blob_files(a.artifact, off, c["size"], c["sha256"]).items()):
                prog = os.path.basename(path)
                if kind == "engine":
                    pkg, srcs = emap.get(prog, (None, []))
                    srcs = [s for s in srcs if s in parts]
                else:
                    pkg, srcs = None, list(parts)
                if path.endswith("/COMPONENTS"):
                    continue
                lic = " AND ".join(sorted({t["license"] for t in c["built_from"]
                                           if t["name"] in srcs})) or "NOASSERTION"
                fx = {"packageFileName": path}
                if srcs:
                    t0 = next(t for t in c["built_from"] if t["name"] == srcs[0])
                    fx["sourceInfo"] = "built from %s" % ", ".join(
                        "%s %s" % (s, t0["debian_version"]) for s in srcs)
                    if pkg:
                        fx["supplier"] = "Organization: Debian"
                        fx["sourceInfo"] = "Debian binary package %s, %s" % (pkg, fx["sourceInfo"])
                version = next((t["version"] for t in c["built_from"] if t["name"] in srcs),
                               c["version"])
                pid = b.add(package(spdx_id("Blob%d-File" % i, prog), prog, version, h, lic,
                                    "APPLICATION", **fx))
                b.rel(bid, "CONTAINS", pid)
                for s in srcs:
                    b.rel(pid, "GENERATED_FROM", parts[s])
                    used.add(s)
            for s in sorted(set(parts) - used):
                b.rel(bid, "GENERATED_FROM", parts[s])
        else:
            for s in sorted(parts):
                b.rel(bid, "GENERATED_FROM", parts[s])
        off += c["size"]
    return document(name, digest, a.epoch, b.packages, b.relationships, top)


def handler_zip(a):
    inner = json.load(open(a.sbom))
    name = os.path.basename(a.zip)
    digest = sha256_file(a.zip)
    art = next(p for p in inner["packages"] if p["SPDXID"] == "SPDXRef-Artifact")
    b = Bom()
    top = b.add(package("SPDXRef-HandlerZip", "dockdrop-azure", art["versionInfo"], digest,
                        "NOASSERTION", "INSTALL", packageFileName=name,
                        comment="the Azure VM-extension handler package: HandlerManifest.json "
                        "and bin/dockdrop"))
    with zipfile.ZipFile(a.zip) as z:
        got = {i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()
               if not i.is_dir()}
    if got.get("bin/dockdrop") != art["checksums"][0]["checksumValue"]:
        die("%s: bin/dockdrop is not %s's artifact" % (a.zip, a.sbom))
    for f, h in sorted(got.items()):
        if f == "bin/dockdrop":
            continue
        b.rel(top, "CONTAINS", b.add(package(spdx_id("Zip", f), f, art["versionInfo"], h,
                                             "Apache-2.0", "FILE", packageFileName=f)))
    for p in inner["packages"]:
        p = dict(p)
        if p["SPDXID"] == "SPDXRef-Artifact":
            p["packageFileName"] = "bin/dockdrop"
        b.add(p)
    b.rel(top, "CONTAINS", "SPDXRef-Artifact")
    b.relationships += [r for r in inner["relationships"]
                        if r["spdxElementId"] != "SPDXRef-DOCUMENT"]
    return document(name, digest, a.epoch, b.packages, b.relationships, top)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("bundle")
    p.add_argument("artifact")
    p.add_argument("list")
    p.add_argument("out")
    p.add_argument("--version", required=True)
    p.add_argument("--commit", required=True)
    p.add_argument("--arch", required=True)
    p.add_argument("--epoch", type=int, required=True)
    p = sub.add_parser("zip")
    p.add_argument("zip")
    p.add_argument("sbom")
    p.add_argument("out")
    p.add_argument("--epoch", type=int, required=True)
    a = ap.parse_args()
    doc = bundle(a) if a.cmd == "bundle" else handler_zip(a)
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    os.rename(tmp, a.out)


main()
