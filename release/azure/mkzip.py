#!/usr/bin/env python3
# The Azure VM-extension handler package (AZURE.md 2): a zip with HandlerManifest.json at
# its root and the bundled dockdrop as bin/dockdrop, the paths the manifest's commands name.
#   mkzip.py OUT MANIFEST DOCKDROP [EPOCH]
# Same inputs, same bytes: each entry's time is EPOCH (the last commit's, SOURCE_DATE_EPOCH),
# its mode fixed (0644, 0755: unzip gives bin/dockdrop its execute bit; the agent adds u+x
# to every file anyway). Written beside OUT, then renamed: no half zip under OUT's name.
import os
import sys
import time
import zipfile


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit("usage: mkzip.py OUT MANIFEST DOCKDROP [EPOCH]")
    out, manifest, binary = sys.argv[1:4]
    epoch = max(int(sys.argv[4]) if len(sys.argv) == 5 else 0, 315532800)  # zip starts at 1980
    when = time.gmtime(epoch)[:6]
    tmp = out + ".tmp"
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
            for src, name, mode in ((manifest, "HandlerManifest.json", 0o644),
                                    (None, "bin/", 0o755),
                                    (binary, "bin/dockdrop", 0o755)):
                info = zipfile.ZipInfo(name, when)
                info.create_system = 3  # Unix: the mode below is read by unzip
                if src is None:
                    info.external_attr = (0o040000 | mode) << 16 | 0x10
                    z.writestr(info, b"")
                    continue
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                info.file_size = os.path.getsize(src)
                with open(src, "rb") as f, z.open(info, "w") as w:
                    while True:
                        b = f.read(1 << 20)
                        if not b:
                            break
                        w.write(b)
        os.rename(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


main()
