# tests/build.mk — the netcard test binary and the check/bench runners.
# Included by the top-level Makefile, which runs make in the source tree.
#
# Receives:
#   BUILD              build directory (build)
#   SRCDIR             repository root
#   NC_TOOLS_LIB, NC_TOOLS_CFLAGS  the host library: QEMU command lines,
#                      vpcd client (tools/build.mk)
#   CARDOS_UNIT_SRCS   host-compilable card OS sources (cardos/build.mk)
#   CARDOS_UNIT_CFLAGS optional extra flags for them and tests/unit (cardos/build.mk)
#   CARDOS_UNIT_LDLIBS optional extra libraries for the test binary
#   QEMU_SRC           QEMU source tree (for the TCG plugin header)
# Defines:
#   $(BUILD)/tests/netcard-tests   ONE Criterion binary: tests/unit,
#                                  tests/devices, tests/system, tests/lib
#                                  and $(CARDOS_UNIT_SRCS)
#   $(BUILD)/tests/plugins/libinsn_window.so
#                      TCG plugin counting guest instructions between two
#                      marker addresses (tests/plugins/insn_window.c)
#   check-run   run it (needs QEMU, the card OS images and the launcher)
#   conformance-run  `netcard test` on tests/suites (the same needs)
#   bench-run   tests/bench/bench.py (builds $(BUILD)/tests/store-bench and
#               the plugin first)
#
# SPDX-License-Identifier: Apache-2.0

NC_TESTS_BIN    := $(BUILD)/tests/netcard-tests
NC_TESTS_OBJDIR := $(BUILD)/tests/obj
NC_HOSTCC       := $(or $(HOSTCC),gcc)
NC_PYTHON       := $(or $(PYTHON),/usr/bin/python3)

# Sources as paths relative to SRCDIR (CARDOS_UNIT_SRCS may be either).
NC_TESTS_UNIT_SRCS := $(patsubst $(SRCDIR)/%,%,$(sort $(wildcard $(SRCDIR)/tests/unit/*.c)))
NC_TESTS_HARN_SRCS := $(patsubst $(SRCDIR)/%,%,$(sort $(wildcard \
	$(SRCDIR)/tests/devices/*.c $(SRCDIR)/tests/system/*.c $(SRCDIR)/tests/net/*.c \
	$(SRCDIR)/tests/lib/*.c)))
# The admin server's GLib-free modules (script codec, SCP03), with their
# unit tests (tests/unit/test_ras_*.c), on the host mbedTLS (net/build.mk).
NC_TESTS_NET_OBJS := $(NC_RAS_CODEC_SRCS:%.c=$(NC_TESTS_OBJDIR)/%.o)
NC_TESTS_CARDOS_SRCS := $(patsubst ./%,%,$(patsubst $(SRCDIR)/%,%,$(CARDOS_UNIT_SRCS)))

NC_TESTS_UNIT_OBJS   := $(NC_TESTS_UNIT_SRCS:%.c=$(NC_TESTS_OBJDIR)/%.o)
NC_TESTS_HARN_OBJS   := $(NC_TESTS_HARN_SRCS:%.c=$(NC_TESTS_OBJDIR)/%.o)
NC_TESTS_CARDOS_OBJS := $(NC_TESTS_CARDOS_SRCS:%.c=$(NC_TESTS_OBJDIR)/%.o)
NC_TESTS_OBJS := $(NC_TESTS_UNIT_OBJS) $(NC_TESTS_HARN_OBJS) $(NC_TESTS_CARDOS_OBJS) \
	$(NC_TESTS_NET_OBJS)

NC_TESTS_CFLAGS := -Wall -Wextra -Werror -std=gnu11 -g -MMD -MP \
	-I$(SRCDIR)/cardos -I$(SRCDIR)/peripherals \
	-I$(SRCDIR)/tests/lib $(NC_TOOLS_CFLAGS) -I$(SRCDIR)/net
NC_TESTS_LDLIBS := $(NC_TOOLS_LIB) -lcriterion $(CARDOS_UNIT_LDLIBS) \
	$(HOST_PREFIX)/lib/libmbedcrypto.a

# The card OS modules and their unit tests see the same host configuration.
ifneq ($(strip $(NC_TESTS_CARDOS_OBJS) $(NC_TESTS_UNIT_OBJS)),)
$(NC_TESTS_CARDOS_OBJS) $(NC_TESTS_UNIT_OBJS): NC_TESTS_XFLAGS := -DCARDOS_HOST=1 $(CARDOS_UNIT_CFLAGS)
endif

# tests/unit/crypto_host.c: the card's crypto API (crypto/crypto.h) on the
# host mbedTLS, for the unit tests of modules above crypto/.
NC_HOST_MBEDTLS := $(abspath $(BUILD)/host)
# The tests see its headers too (tests/unit/gp_host_scp03.h).
$(NC_TESTS_UNIT_OBJS) $(NC_TESTS_HARN_OBJS): NC_TESTS_XFLAGS += -I$(NC_HOST_MBEDTLS)/include
$(NC_TESTS_UNIT_OBJS) $(NC_TESTS_HARN_OBJS): $(NC_HOST_MBEDTLS)/.mbedtls-stamp
NC_TESTS_LDLIBS += $(NC_HOST_MBEDTLS)/lib/libmbedcrypto.a

$(NC_TESTS_OBJDIR)/%.o: $(SRCDIR)/%.c
	$(call quiet,HOSTCC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(NC_HOSTCC) $(NC_TESTS_CFLAGS) $(NC_TESTS_XFLAGS) -c $< -o $@

$(NC_TESTS_BIN): $(NC_TESTS_OBJS) $(NC_TOOLS_LIB)
	$(call quiet,LINK,$@)
	@mkdir -p $(dir $@)
	$(Q)$(NC_HOSTCC) -g -o $@ $(NC_TESTS_OBJS) $(NC_TESTS_LDLIBS)

$(NC_TESTS_NET_OBJS): NC_TESTS_XFLAGS := -I$(HOST_PREFIX)/include
$(NC_TESTS_NET_OBJS) $(NC_TESTS_UNIT_OBJS): $(HOST_PREFIX)/.mbedtls-stamp

-include $(NC_TESTS_OBJS:.o=.d)

# make bench's TLS-PSK handshake timer, on the host mbedTLS.
NC_TLS_HS := $(BUILD)/tests/tls-psk-handshake
$(NC_TLS_HS): $(SRCDIR)/tests/bench/tls_psk_handshake.c $(NC_HOST_MBEDTLS)/.mbedtls-stamp
	$(call quiet,HOSTCC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(NC_HOSTCC) -Wall -Wextra -Werror -O2 -I$(NC_HOST_MBEDTLS)/include $< \
		$(NC_HOST_MBEDTLS)/lib/libmbedtls.a $(NC_HOST_MBEDTLS)/lib/libmbedx509.a \
		$(NC_HOST_MBEDTLS)/lib/libmbedcrypto.a -o $@

# TCG plugins (tests/plugins/*.c): shared objects QEMU loads with -plugin,
# built against QEMU's public plugin header and GLib.
NC_PLUGIN_DIR    := $(BUILD)/tests/plugins
NC_INSN_PLUGIN   := $(NC_PLUGIN_DIR)/libinsn_window.so
NC_PLUGIN_CFLAGS := -std=gnu11 -O2 -g -fPIC -shared -Wall -Wextra -Werror \
	-I$(QEMU_SRC)/include/qemu -I$(SRCDIR)/tools/plugins \
	$(shell pkg-config --cflags glib-2.0)
$(NC_PLUGIN_DIR)/lib%.so: $(SRCDIR)/tests/plugins/%.c \
		$(SRCDIR)/tools/plugins/plugin_args.h \
		$(QEMU_SRC)/include/qemu/qemu-plugin.h
	$(call quiet,HOSTCC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(NC_HOSTCC) $(NC_PLUGIN_CFLAGS) $< -o $@
tests: $(NC_INSN_PLUGIN)

# --------------------------------------------------------------------------
# Running. The tests chdir, so every path they get is absolute.
#   TESTS_JOBS     parallel test workers (default 2: each may run a QEMU)
#   TESTS_FILTER   Criterion --filter pattern, e.g. 'device_*/*'
#   TESTS_ARGS     anything else for Criterion (e.g. --verbose)
# Per-test time limits are set on the suites (.timeout): Criterion 2.4
# ignores its --timeout option.
# --------------------------------------------------------------------------
TESTS_JOBS    ?= 2
TESTS_FILTER  ?=
TESTS_ARGS    ?=

NC_TESTS_ENV := \
	NETCARD_QEMU=$(abspath $(BUILD)/qemu/qemu-system-arm) \
	NETCARD_CARDOS_DIR=$(abspath $(BUILD)/cardos) \
	NETCARD_SRCDIR=$(abspath $(SRCDIR)) \
	NETCARD_BIN=$(abspath $(BUILD)/bin) \
	NETCARD_TESTS_DIR=$(abspath $(BUILD)/tests) \
	NETCARD_PLUGINS=$(abspath $(NC_PLUGIN_DIR))

.PHONY: check-run bench-run conformance-run
# The example conformance suites (tests/suites) on the installed launcher.
#   CONFORMANCE_JOBS  cards at once (default 2)
#   CONFORMANCE_ARGS  more `netcard test` options (--junit FILE, -v ...)
CONFORMANCE_JOBS ?= 2
CONFORMANCE_ARGS ?=
conformance-run:
	$(Q)$(NETCARD) test -j$(CONFORMANCE_JOBS) $(CONFORMANCE_ARGS) \
		$(SRCDIR)/tests/suites
check-run: $(NC_TESTS_BIN) $(NC_INSN_PLUGIN) $(NC_RAS) $(NC_RAS_LOAD)
	$(Q)$(NC_TESTS_ENV) $(NC_TESTS_BIN) -j$(TESTS_JOBS) \
		$(if $(TESTS_FILTER),--filter='$(TESTS_FILTER)') $(TESTS_ARGS)

# store-bench: the object store's flash costs on the simulated NOR flash
# (tests/bench/store_bench.c), a host program run by bench.py.
NC_STORE_BENCH := $(BUILD)/tests/store-bench
NC_STORE_BENCH_SRCS := $(addprefix $(SRCDIR)/,cardos/store/crc32.c \
	cardos/store/store_write.c cardos/store/store_mount.c cardos/store/store_index.c \
	cardos/kernel/log.c tests/unit/nor_sim.c tests/bench/store_bench.c)
$(NC_STORE_BENCH): $(NC_STORE_BENCH_SRCS) $(wildcard $(SRCDIR)/cardos/store/*.h) \
		$(SRCDIR)/tests/unit/nor_sim.h
	$(call quiet,HOSTCC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(NC_HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -I$(SRCDIR)/cardos \
		-I$(SRCDIR)/tests/unit -o $@ $(NC_STORE_BENCH_SRCS)

# BENCH_ARGS=--quick for fewer repetitions.
BENCH_ARGS ?=
bench-run: $(NC_STORE_BENCH) $(NC_INSN_PLUGIN)
	$(Q)$(NC_PYTHON) $(SRCDIR)/tests/bench/bench.py --build $(BUILD) $(BENCH_ARGS)
