/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>

#include "job.h"
#include "status.h"
#include "time-util.h"

static const char *column_text(sqlite3_stmt *s, int i) {
        return (const char *) sqlite3_column_text(s, i);
}

int pik_status_foreach(PikDb *db, int64_t now, PikStatusRowFn cb, void *userdata) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        /* The last result comes from result_last (kept by a trigger); the
         * 24-hour counts from the (partner, browser, executed_at, outcome)
         * index, a short range per pair. The ratio is left to C so that
         * SQLite does not evaluate the counting subqueries twice. */
        r = pik_db_prepare(db,
                           "WITH pair AS ("
                           "  SELECT p.code AS partner, b.name AS browser, "
                           "         max(c.enabled AND p.enabled AND b.enabled) AS enabled, "
                           "         min(c.held) AS held "
                           "  FROM job_config c JOIN partner p ON p.id = c.partner_id "
                           "  JOIN job_config_browser cb ON cb.config_id = c.id "
                           "  JOIN browser b ON b.id = cb.browser_id "
                           "  GROUP BY p.code, b.name) "
                           "SELECT pair.partner, pair.browser, pair.enabled, pair.held, l.outcome, o.kind, "
                           "  l.executed_at, l.details, "
                           "  (SELECT count(*) FROM result x WHERE x.partner = pair.partner AND x.browser = pair.browser "
                           "     AND x.executed_at > ?1 - 86400), "
                           "  (SELECT count(*) FROM result x WHERE x.partner = pair.partner AND x.browser = pair.browser "
                           "     AND x.executed_at > ?1 - 86400 AND x.outcome = 'success') "
                           "FROM pair "
                           "LEFT JOIN result_last l ON l.partner = pair.partner AND l.browser = pair.browser "
                           "LEFT JOIN outcome o ON o.name = l.outcome "
                           "ORDER BY pair.partner, pair.browser", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, now);

        for (;;) {
                r = pik_db_step(db, s);
                if (r <= 0)
                        return r;

                PikStatusRow row = {
                        .partner = column_text(s, 0),
                        .browser = column_text(s, 1),
                        .enabled = sqlite3_column_int(s, 2),
                        .held = sqlite3_column_int(s, 3),
                        .outcome = column_text(s, 4),
                        .kind = column_text(s, 5),
                        .executed_at = sqlite3_column_int64(s, 6),
                        .details = column_text(s, 7),
                        .results_24h = sqlite3_column_int64(s, 8),
                        .success_24h = sqlite3_column_int64(s, 9),
                };
                r = cb(&row, now, userdata);
                if (r < 0)
                        return r;
        }
}

int pik_status_widths(PikDb *db, size_t *ret_partner, size_t *ret_browser) {
        int64_t p, b;
        int r;

        r = pik_db_query_int64(db, "SELECT coalesce(max(length(p.code)), 0) FROM partner p "
                                   "WHERE EXISTS (SELECT 1 FROM job_config c WHERE c.partner_id = p.id)", &p);
        if (r < 0)
                return r;
        r = pik_db_query_int64(db, "SELECT coalesce(max(length(b.name)), 0) FROM browser b "
                                   "WHERE EXISTS (SELECT 1 FROM job_config_browser cb WHERE cb.browser_id = b.id)", &b);
        if (r < 0)
                return r;
        *ret_partner = (size_t) p;
        *ret_browser = (size_t) b;
        return 0;
}

static int add(json_object *o, const char *key, json_object *v) {
        if (!v)
                return -ENOMEM;
        if (json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int pik_status_row_to_json(const PikStatusRow *row, int64_t now, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();
        char buf[FORMAT_TIMESTAMP_MAX];

        if (!o)
                return -ENOMEM;
        if (add(o, "partner", json_object_new_string(row->partner)) < 0 ||
            add(o, "browser", json_object_new_string(row->browser)) < 0 ||
            add(o, "enabled", json_object_new_boolean(row->enabled)) < 0 ||
            add(o, "held", json_object_new_boolean(row->held)) < 0 ||
            add(o, "results_24h", json_object_new_int64(row->results_24h)) < 0 ||
            add(o, "success_24h", json_object_new_int64(row->success_24h)) < 0)
                return -ENOMEM;
        /* Keys are always there, null when a pair has no result yet, so
         * that scripts need not test for their presence. */
        if (row->outcome) {
                if (add(o, "outcome", json_object_new_string(row->outcome)) < 0 ||
                    add(o, "kind", json_object_new_string(row->kind ?: "unknown")) < 0 ||
                    add(o, "executed_at", json_object_new_string(format_timestamp(buf, row->executed_at))) < 0 ||
                    add(o, "age_sec", json_object_new_int64(now - row->executed_at)) < 0 ||
                    (row->details ? add(o, "details", json_object_new_string(row->details))
                                  : json_object_object_add(o, "details", NULL)) < 0)
                        return -ENOMEM;
        } else if (json_object_object_add(o, "outcome", NULL) < 0 ||
                   json_object_object_add(o, "kind", NULL) < 0 ||
                   json_object_object_add(o, "executed_at", NULL) < 0 ||
                   json_object_object_add(o, "age_sec", NULL) < 0 ||
                   json_object_object_add(o, "details", NULL) < 0)
                return -ENOMEM;
        if (row->results_24h > 0) {
                if (add(o, "success_ratio_24h",
                        json_object_new_double((double) row->success_24h / (double) row->results_24h)) < 0)
                        return -ENOMEM;
        } else if (json_object_object_add(o, "success_ratio_24h", NULL) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

static int append_row(const PikStatusRow *row, int64_t now, void *userdata) {
        json_object *rows = userdata, *o;
        int r;

        r = pik_status_row_to_json(row, now, &o);
        if (r < 0)
                return r;
        if (json_object_array_add(rows, o) < 0) {
                json_object_put(o);
                return -ENOMEM;
        }
        return 0;
}

int pik_status_incidents(PikDb *db, const PikConfig *cfg, int64_t now, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        /* Network-level outcomes only: a wave of refused logins is the
         * partners' own doing, a wave of timeouts from one browser is more
         * likely our resolver, egress or proxy. */
        r = pik_db_prepare(db,
                           "SELECT browser, outcome, count(DISTINCT partner) AS partners, min(executed_at) AS since_at "
                           "FROM result WHERE executed_at > ?1 - ?2 AND outcome IN "
                           "  ('partner-dns-not-found', 'partner-unreachable', 'partner-timeout', 'tls-certificate-invalid') "
                           "GROUP BY browser, outcome HAVING count(DISTINCT partner) > ?3 "
                           "ORDER BY partners DESC, browser, outcome", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, now);
        sqlite3_bind_int64(s, 2, cfg->incident.window_sec);
        sqlite3_bind_int64(s, 3, cfg->incident.partners);
        return pik_db_query_json(db, s, 0, ret);
}

int pik_status(PikDb *db, const PikConfig *cfg, int64_t now, json_object **ret) {
        _cleanup_json_ json_object *rows = NULL, *o = NULL, *incidents = NULL;
        char buf[FORMAT_TIMESTAMP_MAX];
        bool held;
        int r;

        r = pik_job_get_global_hold(db, &held);
        if (r < 0)
                return r;
        rows = json_object_new_array();
        o = json_object_new_object();
        if (!rows || !o)
                return -ENOMEM;
        r = pik_status_foreach(db, now, append_row, rows);
        if (r < 0)
                return r;
        r = pik_status_incidents(db, cfg, now, &incidents);
        if (r < 0)
                return r;
        if (add(o, "now", json_object_new_string(format_timestamp(buf, now))) < 0 ||
            add(o, "held", json_object_new_boolean(held)) < 0 ||
            add(o, "incidents", TAKE_PTR(incidents)) < 0 ||
            add(o, "rows", TAKE_PTR(rows)) < 0)
                return -ENOMEM;

        *ret = TAKE_PTR(o);
        return 0;
}
