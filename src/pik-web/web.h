/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "strbuf.h"

/* What pik-web's handlers share: the database (opened read-only), the
 * configuration, the request, and the response they fill in. A handler
 * returns 0 with the response filled (any status, 404 included) or a
 * negative errno for a failure of ours, which becomes a 500. */

typedef struct Web {
        PikDb *db;              /* NULL until the database could be opened */
        const char *db_path;
        const PikConfig *cfg;
} Web;

struct MHD_Connection;

typedef struct WebRequest {
        struct MHD_Connection *connection;
        const char *path;       /* the whole path, "/api/v1/result/12" */
        const char *rest;       /* what follows the route's prefix, "12" */
        int64_t now;
} WebRequest;

typedef struct WebResponse {
        unsigned status;
        const char *content_type;
        StrBuf body;
} WebResponse;

typedef int (*WebHandler)(Web *w, const WebRequest *rq, WebResponse *resp);

/* A query argument: its value ("" for "?overdue"), NULL when absent. */
const char *web_query(const WebRequest *rq, const char *key);
/* A positive decimal id, nothing else ("12", not "+12", "012x" or "0"). */
int web_parse_id(const char *s, int64_t *ret);

/* JSON bodies: the document, or { "error": MESSAGE, "status": N }. */
int web_json(WebResponse *resp, unsigned status, json_object *o);
int web_json_error(WebResponse *resp, unsigned status, const char *format, ...) _printf_(3, 4);

/* pages.c */
int page_grid(Web *w, const WebRequest *rq, WebResponse *resp);
int page_outcomes(Web *w, const WebRequest *rq, WebResponse *resp);
int page_jobs(Web *w, const WebRequest *rq, WebResponse *resp);
int page_executions(Web *w, const WebRequest *rq, WebResponse *resp);
/* page-result.c, page-partner.c */
int page_result(Web *w, const WebRequest *rq, WebResponse *resp);
int page_partner(Web *w, const WebRequest *rq, WebResponse *resp);
/* style.c, script.c: compiled in, no file to install or reach */
int page_style(Web *w, const WebRequest *rq, WebResponse *resp);
int page_script(Web *w, const WebRequest *rq, WebResponse *resp);
int page_not_found(Web *w, const WebRequest *rq, WebResponse *resp);

/* api.c */
int api_status(Web *w, const WebRequest *rq, WebResponse *resp);
int api_results(Web *w, const WebRequest *rq, WebResponse *resp);
int api_result(Web *w, const WebRequest *rq, WebResponse *resp);
int api_jobs(Web *w, const WebRequest *rq, WebResponse *resp);
int api_executions(Web *w, const WebRequest *rq, WebResponse *resp);
int api_execution(Web *w, const WebRequest *rq, WebResponse *resp);
int api_alerts(Web *w, const WebRequest *rq, WebResponse *resp);
int api_notifications(Web *w, const WebRequest *rq, WebResponse *resp);
int api_outcomes(Web *w, const WebRequest *rq, WebResponse *resp);
int api_not_found(Web *w, const WebRequest *rq, WebResponse *resp);

/* metrics.c */
int metrics_render(Web *w, const WebRequest *rq, WebResponse *resp);
