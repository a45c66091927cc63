# SPDX-License-Identifier: Apache-2.0
#
# cardos/build.mk: builds the card OS. Included by the top-level Makefile;
# also usable on its own from the top of the tree:
#
#   make -f cardos/build.mk MBEDTLS_SRC=... LWIP_SRC=... BUILD=build cardos
#
# Inputs (set by the top level; defaults here are for standalone use):
#   BUILD         build directory                    (build)
#   MBEDTLS_SRC   mbedTLS 3.6 source tree            (third_party/mbedtls)
#   LWIP_SRC      lwIP 2.2 source tree               (third_party/lwip)
#   VERSION       card OS version                    (contents of VERSION)
#   GIT_DESCRIBE  `git describe` of the tree         (unknown outside git)
#   CROSS         cross toolchain prefix             (arm-none-eabi-)
#   V=1           echo full commands
#
# Outputs, under $(BUILD)/cardos/:
#   cardos.elf            the card OS (+ cardos.map)
#   cardos.ld             the linker script, arch/cardos.ld.S after cpp
#   cardos-test.elf       test image: the product + the test application
#   cardos-fault.elf      test image: BusFault on power-on boots
#   cardos-watchdog.elf   test image: starves the watchdog on power-on boots
#   cardos-storebench.elf bench image: times the object store (make bench)
#   libcardos_mbedtls.a   mbedTLS built with crypto/mbedtls_config.h (linked)
#   liblwip.a             lwIP core + IPv4 + Ethernet with net/port/lwipopts.h (linked)
#   obj/...               objects and their .d dependency files
#
# Phony targets: cardos, cardos-clean, cardos-size.
#
# For host unit tests (tests/unit/), the card OS sources that compile on
# the host, and the include flags they need:
#   CARDOS_UNIT_SRCS, CARDOS_UNIT_CFLAGS

# Where this file is, before any other makefile is included.
CARDOS_MK := $(lastword $(MAKEFILE_LIST))
CARDOS_DIR := $(patsubst %/,%,$(dir $(CARDOS_MK)))
CARDOS_TOP := $(patsubst %/,%,$(dir $(CARDOS_DIR)))
# Run on its own (-f cardos/build.mk) or included by the top level?
CARDOS_STANDALONE := $(if $(filter-out $(CARDOS_MK),$(MAKEFILE_LIST)),,y)
CARDOS_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

BUILD ?= build
MBEDTLS_SRC ?= third_party/mbedtls
LWIP_SRC ?= third_party/lwip
CROSS ?= arm-none-eabi-
# Like ?=, but evaluated once (they run commands).
ifeq ($(origin VERSION),undefined)
VERSION := $(shell cat $(CARDOS_TOP)/VERSION 2>/dev/null || echo 0.0.0)
endif
ifeq ($(origin GIT_DESCRIBE),undefined)
GIT_DESCRIBE := $(shell git -C $(CARDOS_TOP) describe --always --dirty 2>/dev/null || echo unknown)
endif

CARDOS_CC := $(CROSS)gcc
CARDOS_AR := $(CROSS)ar
CARDOS_SIZE := $(CROSS)size

CARDOS_OUT := $(BUILD)/cardos
CARDOS_OBJ := $(CARDOS_OUT)/obj

CARDOS_Q := $(if $(filter 1,$(V)),,@)
CARDOS_ECHO = $(if $(filter 1,$(V)),@:,@printf '  %-5s %s\n')

# ---- Flags ----------------------------------------------------------------

CARDOS_ARCH_FLAGS := -mcpu=cortex-m33 -mthumb -mfloat-abi=soft
# Shared by our code and the third-party libraries.
CARDOS_BASE_CFLAGS := $(CARDOS_ARCH_FLAGS) --specs=picolibc.specs -std=c11 \
    -Os -g3 -ffunction-sections -fdata-sections -fno-common -DNETCARD_CARDOS
CARDOS_PERIPHERALS := $(patsubst ./%,%,$(CARDOS_TOP)/peripherals)
CARDOS_INCLUDES := -I$(CARDOS_DIR) -I$(CARDOS_PERIPHERALS)
CARDOS_CFLAGS := $(CARDOS_BASE_CFLAGS) -Wall -Wextra -Werror $(CARDOS_INCLUDES)
CARDOS_DEPFLAGS = -MMD -MP -MF $(@:.o=.d)
CARDOS_VERSION_DEFS := -DCARDOS_VERSION='"$(VERSION)"' \
    -DCARDOS_GIT_DESCRIBE='"$(GIT_DESCRIBE)"'
# The linker script takes the memory map from peripherals/netcard_memmap.h
# through cpp: plain C-preprocessor output, no line markers, no predefined
# macros (a target macro could rewrite a word of the script).
CARDOS_LDSCRIPT := $(CARDOS_OUT)/cardos.ld
CARDOS_LDS_CPPFLAGS := -E -P -x c -undef -D__ASSEMBLER__ \
    -I$(CARDOS_PERIPHERALS)
CARDOS_LDFLAGS := $(CARDOS_ARCH_FLAGS) --specs=picolibc.specs -nostartfiles \
    -T$(CARDOS_LDSCRIPT) -Wl,--gc-sections

# Upstream code: its own warnings are not ours to fix (-w).
CARDOS_MBEDTLS_CFLAGS := $(CARDOS_BASE_CFLAGS) -w -I$(MBEDTLS_SRC)/include \
    -I$(MBEDTLS_SRC)/library -I$(CARDOS_DIR) -I$(CARDOS_DIR)/crypto/alt \
    -DMBEDTLS_CONFIG_FILE='"crypto/mbedtls_config.h"'
CARDOS_LWIP_CFLAGS := $(CARDOS_BASE_CFLAGS) -w -I$(LWIP_SRC)/src/include \
    -I$(CARDOS_DIR)/net/port $(CARDOS_INCLUDES)

# ---- Sources --------------------------------------------------------------

# The card OS, layer by layer, lowest first (docs/cardos.md). main.c is
# built once, with the version defines; each image adds its own sources
# (card/image.h, below).
CARDOS_SRCS := \
    kernel/event_loop.c \
    kernel/log.c \
    kernel/panic.c \
    kernel/reset_cause.c \
    kernel/bench_mark.c \
    arch/startup.c \
    arch/vectors.c \
    arch/fault.c \
    arch/fault_entry.S \
    arch/systick.c \
    arch/uproc.c \
    arch/uproc_entry.S \
    drivers/sysctl.c \
    drivers/debug_uart.c \
    drivers/timer.c \
    drivers/watchdog.c \
    drivers/nvm.c \
    drivers/iso7816_uart.c \
    drivers/crypto.c \
    drivers/trng.c \
    store/crc32.c \
    store/store_write.c \
    store/store_mount.c \
    store/store_index.c \
    crypto/health.c \
    crypto/aes_soft.c \
    crypto/crypto.c \
    crypto/selftest.c \
    crypto/keystore.c \
    crypto/key.c \
    crypto/slot.c \
    crypto/rsa.c \
    crypto/ec.c \
    iso7816/atr.c \
    iso7816/pps.c \
    iso7816/t0.c \
    iso7816/t1.c \
    iso7816/card.c \
    apdu/apdu.c \
    apdu/session.c \
    apdu/dispatch.c \
    apdu/applet_table.c \
    fs/fs.c \
    fs/fcp.c \
    fs/arr.c \
    fs/pin.c \
    fs/profile.c \
    fs/fs_applet.c \
    fs/fs_ef.c \
    fs/fs_admin.c \
    fs/milenage.c \
    fs/usim_auth.c \
    fs/usim_profile.c \
    fs/fs_auth.c \
    fs/fs_gsm.c \
    gp/scp_session.c \
    gp/scp.c \
    gp/scp02.c \
    gp/scp03.c \
    gp/keyset.c \
    gp/card_data.c \
    gp/keys_cmd.c \
    gp/registry.c \
    gp/status.c \
    gp/content.c \
    gp/isd.c \
    sys/ncap.c \
    sys/codearea.c \
    sys/syscall.c \
    sys/syscall_sc.c \
    sys/syscall_keys.c \
    sys/syscall_rsa.c \
    sys/runtime.c \
    sys/web.c \
    applets/perso_applet.c \
    applets/sample_applet.c \
    applets/status_web.c \
    card/nvm_partitions.c \
    card/storage.c \
    card/contact.c \
    card/applications.c \
    card/keys.c \
    card/admin.c \
    card/web_applets.c

# crypto/'s glue to the card's mbedTLS (AES and GCM on the coprocessor,
# entropy, heap, the DRBG): built with mbedTLS's headers.
CARDOS_CRYPTO_MBEDTLS_SRCS := \
    crypto/mbedtls_alt.c \
    crypto/mbedtls_heap.c \
    crypto/drbg.c
CARDOS_SRCS += $(CARDOS_CRYPTO_MBEDTLS_SRCS)

# Network stack (drivers/nic.c, net/): built with lwIP's and mbedTLS's
# headers, linked with liblwip.a.
CARDOS_NET_SRCS := \
    drivers/nic.c \
    net/port/netif_nic.c \
    net/port/sys_arch.c \
    net/net.c \
    net/ping.c \
    net/http/http_parse.c \
    net/http/http_write.c \
    net/http/http_exchange.c \
    net/http/http_pcb.c \
    net/http/http_server.c \
    net/http/https_server.c \
    net/web/web_store.c \
    net/web/web_server.c \
    net/web/web_auth.c \
    net/tls/tls.c \
    net/tls/tls_conn.c \
    net/admin/admin_script.c \
    net/admin/admin_params.c \
    net/admin/admin_http.c \
    net/admin/admin_journal.c \
    net/admin/admin_scws.c \
    net/admin/admin_scws_auth.c \
    net/admin/admin_exec.c \
    net/admin/admin_agent.c
CARDOS_SRCS += $(CARDOS_NET_SRCS)

CARDOS_COMMON_OBJS := $(patsubst %,$(CARDOS_OBJ)/%.o,$(basename $(CARDOS_SRCS)))
CARDOS_C_OBJS := $(filter $(patsubst %.c,$(CARDOS_OBJ)/%.o,$(CARDOS_SRCS)),$(CARDOS_COMMON_OBJS))
CARDOS_S_OBJS := $(filter $(patsubst %.S,$(CARDOS_OBJ)/%.o,$(CARDOS_SRCS)),$(CARDOS_COMMON_OBJS))

# Images (card/image.h): the product, and test images built from the same
# card OS plus sources of tests/cardos/ (never part of the product).
CARDOS_TESTS_DIR := $(patsubst ./%,%,$(CARDOS_TOP)/tests/cardos)
CARDOS_IMAGES := cardos cardos-test cardos-fault cardos-watchdog cardos-storebench
CARDOS_IMAGE_SRCS_cardos := $(CARDOS_DIR)/card/image_product.c
CARDOS_IMAGE_SRCS_cardos-test := $(addprefix $(CARDOS_TESTS_DIR)/,image_test.c \
    test_applet.c test_applet_crypto.c test_applet_bench.c test_gp_state.c \
    test_web_admin.c)
CARDOS_IMAGE_SRCS_cardos-fault := $(CARDOS_TESTS_DIR)/image_fault.c
CARDOS_IMAGE_SRCS_cardos-watchdog := $(CARDOS_TESTS_DIR)/image_watchdog.c
CARDOS_IMAGE_SRCS_cardos-storebench := $(addprefix $(CARDOS_TESTS_DIR)/,image_storebench.c \
    store_bench.c)
CARDOS_ELFS := $(patsubst %,$(CARDOS_OUT)/%.elf,$(CARDOS_IMAGES))
CARDOS_MAIN_OBJ := $(CARDOS_OBJ)/card/main.o
# Objects of an image's own sources (tests/cardos/x.c -> obj/tests/x.o).
cardos_image_objs = $(patsubst $(CARDOS_DIR)/%.c,$(CARDOS_OBJ)/%.o,$(patsubst \
    $(CARDOS_TESTS_DIR)/%.c,$(CARDOS_OBJ)/tests/%.o,$(CARDOS_IMAGE_SRCS_$(1))))
CARDOS_IMAGE_OBJS := $(sort $(foreach i,$(CARDOS_IMAGES),$(call cardos_image_objs,$(i))))

CARDOS_MBEDTLS_LIB := $(CARDOS_OUT)/libcardos_mbedtls.a
CARDOS_MBEDTLS_SRCS := $(sort $(wildcard $(MBEDTLS_SRC)/library/*.c))
CARDOS_MBEDTLS_OBJS := $(patsubst $(MBEDTLS_SRC)/library/%.c,$(CARDOS_OBJ)/mbedtls/%.o,$(CARDOS_MBEDTLS_SRCS))

CARDOS_LWIP_LIB := $(CARDOS_OUT)/liblwip.a
CARDOS_LWIP_SRCS := $(sort $(wildcard $(LWIP_SRC)/src/core/*.c $(LWIP_SRC)/src/core/ipv4/*.c)) \
    $(LWIP_SRC)/src/netif/ethernet.c
CARDOS_LWIP_OBJS := $(patsubst $(LWIP_SRC)/src/%.c,$(CARDOS_OBJ)/lwip/%.o,$(CARDOS_LWIP_SRCS))

# Host-buildable modules (no hardware access) for tests/unit/.
CARDOS_UNIT_SRCS := $(addprefix $(CARDOS_DIR)/,kernel/log.c kernel/reset_cause.c kernel/event_loop.c \
    apdu/apdu.c apdu/session.c apdu/dispatch.c apdu/applet_table.c \
    iso7816/atr.c iso7816/pps.c iso7816/t0.c iso7816/t1.c iso7816/card.c \
    applets/perso_applet.c applets/sample_applet.c store/crc32.c store/store_write.c \
    store/store_mount.c store/store_index.c \
    fs/fs.c fs/fcp.c fs/arr.c fs/pin.c fs/profile.c fs/fs_applet.c \
    fs/fs_ef.c fs/fs_admin.c fs/milenage.c fs/usim_auth.c fs/usim_profile.c \
    fs/fs_auth.c fs/fs_gsm.c \
    net/http/http_parse.c net/http/http_write.c net/web/web_store.c crypto/health.c crypto/aes_soft.c \
    crypto/keystore.c crypto/key.c gp/scp_session.c gp/scp.c gp/scp02.c gp/scp03.c \
    gp/keyset.c gp/card_data.c gp/keys_cmd.c gp/registry.c gp/status.c \
    gp/content.c gp/isd.c sys/ncap.c sys/web.c) \
    $(CARDOS_TESTS_DIR)/test_applet.c
CARDOS_UNIT_CFLAGS := $(CARDOS_INCLUDES) -I$(CARDOS_TOP)
# libm: tests/unit/test_crypto_health.c recomputes the SP 800-90B cut-offs.
CARDOS_UNIT_LDLIBS += -lm
# GLib: tests/unit/test_sys_ncap.c hashes load files with its SHA-256.
CARDOS_UNIT_LDLIBS += $(shell pkg-config --libs glib-2.0)
CARDOS_UNIT_CFLAGS += $(shell pkg-config --cflags glib-2.0)

# Changes VERSION or GIT_DESCRIBE into a rebuild of the main objects.
CARDOS_VERSION_STAMP := $(CARDOS_OUT)/version.stamp

# ---- Targets --------------------------------------------------------------

.PHONY: cardos cardos-clean cardos-size cardos-force

cardos: $(CARDOS_ELFS) $(CARDOS_MBEDTLS_LIB) $(CARDOS_LWIP_LIB)

cardos-size: $(CARDOS_ELFS)
	$(CARDOS_SIZE) $(CARDOS_ELFS)

cardos-clean:
	rm -rf $(CARDOS_OUT)

# Rewritten only when the version text changes, so its date says when.
$(CARDOS_VERSION_STAMP): cardos-force
	@mkdir -p $(@D)
	@v='$(VERSION) $(GIT_DESCRIBE)'; \
	 [ "$$(cat $@ 2>/dev/null)" = "$$v" ] || echo "$$v" > $@

# Users of mbedTLS see its headers and the card's configuration; the
# network sources also see lwIP's headers and its port
# (net/port/lwipopts.h, net/port/arch/cc.h).
CARDOS_MBEDTLS_INCLUDES := -I$(MBEDTLS_SRC)/include -I$(CARDOS_DIR)/crypto/alt \
    -DMBEDTLS_CONFIG_FILE='"crypto/mbedtls_config.h"'
$(patsubst %.c,$(CARDOS_OBJ)/%.o,$(CARDOS_CRYPTO_MBEDTLS_SRCS)): CARDOS_CFLAGS += \
    $(CARDOS_MBEDTLS_INCLUDES)
# sys/syscall_keys.c computes EC public keys with mbedTLS
$(CARDOS_OBJ)/sys/syscall_keys.o: CARDOS_CFLAGS += $(CARDOS_MBEDTLS_INCLUDES)
# sys/syscall_rsa.c: n = p * q and key generation with mbedTLS
$(CARDOS_OBJ)/sys/syscall_rsa.o: CARDOS_CFLAGS += $(CARDOS_MBEDTLS_INCLUDES)
$(patsubst %.c,$(CARDOS_OBJ)/%.o,$(CARDOS_NET_SRCS)): CARDOS_CFLAGS += \
    -I$(LWIP_SRC)/src/include -I$(CARDOS_DIR)/net/port $(CARDOS_MBEDTLS_INCLUDES)

$(CARDOS_C_OBJS): $(CARDOS_OBJ)/%.o: $(CARDOS_DIR)/%.c $(CARDOS_MK)
	$(CARDOS_ECHO) CC $<
	@mkdir -p $(@D)
	$(CARDOS_Q)$(CARDOS_CC) $(CARDOS_CFLAGS) $(CARDOS_DEPFLAGS) -c $< -o $@

$(CARDOS_S_OBJS): $(CARDOS_OBJ)/%.o: $(CARDOS_DIR)/%.S $(CARDOS_MK)
	$(CARDOS_ECHO) AS $<
	@mkdir -p $(@D)
	$(CARDOS_Q)$(CARDOS_CC) $(CARDOS_CFLAGS) $(CARDOS_DEPFLAGS) -c $< -o $@

$(CARDOS_MAIN_OBJ): $(CARDOS_DIR)/card/main.c $(CARDOS_VERSION_STAMP) $(CARDOS_MK)
	$(CARDOS_ECHO) CC $<
	@mkdir -p $(@D)
	$(CARDOS_Q)$(CARDOS_CC) $(CARDOS_CFLAGS) $(CARDOS_DEPFLAGS) \
	    $(CARDOS_VERSION_DEFS) -c $< -o $@

$(CARDOS_LDSCRIPT): $(CARDOS_DIR)/arch/cardos.ld.S $(CARDOS_MK)
	$(CARDOS_ECHO) CPP $<
	@mkdir -p $(@D)
	$(CARDOS_Q)$(CARDOS_CC) $(CARDOS_LDS_CPPFLAGS) -MMD -MP -MT $@ -MF $@.d \
	    $< -o $@

# Test images' own sources see the repository root ("tests/cardos/...").
$(filter $(CARDOS_OBJ)/tests/%,$(CARDOS_IMAGE_OBJS)): $(CARDOS_OBJ)/tests/%.o: \
        $(CARDOS_TESTS_DIR)/%.c $(CARDOS_MK)
	$(CARDOS_ECHO) CC $<
	@mkdir -p $(@D)
	$(CARDOS_Q)$(CARDOS_CC) $(CARDOS_CFLAGS) -I$(CARDOS_TOP) $(CARDOS_DEPFLAGS) -c $< -o $@

$(filter-out $(CARDOS_OBJ)/tests/%,$(CARDOS_IMAGE_OBJS)): $(CARDOS_OBJ)/%.o: $(CARDOS_DIR)/%.c $(CARDOS_MK)
	$(CARDOS_ECHO) CC $<
	@mkdir -p $(@D)
	$(CARDOS_Q)$(CARDOS_CC) $(CARDOS_CFLAGS) $(CARDOS_DEPFLAGS) -c $< -o $@

# One link rule per image: the card OS, main.o and the image's own objects.
define cardos_image_rule
$(CARDOS_OUT)/$(1).elf: $(CARDOS_COMMON_OBJS) $(CARDOS_MAIN_OBJ) \
        $(call cardos_image_objs,$(1)) \
        $(CARDOS_LDSCRIPT) $(CARDOS_LWIP_LIB) $(CARDOS_MBEDTLS_LIB)
	$$(CARDOS_ECHO) LD $$@
	$$(CARDOS_Q)$$(CARDOS_CC) $$(CARDOS_LDFLAGS) -Wl,-Map=$$(@:.elf=.map) \
	    -o $$@ $$(filter %.o %.a,$$^)
endef
$(foreach i,$(CARDOS_IMAGES),$(eval $(call cardos_image_rule,$(i))))

$(CARDOS_MBEDTLS_OBJS): $(CARDOS_OBJ)/mbedtls/%.o: $(MBEDTLS_SRC)/library/%.c \
        $(CARDOS_DIR)/crypto/mbedtls_config.h
	$(CARDOS_ECHO) CC $<
	@mkdir -p $(@D)
	$(CARDOS_Q)$(CARDOS_CC) $(CARDOS_MBEDTLS_CFLAGS) $(CARDOS_DEPFLAGS) -c $< -o $@

$(CARDOS_LWIP_OBJS): $(CARDOS_OBJ)/lwip/%.o: $(LWIP_SRC)/src/%.c
	$(CARDOS_ECHO) CC $<
	@mkdir -p $(@D)
	$(CARDOS_Q)$(CARDOS_CC) $(CARDOS_LWIP_CFLAGS) $(CARDOS_DEPFLAGS) -c $< -o $@

$(CARDOS_MBEDTLS_LIB): $(CARDOS_MBEDTLS_OBJS)
	$(CARDOS_ECHO) AR $@
	$(CARDOS_Q)rm -f $@ && $(CARDOS_AR) rcs $@ $^

$(CARDOS_LWIP_LIB): $(CARDOS_LWIP_OBJS)
	$(CARDOS_ECHO) AR $@
	$(CARDOS_Q)rm -f $@ && $(CARDOS_AR) rcs $@ $^

$(CARDOS_MBEDTLS_SRCS) $(CARDOS_LWIP_SRCS):
	@echo "cardos: missing $@ (MBEDTLS_SRC=$(MBEDTLS_SRC) LWIP_SRC=$(LWIP_SRC)); run ./configure" >&2
	@exit 1

-include $(patsubst %.o,%.d,$(CARDOS_COMMON_OBJS) $(CARDOS_MAIN_OBJ) $(CARDOS_IMAGE_OBJS) \
    $(CARDOS_MBEDTLS_OBJS) $(CARDOS_LWIP_OBJS)) $(CARDOS_LDSCRIPT).d

# Do not steal the includer's default goal; alone, build everything.
ifeq ($(CARDOS_STANDALONE),y)
.DEFAULT_GOAL := cardos
else
.DEFAULT_GOAL := $(CARDOS_SAVED_DEFAULT_GOAL)
endif
