/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "browser.h"
#include "build-config.h"
#include "string-util.h"
#include "entity.h"
#include "validate.h"

int pik_browser_get_id(PikDb *db, const char *name, int64_t *ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_validate_code(db, "browser name", name);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, "SELECT id FROM browser WHERE name = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        if (r == 0)
                return pik_db_set_error(db, -ENOENT, "browser '%s' not found", name);
        *ret = sqlite3_column_int64(s, 0);
        return 0;
}

int pik_browser_add(PikDb *db, const PikBrowserSpec *spec, int64_t now) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        _cleanup_free_ char *headers = NULL, *resolve = NULL;
        const char *webdriver_url = spec->webdriver_url;
        bool webdriver;
        int r;

        r = pik_validate_code(db, "browser name", spec->name);
        if (r < 0)
                return r;
        if (!spec->engine || (!streq(spec->engine, "http") && !streq(spec->engine, "webdriver")))
                return pik_db_set_error(db, -EINVAL, "engine must be 'http' or 'webdriver'");
        webdriver = streq(spec->engine, "webdriver");
        r = pik_validate_text(db, "user agent", spec->user_agent, 512, true);
        if (r < 0)
                return r;
        r = pik_validate_text(db, "icon", spec->icon, PIK_TEXT_MAX, true);
        if (r < 0)
                return r;
        if (spec->http_version && !streq(spec->http_version, "1.1") && !streq(spec->http_version, "2"))
                return pik_db_set_error(db, -EINVAL, "HTTP version must be '1.1' or '2'");
        if (webdriver) {
                /* None given: the host's own endpoint, pik-webdriver.service
                 * on loopback. Stored as such, so that the browser's listing
                 * shows where its checks go. */
                if (!webdriver_url)
                        webdriver_url = PIK_WEBDRIVER_URL_DEFAULT;
                r = pik_validate_url(db, "WebDriver URL", webdriver_url, false);
                if (r < 0)
                        return r;
        } else if (spec->webdriver_url)
                return pik_db_set_error(db, -EINVAL, "--webdriver-url only applies to the webdriver engine");

        if (spec->ca_file && (r = pik_validate_path(db, "CA file", spec->ca_file)) < 0)
                return r;
        r = pik_headers_to_json(db, spec->headers, &headers);
        if (r < 0)
                return r;
        r = pik_resolve_to_json(db, spec->resolve, &resolve);
        if (r < 0)
                return r;

        r = pik_db_prepare(db,
                           "INSERT INTO browser (name, engine, user_agent, webdriver_url, http_version, icon, created_at, "
                           "  headers, ca_file, resolve) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s);
        if (r < 0)
                return r;
        sqlite3_bind_text(s, 1, spec->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, spec->engine, -1, SQLITE_STATIC);
        pik_db_bind_text_optional(s, 3, spec->user_agent);
        pik_db_bind_text_optional(s, 4, webdriver_url);
        pik_db_bind_text_optional(s, 5, spec->http_version);
        pik_db_bind_text_optional(s, 6, spec->icon);
        sqlite3_bind_int64(s, 7, now);
        pik_db_bind_text_optional(s, 8, headers);
        pik_db_bind_text_optional(s, 9, spec->ca_file);
        pik_db_bind_text_optional(s, 10, resolve);
        r = pik_db_step(db, s);
        if (r == -EEXIST)
                return pik_db_set_error(db, r, "browser '%s' already exists", spec->name);
        return r < 0 ? r : 0;
}

static const EntityTable browser_table = {
        .what = "browser",
        .table = "browser",
        .history_column = "browser",
        .get_id = pik_browser_get_id,
};

int pik_browser_remove(PikDb *db, const char *name, bool force) {
        return entity_remove(db, &browser_table, name, force);
}

int pik_browser_set_enabled(PikDb *db, const char *name, bool enabled, const char *reason) {
        return entity_set_enabled(db, &browser_table, name, enabled, reason);
}

#define BROWSER_COLUMNS \
        "name, engine, user_agent, webdriver_url, http_version, icon, enabled, disabled_reason, created_at, " \
        "headers, ca_file, resolve "

int pik_browser_list(PikDb *db, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_prepare(db, "SELECT " BROWSER_COLUMNS "FROM browser ORDER BY name", &s);
        if (r < 0)
                return r;
        return pik_db_query_json(db, s, 0, ret);
}

int pik_browser_show(PikDb *db, const char *name, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_validate_code(db, "browser name", name);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, "SELECT " BROWSER_COLUMNS "FROM browser WHERE name = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
        r = pik_db_query_json_one(db, s, ret);
        if (r == -ENOENT)
                return pik_db_set_error(db, -ENOENT, "browser '%s' not found", name);
        return r;
}

static int redact_one(json_object *browser) {
        _cleanup_json_ json_object *headers = NULL, *redacted = NULL;
        json_object *v;
        size_t n;

        if (!json_object_object_get_ex(browser, "headers", &v) || json_object_is_type(v, json_type_null))
                return 0;
        /* The column holds the JSON text of an array of "Name: value". */
        if (!json_object_is_type(v, json_type_string))
                return -EBADMSG;
        headers = json_tokener_parse(json_object_get_string(v));
        if (!headers || !json_object_is_type(headers, json_type_array))
                return -EBADMSG;
        redacted = json_object_new_array();
        if (!redacted)
                return -ENOMEM;
        n = json_object_array_length(headers);
        for (size_t i = 0; i < n; i++) {
                json_object *h = json_object_array_get_idx(headers, i);
                _cleanup_free_ char *line = NULL;
                const char *colon;

                if (!json_object_is_type(h, json_type_string))
                        return -EBADMSG;
                colon = strchr(json_object_get_string(h), ':');
                if (asprintf(&line, "%.*s: " PIK_REDACTED,
                             (int) (colon ? colon - json_object_get_string(h) : json_object_get_string_len(h)),
                             json_object_get_string(h)) < 0)
                        return -ENOMEM;
                if (json_object_array_add(redacted, json_object_new_string(line)) < 0)
                        return -ENOMEM;
        }
        if (json_object_object_add(browser, "headers",
                                   json_object_new_string(json_object_to_json_string_ext(redacted, JSON_C_TO_STRING_PLAIN))) < 0)
                return -ENOMEM;
        return 0;
}

int pik_browser_redact_headers(json_object *browsers) {
        int r;

        if (!json_object_is_type(browsers, json_type_array))
                return redact_one(browsers);
        for (size_t i = 0; i < json_object_array_length(browsers); i++) {
                r = redact_one(json_object_array_get_idx(browsers, i));
                if (r < 0)
                        return r;
        }
        return 0;
}
