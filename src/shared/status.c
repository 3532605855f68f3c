/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>

#include "job.h"
#include "status.h"
#include "time-util.h"

int pik_status(PikDb *db, int64_t now, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        _cleanup_json_ json_object *rows = NULL, *o = NULL;
        char buf[FORMAT_TIMESTAMP_MAX];
        bool held;
        int r;

        r = pik_job_get_global_hold(db, &held);
        if (r < 0)
                return r;

        /* Each pair's last result and its 24-hour counts come from the
         * (partner, browser, executed_at, outcome) index: a few index seeks
         * per pair, however long the history. */
        r = pik_db_prepare(db,
                           "WITH pair AS ("
                           "  SELECT p.code AS partner, b.name AS browser, "
                           "         max(c.enabled AND p.enabled AND b.enabled) AS enabled, "
                           "         min(c.held) AS held "
                           "  FROM job_config c JOIN partner p ON p.id = c.partner_id "
                           "  JOIN job_config_browser cb ON cb.config_id = c.id "
                           "  JOIN browser b ON b.id = cb.browser_id "
                           "  GROUP BY p.code, b.name), "
                           "last AS ("
                           "  SELECT pair.*, "
                           "    (SELECT r.id FROM result r WHERE r.partner = pair.partner AND r.browser = pair.browser "
                           "     ORDER BY r.executed_at DESC, r.id DESC LIMIT 1) AS last_id, "
                           "    (SELECT count(*) FROM result r WHERE r.partner = pair.partner AND r.browser = pair.browser "
                           "     AND r.executed_at > ?1 - 86400) AS results_24h, "
                           "    (SELECT count(*) FROM result r WHERE r.partner = pair.partner AND r.browser = pair.browser "
                           "     AND r.executed_at > ?1 - 86400 AND r.outcome = 'success') AS success_24h "
                           "  FROM pair) "
                           "SELECT last.partner, last.browser, last.enabled, last.held, r.outcome, o.kind, "
                           "       r.executed_at, ?1 - r.executed_at AS age_sec, r.details, last.results_24h, "
                           "       last.success_24h, "
                           "       CASE WHEN last.results_24h > 0 "
                           "            THEN round(CAST(last.success_24h AS REAL) / last.results_24h, 4) END "
                           "         AS success_ratio_24h "
                           "FROM last LEFT JOIN result r ON r.id = last.last_id "
                           "LEFT JOIN outcome o ON o.name = r.outcome "
                           "ORDER BY last.partner, last.browser", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, now);
        r = pik_db_query_json(db, s, 0, &rows);
        if (r < 0)
                return r;

        o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        if (json_object_object_add(o, "now", json_object_new_string(format_timestamp(buf, now))) < 0 ||
            json_object_object_add(o, "held", json_object_new_boolean(held)) < 0 ||
            json_object_object_add(o, "rows", TAKE_PTR(rows)) < 0)
                return -ENOMEM;

        *ret = TAKE_PTR(o);
        return 0;
}
