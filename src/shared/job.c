/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>

#include "browser.h"
#include "execution.h"
#include "job.h"
#include "jobconfig.h"
#include "partner.h"
#include "schedule.h"
#include "string-util.h"

#define GLOBAL_HOLD_KEY "hold"

uint64_t pik_job_key(int64_t config_id, int64_t browser_id) {
        int64_t k[2] = { config_id, browser_id };
        return mix64(hash64(k, sizeof k));
}

int pik_job_list(PikDb *db, PikJobFilter filter, int64_t now, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        const char *where;
        bool global_hold;
        int r;

        switch (filter) {
        case PIK_JOBS_OVERDUE:
                where = "WHERE j.dispatched = 0 AND j.run_after <= ?1 ";
                break;
        case PIK_JOBS_UPCOMING:
                where = "WHERE j.run_after > ?1 ";
                break;
        default:
                where = "WHERE ?1 IS NOT NULL ";
        }

        r = pik_job_get_global_hold(db, &global_hold);
        if (r < 0)
                return r;

        _cleanup_free_ char *sql = NULL;
        if (asprintf(&sql,
                     "SELECT j.id, j.config_id, p.code AS partner, b.name AS browser, j.run_after, j.dispatched, "
                     "       (c.held OR ?2) AS held, j.attempt, "
                     "       (c.enabled AND p.enabled AND b.enabled) AS enabled "
                     "FROM scheduled_job j JOIN job_config c ON c.id = j.config_id "
                     "JOIN partner p ON p.id = c.partner_id JOIN browser b ON b.id = j.browser_id "
                     "%s ORDER BY j.run_after, j.id", where) < 0)
                return -ENOMEM;

        r = pik_db_prepare(db, sql, &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, now);
        sqlite3_bind_int(s, 2, global_hold);
        return pik_db_query_json(db, s, 0, ret);
}

int pik_job_run_now(PikDb *db, const char *partner, const char *browser, int64_t now) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        _cleanup_stmt_ sqlite3_stmt *ins = NULL, *upd = NULL;
        int64_t partner_id, browser_id = 0;
        int r, n;

        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        r = pik_partner_get_id(db, partner, &partner_id);
        if (r < 0)
                return r;
        if (browser) {
                r = pik_browser_get_id(db, browser, &browser_id);
                if (r < 0)
                        return r;
        }

        /* Create what the scheduler has not created yet, due at once... */
        r = pik_db_prepare(db,
                           "INSERT OR IGNORE INTO scheduled_job (config_id, browser_id, run_after) "
                           "SELECT c.id, cb.browser_id, ?3 FROM job_config c "
                           "JOIN job_config_browser cb ON cb.config_id = c.id "
                           "JOIN browser b ON b.id = cb.browser_id "
                           "WHERE c.partner_id = ?1 AND (?2 = 0 OR cb.browser_id = ?2) "
                           "AND c.enabled AND b.enabled", &ins);
        if (r < 0)
                return r;
        sqlite3_bind_int64(ins, 1, partner_id);
        sqlite3_bind_int64(ins, 2, browser_id);
        sqlite3_bind_int64(ins, 3, now);
        r = pik_db_step(db, ins);
        if (r < 0)
                return r;

        /* ...and make the rest due now. A job whose run is still under way
         * is left alone; one whose run has ended but which the scheduler
         * has not rolled over yet is queued again. */
        r = pik_db_prepare(db,
                           "UPDATE scheduled_job SET run_after = ?3, attempt = 1, dispatched = 0 "
                           "WHERE (dispatched = 0 OR NOT EXISTS (SELECT 1 FROM execution e "
                           "       WHERE e.job_id = scheduled_job.id AND e.state IN " PIK_EXECUTION_RUNNING_SQL ")) "
                           "AND (?2 = 0 OR browser_id = ?2) "
                           "AND config_id IN (SELECT id FROM job_config WHERE partner_id = ?1 AND enabled) "
                           "AND browser_id IN (SELECT id FROM browser WHERE enabled)", &upd);
        if (r < 0)
                return r;
        sqlite3_bind_int64(upd, 1, partner_id);
        sqlite3_bind_int64(upd, 2, browser_id);
        sqlite3_bind_int64(upd, 3, now);
        r = pik_db_step(db, upd);
        if (r < 0)
                return r;
        n = sqlite3_changes(pik_db_handle(db));
        if (n == 0)
                return pik_db_set_error(db, -ENOENT, "partner '%s' has no enabled job%s%s to run now",
                                        partner, browser ? " in browser " : "", browser ?: "");

        r = pik_db_commit(TAKE_PTR(tx));
        return r < 0 ? r : n;
}

int pik_job_get_global_hold(PikDb *db, bool *ret) {
        _cleanup_free_ char *v = NULL;
        int r;

        r = pik_db_get_setting(db, GLOBAL_HOLD_KEY, &v);
        if (r < 0)
                return r;
        *ret = v && streq(v, "1");
        return 0;
}

int pik_job_set_held(PikDb *db, int64_t config_id, bool held) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        if (config_id < 0)
                return pik_db_set_error(db, -EINVAL, "configuration id must be positive");
        if (config_id == 0)
                return pik_db_set_setting(db, GLOBAL_HOLD_KEY, held ? "1" : NULL);

        r = pik_jobconfig_check_exists(db, config_id);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, "UPDATE job_config SET held = ? WHERE id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int(s, 1, held);
        sqlite3_bind_int64(s, 2, config_id);
        r = pik_db_step(db, s);
        return r < 0 ? r : 0;
}

uint64_t pik_retry_delay(const PikRetryPolicy *p, unsigned attempt) {
        uint64_t d = p->backoff_sec;

        for (unsigned i = 2; i < attempt && d < p->backoff_max_sec; i++)
                d *= 2;
        return MIN(d, (uint64_t) p->backoff_max_sec);
}

int pik_job_schedule_retry(PikDb *db, int64_t job_id, unsigned failed_attempt, const PikRetryPolicy *p,
                           int64_t now, int64_t not_before) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        unsigned next = failed_attempt + 1;
        int64_t when;
        int r;

        if (job_id <= 0 || next > p->max_attempts)
                return 0;

        when = now + (int64_t) pik_retry_delay(p, next);
        if (not_before > when)
                when = not_before;

        /* Clearing dispatched hands the job back to the dispatcher; the
         * scheduler leaves it alone until then because run_after is in the
         * future. */
        r = pik_db_prepare(db, "UPDATE scheduled_job SET run_after = ?, dispatched = 0, attempt = ? WHERE id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, when);
        sqlite3_bind_int(s, 2, (int) next);
        sqlite3_bind_int64(s, 3, job_id);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        return sqlite3_changes(pik_db_handle(db)) > 0;
}

static void sql_shard_owns(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
        const PikConfig *cfg = sqlite3_user_data(ctx);
        const unsigned char *code = sqlite3_value_text(argv[0]);

        sqlite3_result_int(ctx, code && pik_config_shard_owns(cfg, (const char *) code));
}

int pik_job_register_shard_function(PikDb *db, const PikConfig *cfg) {
        int rc = sqlite3_create_function(pik_db_handle(db), "pik_shard_owns", 1,
                                         SQLITE_UTF8 | SQLITE_DETERMINISTIC, (void *) cfg,
                                         sql_shard_owns, NULL, NULL);
        if (rc != SQLITE_OK)
                return pik_db_set_error(db, sqlite_to_errno(rc), "registering the shard function failed");
        return 0;
}
