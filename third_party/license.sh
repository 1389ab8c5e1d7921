#!/bin/sh
# The SPDX licence of a Debian copyright file: the License: of its "Files: *" stanza, in
# SPDX's words (spdx.sed). For the component lists (release/components.sh, iptables.mk)
# and release/sources.lock's rows (release/lock-sources.sh).
#   license.sh COPYRIGHT-FILE   -> one SPDX expression, or nothing
set -eu
awk '/^Files:/ { f = ($2 == "*") } f && /^License:/ { print $2; exit }' "${1:?usage: license.sh COPYRIGHT-FILE}" |
	sed -f "$(dirname "$0")/spdx.sed"
