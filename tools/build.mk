# tools/build.mk — the host tools: the `netcard` launcher with its Python
# package, and the host library (the one QEMU command-line builder and the
# one vpcd client, in C). Included by the top-level Makefile, which runs
# make in the source tree.
#
# Receives:
#   BUILD, SRCDIR, quiet, Q   (Makefile.in)
# Defines:
#   launcher       everything below but the static library
#   NETCARD        $(BUILD)/bin/netcard, from tools/netcard.py
#   $(BUILD)/lib/python/netcard_host/   tools/netcard_host/ (the launcher
#                  imports it from there)
#   NC_TOOLS_SO    $(BUILD)/lib/libnetcard-host.so: tools/lib, for Python
#                  (ctypes): the launcher, the benchmarks
#   NC_TOOLS_LIB   $(BUILD)/lib/libnetcard-host.a: the same, static, for
#                  the C tests (tests/build.mk)
#   NC_TOOLS_CFLAGS  -I for its headers (qemu_cmdline.h, vpcd.h)
#   NC_TOOLS_PLUGINS $(BUILD)/lib/plugins/lib*.so: the product's TCG plugins
#                  (tools/plugins: apdu_cost, coverage), for `netcard run
#                  --apdu-cost/--coverage`
#
# SPDX-License-Identifier: Apache-2.0

NETCARD := $(BUILD)/bin/netcard
NC_TOOLS_PYDIR := $(BUILD)/lib/python/netcard_host
NC_TOOLS_PY := $(patsubst $(SRCDIR)/tools/netcard_host/%,$(NC_TOOLS_PYDIR)/%,\
	$(wildcard $(SRCDIR)/tools/netcard_host/*.py))

NC_TOOLS_SRCS   := $(addprefix $(SRCDIR)/tools/lib/,qemu_cmdline.c vpcd.c)
NC_TOOLS_OBJS   := $(patsubst $(SRCDIR)/tools/lib/%.c,$(BUILD)/tools/obj/%.o,\
	$(NC_TOOLS_SRCS))
NC_TOOLS_LIB    := $(BUILD)/lib/libnetcard-host.a
NC_TOOLS_SO     := $(BUILD)/lib/libnetcard-host.so
NC_TOOLS_CFLAGS := -I$(SRCDIR)/tools/lib
NC_TOOLS_CC     := $(or $(HOSTCC),gcc)
NC_TOOLS_PLUGINS := $(patsubst $(SRCDIR)/tools/plugins/%.c,\
	$(BUILD)/lib/plugins/lib%.so,$(wildcard $(SRCDIR)/tools/plugins/*.c))

.PHONY: launcher
launcher: $(NETCARD) $(NC_TOOLS_PY) $(NC_TOOLS_SO) $(NC_TOOLS_PLUGINS)

$(NETCARD): $(SRCDIR)/tools/netcard.py
	$(call quiet,INSTALL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@

$(NC_TOOLS_PYDIR)/%.py: $(SRCDIR)/tools/netcard_host/%.py
	$(call quiet,INSTALL,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)install -m 644 $< $@

# Position-independent objects, in both libraries.
$(BUILD)/tools/obj/%.o: $(SRCDIR)/tools/lib/%.c $(SRCDIR)/tools/lib/%.h
	$(call quiet,HOSTCC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(NC_TOOLS_CC) -std=gnu11 -O2 -g -fPIC -Wall -Wextra -Werror \
		-c $< -o $@

$(NC_TOOLS_LIB): $(NC_TOOLS_OBJS)
	$(call quiet,AR,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(NC_TOOLS_SO): $(NC_TOOLS_OBJS)
	$(call quiet,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(NC_TOOLS_CC) -shared -Wl,-soname,libnetcard-host.so -o $@ $^

# TCG plugins QEMU loads with -plugin: QEMU's public plugin header and GLib.
$(BUILD)/lib/plugins/lib%.so: $(SRCDIR)/tools/plugins/%.c \
		$(SRCDIR)/tools/plugins/plugin_args.h \
		$(QEMU_SRC)/include/qemu/qemu-plugin.h
	$(call quiet,HOSTCC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(NC_TOOLS_CC) -std=gnu11 -O2 -g -fPIC -shared -Wall -Wextra -Werror \
		-I$(QEMU_SRC)/include/qemu $(shell pkg-config --cflags glib-2.0) \
		$< -o $@
