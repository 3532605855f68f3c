/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The pages: server-rendered HTML that works without JavaScript. Every
 * string that comes from the database goes through strbuf_append_html():
 * partner codes, configuration names, outcome details and step names are
 * what partners' pages and operators typed, and may hold markup. */

#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>

#include "job.h"
#include "outcome.h"
#include "result.h"
#include "status.h"
#include "string-util.h"
#include "time-util.h"
#include "web.h"

static void page_begin(StrBuf *b, const char *title) {
        strbuf_append(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                         "<link rel=\"stylesheet\" href=\"/pik.css\">\n<title>");
        strbuf_append_html(b, title);
        strbuf_append(b, " — pik</title>\n</head>\n<body>\n<nav><a href=\"/\">Status</a> "
                         "<a href=\"/jobs?overdue\">Overdue jobs</a> <a href=\"/jobs\">Scheduled jobs</a> "
                         "<a href=\"/outcomes\">Outcomes</a> <a href=\"/metrics\">Metrics</a></nav>\n<h1>");
        strbuf_append_html(b, title);
        strbuf_append(b, "</h1>\n");
}

static int page_end(WebResponse *resp) {
        strbuf_append(&resp->body, "</body>\n</html>\n");
        resp->content_type = "text/html; charset=utf-8";
        return resp->body.error;
}

/* A kind as a cell: a colour class and the word, so that the colour is
 * never the only sign (colour-blind readers, printouts). */
static void append_kind(StrBuf *b, const char *kind) {
        const char *k = kind ?: "none";

        if (!streq(k, "success") && !streq(k, "partner") && !streq(k, "infrastructure") &&
            !streq(k, "configuration"))
                k = "unknown";
        strbuf_printf(b, "<td class=\"kind kind-%s\">", k);
        strbuf_append_html(b, kind ?: "-");
        strbuf_append(b, "</td>");
}

/* ---- the grid ---- */

static int append_grid_row(const PikStatusRow *row, int64_t now, void *userdata) {
        StrBuf *b = userdata;
        char check[PIK_CHECK_LABEL_MAX], age[FORMAT_AGE_MAX];
        const char *state = pik_status_row_state(row);

        strbuf_printf(b, "<tr class=\"state-%s\"><td>", state);
        strbuf_append_html(b, row->partner);
        strbuf_append(b, "</td><td>");
        strbuf_append_html(b, pik_status_check_label(check, row->config_id, row->name));
        strbuf_append(b, "</td><td>");
        strbuf_append_html(b, row->browser);
        strbuf_append(b, "</td><td>");
        strbuf_append_html(b, state);
        if (!row->enabled && row->disabled_by) {
                strbuf_append(b, " (");
                strbuf_append_html(b, row->disabled_by);
                if (row->disabled_reason) {
                        strbuf_append(b, ": ");
                        strbuf_append_html(b, row->disabled_reason);
                }
                strbuf_append(b, ")");
        }
        strbuf_append(b, "</td><td>");
        if (row->outcome) {
                strbuf_printf(b, "<a href=\"/result/%lld\">", (long long) row->result_id);
                strbuf_append_html(b, row->outcome);
                strbuf_append(b, "</a>");
                if (row->details) {
                        strbuf_append(b, "<div class=\"details\">");
                        strbuf_append_html(b, row->details);
                        strbuf_append(b, "</div>");
                }
        } else
                strbuf_append(b, "-");
        if (row->unconfirmed) {
                strbuf_append(b, "<div class=\"unconfirmed\">");
                strbuf_append_html(b, row->unconfirmed);
                strbuf_append(b, " (unconfirmed, re-check ");
                if (row->recheck_at > now)
                        strbuf_printf(b, "in %s)", format_age(age, row->recheck_at - now));
                else
                        strbuf_append(b, "due)");
                strbuf_append(b, "</div>");
        }
        strbuf_append(b, "</td>");
        append_kind(b, row->outcome ? row->kind ?: "unknown" : NULL);
        strbuf_printf(b, "<td>%s</td>", row->outcome ? format_age(age, now - row->executed_at) : "-");
        if (row->results_24h > 0)
                strbuf_printf(b, "<td>%.1f%% of %lld</td>", 100.0 * (double) row->success_24h / (double) row->results_24h,
                              (long long) row->results_24h);
        else
                strbuf_append(b, "<td>-</td>");
        strbuf_append(b, "</tr>\n");
        return b->error;
}

static void append_banners(StrBuf *b, bool held, bool canary, json_object *incidents) {
        if (held)
                strbuf_append(b, "<p class=\"banner banner-held\">All checks are held (pikctl release to resume).</p>\n");
        /* Without the control probe a failure of our resolver or egress
         * looks like the partner's: say so where the verdicts are read. */
        if (!canary)
                strbuf_append(b, "<p class=\"banner banner-note\">No canary is configured: network failures are "
                                 "judged on the partners' answers alone (see canary in pik.conf(5)).</p>\n");
        for (size_t i = 0; incidents && i < json_object_array_length(incidents); i++) {
                json_object *inc = json_object_array_get_idx(incidents, i), *br, *o, *n, *since;

                if (!json_object_object_get_ex(inc, "browser", &br) || !json_object_object_get_ex(inc, "outcome", &o) ||
                    !json_object_object_get_ex(inc, "partners", &n) || !json_object_object_get_ex(inc, "since_at", &since))
                        continue;
                strbuf_printf(b, "<p class=\"banner banner-incident\"><strong>Suspected infrastructure incident:</strong> "
                                 "%d partners with ", json_object_get_int(n));
                strbuf_append_html(b, json_object_get_string(o));
                strbuf_append(b, " in ");
                strbuf_append_html(b, json_object_get_string(br));
                strbuf_append(b, " since ");
                strbuf_append_html(b, json_object_get_string(since));
                strbuf_append(b, " — more likely ours than theirs.</p>\n");
        }
}

int page_grid(Web *w, const WebRequest *rq, WebResponse *resp) {
        _cleanup_json_ json_object *incidents = NULL;
        StrBuf *b = &resp->body;
        size_t before;
        bool held;
        int r;

        r = pik_job_get_global_hold(w->db, rq->now, &held);
        if (r < 0)
                return r;
        r = pik_status_incidents(w->db, w->cfg, rq->now, &incidents);
        if (r < 0)
                return r;

        page_begin(b, "Status");
        append_banners(b, held, w->cfg->canary.dns || w->cfg->canary.url, incidents);
        strbuf_append(b, "<table class=\"grid\">\n<thead><tr><th>Partner</th><th>Check</th><th>Browser</th>"
                         "<th>State</th><th>Last outcome</th><th>Kind</th><th>Age</th><th>24 h OK</th></tr></thead>\n"
                         "<tbody>\n");
        before = b->len;
        /* Rows are written as the database hands them over: a grid of
         * 50,000 checks is never held twice. */
        r = pik_status_foreach(w->db, rq->now, append_grid_row, b);
        if (r < 0)
                return r;
        if (b->len == before)
                strbuf_append(b, "<tr><td colspan=\"8\">No partner is configured yet "
                                 "(pikctl partner add, pikctl config add).</td></tr>\n");
        strbuf_append(b, "</tbody>\n</table>\n");
        return page_end(resp);
}

/* ---- tables from the library's JSON listings ---- */

typedef struct Column {
        const char *key;
        const char *header;
} Column;

static void append_value(StrBuf *b, json_object *v) {
        if (!v)
                strbuf_append(b, "-");
        else if (json_object_is_type(v, json_type_boolean))
                strbuf_append(b, json_object_get_boolean(v) ? "yes" : "no");
        else
                strbuf_append_html(b, json_object_get_string(v));
}

static void append_table(StrBuf *b, json_object *rows, const Column *cols, size_t n_cols, const char *kind_key,
                         const char *empty) {
        size_t n = json_object_array_length(rows);

        strbuf_append(b, "<table>\n<thead><tr>");
        for (size_t c = 0; c < n_cols; c++) {
                strbuf_append(b, "<th>");
                strbuf_append_html(b, cols[c].header);
                strbuf_append(b, "</th>");
        }
        strbuf_append(b, "</tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < n; i++) {
                json_object *row = json_object_array_get_idx(rows, i);

                strbuf_append(b, "<tr>");
                for (size_t c = 0; c < n_cols; c++) {
                        json_object *v = NULL;

                        json_object_object_get_ex(row, cols[c].key, &v);
                        if (kind_key && streq(cols[c].key, kind_key)) {
                                append_kind(b, v ? json_object_get_string(v) : NULL);
                                continue;
                        }
                        strbuf_append(b, "<td>");
                        append_value(b, v);
                        strbuf_append(b, "</td>");
                }
                strbuf_append(b, "</tr>\n");
        }
        if (n == 0) {
                strbuf_printf(b, "<tr><td colspan=\"%zu\">", n_cols);
                strbuf_append_html(b, empty);
                strbuf_append(b, "</td></tr>\n");
        }
        strbuf_append(b, "</tbody>\n</table>\n");
}

int page_outcomes(Web *w, const WebRequest *rq, WebResponse *resp) {
        static const Column cols[] = {
                { "name", "Outcome" },
                { "kind", "Kind" },
                { "retried", "Retried" },
                { "description", "Meaning" },
        };
        _cleanup_json_ json_object *a = NULL;
        int r;

        r = pik_outcome_list(w->db, &a);
        if (r < 0)
                return r;
        page_begin(&resp->body, "Outcomes");
        append_table(&resp->body, a, cols, ELEMENTSOF(cols), "kind", "The catalog is empty.");
        return page_end(resp);
}

int page_jobs(Web *w, const WebRequest *rq, WebResponse *resp) {
        static const Column cols[] = {
                { "config_id", "Config" },
                { "partner", "Partner" },
                { "browser", "Browser" },
                { "run_after", "Run after" },
                { "dispatched", "Dispatched" },
                { "held", "Held" },
                { "attempt", "Attempt" },
        };
        _cleanup_json_ json_object *a = NULL;
        bool overdue = web_query(rq, "overdue");
        int r;

        r = pik_job_list(w->db, overdue ? PIK_JOBS_OVERDUE : PIK_JOBS_ALL, rq->now, &a);
        if (r < 0)
                return r;
        page_begin(&resp->body, overdue ? "Overdue jobs" : "Scheduled jobs");
        if (overdue)
                strbuf_append(&resp->body, "<p>Jobs whose run time has passed and that the dispatcher has not "
                                           "started yet.</p>\n");
        append_table(&resp->body, a, cols, ELEMENTSOF(cols), NULL, overdue ? "No job is overdue." : "No job is scheduled.");
        return page_end(resp);
}

int page_result(Web *w, const WebRequest *rq, WebResponse *resp) {
        static const Column fields[] = {
                { "partner", "Partner" },
                { "config_id", "Configuration" },
                { "config_name", "Check" },
                { "browser", "Browser" },
                { "executed_at", "Executed at" },
                { "duration_ms", "Duration (ms)" },
                { "outcome", "Outcome" },
                { "kind", "Kind" },
                { "description", "Meaning" },
                { "unconfirmed", "Unconfirmed" },
                { "attempt", "Attempt" },
                { "execution_id", "Execution" },
                { "details", "Details" },
        };
        static const Column steps_cols[] = {
                { "position", "#" },
                { "name", "Step" },
                { "http_status", "HTTP" },
                { "requests", "Requests" },
                { "dns_ms", "DNS ms" },
                { "connect_ms", "Connect ms" },
                { "tls_ms", "TLS ms" },
                { "ttfb_ms", "First byte ms" },
                { "total_ms", "Total ms" },
        };
        _cleanup_json_ json_object *o = NULL;
        json_object *steps = NULL;
        StrBuf *b = &resp->body;
        char title[64];
        int64_t id;
        int r;

        if (web_parse_id(rq->rest, &id) < 0)
                return page_not_found(w, rq, resp);
        r = pik_result_show(w->db, id, &o);
        if (r == -ENOENT) {
                pik_db_clear_error(w->db);
                return page_not_found(w, rq, resp);
        }
        if (r < 0)
                return r;

        snprintf(title, sizeof title, "Result %lld", (long long) id);
        page_begin(b, title);
        strbuf_append(b, "<table class=\"fields\">\n<tbody>\n");
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                json_object *v = NULL;

                json_object_object_get_ex(o, fields[i].key, &v);
                strbuf_append(b, "<tr><th>");
                strbuf_append_html(b, fields[i].header);
                strbuf_append(b, "</th>");
                if (streq(fields[i].key, "kind"))
                        append_kind(b, v ? json_object_get_string(v) : NULL);
                else {
                        strbuf_append(b, "<td>");
                        append_value(b, v);
                        strbuf_append(b, "</td>");
                }
                strbuf_append(b, "</tr>\n");
        }
        strbuf_append(b, "</tbody>\n</table>\n<h2>Steps</h2>\n");
        if (json_object_object_get_ex(o, "steps", &steps) && json_object_is_type(steps, json_type_array))
                append_table(b, steps, steps_cols, ELEMENTSOF(steps_cols), NULL, "No steps were recorded.");
        else
                strbuf_append(b, "<p>No steps were recorded.</p>\n");
        return page_end(resp);
}

int page_not_found(Web *w, const WebRequest *rq, WebResponse *resp) {
        resp->status = MHD_HTTP_NOT_FOUND;
        page_begin(&resp->body, "Not found");
        strbuf_append(&resp->body, "<p>Nothing here: ");
        strbuf_append_html(&resp->body, rq->path);
        strbuf_append(&resp->body, "</p>\n");
        return page_end(resp);
}
