# tools/build.mk — the host tools: the `netcard` launcher with its Python
# package, and the vpcd client library. Included by the top-level Makefile,
# which runs make in the source tree.
#
# Receives:
#   BUILD, SRCDIR, quiet, Q   (Makefile.in)
# Defines:
#   launcher      everything below but the static library
#   NETCARD       $(BUILD)/bin/netcard, from tools/netcard.py
#   $(BUILD)/lib/python/netcard_host/   tools/netcard_host/ (the launcher
#                 imports it from there: the one QEMU command-line builder,
#                 the vpcd binding)
#   NC_VPCD_SO    $(BUILD)/lib/libnetcard-vpcd.so: tools/vpcd, the one vpcd
#                 client, for Python (ctypes): `netcard apdu`, the benchmarks
#   NC_VPCD_LIB   $(BUILD)/lib/libnetcard-vpcd.a: the same, static, for the
#                 C tests (tests/build.mk)
#   NC_VPCD_CFLAGS  -I for vpcd.h
#
# SPDX-License-Identifier: Apache-2.0

NETCARD := $(BUILD)/bin/netcard
NC_TOOLS_PYDIR := $(BUILD)/lib/python/netcard_host
NC_TOOLS_PY := $(patsubst $(SRCDIR)/tools/netcard_host/%,$(NC_TOOLS_PYDIR)/%,\
	$(wildcard $(SRCDIR)/tools/netcard_host/*.py))

NC_VPCD_OBJ    := $(BUILD)/tools/obj/vpcd.o
NC_VPCD_LIB    := $(BUILD)/lib/libnetcard-vpcd.a
NC_VPCD_SO     := $(BUILD)/lib/libnetcard-vpcd.so
NC_VPCD_CFLAGS := -I$(SRCDIR)/tools/vpcd
NC_TOOLS_CC    := $(or $(HOSTCC),gcc)

.PHONY: launcher
launcher: $(NETCARD) $(NC_TOOLS_PY) $(NC_VPCD_SO)

$(NETCARD): $(SRCDIR)/tools/netcard.py
	$(call quiet,INSTALL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@

$(NC_TOOLS_PYDIR)/%.py: $(SRCDIR)/tools/netcard_host/%.py
	$(call quiet,INSTALL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 644 $< $@

# One object, position independent, in both libraries.
$(NC_VPCD_OBJ): $(SRCDIR)/tools/vpcd/vpcd.c $(SRCDIR)/tools/vpcd/vpcd.h
	$(call quiet,HOSTCC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(NC_TOOLS_CC) -std=gnu11 -O2 -g -fPIC -Wall -Wextra -Werror \
		-c $< -o $@

$(NC_VPCD_LIB): $(NC_VPCD_OBJ)
	$(call quiet,AR,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(NC_VPCD_SO): $(NC_VPCD_OBJ)
	$(call quiet,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(NC_TOOLS_CC) -shared -Wl,-soname,libnetcard-vpcd.so -o $@ $^
