# tools/build.mk — the host tools: the `netcard` launcher and its Python
# package. Included by the top-level Makefile, which runs make in the source
# tree.
#
# Receives:
#   BUILD, SRCDIR, quiet, Q   (Makefile.in)
# Defines:
#   launcher      everything below
#   NETCARD       $(BUILD)/bin/netcard, from tools/netcard.py
#   $(BUILD)/lib/python/netcard_host/   tools/netcard_host/ (the launcher
#                 imports it from there: the one QEMU command-line builder)
#
# SPDX-License-Identifier: Apache-2.0

NETCARD := $(BUILD)/bin/netcard
NC_TOOLS_PYDIR := $(BUILD)/lib/python/netcard_host
NC_TOOLS_PY := $(patsubst $(SRCDIR)/tools/netcard_host/%,$(NC_TOOLS_PYDIR)/%,\
	$(wildcard $(SRCDIR)/tools/netcard_host/*.py))

.PHONY: launcher
launcher: $(NETCARD) $(NC_TOOLS_PY)

$(NETCARD): $(SRCDIR)/tools/netcard.py
	$(call quiet,INSTALL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@

$(NC_TOOLS_PYDIR)/%.py: $(SRCDIR)/tools/netcard_host/%.py
	$(call quiet,INSTALL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 644 $< $@
