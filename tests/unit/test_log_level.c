/*
 * Unit tests: log level filtering, at run time (log_set_level) and at
 * compile time (CARDOS_LOG_LEVEL, evaluated where a LOG_x macro expands).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <criterion/criterion.h>
#include <string.h>

#include "kernel/log.h"

static char last_line[LOG_LINE_MAX];
static size_t line_count;

static void count_sink(const char *line, size_t len)
{
    size_t n = len < sizeof(last_line) - 1 ? len : sizeof(last_line) - 1;

    memcpy(last_line, line, n);
    last_line[n] = '\0';
    line_count++;
}

static void level_setup(void)
{
    log_reset();
    log_set_sink(count_sink);
    line_count = 0;
    last_line[0] = '\0';
}

TestSuite(unit_log_level, .init = level_setup);

static size_t emit_all_levels(void)
{
    log_printf(LOG_LEVEL_ERROR, "lv", "e");
    log_printf(LOG_LEVEL_WARN, "lv", "w");
    log_printf(LOG_LEVEL_INFO, "lv", "i");
    log_printf(LOG_LEVEL_DEBUG, "lv", "d");
    return log_flush();
}

Test(unit_log_level, default_passes_everything)
{
    cr_expect_eq(log_get_level(), LOG_LEVEL_DEBUG);
    cr_expect_eq(emit_all_levels(), 4);
}

Test(unit_log_level, runtime_threshold)
{
    static const struct { int level; size_t lines; } table[] = {
        { LOG_LEVEL_NONE, 0 }, { LOG_LEVEL_ERROR, 1 }, { LOG_LEVEL_WARN, 2 },
        { LOG_LEVEL_INFO, 3 }, { LOG_LEVEL_DEBUG, 4 },
    };

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        log_set_level(table[i].level);
        cr_expect_eq(log_get_level(), table[i].level);
        cr_expect_eq(emit_all_levels(), table[i].lines, "level %d", table[i].level);
    }
}

Test(unit_log_level, raw_lines_are_not_filtered)
{
    log_set_level(LOG_LEVEL_NONE);
    log_raw("banner");
    cr_expect_eq(log_flush(), 1);
    cr_expect_str_eq(last_line, "banner");
}

Test(unit_log_level, invalid_levels_are_dropped)
{
    log_printf(LOG_LEVEL_NONE, "lv", "none is not a level to log at");
    log_printf(-1, "lv", "negative");
    log_printf(LOG_LEVEL_DEBUG + 1, "lv", "above debug");
    cr_expect_eq(log_flush(), 0);
}

Test(unit_log_level, letters)
{
    cr_expect_eq(log_level_letter(LOG_LEVEL_ERROR), 'E');
    cr_expect_eq(log_level_letter(LOG_LEVEL_WARN), 'W');
    cr_expect_eq(log_level_letter(LOG_LEVEL_INFO), 'I');
    cr_expect_eq(log_level_letter(LOG_LEVEL_DEBUG), 'D');
    cr_expect_eq(log_level_letter(LOG_LEVEL_NONE), '?');
    cr_expect_eq(log_level_letter(99), '?');
}

static int evaluations;

static int counted(int v)
{
    evaluations++;
    return v;
}

/* From here on, this file is built as if with -DCARDOS_LOG_LEVEL=WARN. */
#undef CARDOS_LOG_LEVEL
#define CARDOS_LOG_LEVEL LOG_LEVEL_WARN
#define LOG_MODULE "ct"

Test(unit_log_level, compile_time_warn)
{
    evaluations = 0;
    LOG_E("e %d", counted(1));
    LOG_W("w %d", counted(2));
    LOG_I("i %d", counted(3));
    LOG_D("d %d", counted(4));
    cr_expect_eq(log_flush(), 2);
    cr_expect_str_eq(last_line, "W ct: w 2");
    cr_expect_eq(evaluations, 2, "arguments of compiled-out calls are not evaluated");
}

#undef CARDOS_LOG_LEVEL
#define CARDOS_LOG_LEVEL LOG_LEVEL_NONE

Test(unit_log_level, compile_time_none)
{
    evaluations = 0;
    LOG_E("e %d", counted(1));
    LOG_W("w %d", counted(2));
    cr_expect_eq(log_flush(), 0);
    cr_expect_eq(evaluations, 0);
}
