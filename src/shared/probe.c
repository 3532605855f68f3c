/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "execution.h"
#include "probe.h"

static const char *column_text(sqlite3_stmt *s, int i) {
        return (const char *) sqlite3_column_text(s, i);
}

static int64_t column_ms(sqlite3_stmt *s, int i) {
        return sqlite3_column_type(s, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, i);
}

int pik_probe_foreach(PikDb *db, PikProbeFn cb, void *userdata) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        /* result_check_last holds one row per check (kept by a trigger):
         * one primary-key lookup per check for the rest. */
        r = pik_db_prepare(db,
                           "SELECT c.id, c.name, p.code, l.browser, r.outcome, coalesce(o.kind, 'unknown'), r.id, "
                           "  r.executed_at, r.duration_ms, r.dns_ms, r.connect_ms, r.tls_ms, r.ttfb_ms, r.total_ms, "
                           "  (SELECT st.http_status FROM result_step st WHERE st.result_id = r.id "
                           "     ORDER BY st.position DESC LIMIT 1) "
                           "FROM result_check_last l "
                           "JOIN job_config c ON c.id = l.config_id "
                           "JOIN partner p ON p.id = c.partner_id "
                           "JOIN result r ON r.id = l.result_id "
                           "LEFT JOIN outcome o ON o.name = r.outcome "
                           "ORDER BY p.code, c.id, l.browser", &s);
        if (r < 0)
                return r;

        for (;;) {
                r = pik_db_step(db, s);
                if (r <= 0)
                        return r;

                PikProbe p = {
                        .config_id = sqlite3_column_int64(s, 0),
                        .name = column_text(s, 1),
                        .partner = column_text(s, 2),
                        .browser = column_text(s, 3),
                        .outcome = column_text(s, 4),
                        .kind = column_text(s, 5),
                        .result_id = sqlite3_column_int64(s, 6),
                        .executed_at = sqlite3_column_int64(s, 7),
                        .duration_ms = sqlite3_column_int64(s, 8),
                        .dns_ms = column_ms(s, 9),
                        .connect_ms = column_ms(s, 10),
                        .tls_ms = column_ms(s, 11),
                        .ttfb_ms = column_ms(s, 12),
                        .total_ms = column_ms(s, 13),
                        .http_status = sqlite3_column_int64(s, 14),
                };
                r = cb(&p, userdata);
                if (r < 0)
                        return r;
        }
}

int pik_result_count_foreach(PikDb *db, PikResultCountFn cb, void *userdata) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_prepare(db,
                           "SELECT r.partner, r.browser, r.outcome, coalesce(o.kind, 'unknown'), count(*) "
                           "FROM result r LEFT JOIN outcome o ON o.name = r.outcome "
                           "GROUP BY r.partner, r.browser, r.outcome "
                           "ORDER BY r.partner, r.browser, r.outcome", &s);
        if (r < 0)
                return r;

        for (;;) {
                r = pik_db_step(db, s);
                if (r <= 0)
                        return r;

                PikResultCount c = {
                        .partner = column_text(s, 0),
                        .browser = column_text(s, 1),
                        .outcome = column_text(s, 2),
                        .kind = column_text(s, 3),
                        .count = sqlite3_column_int64(s, 4),
                };
                r = cb(&c, userdata);
                if (r < 0)
                        return r;
        }
}

int pik_execution_count_running(PikDb *db, int64_t *ret) {
        return pik_db_query_int64(db, "SELECT count(*) FROM execution WHERE state IN " PIK_EXECUTION_RUNNING_SQL, ret);
}

int pik_alert_firing_foreach(PikDb *db, PikFiringFn cb, void *userdata) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_prepare(db,
                           "SELECT coalesce(a.config_id, 0), c.name, a.partner, a.browser, a.outcome, a.kind "
                           "FROM alert a LEFT JOIN job_config c ON c.id = a.config_id "
                           "WHERE a.closed_at IS NULL "
                           "ORDER BY a.partner, a.config_id, a.browser, a.outcome", &s);
        if (r < 0)
                return r;

        for (;;) {
                r = pik_db_step(db, s);
                if (r <= 0)
                        return r;

                PikFiring f = {
                        .config_id = sqlite3_column_int64(s, 0),
                        .name = column_text(s, 1),
                        .partner = column_text(s, 2),
                        .browser = column_text(s, 3),
                        .outcome = column_text(s, 4),
                        .kind = column_text(s, 5),
                };
                r = cb(&f, userdata);
                if (r < 0)
                        return r;
        }
}

int pik_notification_failures_foreach(PikDb *db, PikChannelCountFn cb, void *userdata) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        /* attempts counts every delivery attempt; a sent notification's
         * last one succeeded, all others failed. */
        r = pik_db_prepare(db,
                           "SELECT channel, sum(max(attempts - (state = 'sent'), 0)) FROM notification "
                           "GROUP BY channel ORDER BY channel", &s);
        if (r < 0)
                return r;

        for (;;) {
                r = pik_db_step(db, s);
                if (r <= 0)
                        return r;
                r = cb(column_text(s, 0), sqlite3_column_int64(s, 1), userdata);
                if (r < 0)
                        return r;
        }
}
