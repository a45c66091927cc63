# SPDX-License-Identifier: Apache-2.0
#
# cardos/sdk/sdk.mk: builds applets into load files, outside the card OS
# image. Included by the top-level Makefile (`make applets`); an applet of
# one's own uses the same flags (docs/applets.md "Building").
#
# Outputs, under $(BUILD)/applets/:
#   NAME.elf    the linked applet (symbols for gdb: netcard gdb --applet)
#   NAME.ncap   its load file (cardos/sdk/ncap_pack.py)
# for every sample in cardos/sdk/samples/NAME/ and every test applet in
# tests/applets/NAME/ (hostile and helper applets of the system tests).

NC_SDK_DIR   := $(SRCDIR)/cardos/sdk
NC_APPLETS   := $(BUILD)/applets
NC_SDK_CROSS ?= arm-none-eabi-
NC_SDK_PY    := $(or $(PYTHON),/usr/bin/python3)

# -msingle-pic-base: data through the GOT at r9, set by the card; no libc.
NC_SDK_CFLAGS := -mcpu=cortex-m33 -mthumb -mfloat-abi=soft -Os -g -std=c11 \
	-Wall -Wextra -Werror -ffreestanding -fno-common -ffunction-sections \
	-fdata-sections -fPIC -msingle-pic-base -mpic-register=r9 \
	-mno-pic-data-is-text-relative -fno-unwind-tables \
	-fno-asynchronous-unwind-tables -I$(NC_SDK_DIR)
NC_SDK_LDFLAGS := -mcpu=cortex-m33 -mthumb -nostdlib -nostartfiles \
	-Wl,--gc-sections -Wl,-q -T$(NC_SDK_DIR)/applet.ld
NC_SDK_RT := $(NC_APPLETS)/obj/crt0.o $(NC_APPLETS)/obj/lib.o

NC_SAMPLE_NAMES := $(notdir $(patsubst %/,%,$(wildcard $(NC_SDK_DIR)/samples/*/)))
NC_TESTAPP_NAMES := $(notdir $(patsubst %/,%,$(wildcard $(SRCDIR)/tests/applets/*/)))
NC_APPLET_NCAPS := $(patsubst %,$(NC_APPLETS)/%.ncap,$(NC_SAMPLE_NAMES) $(NC_TESTAPP_NAMES))

.PHONY: applets
applets: $(NC_APPLET_NCAPS)

$(NC_APPLETS)/obj/crt0.o: $(NC_SDK_DIR)/crt0.S
	$(call quiet,AS,$<)
	@mkdir -p $(dir $@)
	$(Q)$(NC_SDK_CROSS)gcc $(NC_SDK_CFLAGS) -c $< -o $@

$(NC_APPLETS)/obj/lib.o: $(NC_SDK_DIR)/lib.c $(wildcard $(NC_SDK_DIR)/netcard/*.h)
	$(call quiet,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(NC_SDK_CROSS)gcc $(NC_SDK_CFLAGS) -c $< -o $@

# One applet = every .c of its folder.
define nc_applet_rule
$(NC_APPLETS)/$(1).elf: $(wildcard $(2)/$(1)/*.c) $(wildcard $(2)/$(1)/*.h) \
		$(wildcard $(NC_SDK_DIR)/netcard/*.h) $(NC_SDK_RT) $(NC_SDK_DIR)/applet.ld
	$$(call quiet,LD,$$@)
	@mkdir -p $$(dir $$@)
	$$(Q)$(NC_SDK_CROSS)gcc $$(NC_SDK_CFLAGS) $$(NC_SDK_LDFLAGS) -o $$@ \
		$$(NC_SDK_RT) $$(filter %.c,$$^) -lgcc
endef
$(foreach a,$(NC_SAMPLE_NAMES),$(eval $(call nc_applet_rule,$(a),$(NC_SDK_DIR)/samples)))
$(foreach a,$(NC_TESTAPP_NAMES),$(eval $(call nc_applet_rule,$(a),$(SRCDIR)/tests/applets)))

$(NC_APPLETS)/%.ncap: $(NC_APPLETS)/%.elf $(NC_SDK_DIR)/ncap_pack.py
	$(call quiet,PACK,$@)
	$(Q)$(NC_SDK_PY) $(NC_SDK_DIR)/ncap_pack.py $< -o $@
