/*
 * wallet: a balance, credit authorised by the issuer, debit with the
 * cardholder's PIN, and a log of the last WALLET_LOG operations that the
 * cardholder can read (docs/applets.md "Samples").
 *
 * Install parameters (C9 value): the PIN (4 bytes), then optionally its
 * web context root ("/wallet/" when absent: an absolute path ending in
 * '/', at most 16 bytes); without them PIN "1234" (a test value).
 *
 * The issuer talks to the wallet through its security domain's secure
 * channel (GP Card API SecureChannel: nc_sc_process, nc_sc_unwrap,
 * nc_sc_wrap), opened with the wallet selected:
 *   80 50 kvn 00 08 ...       INITIALIZE UPDATE  } processSecurity: the
 *   84 82 lvl 00 10 ...       EXTERNAL AUTHENTICATE } ISD's keys
 *   84 52 00 00 Lc amount(4) [date(4) [merchant(0..12)]] cmac(8)
 *                             credit: only with secure messaging whose
 *                             C-MAC the security domain verified (6982
 *                             otherwise; a wrong or replayed C-MAC also
 *                             ends the session)
 *   80 5C 00 00 00            balance: 4 bytes, big-endian
 *   80 54 00 00 Lc pin(4) amount(4) [date(4) [merchant(0..12)]]
 *                             debit: 63Cx wrong PIN (x tries left), 6983
 *                             blocked, 6985 not enough balance
 *   80 56 00 00 00            log: newest first, 8 bytes each:
 *                             type ('C' or 'D'), 0, seq(2), amount(4)
 *   80 5A 00 00 00            the same log with dates and merchants, 24
 *                             bytes each: the 8 above, date(4),
 *                             merchant(12, zero-padded)
 *   80 58 00 00 00            the operation counter (2 bytes)
 * The date is the terminal's (the card has no calendar clock): seconds
 * since 1970-01-01 UTC, big-endian; 0 when the command has none. The
 * merchant is printable ASCII (other bytes: 6A80).
 *
 * Web (docs/webapps.md "The wallet walkthrough"): the route ROOT "api/"
 * (ROOT its context root), registered at its INSTALL event and kept by
 * the card (NC_SYS_HTTP_ROUTE):
 *   GET ROOT api/state  JSON {"balance":..,"seq":..,"tries":..,
 *                       "tx":[{"type":"credit"|"debit","seq":..,
 *                       "amount":..,"date":..,"merchant":".."},...]}
 *                       newest first
 * (wallet_web.c); the page that shows it (www/) comes from the card's
 * content store under ROOT. Who may see them is the web server's
 * protection of ROOT.
 *
 * State (persistent objects): 1 = balance(4) seq(2) tries(1) pad(1),
 * 2 = the log ring (head(1) count(1) pad(2) + WALLET_LOG entries), both
 * written in one transaction per operation, so a power cut leaves the
 * old or the new balance with its matching log, never a mix.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "netcard/applet.h"
#include "wallet.h"

NC_PACKAGE("A00000007703", 1, 0, 1024, 256);
NC_MODULE("A0000000770301", wallet);

#define PIN_TRIES    3
#define OBJ_STATE    1
#define OBJ_LOG      2

uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* The PIN from the install parameters. */
static void secrets(uint8_t pin[4])
{
    uint8_t p[32];

    if (nc_params(p, sizeof(p)) >= 4) {
        memcpy(pin, p, 4);
        return;
    }
    memcpy(pin, "1234", 4);
}

uint32_t context_root(char *root)
{
    uint8_t p[32];
    int32_t n = nc_params(p, sizeof(p));

    if (n > 5 && n - 4 <= ROOT_MAX && p[4] == '/' && p[n - 1] == '/') {
        memcpy(root, p + 4, (uint32_t)n - 4);
        root[n - 4] = 0;
        return (uint32_t)n - 4;
    }
    memcpy(root, "/wallet/", 9);
    return 8;
}

int wallet_load(struct state *s, struct logbook *l)
{
    int32_t n = nc_obj_read(OBJ_STATE, s, sizeof(*s));

    if (n == NC_E_NOTFOUND) {
        memset(s, 0, sizeof(*s));
        s->tries = PIN_TRIES;
        memset(l, 0, sizeof(*l));
        return 0;
    }
    if (n != (int32_t)sizeof(*s) ||
        nc_obj_read(OBJ_LOG, l, sizeof(*l)) != (int32_t)sizeof(*l)) {
        return -1;
    }
    return 0;
}

/* Optional date(4) and merchant after the amount: D, N bytes. Into the
 * entry's tail X (date, merchant); false if malformed. */
static int extra(const uint8_t *d, uint32_t n, uint8_t x[4 + MERCHANT_MAX])
{
    memset(x, 0, 4 + MERCHANT_MAX);
    if (n == 0) {
        return 1;
    }
    if (n < 4 || n > 4 + MERCHANT_MAX) {
        return 0;
    }
    for (uint32_t i = 4; i < n; i++) {
        if (d[i] < 0x20 || d[i] > 0x7E) {
            return 0;
        }
    }
    memcpy(x, d, n);
    return 1;
}

/* State and log (with one more entry when TYPE, X its date and merchant)
 * in one transaction. */
static int save(struct state *s, struct logbook *l, uint8_t type,
                uint32_t amount, const uint8_t *x)
{
    if (type) {
        uint8_t *e = l->e[l->head];

        e[0] = type;
        e[1] = 0;
        e[2] = s->seq[0];
        e[3] = s->seq[1];
        put32(e + 4, amount);
        memcpy(e + 8, x, 4 + MERCHANT_MAX);
        l->head = (uint8_t)((l->head + 1) % WALLET_LOG);
        if (l->count < WALLET_LOG) {
            l->count++;
        }
    }
    if (nc_tx_begin() != 0) {
        return -1;
    }
    if (nc_obj_write(OBJ_STATE, s, sizeof(*s)) != 0 ||
        nc_obj_write(OBJ_LOG, l, sizeof(*l)) != 0) {
        nc_tx_abort();
        return -1;
    }
    return nc_tx_commit();
}

static void seq_next(struct state *s)
{
    uint16_t q = (uint16_t)(s->seq[0] << 8 | s->seq[1]);

    q++;
    s->seq[0] = (uint8_t)(q >> 8);
    s->seq[1] = (uint8_t)q;
}

/* The command came through the issuer's secure channel, C-MAC checked
 * (nc_sc_unwrap before this): data = amount(4). */
static int credit(struct nc_apdu *a, struct state *s, struct logbook *l)
{
    uint32_t amount, bal;
    uint8_t x[4 + MERCHANT_MAX];

    if (!(nc_sc_state() & NC_SC_CMAC)) {
        return NC_SW_SECURITY;
    }
    if (a->nc < 4 || a->nc > 8 + MERCHANT_MAX) {
        return NC_SW_WRONG_LENGTH;
    }
    if (!extra(a->data + 4, a->nc - 4, x)) {
        return NC_SW_WRONG_DATA;
    }
    amount = be32(a->data);
    bal = be32(s->balance);
    if (bal + amount < bal) {
        return NC_SW_WRONG_DATA;            /* no overflow */
    }
    put32(s->balance, bal + amount);
    seq_next(s);
    return save(s, l, 'C', amount, x) == 0 ? NC_SW_OK : 0x6581;
}

static int debit(struct nc_apdu *a, struct state *s, struct logbook *l)
{
    uint8_t pin[4];
    uint32_t amount, bal;
    uint8_t x[4 + MERCHANT_MAX];

    if (a->nc < 8 || a->nc > 12 + MERCHANT_MAX) {
        return NC_SW_WRONG_LENGTH;
    }
    if (!extra(a->data + 8, a->nc - 8, x)) {
        return NC_SW_WRONG_DATA;
    }
    if (s->tries == 0) {
        return 0x6983;
    }
    secrets(pin);
    if (memcmp(pin, a->data, 4) != 0) {
        s->tries--;
        if (save(s, l, 0, 0, x) != 0) {
            return 0x6581;
        }
        return 0x63C0 | s->tries;
    }
    amount = be32(a->data + 4);
    bal = be32(s->balance);
    if (amount > bal) {
        /* the right PIN resets the tries even when nothing is paid */
        if (s->tries != PIN_TRIES) {
            s->tries = PIN_TRIES;
            if (save(s, l, 0, 0, x) != 0) {
                return 0x6581;
            }
        }
        return NC_SW_CONDITIONS;
    }
    s->tries = PIN_TRIES;
    put32(s->balance, bal - amount);
    seq_next(s);
    return save(s, l, 'D', amount, x) == 0 ? NC_SW_OK : 0x6581;
}

int wallet(unsigned event, struct nc_apdu *apdu)
{
    struct state s;
    struct logbook l;

    if (event == NC_EV_INSTALL) {
        return wallet_web_install();
    }
    if (event == EV_WEB) {
        return wallet_web(nc_http_request(apdu));
    }
    if (event != NC_EV_PROCESS) {
        return 0;
    }
    if (apdu->ins == 0x50 || apdu->ins == 0x82) {
        int32_t sw = nc_sc_process();   /* the issuer opens its channel */

        return sw >= 0 ? (int)sw : NC_SW_INS_UNKNOWN;
    }
    if (apdu->cla == 0x84 && apdu->ins == 0x52) {
        int sw;

        if (nc_sc_unwrap() < 0) {
            return NC_SW_SECURITY;      /* C-MAC wrong: the session ended */
        }
        sw = wallet_load(&s, &l) != 0 ? 0x6581 : credit(apdu, &s, &l);
        nc_sc_wrap((uint32_t)sw);
        return sw;
    }
    if (apdu->cla != 0x80) {
        return NC_SW_CLA_UNKNOWN;
    }
    if (wallet_load(&s, &l) != 0) {
        return 0x6581;
    }
    switch (apdu->ins) {
    case 0x5C:
        nc_send(s.balance, 4);
        return NC_SW_OK;
    case 0x52:
        return NC_SW_SECURITY;          /* a credit without the channel */
    case 0x54:
        return debit(apdu, &s, &l);
    case 0x56:
    case 0x5A:
        for (uint8_t i = 0; i < l.count; i++) {
            nc_send(l.e[(l.head + WALLET_LOG - 1 - i) % WALLET_LOG],
                    apdu->ins == 0x56 ? 8 : ENTRY);
        }
        return NC_SW_OK;
    case 0x58:
        nc_send(s.seq, 2);
        return NC_SW_OK;
    default:
        return NC_SW_INS_UNKNOWN;
    }
}
