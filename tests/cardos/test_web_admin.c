/*
 * Test image only: the SCWS content store over plain HTTP. See
 * test_web_admin.h.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tests/cardos/test_web_admin.h"

#include <string.h>

#include "net/http/http_app.h"
#include "net/web/web_server.h"
#include "net/web/web_store.h"

#define PREFIX "/_scws"

static void text(struct http_response *resp, unsigned status,
                 const char *msg)
{
    http_reply(resp, status, "text/plain", msg, strlen(msg));
}

/* Copy field NAME into OUT (CAP bytes with NUL); false if too long. */
static bool field(const struct http_request *req, const char *name,
                  char *out, size_t cap)
{
    size_t len;
    const char *v = http_request_field(req, name, &len);

    if (!v) {
        out[0] = '\0';
        return true;
    }
    if (len >= cap) {
        return false;
    }
    memcpy(out, v, len);
    out[len] = '\0';
    return true;
}

static void scws_admin(const struct http_request *req,
                       struct http_response *resp, void *ctx)
{
    const char *path = req->path + strlen(PREFIX);
    struct web_meta m, old;
    size_t len;
    const char *lm;
    int r;

    (void)ctx;
    if (strcmp(req->method, "DELETE") == 0) {
        r = web_store_delete(path);
        text(resp, r == WEB_OK ? 204 : r == WEB_ERR_NOT_FOUND ? 404 :
             r == WEB_ERR_PARAM ? 400 : 500, r == WEB_OK ? "" : "not deleted\n");
        return;
    }
    if (strcmp(req->method, "PUT") != 0) {
        (void)http_add_field(resp, "Allow", "PUT, DELETE");
        text(resp, 405, "405 Method Not Allowed\n");
        return;
    }
    memset(&m, 0, sizeof(m));
    if (strlen(path) >= sizeof(m.path) || !field(req, "Content-Type", m.type,
                                                 sizeof(m.type)) ||
        !field(req, "Content-Encoding", m.encoding, sizeof(m.encoding)) ||
        !field(req, "Content-Language", m.language, sizeof(m.language))) {
        text(resp, 400, "bad path or metadata\n");
        return;
    }
    strcpy(m.path, path);
    lm = http_request_field(req, "Last-Modified", &len);
    if (lm && !web_parse_http_date(lm, len, &m.modified)) {
        text(resp, 400, "Last-Modified is not an IMF-fixdate\n");
        return;
    }
    bool existed = web_store_stat(path, &old) == WEB_OK;
    r = web_store_put(&m, req->body, (uint32_t)req->body_len);
    switch (r) {
    case WEB_OK:
        text(resp, existed ? 204 : 201, "");
        break;
    case WEB_ERR_FULL:
        text(resp, 507, "507 Insufficient Storage\n");
        break;
    case WEB_ERR_TOO_LARGE:
        text(resp, 413, "413 Content Too Large\n");
        break;
    case WEB_ERR_PARAM:
        text(resp, 400, "bad path or metadata\n");
        break;
    default:
        text(resp, 500, "store error\n");
        break;
    }
}

bool test_web_admin_init(void)
{
    return http_route_add(NULL, PREFIX "/", scws_admin, NULL);
}
