/*
 * Device tests: ISO 7816 UART at 0x4000_2000 with its terminal side.
 *
 * The test plays both ends: the HOST over vpcd framing on the socket given
 * as the second -serial, and the CARD by poking the UART registers over
 * qtest (no guest code runs). Expected bytes are written out from ISO/IEC
 * 7816-3 (ATR, PPS, T=0 TPDUs, T=1 blocks with LRC) and vsmartcard's vpcd
 * framing; the behaviour in error cases is the one docs/iso7816.md fixes.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "devices.h"
#include "netcard_iso7816_uart.h"

#include <string.h>

TestSuite(device_iso7816_uart, .init = nc_test_init, .fini = nc_test_fini,
          .timeout = NC_SUITE_TIMEOUT_DEVICE);

#define ISO_BASE    0x40002000u
#define ISO(reg)    (ISO_BASE + (uint32_t)A_ISO_##reg)
#define QOM_ISO     "/machine/soc/iso7816"

/* Register bits as the header's contract gives them */
#define ST_RXNE     0x01u
#define ST_TXNF     0x02u
#define ST_TXIDLE   0x04u
#define ST_PARERR   0x08u
#define ST_OVERRUN  0x10u
#define ST_TXFAIL   0x20u
#define CTRL_EN     0x01u
#define CTRL_INV    0x02u
#define CTRL_ERRSIG 0x04u
#define CTRL_AUTORETX 0x08u
#define CTRL_RETRIES(n) ((uint32_t)(n) << 4)
#define ISR_RST     0x40u
#define LINE_VCC    0x01u
#define LINE_RST    0x02u
#define LINE_CLK    0x04u

#define CLK_HZ      3571200u
/* Bound (virtual time) the terminal waits in timing=fast (docs/iso7816.md) */
#define FAST_TIMEOUT_NS 5000000000ull

typedef struct Rig {
    NcQtest *qt;
    NcVpcd *v;
    int port;
} Rig;

/* QEMU with the terminal's socket as the second -serial, plus EXTRA. */
static Rig *rig_start(const char *global)
{
    Rig *r = nc_gc(calloc(1, sizeof(*r)));
    r->port = nc_free_tcp_port();
    const char *opts[] = {
        "--iso", nc_strf("listen:127.0.0.1:%d", r->port),
        global ? "--global" : NULL, global, NULL,
    };
    r->qt = nc_qtest_start_with(opts, NULL);
    r->v = nc_vpcd_connect(r->port, NC_TIMEOUT_START_MS, r->qt->qemu);
    return r;
}

static uint32_t qom_u32(Rig *r, const char *prop)
{
    char *v = nc_qmp(r->qt->qmp, "{'execute': 'qom-get', 'arguments': "
                     "{'path': '" QOM_ISO "', 'property': '%s'}}", prop);
    return (uint32_t)strtoul(v, NULL, 10);
}

static char *qom_str(Rig *r, const char *prop)
{
    char *v = nc_qmp(r->qt->qmp, "{'execute': 'qom-get', 'arguments': "
                     "{'path': '" QOM_ISO "', 'property': '%s'}}", prop);
    /* a JSON string: strip the quotes */
    size_t l = strlen(v);
    if (l >= 2 && v[0] == '"') {
        v[l - 1] = 0;
        v++;
    }
    return v;
}

static void qom_set_u32(Rig *r, const char *prop, uint32_t val)
{
    nc_qmp(r->qt->qmp, "{'execute': 'qom-set', 'arguments': "
           "{'path': '" QOM_ISO "', 'property': '%s', 'value': %u}}", prop,
           val);
}

/* Poll a register WITHOUT advancing virtual time (bounded in wall time). */
static uint32_t poll_nostep(Rig *r, uint32_t addr, uint32_t mask,
                            uint32_t expect, const char *what)
{
    int64_t deadline = nc_now_ms() + NC_TIMEOUT_CMD_MS;
    uint32_t v;

    for (;;) {
        v = nc_readl(r->qt, addr);
        if ((v & mask) == expect) {
            return v;
        }
        if (nc_now_ms() > deadline) {
            nc_fail("%s: register 0x%08x is 0x%08x, expected 0x%08x under "
                    "mask 0x%08x", what, addr, v, expect, mask);
        }
        nc_nap_ms(1);
    }
}

/* ---- the card ---- */

static void card_put_hex(Rig *r, const char *hex)
{
    uint8_t b[300];
    size_t n = nc_unhex(hex, b, sizeof(b));

    for (size_t i = 0; i < n; i++) {
        nc_writel(r->qt, ISO(DATA), b[i]);
    }
}

/* Read N characters the terminal sent (no virtual time passes). */
static void card_get(Rig *r, uint8_t *out, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        poll_nostep(r, ISO(STATUS), ST_RXNE, ST_RXNE, what);
        out[i] = (uint8_t)nc_readl(r->qt, ISO(DATA));
    }
}

static void card_expect(Rig *r, const char *hex, const char *what)
{
    uint8_t want[300], got[300];
    size_t n = nc_unhex(hex, want, sizeof(want));

    card_get(r, got, n, what);
    cr_assert_str_eq(nc_hex(got, n), nc_hex(want, n),
                     "%s: the card received %s, expected %s", what,
                     nc_hex(got, n), nc_hex(want, n));
}

/* Nothing more arrived at the card. */
static void card_expect_quiet(Rig *r, const char *what)
{
    for (int i = 0; i < 20; i++) {
        (void)nc_readl(r->qt, ISO(CTRL));
        nc_nap_ms(1);
    }
    uint32_t st = nc_readl(r->qt, ISO(STATUS));
    cr_assert_eq(st & ST_RXNE, 0u, "%s: unexpected character(s) at the card "
                 "(STATUS 0x%08x)", what, st);
}

/* ---- the host ---- */

static void host_send_hex(Rig *r, const char *hex)
{
    uint8_t b[300];
    size_t n = nc_unhex(hex, b, sizeof(b));

    nc_vpcd_send(r->v, b, n);
}

static void host_expect(Rig *r, const char *hex, const char *what)
{
    static uint8_t got[70000];
    uint8_t want[300];
    size_t n = nc_unhex(hex, want, sizeof(want));
    size_t g = nc_vpcd_recv(r->v, got, sizeof(got), NC_TIMEOUT_CMD_MS);

    cr_assert_str_eq(nc_hex(got, g), nc_hex(want, n),
                     "%s: the host got [%s], expected [%s]", what,
                     nc_hex(got, g), nc_hex(want, n));
}

/*
 * Power on from the host (01, then 04 as vpcd does), play the card's
 * side of the activation: wait for the chip reset, enable the UART with
 * CTRL, wait for RST high, send ATR. The host's 04 is answered later by
 * the caller (host_expect) because PPS may follow.
 */
static void activate_to_atr(Rig *r, uint32_t ctrl, const char *atr)
{
    /* IER is a marker the chip reset clears */
    nc_writel(r->qt, ISO(IER), 0x7f);
    nc_vpcd_ctrl(r->v, NC_VPCD_ON);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    poll_nostep(r, ISO(IER), 0xffffffffu, 0, "chip reset after power-on");
    nc_writel(r->qt, ISO(CTRL), ctrl);
    nc_qtest_poll_l(r->qt, ISO(LINE), LINE_RST, LINE_RST, NC_TIMEOUT_CMD_MS,
                    "RST high");
    nc_writel(r->qt, ISO(ISR), ISR_RST);
    card_put_hex(r, atr);
}

/* A T=0 card without PPS: ATR 3B 02 14 50 (T0: 2 historical bytes). */
#define ATR_T0 "3B 02 14 50"

static void activate_t0(Rig *r, uint32_t ctrl)
{
    activate_to_atr(r, ctrl, ATR_T0);
    host_expect(r, ATR_T0, "get ATR after power-on");
}

/* ------------------------------------------------------------------ */

Test(device_iso7816_uart, reset_values)
{
    Rig *r = rig_start(NULL);
    static const struct {
        uint32_t off;
        uint32_t value;
        const char *name;
    } regs[] = {
        { A_ISO_DATA, 0, "DATA" },
        { A_ISO_STATUS, ST_TXNF | ST_TXIDLE, "STATUS" },
        { A_ISO_CTRL, 0, "CTRL" },
        { A_ISO_ETU, 372u | (1u << 16), "ETU (F=372 D=1)" },
        { A_ISO_GUARD, 0, "GUARD" },
        { A_ISO_IER, 0, "IER" },
        { A_ISO_ISR, ST_TXNF | ST_TXIDLE, "ISR" },
        { A_ISO_LINE, 0, "LINE (terminal off)" },
        { A_ISO_CLK_HZ, CLK_HZ, "CLK_HZ" },
    };

    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
        uint32_t v = nc_readl(r->qt, ISO_BASE + regs[i].off);
        cr_assert_eq(v, regs[i].value, "%s reads 0x%08x, expected 0x%08x",
                     regs[i].name, v, regs[i].value);
    }
    /* ETU with F = 0 or D = 0 is ignored; read-only registers stay */
    nc_writel(r->qt, ISO(ETU), 0x00010000u);
    nc_writel(r->qt, ISO(ETU), 0x00000200u);
    cr_assert_eq(nc_readl(r->qt, ISO(ETU)), 372u | (1u << 16));
    nc_writel(r->qt, ISO(LINE), 7);
    nc_writel(r->qt, ISO(CLK_HZ), 1);
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)), 0u);
    cr_assert_eq(nc_readl(r->qt, ISO(CLK_HZ)), CLK_HZ);
    /* a valid ETU and interrupt enables read back */
    nc_writel(r->qt, ISO(ETU), 512u | (8u << 16));
    cr_assert_eq(nc_readl(r->qt, ISO(ETU)), 512u | (8u << 16));
    nc_writel(r->qt, ISO(IER), 0xffffffffu);
    cr_assert_eq(nc_readl(r->qt, ISO(IER)), 0x7fu);
    /* a system reset restores the reset values */
    nc_qmp(r->qt->qmp, "{'execute': 'system_reset'}");
    nc_qtest_poll_l(r->qt, ISO(IER), 0xffffffffu, 0, NC_TIMEOUT_CMD_MS,
                    "IER after system_reset");
    cr_assert_eq(nc_readl(r->qt, ISO(ETU)), 372u | (1u << 16));
    expect_running(r->qt);
}

/*
 * get-ATR is the host's card-presence poll (pcscd polls it every 400 ms
 * and only powers on a card it sees as present): the first one activates
 * the card to learn its ATR; later ones, also while VCC is off, answer the
 * inserted card's ATR. A card that gives no ATR is "no card" (empty).
 */
Test(device_iso7816_uart, get_atr_reports_presence)
{
    Rig *r = rig_start(NULL);

    nc_writel(r->qt, ISO(IER), 0x7f);   /* a marker the chip reset clears */
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    poll_nostep(r, ISO(IER), 0xffffffffu, 0,
                "chip reset caused by the first get-ATR");
    nc_writel(r->qt, ISO(CTRL), CTRL_EN);
    nc_qtest_poll_l(r->qt, ISO(LINE), LINE_RST, LINE_RST, NC_TIMEOUT_CMD_MS,
                    "RST high after the first get-ATR");
    card_put_hex(r, ATR_T0);
    host_expect(r, ATR_T0, "first get ATR");

    nc_vpcd_ctrl(r->v, NC_VPCD_OFF);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, ATR_T0, "get ATR while powered off (card inserted)");
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)), 0u,
                 "get-ATR while off must not power the card");
    /* a C-APDU to an unpowered card: empty answer */
    host_send_hex(r, "00 A4 04 00");
    host_expect(r, "", "C-APDU with the card off");
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, ATR_T0, "get ATR again");
}

Test(device_iso7816_uart, activation_sequence)
{
    Rig *r = rig_start(NULL);
    const uint64_t step_ns = 2800;     /* 10 CLK cycles at 3.5712 MHz */
    uint64_t t = 0;

    nc_writel(r->qt, ISO(IER), 0x7f);
    nc_vpcd_ctrl(r->v, NC_VPCD_ON);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    /* VCC and CLK on, RST low; the power-on reset of the chip happens */
    poll_nostep(r, ISO(IER), 0xffffffffu, 0, "chip reset after power-on");
    uint32_t line = nc_readl(r->qt, ISO(LINE));
    cr_assert_eq(line, LINE_VCC | LINE_CLK, "LINE after power-on is 0x%x, "
                 "expected VCC|CLK with RST low", line);
    cr_assert_eq(nc_readl(r->qt, SYSCTL(RESET_CAUSE)), CAUSE_POWER_ON);
    cr_assert_eq(nc_readl(r->qt, ISO(ISR)) & ISR_RST, 0u);

    /* RST rises no earlier than 400 CLK cycles after the reset */
    while (!(nc_readl(r->qt, ISO(LINE)) & LINE_RST)) {
        nc_clock_step(r->qt, step_ns);
        t += step_ns;
        cr_assert(t < 1000000, "RST still low after %" PRIu64 " ns", t);
    }
    uint64_t clocks_hi = t * CLK_HZ / 1000000000ull;
    uint64_t clocks_lo = (t - step_ns) * CLK_HZ / 1000000000ull;
    cr_assert(clocks_hi >= 400, "RST rose after at most %" PRIu64
              " CLK cycles, expected at least 400", clocks_hi);
    cr_assert(clocks_lo < 440, "RST rose only after %" PRIu64 " CLK cycles",
              clocks_lo);
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)), LINE_VCC | LINE_RST | LINE_CLK);
    cr_assert_eq(nc_readl(r->qt, ISO(ISR)) & ISR_RST, ISR_RST,
                 "ISR.RST not set by the rising RST");
    /* the IRQ follows ISR & IER */
    nc_qtest_cmd(r->qt, "irq_intercept_in /machine/soc/armv7m");
    nc_writel(r->qt, ISO(IER), ISR_RST);
    cr_assert_eq(nc_qtest_irq_level(r->qt, 1), 1, "IRQ 1 not raised");
    nc_writel(r->qt, ISO(ISR), ISR_RST);
    cr_assert_eq(nc_readl(r->qt, ISO(ISR)) & ISR_RST, 0u);
    cr_assert_eq(nc_qtest_irq_level(r->qt, 1), 0, "IRQ 1 not lowered");

    /* the card answers; the host gets the ATR */
    nc_writel(r->qt, ISO(CTRL), CTRL_EN);
    card_put_hex(r, ATR_T0);
    host_expect(r, ATR_T0, "get ATR after power-on");
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, ATR_T0, "get ATR again");
    cr_assert_str_eq(qom_str(r, "terminal-state"), "ready");

    /* 02: warm reset: RST low (warm chip reset), then high again */
    nc_vpcd_ctrl(r->v, NC_VPCD_RESET);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    nc_qtest_poll_l(r->qt, SYSCTL(RESET_COUNT), 0xffffffffu, 1,
                    NC_TIMEOUT_CMD_MS, "warm reset");
    cr_assert_eq(nc_readl(r->qt, SYSCTL(RESET_CAUSE)), CAUSE_WARM);
    nc_writel(r->qt, ISO(CTRL), CTRL_EN);
    nc_qtest_poll_l(r->qt, ISO(LINE), LINE_RST, LINE_RST, NC_TIMEOUT_CMD_MS,
                    "RST high after the warm reset");
    card_put_hex(r, ATR_T0);
    host_expect(r, ATR_T0, "get ATR after the warm reset");

    /* 00: power off */
    nc_vpcd_ctrl(r->v, NC_VPCD_OFF);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, ATR_T0, "get ATR after power off (still inserted)");
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)), 0u);
}

Test(device_iso7816_uart, invalid_atr_bad_tck)
{
    Rig *r = rig_start(NULL);

    /* T0=80 TD1=01 (T=1): TCK must be 81; 80 is wrong */
    activate_to_atr(r, CTRL_EN, "3B 80 01 80");
    host_expect(r, "", "get ATR for an ATR with a bad TCK");
    cr_assert_str_eq(qom_str(r, "terminal-state"), "mute");
    cr_assert_str_eq(qom_str(r, "atr"), "3B800180");
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, "", "get ATR again");

    /* 3F sent in direct convention is not a TS */
    activate_to_atr(r, CTRL_EN, "3F 00");
    host_expect(r, "", "get ATR for a direct-convention 3F");
    cr_assert_str_eq(qom_str(r, "terminal-state"), "mute");

    /* a new power-on with a correct ATR recovers */
    activate_to_atr(r, CTRL_EN, "3B 80 01 81");
    host_expect(r, "3B 80 01 81", "get ATR with a good TCK");
}

/* T=0 with TA1 = 96 (Fi 512, Di 32): PPS FF 10 96 79 (ISO 7816-3 9.2) */
Test(device_iso7816_uart, pps_negotiation)
{
    Rig *r = rig_start(NULL);

    activate_to_atr(r, CTRL_EN, "3B 10 96");
    card_expect(r, "FF 10 96 79", "PPS request");
    card_put_hex(r, "FF 10 96 79");
    host_expect(r, "3B 10 96", "get ATR after PPS");

    /*
     * timing=fast: until the card has switched its ETU, the terminal holds
     * its characters (timing=real corrupts them: real_timing test).
     */
    host_send_hex(r, "00 70 00 00");
    card_expect_quiet(r, "header held while the card is at F=372 D=1");
    /* the card's characters at the old etu do arrive corrupted */
    nc_writel(r->qt, ISO(CTRL), CTRL_EN | CTRL_ERRSIG);
    card_put_hex(r, "60");
    cr_assert(nc_readl(r->qt, ISO(STATUS)) & ST_TXFAIL,
              "a character at the wrong etu was not rejected");
    nc_writel(r->qt, ISO(ISR), ST_TXFAIL);
    nc_writel(r->qt, ISO(ETU), 512u | (32u << 16));
    card_expect(r, "00 70 00 00 00", "header at the negotiated etu");
    cr_assert_eq(nc_readl(r->qt, ISO(STATUS)) & ST_PARERR, 0u);
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "case 1 at the negotiated etu");
    cr_assert(qom_u32(r, "parity-errors") >= 1u);
}

Test(device_iso7816_uart, pps_without_answer_warm_reset)
{
    Rig *r = rig_start(NULL);

    activate_to_atr(r, CTRL_EN, "3B 10 96");
    card_expect(r, "FF 10 96 79", "PPS request");
    /* the card stays silent: after the waiting time, a warm reset */
    nc_clock_step(r->qt, FAST_TIMEOUT_NS + 1000000);
    nc_qtest_poll_l(r->qt, SYSCTL(RESET_COUNT), 0xffffffffu, 1,
                    NC_TIMEOUT_CMD_MS, "warm reset after a failed PPS");
    cr_assert_eq(nc_readl(r->qt, SYSCTL(RESET_CAUSE)), CAUSE_WARM);
    nc_writel(r->qt, ISO(CTRL), CTRL_EN);
    nc_qtest_poll_l(r->qt, ISO(LINE), LINE_RST, LINE_RST, NC_TIMEOUT_CMD_MS,
                    "RST high after the warm reset");
    card_put_hex(r, "3B 10 96");
    host_expect(r, "3B 10 96", "get ATR after PPS failure");
    card_expect_quiet(r, "no second PPS");
    /* default parameters: F=372 D=1 on both sides */
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header at F=372 D=1");
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "case 1");
}

Test(device_iso7816_uart, t0_cases)
{
    Rig *r = rig_start(NULL);

    activate_t0(r, CTRL_EN | CTRL_ERRSIG | CTRL_AUTORETX | CTRL_RETRIES(3));

    /* case 1: P3 = 00 */
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "case 1 header");
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "case 1");

    /* case 2: ACK, Le bytes, SW */
    host_send_hex(r, "00 B0 00 00 04");
    card_expect(r, "00 B0 00 00 04", "case 2 header");
    card_put_hex(r, "B0 11 22 33 44 90 00");
    host_expect(r, "11 22 33 44 90 00", "case 2");

    /* case 2 with 6Cxx: re-issued with P3 = xx */
    host_send_hex(r, "00 B0 00 00 00");
    card_expect(r, "00 B0 00 00 00", "case 2 header, Le 256");
    card_put_hex(r, "6C 03");
    card_expect(r, "00 B0 00 00 03", "re-issued header");
    card_put_hex(r, "B0 AA BB CC 90 00");
    host_expect(r, "AA BB CC 90 00", "case 2 after 6C03");

    /* case 3 with a NULL byte and one byte at a time (~INS) */
    host_send_hex(r, "00 D6 00 00 03 AA BB CC");
    card_expect(r, "00 D6 00 00 03", "case 3 header");
    card_put_hex(r, "60");
    card_put_hex(r, "29");          /* ~D6: one byte */
    card_expect(r, "AA", "case 3 first byte");
    card_put_hex(r, "D6");          /* INS: the rest */
    card_expect(r, "BB CC", "case 3 remaining bytes");
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "case 3");

    /* case 4: data, 61xx, GET RESPONSE */
    host_send_hex(r, "00 A4 04 00 02 3F 00 00");
    card_expect(r, "00 A4 04 00 02", "case 4 header");
    card_put_hex(r, "A4");
    card_expect(r, "3F 00", "case 4 data");
    card_put_hex(r, "61 03");
    card_expect(r, "00 C0 00 00 03", "GET RESPONSE");
    card_put_hex(r, "C0 01 02 03 90 00");
    host_expect(r, "01 02 03 90 00", "case 4");

    /* case 4 answered with an error SW: no GET RESPONSE */
    host_send_hex(r, "00 A4 04 00 02 3F 01 00");
    card_expect(r, "00 A4 04 00 02", "case 4 header");
    card_put_hex(r, "A4");
    card_expect(r, "3F 01", "case 4 data");
    card_put_hex(r, "6A 82");
    host_expect(r, "6A 82", "case 4 with 6A82");
    card_expect_quiet(r, "no GET RESPONSE after 6A82");
    cr_assert_eq(qom_u32(r, "parity-errors"), 0u);
}

Test(device_iso7816_uart, inverse_convention)
{
    Rig *r = rig_start(NULL);

    /* TS 3F (inverse), T0 00 */
    activate_to_atr(r, CTRL_EN | CTRL_INV | CTRL_ERRSIG, "3F 00");
    host_expect(r, "3F 00", "get ATR, inverse convention");
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header in inverse convention");
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "case 1, inverse convention");
    cr_assert_eq(qom_u32(r, "parity-errors"), 0u);
    /* ATR 2 + SW 2 characters from the card, a 5-byte header to it */
    cr_assert_eq(qom_u32(r, "chars-from-card"), 4u);
    cr_assert_eq(qom_u32(r, "chars-to-card"), 5u);
    cr_assert_eq(qom_u32(r, "retransmissions"), 0u);
}

/* ---- T=1 ---- */

/* A block NAD=00, PCB, INF with its LRC (ISO 7816-3 11.4.4), as hex. */
static const char *t1_block(uint8_t pcb, const char *inf_hex)
{
    uint8_t b[300];
    uint8_t inf[260];
    size_t n = nc_unhex(inf_hex, inf, sizeof(inf));
    uint8_t lrc = 0;

    b[0] = 0;
    b[1] = pcb;
    b[2] = (uint8_t)n;
    memcpy(b + 3, inf, n);
    for (size_t i = 0; i < 3 + n; i++) {
        lrc ^= b[i];
    }
    b[3 + n] = lrc;
    return nc_hex(b, n + 4);
}

/*
 * The same with the ISO/IEC 13239 FCS as EDC (CRC-16/X-25: reflected
 * 0x8408, preset FFFF, final XOR FFFF), low byte first.
 */
static uint16_t crc_x25(const uint8_t *p, size_t n)
{
    uint16_t crc = 0xffff;

    while (n--) {
        crc ^= *p++;
        for (int i = 0; i < 8; i++) {
            crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0x8408) : crc >> 1;
        }
    }
    return (uint16_t)~crc;
}

static const char *t1_block_crc(uint8_t pcb, const char *inf_hex)
{
    uint8_t b[300];
    uint8_t inf[260];
    size_t n = nc_unhex(inf_hex, inf, sizeof(inf));

    b[0] = 0;
    b[1] = pcb;
    b[2] = (uint8_t)n;
    memcpy(b + 3, inf, n);
    uint16_t c = crc_x25(b, 3 + n);
    b[3 + n] = (uint8_t)c;
    b[4 + n] = (uint8_t)(c >> 8);
    return nc_hex(b, n + 5);
}

/* T=1 only, IFSC 16 (TA3 = 10), BWI 4 CWI 5 (TB3 = 45), LRC */
#define ATR_T1 "3B 80 81 31 10 45 65"

Test(device_iso7816_uart, t1_exchange_chaining)
{
    Rig *r = rig_start(NULL);

    activate_to_atr(r, CTRL_EN, ATR_T1);
    host_expect(r, ATR_T1, "get ATR (T=1)");
    card_expect_quiet(r, "no PPS: T=1 is the first offered protocol");

    /* 22-byte case 4 command, IFSC 16: two I-blocks */
    host_send_hex(r, "00 A4 04 00 10 01 02 03 04 05 06 07 08 09 0A 0B "
                     "0C 0D 0E 0F 10 00");
    card_expect(r, "00 C1 01 FE 3E", "S(IFS request) IFSD 254");
    card_put_hex(r, "00 E1 01 FE 1E");
    card_expect(r, t1_block(0x20, "00 A4 04 00 10 01 02 03 04 05 06 07 08 "
                                  "09 0A 0B"), "I(0, more)");
    card_put_hex(r, t1_block(0x90, ""));            /* R(1): next */
    card_expect(r, t1_block(0x40, "0C 0D 0E 0F 10 00"), "I(1, last)");
    /* the answer chained as well */
    card_put_hex(r, t1_block(0x20, "AA BB CC"));    /* I(0, more) */
    card_expect(r, t1_block(0x90, ""), "R(1) acknowledging the card");
    card_put_hex(r, t1_block(0x40, "DD EE 90 00")); /* I(1, last) */
    host_expect(r, "AA BB CC DD EE 90 00", "chained answer");

    /* next exchange: S(WTX) and an LRC error on the way */
    host_send_hex(r, "00 B0 00 00 02");
    card_expect(r, t1_block(0x00, "00 B0 00 00 02"), "I(0)");
    card_put_hex(r, t1_block(0xC3, "02"));          /* S(WTX request) */
    card_expect(r, t1_block(0xE3, "02"), "S(WTX response)");
    card_put_hex(r, "00 00 04 01 02 90 00 FF");     /* bad LRC */
    card_expect(r, t1_block(0x81, ""), "R(0) with EDC error");
    card_put_hex(r, t1_block(0x00, "01 02 90 00"));
    host_expect(r, "01 02 90 00", "answer after recovery");
    cr_assert_eq(nc_readl(r->qt, ISO(STATUS)) & ST_PARERR, 0u);
}

Test(device_iso7816_uart, t1_selected_by_pps)
{
    Rig *r = rig_start(NULL);

    /* TD1 T=0, TD2 T=1: auto prefers T=1, so PPS0 = 01 */
    activate_to_atr(r, CTRL_EN, "3B 80 80 01 01");
    card_expect(r, "FF 01 FE", "PPS selecting T=1");
    card_put_hex(r, "FF 01 FE");
    host_expect(r, "3B 80 80 01 01", "get ATR");
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 C1 01 FE 3E", "S(IFS request)");
    card_put_hex(r, "00 E1 01 FE 1E");
    card_expect(r, t1_block(0x00, "00 70 00 00"), "I(0)");
    card_put_hex(r, t1_block(0x00, "90 00"));
    host_expect(r, "90 00", "T=1 answer");
}

/* ---- error signal and retransmission ---- */

Test(device_iso7816_uart, rx_parity_error_retransmitted)
{
    Rig *r = rig_start(NULL);

    activate_t0(r, CTRL_EN | CTRL_ERRSIG);
    uint32_t retx0 = qom_u32(r, "retransmissions");
    uint32_t perr0 = qom_u32(r, "parity-errors");

    qom_set_u32(r, "inject-rx-parity-errors", 2);
    host_send_hex(r, "00 70 00 00");
    /* the card signalled the errors; the terminal repeated: intact */
    card_expect(r, "00 70 00 00 00", "header after two repetitions");
    uint32_t st = nc_readl(r->qt, ISO(STATUS));
    cr_assert(st & ST_PARERR, "STATUS.PARERR not set (0x%08x)", st);
    cr_assert_eq(qom_u32(r, "retransmissions") - retx0, 2u);
    cr_assert_eq(qom_u32(r, "parity-errors") - perr0, 2u);
    cr_assert_eq(qom_u32(r, "inject-rx-parity-errors"), 0u);
    nc_writel(r->qt, ISO(ISR), ST_PARERR);
    cr_assert_eq(nc_readl(r->qt, ISO(STATUS)) & ST_PARERR, 0u);
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "case 1 after parity errors");

    /* without ERRSIG the corrupted character is kept, flagged */
    nc_writel(r->qt, ISO(CTRL), CTRL_EN);
    qom_set_u32(r, "inject-rx-parity-errors", 1);
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header, one char flagged");
    cr_assert(nc_readl(r->qt, ISO(STATUS)) & ST_PARERR);
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "case 1");
}

Test(device_iso7816_uart, tx_nack_autoretx_and_txfail)
{
    Rig *r = rig_start(NULL);

    activate_t0(r, CTRL_EN | CTRL_ERRSIG | CTRL_AUTORETX | CTRL_RETRIES(2));
    uint32_t retx0 = qom_u32(r, "retransmissions");

    /* two rejections, two repetitions: the SW gets through */
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header");
    qom_set_u32(r, "inject-tx-nack", 2);
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "SW after two repetitions");
    cr_assert_eq(qom_u32(r, "retransmissions") - retx0, 2u);
    cr_assert_eq(nc_readl(r->qt, ISO(STATUS)) & ST_TXFAIL, 0u);

    /* three rejections with RETRIES = 2: TXFAIL, character dropped */
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header");
    qom_set_u32(r, "inject-tx-nack", 3);
    card_put_hex(r, "90");
    uint32_t st = poll_nostep(r, ISO(STATUS), ST_TXFAIL, ST_TXFAIL,
                              "TXFAIL");
    cr_assert(nc_readl(r->qt, ISO(ISR)) & ST_TXFAIL);
    cr_assert_eq(st & ST_TXIDLE, ST_TXIDLE);
    nc_writel(r->qt, ISO(ISR), ST_TXFAIL);
    cr_assert_eq(nc_readl(r->qt, ISO(STATUS)) & ST_TXFAIL, 0u);
    /* the card sends the SW again: the terminal was still waiting */
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "SW after TXFAIL");
}

/* ---- timing=real ---- */

/*
 * Step virtual time in STEP_NS increments until TXIDLE; returns the time
 * the card's transmitter was busy.
 */
static uint64_t measure_tx(Rig *r, uint64_t step_ns, uint64_t max_ns)
{
    uint64_t t = 0;

    while (!(nc_readl(r->qt, ISO(STATUS)) & ST_TXIDLE)) {
        nc_clock_step(r->qt, step_ns);
        t += step_ns;
        cr_assert(t <= max_ns, "TXIDLE not set after %" PRIu64 " ns", t);
    }
    return t;
}

static void expect_duration(uint64_t got_ns, uint64_t chars, uint64_t etus,
                            uint64_t f, uint64_t d, const char *what)
{
    /* (12 + N) * F / D / clk per character, within one etu */
    double etu_ns = (double)f / (double)d / CLK_HZ * 1e9;
    double want = (double)chars * (double)etus * etu_ns;
    double diff = (double)got_ns - want;

    cr_assert(diff > -etu_ns && diff < etu_ns, "%s: %" PRIu64 " ns, expected "
              "%.0f ns (%" PRIu64 " chars x %" PRIu64 " etu of %.1f ns) "
              "within one etu", what, got_ns, want, chars, etus, etu_ns);
}

Test(device_iso7816_uart, real_timing_character_times)
{
    Rig *r = rig_start("netcard-iso7816-uart.timing=real");

    nc_writel(r->qt, ISO(IER), 0x7f);
    nc_vpcd_ctrl(r->v, NC_VPCD_ON);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    poll_nostep(r, ISO(IER), 0xffffffffu, 0, "chip reset after power-on");
    nc_writel(r->qt, ISO(CTRL), CTRL_EN | CTRL_ERRSIG);
    nc_clock_step(r->qt, 120000);   /* > 400 CLK */
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)) & LINE_RST, LINE_RST);

    /* ATR at F=372 D=1, N=0: 12 etu per character */
    card_put_hex(r, ATR_T0);
    uint32_t st = nc_readl(r->qt, ISO(STATUS));
    cr_assert_eq((st >> 16) & 0x1f, 3u, "3 characters should wait in the "
                 "TX FIFO, STATUS 0x%08x", st);
    uint64_t t = measure_tx(r, 13000, 20000000);    /* etu ~104 us */
    expect_duration(t, 4, 12, 372, 1, "4 ATR characters at F=372 D=1");
    host_expect(r, ATR_T0, "get ATR in timing=real");

    /* the terminal's characters: 12 etu each at F=372 D=1 (no TC1) */
    uint32_t frames = qom_u32(r, "host-frames");
    host_send_hex(r, "00 70 00 00");
    while (qom_u32(r, "host-frames") == frames) {
        nc_nap_ms(1);
    }
    t = 0;
    while (((nc_readl(r->qt, ISO(STATUS)) >> 8) & 0x1f) < 5) {
        nc_clock_step(r->qt, 13000);
        t += 13000;
        cr_assert(t < 20000000, "header not received after %" PRIu64 " ns",
                  t);
    }
    expect_duration(t, 5, 12, 372, 1, "5 header characters from the "
                    "terminal");
    card_expect(r, "00 70 00 00 00", "header in timing=real");
    card_put_hex(r, "90 00");
    t = measure_tx(r, 13000, 20000000);
    expect_duration(t, 2, 12, 372, 1, "SW1 SW2");
    host_expect(r, "90 00", "case 1 in timing=real");

    /* the card at another etu: the terminal's characters are corrupted */
    nc_writel(r->qt, ISO(CTRL), CTRL_EN);
    nc_writel(r->qt, ISO(ETU), 512u | (8u << 16));
    host_send_hex(r, "00 70 00 00");
    t = 0;
    while (((nc_readl(r->qt, ISO(STATUS)) >> 8) & 0x1f) < 5) {
        nc_clock_step(r->qt, 13000);
        t += 13000;
        cr_assert(t < 20000000, "header not received after %" PRIu64 " ns",
                  t);
    }
    st = nc_readl(r->qt, ISO(STATUS));
    cr_assert(st & ST_PARERR, "no parity error with mismatched etu "
              "(STATUS 0x%08x)", st);
    uint8_t hdr[5];
    card_get(r, hdr, 5, "header at the wrong etu");
    cr_assert_str_neq(nc_hex(hdr, 5), "0070000000",
                      "header intact despite the etu mismatch");
    nc_writel(r->qt, ISO(ISR), ST_PARERR);
    nc_writel(r->qt, ISO(ETU), 372u | (1u << 16));
    card_put_hex(r, "90 00");
    t = measure_tx(r, 13000, 20000000);
    host_expect(r, "90 00", "SW at the right etu");
    nc_writel(r->qt, ISO(CTRL), CTRL_EN | CTRL_ERRSIG);

    /* 20 data bytes at line speed into the 16-deep RX FIFO: overrun */
    frames = qom_u32(r, "host-frames");
    host_send_hex(r, "00 D6 00 00 14 00 01 02 03 04 05 06 07 08 09 0A 0B 0C "
                     "0D 0E 0F 10 11 12 13");
    while (qom_u32(r, "host-frames") == frames) {
        nc_nap_ms(1);
    }
    nc_clock_step(r->qt, 7000000);      /* 5 x 12 etu = 6.25 ms */
    card_expect(r, "00 D6 00 00 14", "case 3 header");
    card_put_hex(r, "D6");
    nc_clock_step(r->qt, 32000000);     /* 1 + 20 characters */
    st = nc_readl(r->qt, ISO(STATUS));
    cr_assert(st & ST_OVERRUN, "no OVERRUN (STATUS 0x%08x)", st);
    cr_assert_eq((st >> 8) & 0x1f, 16u, "RXCOUNT %u, expected 16",
                 (st >> 8) & 0x1f);
    card_expect(r, "00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F",
                "the first 16 data bytes");
    nc_writel(r->qt, ISO(ISR), ST_OVERRUN);
    cr_assert_eq(nc_readl(r->qt, ISO(STATUS)) & ST_OVERRUN, 0u);
    card_put_hex(r, "67 00");
    t = measure_tx(r, 13000, 20000000);
    host_expect(r, "67 00", "SW after the overrun");

    /* F=512 D=8 (etu 64 CLK), N=2: 14 etu per character */
    nc_writel(r->qt, ISO(ETU), 512u | (8u << 16));
    nc_writel(r->qt, ISO(GUARD), 2);
    card_put_hex(r, "01 02 03");
    t = measure_tx(r, 2240, 2000000);               /* etu/8 */
    expect_duration(t, 3, 14, 512, 8, "3 characters at F=512 D=8 N=2");

    /* N = 255 under T=0 (ERRSIG): 12 etu */
    nc_writel(r->qt, ISO(GUARD), 255);
    nc_writel(r->qt, ISO(ISR), 0x7f);
    card_put_hex(r, "01 02");
    t = measure_tx(r, 2240, 2000000);
    expect_duration(t, 2, 12, 512, 8, "2 characters at N=255 (T=0)");

    /* a mute card: TS must come within 40000 CLK cycles of RST rising */
    nc_writel(r->qt, ISO(IER), 0x7f);
    nc_vpcd_ctrl(r->v, NC_VPCD_ON);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    poll_nostep(r, ISO(IER), 0xffffffffu, 0, "chip reset after power-on");
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)), LINE_VCC | LINE_CLK);
    nc_clock_step(r->qt, 120000);       /* RST rises after 112 us */
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)) & LINE_RST, LINE_RST);
    nc_clock_step(r->qt, 11000000);     /* 39280 CLK later: still waiting */
    cr_assert(!nc_vpcd_pending(r->v, 100), "answered before 40000 CLK");
    nc_clock_step(r->qt, 400000);       /* 40709 CLK */
    host_expect(r, "", "get ATR from a card mute for 40000 CLK cycles");
    expect_running(r->qt);
}

/* ---- mute card, bad host input ---- */

Test(device_iso7816_uart, mute_card)
{
    Rig *r = rig_start(NULL);

    /* no ATR at all */
    nc_writel(r->qt, ISO(IER), 0x7f);
    nc_vpcd_ctrl(r->v, NC_VPCD_ON);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    poll_nostep(r, ISO(IER), 0xffffffffu, 0, "chip reset after power-on");
    cr_assert(!nc_vpcd_pending(r->v, 50), "answered before the timeout");
    nc_clock_step(r->qt, FAST_TIMEOUT_NS + 1000000);
    host_expect(r, "", "get ATR from a mute card");
    cr_assert_str_eq(qom_str(r, "terminal-state"), "mute");

    /* the next power-on recovers */
    activate_t0(r, CTRL_EN);

    /* the card goes mute in an exchange: empty answer, deactivation */
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header");
    cr_assert(!nc_vpcd_pending(r->v, 50), "answered before the timeout");
    nc_clock_step(r->qt, FAST_TIMEOUT_NS + 1000000);
    host_expect(r, "", "C-APDU to a card that went mute");
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)) & LINE_VCC, 0u,
                 "the terminal did not deactivate the mute card");
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, ATR_T0, "get ATR after deactivation (still inserted)");

    activate_t0(r, CTRL_EN);
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header after recovery");
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "exchange after recovery");
}

Test(device_iso7816_uart, bad_host_frames)
{
    Rig *r = rig_start(NULL);
    static uint8_t big[65535];

    activate_t0(r, CTRL_EN);
    uint32_t err0 = qom_u32(r, "host-errors");

    /* zero-length frame: dropped, no answer */
    nc_vpcd_send_raw(r->v, "\x00\x00", 2);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, ATR_T0, "get ATR after a zero-length frame");

    /* unknown control code: dropped */
    nc_vpcd_ctrl(r->v, 0x03);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, ATR_T0, "get ATR after an unknown control code");

    /* garbage: too short for a C-APDU, and a malformed 65535-byte one */
    host_send_hex(r, "FF FF");
    host_expect(r, "", "2-byte garbage");
    host_send_hex(r, "12 34 56");
    host_expect(r, "", "3-byte garbage");
    memset(big, 0xff, sizeof(big));
    nc_vpcd_send(r->v, big, sizeof(big));
    host_expect(r, "", "65535-byte malformed C-APDU");
    card_expect_quiet(r, "nothing sent to the card for bad frames");
    cr_assert(qom_u32(r, "host-errors") - err0 >= 5u);

    /* disconnect in the middle of a frame, reconnect */
    nc_vpcd_send_raw(r->v, "\x00\x10\x00\xA4\x04", 5);
    nc_vpcd_close(r->v);
    r->v = nc_vpcd_connect(r->port, NC_TIMEOUT_START_MS, r->qt->qemu);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    host_expect(r, ATR_T0, "get ATR after reconnecting");
    host_send_hex(r, "00 B0 00 00 02");
    card_expect(r, "00 B0 00 00 02", "header after reconnecting");
    card_put_hex(r, "B0 12 34 90 00");
    host_expect(r, "12 34 90 00", "exchange after reconnecting");
    expect_running(r->qt);
}

/* ---- T=1 error recovery ---- */

Test(device_iso7816_uart, t1_recovery_and_resynch)
{
    Rig *r = rig_start(NULL);

    activate_to_atr(r, CTRL_EN, ATR_T1);
    host_expect(r, ATR_T1, "get ATR (T=1)");
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 C1 01 FE 3E", "S(IFS request)");
    card_put_hex(r, "00 E1 01 FE 1E");
    card_expect(r, t1_block(0x00, "00 70 00 00"), "I(0)");
    /* R(0): the card asks for the I-block again */
    card_put_hex(r, t1_block(0x80, ""));
    card_expect(r, t1_block(0x00, "00 70 00 00"), "I(0) again");
    /* silence: after BWT, R(0) with "other error", twice, then RESYNCH */
    nc_clock_step(r->qt, FAST_TIMEOUT_NS + 1000000);
    card_expect(r, t1_block(0x82, ""), "R(0) after BWT");
    nc_clock_step(r->qt, FAST_TIMEOUT_NS + 1000000);
    card_expect(r, t1_block(0x82, ""), "R(0) repeated");
    cr_assert(!nc_vpcd_pending(r->v, 50), "answered during recovery");
    nc_clock_step(r->qt, FAST_TIMEOUT_NS + 1000000);
    card_expect(r, t1_block(0xC0, ""), "S(RESYNCH request)");
    card_put_hex(r, t1_block(0xE0, ""));
    host_expect(r, "", "exchange abandoned after RESYNCH");
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)) & LINE_VCC, LINE_VCC,
                 "a successful RESYNCH keeps the card powered");

    /* after RESYNCH: IFS again, sequence numbers from 0 */
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 C1 01 FE 3E", "S(IFS request) after RESYNCH");
    card_put_hex(r, "00 E1 01 FE 1E");
    card_expect(r, t1_block(0x00, "00 70 00 00"), "I(0) after RESYNCH");
    card_put_hex(r, t1_block(0x00, "90 00"));
    host_expect(r, "90 00", "exchange after RESYNCH");

    /* a card that stays silent: RESYNCH fails, the terminal deactivates */
    host_send_hex(r, "00 70 00 00");
    card_expect(r, t1_block(0x40, "00 70 00 00"), "I(1)");
    int steps = 0;
    while (!nc_vpcd_pending(r->v, 0)) {
        cr_assert(steps++ < 20, "no answer after %d waiting times", steps);
        nc_clock_step(r->qt, FAST_TIMEOUT_NS + 1000000);
        while (nc_readl(r->qt, ISO(STATUS)) & ST_RXNE) {
            (void)nc_readl(r->qt, ISO(DATA));
        }
        (void)nc_vpcd_pending(r->v, 20);
    }
    host_expect(r, "", "T=1 card mute beyond recovery");
    cr_assert_eq(nc_readl(r->qt, ISO(LINE)) & LINE_VCC, 0u,
                 "the terminal did not deactivate the mute card");
}

/* ---- properties ---- */

Test(device_iso7816_uart, protocol_t0_forced)
{
    Rig *r = rig_start("netcard-iso7816-uart.protocol=t0");

    /* offers T=0 (first) and T=1: forced T=0 needs no PPS */
    activate_to_atr(r, CTRL_EN, "3B 80 80 01 01");
    host_expect(r, "3B 80 80 01 01", "get ATR");
    card_expect_quiet(r, "no PPS with T=0 forced");
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "T=0 header");
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "T=0 exchange");
}

Test(device_iso7816_uart, pps_off_keeps_default_rate)
{
    Rig *r = rig_start("netcard-iso7816-uart.pps=off");

    activate_to_atr(r, CTRL_EN, "3B 10 96");
    host_expect(r, "3B 10 96", "get ATR");
    card_expect_quiet(r, "no PPS with pps=off");
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header at F=372 D=1");
    cr_assert_eq(nc_readl(r->qt, ISO(STATUS)) & ST_PARERR, 0u);
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "exchange at F=372 D=1");
}

/* T=1 with CRC: TD1 = 81 (T=1), TD2 = 41 (TC3 follows, T=1), TC3 = 01 */
#define ATR_T1_CRC "3B 80 81 41 01 41"

Test(device_iso7816_uart, t1_crc)
{
    /* the helper against the published check value of CRC-16/X-25 */
    cr_assert_eq(crc_x25((const uint8_t *)"123456789", 9), 0x906e);

    Rig *r = rig_start(NULL);

    activate_to_atr(r, CTRL_EN, ATR_T1_CRC);
    host_expect(r, ATR_T1_CRC, "get ATR (T=1, CRC)");
    host_send_hex(r, "00 70 00 00");
    card_expect(r, t1_block_crc(0xC1, "FE"), "S(IFS request) with CRC");
    card_put_hex(r, t1_block_crc(0xE1, "FE"));
    card_expect(r, t1_block_crc(0x00, "00 70 00 00"), "I(0) with CRC");
    /* a CRC error (bytes swapped): R(0) with EDC error */
    const char *good = t1_block_crc(0x00, "90 00");
    uint8_t b[16];
    size_t n = nc_unhex(good, b, sizeof(b));
    uint8_t t = b[n - 1];
    b[n - 1] = b[n - 2];
    b[n - 2] = t;
    card_put_hex(r, nc_hex(b, n));
    card_expect(r, t1_block_crc(0x81, ""), "R(0) after a CRC error");
    card_put_hex(r, good);
    host_expect(r, "90 00", "answer with CRC");
}

/* 1000 random frames (seeded) with the card off, then a good exchange */
Test(device_iso7816_uart, random_host_frames)
{
    Rig *r = rig_start(NULL);
    static uint8_t got[70000];
    uint8_t b[400];
    uint32_t seed = 0x7816u;
    unsigned replies = 0;

    for (int i = 0; i < 1000; i++) {
        seed = seed * 1103515245u + 12345u;
        size_t len = (seed >> 8) % 300;
        for (size_t j = 0; j < len; j++) {
            seed = seed * 1103515245u + 12345u;
            b[j] = (uint8_t)(seed >> 16);
        }
        /* keep the card off: 01 and 02 would power it */
        if (len == 1 && (b[0] == NC_VPCD_ON || b[0] == NC_VPCD_RESET)) {
            b[0] = 0x03;
        }
        nc_vpcd_send(r->v, b, len);
        /* answered: get-ATR and every C-APDU (empty: no card) */
        if ((len == 1 && b[0] == NC_VPCD_ATR) || len >= 2) {
            size_t g = nc_vpcd_recv(r->v, got, sizeof(got), NC_TIMEOUT_CMD_MS);
            cr_assert_eq(g, 0u, "frame %d (%zu bytes): answer of %zu bytes "
                         "without a card", i, len, g);
            replies++;
        }
    }
    cr_assert(replies > 900, "only %u frames needed an answer", replies);
    cr_assert(!nc_vpcd_pending(r->v, 50), "an unexpected answer is pending");
    expect_running(r->qt);

    activate_t0(r, CTRL_EN);
    host_send_hex(r, "00 70 00 00");
    card_expect(r, "00 70 00 00 00", "header after random frames");
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "exchange after random frames");
}

/* T=0 and extended lengths (ISO 7816-3 12.2: case 2E via GET RESPONSE) */
Test(device_iso7816_uart, t0_extended_apdus)
{
    Rig *r = rig_start(NULL);
    static uint8_t got[70000];

    activate_t0(r, CTRL_EN);
    /* case 2E, Ne = 300: P3 = 00 (256), then GET RESPONSE for 44 */
    host_send_hex(r, "00 B0 00 00 00 01 2C");
    card_expect(r, "00 B0 00 00 00", "case 2E header");
    nc_writel(r->qt, ISO(DATA), 0xB0);
    for (int i = 0; i < 256; i++) {
        nc_writel(r->qt, ISO(DATA), (uint32_t)i & 0xff);
    }
    card_put_hex(r, "61 2C");
    card_expect(r, "00 C0 00 00 2C", "GET RESPONSE for the rest of Ne");
    nc_writel(r->qt, ISO(DATA), 0xC0);
    for (int i = 0; i < 44; i++) {
        nc_writel(r->qt, ISO(DATA), (uint32_t)(0x80 + i));
    }
    card_put_hex(r, "90 00");
    size_t g = nc_vpcd_recv(r->v, got, sizeof(got), NC_TIMEOUT_CMD_MS);
    cr_assert_eq(g, 302u, "case 2E answer of %zu bytes, expected 300 + SW", g);
    for (int i = 0; i < 300; i++) {
        uint8_t want = i < 256 ? (uint8_t)i : (uint8_t)(0x80 + i - 256);
        cr_assert_eq(got[i], want, "byte %d is %02X, expected %02X", i,
                     got[i], want);
    }
    cr_assert_eq(got[300], 0x90);
    cr_assert_eq(got[301], 0x00);

    /* case 3E with Nc = 3: sent as a short TPDU */
    host_send_hex(r, "00 D6 00 00 00 00 03 AA BB CC");
    card_expect(r, "00 D6 00 00 03", "case 3E as a short header");
    card_put_hex(r, "D6");
    card_expect(r, "AA BB CC", "case 3E data");
    card_put_hex(r, "90 00");
    host_expect(r, "90 00", "case 3E");

    /* case 3E with Nc = 256 would need ENVELOPE: refused, card untouched */
    static uint8_t big[7 + 256];
    memcpy(big, "\x00\xD6\x00\x00\x00\x01\x00", 7);
    nc_vpcd_send(r->v, big, sizeof(big));
    host_expect(r, "", "case 3E with Nc 256 under T=0");
    card_expect_quiet(r, "nothing sent for a refused command");
}

/*
 * timing=real, T=1 waiting times from TB3 = 45 (BWI 4, CWI 5), F=372 D=1:
 * BWT = 11 etu + 2^4 x 960 x 372 / 3571200 s = 1.6011 s (ISO 7816-3
 * 11.4.3), CWT = (11 + 2^5) etu = 43 etu = 4.48 ms (11.4.3).
 */
Test(device_iso7816_uart, real_timing_t1_waiting_times)
{
    Rig *r = rig_start("netcard-iso7816-uart.timing=real");

    nc_writel(r->qt, ISO(IER), 0x7f);
    nc_vpcd_ctrl(r->v, NC_VPCD_ON);
    nc_vpcd_ctrl(r->v, NC_VPCD_ATR);
    poll_nostep(r, ISO(IER), 0xffffffffu, 0, "chip reset after power-on");
    nc_writel(r->qt, ISO(CTRL), CTRL_EN);
    nc_clock_step(r->qt, 120000);
    card_put_hex(r, ATR_T1);
    nc_clock_step(r->qt, 10000000);     /* 7 x 12 etu = 8.75 ms */
    host_expect(r, ATR_T1, "get ATR (T=1, timing=real)");

    uint32_t frames = qom_u32(r, "host-frames");
    host_send_hex(r, "00 70 00 00");
    while (qom_u32(r, "host-frames") == frames) {
        nc_nap_ms(1);
    }
    nc_clock_step(r->qt, 7000000);      /* 5 characters: 6.25 ms */
    card_expect(r, "00 C1 01 FE 3E", "S(IFS request)");
    card_put_hex(r, "00 E1 01 FE 1E");
    nc_clock_step(r->qt, 7000000);      /* the card's 5 characters */
    nc_clock_step(r->qt, 11000000);     /* the I-block: 8 x 1.25 ms */
    card_expect(r, t1_block(0x00, "00 70 00 00"), "I(0)");

    /* BWT after the I-block's last character (sent 1 ms ago) */
    nc_clock_step(r->qt, 1590000000);   /* 1.591 s after it */
    card_expect_quiet(r, "no R-block before BWT");
    nc_clock_step(r->qt, 20000000);     /* 1.611 s: BWT passed */
    nc_clock_step(r->qt, 6000000);      /* the R-block: 4 x 1.25 ms */
    card_expect(r, t1_block(0x82, ""), "R(0) after BWT");

    /* CWT: two characters of a block, then silence */
    card_put_hex(r, "00 00");
    nc_clock_step(r->qt, 3000000);      /* both sent (2.5 ms) */
    nc_clock_step(r->qt, 1500000);      /* 2 ms after the last: < CWT */
    card_expect_quiet(r, "no R-block before CWT");
    nc_clock_step(r->qt, 3000000);      /* 5 ms: CWT (4.48 ms) passed */
    nc_clock_step(r->qt, 6000000);
    card_expect(r, t1_block(0x82, ""), "R(0) again after CWT");

    card_put_hex(r, t1_block(0x00, "90 00"));
    nc_clock_step(r->qt, 10000000);     /* 6 characters: 7.5 ms */
    host_expect(r, "90 00", "answer after BWT and CWT recovery");
}
