# A Debian copyright file's licence short names (its "Files: *" stanza) as SPDX identifiers:
# sed -f third_party/spdx.sed (third_party/license.sh).
s/^GPL-2$/GPL-2.0-only/
s/^GPL-2+$/GPL-2.0-or-later/
s/^LGPL-2.1$/LGPL-2.1-only/
s/^LGPL-2.1+$/LGPL-2.1-or-later/
s/^Expat$/MIT/
s/^BSD-3-clause$/BSD-3-Clause/
s/^BSD-2-clause$/BSD-2-Clause/
