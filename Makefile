# dockdrop build. `make` builds build/dockdrop (the static, stripped stub) and dist/dockdrop
# (the stub carrying an engine); `make test` runs every test, `make check` the quick ones; `make test-vm` installs
# dist/dockdrop on a qemu VM (VARIANT=systemd nft sysv openrc apparmor; `make test-vm-all`
# each; `make test-vm-arm64` dist/arm64/dockdrop on an arm64 systemd VM, tests/vm).
# Third-party sources are fetched and verified by third_party/ (see its lock).
#   make ENGINE=path/docker-X.tgz [ENGINE_SHA256=hex]   carry that engine (default: one
#        assembled from Debian's docker.io, containerd, runc and tini by release/mkengine.sh)
#   make SIGN_PUB=key.pub     the stub trusts only payloads signed by that P-256 key
#   make SIGN_KEY=key.pem     sign dist/dockdrop's payload with that key
VERSION := 0.1.0
# ARCH=amd64 (the default: this machine, Debian's musl-gcc) or arm64: the stub cross-built
# for aarch64 with Debian's aarch64-linux-gnu-gcc and musl built from its pinned source
# (third_party/musl.mk), carrying Debian's arm64 engine, in build/arm64 and dist/arm64. Its
# tests run under qemu-aarch64-static (DD_EMU, tests/run.sh), unit tests static with musl.
# Everything that differs between the two is set here.
ARCH ?= amd64
ifeq ($(ARCH),arm64)
BUILD ?= build/arm64
DIST ?= dist/arm64
CROSS_TRIPLET := aarch64-linux-gnu
CROSS_COMPILE := $(CROSS_TRIPLET)-
MUSLCC ?= $(abspath $(BUILD))/cross/bin/musl-gcc
CROSS_MUSL := $(BUILD)/cross/.built
HOSTCC ?= $(MUSLCC) -static
# The tests' own build: static musl, no sanitizers (no runtime for them there).
SAN :=
# qemu-user runs the arm64 stub's bundle here (binfmt_misc is never registered).
RUN_STUB := qemu-aarch64-static
# The sources are the same for both: build/third_party, fetched once; and so is the private
# apt configuration (third_party/apt.sh: one apt-get update; arm64's lists apart, lists-arm64).
TP ?= build/third_party
DD_APT_DIR ?= $(abspath build)/apt
# No libFuzzer harnesses for arm64 (the amd64 build fuzzes the same code).
CLANG :=
# Atomics inline (LL/SC), for the stub and its libraries: gcc's default outline atomics
# (log.c's progress flags, zlib's crc32 once()) pull in libgcc's helpers, its AT_HWCAP
# probe and their unwind tables, 184 bytes; two flags are not hot code.
ARCH_CFLAGS := -mno-outline-atomics
ARCH_LDFLAGS := -Wl,-z,common-page-size=64
ifneq ($(filter release,$(MAKECMDGOALS)),)
$(error make release builds both architectures: run it without ARCH=)
endif
else ifeq ($(ARCH),amd64)
# x86 only: -malign-data=abi for the stub and its libraries (SIZE_FLAGS). Both:
# -z common-page-size=64 (MUSL_LDFLAGS).
ARCH_CFLAGS := -malign-data=abi
ARCH_LDFLAGS := -Wl,-z,common-page-size=64
else
$(error ARCH=$(ARCH): use amd64 or arm64)
endif
BUILD ?= build
MUSLCC ?= musl-gcc
HOSTCC ?= cc
THIRD_PARTY_DIR ?=
export THIRD_PARTY_DIR
DIST ?= dist
# make splits prerequisites and flags at spaces: no path of the build may hold one.
ifneq ($(words $(CURDIR)),1)
$(error dockdrop build: the checkout's path "$(CURDIR)" holds a space, which make cannot build in: clone or move it to a path without spaces)
endif
ifneq ($(words $(BUILD) $(DIST)),2)
$(error dockdrop build: BUILD="$(BUILD)" or DIST="$(DIST)" holds a space, which make cannot build in: give paths without spaces)
endif
ENGINE ?=
ENGINE_SHA256 ?=
SIGN_PUB ?=
SIGN_KEY ?=

COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
ifneq ($(shell git status --porcelain --untracked-files=no 2>/dev/null | head -c1),)
COMMIT := $(COMMIT)-dirty
endif
# The last commit's date: the clock check in install refuses a clock before it.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

SRCS := $(shell find src -name '*.c' | LC_ALL=C sort)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# Include paths are absolute, so that the flags (recorded in $(BUILD)/musl/cflags: a change
# rebuilds) are the same text whether BUILD is given relative or absolute: tests run make
# with BUILD absolute (test_dist), and a rebuild then relinked the stub in place while
# other tests ran it.
BUILD_ABS := $(abspath $(BUILD))
CFLAGS_COMMON := -std=c11 -D_GNU_SOURCE $(WARN) -Isrc -I$(BUILD_ABS)/gen

# The stub is built for size (issue 11: under 400 KB; tests/cli/test_static.sh): -Oz (gcc
# 12: -Os and smaller still where it costs a few instructions: 3 KB less); no
# unwind tables (C has no exceptions and the binary is stripped: 40 KB of .eh_frame);
# -fno-pie (it is linked as a static ET_EXEC anyway: no relocations to carry). Where the
# time goes when users wait (extract, verify: inflate, CRC-32 and SHA-256) is in zlib and
# BearSSL, kept at -O2 by third_party/libs.mk; dockdrop's own code runs about as many
# instructions at -Oz as at -Os and -O2 there (a serial extract of the engine under
# cachegrind: 8.408e9 at -O2 and -Os; then 8,427,966,082 at -Oz, 8,427,964,591 at -Os).
# dockdrop's own code is optimised as one unit at link time (-flto): inlining and dead code
# across files, 12 KB of the stub (issue 13: 399,032 -> 386,744 bytes with the images); in
# one partition (-flto-partition=one: the whole program seen at once, 0.3 KB less; the link
# takes 4 s instead of 2).
# DD_OWN_VFPRINTF: printf's formatting is util/fmt.c's, without musl's floating point.
# DD_OWN_MALLOC: malloc and free are util/alloc.c's, a mapping per block (8 KB less).
# DD_OWN_STRTOL: strtol, strtoul, strtoll are util/strtol.c's, not scanf's reader (2.3 KB).
# DD_OWN_ADLER32: zlib's adler32 is archive/adler32.c's: zlib calls it only for zlib-wrapped
# streams, which dockdrop never reads (0.7 KB of unrolled code that never ran).
# -fno-builtin-printf: printf stays printf; gcc would make some calls puts or putchar, which
# link musl's puts and putchar beside it (0.5 KB). -mgeneral-regs-only: dockdrop's code has
# no floating point, and without SSE registers its variadic functions save six registers,
# not fourteen, and copies are made in general registers (0.9 KB); util/sha256.c's SHA-NI
# rounds ask for SSE themselves (a target attribute). The serial extract above: 8,427,336,096
# instructions with it; `dockdrop verify` runs as many (3,723,750,525 against 3,723,750,507).
# -ffile-prefix-map: no build path in the stub, whichever directory it is built in
# (tests/build/test_repro.sh builds one commit in two and compares the bytes).
# SIZE_FLAGS (issue 15: 7.3 KB of .text): passes that -Oz still runs and that make this
# code larger. -fno-optimize-sibling-calls: under -fstack-protector-strong every tail call
# repeats the canary check and the epilogue before its jmp; a call shares the one epilogue
# (3.3 KB). The others copy or move code to save a few cycles on paths dockdrop runs once:
# jump threading by the dominator pass, if-conversion, loop-invariant motion (GIMPLE and
# RTL), caller-saves, the "expensive" RTL passes, forward propagation, partial inlining and
# tail merging (4.7 KB together, each measured alone and with the rest). Two for .rodata:
# -malign-data=abi aligns arrays as the psABI says (16 bytes at most) where gcc's default
# gives those of 32 bytes or more 32 (0.6 KB of padding);
# -fno-jump-tables makes a switch a chain of compares, not a table of 8-byte addresses
# (0.5 KB of .rodata for 0.14 KB of .text). None of this touches zlib or BearSSL
# (third_party/libs.mk); under cachegrind the serial extract, verify and a P-256 CA and
# server certificate run as many instructions as before (tests/bench; the figures are in
# the commit messages).
# -malign-data is an x86 option (ARCH_CFLAGS: ARCH=arm64 builds go without it).
SIZE_FLAGS := -fno-optimize-sibling-calls -fno-tree-dominator-opts -fno-if-conversion \
	-fno-tree-loop-im -fno-move-loop-invariants -fno-caller-saves -fno-expensive-optimizations \
	-fno-tree-forwprop -fno-partial-inlining -fno-tree-tail-merge \
	-fno-jump-tables $(ARCH_CFLAGS)
MUSL_CFLAGS := -Oz $(CFLAGS_COMMON) -I$(BUILD_ABS)/musl/include -fstack-protector-strong \
	-ffile-prefix-map=$(CURDIR)/= -ffile-prefix-map=$(BUILD_ABS)/= \
	-ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fno-pie -flto=auto -fno-builtin-printf -mgeneral-regs-only -DDD_OWN_VFPRINTF -DDD_OWN_MALLOC -DDD_OWN_STRTOL -DDD_OWN_ADLER32 \
	$(SIZE_FLAGS)
# -z norelro: no PT_GNU_RELRO. Only a dynamic linker applies it (musl's ldso; a static musl
# program never does), and ld padded the file up to where its end would be page-aligned:
# on x86_64 up to 4 KB (576 bytes now), on aarch64, whose pages may be 64 KB, 42 KB
# (460,416 -> 418,168 bytes); the segments keep their alignment.
# release/stub.ld: .rodata beside the ELF headers, before the code (a page of padding less).
# x86_64, -z common-page-size=64 (ARCH_LDFLAGS): without RELRO, ld still moved the data
# segment to a page of its own when that saved a page of memory (its DATA_SEGMENT_ALIGN),
# padding the file up to 4 KB for it (1,088 bytes here); now at most 64 (the data may share
# a page with .rodata's end: one page more mapped, next to 19 MB of .bss). aarch64 the same
# since issue 16 (2,160 bytes there: its data had moved to a page of its own when the RSA
# generator's 1.9 MB of .bss came in).
MUSL_LDFLAGS := -Oz -flto=auto -flto-partition=one -static -no-pie -s -Wl,--gc-sections \
	-Wl,-z,norelro -Wl,-T,release/stub.ld $(ARCH_LDFLAGS)
MUSL_LIBS := $(BUILD)/musl/lib/libbearssl.a $(BUILD)/musl/lib/libz.a

SAN ?= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
HOST_CFLAGS := -g -O1 $(SAN) $(CFLAGS_COMMON) -I$(BUILD_ABS)/host/include
HOST_LIBS := $(BUILD)/host/lib/libbearssl.a $(BUILD)/host/lib/libz.a $(BUILD)/host/lib/libcjson.a

# Short lines while building; `make V=1` shows every command.
ifeq ($(V),1)
Q :=
else
Q := @
endif

TP ?= $(BUILD)/third_party
# apt-get runs with a private configuration here (third_party/apt.sh), never the machine's.
DD_APT_DIR ?= $(abspath $(BUILD))/apt
export DD_APT_DIR
TP_STAMP := $(TP)/src/.stamp

CLANG ?= $(shell command -v clang 2>/dev/null)
FUZZ_SECONDS ?= 10
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(if $(CLANG),$(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS)))
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -g -O1 $(CFLAGS_COMMON) -I$(BUILD_ABS)/host/include

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/host/tests/%,$(UNIT_SRCS))

all: $(BUILD)/dockdrop $(DIST)/dockdrop $(BUILD)/carry/iptables.env $(BUILD)/doc/dockdrop.1

# --- prerequisites and third-party libraries ---------------------------------------------
prereq:
	@sh third_party/prereq.sh $(ARCH)

# Every pinned source, musl's too (amd64 links Debian's musl-dev of that version, but its
# licence and digest come from the pin, for the stub's and the iptables' component lists).
$(TP_STAMP): third_party/lock third_party/fetch.sh | prereq
	$(Q)sh third_party/fetch.sh $(TP)
	@touch $@

ifneq ($(CROSS_MUSL),)
$(CROSS_MUSL): $(TP_STAMP) third_party/musl.mk | prereq
	@echo "  MUSL    $(BUILD)/cross (musl for aarch64 with $(CROSS_COMPILE)gcc)"
	$(Q)$(MAKE) -s -f third_party/musl.mk SRC=$(TP)/src OUT=$(BUILD)/cross TARGET=aarch64 \
		CROSS_COMPILE=$(CROSS_COMPILE)
endif
CROSS_TOOLS := $(if $(CROSS_COMPILE),AR=$(CROSS_COMPILE)ar STRIP=$(CROSS_COMPILE)strip)

# The libraries' flags from here (ARCH_CFLAGS): a change runs libs.mk, which rebuilds.
$(BUILD)/musl/tpflags: FORCE
	@mkdir -p $(@D)
	@echo '$(ARCH_CFLAGS)' >$@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@

$(MUSL_LIBS) &: $(TP_STAMP) third_party/libs.mk $(CROSS_MUSL) $(BUILD)/musl/tpflags | prereq
	@echo "  LIBS    $(BUILD)/musl (BearSSL, zlib with $(MUSLCC))"
	$(Q)$(MAKE) -s -f third_party/libs.mk SRC=$(TP)/src OUT=$(BUILD)/musl CC=$(MUSLCC) $(CROSS_TOOLS) \
		TP_XFLAGS="$(ARCH_CFLAGS)"
	@touch $(MUSL_LIBS)

$(HOST_LIBS) &: $(TP_STAMP) third_party/libs.mk $(CROSS_MUSL)
	@echo "  LIBS    $(BUILD)/host (BearSSL, zlib, cJSON with $(HOSTCC), for tests)"
	$(Q)$(MAKE) -s -f third_party/libs.mk SRC=$(TP)/src OUT=$(BUILD)/host CC="$(HOSTCC)" \
		TP_CFLAGS="-O1 -g" TP_HOT_CFLAGS="-O1 -g" CJSON=1 $(CROSS_TOOLS)
	@touch $(HOST_LIBS)

# The iptables carried beside the engine (issue 12): static musl builds from the pinned
# sources, packed into $(BUILD)/carry/iptables-VERSION.tgz (third_party/iptables.mk).
$(BUILD)/carry/iptables.env: $(TP_STAMP) third_party/iptables.mk $(CROSS_MUSL) | prereq
	@echo "  IPTABLES $(BUILD)/carry (static iptables with $(MUSLCC))"
	$(Q)$(MAKE) -s -f third_party/iptables.mk SRC=$(TP)/src OUT=$(BUILD)/carry CC=$(MUSLCC) \
		$(if $(CROSS_COMPILE),HOST=$(CROSS_TRIPLET) KHDR=/usr/$(CROSS_TRIPLET)/include \
		KARCH=/usr/$(CROSS_TRIPLET)/include) $(CROSS_TOOLS)
	@touch $@

# --- build information (rewritten only when it changes) ----------------------------------
$(BUILD)/gen/buildinfo.h: FORCE
	@mkdir -p $(@D)
	@printf '#define DD_VERSION "%s"\n#define DD_COMMIT "%s"\n#define DD_BUILD_EPOCH %sLL\n' \
		'$(VERSION)' '$(COMMIT)' '$(or $(SOURCE_DATE_EPOCH),0)' >$@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@

$(BUILD)/gen/signkey.h: FORCE
	@mkdir -p $(@D)
	$(Q)sh release/pubkey2h.sh $(SIGN_PUB) >$@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@

$(BUILD)/gen/engines.h: release/engines.lock
	@mkdir -p $(@D)
	$(Q)awk '!/^#/ && NF == 4 { printf "{ \"%s\", \"%s\", \"%s\", \"%s\" },\n", $$1, $$2, $$3, $$4 }' $< >$@

# The unit file and init script templates, gzip-compressed into the stub (units2h.sh).
UNIT_TEMPLATES := $(sort $(wildcard src/host/units/*))
$(BUILD)/gen/unit_text.h: release/units2h.sh $(UNIT_TEMPLATES)
	@mkdir -p $(@D)
	$(Q)sh release/units2h.sh $(UNIT_TEMPLATES) >$@.new && mv $@.new $@

# What the stub is built from (musl, BearSSL, zlib: versions, licences, source digests),
# compiled in for version, list, verify and the signed manifest (release/components.sh).
$(BUILD)/gen/components.h: $(TP_STAMP) third_party/lock release/components.sh third_party/license.sh \
	third_party/spdx.sed | prereq
	@mkdir -p $(@D)
	$(Q)sh release/components.sh $(TP)/src $(if $(CROSS_MUSL),--musl-built) >$@.new && mv $@.new $@

GEN := $(BUILD)/gen/buildinfo.h $(BUILD)/gen/signkey.h $(BUILD)/gen/engines.h \
	$(BUILD)/gen/unit_text.h $(BUILD)/gen/components.h

# --- the product -------------------------------------------------------------------------
MUSL_OBJS := $(patsubst src/%.c,$(BUILD)/musl/obj/dd/%.o,$(SRCS))

# Flags are part of what an object is made from: a change rebuilds them.
$(BUILD)/musl/cflags: FORCE
	@mkdir -p $(@D)
	@echo '$(MUSL_CFLAGS) $(MUSL_LDFLAGS)' >$@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@

$(BUILD)/musl/obj/dd/%.o: src/%.c $(MUSL_LIBS) $(BUILD)/musl/cflags | $(GEN) prereq
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(MUSLCC) $(MUSL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/dockdrop: $(MUSL_OBJS) $(MUSL_LIBS) release/stub.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(MUSLCC) $(MUSL_LDFLAGS) -o $@ $(MUSL_OBJS) $(MUSL_LIBS)
	@echo "built $@ ($$(stat -c %s $@) bytes)"

# The manual page, made by the stub itself from its --help tables (dockdrop man), for
# releases; install --with-docs writes the same page on a target.
$(BUILD)/doc/dockdrop.1: $(BUILD)/dockdrop
	@mkdir -p $(@D)
	$(Q)$(RUN_STUB) $(BUILD)/dockdrop man >$@.new && mv $@.new $@

# The bundled product. Without ENGINE, the engine is assembled from Debian's packages (its
# digest is computed and printed by mkengine.sh, then checked again by bundle). It carries
# the static iptables built in $(BUILD)/carry (bundle/xtables.h), for hosts without one.
ifeq ($(ENGINE),)
$(BUILD)/engine/engine.env: release/mkengine.sh release/debsource.sh release/sources.lock release/engine.map
	$(Q)sh release/mkengine.sh $(BUILD)/engine $(if $(CROSS_COMPILE),$(ARCH))

$(DIST)/dockdrop: $(BUILD)/dockdrop $(BUILD)/engine/engine.env $(BUILD)/carry/iptables.env
	@mkdir -p $(@D)
	$(Q). $(abspath $(BUILD))/engine/engine.env && . $(abspath $(BUILD))/carry/iptables.env && \
		$(RUN_STUB) $(BUILD)/dockdrop bundle -q --engine "$$ENGINE_FILE" \
		--sha256 "$$ENGINE_SHA256" --engine-version "$$ENGINE_VERSION" --iptables "$$IPTABLES_FILE" \
		--engine-parts "$$ENGINE_PARTS" \
		$(if $(SIGN_KEY),--sign-key $(SIGN_KEY)) -o $@
	@echo "built $@ ($$(stat -c %s $@) bytes)"
else
$(DIST)/dockdrop: $(BUILD)/dockdrop $(ENGINE) $(BUILD)/carry/iptables.env FORCE
	@mkdir -p $(@D)
	$(Q). $(abspath $(BUILD))/carry/iptables.env && \
		$(RUN_STUB) $(BUILD)/dockdrop bundle -q --engine $(ENGINE) $(if $(ENGINE_SHA256),--sha256 $(ENGINE_SHA256)) \
		--iptables "$$IPTABLES_FILE" $(if $(SIGN_KEY),--sign-key $(SIGN_KEY)) -o $@
	@echo "built $@ ($$(stat -c %s $@) bytes)"
endif

# The Azure VM-extension handler package (AZURE.md 2, 13.5): release/azure/HandlerManifest.json
# at the zip's root and dist/dockdrop as bin/dockdrop (tests/cli/test_release_zip.sh).
AZURE_ZIP := $(DIST)/azure/dockdrop-azure-$(VERSION).zip

$(AZURE_ZIP): $(DIST)/dockdrop release/azure/HandlerManifest.json release/azure/mkzip.py
	@mkdir -p $(@D)
	$(Q)python3 release/azure/mkzip.py $@ release/azure/HandlerManifest.json $(DIST)/dockdrop \
		$(or $(SOURCE_DATE_EPOCH),0)
	@echo "built $@ ($$(stat -c %s $@) bytes)"

# --- release -----------------------------------------------------------------------------
# `make release`: release/out/ (untracked, like build/): for each architecture
# dockdrop-VERSION-ARCH and the Azure handler package dockdrop-azure-VERSION-ARCH.zip (one
# per architecture: the agent runs bin/dockdrop itself, with no shell to choose a program,
# and each VM then downloads only its own), an SPDX 2.3 SBOM of each (.spdx.json:
# release/sbom.py, from the artifact's own `list --json`), the manual page
# dockdrop-VERSION.1 (the same for both: `dockdrop man`), and SHA256SUMS of them all
# (`sha256sum -c SHA256SUMS`); with SIGN_KEY also SHA256SUMS.sig (openssl dgst -sha256
# -sign: `openssl dgst -sha256 -verify KEY.pub -signature SHA256SUMS.sig SHA256SUMS`).
# Two builds of one commit give the same bytes (tests/build/test_repro.sh).
RELEASE_ARCHES := amd64 arm64
# Each architecture's build and dist, as make test makes them (BUILD and DIST given to make
# are amd64's: a sub-make would otherwise take them for arm64 too).
BUILD_amd64 = $(BUILD)
DIST_amd64 = $(DIST)
BUILD_arm64 = $(ARM64_BUILD)
DIST_arm64 = $(ARM64_DIST)
REL := release/out
# This ARCH's files first (make test builds them beside it: not twice at once).
release: $(BUILD)/dockdrop $(DIST)/dockdrop $(AZURE_ZIP) $(BUILD)/doc/dockdrop.1
	$(Q)rm -rf $(REL) && mkdir -p $(REL)
	$(Q)cp $(BUILD)/doc/dockdrop.1 $(REL)/dockdrop-$(VERSION).1
	$(Q)$(foreach a,$(RELEASE_ARCHES),$(MAKE) --no-print-directory ARCH=$(a) BUILD=$(BUILD_$(a)) \
		DIST=$(DIST_$(a)) TP=$(TP) release-arch &&) true
	$(Q)(cd $(REL) && LC_ALL=C ls | grep -v '^SHA256SUMS' | xargs sha256sum) >$(REL)/.sums && \
		mv $(REL)/.sums $(REL)/SHA256SUMS
	$(Q)$(if $(SIGN_KEY),$(MAKE) --no-print-directory release-sign)
	@echo "built $(REL): $$(ls $(REL) | tr '\n' ' ')"

# SHA256SUMS.sig of $(REL)/SHA256SUMS with SIGN_KEY (tests/build/test_release.sh).
release-sign:
	$(Q)openssl dgst -sha256 -sign "$(SIGN_KEY)" -out $(REL)/SHA256SUMS.sig $(REL)/SHA256SUMS

release-arch: $(BUILD)/dockdrop $(DIST)/dockdrop $(AZURE_ZIP)
	$(Q)sh release/mkrelease.sh $(ARCH) $(REL) $(VERSION) $(COMMIT) $(or $(SOURCE_DATE_EPOCH),0) \
		$(DIST)/dockdrop $(AZURE_ZIP) $(RUN_STUB)

# --- tests -------------------------------------------------------------------------------
# A stub that trusts a throw-away key made at build time, for the signature tests (release
# builds trust only SIGN_PUB). Same objects as the product but sign.o.
TESTKEY := $(BUILD)/testkey
$(TESTKEY)/sign.pem:
	@mkdir -p $(@D)
	$(Q)openssl ecparam -name prime256v1 -genkey -noout -out $@.new 2>/dev/null && mv $@.new $@
	$(Q)openssl ec -in $@ -pubout -out $(TESTKEY)/sign.pub 2>/dev/null

$(TESTKEY)/signkey.h: $(TESTKEY)/sign.pem
	$(Q)sh release/pubkey2h.sh $(TESTKEY)/sign.pub >$@

$(TESTKEY)/sign.o: src/bundle/sign.c $(TESTKEY)/signkey.h $(MUSL_LIBS) | $(GEN)
	$(Q)$(MUSLCC) -I$(TESTKEY) $(MUSL_CFLAGS) -c -o $@ $<

$(BUILD)/dockdrop-testkey: $(filter-out %/sign.o,$(MUSL_OBJS)) $(TESTKEY)/sign.o $(MUSL_LIBS) release/stub.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(MUSLCC) $(MUSL_LDFLAGS) -o $@ $(filter-out %.ld,$^)

HOST_OBJS := $(patsubst src/%.c,$(BUILD)/host/obj/dd/%.o,$(LIB_SRCS))

$(BUILD)/host/obj/dd/%.o: src/%.c $(HOST_LIBS) | $(GEN)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/host/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(HOST_OBJS) $(HOST_LIBS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -Itests/unit -o $@ $< $(HOST_OBJS) $(HOST_LIBS)

# util/alloc is the stub's malloc (DD_OWN_MALLOC): its test is built as the stub is, with
# musl and without the sanitizers, which bring a malloc of their own.
$(BUILD)/host/tests/test_alloc: tests/unit/test_alloc.c tests/unit/t.h src/util/alloc.c $(CROSS_MUSL) | prereq
	@mkdir -p $(@D)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(MUSLCC) -static -O1 -g -fno-builtin $(CFLAGS_COMMON) -DDD_OWN_MALLOC -Itests/unit \
		-o $@ tests/unit/test_alloc.c src/util/alloc.c

# Test-only drivers (tests/tools): the host objects behind a small main, for the shell tests
# to aim the modules at real daemons. Not dockdrop commands, never shipped.
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/host/tools/%,$(wildcard tests/tools/*.c))

$(BUILD)/host/tools/%: tests/tools/%.c $(HOST_OBJS) $(HOST_LIBS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  TOOL    $@")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(HOST_OBJS) $(HOST_LIBS)

# libFuzzer harnesses (clang): the project's code instrumented, the libraries as for tests.
FUZZ_OBJS := $(patsubst src/%.c,$(BUILD)/fuzz/obj/dd/%.o,$(LIB_SRCS))

$(BUILD)/fuzz/obj/dd/%.o: src/%.c $(HOST_LIBS) | $(GEN)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -MMD -MP -c -o $@ $<

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS) $(HOST_LIBS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< $(FUZZ_OBJS) $(HOST_LIBS)

# Benchmarks (tests/bench): ratios against the tools users would otherwise use.
$(BUILD)/bench/inflate_floor: tests/bench/inflate_floor.c $(MUSL_LIBS)
	@mkdir -p $(@D)
	$(Q)$(MUSLCC) -O2 -static -I$(BUILD)/musl/include -o $@ $< $(BUILD)/musl/lib/libz.a

bench: $(BUILD)/dockdrop $(DIST)/dockdrop $(BUILD)/bench/inflate_floor
	@BUILD=$(BUILD) DIST=$(DIST) bash tests/bench/bench_extract.sh $(BENCH_ROUNDS)
	@BUILD=$(BUILD) bash tests/bench/bench_ca.sh
	@BUILD=$(BUILD) bash tests/bench/bench_rsa.sh
	@BUILD=$(BUILD) DIST=$(DIST) bash tests/bench/bench_install.sh
	@BUILD=$(BUILD) DIST=$(DIST) bash tests/bench/bench_images.sh

fuzz: $(FUZZ_BINS)
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh

test-build: $(BUILD)/dockdrop $(DIST)/dockdrop $(AZURE_ZIP) $(BUILD)/dockdrop-testkey $(UNIT_BINS) $(TOOL_BINS) \
	$(FUZZ_BINS) $(BUILD)/carry/iptables.env $(BUILD)/doc/dockdrop.1 $(BUILD)/bench/inflate_floor

# make test runs the arm64 build's unit and command-line tests too (under qemu-user:
# tests/run.sh), built by make ARCH=arm64 in $(BUILD)/arm64 and $(DIST)/arm64.
ARM64_BUILD := $(if $(CROSS_COMPILE),$(BUILD),$(BUILD)/arm64)
ARM64_DIST := $(if $(CROSS_COMPILE),$(DIST),$(DIST)/arm64)
# The sources are fetched here first: the two builds share them.
test-build-arm64: $(TP_STAMP)
	@$(MAKE) --no-print-directory ARCH=arm64 BUILD=$(ARM64_BUILD) DIST=$(ARM64_DIST) TP=$(TP) test-build

# Only the arm64 build's unit and command-line tests (make ARCH=arm64 test and check too).
test-arm64: test-build-arm64
	@DD_ARM64=$(ARM64_BUILD) DD_ARM64_DIST=$(abspath $(ARM64_DIST)) sh tests/run.sh --arm64

ifneq ($(CROSS_COMPILE),)
test check: test-arm64
else
# release/out (tests/build/test_release.sh) once both builds are done: nothing built twice
# at once.
test: test-build test-build-arm64
	@$(MAKE) --no-print-directory release
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) DD_ARM64=$(ARM64_BUILD) DD_ARM64_DIST=$(abspath $(ARM64_DIST)) \
		sh tests/run.sh

# The edit-compile-test loop: the unit and command-line tests only, a few suites at a time
# (tests/run.sh --quick), with the same summary line as `make test`.
check: $(BUILD)/dockdrop $(DIST)/dockdrop $(AZURE_ZIP) $(BUILD)/dockdrop-testkey $(UNIT_BINS) $(TOOL_BINS) \
	$(BUILD)/carry/iptables.env $(BUILD)/doc/dockdrop.1
	@BUILD=$(BUILD) DIST=$(DIST) sh tests/run.sh --quick
endif

# dist/dockdrop install on a real VM (qemu TCG, root; see tests/vm/run.sh): one image
# (VARIANT=systemd nft sysv openrc apparmor), or every image one after the other.
VARIANT ?= systemd
test-vm: $(DIST)/dockdrop
	@BUILD=$(BUILD) DIST=$(DIST) VARIANT=$(VARIANT) bash tests/vm/run.sh

test-vm-all: $(DIST)/dockdrop
	@BUILD=$(BUILD) DIST=$(DIST) bash tests/vm/all.sh

# The arm64 build's dockdrop on an arm64 systemd VM (qemu-system-aarch64, TCG); the host's
# docker CLI comes from the amd64 engine tarball.
test-vm-arm64: $(TP_STAMP) $(if $(CROSS_COMPILE),,$(BUILD)/engine/engine.env)
	@$(MAKE) --no-print-directory ARCH=arm64 BUILD=$(ARM64_BUILD) DIST=$(ARM64_DIST) TP=$(TP) $(ARM64_DIST)/dockdrop
	@BUILD=$(ARM64_BUILD) DIST=$(ARM64_DIST) ARCH=arm64 VARIANT=systemd bash tests/vm/run.sh

clean:
	rm -rf $(BUILD)/musl $(BUILD)/host $(BUILD)/fuzz $(BUILD)/gen $(BUILD)/dockdrop $(BUILD)/carry $(BUILD)/doc $(DIST) \
		$(if $(CROSS_MUSL),$(BUILD)/cross)

distclean:
	rm -rf $(BUILD) $(DIST)

.PHONY: all prereq release release-arch release-sign check test test-arm64 test-build-arm64 test-vm test-vm-all \
	test-vm-arm64 test-build fuzz bench clean distclean FORCE
.DELETE_ON_ERROR:
.SECONDARY:
-include $(MUSL_OBJS:.o=.d) $(HOST_OBJS:.o=.d) $(FUZZ_OBJS:.o=.d)
