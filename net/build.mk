# net/build.mk — host network programs: the remote administration server
# netcard-ras (net/ras/) and its card-side load generator. Included by
# the top-level Makefile, which runs make in the source tree.
#
# Receives:
#   BUILD, SRCDIR, quiet, Q   (Makefile.in)
#   HOST_PREFIX               the host mbedTLS install (build/host)
# Defines:
#   net              both programs below
#   NC_RAS           $(BUILD)/bin/netcard-ras (GLib, SQLite, libpq, host mbedTLS)
#   NC_RAS_LOAD      $(BUILD)/tests/ras-load: N simulated cards (host mbedTLS, pthreads)
#   NC_RAS_CODEC_SRCS  GLib-free modules also linked into the test binary
#
# SPDX-License-Identifier: Apache-2.0

NC_RAS      := $(BUILD)/bin/netcard-ras
NC_RAS_LOAD := $(BUILD)/tests/ras-load
NC_NET_CC   := $(or $(HOSTCC),gcc)
NC_NET_MBED := $(HOST_PREFIX)/lib/libmbedtls.a $(HOST_PREFIX)/lib/libmbedx509.a \
	$(HOST_PREFIX)/lib/libmbedcrypto.a

NC_RAS_CODEC_SRCS := net/ras/ras_codec.c net/ras/ras_scp03.c
NC_RAS_SRCS := $(NC_RAS_CODEC_SRCS) $(addprefix net/ras/,ras_db.c ras_db_jobs.c \
	ras_json.c ras_http.c ras_session.c ras_api.c ras_server.c ras_content.c \
	ras_scws.c ras_main.c)
NC_RAS_OBJS := $(NC_RAS_SRCS:%.c=$(BUILD)/net/obj/%.o)
NC_RAS_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -MMD -MP -I$(SRCDIR)/net \
	-I$(HOST_PREFIX)/include $(shell pkg-config --cflags glib-2.0 sqlite3 libpq 2>/dev/null)
NC_RAS_LIBS := $(NC_NET_MBED) $(shell pkg-config --libs glib-2.0 sqlite3 libpq 2>/dev/null)

.PHONY: net
net: $(NC_RAS) $(NC_RAS_LOAD)

$(BUILD)/net/obj/%.o: $(SRCDIR)/%.c $(HOST_PREFIX)/.mbedtls-stamp
	$(call quiet,HOSTCC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(NC_NET_CC) $(NC_RAS_CFLAGS) -c $< -o $@

$(NC_RAS): $(NC_RAS_OBJS)
	$(call quiet,LINK,$@)
	@mkdir -p $(dir $@)
	$(Q)$(NC_NET_CC) -g -o $@ $(NC_RAS_OBJS) $(NC_RAS_LIBS)

NC_RAS_LOAD_OBJS := $(addprefix $(BUILD)/net/obj/net/,ras_load.o ras/ras_codec.o)
$(NC_RAS_LOAD): $(NC_RAS_LOAD_OBJS)
	$(call quiet,LINK,$@)
	@mkdir -p $(dir $@)
	$(Q)$(NC_NET_CC) -g -o $@ $(NC_RAS_LOAD_OBJS) $(NC_NET_MBED) -lpthread

-include $(NC_RAS_OBJS:.o=.d) $(NC_RAS_LOAD_OBJS:.o=.d)
