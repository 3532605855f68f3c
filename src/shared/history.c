/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "history.h"
#include "prune.h"
#include "string-util.h"
#include "validate.h"

/* Folded days and the results still kept, in one shape; a day normally has
 * one or the other, and where a late result met a folded day both are
 * added up (percentiles: the larger). ?1: the first day, ?2: the end of
 * now's day, ?3: the partner or NULL. */
static const char history_sql[] =
        "WITH days AS ("
        "  SELECT config_id, browser, partner, day, runs, successes, partner_failures, "
        "    infrastructure_failures, configuration_failures, p50_ms, p95_ms "
        "  FROM result_daily WHERE day >= ?1 AND day < ?2 AND (?3 IS NULL OR partner = ?3) "
        "  UNION ALL "
        "  SELECT config_id, browser, partner, day, count(*), "
        "    sum(kind IS 'success'), sum(kind IS 'partner'), sum(kind IS 'infrastructure'), "
        "    sum(kind IS 'configuration'), "
        "    max(CASE WHEN rn = (n + 1) / 2 THEN duration_ms END), "
        "    max(CASE WHEN rn = (95 * n + 99) / 100 THEN duration_ms END) "
        "  FROM (SELECT coalesce(r.config_id, 0) AS config_id, r.browser, r.partner, "
        "          r.executed_at - r.executed_at % 86400 AS day, r.duration_ms, o.kind, "
        "          row_number() OVER (d ORDER BY r.duration_ms) AS rn, count(*) OVER d AS n "
        "        FROM result r LEFT JOIN outcome o ON o.name = r.outcome "
        "        WHERE r.executed_at >= ?1 AND r.executed_at < ?2 AND (?3 IS NULL OR r.partner = ?3) "
        "        WINDOW d AS (PARTITION BY coalesce(r.config_id, 0), r.browser, r.partner, "
        "                     r.executed_at - r.executed_at % 86400)) "
        "  GROUP BY config_id, browser, partner, day) "
        "SELECT d.partner, d.config_id, c.name, d.browser, d.day, sum(d.runs), sum(d.successes), "
        "  sum(d.partner_failures), sum(d.infrastructure_failures), sum(d.configuration_failures), "
        "  max(d.p50_ms), max(d.p95_ms) "
        "FROM days d LEFT JOIN job_config c ON c.id = d.config_id "
        "GROUP BY d.partner, d.config_id, d.browser, d.day "
        "ORDER BY d.partner, d.config_id, d.browser, d.day";

static int add_int(json_object *o, const char *key, int64_t v) {
        return pik_json_add(o, key, json_object_new_int64(v));
}

static int day_row(sqlite3_stmt *s, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();
        static const char *const keys[] = {
                "runs", "successes", "partner_failures", "infrastructure_failures", "configuration_failures",
                "p50_ms", "p95_ms",
        };
        char day[sizeof "-9223372036854775808-12-31"];
        time_t t = (time_t) sqlite3_column_int64(s, 4);
        struct tm tm;
        int r;

        if (!o)
                return -ENOMEM;
        if (!gmtime_r(&t, &tm))
                return -ERANGE;
        snprintf(day, sizeof day, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        r = pik_json_add(o, "day", json_object_new_string(day));
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                r = add_int(o, keys[i], sqlite3_column_int64(s, 5 + (int) i));
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

/* A new check's object, its days still empty. */
static int check_new(sqlite3_stmt *s, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();
        const char *name = (const char *) sqlite3_column_text(s, 2);
        int64_t config_id = sqlite3_column_int64(s, 1);
        int r;

        if (!o)
                return -ENOMEM;
        r = pik_json_add(o, "partner", json_object_new_string((const char *) sqlite3_column_text(s, 0)));
        if (r >= 0 && config_id > 0)
                r = add_int(o, "config_id", config_id);
        if (r >= 0 && name)
                r = pik_json_add(o, "config_name", json_object_new_string(name));
        if (r >= 0)
                r = pik_json_add(o, "browser", json_object_new_string((const char *) sqlite3_column_text(s, 3)));
        if (r >= 0)
                r = pik_json_add(o, "days", json_object_new_array());
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

static bool same_check(json_object *o, sqlite3_stmt *s) {
        json_object *v;
        int64_t config_id = 0;

        if (json_object_object_get_ex(o, "config_id", &v))
                config_id = json_object_get_int64(v);
        return config_id == sqlite3_column_int64(s, 1) &&
                json_object_object_get_ex(o, "partner", &v) &&
                streq(json_object_get_string(v), (const char *) sqlite3_column_text(s, 0)) &&
                json_object_object_get_ex(o, "browser", &v) &&
                streq(json_object_get_string(v), (const char *) sqlite3_column_text(s, 3));
}

/* The check's totals over its days. */
static int check_totals(json_object *o) {
        json_object *days, *v;
        int64_t runs = 0, successes = 0;
        int r;

        if (!json_object_object_get_ex(o, "days", &days))
                return -EINVAL;
        for (size_t i = 0; i < json_object_array_length(days); i++) {
                json_object *d = json_object_array_get_idx(days, i);
                if (json_object_object_get_ex(d, "runs", &v))
                        runs += json_object_get_int64(v);
                if (json_object_object_get_ex(d, "successes", &v))
                        successes += json_object_get_int64(v);
        }
        r = add_int(o, "runs", runs);
        if (r < 0)
                return r;
        return add_int(o, "successes", successes);
}

/* Hands the finished check on to the array. */
static int check_flush(json_object *a, json_object **cur) {
        int r;

        r = check_totals(*cur);
        if (r < 0)
                return r;
        if (json_object_array_add(a, *cur) < 0)
                return -ENOMEM;
        *cur = NULL;
        return 0;
}

int pik_history(PikDb *db, const char *partner, unsigned days, int64_t now, json_object **ret) {
        _cleanup_json_ json_object *a = NULL, *cur = NULL;
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int64_t end = pik_day_start(now) + 86400;
        int r;

        if (!db || !ret)
                return -EINVAL;
        if (days < 1 || days > PIK_HISTORY_DAYS_MAX)
                return pik_db_set_error(db, -EINVAL, "days: %u is out of range 1..%u", days, PIK_HISTORY_DAYS_MAX);
        if (partner) {
                r = pik_validate_code(db, "partner", partner);
                if (r < 0)
                        return r;
        }

        a = json_object_new_array();
        if (!a)
                return -ENOMEM;
        r = pik_db_prepare(db, history_sql, &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, end - (int64_t) days * 86400);
        sqlite3_bind_int64(s, 2, end);
        if (partner)
                sqlite3_bind_text(s, 3, partner, -1, SQLITE_STATIC);

        for (;;) {
                _cleanup_json_ json_object *d = NULL;
                json_object *list;

                r = pik_db_step(db, s);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (cur && !same_check(cur, s)) {
                        r = check_flush(a, &cur);
                        if (r < 0)
                                return r;
                }
                if (!cur) {
                        r = check_new(s, &cur);
                        if (r < 0)
                                return r;
                }
                r = day_row(s, &d);
                if (r < 0)
                        return r;
                if (!json_object_object_get_ex(cur, "days", &list) || json_object_array_add(list, d) < 0)
                        return -ENOMEM;
                TAKE_PTR(d);
        }
        if (cur) {
                r = check_flush(a, &cur);
                if (r < 0)
                        return r;
        }

        if (partner && json_object_array_length(a) == 0) {
                int64_t known = 0;
                _cleanup_stmt_ sqlite3_stmt *q = NULL;

                r = pik_db_prepare(db, "SELECT count(*) FROM partner WHERE code = ?", &q);
                if (r < 0)
                        return r;
                sqlite3_bind_text(q, 1, partner, -1, SQLITE_STATIC);
                r = pik_db_step(db, q);
                if (r < 0)
                        return r;
                known = sqlite3_column_int64(q, 0);
                if (!known)
                        return pik_db_set_error(db, -ENOENT, "partner '%s' not found", partner);
        }

        *ret = TAKE_PTR(a);
        return 0;
}
