# Builds the pinned libraries fetched by fetch.sh into static archives.
#   make -f third_party/libs.mk SRC=build/third_party/src OUT=build/musl CC=musl-gcc
# Called by the top Makefile once for the musl product and once for the host test build.
SRC ?= build/third_party/src
OUT ?= build/musl
CC ?= cc
AR ?= ar
TP_CFLAGS ?= -O2
CFLAGS_ALL = $(TP_CFLAGS) -w -ffunction-sections -fdata-sections

BEARSSL_C := $(wildcard $(SRC)/bearssl/src/*/*.c) $(SRC)/bearssl/src/settings.c
ZLIB_C := $(addprefix $(SRC)/zlib/,adler32.c crc32.c deflate.c infback.c inffast.c inflate.c \
	inftrees.c trees.c zutil.c compress.c uncompr.c)
CJSON_C := $(SRC)/cjson/cJSON.c

obj = $(patsubst $(SRC)/%.c,$(OUT)/obj/%.o,$(1))

all: $(OUT)/lib/libbearssl.a $(OUT)/lib/libz.a $(OUT)/lib/libcjson.a \
	$(OUT)/include/bearssl.h $(OUT)/include/zlib.h $(OUT)/include/cJSON.h

$(OUT)/lib/libbearssl.a: $(call obj,$(BEARSSL_C))
$(OUT)/lib/libz.a: $(call obj,$(ZLIB_C))
$(OUT)/lib/libcjson.a: $(call obj,$(CJSON_C))
$(OUT)/lib/%.a:
	@mkdir -p $(@D)
	@rm -f $@ && $(AR) rcs $@ $^

$(OUT)/obj/bearssl/%.o: $(SRC)/bearssl/%.c
	@mkdir -p $(@D)
	@$(CC) $(CFLAGS_ALL) -I$(SRC)/bearssl/inc -I$(SRC)/bearssl/src -c -o $@ $<
$(OUT)/obj/zlib/%.o: $(SRC)/zlib/%.c
	@mkdir -p $(@D)
	@$(CC) $(CFLAGS_ALL) -D_LARGEFILE64_SOURCE=1 -DHAVE_HIDDEN -c -o $@ $<
$(OUT)/obj/cjson/%.o: $(SRC)/cjson/%.c
	@mkdir -p $(@D)
	@$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(OUT)/include/bearssl.h: $(SRC)/bearssl/inc/bearssl.h
	@mkdir -p $(@D)
	@cp $(SRC)/bearssl/inc/*.h $(@D)/
$(OUT)/include/zlib.h: $(SRC)/zlib/zlib.h
	@mkdir -p $(@D)
	@cp $(SRC)/zlib/zlib.h $(SRC)/zlib/zconf.h $(@D)/
$(OUT)/include/cJSON.h: $(SRC)/cjson/cJSON.h
	@mkdir -p $(@D)
	@cp $< $@

.PHONY: all
