/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdlib.h>

#include "execution.h"
#include "job.h"
#include "jobconfig.h"
#include "schedule.h"
#include "scheduler.h"
#include "string-util.h"

typedef struct JobWork {
        int64_t config_id;
        int64_t browser_id;
        int64_t job_id;      /* 0: to be created */
        int64_t next;
        bool skipped;        /* its run is still going: "next" is a turn it misses */
} JobWork;

int pik_scheduler_pass(PikDb *db, const PikConfig *cfg, int64_t now, PikSchedulerStats *ret) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        _cleanup_stmt_ sqlite3_stmt *q = NULL, *ins = NULL, *upd = NULL, *skip = NULL, *skip_upd = NULL;
        _cleanup_(schedule_freep) Schedule *sched = NULL;
        _cleanup_free_ JobWork *work = NULL;
        size_t n_work = 0, n_alloc = 0;
        PikSchedulerStats st = {};
        int64_t sched_config = 0;
        bool sched_ok = false;
        int r;

        r = pik_job_register_shard_function(db, cfg);
        if (r < 0)
                return r;
        /* First, so that jobs rolled over below already run on the named
         * schedules' texts as pik.conf has them now. */
        r = pik_jobconfig_follow_named(db, cfg, now, &st.followed);
        if (r < 0)
                return r;
        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;

        /* Only the rows that need work: jobs missing, or dispatched and
         * passed. Everything else is left to the dispatcher. */
        r = pik_db_prepare(db,
                           "SELECT c.id, c.schedule_type, c.schedule, c.timezone, cb.browser_id, j.id, j.run_after, "
                           "  EXISTS (SELECT 1 FROM execution e WHERE e.job_id = j.id "
                           "          AND e.state IN " PIK_EXECUTION_RUNNING_SQL ") "
                           "FROM job_config c "
                           "JOIN partner p ON p.id = c.partner_id "
                           "JOIN job_config_browser cb ON cb.config_id = c.id "
                           "JOIN browser b ON b.id = cb.browser_id "
                           "LEFT JOIN scheduled_job j ON j.config_id = c.id AND j.browser_id = cb.browser_id "
                           "WHERE c.enabled AND p.enabled AND b.enabled AND pik_shard_owns(p.code) "
                           "  AND (j.id IS NULL OR (j.dispatched AND j.run_after <= ?1)) "
                           "ORDER BY c.id", &q);
        if (r < 0)
                return r;
        sqlite3_bind_int64(q, 1, now);

        r = pik_db_prepare(db, "INSERT INTO scheduled_job (config_id, browser_id, run_after) VALUES (?, ?, ?)", &ins);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, "UPDATE scheduled_job SET run_after = ?, dispatched = 0, attempt = 1 WHERE id = ?", &upd);
        if (r < 0)
                return r;
        /* A turn missed because the job's run is still going: recorded as
         * a skipped execution of its own, and the job stays dispatched at
         * that turn, so that the dispatcher does not start a second run
         * beside the first and the same turn is not recorded twice. */
        r = pik_db_prepare(db,
                           "INSERT INTO execution (job_id, config_id, partner, browser, key, state, attempt, "
                           "  created_at, finished_at) "
                           "SELECT j.id, j.config_id, p.code, b.name, '', 'skipped', 1, ?2, ?2 "
                           "FROM scheduled_job j JOIN job_config c ON c.id = j.config_id "
                           "JOIN partner p ON p.id = c.partner_id JOIN browser b ON b.id = j.browser_id "
                           "WHERE j.id = ?1", &skip);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, "UPDATE scheduled_job SET run_after = ? WHERE id = ?", &skip_upd);
        if (r < 0)
                return r;

        /* Decide first, write after: SQLite leaves undefined whether a
         * running query sees rows changed under it. */
        for (;;) {
                int64_t config_id, browser_id, next;
                bool running;

                r = pik_db_step(db, q);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                st.examined++;

                config_id = sqlite3_column_int64(q, 0);
                browser_id = sqlite3_column_int64(q, 4);

                /* Rows come ordered by configuration: parse each schedule once. */
                if (config_id != sched_config) {
                        ScheduleType type = schedule_type_from_string((const char *) sqlite3_column_text(q, 1));

                        sched = schedule_free(sched);
                        sched_config = config_id;
                        sched_ok = type >= 0 &&
                                   schedule_parse(type, (const char *) sqlite3_column_text(q, 2),
                                                  (const char *) sqlite3_column_text(q, 3), &sched, NULL) >= 0;
                        /* A zone removed from the system, say: skip this
                         * configuration, keep going with the others. */
                        if (!sched_ok && st.bad_schedule++ == 0)
                                st.bad_config_id = config_id;
                }
                if (!sched_ok)
                        continue;

                /* Still running: nothing to roll over. Only a turn that came
                 * while it runs is noted, as skipped (no overlapping runs). */
                running = sqlite3_column_type(q, 5) != SQLITE_NULL && sqlite3_column_int(q, 7);
                r = schedule_next(sched, pik_job_key(config_id, browser_id),
                                  running ? sqlite3_column_int64(q, 6) : now, &next);
                if (r >= 0 && running && next > now)
                        continue;
                if (r < 0) {
                        if (st.bad_schedule++ == 0)
                                st.bad_config_id = config_id;
                        continue;
                }

                if (n_work >= n_alloc) {
                        size_t na = MAX(n_alloc * 2, (size_t) 64);
                        JobWork *w = reallocarray(work, na, sizeof *work);
                        if (!w)
                                return -ENOMEM;
                        work = w;
                        n_alloc = na;
                }
                work[n_work++] = (JobWork) {
                        .config_id = config_id,
                        .browser_id = browser_id,
                        .job_id = sqlite3_column_type(q, 5) == SQLITE_NULL ? 0 : sqlite3_column_int64(q, 5),
                        .next = next,
                        .skipped = running,
                };
        }
        sqlite3_reset(q);

        for (size_t i = 0; i < n_work; i++) {
                sqlite3_stmt *s = work[i].job_id == 0 ? ins : upd;

                if (work[i].skipped) {
                        sqlite3_reset(skip);
                        sqlite3_bind_int64(skip, 1, work[i].job_id);
                        sqlite3_bind_int64(skip, 2, now);
                        r = pik_db_step(db, skip);
                        if (r < 0)
                                return r;
                        sqlite3_reset(skip_upd);
                        sqlite3_bind_int64(skip_upd, 1, work[i].next);
                        sqlite3_bind_int64(skip_upd, 2, work[i].job_id);
                        r = pik_db_step(db, skip_upd);
                        if (r < 0)
                                return r;
                        st.skipped++;
                        continue;
                }

                sqlite3_reset(s);
                if (work[i].job_id == 0) {
                        sqlite3_bind_int64(s, 1, work[i].config_id);
                        sqlite3_bind_int64(s, 2, work[i].browser_id);
                        sqlite3_bind_int64(s, 3, work[i].next);
                        st.created++;
                } else {
                        sqlite3_bind_int64(s, 1, work[i].next);
                        sqlite3_bind_int64(s, 2, work[i].job_id);
                        st.rolled++;
                }
                r = pik_db_step(db, s);
                if (r < 0)
                        return r;
        }

        r = pik_db_commit(TAKE_PTR(tx));
        if (r < 0)
                return r;
        if (ret)
                *ret = st;
        return 0;
}
