/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "browser.h"
#include "execution.h"
#include "job.h"
#include "jobconfig.h"
#include "partner.h"
#include "schedule.h"
#include "string-util.h"
#include "time-util.h"
#include "validate.h"

#define GLOBAL_HOLD_KEY "hold"
#define GLOBAL_HOLD_REASON_KEY "hold_reason"
#define GLOBAL_HOLD_UNTIL_KEY "hold_until"

uint64_t pik_job_key(int64_t config_id, int64_t browser_id) {
        int64_t k[2] = { config_id, browser_id };
        return mix64(hash64(k, sizeof k));
}

int pik_job_list(PikDb *db, PikJobFilter filter, int64_t now, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        _cleanup_(pik_hold_done) PikHold global = {};
        const char *where;
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

        r = pik_job_get_hold(db, 0, now, &global);
        if (r < 0)
                return r;

        _cleanup_free_ char *sql = NULL;
        if (asprintf(&sql,
                     "SELECT j.id, j.config_id, p.code AS partner, b.name AS browser, j.run_after, j.dispatched, "
                     "       (" PIK_HELD_SQL("c", "?1") " OR ?2) AS held, "
                     "       CASE WHEN ?2 THEN ?3 WHEN " PIK_HELD_SQL("c", "?1") " THEN c.held_reason END AS held_reason, "
                     "       CASE WHEN ?2 THEN nullif(?4, 0) WHEN " PIK_HELD_SQL("c", "?1") " THEN c.held_until END AS held_until, "
                     "       j.attempt, "
                     "       (c.enabled AND p.enabled AND b.enabled) AS enabled "
                     "FROM scheduled_job j JOIN job_config c ON c.id = j.config_id "
                     "JOIN partner p ON p.id = c.partner_id JOIN browser b ON b.id = j.browser_id "
                     "%s ORDER BY j.run_after, j.id", where) < 0)
                return -ENOMEM;

        r = pik_db_prepare(db, sql, &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, now);
        sqlite3_bind_int(s, 2, global.held);
        if (global.reason)
                sqlite3_bind_text(s, 3, global.reason, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, global.until);
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

void pik_hold_done(PikHold *h) {
        h->reason = mfree(h->reason);
        h->held = false;
        h->until = 0;
}

static int validate_hold(PikDb *db, const char *reason, int64_t until, int64_t now) {
        char buf[FORMAT_TIMESTAMP_MAX], now_buf[FORMAT_TIMESTAMP_MAX];
        int r;

        if (reason && *reason) {
                r = pik_validate_text(db, "reason", reason, PIK_TEXT_MAX, false);
                if (r < 0)
                        return r;
        }
        if (until < 0 || (until > 0 && until <= now))
                return pik_db_set_error(db, -EINVAL, "hold end %s is not in the future (now is %s)",
                                        until > 0 ? format_timestamp(buf, until) : "(negative)",
                                        format_timestamp(now_buf, now));
        return 0;
}

static int set_global_hold(PikDb *db, const char *reason, int64_t until, bool held) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        char v[24];
        int r;

        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        r = pik_db_set_setting(db, GLOBAL_HOLD_KEY, held ? "1" : NULL);
        if (r < 0)
                return r;
        r = pik_db_set_setting(db, GLOBAL_HOLD_REASON_KEY, held && reason && *reason ? reason : NULL);
        if (r < 0)
                return r;
        snprintf(v, sizeof v, "%lld", (long long) until);
        r = pik_db_set_setting(db, GLOBAL_HOLD_UNTIL_KEY, held && until > 0 ? v : NULL);
        if (r < 0)
                return r;
        return pik_db_commit(TAKE_PTR(tx));
}

static int set_config_hold(PikDb *db, int64_t config_id, const char *reason, int64_t until, bool held) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_jobconfig_check_exists(db, config_id);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, "UPDATE job_config SET held = ?, held_reason = ?, held_until = ? WHERE id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int(s, 1, held);
        if (held && reason && *reason)
                sqlite3_bind_text(s, 2, reason, -1, SQLITE_STATIC);
        if (held && until > 0)
                sqlite3_bind_int64(s, 3, until);
        sqlite3_bind_int64(s, 4, config_id);
        r = pik_db_step(db, s);
        return r < 0 ? r : 0;
}

int pik_job_hold(PikDb *db, int64_t config_id, const char *reason, int64_t until, int64_t now) {
        int r;

        if (config_id < 0)
                return pik_db_set_error(db, -EINVAL, "configuration id must be positive");
        r = validate_hold(db, reason, until, now);
        if (r < 0)
                return r;
        if (config_id == 0)
                return set_global_hold(db, reason, until, true);
        return set_config_hold(db, config_id, reason, until, true);
}

int pik_job_release(PikDb *db, int64_t config_id) {
        if (config_id < 0)
                return pik_db_set_error(db, -EINVAL, "configuration id must be positive");
        if (config_id == 0)
                return set_global_hold(db, NULL, 0, false);
        return set_config_hold(db, config_id, NULL, 0, false);
}

int pik_job_set_held(PikDb *db, int64_t config_id, bool held) {
        return held ? pik_job_hold(db, config_id, NULL, 0, 0) : pik_job_release(db, config_id);
}

static int get_global_hold(PikDb *db, int64_t now, PikHold *ret) {
        _cleanup_free_ char *v = NULL, *until = NULL, *reason = NULL;
        long long u = 0;
        int r;

        r = pik_db_get_setting(db, GLOBAL_HOLD_KEY, &v);
        if (r < 0)
                return r;
        if (!v || !streq(v, "1")) {
                *ret = (PikHold) {};
                return 0;
        }
        r = pik_db_get_setting(db, GLOBAL_HOLD_UNTIL_KEY, &until);
        if (r < 0)
                return r;
        if (until && sscanf(until, "%lld", &u) != 1)
                u = 0;
        if (u > 0 && u <= now) {
                *ret = (PikHold) {};
                return 0;
        }
        r = pik_db_get_setting(db, GLOBAL_HOLD_REASON_KEY, &reason);
        if (r < 0)
                return r;
        *ret = (PikHold) { .held = true, .reason = TAKE_PTR(reason), .until = u };
        return 0;
}

int pik_job_get_hold(PikDb *db, int64_t config_id, int64_t now, PikHold *ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        if (config_id < 0)
                return pik_db_set_error(db, -EINVAL, "configuration id must be positive");
        if (config_id == 0)
                return get_global_hold(db, now, ret);

        r = pik_db_prepare(db, "SELECT " PIK_HELD_SQL("c", "?2") ", c.held_reason, c.held_until "
                           "FROM job_config c WHERE c.id = ?1", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, config_id);
        sqlite3_bind_int64(s, 2, now);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        if (r == 0)
                return pik_db_set_error(db, -ENOENT, "configuration %lld does not exist", (long long) config_id);
        if (!sqlite3_column_int(s, 0)) {
                *ret = (PikHold) {};
                return 0;
        }
        _cleanup_free_ char *reason = NULL;
        if (sqlite3_column_type(s, 1) != SQLITE_NULL) {
                reason = strdup((const char *) sqlite3_column_text(s, 1));
                if (!reason)
                        return -ENOMEM;
        }
        *ret = (PikHold) { .held = true, .reason = TAKE_PTR(reason), .until = sqlite3_column_int64(s, 2) };
        return 0;
}

int pik_job_get_global_hold(PikDb *db, int64_t now, bool *ret) {
        PikHold h = {};
        int r;

        r = get_global_hold(db, now, &h);
        if (r < 0)
                return r;
        *ret = h.held;
        pik_hold_done(&h);
        return 0;
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
