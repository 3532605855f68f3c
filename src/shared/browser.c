/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>

#include "browser.h"
#include "string-util.h"
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

static void bind_optional(sqlite3_stmt *s, int i, const char *v) {
        if (v && *v)
                sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
        else
                sqlite3_bind_null(s, i);
}

int pik_browser_add(PikDb *db, const PikBrowserSpec *spec, int64_t now) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        _cleanup_free_ char *headers = NULL, *resolve = NULL;
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
                r = pik_validate_url(db, "WebDriver URL", spec->webdriver_url, false);
                if (r < 0)
                        return pik_db_set_error(db, r, "%s (the webdriver engine needs --webdriver-url)",
                                                pik_db_error(db));
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
        bind_optional(s, 3, spec->user_agent);
        bind_optional(s, 4, spec->webdriver_url);
        bind_optional(s, 5, spec->http_version);
        bind_optional(s, 6, spec->icon);
        sqlite3_bind_int64(s, 7, now);
        bind_optional(s, 8, headers);
        bind_optional(s, 9, spec->ca_file);
        bind_optional(s, 10, resolve);
        r = pik_db_step(db, s);
        if (r == -EEXIST)
                return pik_db_set_error(db, r, "browser '%s' already exists", spec->name);
        return r < 0 ? r : 0;
}

int pik_browser_remove(PikDb *db, const char *name, bool force) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        _cleanup_stmt_ sqlite3_stmt *s = NULL, *d = NULL;
        int64_t id, history;
        int r;

        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        r = pik_browser_get_id(db, name, &id);
        if (r < 0)
                return r;

        r = pik_db_prepare(db,
                           "SELECT (SELECT count(*) FROM result WHERE browser = ?1) + "
                           "       (SELECT count(*) FROM execution WHERE browser = ?1)", &s);
        if (r < 0)
                return r;
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        history = sqlite3_column_int64(s, 0);
        if (history > 0 && !force)
                return pik_db_set_error(db, -EBUSY,
                                        "browser '%s' has history (%lld results and executions); "
                                        "use --force to remove it (its results are kept)",
                                        name, (long long) history);

        r = pik_db_prepare(db, "DELETE FROM browser WHERE id = ?", &d);
        if (r < 0)
                return r;
        sqlite3_bind_int64(d, 1, id);
        r = pik_db_step(db, d);
        if (r < 0)
                return r;

        return pik_db_commit(TAKE_PTR(tx));
}

int pik_browser_set_enabled(PikDb *db, const char *name, bool enabled, const char *reason) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int64_t id;
        int r;

        r = pik_validate_reason(db, enabled, reason);
        if (r < 0)
                return r;
        r = pik_browser_get_id(db, name, &id);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, "UPDATE browser SET enabled = ?, disabled_reason = ? WHERE id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int(s, 1, enabled);
        bind_optional(s, 2, enabled ? NULL : reason);
        sqlite3_bind_int64(s, 3, id);
        r = pik_db_step(db, s);
        return r < 0 ? r : 0;
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
