/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"
#include "server.h"
#include "string-util.h"
#include "time-util.h"

/* Sent with every response, errors included: nothing on a page may load
 * from elsewhere or run inline (partner names and details are hostile),
 * and no browser second-guesses a content type. */
static const struct {
        const char *name, *value;
} security_headers[] = {
        { "Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                     "frame-ancestors 'none'; base-uri 'none'; form-action 'none'" },
        { "X-Content-Type-Options", "nosniff" },
        { "Referrer-Policy", "no-referrer" },
        { "Cache-Control", "no-store" },
};

/* The routes: an exact path, or a prefix whose rest is the handler's (an
 * id). */
static const struct {
        const char *path;
        bool prefix;
        WebHandler handler;
} routes[] = {
        { "/", false, page_grid },
        { "/result/", true, page_result },
        { "/partner/", true, page_partner },
        { "/outcomes", false, page_outcomes },
        { "/jobs", false, page_jobs },
        { "/executions", false, page_executions },
        { "/pik.css", false, page_style },
        { "/pik.js", false, page_script },
        { "/metrics", false, metrics_render },
        { "/api/v1/status", false, api_status },
        { "/api/v1/results", false, api_results },
        { "/api/v1/result/", true, api_result },
        { "/api/v1/jobs", false, api_jobs },
        { "/api/v1/executions", false, api_executions },
        { "/api/v1/execution/", true, api_execution },
        { "/api/v1/alerts", false, api_alerts },
        { "/api/v1/notifications", false, api_notifications },
        { "/api/v1/outcomes", false, api_outcomes },
        { "/api/", true, api_not_found },
};

typedef struct Server {
        Web *web;
        unsigned connections;
        uint64_t last_activity;    /* CLOCK_MONOTONIC, µs */
} Server;

static uint64_t now_monotonic(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

typedef struct QueryLookup {
        const char *key;
        const char *value;
        bool found;
} QueryLookup;

static enum MHD_Result query_iterate(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
        QueryLookup *q = cls;

        if (!streq(key, q->key))
                return MHD_YES;
        q->value = value ?: "";
        q->found = true;
        return MHD_NO;
}

const char *web_query(const WebRequest *rq, const char *key) {
        QueryLookup q = { .key = key };

        MHD_get_connection_values(rq->connection, MHD_GET_ARGUMENT_KIND, query_iterate, &q);
        return q.found ? q.value : NULL;
}

int web_parse_id(const char *s, int64_t *ret) {
        int64_t v = 0;

        if (!s || *s < '1' || *s > '9')
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9' || v > (INT64_MAX - (*s - '0')) / 10)
                        return -EINVAL;
                v = v * 10 + (*s - '0');
        }
        *ret = v;
        return 0;
}

int web_json(WebResponse *resp, unsigned status, json_object *o) {
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);

        if (!s)
                return -ENOMEM;
        resp->status = status;
        resp->content_type = "application/json";
        strbuf_append(&resp->body, s);
        strbuf_append(&resp->body, "\n");
        return resp->body.error;
}

int web_json_error(WebResponse *resp, unsigned status, const char *format, ...) {
        _cleanup_json_ json_object *o = json_object_new_object();
        _cleanup_free_ char *m = NULL;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&m, format, ap);
        va_end(ap);
        if (r < 0 || !o)
                return -ENOMEM;
        if (json_object_object_add(o, "error", json_object_new_string(m)) < 0 ||
            json_object_object_add(o, "status", json_object_new_int((int) status)) < 0)
                return -ENOMEM;
        return web_json(resp, status, o);
}

static enum MHD_Result queue(struct MHD_Connection *c, WebResponse *resp, const char *allow) {
        struct MHD_Response *r;
        enum MHD_Result ret;
        size_t len = 0;
        char *body;

        body = strbuf_steal(&resp->body, &len);
        if (!body)
                return MHD_NO;   /* closes the connection */
        r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
        if (!r) {
                free(body);
                return MHD_NO;
        }
        for (size_t i = 0; i < ELEMENTSOF(security_headers); i++)
                MHD_add_response_header(r, security_headers[i].name, security_headers[i].value);
        if (resp->content_type)
                MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
        if (allow)
                MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
        ret = MHD_queue_response(c, resp->status, r);
        MHD_destroy_response(r);
        return ret;
}

static WebHandler route(const char *path, const char **ret_rest) {
        for (size_t i = 0; i < ELEMENTSOF(routes); i++) {
                if (routes[i].prefix ? startswith(path, routes[i].path) : streq(path, routes[i].path)) {
                        *ret_rest = path + (routes[i].prefix ? strlen(routes[i].path) : strlen(path));
                        return routes[i].handler;
                }
        }
        *ret_rest = path;
        return page_not_found;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size,
                              void **con_cls) {
        Server *s = cls;
        WebResponse resp = { .status = MHD_HTTP_OK };
        WebRequest rq = { .connection = connection, .path = url, .now = now_utc() };
        WebHandler h;
        int r;

        s->last_activity = now_monotonic();

        /* Read-only: nothing to post, so no body is read either. MHD
         * answers HEAD like GET without the body. */
        if (!streq(method, MHD_HTTP_METHOD_GET) && !streq(method, MHD_HTTP_METHOD_HEAD)) {
                r = web_json_error(&resp, MHD_HTTP_METHOD_NOT_ALLOWED,
                                   "Method not allowed: pik-web is read-only and answers GET and HEAD only.");
                if (r < 0)
                        return MHD_NO;
                return queue(connection, &resp, "GET, HEAD");
        }

        h = route(url, &rq.rest);
        if (h != page_style && h != page_script && !s->web->db) {
                _cleanup_free_ char *error = NULL;

                r = pik_db_open(s->web->db_path, PIK_DB_READONLY, &s->web->db, &error);
                if (r < 0) {
                        log_warning_errno(r, "%s", error ?: "Failed to open the database.");
                        r = web_json_error(&resp, MHD_HTTP_SERVICE_UNAVAILABLE,
                                           r == -ENOENT ? "There is no database yet: the first change (pikctl "
                                                          "partner add) creates it."
                                                        : "The database cannot be read; the journal of "
                                                          "pik-web.service says why.");
                        if (r < 0)
                                return MHD_NO;
                        return queue(connection, &resp, NULL);
                }
        }
        r = h(s->web, &rq, &resp);
        if (r < 0) {
                log_error_errno(r, "Failed to answer %s: %s", SNIPPET(url),
                                s->web->db && pik_db_has_error(s->web->db) ? pik_db_error(s->web->db) : strerror(-r));
                if (s->web->db)
                        pik_db_clear_error(s->web->db);
                strbuf_done(&resp.body);
                resp = (WebResponse) {};
                r = web_json_error(&resp, MHD_HTTP_INTERNAL_SERVER_ERROR,
                                   "Internal error; the journal of pik-web.service says more.");
                if (r < 0)
                        return MHD_NO;
        }
        return queue(connection, &resp, NULL);
}

static void notify_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                              enum MHD_ConnectionNotificationCode toe) {
        Server *s = cls;

        if (toe == MHD_CONNECTION_NOTIFY_STARTED)
                s->connections++;
        else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && s->connections > 0)
                s->connections--;
        s->last_activity = now_monotonic();
}

int server_run(Web *w, int fd, uint64_t idle_sec) {
        Server s = { .web = w, .last_activity = now_monotonic() };
        struct MHD_Daemon *d;

        /* One thread, driven by MHD_run_wait() below: requests are short
         * reads of one SQLite connection, and the idle exit is a plain
         * comparison between two waits. */
        d = MHD_start_daemon(MHD_USE_AUTO, 0, NULL, NULL, handle, &s,
                             MHD_OPTION_LISTEN_SOCKET, (MHD_socket) fd,
                             MHD_OPTION_NOTIFY_CONNECTION, notify_connection, &s,
                             /* A client that sends nothing is dropped. */
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) 30,
                             MHD_OPTION_CONNECTION_LIMIT, (unsigned) 64,
                             MHD_OPTION_END);
        if (!d)
                return log_error_errno(-EIO, "Failed to start the HTTP server on socket %d.", fd);

        for (;;) {
                uint64_t now = now_monotonic(), idle_usec = idle_sec * USEC_PER_SEC, wait;

                if (idle_sec > 0 && s.connections == 0 && now - s.last_activity >= idle_usec) {
                        log_debug("No request for %llu s, exiting.", (unsigned long long) idle_sec);
                        break;
                }
                if (idle_sec == 0 || s.connections > 0)
                        wait = idle_usec > 0 ? idle_usec : 60 * USEC_PER_SEC;
                else
                        wait = idle_usec - (now - s.last_activity);
                /* Round up: waking a millisecond early would spin once more. */
                if (MHD_run_wait(d, (int32_t) MIN((wait + 999) / 1000, (uint64_t) INT32_MAX)) != MHD_YES) {
                        MHD_stop_daemon(d);
                        return log_error_errno(-EIO, "The HTTP server failed.");
                }
        }

        /* The listening socket is systemd's (or was ours): closing it here
         * is fine, systemd keeps its own copy. */
        MHD_stop_daemon(d);
        return 0;
}

int server_listen(const char *address, int *ret_fd) {
        _cleanup_free_ char *host = NULL;
        _cleanup_close_ int fd = -1;
        struct addrinfo hints = {
                .ai_family = AF_UNSPEC,
                .ai_socktype = SOCK_STREAM,
                .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
        }, *ai = NULL;
        const char *colon, *port;
        int one = 1, r;

        colon = strrchr(address, ':');
        if (!colon || colon == address || !colon[1])
                return -EINVAL;
        port = colon + 1;
        if (address[0] == '[') {
                if (colon[-1] != ']')
                        return -EINVAL;
                host = strndup(address + 1, (size_t) (colon - address) - 2);
        } else
                host = strndup(address, (size_t) (colon - address));
        if (!host)
                return -ENOMEM;
        if (strlen(port) > 5 || strspn(port, "0123456789") != strlen(port) || strtoul(port, NULL, 10) > 65535)
                return -EINVAL;

        if (getaddrinfo(host, port, &hints, &ai) != 0)
                return -EINVAL;
        fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                r = -errno;
                freeaddrinfo(ai);
                return r;
        }
        (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        r = bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ? -errno : 0;
        freeaddrinfo(ai);
        if (r < 0)
                return r;
        if (listen(fd, SOMAXCONN) < 0)
                return -errno;

        *ret_fd = TAKE_FD(fd);
        return 0;
}
