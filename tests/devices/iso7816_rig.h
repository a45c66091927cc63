/*
 * The ISO 7816 UART device tests' rig (tests/devices/test_iso7816_uart*.c):
 * QEMU with the terminal's socket as the second -serial; the test plays the
 * HOST over vpcd framing and the CARD by poking the UART registers over
 * qtest (no guest code runs). Register bits as netcard_iso7816_uart.h
 * gives them; T=1 blocks with LRC or CRC (ISO/IEC 7816-3 11.4.4).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef NETCARD_TESTS_ISO7816_RIG_H
#define NETCARD_TESTS_ISO7816_RIG_H

#include "devices.h"
#include "netcard_iso7816_uart.h"

#include <string.h>

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
static inline Rig *rig_start(const char *global)
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

static inline uint32_t qom_u32(Rig *r, const char *prop)
{
    char *v = nc_qmp(r->qt->qmp, "{'execute': 'qom-get', 'arguments': "
                     "{'path': '" QOM_ISO "', 'property': '%s'}}", prop);
    return (uint32_t)strtoul(v, NULL, 10);
}

static inline char *qom_str(Rig *r, const char *prop)
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

static inline void qom_set_u32(Rig *r, const char *prop, uint32_t val)
{
    nc_qmp(r->qt->qmp, "{'execute': 'qom-set', 'arguments': "
           "{'path': '" QOM_ISO "', 'property': '%s', 'value': %u}}", prop,
           val);
}

/* Poll a register WITHOUT advancing virtual time (bounded in wall time). */
static inline uint32_t poll_nostep(Rig *r, uint32_t addr, uint32_t mask,
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

static inline void card_put_hex(Rig *r, const char *hex)
{
    uint8_t b[300];
    size_t n = nc_unhex(hex, b, sizeof(b));

    for (size_t i = 0; i < n; i++) {
        nc_writel(r->qt, ISO(DATA), b[i]);
    }
}

/* Read N characters the terminal sent (no virtual time passes). */
static inline void card_get(Rig *r, uint8_t *out, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        poll_nostep(r, ISO(STATUS), ST_RXNE, ST_RXNE, what);
        out[i] = (uint8_t)nc_readl(r->qt, ISO(DATA));
    }
}

static inline void card_expect(Rig *r, const char *hex, const char *what)
{
    uint8_t want[300], got[300];
    size_t n = nc_unhex(hex, want, sizeof(want));

    card_get(r, got, n, what);
    cr_assert_str_eq(nc_hex(got, n), nc_hex(want, n),
                     "%s: the card received %s, expected %s", what,
                     nc_hex(got, n), nc_hex(want, n));
}

/* Nothing more arrived at the card. */
static inline void card_expect_quiet(Rig *r, const char *what)
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

static inline void host_send_hex(Rig *r, const char *hex)
{
    uint8_t b[300];
    size_t n = nc_unhex(hex, b, sizeof(b));

    nc_vpcd_send(r->v, b, n);
}

static inline void host_expect(Rig *r, const char *hex, const char *what)
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
static inline void activate_to_atr(Rig *r, uint32_t ctrl, const char *atr)
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

static inline void activate_t0(Rig *r, uint32_t ctrl)
{
    activate_to_atr(r, ctrl, ATR_T0);
    host_expect(r, ATR_T0, "get ATR after power-on");
}


/* A block NAD=00, PCB, INF with its LRC (ISO 7816-3 11.4.4), as hex. */
static inline const char *t1_block(uint8_t pcb, const char *inf_hex)
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
static inline uint16_t crc_x25(const uint8_t *p, size_t n)
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

static inline const char *t1_block_crc(uint8_t pcb, const char *inf_hex)
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


#endif /* NETCARD_TESTS_ISO7816_RIG_H */
