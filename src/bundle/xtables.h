/* The iptables dockdrop carries beside the engine (blob kind "tools", name "iptables"), so
 * that dockerd's bridge networking works on a host without an iptables package. The
 * tarball (third_party/iptables.mk) holds exactly
 *   iptables/xtables-legacy-multi   a static program
 *   iptables/xtables-nft-multi      a static program, only when built with libnftnl and
 *                                   libmnl (their sources are optional inputs of the build)
 *   iptables/COMPONENTS             NAME VERSION DEBVERSION LICENSE SHA256, one line per
 *                                   source it is built from, iptables first (libnftnl
 *                                   among them exactly when xtables-nft-multi is there)
 * It is unpacked into the engine's directory (NAME/iptables/), where install adds the
 * names dockerd runs (iptables, ip6tables and their -save and -restore) as links to the
 * multi-call program of the backend chosen for the host; the services put that
 * directory on dockerd's PATH after the system directories. */
#ifndef DD_BUNDLE_XTABLES_H
#define DD_BUNDLE_XTABLES_H

#include <stddef.h>

#include "bundle/format.h"

#define DD_XT_KIND "tools"
#define DD_XT_NAME "iptables"
#define DD_XT_DIR "iptables"
#define DD_XT_NFT "xtables-nft-multi"
#define DD_XT_LEGACY "xtables-legacy-multi"
#define DD_XT_NNAMES 6
extern const char *const dd_xt_names[DD_XT_NNAMES];

/* The carried iptables blob of p's manifest for arch, or NULL. */
const struct dd_blob *dd_xt_blob(const struct dd_manifest *m, const char *arch);
/* 1 when blob bi of m (the carried iptables) has the nft backend: it is built from
 * libnftnl (bundle checks that this matches the tarball). */
int dd_xt_has_nft(const struct dd_manifest *m, unsigned bi);
/* "nft" or "legacy" for DD_XT_NFT or DD_XT_LEGACY, NULL for anything else. */
const char *dd_xt_backend(const char *prog);

/* bundle: check the tarball at path (layout, static programs of one architecture,
 * COMPONENTS), fill b (kind, name, version from COMPONENTS' first line, arch, length,
 * SHA-256) and append its parts to m for blob index bi. 0, or an exit code with err. */
int dd_xt_scan(const char *path, struct dd_manifest *m, unsigned bi, char *err, size_t errsz);
/* unpack: the staged tree at the directory fd top holds the layout; make the names as
 * links to prog (DD_XT_NFT or DD_XT_LEGACY) in top/iptables. 0, or -1 with a reason. */
int dd_xt_finish(int top, const char *prog, char *why, size_t whysz);

#endif
