/*
 * Protection sets and HTTP authentication. Contract: web_auth.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "net/web/web_auth.h"

#include <string.h>

#include "crypto/drbg.h"
#include "lwip/sys.h"
#include "mbedtls/md5.h"
#include "mbedtls/sha256.h"
#include "net/web/web_store.h"

#define LOG_MODULE "web"
#include "kernel/log.h"

#define HTTPS_PORT 4116u
#define PIN_DIGITS_MAX 8u   /* fs/pin.h PIN_LEN: net/ does not include fs/ */

struct web_user {
    char name[WEB_USER_MAX];
    uint8_t kind;                       /* enum web_secret; 0: free */
    uint8_t pin_ref;
    uint8_t ha1_md5[16];
    uint8_t ha1_sha256[32];
};

struct web_prot {
    char prefix[WEB_PREFIX_MAX];        /* "" free */
    uint8_t users;                      /* bit per user index */
};

struct nonce {
    char hex[33];                       /* "" free */
    uint32_t born_ms;
    uint32_t last_nc;
    int8_t user;                        /* HA1 cached for this user, or -1 */
    uint8_t alg;                        /* of the cached HA1 */
    uint8_t ha1[32];
};

_Static_assert(WEB_USERS <= 8u, "users is an 8-bit set");
_Static_assert(sizeof(struct web_user) * WEB_USERS <= STORE_MAX_OBJECT, "");
_Static_assert(sizeof(struct web_prot) * WEB_PROTECTIONS <= STORE_MAX_OBJECT,
               "");

enum { ALG_MD5 = 0, ALG_SHA256 = 1 };

static struct {
    struct store *s;
    const struct web_auth_port *port;
    struct web_user users[WEB_USERS];
    struct web_prot sets[WEB_PROTECTIONS];
    struct nonce nonces[WEB_NONCES];
} wa;

/* ---- Configuration ------------------------------------------------ */

static int save(uint32_t id, const void *data, uint32_t len)
{
    int r;

    if (!wa.s) {
        return WEB_ERR_NO_STORE;
    }
    r = store_put(wa.s, id, data, len);
    return r == STORE_OK ? WEB_OK : r == STORE_ERR_FULL ? WEB_ERR_FULL
                                                        : WEB_ERR_IO;
}

static void load(uint32_t id, void *data, uint32_t len)
{
    uint32_t got;

    if (store_read(wa.s, id, data, len, &got) != STORE_OK || got != len) {
        memset(data, 0, len);
    }
}

int web_auth_init(struct store *store, const struct web_auth_port *port)
{
    memset(&wa, 0, sizeof(wa));
    wa.s = store;
    wa.port = port;
    if (store) {
        load(WEB_AUTH_OBJ_USERS, wa.users, sizeof(wa.users));
        load(WEB_AUTH_OBJ_SETS, wa.sets, sizeof(wa.sets));
    }
    http_set_access_check(web_auth_check);
    return store ? WEB_OK : WEB_ERR_NO_STORE;
}

static bool name_ok(const char *n)
{
    size_t l;

    if (!n || !(l = strlen(n)) || l >= WEB_USER_MAX) {
        return false;
    }
    for (; *n; n++) {
        if (*n <= 0x20 || *n > 0x7e || *n == '"' || *n == ':' || *n == ',' ||
            *n == '\\') {
            return false;
        }
    }
    return true;
}

static int user_index(const char *name)
{
    for (unsigned i = 0; i < WEB_USERS; i++) {
        if (wa.users[i].kind && strcmp(wa.users[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static void hash3(int alg, const char *a, const char *b, const char *c,
                  uint8_t *out);

static void forget_nonces(void)
{
    for (unsigned i = 0; i < WEB_NONCES; i++) {
        wa.nonces[i].user = -1;
    }
}

static int set_user(const char *name, uint8_t kind, uint8_t ref,
                    const char *password)
{
    struct web_user u;
    int i;

    if (!name_ok(name)) {
        return WEB_ERR_PARAM;
    }
    i = user_index(name);
    for (unsigned k = 0; i < 0 && k < WEB_USERS; k++) {
        if (!wa.users[k].kind) {
            i = (int)k;
        }
    }
    if (i < 0) {
        return WEB_ERR_FULL;
    }
    memset(&u, 0, sizeof(u));
    strcpy(u.name, name);
    u.kind = kind;
    u.pin_ref = ref;
    if (password) {
        hash3(ALG_MD5, name, WEB_REALM, password, u.ha1_md5);
        hash3(ALG_SHA256, name, WEB_REALM, password, u.ha1_sha256);
    }
    struct web_user old = wa.users[i];
    wa.users[i] = u;
    int r = save(WEB_AUTH_OBJ_USERS, wa.users, sizeof(wa.users));
    if (r != WEB_OK) {
        wa.users[i] = old;
    }
    forget_nonces();
    return r;
}

int web_auth_set_user_pin(const char *name, uint8_t pin_ref)
{
    return set_user(name, WEB_SECRET_PIN, pin_ref, NULL);
}

int web_auth_set_user_password(const char *name, const char *password)
{
    if (!password) {
        return WEB_ERR_PARAM;
    }
    return set_user(name, WEB_SECRET_PASSWORD, 0, password);
}

int web_auth_delete_user(const char *name)
{
    int i = name ? user_index(name) : -1;
    int r;

    if (i < 0) {
        return WEB_ERR_NOT_FOUND;
    }
    memset(&wa.users[i], 0, sizeof(wa.users[i]));
    r = save(WEB_AUTH_OBJ_USERS, wa.users, sizeof(wa.users));
    for (unsigned k = 0; k < WEB_PROTECTIONS; k++) {
        wa.sets[k].users &= (uint8_t)~(1u << i);
    }
    if (r == WEB_OK) {
        r = save(WEB_AUTH_OBJ_SETS, wa.sets, sizeof(wa.sets));
    }
    forget_nonces();
    return r;
}

int web_auth_set_protection(const char *prefix, const char *const *users,
                            unsigned n)
{
    uint8_t mask = 0;
    int slot = -1, r;

    if (!prefix || prefix[0] != '/' || strlen(prefix) >= WEB_PREFIX_MAX) {
        return WEB_ERR_PARAM;
    }
    for (unsigned k = 0; k < n; k++) {
        int i = users[k] ? user_index(users[k]) : -1;
        if (i < 0) {
            return WEB_ERR_NOT_FOUND;
        }
        mask |= (uint8_t)(1u << i);
    }
    for (unsigned k = 0; k < WEB_PROTECTIONS && slot < 0; k++) {
        if (strcmp(wa.sets[k].prefix, prefix) == 0) {
            slot = (int)k;
        }
    }
    for (unsigned k = 0; k < WEB_PROTECTIONS && slot < 0; k++) {
        if (!wa.sets[k].prefix[0]) {
            slot = (int)k;
        }
    }
    if (slot < 0) {
        return WEB_ERR_FULL;
    }
    struct web_prot old = wa.sets[slot];
    memset(&wa.sets[slot], 0, sizeof(wa.sets[slot]));
    strcpy(wa.sets[slot].prefix, prefix);
    wa.sets[slot].users = mask;
    r = save(WEB_AUTH_OBJ_SETS, wa.sets, sizeof(wa.sets));
    if (r != WEB_OK) {
        wa.sets[slot] = old;
    }
    return r;
}

int web_auth_delete_protection(const char *prefix)
{
    for (unsigned k = 0; prefix && k < WEB_PROTECTIONS; k++) {
        if (wa.sets[k].prefix[0] && strcmp(wa.sets[k].prefix, prefix) == 0) {
            memset(&wa.sets[k], 0, sizeof(wa.sets[k]));
            return save(WEB_AUTH_OBJ_SETS, wa.sets, sizeof(wa.sets));
        }
    }
    return WEB_ERR_NOT_FOUND;
}

int web_auth_list_users(unsigned *cursor, char name[WEB_USER_MAX],
                        enum web_secret *kind, uint8_t *pin_ref)
{
    while (*cursor < WEB_USERS) {
        const struct web_user *u = &wa.users[(*cursor)++];
        if (u->kind) {
            strcpy(name, u->name);
            *kind = (enum web_secret)u->kind;
            *pin_ref = u->pin_ref;
            return WEB_OK;
        }
    }
    return WEB_ERR_NOT_FOUND;
}

int web_auth_list_protections(unsigned *cursor, char prefix[WEB_PREFIX_MAX],
                              uint32_t *user_mask)
{
    while (*cursor < WEB_PROTECTIONS) {
        const struct web_prot *p = &wa.sets[(*cursor)++];
        if (p->prefix[0]) {
            strcpy(prefix, p->prefix);
            *user_mask = p->users;
            return WEB_OK;
        }
    }
    return WEB_ERR_NOT_FOUND;
}

/* ---- Hashes --------------------------------------------------------- */

static size_t alg_len(int alg)
{
    return alg == ALG_MD5 ? 16u : 32u;
}

struct hctx {
    int alg;
    mbedtls_md5_context md5;
    mbedtls_sha256_context sha;
};

static void h_start(struct hctx *h, int alg)
{
    h->alg = alg;
    if (alg == ALG_MD5) {
        mbedtls_md5_init(&h->md5);
        (void)mbedtls_md5_starts(&h->md5);
    } else {
        mbedtls_sha256_init(&h->sha);
        (void)mbedtls_sha256_starts(&h->sha, 0);
    }
}

static void h_add(struct hctx *h, const void *p, size_t n)
{
    if (h->alg == ALG_MD5) {
        (void)mbedtls_md5_update(&h->md5, p, n);
    } else {
        (void)mbedtls_sha256_update(&h->sha, p, n);
    }
}

static void h_str(struct hctx *h, const char *s)
{
    h_add(h, s, strlen(s));
}

static void h_end(struct hctx *h, uint8_t *out)
{
    if (h->alg == ALG_MD5) {
        (void)mbedtls_md5_finish(&h->md5, out);
        mbedtls_md5_free(&h->md5);
    } else {
        (void)mbedtls_sha256_finish(&h->sha, out);
        mbedtls_sha256_free(&h->sha);
    }
}

static void hex(const uint8_t *in, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[in[i] >> 4];
        out[2 * i + 1] = d[in[i] & 15u];
    }
    out[2 * n] = '\0';
}

static void hash3(int alg, const char *a, const char *b, const char *c,
                  uint8_t *out)
{
    struct hctx h;

    h_start(&h, alg);
    h_str(&h, a);
    h_add(&h, ":", 1);
    h_str(&h, b);
    h_add(&h, ":", 1);
    h_str(&h, c);
    h_end(&h, out);
}

static bool same(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    uint8_t d = 0;

    for (size_t i = 0; i < n; i++) {
        d |= x[i] ^ y[i];
    }
    return d == 0;
}

/* ---- Digest (RFC 7616) ---------------------------------------------- */

struct digest {
    char username[WEB_USER_MAX];
    char realm[16];
    char nonce[40];
    char uri[WEB_PATH_MAX + 64];
    char response[72];
    char algorithm[16];
    char qop[8];
    char nc[12];
    char cnonce[72];
};

/* Copy a parameter value (quoted or token) into OUT; false if too long. */
static bool param(const char **p, const char *end, char *out, size_t cap)
{
    const char *s = *p;
    size_t n = 0;
    bool q = s < end && *s == '"';

    if (q) {
        s++;
    }
    while (s < end && (q ? *s != '"' : (*s != ',' && *s != ' '))) {
        if (q && *s == '\\' && s + 1 < end) {
            s++;
        }
        if (n + 1 >= cap) {
            return false;
        }
        out[n++] = *s++;
    }
    if (q) {
        if (s == end) {
            return false;
        }
        s++;
    }
    out[n] = '\0';
    *p = s;
    return true;
}

static bool parse_digest(const char *v, size_t len, struct digest *d)
{
    const char *p = v + 7, *end = v + len;   /* after "Digest " */

    memset(d, 0, sizeof(*d));
    while (p < end) {
        const char *k;
        size_t kl;
        char *out = NULL;
        size_t cap = 0;
        char skip[80];

        while (p < end && (*p == ' ' || *p == ',')) {
            p++;
        }
        if (p == end) {
            break;
        }
        k = p;
        while (p < end && *p != '=') {
            p++;
        }
        if (p == end) {
            return false;
        }
        kl = (size_t)(p - k);
        p++;
#define KEY(name, field) \
        if (kl == sizeof(name) - 1 && memcmp(k, name, kl) == 0) { \
            out = d->field; cap = sizeof(d->field); }
        KEY("username", username) else KEY("realm", realm)
        else KEY("nonce", nonce) else KEY("uri", uri)
        else KEY("response", response) else KEY("algorithm", algorithm)
        else KEY("qop", qop) else KEY("nc", nc) else KEY("cnonce", cnonce)
#undef KEY
        if (!out) {
            out = skip;
            cap = sizeof(skip);
        }
        if (!param(&p, end, out, cap)) {
            return false;
        }
    }
    return d->username[0] && d->nonce[0] && d->uri[0] && d->response[0];
}

static struct nonce *nonce_new(void)
{
    struct nonce *n = &wa.nonces[0];
    uint8_t rnd[16];
    uint32_t now = sys_now();

    for (unsigned i = 0; i < WEB_NONCES; i++) {
        struct nonce *c = &wa.nonces[i];
        if (!c->hex[0]) {
            n = c;
            break;
        }
        if ((uint32_t)(now - c->born_ms) > (uint32_t)(now - n->born_ms)) {
            n = c;
        }
    }
    if (crypto_drbg_random(rnd, sizeof(rnd)) != CRYPTO_OK) {
        return NULL;
    }
    memset(n, 0, sizeof(*n));
    hex(rnd, sizeof(rnd), n->hex);
    n->born_ms = now;
    n->user = -1;
    return n;
}

static struct nonce *nonce_find(const char *hexs, bool *stale)
{
    *stale = false;
    for (unsigned i = 0; i < WEB_NONCES; i++) {
        struct nonce *c = &wa.nonces[i];
        if (c->hex[0] && strcmp(c->hex, hexs) == 0) {
            if (sys_now() - c->born_ms > WEB_NONCE_LIFE_MS) {
                *stale = true;
                return NULL;
            }
            return c;
        }
    }
    return NULL;
}

static void challenge(const struct http_request *req,
                      struct http_response *resp, bool stale,
                      const char *why)
{
    struct nonce *n = nonce_new();
    static const char *const algs[2] = { "SHA-256", "MD5" };

    for (unsigned i = 0; n && i < 2; i++) {
        (void)http_add_field(resp, "WWW-Authenticate",
                             "Digest realm=\"" WEB_REALM "\", qop=\"auth\", "
                             "algorithm=%s, nonce=\"%s\"%s", algs[i], n->hex,
                             stale ? ", stale=true" : "");
    }
    if (req->local_port == HTTPS_PORT) {
        (void)http_add_field(resp, "WWW-Authenticate",
                             "Basic realm=\"" WEB_REALM "\", charset=\"UTF-8\"");
    }
    http_reply(resp, 401, "text/plain", why, strlen(why));
}

struct digest_match {
    const struct digest *d;
    const char *method;
    int alg;
    uint8_t ha1[32];
    bool ok;
};

/* response = H(HA1hex:nonce:nc:cnonce:qop:H(method:uri)hex) */
static bool digest_ok(const struct digest *d, const char *method, int alg,
                      const uint8_t *ha1)
{
    uint8_t ha2[32], r[32];
    char ha1x[65], ha2x[65], rx[65];
    struct hctx h;
    size_t n = alg_len(alg);

    h_start(&h, alg);
    h_str(&h, method);
    h_add(&h, ":", 1);
    h_str(&h, d->uri);
    h_end(&h, ha2);
    hex(ha1, n, ha1x);
    hex(ha2, n, ha2x);
    h_start(&h, alg);
    h_str(&h, ha1x);
    h_add(&h, ":", 1);
    h_str(&h, d->nonce);
    h_add(&h, ":", 1);
    h_str(&h, d->nc);
    h_add(&h, ":", 1);
    h_str(&h, d->cnonce);
    h_add(&h, ":", 1);
    h_str(&h, d->qop);
    h_add(&h, ":", 1);
    h_str(&h, ha2x);
    h_end(&h, r);
    hex(r, n, rx);
    return strlen(d->response) == 2 * n && same(rx, d->response, 2 * n);
}

static bool digest_pin_match(const uint8_t *pin, uint32_t len, void *ctx)
{
    struct digest_match *m = ctx;
    char p[PIN_DIGITS_MAX + 1];

    if (len > PIN_DIGITS_MAX) {
        return false;
    }
    memcpy(p, pin, len);
    p[len] = '\0';
    hash3(m->alg, m->d->username, WEB_REALM, p, m->ha1);
    memset(p, 0, sizeof(p));
    m->ok = digest_ok(m->d, m->method, m->alg, m->ha1);
    return m->ok;
}

struct basic_match {
    const char *pass;
};

static bool basic_pin_match(const uint8_t *pin, uint32_t len, void *ctx)
{
    const struct basic_match *m = ctx;

    return strlen(m->pass) == len && same(pin, m->pass, len);
}

/* Verify a PIN user's secret; answers 401/403 itself and returns false,
 * or returns true. */
static bool pin_login(const struct http_request *req,
                      struct http_response *resp, const struct web_user *u,
                      bool (*match)(const uint8_t *, uint32_t, void *),
                      void *ctx)
{
    static const char blocked[] = "403 PIN blocked\n";
    enum web_pin_result r;

    if (!wa.port || !wa.port->pin_verify) {
        r = WEB_PIN_ERROR;
    } else {
        r = wa.port->pin_verify(u->pin_ref, match, ctx);
    }
    if (r == WEB_PIN_OK) {
        return true;
    }
    if (r == WEB_PIN_BLOCKED) {
        http_reply_static(resp, 403, "text/plain", blocked,
                          sizeof(blocked) - 1);
        return false;
    }
    LOG_W("login of %s refused (PIN %s)", u->name,
          r == WEB_PIN_WRONG ? "wrong" : "unavailable");
    challenge(req, resp, false, "401 wrong PIN\n");
    return false;
}

/* Base64 (RFC 4648 4) of IN into OUT; length or -1. */
static int b64_decode(const char *in, size_t n, char *out, size_t cap)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z'
              ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
              : c == '+' ? 62 : c == '/' ? 63 : c == '=' ? -2 : -1;
        if (v == -2) {
            break;
        }
        if (v < 0) {
            return -1;
        }
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o + 1 >= cap) {
                return -1;
            }
            out[o++] = (char)(acc >> bits);
        }
    }
    out[o] = '\0';
    return (int)o;
}

/* ---- The check ------------------------------------------------------ */

static int protection_of(const char *path)
{
    int best = -1;
    size_t best_len = 0;

    for (unsigned k = 0; k < WEB_PROTECTIONS; k++) {
        size_t l = strlen(wa.sets[k].prefix);
        if (l && l > best_len && strncmp(path, wa.sets[k].prefix, l) == 0) {
            best = (int)k;
            best_len = l;
        }
    }
    return best;
}

static bool allowed(struct http_response *resp, int set, int user)
{
    static const char forbidden[] = "403 Forbidden\n";

    if (wa.sets[set].users & (1u << user)) {
        return true;
    }
    http_reply_static(resp, 403, "text/plain", forbidden,
                      sizeof(forbidden) - 1);
    return false;
}

static bool check_basic(const struct http_request *req,
                        struct http_response *resp, const char *v,
                        size_t len, int set)
{
    char cred[WEB_USER_MAX + 72];
    char *colon;
    int u;
    struct basic_match bm;

    if (b64_decode(v + 6, len - 6, cred, sizeof(cred)) < 0 ||
        !(colon = strchr(cred, ':'))) {
        challenge(req, resp, false, "401 bad credentials\n");
        return false;
    }
    *colon = '\0';
    u = user_index(cred);
    bm.pass = colon + 1;
    if (u < 0) {
        challenge(req, resp, false, "401 unknown user\n");
        memset(cred, 0, sizeof(cred));
        return false;
    }
    if (wa.users[u].kind == WEB_SECRET_PIN) {
        bool ok = pin_login(req, resp, &wa.users[u], basic_pin_match, &bm);
        memset(cred, 0, sizeof(cred));
        return ok && allowed(resp, set, u);
    }
    uint8_t ha1[32];
    hash3(ALG_SHA256, cred, WEB_REALM, bm.pass, ha1);
    memset(cred, 0, sizeof(cred));
    if (!same(ha1, wa.users[u].ha1_sha256, 32)) {
        challenge(req, resp, false, "401 wrong password\n");
        return false;
    }
    return allowed(resp, set, u);
}

static bool check_digest(const struct http_request *req,
                         struct http_response *resp, const char *v,
                         size_t len, int set)
{
    static struct digest d;             /* 400 bytes: off the stack */
    char target[sizeof(d.uri)];
    struct nonce *n;
    bool stale;
    int alg, u;
    uint32_t nc = 0;

    if (!parse_digest(v, len, &d)) {
        challenge(req, resp, false, "401 bad Digest credentials\n");
        return false;
    }
    alg = !d.algorithm[0] || strcmp(d.algorithm, "MD5") == 0 ? ALG_MD5
        : strcmp(d.algorithm, "SHA-256") == 0 ? ALG_SHA256 : -1;
    log_snprintf(target, sizeof(target), "%s%s%s", req->path,
                 req->query[0] ? "?" : "", req->query);
    n = nonce_find(d.nonce, &stale);
    for (const char *c = d.nc; *c; c++) {
        int x = *c >= '0' && *c <= '9' ? *c - '0' : *c >= 'a' && *c <= 'f'
              ? *c - 'a' + 10 : *c >= 'A' && *c <= 'F' ? *c - 'A' + 10 : -1;
        nc = x < 0 ? 0 : nc * 16u + (uint32_t)x;
    }
    if (!n || alg < 0 || strcmp(d.realm, WEB_REALM) != 0 ||
        strcmp(d.qop, "auth") != 0 || strcmp(d.uri, target) != 0 ||
        nc <= n->last_nc) {
        challenge(req, resp, stale, stale ? "401 nonce expired\n"
                                          : "401 credentials refused\n");
        return false;
    }
    n->last_nc = nc;
    u = user_index(d.username);
    if (u < 0) {
        challenge(req, resp, false, "401 unknown user\n");
        return false;
    }
    if (wa.users[u].kind == WEB_SECRET_PASSWORD) {
        if (!digest_ok(&d, req->method, alg, alg == ALG_MD5
                       ? wa.users[u].ha1_md5 : wa.users[u].ha1_sha256)) {
            challenge(req, resp, false, "401 wrong password\n");
            return false;
        }
        return allowed(resp, set, u);
    }
    /* A PIN user: the HA1 cached with this nonce, else the PIN counter. */
    if (n->user == u && n->alg == alg && digest_ok(&d, req->method, alg,
                                                   n->ha1)) {
        return allowed(resp, set, u);
    }
    struct digest_match m = { .d = &d, .method = req->method, .alg = alg };
    if (!pin_login(req, resp, &wa.users[u], digest_pin_match, &m)) {
        return false;
    }
    n->user = (int8_t)u;
    n->alg = (uint8_t)alg;
    memcpy(n->ha1, m.ha1, sizeof(n->ha1));
    return allowed(resp, set, u);
}

bool web_auth_check(const struct http_request *req, struct http_response *resp)
{
    int set = protection_of(req->path);
    size_t len;
    const char *v;

    if (set < 0) {
        return true;                    /* public */
    }
    v = http_request_field(req, "Authorization", &len);
    if (v && len > 7 && strncmp(v, "Digest ", 7) == 0) {
        return check_digest(req, resp, v, len, set);
    }
    if (v && len > 6 && strncmp(v, "Basic ", 6) == 0 &&
        req->local_port == HTTPS_PORT) {
        return check_basic(req, resp, v, len, set);
    }
    challenge(req, resp, false, v ? "401 use Digest (Basic only over TLS)\n"
                                  : "401 authentication required\n");
    return false;
}
