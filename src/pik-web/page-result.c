/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A result: its fields, the timing waterfall of its requests, its steps. */

#include <errno.h>
#include <stdio.h>

#include "html.h"
#include "result.h"
#include "svg.h"

static int64_t ms_of(json_object *o, const char *key) {
        json_object *v = NULL;

        if (!json_object_object_get_ex(o, key, &v) || !v || !json_object_is_type(v, json_type_int))
                return -1;
        return json_object_get_int64(v);
}

int page_result(Web *w, const WebRequest *rq, WebResponse *resp) {
        static const HtmlColumn fields[] = {
                { "partner", "Partner", HTML_PARTNER_LINK },
                { "config_id", "Configuration", HTML_TEXT },
                { "config_name", "Check", HTML_TEXT },
                { "browser", "Browser", HTML_TEXT },
                { "executed_at", "Executed at", HTML_TIME },
                { "duration_ms", "Duration (ms)", HTML_TEXT },
                { "outcome", "Outcome", HTML_TEXT },
                { "kind", "Kind", HTML_KIND },
                { "description", "Meaning", HTML_TEXT },
                { "unconfirmed", "Unconfirmed", HTML_TEXT },
                { "attempt", "Attempt", HTML_TEXT },
                { "execution_id", "Execution", HTML_TEXT },
                { "details", "Details", HTML_TEXT },
        };
        static const HtmlColumn steps_cols[] = {
                { "position", "#", HTML_TEXT },
                { "name", "Step", HTML_TEXT },
                { "http_status", "HTTP", HTML_TEXT },
                { "requests", "Requests", HTML_TEXT },
                { "dns_ms", "DNS ms", HTML_TEXT },
                { "connect_ms", "Connect ms", HTML_TEXT },
                { "tls_ms", "TLS ms", HTML_TEXT },
                { "ttfb_ms", "First byte ms", HTML_TEXT },
                { "total_ms", "Total ms", HTML_TEXT },
        };
        _cleanup_json_ json_object *o = NULL;
        json_object *steps = NULL;
        StrBuf *b = &resp->body;
        SvgTimings t;
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
        html_begin(b, title);
        strbuf_append(b, "<table class=\"fields\">\n<tbody>\n");
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                json_object *v = NULL;

                json_object_object_get_ex(o, fields[i].key, &v);
                strbuf_append(b, "<tr><th>");
                strbuf_append_html(b, fields[i].header);
                strbuf_append(b, "</th>");
                html_cell(b, v, fields[i].format, rq->now);
                strbuf_append(b, "</tr>\n");
        }
        strbuf_append(b, "</tbody>\n</table>\n<h2>Timing</h2>\n");
        t = (SvgTimings) {
                .dns_ms = ms_of(o, "dns_ms"),
                .connect_ms = ms_of(o, "connect_ms"),
                .tls_ms = ms_of(o, "tls_ms"),
                .ttfb_ms = ms_of(o, "ttfb_ms"),
                .total_ms = ms_of(o, "total_ms"),
        };
        if (t.dns_ms < 0 && t.connect_ms < 0 && t.tls_ms < 0 && t.ttfb_ms < 0 && t.total_ms < 0)
                strbuf_append(b, "<p>No timings were recorded.</p>\n");
        else
                svg_waterfall(b, &t);
        strbuf_append(b, "<h2>Steps</h2>\n");
        if (json_object_object_get_ex(o, "steps", &steps) && json_object_is_type(steps, json_type_array))
                html_table(b, steps, steps_cols, ELEMENTSOF(steps_cols), rq->now, "No steps were recorded.");
        else
                strbuf_append(b, "<p>No steps were recorded.</p>\n");
        return html_end(resp);
}
