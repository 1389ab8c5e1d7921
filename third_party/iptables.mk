# The iptables dockdrop carries (issue 12): dockerd runs `iptables` and `ip6tables` from its
# PATH, and minimal hosts have neither. Static, stripped musl builds of iptables' multi-call
# binaries, made from the pinned Debian sources (third_party/lock; fetch.sh has verified,
# unpacked and patched them into SRC), packed reproducibly for the bundle:
#   make -f third_party/iptables.mk SRC=build/third_party/src OUT=build/carry CC=musl-gcc
# -> OUT/iptables-VERSION.tgz holding iptables/ (0755) with xtables-legacy-multi and, when
# libmnl and libnftnl are pinned, xtables-nft-multi (0755), and iptables/COMPONENTS (0644:
# NAME VERSION DEBIAN_VERSION LICENSE ORIG_SHA256, one line each); OUT/iptables.env gives
# its path, version and digest (IPTABLES_MODES: nft,legacy or legacy). Nothing is
# installed on the build machine; the objects stay in OUT/obj.
#
# The nf_tables binary needs libmnl and libnftnl: it is built exactly when both have active
# rows in the lock (their rows are there, commented out, while the Debian archive this build
# reaches does not serve their sources).
#
# Every iptables extension is linked in (--enable-static: the initext tables call each
# extension's init), but what needs a library not carried: connlabel (the label names of
# libnetfilter_conntrack), the BPF compiler and nfsynproxy (libpcap), nfnl_osf
# (libnfnetlink) and libipq. dockerd (20.10 and 28) uses none of them: its rules use
# addrtype, conntrack, comment, tcp/udp, multiport, physdev, set and the DNAT, SNAT,
# MASQUERADE, REJECT, RETURN and ACCEPT/DROP targets.
IPT_MK := $(lastword $(MAKEFILE_LIST))
SRC ?= build/third_party/src
OUT ?= build/carry
CC ?= musl-gcc
LOCK ?= third_party/lock
STRIP ?= strip
AR ?= ar
# Another architecture's build (make ARCH=arm64): configure's --host, and KHDR and KARCH
# then name the cross toolchain's kernel headers (/usr/aarch64-linux-gnu/include).
HOST ?=
# linux-libc-dev's headers (musl-gcc has no kernel headers; /usr/include itself is never
# added, so no glibc header can leak into the build).
KHDR ?= /usr/include
KARCH ?= /usr/include/$(shell gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)

OBJ := $(OUT)/obj
ASRC := $(abspath $(SRC))
AOBJ := $(abspath $(OBJ))
row = $(shell awk -v n=$(1) '!/^\#/ && NF == 7 && $$1 == n && $$5 == "orig" { print $$$(2) }' $(LOCK))
IPT_VERSION := $(call row,iptables,2)
NFT := $(if $(and $(call row,libmnl,2),$(call row,libnftnl,2)),1)
TGZ := $(OUT)/iptables-$(IPT_VERSION).tgz
BINS := $(strip $(if $(NFT),xtables-nft-multi) xtables-legacy-multi)
COMPONENTS := iptables $(if $(NFT),libnftnl libmnl)

# Built for size like the stub; the build paths are mapped away (assert() keeps __FILE__)
# so that two builds in different directories give the same bytes.
IPT_CFLAGS := -Os -fstack-protector-strong -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -ffile-prefix-map=$(ASRC)/= \
	-ffile-prefix-map=$(AOBJ)/=
KINC := -isystem $(AOBJ)/kinc

all: $(OUT)/iptables.env

$(OBJ)/kinc/.stamp: $(IPT_MK)
	@test -f $(KHDR)/linux/netfilter.h && test -d $(KARCH)/asm || \
		{ echo "dockdrop build: no kernel headers in $(KHDR)/linux or $(KARCH)/asm: install linux-libc-dev" >&2; exit 1; }
	@rm -rf $(@D) && mkdir -p $(@D)
	@ln -s $(KHDR)/linux $(KHDR)/asm-generic $(KARCH)/asm $(@D)/
	@touch $@

# libmnl and libnftnl: their few sources compiled as they are (their configure only finds
# visibility support and the large-file flags), into static archives.
$(OBJ)/nl/config.h: $(IPT_MK)
	@mkdir -p $(@D)
	@echo '#define HAVE_VISIBILITY_HIDDEN 1' >$@
NL_FLAGS = $(IPT_CFLAGS) -w -D_FILE_OFFSET_BITS=64 -D_REENTRANT -fvisibility=hidden -I$(OBJ)/nl
MNL_C = $(sort $(wildcard $(SRC)/libmnl/src/*.c))
NFTNL_C = $(sort $(wildcard $(SRC)/libnftnl/src/*.c $(SRC)/libnftnl/src/expr/*.c $(SRC)/libnftnl/src/obj/*.c))
$(OBJ)/lib/libmnl.a: $(patsubst $(SRC)/%.c,$(OBJ)/nl/%.o,$(MNL_C))
$(OBJ)/lib/libnftnl.a: $(patsubst $(SRC)/%.c,$(OBJ)/nl/%.o,$(NFTNL_C))
$(OBJ)/lib/%.a:
	@mkdir -p $(@D)
	@rm -f $@ && $(AR) rcsD $@ $^
$(OBJ)/nl/libmnl/%.o: $(SRC)/libmnl/%.c $(OBJ)/nl/config.h $(OBJ)/kinc/.stamp
	@mkdir -p $(@D)
	@$(CC) $(NL_FLAGS) -I$(SRC)/libmnl/include $(KINC) -c -o $@ $<
$(OBJ)/nl/libnftnl/%.o: $(SRC)/libnftnl/%.c $(OBJ)/nl/config.h $(OBJ)/kinc/.stamp
	@mkdir -p $(@D)
	@$(CC) $(NL_FLAGS) -I$(SRC)/libnftnl/include -I$(SRC)/libmnl/include $(KINC) -c -o $@ $<

# iptables' own configure, out of tree. pkg-config sees only OBJ/pkgconfig (empty): the
# two libraries are named through configure's variables, and nothing of the host's
# (libnfnetlink, libnetfilter_conntrack) is found by accident.
NL_LIBS := $(if $(NFT),$(OBJ)/lib/libnftnl.a $(OBJ)/lib/libmnl.a)
$(OBJ)/iptables/config.status: $(SRC)/iptables/.dockdrop-stamp $(NL_LIBS) $(OBJ)/kinc/.stamp $(IPT_MK)
	@rm -rf $(@D) && mkdir -p $(@D) $(OBJ)/pkgconfig
	@cd $(@D) && env PKG_CONFIG_LIBDIR=$(AOBJ)/pkgconfig PKG_CONFIG_PATH= \
		libmnl_CFLAGS="-I$(ASRC)/libmnl/include" libmnl_LIBS="$(AOBJ)/lib/libmnl.a" \
		libnftnl_CFLAGS="-I$(ASRC)/libnftnl/include" \
		libnftnl_LIBS="$(AOBJ)/lib/libnftnl.a $(AOBJ)/lib/libmnl.a" \
		$(ASRC)/iptables/configure CC="$(CC)" CPPFLAGS="$(KINC)" CFLAGS="$(IPT_CFLAGS)" \
		$(if $(HOST),--host=$(HOST)) --prefix=/usr --sysconfdir=/etc --enable-static --disable-shared \
		--disable-connlabel --disable-bpf-compiler --disable-nfsynproxy --disable-libipq \
		$(if $(NFT),,--disable-nftables) --disable-dependency-tracking \
		>configure.log 2>&1 || { tail -20 configure.log >&2; exit 1; }

# -all-static: libtool's word for a static link of libc too.
$(OBJ)/iptables/.built: $(OBJ)/iptables/config.status
	@$(MAKE) -C $(@D) LDFLAGS="-all-static -Wl,--gc-sections" >$(@D)/make.log 2>&1 || \
		{ grep -B2 -A5 'error' $(@D)/make.log | tail -30 >&2; exit 1; }
	@touch $@

# The Debian copyright files' licences (the "Files: *" stanza) as SPDX identifiers.
LICENSE_SH := $(dir $(IPT_MK))license.sh

# The tarball: names sorted, root-owned, modes fixed, every time the Debian changelog's
# (the newest file of the iptables debian tarball), gzip -n: the same sources give the
# same bytes.
$(OUT)/iptables.env: $(OBJ)/iptables/.built $(LOCK) $(LICENSE_SH) $(dir $(IPT_MK))spdx.sed
	@rm -rf $(OBJ)/stage && mkdir -p $(OBJ)/stage/iptables
	@for b in $(BINS); do $(STRIP) -o $(OBJ)/stage/iptables/$$b $(OBJ)/iptables/iptables/$$b || exit 1; done
	@for c in $(COMPONENTS); do \
		awk -v n=$$c '!/^#/ && NF == 7 && $$1 == n && $$5 == "orig" { printf "%s %s %s ", $$1, $$2, $$4 }' $(LOCK); \
		sh $(LICENSE_SH) $(SRC)/$$c/debian-pkg/debian/copyright | tr '\n' ' '; \
		awk -v n=$$c '!/^#/ && NF == 7 && $$1 == n && $$5 == "orig" { print $$7 }' $(LOCK); \
	done >$(OBJ)/stage/iptables/COMPONENTS
	@awk 'NF != 5 || $$4 !~ /^[A-Z][A-Za-z0-9.+-]*$$/ { exit 1 }' $(OBJ)/stage/iptables/COMPONENTS || \
		{ echo "dockdrop build: a license or digest missing in $(OBJ)/stage/iptables/COMPONENTS" >&2; exit 1; }
	@chmod 0755 $(OBJ)/stage/iptables $(addprefix $(OBJ)/stage/iptables/,$(BINS))
	@chmod 0644 $(OBJ)/stage/iptables/COMPONENTS
	@epoch=$$(find $(SRC)/iptables/debian-pkg -type f -printf '%T@\n' | sort -n | tail -1 | cut -d. -f1) && \
	rm -f $(OUT)/iptables-*.tgz && \
	tar -C $(OBJ)/stage --sort=name --format=gnu --owner=0 --group=0 --numeric-owner \
		--mtime=@$$epoch -cf - iptables | gzip -n -9 >$(TGZ).tmp && mv $(TGZ).tmp $(TGZ)
	@printf 'IPTABLES_FILE=%s\nIPTABLES_VERSION=%s\nIPTABLES_SHA256=%s\nIPTABLES_MODES=%s\n' \
		$(abspath $(TGZ)) $(IPT_VERSION) $$(sha256sum $(TGZ) | cut -d' ' -f1) \
		$(if $(NFT),nft$(,)legacy,legacy) >$@
	@echo "built $(TGZ) ($$(stat -c %s $(TGZ)) bytes: $(BINS))"

, := ,
.PHONY: all
.DELETE_ON_ERROR:
