/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "result-days.h"

int pik_result_days_foreach(PikDb *db, const char *partner, int64_t since, PikResultDayFn cb, void *userdata) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        /* Unknown outcomes (not in the catalog) count as failures of no
         * known kind: below the three kinds. */
        r = pik_db_prepare(db,
                           "SELECT r.config_id, r.browser, r.executed_at / 86400 * 86400 AS day, count(*), "
                           "  sum(r.outcome = 'success'), "
                           "  min(CASE o.kind WHEN 'partner' THEN 1 WHEN 'infrastructure' THEN 2 "
                           "      WHEN 'configuration' THEN 3 WHEN 'success' THEN NULL ELSE 4 END) "
                           "FROM result r LEFT JOIN outcome o ON o.name = r.outcome "
                           "WHERE r.partner = ?1 AND r.config_id IS NOT NULL AND r.executed_at >= ?2 / 86400 * 86400 "
                           "GROUP BY r.config_id, r.browser, day ORDER BY r.config_id, r.browser, day", &s);
        if (r < 0)
                return r;
        sqlite3_bind_text(s, 1, partner, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, since);

        for (;;) {
                static const char *const kinds[] = { NULL, "partner", "infrastructure", "configuration", "unknown" };
                int worst;

                r = pik_db_step(db, s);
                if (r <= 0)
                        return r;
                worst = sqlite3_column_type(s, 5) == SQLITE_NULL ? 0 : sqlite3_column_int(s, 5);
                PikResultDay d = {
                        .config_id = sqlite3_column_int64(s, 0),
                        .browser = (const char *) sqlite3_column_text(s, 1),
                        .day = sqlite3_column_int64(s, 2),
                        .results = sqlite3_column_int64(s, 3),
                        .successes = sqlite3_column_int64(s, 4),
                        .worst_kind = worst >= 0 && worst < (int) ELEMENTSOF(kinds) ? kinds[worst] : NULL,
                };
                r = cb(&d, userdata);
                if (r < 0)
                        return r;
        }
}
