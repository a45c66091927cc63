/*
 * Log: levelled, per-module log lines kept in a RAM ring buffer and
 * drained to a sink (on the card: the debug UART).
 *
 * Line format, as the sink receives it (no newline; the debug UART sink
 * appends "\n"):
 *
 *     <L> <module>: <message>
 *
 * where <L> is one letter, E (error), W (warning), I (info) or D (debug),
 * and <module> is the LOG_MODULE string of the source file. For example:
 *
 *     I boot: sysclk 48000000 Hz, ram 256 KiB
 *
 * Raw lines (log_raw(), e.g. the boot banner) carry no prefix.
 * A line longer than LOG_LINE_MAX - 1 bytes is truncated; trailing
 * newlines are removed and embedded CR/LF become spaces, so one call is
 * always exactly one line.
 *
 * Ring: LOG_RING_LINES lines. When it is full, a new line overwrites the
 * oldest one and the drop is counted; the next log_flush() first emits
 * "W log: <n> lines dropped" so a reader sees the gap. log_flush() hands
 * lines to the sink oldest first, each exactly once. It is called by the
 * event loop and by panic().
 *
 * Levels: a log call is compiled in when its level <= CARDOS_LOG_LEVEL
 * (default LOG_LEVEL_INFO; build with -DCARDOS_LOG_LEVEL=LOG_LEVEL_NONE to
 * compile every LOG_x call out; the arguments are still type-checked but
 * no code or string is emitted). At run time, log_set_level() filters
 * further.
 *
 * Concurrency: log_printf() may be called from interrupt handlers once
 * log_set_lock() installed an interrupt-masking lock; the sink is called
 * outside the lock. Without a lock (host tests) the module is single
 * threaded.
 *
 * No hardware access here: the module compiles and is tested on the host.
 *
 * Formatter (log_snprintf / log_vsnprintf): our own, no libc printf.
 * Same contract as C11 snprintf for the subset:
 *   conversions  %d %i %u %x %X %o %c %s %p %%
 *   flags        - 0 + space #
 *   width        digits or *        precision  .digits or .*
 *   length       hh h l ll z j t
 * %p prints "0x" and the pointer in lower-case hex, zero-padded to the
 * pointer width (0x2000f00c on the card). %s of NULL prints "(null)".
 * An unknown conversion is copied to the output as written. Returns the
 * length the whole output would have; writes at most size - 1 characters
 * and always NUL-terminates when size > 0.
 *
 * Usage:
 *     #define LOG_MODULE "boot"
 *     #include "kernel/log.h"
 *     LOG_I("sysclk %u Hz", hz);
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CARDOS_KERNEL_LOG_H
#define CARDOS_KERNEL_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define LOG_LEVEL_NONE   0
#define LOG_LEVEL_ERROR  1
#define LOG_LEVEL_WARN   2
#define LOG_LEVEL_INFO   3
#define LOG_LEVEL_DEBUG  4

#ifndef CARDOS_LOG_LEVEL
#define CARDOS_LOG_LEVEL LOG_LEVEL_INFO
#endif

/* Bytes per stored line, including the terminating NUL. */
#define LOG_LINE_MAX     128
/* Lines the ring holds before it drops the oldest. */
#define LOG_RING_LINES   32

#define LOG_PRINTF_LIKE(fmt_index, first_arg) \
    __attribute__((format(printf, fmt_index, first_arg)))

/* Receives one line (NUL-terminated, @len bytes, no newline). */
typedef void (*log_sink_fn)(const char *line, size_t len);
/* Enter a critical section; returns the state to hand to the unlock. */
typedef uint32_t (*log_lock_fn)(void);
typedef void (*log_unlock_fn)(uint32_t state);

/* Forget all lines and counters; level back to LOG_LEVEL_DEBUG, no sink, no lock. */
void log_reset(void);

void log_set_sink(log_sink_fn sink);
void log_set_lock(log_lock_fn lock, log_unlock_fn unlock);

/* Run-time threshold: lines with level > @level are discarded. */
void log_set_level(int level);
int log_get_level(void);

/* 'E', 'W', 'I', 'D'; '?' for anything else. */
char log_level_letter(int level);

/* Append "<L> <module>: <message>" to the ring (if @level passes). */
void log_printf(int level, const char *module, const char *fmt, ...)
    LOG_PRINTF_LIKE(3, 4);
void log_vprintf(int level, const char *module, const char *fmt, va_list ap)
    LOG_PRINTF_LIKE(3, 0);

/* Append a line without prefix; not subject to level filtering. */
void log_raw(const char *fmt, ...) LOG_PRINTF_LIKE(1, 2);

/*
 * Hand every stored line to the sink, oldest first (discarded if there is
 * no sink). Returns the number of lines handed over, drop notice included.
 */
size_t log_flush(void);

/* Lines waiting in the ring. */
size_t log_pending(void);

/* Lines lost to ring overflow since log_reset(). */
uint32_t log_dropped(void);

int log_snprintf(char *buf, size_t size, const char *fmt, ...)
    LOG_PRINTF_LIKE(3, 4);
int log_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    LOG_PRINTF_LIKE(3, 0);

/* Compile-time filtered logging; needs LOG_MODULE defined by the file. */
#define LOG_AT_LEVEL_(level, ...)                                        \
    do {                                                                 \
        if ((level) <= CARDOS_LOG_LEVEL) {                               \
            log_printf((level), LOG_MODULE, __VA_ARGS__);                \
        }                                                                \
    } while (0)

#define LOG_E(...) LOG_AT_LEVEL_(LOG_LEVEL_ERROR, __VA_ARGS__)
#define LOG_W(...) LOG_AT_LEVEL_(LOG_LEVEL_WARN, __VA_ARGS__)
#define LOG_I(...) LOG_AT_LEVEL_(LOG_LEVEL_INFO, __VA_ARGS__)
#define LOG_D(...) LOG_AT_LEVEL_(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif /* CARDOS_KERNEL_LOG_H */
