/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

#include "strbuf.h"
#include "web.h"

/* The pieces every page is made of. Every string that comes from the
 * database goes through strbuf_append_html(): partner codes, configuration
 * names, outcome details and step names are what partners' pages and
 * operators typed, and may hold markup. */

/* The page's head and navigation; title is escaped. */
void html_begin(StrBuf *b, const char *title);
int html_end(WebResponse *resp);

/* A kind as a cell: a colour class, an icon and the word, so that the
 * colour is never the only sign (colour-blind readers, printouts). */
void html_kind_cell(StrBuf *b, const char *kind);
/* A time as people read it: "2026-11-24 06:00 UTC (3m ago)" or "(in 2h
 * 5m)", with the ISO 8601 time in a <time> element; "-" for t <= 0. */
void html_time(StrBuf *b, int64_t t, int64_t now);
/* The same from an ISO 8601 string of the library's JSON; text that is
 * not one is shown escaped as it is. */
void html_time_string(StrBuf *b, const char *iso, int64_t now);
/* A success ratio, "96.5% of 288", or "-" without results. */
void html_ratio(StrBuf *b, int64_t success, int64_t results);

/* Tables from the library's JSON listings: a column per key. */
typedef enum HtmlFormat {
        HTML_TEXT,
        HTML_TIME,              /* an ISO 8601 string: html_time_string() */
        HTML_KIND,              /* html_kind_cell() */
        HTML_RESULT_LINK,       /* an id, linked to /result/ID */
        HTML_PARTNER_LINK,      /* a partner code, linked to /partner/CODE */
} HtmlFormat;

typedef struct HtmlColumn {
        const char *key;
        const char *header;
        HtmlFormat format;
} HtmlColumn;

void html_cell(StrBuf *b, json_object *v, HtmlFormat format, int64_t now);
void html_table(StrBuf *b, json_object *rows, const HtmlColumn *cols, size_t n_cols, int64_t now, const char *empty);
