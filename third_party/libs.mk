# Builds the pinned libraries fetched by fetch.sh into static archives.
#   make -f third_party/libs.mk SRC=build/third_party/src OUT=build/musl CC=musl-gcc
# Called by the top Makefile once for the musl product and once for the host test build.
#
# Size: the product is built for size (-Os, no unwind tables: see MUSL_CFLAGS in the
# Makefile) except the code users wait on, kept at TP_HOT_CFLAGS: zlib's inflate and CRC-32
# and BearSSL's SHA-256 (extract and verify inflate and hash 200 MB; util/sha256.c runs on
# BearSSL's where the CPU has no SHA extensions: at -Os it runs 10% more instructions, and
# inflate.c 2.5%), and BearSSL's 62-bit modular exponentiation, where RSA key generation
# spends its time (Miller-Rabin: a 2048-bit one takes 8.0 ms at -O2, 9.5 at -Os; 1 KB more
# code). The rest of BearSSL is at -Os: a P-256 key, signature or handshake takes about a
# millisecond either way, lost in the process start. zlib's CRC tables are made at first use
# (DYNAMIC_CRC_TABLE; thread-safe with C11 atomics) instead of 9 KB of constants.
#
# cJSON is built only when CJSON=1 (the host test build): the daemon.json fuzz harness checks
# the strict parser (src/util/jsontext.c) against it, an independent and laxer one.
# dockdrop itself has one JSON stack (util/jsontext and util/jsonout) and does not link it.
LIBS_MK := $(lastword $(MAKEFILE_LIST))
SRC ?= build/third_party/src
OUT ?= build/musl
CC ?= cc
AR ?= ar
TP_CFLAGS ?= -Os -fno-asynchronous-unwind-tables -fno-unwind-tables
TP_HOT_CFLAGS ?= -O2 -fno-asynchronous-unwind-tables -fno-unwind-tables
CJSON ?=
# The build paths mapped away (a __FILE__ or an assert would keep them): two builds in
# different directories give the same bytes (tests/build/test_repro.sh).
# TP_XFLAGS: the product's extra flags for every file (the top Makefile's ARCH_CFLAGS:
# amd64's -malign-data=abi, arrays aligned as the psABI says, not to 32 bytes, 0.3 KB of
# the stub; arm64's -mno-outline-atomics).
TP_XFLAGS ?=
SECTIONS = -w -ffunction-sections -fdata-sections -ffile-prefix-map=$(abspath $(SRC))/= \
	-ffile-prefix-map=$(CURDIR)/= $(TP_XFLAGS)

# Sorted: the archives' member order (and so their bytes) does not depend on the directory
# order of the file system (make before 4.3 did not sort wildcard).
BEARSSL_C := $(sort $(wildcard $(SRC)/bearssl/src/*/*.c) $(SRC)/bearssl/src/settings.c)
ZLIB_C := $(addprefix $(SRC)/zlib/,adler32.c crc32.c deflate.c infback.c inffast.c inflate.c \
	inftrees.c trees.c zutil.c compress.c uncompr.c)
BEARSSL_HOT := $(addprefix $(SRC)/bearssl/src/,hash/sha2small.c codec/dec32be.c codec/enc32be.c \
	int/i62_modpow2.c)
ZLIB_HOT := $(addprefix $(SRC)/zlib/,inflate.c inffast.c inftrees.c crc32.c)
CJSON_C := $(SRC)/cjson/cJSON.c

obj = $(patsubst $(SRC)/%.c,$(OUT)/obj/%.o,$(1))
opt = $(if $(filter $(1),$(BEARSSL_HOT) $(ZLIB_HOT)),$(TP_HOT_CFLAGS),$(TP_CFLAGS))

all: $(OUT)/lib/libbearssl.a $(OUT)/lib/libz.a $(OUT)/include/bearssl.h $(OUT)/include/zlib.h \
	$(if $(CJSON),$(OUT)/lib/libcjson.a $(OUT)/include/cJSON.h)

$(OUT)/lib/libbearssl.a: $(call obj,$(BEARSSL_C))
$(OUT)/lib/libz.a: $(call obj,$(ZLIB_C))
$(OUT)/lib/libcjson.a: $(call obj,$(CJSON_C))
$(OUT)/lib/%.a:
	@mkdir -p $(@D)
	@rm -f $@ && $(AR) rcsD $@ $^

# The compiler and flags are part of what an object is made from: a change rebuilds them.
FLAGS := $(OUT)/obj/flags
$(FLAGS): FORCE
	@mkdir -p $(@D)
	@echo '$(CC) | $(TP_CFLAGS) | $(TP_HOT_CFLAGS) | $(SECTIONS)' >$@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@

$(OUT)/obj/bearssl/%.o: $(SRC)/bearssl/%.c $(LIBS_MK) $(FLAGS)
	@mkdir -p $(@D)
	@$(CC) $(call opt,$<) $(SECTIONS) -I$(SRC)/bearssl/inc -I$(SRC)/bearssl/src -c -o $@ $<
$(OUT)/obj/zlib/%.o: $(SRC)/zlib/%.c $(LIBS_MK) $(FLAGS)
	@mkdir -p $(@D)
	@$(CC) $(call opt,$<) $(SECTIONS) -D_LARGEFILE64_SOURCE=1 -DHAVE_HIDDEN \
		-DDYNAMIC_CRC_TABLE -c -o $@ $<
$(OUT)/obj/cjson/%.o: $(SRC)/cjson/%.c $(LIBS_MK) $(FLAGS)
	@mkdir -p $(@D)
	@$(CC) $(TP_CFLAGS) $(SECTIONS) -c -o $@ $<

$(OUT)/include/bearssl.h: $(SRC)/bearssl/inc/bearssl.h
	@mkdir -p $(@D)
	@cp $(SRC)/bearssl/inc/*.h $(@D)/
$(OUT)/include/zlib.h: $(SRC)/zlib/zlib.h
	@mkdir -p $(@D)
	@cp $(SRC)/zlib/zlib.h $(SRC)/zlib/zconf.h $(@D)/
$(OUT)/include/cJSON.h: $(SRC)/cjson/cJSON.h
	@mkdir -p $(@D)
	@cp $< $@

FORCE:
.PHONY: all FORCE
