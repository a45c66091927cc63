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
#   cardos-fault.elf      test image: BusFault on power-on boots
#   cardos-watchdog.elf   test image: starves the watchdog on power-on boots
#   cardos-storebench.elf bench image: times the object store (make bench)
#   libcardos_mbedtls.a   mbedTLS built with net/mbedtls_config.h (linked)
#   liblwip.a             lwIP core + IPv4 + Ethernet with net/lwipopts.h (linked)
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
CARDOS_INCLUDES := -I$(CARDOS_DIR) -I$(CARDOS_DIR)/include -I$(CARDOS_PERIPHERALS)
CARDOS_CFLAGS := $(CARDOS_BASE_CFLAGS) -Wall -Wextra -Werror $(CARDOS_INCLUDES)
CARDOS_DEPFLAGS = -MMD -MP -MF $(@:.o=.d)
CARDOS_VERSION_DEFS := -DCARDOS_VERSION='"$(VERSION)"' \
    -DCARDOS_GIT_DESCRIBE='"$(GIT_DESCRIBE)"'
CARDOS_LDFLAGS := $(CARDOS_ARCH_FLAGS) --specs=picolibc.specs -nostartfiles \
    -T$(CARDOS_DIR)/arch/cardos.ld -Wl,--gc-sections

# Upstream code: its own warnings are not ours to fix (-w).
CARDOS_MBEDTLS_CFLAGS := $(CARDOS_BASE_CFLAGS) -w -I$(MBEDTLS_SRC)/include \
    -I$(MBEDTLS_SRC)/library -I$(CARDOS_DIR) -I$(CARDOS_DIR)/crypto/alt \
    -DMBEDTLS_CONFIG_FILE='"net/mbedtls_config.h"'
CARDOS_LWIP_CFLAGS := $(CARDOS_BASE_CFLAGS) -w -I$(LWIP_SRC)/src/include \
    -I$(CARDOS_DIR)/net $(CARDOS_INCLUDES)

# ---- Sources --------------------------------------------------------------

# Everything but main.c, which is built once per image variant.
CARDOS_SRCS := \
    arch/startup.c \
    arch/vectors.c \
    arch/fault.c \
    arch/fault_entry.S \
    arch/systick.c \
    drivers/sysctl.c \
    drivers/debug_uart.c \
    drivers/timer.c \
    drivers/watchdog.c \
    drivers/nvm.c \
    store/crc32.c \
    store/store.c \
    fs/fs.c \
    fs/fcp.c \
    fs/arr.c \
    fs/pin.c \
    fs/perso.c \
    fs/fs_applet.c \
    kernel/storage.c \
    kernel/store_bench.c \
    drivers/iso7816_uart.c \
    iso7816/apdu.c \
    iso7816/atr.c \
    iso7816/pps.c \
    iso7816/t0.c \
    iso7816/t1.c \
    iso7816/dispatch.c \
    iso7816/card.c \
    applets/test_applet.c \
    applets/test_applet_bench.c \
    applets/perso_applet.c \
    kernel/bench_mark.c \
    kernel/event_loop.c \
    kernel/iso_service.c \
    kernel/log.c \
    kernel/panic.c \
    kernel/reset_cause.c \
    drivers/crypto.c \
    drivers/trng.c \
    crypto/health.c \
    crypto/aes_soft.c \
    crypto/crypto.c \
    crypto/selftest.c \
    applets/test_applet_crypto.c

# Network stack (drivers/nic.c, net/): built with lwIP's headers, linked
# with liblwip.a.
CARDOS_NET_SRCS := \
    drivers/nic.c \
    net/net.c \
    net/netif_nic.c \
    net/ping.c \
    net/sys_arch.c \
    net/http_parse.c \
    net/http_server.c \
    net/http_status.c \
    net/tls_server.c \
    crypto/mbedtls_alt.c
CARDOS_SRCS += $(CARDOS_NET_SRCS)

CARDOS_COMMON_OBJS := $(patsubst %,$(CARDOS_OBJ)/%.o,$(basename $(CARDOS_SRCS)))
CARDOS_C_OBJS := $(filter $(patsubst %.c,$(CARDOS_OBJ)/%.o,$(CARDOS_SRCS)),$(CARDOS_COMMON_OBJS))
CARDOS_S_OBJS := $(filter $(patsubst %.S,$(CARDOS_OBJ)/%.o,$(CARDOS_SRCS)),$(CARDOS_COMMON_OBJS))

# Image variants: <suffix>:<main.c defines>
CARDOS_VARIANTS := cardos cardos-fault cardos-watchdog cardos-storebench
CARDOS_VARIANT_DEFS_cardos :=
CARDOS_VARIANT_DEFS_cardos-fault := -DCARDOS_TEST_FAULT=1
CARDOS_VARIANT_DEFS_cardos-watchdog := -DCARDOS_TEST_WATCHDOG=1
CARDOS_VARIANT_DEFS_cardos-storebench := -DCARDOS_TEST_STOREBENCH=1
CARDOS_ELFS := $(patsubst %,$(CARDOS_OUT)/%.elf,$(CARDOS_VARIANTS))
CARDOS_MAIN_OBJS := $(patsubst %,$(CARDOS_OBJ)/kernel/main-%.o,$(CARDOS_VARIANTS))

CARDOS_MBEDTLS_LIB := $(CARDOS_OUT)/libcardos_mbedtls.a
CARDOS_MBEDTLS_SRCS := $(sort $(wildcard $(MBEDTLS_SRC)/library/*.c))
CARDOS_MBEDTLS_OBJS := $(patsubst $(MBEDTLS_SRC)/library/%.c,$(CARDOS_OBJ)/mbedtls/%.o,$(CARDOS_MBEDTLS_SRCS))

CARDOS_LWIP_LIB := $(CARDOS_OUT)/liblwip.a
CARDOS_LWIP_SRCS := $(sort $(wildcard $(LWIP_SRC)/src/core/*.c $(LWIP_SRC)/src/core/ipv4/*.c)) \
    $(LWIP_SRC)/src/netif/ethernet.c
CARDOS_LWIP_OBJS := $(patsubst $(LWIP_SRC)/src/%.c,$(CARDOS_OBJ)/lwip/%.o,$(CARDOS_LWIP_SRCS))

# Host-buildable modules (no hardware access) for tests/unit/.
CARDOS_UNIT_SRCS := $(addprefix $(CARDOS_DIR)/,kernel/log.c kernel/reset_cause.c kernel/event_loop.c \
    iso7816/apdu.c iso7816/atr.c iso7816/pps.c iso7816/t0.c iso7816/t1.c \
    iso7816/dispatch.c iso7816/card.c applets/test_applet.c \
    applets/perso_applet.c store/crc32.c store/store.c \
    fs/fs.c fs/fcp.c fs/arr.c fs/pin.c fs/perso.c fs/fs_applet.c \
    net/http_parse.c crypto/health.c crypto/aes_soft.c)
CARDOS_UNIT_CFLAGS := $(CARDOS_INCLUDES)
# libm: tests/unit/test_crypto_health.c recomputes the SP 800-90B cut-offs.
CARDOS_UNIT_LDLIBS += -lm

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

# The network sources see lwIP's headers and its port (net/arch/cc.h).
$(patsubst %.c,$(CARDOS_OBJ)/%.o,$(CARDOS_NET_SRCS)): CARDOS_CFLAGS += \
    -I$(LWIP_SRC)/src/include -I$(CARDOS_DIR)/net -I$(MBEDTLS_SRC)/include \
    -I$(CARDOS_DIR)/crypto/alt -DMBEDTLS_CONFIG_FILE='"net/mbedtls_config.h"'

$(CARDOS_C_OBJS): $(CARDOS_OBJ)/%.o: $(CARDOS_DIR)/%.c $(CARDOS_MK)
	$(CARDOS_ECHO) CC $<
	@mkdir -p $(@D)
	$(CARDOS_Q)$(CARDOS_CC) $(CARDOS_CFLAGS) $(CARDOS_DEPFLAGS) -c $< -o $@

$(CARDOS_S_OBJS): $(CARDOS_OBJ)/%.o: $(CARDOS_DIR)/%.S $(CARDOS_MK)
	$(CARDOS_ECHO) AS $<
	@mkdir -p $(@D)
	$(CARDOS_Q)$(CARDOS_CC) $(CARDOS_CFLAGS) $(CARDOS_DEPFLAGS) -c $< -o $@

$(CARDOS_MAIN_OBJS): $(CARDOS_OBJ)/kernel/main-%.o: $(CARDOS_DIR)/kernel/main.c \
        $(CARDOS_VERSION_STAMP) $(CARDOS_MK)
	$(CARDOS_ECHO) CC "$< ($*)"
	@mkdir -p $(@D)
	$(CARDOS_Q)$(CARDOS_CC) $(CARDOS_CFLAGS) $(CARDOS_DEPFLAGS) \
	    $(CARDOS_VERSION_DEFS) $(CARDOS_VARIANT_DEFS_$*) -c $< -o $@

$(CARDOS_ELFS): $(CARDOS_OUT)/%.elf: $(CARDOS_COMMON_OBJS) $(CARDOS_OBJ)/kernel/main-%.o \
        $(CARDOS_DIR)/arch/cardos.ld $(CARDOS_LWIP_LIB) $(CARDOS_MBEDTLS_LIB)
	$(CARDOS_ECHO) LD $@
	$(CARDOS_Q)$(CARDOS_CC) $(CARDOS_LDFLAGS) -Wl,-Map=$(@:.elf=.map) \
	    -o $@ $(filter %.o %.a,$^)

$(CARDOS_MBEDTLS_OBJS): $(CARDOS_OBJ)/mbedtls/%.o: $(MBEDTLS_SRC)/library/%.c \
        $(CARDOS_DIR)/net/mbedtls_config.h
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

-include $(patsubst %.o,%.d,$(CARDOS_COMMON_OBJS) $(CARDOS_MAIN_OBJS) \
    $(CARDOS_MBEDTLS_OBJS) $(CARDOS_LWIP_OBJS))

# Do not steal the includer's default goal; alone, build everything.
ifeq ($(CARDOS_STANDALONE),y)
.DEFAULT_GOAL := cardos
else
.DEFAULT_GOAL := $(CARDOS_SAVED_DEFAULT_GOAL)
endif
