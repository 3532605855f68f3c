/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>

#include "html.h"
#include "string-util.h"
#include "time-util.h"

void html_begin(StrBuf *b, const char *title) {
        /* pik.js only adds live refresh: every page is whole without it. */
        strbuf_append(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                         "<link rel=\"stylesheet\" href=\"/pik.css\">\n"
                         "<script src=\"/pik.js\" defer></script>\n<title>");
        strbuf_append_html(b, title);
        strbuf_append(b, " — pik</title>\n</head>\n<body>\n<nav><a href=\"/\">Status</a> "
                         "<a href=\"/executions\">Running</a> "
                         "<a href=\"/jobs?overdue\">Overdue jobs</a> <a href=\"/jobs\">Scheduled jobs</a> "
                         "<a href=\"/outcomes\">Outcomes</a> <a href=\"/metrics\">Metrics</a></nav>\n<h1>");
        strbuf_append_html(b, title);
        strbuf_append(b, "</h1>\n");
}

int html_end(WebResponse *resp) {
        strbuf_append(&resp->body, "</body>\n</html>\n");
        resp->content_type = "text/html; charset=utf-8";
        return resp->body.error;
}

void html_kind_cell(StrBuf *b, const char *kind) {
        static const struct {
                const char *kind, *icon;
        } icons[] = {
                { "success", "✔" },
                { "partner", "✖" },
                { "infrastructure", "⚠" },
                { "configuration", "⚙" },
        };
        const char *k = "unknown", *icon = "?";

        for (size_t i = 0; kind && i < ELEMENTSOF(icons); i++)
                if (streq(kind, icons[i].kind)) {
                        k = icons[i].kind;
                        icon = icons[i].icon;
                }
        if (!kind) {
                strbuf_append(b, "<td class=\"kind kind-unknown\">-</td>");
                return;
        }
        strbuf_printf(b, "<td class=\"kind kind-%s\"><span class=\"icon\" aria-hidden=\"true\">%s</span> ", k, icon);
        strbuf_append_html(b, kind);
        strbuf_append(b, "</td>");
}

void html_time(StrBuf *b, int64_t t, int64_t now) {
        char iso[FORMAT_TIMESTAMP_MAX], age[FORMAT_AGE_MAX];

        if (t <= 0) {
                strbuf_append(b, "-");
                return;
        }
        format_timestamp(iso, t);
        /* "2026-11-24T06:00:00Z" read as "2026-11-24 06:00:00 UTC". */
        strbuf_printf(b, "<time datetime=\"%s\">%.10s %.8s UTC</time> ", iso, iso, iso + 11);
        if (t <= now)
                strbuf_printf(b, "<span class=\"age\">(%s ago)</span>", format_age(age, now - t));
        else
                strbuf_printf(b, "<span class=\"age\">(in %s)</span>", format_age(age, t - now));
}

void html_time_string(StrBuf *b, const char *iso, int64_t now) {
        int64_t t;

        if (!iso)
                strbuf_append(b, "-");
        else if (parse_timestamp(iso, &t) < 0)
                strbuf_append_html(b, iso);
        else
                html_time(b, t, now);
}

void html_ratio(StrBuf *b, int64_t success, int64_t results) {
        if (results <= 0)
                strbuf_append(b, "-");
        else
                strbuf_printf(b, "%.1f%% of %lld", 100.0 * (double) success / (double) results, (long long) results);
}

void html_cell(StrBuf *b, json_object *v, HtmlFormat format, int64_t now) {
        const char *s = v ? json_object_get_string(v) : NULL;

        if (format == HTML_KIND) {
                html_kind_cell(b, s);
                return;
        }
        strbuf_append(b, "<td>");
        if (!v)
                strbuf_append(b, "-");
        else if (json_object_is_type(v, json_type_boolean))
                strbuf_append(b, json_object_get_boolean(v) ? "yes" : "no");
        else if (format == HTML_TIME)
                html_time_string(b, s, now);
        else if (format == HTML_RESULT_LINK && json_object_is_type(v, json_type_int))
                strbuf_printf(b, "<a href=\"/result/%lld\">%lld</a>", (long long) json_object_get_int64(v),
                              (long long) json_object_get_int64(v));
        else if (format == HTML_PARTNER_LINK) {
                /* Partner codes are a-z, 0-9, '.', '_', '-': nothing to
                 * percent-encode; escaped all the same. */
                strbuf_append(b, "<a href=\"/partner/");
                strbuf_append_html(b, s);
                strbuf_append(b, "\">");
                strbuf_append_html(b, s);
                strbuf_append(b, "</a>");
        } else
                strbuf_append_html(b, s);
        strbuf_append(b, "</td>");
}

void html_table(StrBuf *b, json_object *rows, const HtmlColumn *cols, size_t n_cols, int64_t now, const char *empty) {
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
                        html_cell(b, v, cols[c].format, now);
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
