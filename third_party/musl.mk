# musl for another architecture (make ARCH=arm64): the pinned Debian source (third_party/lock,
# the version of the musl-tools that builds the amd64 stub; fetch.sh has verified and
# unpacked it into SRC/musl), compiled with Debian's cross gcc and installed into OUT with
# its gcc wrapper, so that OUT/bin/musl-gcc is used as Debian's musl-gcc is:
#   make -f third_party/musl.mk SRC=build/third_party/src OUT=build/arm64/cross \
#        TARGET=aarch64 CROSS_COMPILE=aarch64-linux-gnu-
# -> OUT/bin/musl-gcc (REALGCC: CROSS_COMPILE gcc), OUT/lib (libc.a, crt*.o, musl-gcc.specs),
# OUT/include. Static only. musl's own defaults otherwise (-Os, its hot parts at -O2);
# -fstack-protector-strong as Debian's hardened build and the stub's own code have it. The
# build paths are mapped away (two builds in different directories give the same bytes).
MUSL_MK := $(lastword $(MAKEFILE_LIST))
SRC ?= build/third_party/src
OUT ?= build/arm64/cross
TARGET ?= aarch64
CROSS_COMPILE ?= aarch64-linux-gnu-

ASRC := $(abspath $(SRC))
AOUT := $(abspath $(OUT))

all: $(OUT)/.built

$(OUT)/obj/config.mak: $(SRC)/musl/.dockdrop-stamp $(MUSL_MK)
	@command -v $(CROSS_COMPILE)gcc >/dev/null || \
		{ echo "dockdrop build: $(CROSS_COMPILE)gcc not found: install gcc-$(subst _,-,$(CROSS_COMPILE:%-=%))" >&2; exit 1; }
	@rm -rf $(OUT) && mkdir -p $(@D)
	@cd $(@D) && $(ASRC)/musl/configure --target=$(TARGET) CROSS_COMPILE=$(CROSS_COMPILE) \
		CFLAGS="-fstack-protector-strong -ffile-prefix-map=$(ASRC)/musl/=" \
		--prefix=$(AOUT) --disable-shared --enable-wrapper=gcc \
		>configure.log 2>&1 || { tail -20 configure.log >&2; exit 1; }

# ARCH: musl's name for the target, over the ARCH=arm64 the top make passes down.
$(OUT)/.built: $(OUT)/obj/config.mak
	@$(MAKE) -s -C $(OUT)/obj install ARCH=$(TARGET) >$(OUT)/obj/make.log 2>&1 || \
		{ grep -B2 -A5 'error' $(OUT)/obj/make.log | tail -30 >&2; exit 1; }
	@test -x $(OUT)/bin/musl-gcc && test -f $(OUT)/lib/libc.a
	@touch $@

.PHONY: all
.DELETE_ON_ERROR:
