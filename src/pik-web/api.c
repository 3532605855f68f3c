/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* /api/v1/: the documents pikctl --json prints, from the same library
 * calls, so that a script can read either. */

#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>

#include "alert.h"
#include "execution.h"
#include "job.h"
#include "notification.h"
#include "outcome.h"
#include "result.h"
#include "status.h"
#include "string-util.h"
#include "time-util.h"
#include "web.h"

/* As pikctl's --limit: at most this many rows unless asked. */
#define API_LIMIT_DEFAULT 100
#define API_LIMIT_MAX 100000

/* r and *o from one library call; o is read only after the call (as an
 * argument next to the call it would be read before it). */
static int reply(WebResponse *resp, int r, json_object *const *o) {
        if (r < 0)
                return r;
        return web_json(resp, MHD_HTTP_OK, *o);
}

/* A filter argument: "?partner=" filters nothing, as if it were absent
 * (a form left empty), rather than for an empty partner code. */
static const char *filter(const WebRequest *rq, const char *key) {
        const char *v = web_query(rq, key);

        return v && *v ? v : NULL;
}

static int parse_limit(const WebRequest *rq, WebResponse *resp, size_t *ret) {
        const char *s = web_query(rq, "limit");
        int64_t v;

        if (!s) {
                *ret = API_LIMIT_DEFAULT;
                return 0;
        }
        if (web_parse_id(s, &v) < 0 || v > API_LIMIT_MAX) {
                (void) web_json_error(resp, MHD_HTTP_BAD_REQUEST,
                                      "Invalid limit '%s': expected a number from 1 to %d.", SNIPPET(s), API_LIMIT_MAX);
                return -EINVAL;
        }
        *ret = (size_t) v;
        return 0;
}

int api_status(Web *w, const WebRequest *rq, WebResponse *resp) {
        _cleanup_json_ json_object *o = NULL;

        return reply(resp, pik_status(w->db, w->cfg, rq->now, &o), &o);
}

int api_results(Web *w, const WebRequest *rq, WebResponse *resp) {
        _cleanup_json_ json_object *a = NULL;
        const char *since = web_query(rq, "since");
        PikResultFilter f = {
                .partner = filter(rq, "partner"),
                .browser = filter(rq, "browser"),
                .kind = filter(rq, "kind"),
        };

        if (parse_limit(rq, resp, &f.limit) < 0)
                return 0;
        if (since && parse_timestamp(since, &f.since) < 0)
                return web_json_error(resp, MHD_HTTP_BAD_REQUEST,
                                      "Invalid since '%s': expected an ISO 8601 time such as 2026-11-24T08:00:00Z.",
                                      SNIPPET(since));
        return reply(resp, pik_result_list(w->db, &f, &a), &a);
}

int api_result(Web *w, const WebRequest *rq, WebResponse *resp) {
        _cleanup_json_ json_object *o = NULL;
        int64_t id;
        int r;

        if (web_parse_id(rq->rest, &id) < 0)
                return web_json_error(resp, MHD_HTTP_NOT_FOUND, "No result '%s': ids are positive numbers.",
                                      SNIPPET(rq->rest));
        r = pik_result_show(w->db, id, &o);
        if (r == -ENOENT) {
                pik_db_clear_error(w->db);
                return web_json_error(resp, MHD_HTTP_NOT_FOUND, "No result %lld.", (long long) id);
        }
        return reply(resp, r, &o);
}

int api_jobs(Web *w, const WebRequest *rq, WebResponse *resp) {
        _cleanup_json_ json_object *a = NULL;
        bool overdue = web_query(rq, "overdue"), upcoming = web_query(rq, "upcoming");

        if (overdue && upcoming)
                return web_json_error(resp, MHD_HTTP_BAD_REQUEST, "overdue and upcoming exclude each other.");
        return reply(resp, pik_job_list(w->db, overdue ? PIK_JOBS_OVERDUE : upcoming ? PIK_JOBS_UPCOMING : PIK_JOBS_ALL,
                                        rq->now, &a), &a);
}

int api_executions(Web *w, const WebRequest *rq, WebResponse *resp) {
        _cleanup_json_ json_object *a = NULL;
        size_t limit;

        if (parse_limit(rq, resp, &limit) < 0)
                return 0;
        return reply(resp, pik_execution_list(w->db, filter(rq, "partner"), limit, &a), &a);
}

int api_execution(Web *w, const WebRequest *rq, WebResponse *resp) {
        _cleanup_json_ json_object *o = NULL;
        int64_t id;
        int r;

        if (web_parse_id(rq->rest, &id) < 0)
                return web_json_error(resp, MHD_HTTP_NOT_FOUND, "No execution '%s': ids are positive numbers.",
                                      SNIPPET(rq->rest));
        r = pik_execution_show(w->db, id, &o);
        if (r == -ENOENT) {
                pik_db_clear_error(w->db);
                return web_json_error(resp, MHD_HTTP_NOT_FOUND, "No execution %lld.", (long long) id);
        }
        return reply(resp, r, &o);
}

int api_alerts(Web *w, const WebRequest *rq, WebResponse *resp) {
        _cleanup_json_ json_object *a = NULL;

        /* "?all" as pikctl alerts --all: the closed ones too. */
        return reply(resp, pik_alert_list(w->db, web_query(rq, "all"), &a), &a);
}

int api_notifications(Web *w, const WebRequest *rq, WebResponse *resp) {
        _cleanup_json_ json_object *a = NULL;

        return reply(resp, pik_notification_list(w->db, &a), &a);
}

int api_outcomes(Web *w, const WebRequest *rq, WebResponse *resp) {
        _cleanup_json_ json_object *a = NULL;

        return reply(resp, pik_outcome_list(w->db, &a), &a);
}

int api_not_found(Web *w, const WebRequest *rq, WebResponse *resp) {
        return web_json_error(resp, MHD_HTTP_NOT_FOUND, "No such API path '%s' (see pik-web(8)).", SNIPPET(rq->path));
}
