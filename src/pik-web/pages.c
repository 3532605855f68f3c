/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The grid and the lists: server-rendered HTML that works without
 * JavaScript (html.h escapes what comes from the database). */

#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>

#include "alert.h"
#include "execution.h"
#include "html.h"
#include "job.h"
#include "outcome.h"
#include "status.h"
#include "string-util.h"
#include "time-util.h"

/* ---- the grid ---- */

static void append_hold(StrBuf *b, const char *reason, int64_t until, int64_t now) {
        if (reason) {
                strbuf_append(b, ": ");
                strbuf_append_html(b, reason);
        }
        if (until > 0) {
                strbuf_append(b, ", until ");
                html_time(b, until, now);
        }
}

static int append_grid_row(const PikStatusRow *row, int64_t now, void *userdata) {
        StrBuf *b = userdata;
        char check[PIK_CHECK_LABEL_MAX], age[FORMAT_AGE_MAX];
        const char *state = pik_status_row_state(row);

        strbuf_printf(b, "<tr class=\"state-%s\"><td><a href=\"/partner/", state);
        strbuf_append_html(b, row->partner);
        strbuf_append(b, "\">");
        strbuf_append_html(b, row->partner);
        strbuf_append(b, "</a></td><td>");
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
        } else if (row->held && (row->held_reason || row->held_until > 0)) {
                strbuf_append(b, "<div class=\"hold\">held");
                append_hold(b, row->held_reason, row->held_until, now);
                strbuf_append(b, "</div>");
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
        html_kind_cell(b, row->outcome ? row->kind ?: "unknown" : NULL);
        strbuf_printf(b, "<td>%s</td><td>", row->outcome ? format_age(age, now - row->executed_at) : "-");
        html_ratio(b, row->success_24h, row->results_24h);
        strbuf_append(b, "</td><td>");
        html_ratio(b, row->success_7d, row->results_7d);
        strbuf_append(b, "</td></tr>\n");
        return b->error;
}

static void append_banners(StrBuf *b, const PikHold *hold, bool canary, json_object *incidents, int64_t now) {
        if (hold->held) {
                strbuf_append(b, "<p class=\"banner banner-held\">All checks are held");
                append_hold(b, hold->reason, hold->until, now);
                strbuf_append(b, " (pikctl release to resume).</p>\n");
        }
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
                html_time_string(b, json_object_get_string(since), now);
                strbuf_append(b, " — more likely ours than theirs.</p>\n");
        }
}

static int append_alerts(Web *w, StrBuf *b, int64_t now) {
        static const HtmlColumn cols[] = {
                { "partner", "Partner", HTML_PARTNER_LINK },
                { "config_id", "Config", HTML_TEXT },
                { "config_name", "Check", HTML_TEXT },
                { "browser", "Browser", HTML_TEXT },
                { "outcome", "Outcome", HTML_TEXT },
                { "kind", "Kind", HTML_KIND },
                { "opened_at", "Since", HTML_TIME },
                { "last_success_at", "Last success", HTML_TIME },
                { "last_result_id", "Result", HTML_RESULT_LINK },
        };
        _cleanup_json_ json_object *alerts = NULL;
        size_t n;
        int r;

        r = pik_alert_list(w->db, false, &alerts);
        if (r < 0)
                return r;
        n = json_object_array_length(alerts);
        strbuf_printf(b, "<h2 id=\"alerts\">Open alerts (%zu)</h2>\n", n);
        if (n == 0) {
                strbuf_append(b, "<p class=\"none\">No alert is open.</p>\n");
                return b->error;
        }
        /* An incident has no partner: say so rather than leave it blank. */
        for (size_t i = 0; i < n; i++) {
                json_object *a = json_object_array_get_idx(alerts, i), *p = NULL;

                if (!json_object_object_get_ex(a, "partner", &p) || !p)
                        json_object_object_add(a, "config_name", json_object_new_string("suspected incident"));
        }
        html_table(b, alerts, cols, ELEMENTSOF(cols), now, "");
        return b->error;
}

int page_grid(Web *w, const WebRequest *rq, WebResponse *resp) {
        _cleanup_json_ json_object *incidents = NULL;
        _cleanup_(pik_hold_done) PikHold hold = {};
        StrBuf *b = &resp->body;
        size_t before;
        int r;

        r = pik_job_get_hold(w->db, 0, rq->now, &hold);
        if (r < 0)
                return r;
        r = pik_status_incidents(w->db, w->cfg, rq->now, &incidents);
        if (r < 0)
                return r;

        html_begin(b, "Status");
        append_banners(b, &hold, w->cfg->canary.dns || w->cfg->canary.url, incidents, rq->now);
        r = append_alerts(w, b, rq->now);
        if (r < 0)
                return r;
        strbuf_append(b, "<h2>Checks</h2>\n<table class=\"grid\" id=\"grid\">\n<thead><tr><th>Partner</th><th>Check</th>"
                         "<th>Browser</th><th>State</th><th>Last outcome</th><th>Kind</th><th>Age</th><th>24 h OK</th>"
                         "<th>7 d OK</th></tr></thead>\n<tbody>\n");
        before = b->len;
        /* Rows are written as the database hands them over: a grid of
         * 50,000 checks is never held twice. */
        r = pik_status_foreach(w->db, rq->now, append_grid_row, b);
        if (r < 0)
                return r;
        if (b->len == before)
                strbuf_append(b, "<tr><td colspan=\"9\">No partner is configured yet "
                                 "(pikctl partner add, pikctl config add).</td></tr>\n");
        strbuf_append(b, "</tbody>\n</table>\n");
        return html_end(resp);
}

/* ---- the lists ---- */

int page_outcomes(Web *w, const WebRequest *rq, WebResponse *resp) {
        static const HtmlColumn cols[] = {
                { "name", "Outcome", HTML_TEXT },
                { "kind", "Kind", HTML_KIND },
                { "retried", "Retried", HTML_TEXT },
                { "description", "Meaning", HTML_TEXT },
        };
        _cleanup_json_ json_object *a = NULL;
        int r;

        r = pik_outcome_list(w->db, &a);
        if (r < 0)
                return r;
        html_begin(&resp->body, "Outcomes");
        html_table(&resp->body, a, cols, ELEMENTSOF(cols), rq->now, "The catalog is empty.");
        return html_end(resp);
}

int page_jobs(Web *w, const WebRequest *rq, WebResponse *resp) {
        static const HtmlColumn cols[] = {
                { "config_id", "Config", HTML_TEXT },
                { "partner", "Partner", HTML_PARTNER_LINK },
                { "browser", "Browser", HTML_TEXT },
                { "run_after", "Run after", HTML_TIME },
                { "dispatched", "Dispatched", HTML_TEXT },
                { "held", "Held", HTML_TEXT },
                { "held_until", "Held until", HTML_TIME },
                { "attempt", "Attempt", HTML_TEXT },
        };
        _cleanup_json_ json_object *a = NULL;
        bool overdue = web_query(rq, "overdue");
        int r;

        r = pik_job_list(w->db, overdue ? PIK_JOBS_OVERDUE : PIK_JOBS_ALL, rq->now, &a);
        if (r < 0)
                return r;
        html_begin(&resp->body, overdue ? "Overdue jobs" : "Scheduled jobs");
        if (overdue)
                strbuf_append(&resp->body, "<p>Jobs whose run time has passed and that the dispatcher has not "
                                           "started yet.</p>\n");
        html_table(&resp->body, a, cols, ELEMENTSOF(cols), rq->now,
                   overdue ? "No job is overdue." : "No job is scheduled.");
        return html_end(resp);
}

#define EXECUTIONS_PAGE_LIMIT 100

int page_executions(Web *w, const WebRequest *rq, WebResponse *resp) {
        static const HtmlColumn cols[] = {
                { "id", "Execution", HTML_TEXT },
                { "partner", "Partner", HTML_PARTNER_LINK },
                { "config_id", "Config", HTML_TEXT },
                { "browser", "Browser", HTML_TEXT },
                { "state", "State", HTML_TEXT },
                { "progress", "Progress", HTML_TEXT },
                { "attempt", "Attempt", HTML_TEXT },
                { "created_at", "Created", HTML_TIME },
                { "started_at", "Started", HTML_TIME },
                { "finished_at", "Finished", HTML_TIME },
                { "outcome", "Outcome", HTML_TEXT },
                { "kind", "Kind", HTML_KIND },
        };
        _cleanup_json_ json_object *a = NULL, *running = NULL, *done = NULL;
        int r;

        r = pik_execution_list(w->db, NULL, EXECUTIONS_PAGE_LIMIT, &a);
        if (r < 0)
                return r;
        running = json_object_new_array();
        done = json_object_new_array();
        if (!running || !done)
                return -ENOMEM;
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *e = json_object_array_get_idx(a, i), *state = NULL;
                const char *s = json_object_object_get_ex(e, "state", &state) ? json_object_get_string(state) : NULL;

                if (json_object_array_add(streq_ptr(s, "dispatched") || streq_ptr(s, "started") ? running : done,
                                          json_object_get(e)) < 0)
                        return -ENOMEM;
        }

        html_begin(&resp->body, "Executions");
        /* pik.js refreshes the running ones from /api/v1/executions. */
        strbuf_printf(&resp->body, "<h2>Running (%zu)</h2>\n<div id=\"running\" data-poll=\"/api/v1/executions\">\n",
                      json_object_array_length(running));
        html_table(&resp->body, running, cols, ELEMENTSOF(cols), rq->now, "Nothing is running.");
        strbuf_printf(&resp->body, "</div>\n<h2>Recent</h2>\n");
        html_table(&resp->body, done, cols, ELEMENTSOF(cols), rq->now, "No execution yet.");
        return html_end(resp);
}

int page_not_found(Web *w, const WebRequest *rq, WebResponse *resp) {
        resp->status = MHD_HTTP_NOT_FOUND;
        html_begin(&resp->body, "Not found");
        strbuf_append(&resp->body, "<p>Nothing here: ");
        strbuf_append_html(&resp->body, rq->path);
        strbuf_append(&resp->body, "</p>\n");
        return html_end(resp);
}
