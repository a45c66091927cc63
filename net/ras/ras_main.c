/*
 * netcard-ras — the remote administration server of GlobalPlatform
 * Amendment B (SCP81) and its operator commands. `netcard ras ...` runs
 * this program.
 *
 *   netcard-ras serve   [--db SPEC] [--listen H:P] [--admin H:P] [...]
 *   netcard-ras card    [--db SPEC] --card ICCID --identity ID --psk HEX
 *                       [--agent-id ID] [--scp03 KVN:ENC:MAC:DEK]
 *   netcard-ras cards   [--db SPEC] FILE     (lines: ICCID IDENTITY PSK)
 *   netcard-ras enqueue [--db SPEC] (--card ICCID | --all)
 *                       (--apdu HEX... | --script FILE |
 *                        --load NCAP [--install AID [--module AID]
 *                        [--params HEX]]) [--target AID]
 *                       [--scp03 LEVEL]
 *                       [--scws-put PATH FILE [--type T] [--encoding E]
 *                        [--language L]] [--scws-delete PATH]
 *                       [--scws-get PATH] [--scws-user NAME SECRET]
 *                       [--scws-protect PREFIX USERS]  (net/ras/ras_scws.h)
 *   netcard-ras status  [--db SPEC] [--card ICCID] [--job ID]
 *   netcard-ras log     [--db SPEC] [--card ICCID] [--limit N]
 *
 * SPEC: a SQLite file (default netcard-ras.db, or $NETCARD_RAS_DB) or
 * postgresql://... Exit status 0 on success, 1 on a failed operation,
 * 2 on a usage error.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ras_api.h"
#include "ras_content.h"
#include "ras_scws.h"
#include "ras_db.h"
#include "ras_server.h"

static char *opt_db;

static RasDb *open_db(void)
{
    const char *spec = opt_db ? opt_db : g_getenv("NETCARD_RAS_DB");
    char *err = NULL;
    RasDb *db = ras_db_open(spec ? spec : "netcard-ras.db", &err);
    if (!db) {
        fprintf(stderr, "netcard-ras: database: %s\n", err);
        exit(1);
    }
    return db;
}

static int parse(int *argc, char ***argv, GOptionEntry *e, const char *what)
{
    GOptionEntry db[] = {
        { "db", 0, 0, G_OPTION_ARG_STRING, &opt_db,
          "SQLite file or postgresql://... URI", "SPEC" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new(what);
    g_option_context_add_main_entries(ctx, db, NULL);
    g_option_context_add_main_entries(ctx, e, NULL);
    GError *err = NULL;
    bool ok = g_option_context_parse(ctx, argc, argv, &err);
    g_option_context_free(ctx);
    if (!ok) {
        fprintf(stderr, "netcard-ras: %s\n", err->message);
        g_error_free(err);
        return 2;
    }
    return 0;
}

static int cmd_serve(int argc, char **argv)
{
    char *listen = NULL, *admin = NULL, *instance = NULL;
    int hs = 10000, req = 10000, idle = 30000, maxc = 1024, lease = 300;
    int max_body = 1 << 20;
    gboolean indef = FALSE, chunked = FALSE;
    GOptionEntry e[] = {
        { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, "HTTPS-PSK for cards (127.0.0.1:8443)", "H:P" },
        { "admin", 0, 0, G_OPTION_ARG_STRING, &admin, "REST API, plain HTTP (127.0.0.1:8081)", "H:P" },
        { "instance", 0, 0, G_OPTION_ARG_STRING, &instance, "name in the queue and audit log", "NAME" },
        { "indefinite", 0, 0, G_OPTION_ARG_NONE, &indef, "send scripts as AE 80 ... 00 00", NULL },
        { "chunked", 0, 0, G_OPTION_ARG_NONE, &chunked, "send bodies chunked", NULL },
        { "handshake-timeout-ms", 0, 0, G_OPTION_ARG_INT, &hs, "TLS handshake deadline", "MS" },
        { "request-timeout-ms", 0, 0, G_OPTION_ARG_INT, &req, "whole-request deadline", "MS" },
        { "idle-timeout-ms", 0, 0, G_OPTION_ARG_INT, &idle, "idle deadline between requests", "MS" },
        { "max-conns", 0, 0, G_OPTION_ARG_INT, &maxc, "concurrent connections", "N" },
        { "max-body", 0, 0, G_OPTION_ARG_INT, &max_body, "largest request body", "BYTES" },
        { "lease-s", 0, 0, G_OPTION_ARG_INT, &lease, "a sent job's lease", "S" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    if (parse(&argc, &argv, e, "serve")) {
        return 2;
    }
    char *inst = instance ? instance : g_strdup_printf("%s:%d", g_get_host_name(), getpid());
    RasServerOpts o = {
        .listen = listen ? listen : "127.0.0.1:8443",
        .admin = admin ? admin : "127.0.0.1:8081",
        .handshake_ms = hs, .request_ms = req, .idle_ms = idle,
        .max_conns = maxc,
        .cfg = { .instance = inst, .lease_s = lease, .indefinite = indef,
                 .chunked = chunked, .max_body = (size_t)max_body },
    };
    if (admin && !strcmp(admin, "none")) {
        o.admin = NULL;
    }
    RasDb *db = open_db();
    int rc = ras_server_run(db, &o);
    ras_db_close(db);
    return rc;
}

static int cmd_card(int argc, char **argv)
{
    char *card = NULL, *id = NULL, *psk = NULL, *agent = NULL, *scp03 = NULL;
    GOptionEntry e[] = {
        { "card", 0, 0, G_OPTION_ARG_STRING, &card, "ICCID or agent id", "NAME" },
        { "identity", 0, 0, G_OPTION_ARG_STRING, &id, "PSK identity", "ID" },
        { "psk", 0, 0, G_OPTION_ARG_STRING, &psk, "PSK (hex)", "HEX" },
        { "agent-id", 0, 0, G_OPTION_ARG_STRING, &agent, "X-Admin-From", "ID" },
        { "scp03", 0, 0, G_OPTION_ARG_STRING, &scp03, "static keys", "KVN:ENC:MAC:DEK" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    if (parse(&argc, &argv, e, "card")) {
        return 2;
    }
    RasDb *db = open_db();
    char *err = ras_card_add(db, card, id, psk, agent, scp03);
    ras_db_close(db);
    if (err) {
        fprintf(stderr, "netcard-ras: %s\n", err);
        return 1;
    }
    return 0;
}

static int cmd_cards(int argc, char **argv)
{
    GOptionEntry e[] = { { NULL, 0, 0, 0, NULL, NULL, NULL } };
    if (parse(&argc, &argv, e, "FILE") || argc != 2) {
        return 2;
    }
    char *text;
    if (!g_file_get_contents(argv[1], &text, NULL, NULL)) {
        fprintf(stderr, "netcard-ras: cannot read %s\n", argv[1]);
        return 1;
    }
    RasDb *db = open_db();
    gchar **lines = g_strsplit(text, "\n", -1);
    int n = 0, rc = 0;
    for (gchar **l = lines; *l && !rc; l++) {
        gchar **f = g_strsplit_set(g_strstrip(*l), " \t", -1);
        if (f[0] && *f[0] && *f[0] != '#') {
            char *err = g_strv_length(f) >= 3
                ? ras_card_add(db, f[0], f[1], f[2], f[3] && *f[3] ? f[3] : NULL, NULL)
                : g_strdup("expected: ICCID IDENTITY PSK [AGENT-ID]");
            if (err) {
                fprintf(stderr, "netcard-ras: %s: %s\n", *l, err);
                g_free(err);
                rc = 1;
            }
            n++;
        }
        g_strfreev(f);
    }
    g_strfreev(lines);
    g_free(text);
    ras_db_close(db);
    if (!rc) {
        printf("%d cards\n", n);
    }
    return rc;
}

/* A content type from a file name's extension, for --scws-put without
 * --type (NULL: unknown). */
static const char *guess_type(const char *file)
{
    static const char *const map[][2] = {
        { ".html", "text/html" }, { ".htm", "text/html" },
        { ".css", "text/css" }, { ".js", "text/javascript" },
        { ".json", "application/json" }, { ".txt", "text/plain" },
        { ".svg", "image/svg+xml" }, { ".png", "image/png" },
        { ".ico", "image/x-icon" }, { ".gif", "image/gif" },
        { ".jpg", "image/jpeg" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
        if (g_str_has_suffix(file, map[i][0])) {
            return map[i][1];
        }
    }
    return NULL;
}

/* One SCWS request as a script of its own (ras_scws.h): PUT reads FILE. */
static GPtrArray *scws_script(const char *method, const char *path,
                              const char *file, const char *type,
                              const char *enc, const char *lang)
{
    gchar *data = NULL;
    gsize len = 0;
    GError *ge = NULL;
    char *err = NULL;
    if (file && !g_file_get_contents(file, &data, &len, &ge)) {
        fprintf(stderr, "netcard-ras: %s\n", ge->message);
        g_error_free(ge);
        return NULL;
    }
    char *one = ras_scws_request(method, path, (const uint8_t *)data, len,
                                 type ? type : file ? guess_type(file) : NULL,
                                 enc, lang, &err);
    g_free(data);
    if (!one) {
        fprintf(stderr, "netcard-ras: %s\n", err);
        g_free(err);
        return NULL;
    }
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(a, one);
    return a;
}

/* A script file: one C-APDU in hex per line, '#' comments; a line "---"
 * starts the next script of the same job; a line "scws-put PATH FILE
 * [TYPE]", "scws-delete PATH" or "scws-get PATH" is an SCWS request, a
 * script of its own (FILE relative to the script file's folder). */
static GPtrArray *read_script(const char *path)
{
    char *text;
    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return NULL;
    }
    GPtrArray *scripts = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
    GPtrArray *cur = g_ptr_array_new_with_free_func(g_free);
    gchar **lines = g_strsplit(text, "\n", -1);
    for (gchar **l = lines; *l; l++) {
        char *s = g_strstrip(*l), *hash = strchr(s, '#');
        if (hash) {
            *hash = 0;
            s = g_strstrip(s);
        }
        if (g_str_has_prefix(s, "scws-")) {
            gchar **w = g_strsplit_set(s, " \t", -1), *v[4] = { 0 };
            int k = 0;
            for (gchar **x = w; *x && k < 4; x++) {
                if (**x) {
                    v[k++] = *x;
                }
            }
            char *dir = g_path_get_dirname(path);
            char *file = k > 2 ? g_build_filename(dir, v[2], NULL) : NULL;
            const char *m = !strcmp(v[0], "scws-put") ? "PUT" :
                            !strcmp(v[0], "scws-delete") ? "DELETE" :
                            !strcmp(v[0], "scws-get") ? "GET" : "?";
            GPtrArray *one = (k >= 2 && (*m != 'P' || file))
                ? scws_script(m, v[1], file, k > 3 ? v[3] : NULL, NULL, NULL)
                : NULL;
            g_free(dir);
            g_free(file);
            g_strfreev(w);
            if (!one) {
                fprintf(stderr, "netcard-ras: %s: bad line: %s\n", path, s);
                g_ptr_array_unref(scripts);
                g_ptr_array_unref(cur);
                g_strfreev(lines);
                g_free(text);
                return NULL;
            }
            if (cur->len) {
                g_ptr_array_add(scripts, cur);
                cur = g_ptr_array_new_with_free_func(g_free);
            }
            g_ptr_array_add(scripts, one);
        } else if (!strcmp(s, "---")) {
            if (cur->len) {
                g_ptr_array_add(scripts, cur);
                cur = g_ptr_array_new_with_free_func(g_free);
            }
        } else if (*s) {
            char *hex = g_malloc(strlen(s) + 1), *w = hex;
            for (const char *r = s; *r; r++) {
                if (*r != ' ' && *r != '\t') {
                    *w++ = *r;
                }
            }
            *w = 0;
            g_ptr_array_add(cur, hex);
        }
    }
    if (cur->len) {
        g_ptr_array_add(scripts, cur);
    } else {
        g_ptr_array_unref(cur);
    }
    g_strfreev(lines);
    g_free(text);
    return scripts;
}

static int cmd_enqueue(int argc, char **argv)
{
    char *card = NULL, *script = NULL, *target = NULL, *load = NULL, *install = NULL;
    char *module = NULL, *params = NULL;
    char **apdus = NULL;
    char *type = NULL, *enc = NULL, *lang = NULL;
    gboolean all = FALSE;
    int level = 0;
    /* --scws-put PATH FILE takes two values: taken out of ARGV first, in
     * order with --scws-delete PATH and --scws-get PATH */
    GPtrArray *sreq = g_ptr_array_new_with_free_func(g_free);
    int keep = 1;
    for (int i = 1; i < argc; i++) {
        int need = (!strcmp(argv[i], "--scws-put") ||
                    !strcmp(argv[i], "--scws-user") ||
                    !strcmp(argv[i], "--scws-protect")) ? 2 :
                   (!strcmp(argv[i], "--scws-delete") ||
                    !strcmp(argv[i], "--scws-get")) ? 1 : 0;
        if (!need) {
            argv[keep++] = argv[i];
            continue;
        }
        if (i + need >= argc) {
            fprintf(stderr, "netcard-ras enqueue: %s needs %s\n", argv[i],
                    need == 2 ? "two values" : "PATH");
            g_ptr_array_unref(sreq);
            return 2;
        }
        g_ptr_array_add(sreq, g_strdup(argv[i] + 7));   /* put/delete/... */
        g_ptr_array_add(sreq, g_strdup(argv[i + 1]));
        g_ptr_array_add(sreq, need == 2 ? g_strdup(argv[i + 2]) : NULL);
        i += need;
    }
    argc = keep;
    GOptionEntry e[] = {
        { "card", 0, 0, G_OPTION_ARG_STRING, &card, "ICCID or agent id", "NAME" },
        { "all", 0, 0, G_OPTION_ARG_NONE, &all, "every known card", NULL },
        { "apdu", 0, 0, G_OPTION_ARG_STRING_ARRAY, &apdus, "a C-APDU (repeat; one script)", "HEX" },
        { "script", 0, 0, G_OPTION_ARG_FILENAME, &script, "script file", "FILE" },
        { "target", 0, 0, G_OPTION_ARG_STRING, &target, "X-Admin-Targeted-Application", "AID" },
        { "scp03", 0, 0, G_OPTION_ARG_INT, &level, "open SCP03 at this security level (e.g. 0x33 = 51)", "LEVEL" },
        { "load", 0, 0, G_OPTION_ARG_FILENAME, &load, "LOAD this load file (one script)", "NCAP" },
        { "install", 0, 0, G_OPTION_ARG_STRING, &install, "then INSTALL an instance of it", "AID" },
        { "module", 0, 0, G_OPTION_ARG_STRING, &module, "the module to install (default: the first)", "AID" },
        { "params", 0, 0, G_OPTION_ARG_STRING, &params, "install parameters, C9's value", "HEX" },
        { "scws-put", 0, 0, G_OPTION_ARG_NONE, &all, "PATH FILE: create/replace an SCWS resource (repeat)", "PATH FILE" },
        { "scws-delete", 0, 0, G_OPTION_ARG_NONE, &all, "PATH: delete an SCWS resource or directory (PATH/)", "PATH" },
        { "scws-get", 0, 0, G_OPTION_ARG_NONE, &all, "PATH: audit: read a resource, list a directory (PATH/)", "PATH" },
        { "scws-user", 0, 0, G_OPTION_ARG_NONE, &all, "NAME pin:REF|password:PW: create/replace a web user", "NAME SECRET" },
        { "scws-protect", 0, 0, G_OPTION_ARG_NONE, &all, "PREFIX USER[,USER]: create/replace a protection set", "PREFIX USERS" },
        { "type", 0, 0, G_OPTION_ARG_STRING, &type, "--scws-put: Content-Type (default: from the file's extension)", "TYPE" },
        { "encoding", 0, 0, G_OPTION_ARG_STRING, &enc, "--scws-put: Content-Encoding", "ENC" },
        { "language", 0, 0, G_OPTION_ARG_STRING, &lang, "--scws-put: Content-Language", "LANG" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    if (parse(&argc, &argv, e, "enqueue")) {
        g_ptr_array_unref(sreq);
        return 2;
    }
    if ((install || module || params) && !load) {
        fprintf(stderr, "netcard-ras enqueue: --install, --module and --params go "
                "with --load\n");
        return 2;
    }
    if ((!card) == (!all) || (!!apdus + !!script + !!load) > 1 ||
        (!!apdus + !!script + !!load + !!sreq->len) == 0) {
        fprintf(stderr, "netcard-ras enqueue: (--card ICCID | --all) and "
                "(--apdu HEX... | --script FILE | --load NCAP [--install AID])"
                " and/or SCWS requests (--scws-put PATH FILE, --scws-delete PATH,"
                " --scws-get PATH)\n");
        g_ptr_array_unref(sreq);
        return 2;
    }
    GPtrArray *scripts;
    if (!apdus && !script && !load) {
        scripts = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
    } else if (load) {
        char *cerr = NULL;
        GPtrArray *one = ras_content_script(load, install, module, params, &cerr);
        if (!one) {
            fprintf(stderr, "netcard-ras: %s\n", cerr);
            g_free(cerr);
            return 1;
        }
        scripts = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
        g_ptr_array_add(scripts, one);
    } else if (script) {
        scripts = read_script(script);
        if (!scripts) {
            fprintf(stderr, "netcard-ras: cannot read %s\n", script);
            return 1;
        }
    } else {
        scripts = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
        GPtrArray *one = g_ptr_array_new_with_free_func(g_free);
        for (char **a = apdus; *a; a++) {
            g_ptr_array_add(one, g_strdup(*a));
        }
        g_ptr_array_add(scripts, one);
    }
    /* the SCWS requests follow the GP script(s), in command-line order */
    for (guint i = 0; i < sreq->len; i += 3) {
        const char *m = g_ptr_array_index(sreq, i);
        const char *a = g_ptr_array_index(sreq, i + 1);
        const char *b = g_ptr_array_index(sreq, i + 2);
        GPtrArray *one;
        if (!strcmp(m, "user") || !strcmp(m, "protect")) {
            /* the web server's users and protection sets, under
             * /.well-known/scws/ (docs/remote-admin.md) */
            char *err = NULL;
            char *path = g_strdup_printf(RAS_SCWS_CONFIG "%s%s", m,
                                         *m == 'u' ? "/" : "");
            char *full = g_strconcat(path, a, NULL);
            char *r = ras_scws_request("PUT", full, (const uint8_t *)b,
                                       strlen(b), "text/plain", NULL, NULL,
                                       &err);
            g_free(path);
            g_free(full);
            if (!r) {
                fprintf(stderr, "netcard-ras: %s\n", err);
                g_free(err);
                g_ptr_array_unref(scripts);
                g_ptr_array_unref(sreq);
                return 1;
            }
            one = g_ptr_array_new_with_free_func(g_free);
            g_ptr_array_add(one, r);
            g_ptr_array_add(scripts, one);
            continue;
        }
        one = scws_script(!strcmp(m, "put") ? "PUT" :
                                     !strcmp(m, "delete") ? "DELETE" : "GET",
                                     g_ptr_array_index(sreq, i + 1),
                                     g_ptr_array_index(sreq, i + 2), type, enc,
                                     lang);
        if (!one) {
            g_ptr_array_unref(scripts);
            g_ptr_array_unref(sreq);
            return 1;
        }
        g_ptr_array_add(scripts, one);
    }
    g_ptr_array_unref(sreq);
    RasDb *db = open_db();
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
    char *err = ras_enqueue(db, card, all, target, level, scripts, ids);
    ras_db_close(db);
    g_ptr_array_unref(scripts);
    if (err) {
        fprintf(stderr, "netcard-ras: %s\n", err);
        return 1;
    }
    for (guint i = 0; i < ids->len; i++) {
        printf("job %" G_GINT64_FORMAT "\n", (gint64)g_array_index(ids, int64_t, i));
    }
    g_array_unref(ids);
    return 0;
}

static int cmd_status(int argc, char **argv, bool log)
{
    char *card = NULL;
    gint64 job = 0;
    int limit = 50;
    GOptionEntry e[] = {
        { "card", 0, 0, G_OPTION_ARG_STRING, &card, "one card", "NAME" },
        { log ? "limit" : "job", 0, 0, log ? G_OPTION_ARG_INT : G_OPTION_ARG_INT64,
          log ? (gpointer)&limit : (gpointer)&job, log ? "last N entries" : "one job in detail",
          "N" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    if (parse(&argc, &argv, e, log ? "log" : "status")) {
        return 2;
    }
    RasDb *db = open_db();
    char *j = log ? ras_db_log_json(db, card, limit) : ras_db_jobs_json(db, card, job);
    if (!j) {
        fprintf(stderr, "netcard-ras: %s\n", ras_db_error(db));
        ras_db_close(db);
        return 1;
    }
    printf("%s\n", j);
    g_free(j);
    ras_db_close(db);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    argv[1] = argv[0];
    if (!strcmp(cmd, "serve")) return cmd_serve(argc - 1, argv + 1);
    if (!strcmp(cmd, "card")) return cmd_card(argc - 1, argv + 1);
    if (!strcmp(cmd, "cards")) return cmd_cards(argc - 1, argv + 1);
    if (!strcmp(cmd, "enqueue")) return cmd_enqueue(argc - 1, argv + 1);
    if (!strcmp(cmd, "status")) return cmd_status(argc - 1, argv + 1, false);
    if (!strcmp(cmd, "log")) return cmd_status(argc - 1, argv + 1, true);
    fprintf(stderr, "usage: netcard-ras serve|card|cards|enqueue|status|log [--help]\n");
    return 2;
}
