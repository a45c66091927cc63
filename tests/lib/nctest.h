/*
 * nctest: the netcard test harness library.
 *
 * Used by tests/devices (qtest + QMP, no guest code) and tests/system (boot
 * the card OS in QEMU and talk to it). Everything here is bounded: every
 * wait has a timeout, and a timeout fails the current Criterion test with a
 * message that says what was expected and what was seen. Everything a test
 * starts (processes, sockets, temporary files) is registered and torn down
 * by nc_test_fini() (the suites' .fini) or, failing that, at process exit.
 *
 * Functions that can fail the test are macros that pass the caller's
 * __FILE__/__LINE__, so a failure points at the test step, not at this
 * library.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NCTEST_H
#define NCTEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <regex.h>

/* Generous bounds for a loaded 2-core machine (milliseconds). */
#define NC_TIMEOUT_START_MS   30000  /* QEMU up, sockets connected */
#define NC_TIMEOUT_BOOT_MS    30000  /* exec to banner / reset to banner */
#define NC_TIMEOUT_CMD_MS     15000  /* one qtest or QMP round trip */
#define NC_TIMEOUT_EXIT_MS    20000  /* a short-lived tool to exit */

/*
 * Per-test limits in seconds, for TestSuite(..., .timeout = ...). Criterion
 * 2.4's command-line --timeout has no effect; the suite attribute does. A
 * test's own waits are bounded well below these: they only catch a hang.
 */
#define NC_SUITE_TIMEOUT_DEVICE   120
#define NC_SUITE_TIMEOUT_SYSTEM   300

/* ------------------------------------------------------------------ */
/* Failing and fixtures                                                */

/* Fail the current test at FILE:LINE with a formatted message. */
__attribute__((noreturn, format(printf, 3, 4)))
void nc_fail_at(const char *file, int line, const char *fmt, ...);
#define nc_fail(...) nc_fail_at(__FILE__, __LINE__, __VA_ARGS__)

/*
 * Per-test set-up and tear-down; use them as a suite's .init/.fini:
 *   TestSuite(device_sysctl, .init = nc_test_init, .fini = nc_test_fini);
 * nc_test_fini stops every registered process (SIGTERM to its process
 * group, then SIGKILL), reaps it, closes registered fds and removes the
 * temporary directory (kept if NETCARD_TEST_KEEP=1). It also runs at exit.
 */
void nc_test_init(void);
void nc_test_fini(void);

/* Register memory freed by nc_test_fini; returns p. */
void *nc_gc(void *p);
/* printf into a string freed by nc_test_fini. */
__attribute__((format(printf, 1, 2)))
char *nc_strf(const char *fmt, ...);
char *nc_vstrf(const char *fmt, va_list ap);

/* ------------------------------------------------------------------ */
/* Environment                                                         */

/* Value of a required environment variable; fails naming it if unset. */
const char *nc_env_at(const char *file, int line, const char *name,
                      const char *meaning);
#define nc_env(name, meaning) nc_env_at(__FILE__, __LINE__, name, meaning)

/* $NETCARD_QEMU, checked to be executable. */
const char *nc_qemu_at(const char *file, int line);
#define nc_qemu() nc_qemu_at(__FILE__, __LINE__)
/* $NETCARD_CARDOS_DIR/NAME, checked to exist. */
const char *nc_cardos_image_at(const char *file, int line, const char *name);
#define nc_cardos_image(name) nc_cardos_image_at(__FILE__, __LINE__, name)
/* $NETCARD_SRCDIR */
const char *nc_srcdir_at(const char *file, int line);
#define nc_srcdir() nc_srcdir_at(__FILE__, __LINE__)
/* $NETCARD_BIN/NAME, checked to be executable. */
const char *nc_bin_at(const char *file, int line, const char *name);
#define nc_bin(name) nc_bin_at(__FILE__, __LINE__, name)
/* Content of $NETCARD_SRCDIR/VERSION without surrounding white space. */
const char *nc_version_at(const char *file, int line);
#define nc_version() nc_version_at(__FILE__, __LINE__)
/*
 * Full path of an external tool found on PATH; fails with
 * "<tool> not found on PATH; install it with: apt-get install <package>".
 */
const char *nc_tool_at(const char *file, int line, const char *tool,
                       const char *package);
#define nc_tool(tool, package) nc_tool_at(__FILE__, __LINE__, tool, package)

/* ------------------------------------------------------------------ */
/* Files and directories                                               */

/* This test's private temporary directory (created on first use). */
const char *nc_tmpdir(void);
/* nc_tmpdir()/NAME */
const char *nc_tmp_path(const char *name);
/* Whole file as a NUL-terminated string (NULL if unreadable). */
char *nc_read_file(const char *path, size_t *len);
/* The last MAX bytes of a file, for diagnostics ("" if unreadable). */
const char *nc_file_tail(const char *path, size_t max);
/* Monotonic clock in milliseconds. */
int64_t nc_now_ms(void);
/* Sleep a little (used only inside bounded polling loops). */
void nc_nap_ms(int ms);

/* ------------------------------------------------------------------ */
/* Processes                                                           */

typedef struct NcSpawnOpts {
    const char *cwd;          /* NULL: inherit */
    const char *stdin_path;   /* NULL: /dev/null */
    const char *stdout_path;  /* NULL: <tmpdir>/<name>.out */
    const char *stderr_path;  /* NULL: <tmpdir>/<name>.err */
    bool stderr_to_stdout;    /* 2>&1 into stdout_path */
} NcSpawnOpts;

typedef struct NcProc {
    char *name;               /* for messages */
    pid_t pid;                /* also its process-group id */
    bool reaped;
    int status;               /* wait status once reaped */
    char *stdout_path;
    char *stderr_path;
    char *cmdline;            /* for messages */
} NcProc;

/*
 * Start ARGV[0] (a path) with ARGV in its own process group, with
 * PR_SET_PDEATHSIG(SIGKILL) so it dies with the test process. Fails the test
 * if it cannot be executed. Registered for tear-down.
 */
NcProc *nc_spawn_at(const char *file, int line, const char *name,
                    const char *const argv[], const NcSpawnOpts *opts);
#define nc_spawn(name, argv, opts) \
    nc_spawn_at(__FILE__, __LINE__, name, argv, opts)

/* Non-blocking: has it exited (and been reaped)? */
bool nc_proc_exited(NcProc *p);
/* Wait up to TIMEOUT_MS for exit; true if it exited. */
bool nc_proc_wait(NcProc *p, int timeout_ms);
/* Wait for exit or fail; returns the wait status. */
int nc_proc_wait_exit_at(const char *file, int line, NcProc *p,
                         int timeout_ms);
#define nc_proc_wait_exit(p, t) nc_proc_wait_exit_at(__FILE__, __LINE__, p, t)
/* Stop: SIGTERM to the group, up to 5 s, then SIGKILL; reap. Idempotent. */
void nc_proc_stop(NcProc *p);
/* "exited with status 1", "killed by signal 9", "running" */
const char *nc_proc_describe(NcProc *p);
/* Tails of its output files, for messages. */
const char *nc_proc_diag(NcProc *p);

/* ------------------------------------------------------------------ */
/* Sockets                                                             */

/* A free loopback TCP port (bound and released; random in 20000..32767). */
int nc_free_tcp_port_at(const char *file, int line);
#define nc_free_tcp_port() nc_free_tcp_port_at(__FILE__, __LINE__)
/* Listen on 127.0.0.1:PORT (0 = any); returns the fd; *port gets the port. */
int nc_tcp_listen_at(const char *file, int line, int *port);
#define nc_tcp_listen(port) nc_tcp_listen_at(__FILE__, __LINE__, port)
/* Listen on a unix socket at PATH; returns the fd (registered). */
int nc_unix_listen_at(const char *file, int line, const char *path);
#define nc_unix_listen(path) nc_unix_listen_at(__FILE__, __LINE__, path)
/*
 * Accept one connection on LFD within TIMEOUT_MS. If PROC is given and
 * exits meanwhile, fail with its output. WHAT names the socket.
 */
int nc_accept_at(const char *file, int line, int lfd, int timeout_ms,
                 NcProc *proc, const char *what);
#define nc_accept(lfd, t, proc, what) \
    nc_accept_at(__FILE__, __LINE__, lfd, t, proc, what)
/* Connect to a unix socket, retrying until TIMEOUT_MS (PROC as above). */
int nc_unix_connect_at(const char *file, int line, const char *path,
                       int timeout_ms, NcProc *proc, const char *what);
#define nc_unix_connect(path, t, proc, what) \
    nc_unix_connect_at(__FILE__, __LINE__, path, t, proc, what)
/* Try a TCP connect to 127.0.0.1:PORT once; true if it succeeded. */
bool nc_tcp_probe(int port);
/* Register an fd to be closed at tear-down. */
void nc_register_fd(int fd);
void nc_close_fd(int fd);

/* Buffered line reader/writer over a connected stream socket. */
typedef struct NcConn {
    int fd;
    char *buf;
    size_t len, cap;
    bool eof;
    NcProc *proc;             /* peer process, for messages; may be NULL */
    const char *what;         /* "qtest", "QMP" */
} NcConn;

/*
 * Next line (without "\n"/"\r\n"), waiting until DEADLINE_MS (nc_now_ms
 * scale). Returns NULL on timeout or EOF (conn->eof tells which).
 */
char *nc_conn_readline(NcConn *c, int64_t deadline_ms);
/* Send all of S; false on error (peer gone). */
bool nc_conn_send(NcConn *c, const char *s);

/* ------------------------------------------------------------------ */
/* JSON (just enough for QMP)                                          */

/*
 * Find top-level KEY of the JSON object text JSON. On success *VAL points at
 * the value's first character and *LEN is its length. False if absent or if
 * JSON is not an object.
 */
bool nc_json_get(const char *json, const char *key, const char **val,
                 size_t *len);
/* Top-level KEY as an unescaped string (nc_gc'd), NULL if absent/not str. */
char *nc_json_get_str(const char *json, const char *key);
/* Top-level KEY's raw value text (nc_gc'd), NULL if absent. */
char *nc_json_get_raw(const char *json, const char *key);

/* ------------------------------------------------------------------ */
/* QMP                                                                 */

typedef struct NcQmp {
    NcConn conn;
    char **events;            /* recorded, not yet consumed event lines */
    size_t n_events, cap_events;
    char **all_events;        /* every event seen, for diagnostics */
    size_t n_all, cap_all;
} NcQmp;

/* Accept QEMU's connection on LFD (test listened), read the greeting and
 * negotiate capabilities. */
NcQmp *nc_qmp_accept_at(const char *file, int line, int lfd, NcProc *qemu);
#define nc_qmp_accept(lfd, qemu) nc_qmp_accept_at(__FILE__, __LINE__, lfd, qemu)
/* Connect to QEMU's QMP server socket (with retry), same hand-shake. */
NcQmp *nc_qmp_connect_at(const char *file, int line, const char *path,
                         NcProc *qemu);
#define nc_qmp_connect(path, qemu) \
    nc_qmp_connect_at(__FILE__, __LINE__, path, qemu)

/*
 * Execute the command CMD (a full JSON object text). Returns the text of
 * "return" (e.g. "{}"). On a QMP error: if ERROR is non-NULL, *ERROR gets
 * the text of "error" and NULL is returned; otherwise the test fails.
 */
char *nc_qmp_exec_at(const char *file, int line, NcQmp *q, const char *cmd,
                     char **error);
#define nc_qmp_exec(q, cmd, err) nc_qmp_exec_at(__FILE__, __LINE__, q, cmd, err)
/* printf-style: nc_qmp(q, "{'execute':'system_reset'}") ; ' are turned
 * into " so commands read well in C. Fails on a QMP error. */
__attribute__((format(printf, 4, 5)))
char *nc_qmp_at(const char *file, int line, NcQmp *q, const char *fmt, ...);
#define nc_qmp(q, ...) nc_qmp_at(__FILE__, __LINE__, q, __VA_ARGS__)

/*
 * Wait up to TIMEOUT_MS for an event named NAME; consumes and returns the
 * first such recorded or newly read event line. Fails on timeout, listing
 * the events that were seen.
 */
char *nc_qmp_wait_event_at(const char *file, int line, NcQmp *q,
                           const char *name, int timeout_ms);
#define nc_qmp_wait_event(q, name, t) \
    nc_qmp_wait_event_at(__FILE__, __LINE__, q, name, t)
/* Read whatever is pending (no waiting) and count unconsumed NAME events. */
size_t nc_qmp_count_events(NcQmp *q, const char *name);

/* ------------------------------------------------------------------ */
/* QEMU command lines                                                  */

/*
 * The argv that starts QEMU for the netcard machine, from the one
 * command-line builder (tools/lib/qemu_cmdline.h, linked in; the launcher
 * and the benchmarks use the same function), with --qemu $NETCARD_QEMU.
 * OPTS are the builder's option words (the same as `netcard qemu-cmdline`
 * takes: --image, --nvm, --iso listen:HOST:PORT, --net, --hostfwd,
 * --global, ...); EXTRA are QEMU arguments appended last. Both
 * NULL-terminated, may be NULL. Returns a NULL-terminated argv (nc_gc'd);
 * fails the test with the builder's message if it refuses the options.
 */
const char **nc_qemu_cmdline_at(const char *file, int line,
                                const char *const *opts,
                                const char *const *extra);
#define nc_qemu_cmdline(opts, extra) \
    nc_qemu_cmdline_at(__FILE__, __LINE__, opts, extra)

/* ------------------------------------------------------------------ */
/* qtest                                                               */

#define NC_QTEST_MAX_IRQ 64

typedef struct NcQtest {
    NcProc *qemu;
    NcConn conn;
    NcQmp *qmp;
    int irq_level[NC_QTEST_MAX_IRQ];
    char **irq_log;           /* "raise 3", "lower 3" in arrival order */
    size_t n_irq_log, cap_irq_log;
} NcQtest;

/*
 * Start QEMU with -M netcard -accel qtest, qtest and QMP on unix sockets
 * the test listens on, the console on null, plus EXTRA_ARGS (QEMU
 * arguments, NULL-terminated, may be NULL). Waits for both connections and
 * QMP capabilities. nc_qtest_start_with also takes builder options
 * (nc_qemu_cmdline's OPTS: --iso, --nvm, --mac, ...).
 */
NcQtest *nc_qtest_start_at(const char *file, int line,
                           const char *const cmdline_opts[],
                           const char *const extra_args[]);
#define nc_qtest_start(extra) nc_qtest_start_at(__FILE__, __LINE__, NULL, extra)
#define nc_qtest_start_with(opts, extra) \
    nc_qtest_start_at(__FILE__, __LINE__, opts, extra)

/* Send one qtest command line (printf-style, no "\n"); returns what
 * follows "OK" (trimmed, "" if nothing). Fails on FAIL/ERR/timeout. */
__attribute__((format(printf, 4, 5)))
char *nc_qtest_cmd_at(const char *file, int line, NcQtest *qt,
                      const char *fmt, ...);
#define nc_qtest_cmd(qt, ...) nc_qtest_cmd_at(__FILE__, __LINE__, qt, __VA_ARGS__)

uint64_t nc_qtest_read_at(const char *file, int line, NcQtest *qt,
                          char size, uint64_t addr);
void nc_qtest_write_at(const char *file, int line, NcQtest *qt, char size,
                       uint64_t addr, uint64_t value);
#define nc_readb(qt, a) ((uint8_t)nc_qtest_read_at(__FILE__, __LINE__, qt, 'b', a))
#define nc_readw(qt, a) ((uint16_t)nc_qtest_read_at(__FILE__, __LINE__, qt, 'w', a))
#define nc_readl(qt, a) ((uint32_t)nc_qtest_read_at(__FILE__, __LINE__, qt, 'l', a))
#define nc_readq(qt, a) nc_qtest_read_at(__FILE__, __LINE__, qt, 'q', a)
#define nc_writeb(qt, a, v) nc_qtest_write_at(__FILE__, __LINE__, qt, 'b', a, v)
#define nc_writew(qt, a, v) nc_qtest_write_at(__FILE__, __LINE__, qt, 'w', a, v)
#define nc_writel(qt, a, v) nc_qtest_write_at(__FILE__, __LINE__, qt, 'l', a, v)
#define nc_writeq(qt, a, v) nc_qtest_write_at(__FILE__, __LINE__, qt, 'q', a, v)

/* clock_step NS (0 = to the next timer deadline); returns the new clock. */
uint64_t nc_clock_step_at(const char *file, int line, NcQtest *qt,
                          uint64_t ns);
#define nc_clock_step(qt, ns) nc_clock_step_at(__FILE__, __LINE__, qt, ns)

/*
 * Poll ADDR (32-bit) until (value & MASK) == EXPECT, stepping the clock by
 * 1 ms between reads so the main loop runs pending requests (resets).
 * Bounded by TIMEOUT_MS; fails with the last value seen. WHAT names it.
 */
uint32_t nc_qtest_poll_l_at(const char *file, int line, NcQtest *qt,
                            uint64_t addr, uint32_t mask, uint32_t expect,
                            int timeout_ms, const char *what);
#define nc_qtest_poll_l(qt, addr, mask, expect, t, what) \
    nc_qtest_poll_l_at(__FILE__, __LINE__, qt, addr, mask, expect, t, what)

/* Current level of an intercepted IRQ line N (after irq_intercept_in). */
int nc_qtest_irq_level(NcQtest *qt, int n);

/* QMP quit, wait for QEMU to exit (bounded), else stop it. */
void nc_qtest_quit(NcQtest *qt);

/* ------------------------------------------------------------------ */
/* Console (a text file that a process appends to)                    */

typedef struct NcConsole {
    char *path;
    const char *what;         /* "card console", "launcher stdout" */
    NcProc *proc;             /* writer; its death ends waits early */
    int fd;
    char *buf;                /* unconsumed bytes (partial line) */
    size_t len, cap;
    char **seen;              /* ring of the last lines consumed */
    size_t n_seen;
    size_t seen_total;
} NcConsole;

NcConsole *nc_console_open(const char *path, const char *what, NcProc *proc);

/* Next complete line within TIMEOUT_MS (fails on timeout). */
char *nc_console_next_line_at(const char *file, int line, NcConsole *c,
                              int timeout_ms);
#define nc_console_next_line(c, t) \
    nc_console_next_line_at(__FILE__, __LINE__, c, t)
/* Skip lines until one contains SUBSTR; returns that line. */
char *nc_console_wait_at(const char *file, int line, NcConsole *c,
                         const char *substr, int timeout_ms);
#define nc_console_wait(c, s, t) nc_console_wait_at(__FILE__, __LINE__, c, s, t)
/*
 * Skip lines until one matches the POSIX extended regex RE; returns that
 * line; if M is non-NULL it gets up to NM sub-matches.
 */
char *nc_console_wait_re_at(const char *file, int line, NcConsole *c,
                            const char *re, regmatch_t *m, size_t nm,
                            int timeout_ms);
#define nc_console_wait_re(c, re, m, nm, t) \
    nc_console_wait_re_at(__FILE__, __LINE__, c, re, m, nm, t)
/* Copy of sub-match I of LINE (nc_gc'd). */
char *nc_match_str(const char *line, const regmatch_t *m, size_t i);
/* Escape S for use inside a POSIX extended regex (nc_gc'd). */
char *nc_re_escape(const char *s);
/* The last lines consumed, for messages. */
const char *nc_console_seen(NcConsole *c);

/* ------------------------------------------------------------------ */
/* A running card (system tests)                                       */

typedef struct NcCard {
    NcProc *qemu;
    NcQmp *qmp;
    NcConsole *console;
    char *console_path;
    int gdb_port;             /* 0 unless started with gdb */
} NcCard;

typedef struct NcCardOpts {
    const char *image;        /* file name in NETCARD_CARDOS_DIR */
    bool halted;              /* -S */
    int gdb_port;             /* -gdb tcp:127.0.0.1:PORT if non-zero */
    /* more builder options (nc_qemu_cmdline's OPTS: --iso, --nvm, --net,
     * --hostfwd, --global, ...), NULL-terminated, may be NULL */
    const char *const *cmdline_opts;
    const char *const *extra_args;  /* QEMU's, NULL-terminated, may be NULL */
} NcCardOpts;

/*
 * Start QEMU with -M netcard -kernel IMAGE, the console (first -serial) in
 * a file, and QMP on a socket the test listens on (nc_qemu_cmdline).
 */
NcCard *nc_card_start_at(const char *file, int line, const NcCardOpts *o);
#define nc_card_start(o) nc_card_start_at(__FILE__, __LINE__, o)

/*
 * Banner check: LINE is "netcard cardos <VERSION> (<describe>) reset=CAUSE"
 * with VERSION from the VERSION file. Wait for the next banner line and
 * check it names CAUSE.
 */
char *nc_card_wait_banner_at(const char *file, int line, NcCard *card,
                             const char *cause, int timeout_ms);
#define nc_card_wait_banner(card, cause, t) \
    nc_card_wait_banner_at(__FILE__, __LINE__, card, cause, t)
/* Regex that matches a banner line for CAUSE (nc_gc'd). */
char *nc_banner_re(const char *cause);

/* ------------------------------------------------------------------ */
/* vpcd framing (the host side of the ISO 7816 contact interface)      */

/*
 * A client of the card's vpcd socket: the asserting wrapper
 * (nctest_vpcd.c) of netcard's one vpcd client, tools/lib/vpcd.h. Frames
 * are a 2-byte big-endian length and the payload; 1-byte payloads are
 * control codes (00 off, 01 on, 02 reset, 04 get ATR). See
 * docs/iso7816.md.
 */
struct VpcdLink;
typedef struct NcVpcd {
    struct VpcdLink *link;    /* NULL once closed */
    int port;
    NcProc *proc;             /* QEMU, for messages; may be NULL */
} NcVpcd;

#define NC_VPCD_OFF    0x00
#define NC_VPCD_ON     0x01
#define NC_VPCD_RESET  0x02
#define NC_VPCD_ATR    0x04

/* Connect to 127.0.0.1:PORT (retrying until TIMEOUT_MS); TCP_NODELAY. */
NcVpcd *nc_vpcd_connect_at(const char *file, int line, int port,
                           int timeout_ms, NcProc *proc);
#define nc_vpcd_connect(port, t, proc) \
    nc_vpcd_connect_at(__FILE__, __LINE__, port, t, proc)
/* Send one frame with LEN bytes of payload (LEN <= 65535). */
void nc_vpcd_send_at(const char *file, int line, NcVpcd *v,
                     const uint8_t *buf, size_t len);
#define nc_vpcd_send(v, buf, len) nc_vpcd_send_at(__FILE__, __LINE__, v, buf, len)
/* Send a 1-byte control frame. */
#define nc_vpcd_ctrl(v, code) \
    do { uint8_t c__ = (code); nc_vpcd_send(v, &c__, 1); } while (0)
/* Send raw bytes (no framing), for malformed-input tests. */
void nc_vpcd_send_raw_at(const char *file, int line, NcVpcd *v,
                         const void *buf, size_t len);
#define nc_vpcd_send_raw(v, buf, len) \
    nc_vpcd_send_raw_at(__FILE__, __LINE__, v, buf, len)
/*
 * Receive one frame within TIMEOUT_MS into BUF (CAP bytes); returns the
 * payload length. Fails the test on timeout, EOF or a frame over CAP.
 */
size_t nc_vpcd_recv_at(const char *file, int line, NcVpcd *v, uint8_t *buf,
                       size_t cap, int timeout_ms);
#define nc_vpcd_recv(v, buf, cap, t) \
    nc_vpcd_recv_at(__FILE__, __LINE__, v, buf, cap, t)
/* True if something (data or EOF) is readable within TIMEOUT_MS. */
bool nc_vpcd_pending(NcVpcd *v, int timeout_ms);
/* Close the connection (idempotent). */
void nc_vpcd_close(NcVpcd *v);

/* Uppercase hex of N bytes, no separators (nc_gc'd). */
char *nc_hex(const uint8_t *b, size_t n);
/* Parse hex (spaces allowed) into OUT; returns the byte count; fails the
 * test on bad input or more than CAP bytes. */
size_t nc_unhex_at(const char *file, int line, const char *hex, uint8_t *out,
                   size_t cap);
#define nc_unhex(hex, out, cap) nc_unhex_at(__FILE__, __LINE__, hex, out, cap)

/* ------------------------------------------------------------------ */
/* Cross-process lock (serialises tests that use fixed host resources) */

/* Take an exclusive flock on /tmp/netcard-tests-NAME.lock, bounded. */
void nc_global_lock_at(const char *file, int line, const char *name,
                       int timeout_ms);
#define nc_global_lock(name, t) nc_global_lock_at(__FILE__, __LINE__, name, t)

#endif /* NCTEST_H */
