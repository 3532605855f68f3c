/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "db.h"

/* Browsers: the identities a check runs as. The http engine is libcurl with
 * the browser's user agent and headers; the webdriver engine drives a real
 * browser at webdriver_url. Error conventions as in partner.h. */

typedef struct PikBrowserSpec {
        const char *name;
        const char *engine;          /* "http" or "webdriver" */
        const char *user_agent;      /* optional */
        const char *webdriver_url;   /* webdriver: NULL is PIK_WEBDRIVER_URL_DEFAULT; refused for http */
        const char *http_version;    /* optional: "1.1" or "2" */
        const char *icon;            /* optional */
        const char *headers;         /* optional: "Name: value" lines, '\n'-separated */
        const char *ca_file;         /* optional: absolute path of a PEM CA bundle */
        const char *resolve;         /* optional: "host:port:address" lines, '\n'-separated */
} PikBrowserSpec;

int pik_browser_add(PikDb *db, const PikBrowserSpec *spec, int64_t now);
int pik_browser_remove(PikDb *db, const char *name, bool force);
int pik_browser_set_enabled(PikDb *db, const char *name, bool enabled, const char *reason);
int pik_browser_list(PikDb *db, json_object **ret);
int pik_browser_show(PikDb *db, const char *name, json_object **ret);
int pik_browser_get_id(PikDb *db, const char *name, int64_t *ret);

/* Header values may be secrets (Authorization: Bearer …): in a browser, or
 * every browser of a list, as pik_browser_show() and pik_browser_list()
 * return them, replace each header's value with PIK_REDACTED, keeping its
 * name. -EBADMSG for headers that are not a JSON array of strings. */
#define PIK_REDACTED "(redacted)"
int pik_browser_redact_headers(json_object *browsers);
