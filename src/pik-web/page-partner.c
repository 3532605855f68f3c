/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A partner: its checks, each with a strip of the last 30 (or 90) days,
 * one cell a day, and its durations over them; then its recent results. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "partner.h"
#include "result-days.h"
#include "result.h"
#include "status.h"
#include "string-util.h"
#include "svg.h"
#include "time-util.h"

#define DAYS_DEFAULT 30
#define DAYS_LONG 90
/* Results drawn in the duration charts; a 5-minute check has 8,640 in 30
 * days, 25,920 in 90. */
#define CHART_RESULTS_MAX 30000
#define RECENT_RESULTS 50

typedef struct Day {
        int64_t config_id;
        char *browser;
        SvgDay d;
} Day;

typedef struct PartnerPage {
        StrBuf *b;
        const char *partner;
        unsigned days;
        int64_t first_day;
        Day *day;
        size_t n_day, alloc_day;
        json_object *results;      /* newest first */
        unsigned checks;
} PartnerPage;

static void partner_page_done(PartnerPage *p) {
        for (size_t i = 0; i < p->n_day; i++)
                free(p->day[i].browser);
        free(p->day);
}

static int collect_day(const PikResultDay *d, void *userdata) {
        PartnerPage *p = userdata;
        char *browser;

        if (p->n_day == p->alloc_day) {
                size_t alloc = MAX(p->alloc_day * 2, (size_t) 64);
                Day *n = reallocarray(p->day, alloc, sizeof *n);

                if (!n)
                        return -ENOMEM;
                p->day = n;
                p->alloc_day = alloc;
        }
        browser = strdup(d->browser ?: "");
        if (!browser)
                return -ENOMEM;
        p->day[p->n_day++] = (Day) {
                .config_id = d->config_id,
                .browser = browser,
                .d = { .day = d->day, .results = d->results, .successes = d->successes,
                       .worst_kind = d->worst_kind },
        };
        return 0;
}

static const char *json_str(json_object *o, const char *key) {
        json_object *v = NULL;

        return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

static bool same_check(json_object *r, int64_t config_id, const char *browser) {
        json_object *v = NULL;

        return json_object_object_get_ex(r, "config_id", &v) && v && json_object_get_int64(v) == config_id &&
               streq_ptr(json_str(r, "browser"), browser);
}

static int append_check(const PikStatusRow *row, int64_t now, void *userdata) {
        PartnerPage *p = userdata;
        StrBuf *b = p->b;
        char check[PIK_CHECK_LABEL_MAX];
        _cleanup_free_ SvgDay *days = NULL;
        _cleanup_free_ SvgPoint *points = NULL;
        size_t n_points = 0, n_results = json_object_array_length(p->results);

        if (!streq(row->partner, p->partner))
                return 0;
        p->checks++;

        strbuf_append(b, "<section class=\"check\">\n<h3>");
        strbuf_append_html(b, pik_status_check_label(check, row->config_id, row->name));
        strbuf_append(b, " in ");
        strbuf_append_html(b, row->browser);
        strbuf_append(b, "</h3>\n<table class=\"fields\"><tbody><tr><th>State</th><td>");
        strbuf_append_html(b, pik_status_row_state(row));
        strbuf_append(b, "</td></tr><tr><th>Last outcome</th><td>");
        if (row->outcome) {
                strbuf_printf(b, "<a href=\"/result/%lld\">", (long long) row->result_id);
                strbuf_append_html(b, row->outcome);
                strbuf_append(b, "</a> ");
                html_time(b, row->executed_at, now);
        } else
                strbuf_append(b, "-");
        strbuf_append(b, "</td></tr><tr><th>Kind</th>");
        html_kind_cell(b, row->outcome ? row->kind ?: "unknown" : NULL);
        strbuf_append(b, "</tr><tr><th>24 h OK</th><td>");
        html_ratio(b, row->success_24h, row->results_24h);
        strbuf_append(b, "</td></tr><tr><th>7 d OK</th><td>");
        html_ratio(b, row->success_7d, row->results_7d);
        strbuf_append(b, "</td></tr></tbody></table>\n");

        days = calloc(p->days, sizeof *days);
        if (!days)
                return -ENOMEM;
        for (unsigned i = 0; i < p->days; i++)
                days[i] = (SvgDay) { .day = p->first_day + (int64_t) i * 86400, .results = -1 };
        for (size_t i = 0; i < p->n_day; i++) {
                int64_t k;

                if (p->day[i].config_id != row->config_id || !streq(p->day[i].browser, row->browser))
                        continue;
                k = (p->day[i].d.day - p->first_day) / 86400;
                if (k >= 0 && k < (int64_t) p->days)
                        days[k] = p->day[i].d;
        }
        strbuf_printf(b, "<p>Last %u days (one cell a day, UTC; green: all OK, red: partner failures, amber: "
                         "infrastructure, blue: configuration, grey: no result):</p>\n", p->days);
        svg_day_strip(b, days, p->days);

        points = calloc(MAX(n_results, (size_t) 1), sizeof *points);
        if (!points)
                return -ENOMEM;
        /* Oldest first, for the line. */
        for (size_t i = n_results; i > 0; i--) {
                json_object *r = json_object_array_get_idx(p->results, i - 1), *d = NULL;
                int64_t t;

                if (!same_check(r, row->config_id, row->browser) ||
                    parse_timestamp(json_str(r, "executed_at") ?: "", &t) < 0 ||
                    !json_object_object_get_ex(r, "duration_ms", &d) || !d)
                        continue;
                points[n_points++] = (SvgPoint) {
                        .t = t,
                        .ms = json_object_get_int64(d),
                        .success = streq_ptr(json_str(r, "outcome"), "success"),
                };
        }
        if (n_points > 0) {
                strbuf_append(b, "<p>Durations (failures as red dots):</p>\n");
                svg_duration_chart(b, points, n_points, p->first_day, now);
        }
        strbuf_append(b, "</section>\n");
        return b->error;
}

int page_partner(Web *w, const WebRequest *rq, WebResponse *resp) {
        static const HtmlColumn result_cols[] = {
                { "id", "Result", HTML_RESULT_LINK },
                { "config_id", "Config", HTML_TEXT },
                { "config_name", "Check", HTML_TEXT },
                { "browser", "Browser", HTML_TEXT },
                { "executed_at", "Executed at", HTML_TIME },
                { "duration_ms", "Duration (ms)", HTML_TEXT },
                { "outcome", "Outcome", HTML_TEXT },
                { "kind", "Kind", HTML_KIND },
                { "details", "Details", HTML_TEXT },
        };
        _cleanup_json_ json_object *partner = NULL, *results = NULL, *recent = NULL;
        _cleanup_(partner_page_done) PartnerPage p = { .b = &resp->body, .partner = rq->rest };
        const char *days = web_query(rq, "days"), *name, *reason;
        StrBuf *b = &resp->body;
        char title[160];
        PikResultFilter f;
        int r;

        /* 30 days, or 90 asked for: the strips stay comparable. */
        p.days = days && streq(days, "90") ? DAYS_LONG : DAYS_DEFAULT;
        p.first_day = (rq->now / 86400 - (int64_t) p.days + 1) * 86400;

        r = pik_partner_show(w->db, rq->rest, &partner);
        if (r == -ENOENT || r == -EINVAL) {
                pik_db_clear_error(w->db);
                return page_not_found(w, rq, resp);
        }
        if (r < 0)
                return r;
        r = pik_result_days_foreach(w->db, rq->rest, p.first_day, collect_day, &p);
        if (r < 0)
                return r;
        f = (PikResultFilter) { .partner = rq->rest, .since = p.first_day, .limit = CHART_RESULTS_MAX };
        r = pik_result_list(w->db, &f, &results);
        if (r < 0)
                return r;
        p.results = results;

        /* The code is valid (pik_partner_show() found it): short, no markup. */
        snprintf(title, sizeof title, "Partner %s", rq->rest);
        html_begin(b, title);
        strbuf_append(b, "<p class=\"partner\">");
        name = json_str(partner, "name");
        strbuf_append_html(b, name ?: rq->rest);
        reason = json_str(partner, "disabled_reason");
        if (reason) {
                strbuf_append(b, " (disabled: ");
                strbuf_append_html(b, reason);
                strbuf_append(b, ")");
        }
        strbuf_append(b, "</p>\n<p>");
        strbuf_append(b, p.days == DAYS_LONG ? "<a href=\"?days=30\">30 days</a> · 90 days"
                                             : "30 days · <a href=\"?days=90\">90 days</a>");
        strbuf_append(b, "</p>\n<h2>Checks</h2>\n");
        r = pik_status_foreach(w->db, rq->now, append_check, &p);
        if (r < 0)
                return r;
        if (p.checks == 0)
                strbuf_append(b, "<p>No check is configured for this partner (pikctl config add).</p>\n");

        strbuf_append(b, "<h2>Recent results</h2>\n");
        recent = json_object_new_array();
        if (!recent)
                return -ENOMEM;
        for (size_t i = 0; i < MIN(json_object_array_length(results), (size_t) RECENT_RESULTS); i++)
                if (json_object_array_add(recent, json_object_get(json_object_array_get_idx(results, i))) < 0)
                        return -ENOMEM;
        html_table(b, recent, result_cols, ELEMENTSOF(result_cols), rq->now, "No result in this time.");
        return html_end(resp);
}
