/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatcher.h"
#include "execution.h"
#include "job.h"
#include "log.h"
#include "logged-result.h"
#include "maintenance.h"
#include "result.h"
#include "result-journal.h"

char *pik_check_unit_name(char buf[static PIK_CHECK_UNIT_MAX], int64_t execution_id) {
        snprintf(buf, PIK_CHECK_UNIT_MAX, "pik-check@%lld.service", (long long) execution_id);
        return buf;
}

/* How long past job_expiry the reaper leaves a check whose unit systemd
 * still has: RuntimeMaxSec= (job_expiry too) is stopping it, and its end
 * is recorded once it is gone. Reaped at the very second, a check
 * finishing in the same second (systemd's timer a little late on a loaded
 * host) had its report refused after it had logged its result. */
#define REAP_ALIVE_GRACE_SEC 5

typedef struct Running {
        int64_t id;                  /* 0: left for a later pass */
        int64_t since;               /* started_at, or created_at before the check fetched its job */
        bool started;
        bool gone;                   /* systemd no longer has its unit */
        bool logged;                 /* the journal holds the check's own result */
        PikLoggedResult result;
        bool ended;                  /* the journal says how its unit ended */
        PikUnitEnd end;
        bool recorded;               /* this pass recorded its result */
        PikResultRecorded rec;
        char *details;
        char unit[PIK_CHECK_UNIT_MAX];
} Running;

static void running_free_many(Running **l, size_t *n) {
        for (size_t i = 0; *l && i < *n; i++)
                free((*l)[i].details);
        *l = mfree(*l);
        *n = 0;
}

/* The executions waiting for a report, started (or, not started yet,
 * created) at or before `before`. From the start, as RuntimeMaxSec= of the
 * check's unit counts: a unit that systemd starts seconds after the
 * dispatch (a loaded host) must not be reaped while it runs, its report
 * then refused and its retry started beside it. */
static int list_running(PikDb *db, int64_t before, Running **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *q = NULL;
        _cleanup_free_ Running *l = NULL;
        size_t n = 0, alloc = 0;
        int r;

        r = pik_db_prepare(db, "SELECT id, started_at IS NOT NULL, coalesce(started_at, created_at) "
                               "FROM execution WHERE state IN "
                               PIK_EXECUTION_RUNNING_SQL " AND coalesce(started_at, created_at) <= ?1 ORDER BY id", &q);
        if (r < 0)
                return r;
        sqlite3_bind_int64(q, 1, before);
        for (;;) {
                r = pik_db_step(db, q);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (n >= alloc) {
                        size_t na = MAX(alloc * 2, (size_t) 16);
                        Running *p = reallocarray(l, na, sizeof *l);
                        if (!p)
                                return -ENOMEM;
                        l = p;
                        alloc = na;
                }
                l[n] = (Running) {
                        .id = sqlite3_column_int64(q, 0),
                        .started = sqlite3_column_int(q, 1),
                        .since = sqlite3_column_int64(q, 2),
                };
                pik_check_unit_name(l[n].unit, l[n].id);
                n++;
        }
        *ret = TAKE_PTR(l);
        *ret_n = n;
        return 0;
}

/* What the journal knows of each execution: the result its check logged
 * (and never got to pikd) and, for a unit that is gone, how it ended.
 * Asked outside the transaction, like systemd. */
static void read_journal(const PikUnitStarter *starter, Running *l, size_t n) {
        for (size_t i = 0; starter && i < n; i++) {
                int r;

                if (l[i].id == 0)
                        continue;
                if (l[i].started && starter->logged_result) {
                        l[i].result = (PikLoggedResult) PIK_LOGGED_RESULT_INIT;
                        r = starter->logged_result(l[i].id, &l[i].result);
                        if (r < 0)
                                log_warning_errno(r, "Failed to read the journal for the result of execution %lld: %m",
                                                  (long long) l[i].id);
                        l[i].logged = r > 0;
                }
                if (l[i].gone && !l[i].logged && starter->unit_end) {
                        l[i].end = (PikUnitEnd) {};
                        r = starter->unit_end(l[i].id, &l[i].end);
                        if (r < 0)
                                log_warning_errno(r, "Failed to read the journal for how %s ended: %m", l[i].unit);
                        l[i].ended = r > 0;
                }
        }
}

static int record(PikDb *db, const PikConfig *cfg, Running *run, const PikResultReport *rep, const char *state,
                  int64_t now) {
        int r;

        r = pik_result_record_locked(db, cfg, rep, now, state, &run->rec);
        if (r == -ESTALE)
                return 0;       /* reported in the meantime: nothing to reap */
        if (r < 0)
                return r;
        run->recorded = true;
        return 1;
}

/* The check found its result; only the report was lost. 0 when what it
 * logged cannot be recorded (an outcome not in the catalog). */
static int reap_logged(PikDb *db, const PikConfig *cfg, Running *run, const char *then, int64_t now) {
        PikResultReport rep;
        int r;

        if (asprintf(&run->details, "recorded from the journal: the check logged it, its report never reached "
                                    "pikd (then %s)", then) < 0)
                return -ENOMEM;
        pik_logged_result_to_report(&run->result, run->id, run->details, &rep);
        r = record(db, cfg, run, &rep, "failure", now);
        if (r != -EINVAL)
                return r < 0 ? r : 1;
        log_warning("Execution %lld logged outcome '%s', which is not in the catalog; recording how it ended.",
                    (long long) run->id, run->result.outcome);
        run->logged = false;
        run->details = mfree(run->details);
        return 0;
}

static int reap_one(PikDb *db, const PikConfig *cfg, Running *run, const char *outcome, int64_t duration_ms,
                    const char *details, const char *state, int64_t now) {
        PikResultReport rep = PIK_RESULT_REPORT_INIT;
        int r;

        if (run->logged) {
                r = reap_logged(db, cfg, run, details, now);
                if (r != 0)
                        return r;
        }
        run->details = strdup(details);
        if (!run->details)
                return -ENOMEM;
        rep.execution_id = run->id;
        rep.outcome = outcome;
        rep.duration_ms = duration_ms;
        rep.details = run->details;
        return record(db, cfg, run, &rep, state, now);
}

/* A unit gone without a report: how it ended, as systemd logged it; past
 * job_expiry and with nothing logged, the expiry all the same; otherwise
 * a crash (or, before it fetched its job, a unit that never ran). */
static int reap_gone(PikDb *db, const PikConfig *cfg, Running *run, int64_t now) {
        _cleanup_free_ char *details = NULL;
        const char *outcome, *state;
        int64_t end;
        int r;

        if (run->ended) {
                r = pik_unit_end_details(&run->end, &details);
                if (r < 0)
                        return r;
                if (!run->started)
                        return reap_one(db, cfg, run, "unit-start-failed", 0, details, "failure", now);
                outcome = pik_unit_end_outcome(&run->end, &state);
                end = run->end.at > run->since && run->end.at <= now ? run->end.at : now;
                return reap_one(db, cfg, run, outcome, (end - run->since) * 1000, details, state, now);
        }
        if (run->since <= now - (int64_t) cfg->job_expiry_sec)
                return reap_one(db, cfg, run, "check-expired", (int64_t) cfg->job_expiry_sec * 1000,
                                "no report within job_expiry", "expired", now);
        if (run->started)
                return reap_one(db, cfg, run, "engine-crashed", (now - run->since) * 1000,
                                "the check's unit ended without a report (the journal does not say how)",
                                "failure", now);
        return reap_one(db, cfg, run, "unit-start-failed", 0,
                        "the check's unit never ran (or ended before fetching its job)", "failure", now);
}

/* After the commit: what was recorded on the checks' behalf goes to the
 * journal, as a check's own result would have. */
static void journal_reaped(PikDb *db, const Running *l, size_t n, int64_t now) {
        for (size_t i = 0; i < n; i++) {
                if (!l[i].recorded)
                        continue;
                if (l[i].logged)
                        log_notice("Result of execution %lld (%s in %s, %s) recorded from the check's journal "
                                   "entry: its report never reached pikd.", (long long) l[i].id, l[i].rec.partner,
                                   l[i].rec.browser, l[i].rec.outcome.name);
                else
                        pik_journal_unreported(l[i].id, &l[i].rec, l[i].details);
                pik_journal_retry(db, l[i].id, &l[i].rec, now);
        }
}

int pik_dispatcher_reap_vanished(PikDb *db, const PikConfig *cfg, int64_t now, const PikUnitStarter *starter,
                                 unsigned *ret_reaped) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        Running *l = NULL;
        unsigned reaped = 0;
        size_t n = 0;
        int r;

        if (ret_reaped)
                *ret_reaped = 0;
        if (!starter || !starter->unit_alive)
                return 0;

        /* Ask systemd and the journal outside the transaction: it may take
         * a while, and the writers (pikd recording results) should not
         * wait for it. */
        r = list_running(db, now, &l, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = starter->unit_alive(starter->userdata, l[i].unit);
                l[i].gone = r == 0;
                l[i].id = l[i].gone ? l[i].id : 0;   /* keep only the gone ones */
        }
        read_journal(starter, l, n);

        r = pik_db_begin(db, &tx);
        if (r < 0)
                goto finish;
        for (size_t i = 0; i < n; i++) {
                if (l[i].id == 0)
                        continue;
                r = reap_gone(db, cfg, &l[i], now);
                if (r < 0)
                        goto finish;
                reaped += r > 0;
        }
        r = pik_db_commit(TAKE_PTR(tx));
        if (r < 0)
                goto finish;
        journal_reaped(db, l, n, now);
        if (ret_reaped)
                *ret_reaped = reaped;
finish:
        running_free_many(&l, &n);
        return r < 0 ? r : 0;
}

int pik_dispatcher_reap(PikDb *db, const PikConfig *cfg, int64_t now, const PikUnitStarter *starter,
                        unsigned *ret_reaped) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        Running *l = NULL;
        unsigned reaped = 0;
        size_t n = 0;
        int r;

        if (ret_reaped)
                *ret_reaped = 0;
        /* Still waiting for a report, and started (or created) job_expiry
         * or more ago. Listed before the transaction, for systemd and the
         * journal; one that reports in the meantime is left alone. */
        r = list_running(db, now - (int64_t) cfg->job_expiry_sec, &l, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; starter && starter->unit_alive && i < n; i++) {
                r = starter->unit_alive(starter->userdata, l[i].unit);
                l[i].gone = r == 0;
                if (r > 0 && l[i].since > now - (int64_t) cfg->job_expiry_sec - REAP_ALIVE_GRACE_SEC)
                        l[i].id = 0;    /* systemd is stopping it; once gone, its end is recorded */
        }
        read_journal(starter, l, n);

        r = pik_db_begin(db, &tx);
        if (r < 0)
                goto finish;
        for (size_t i = 0; i < n; i++) {
                if (l[i].id == 0)
                        continue;
                if (l[i].gone)
                        /* Stopped at RuntimeMaxSec= most likely, as systemd says. */
                        r = reap_gone(db, cfg, &l[i], now);
                else
                        r = reap_one(db, cfg, &l[i], "check-expired", (int64_t) cfg->job_expiry_sec * 1000,
                                     "no report within job_expiry", "expired", now);
                if (r < 0)
                        goto finish;
                reaped += r > 0;
        }
        r = pik_db_commit(TAKE_PTR(tx));
        if (r < 0)
                goto finish;
        journal_reaped(db, l, n, now);
        if (ret_reaped)
                *ret_reaped = reaped;
finish:
        running_free_many(&l, &n);
        return r < 0 ? r : 0;
}

int pik_dispatcher_key_wanted(PikDb *db, int64_t execution) {
        _cleanup_stmt_ sqlite3_stmt *q = NULL;
        int r;

        r = pik_db_prepare(db, "SELECT state = 'dispatched' FROM execution WHERE id = ?", &q);
        if (r < 0)
                return r;
        sqlite3_bind_int64(q, 1, execution);
        r = pik_db_step(db, q);
        if (r <= 0)
                return r;       /* no such execution: not wanted */
        return sqlite3_column_int(q, 0);
}

static int count_running(PikDb *db, unsigned *ret) {
        int64_t n;
        int r = pik_db_query_int64(db, "SELECT count(*) FROM execution WHERE state IN " PIK_EXECUTION_RUNNING_SQL, &n);
        if (r < 0)
                return r;
        *ret = (unsigned) n;
        return 0;
}

static int prepare_due(PikDb *db, const PikConfig *cfg, int64_t now, unsigned limit, sqlite3_stmt **ret) {
        _cleanup_free_ char *maintenance = NULL;
        int r;

        r = pik_job_register_shard_function(db, cfg);
        if (r < 0)
                return r;
        /* A job in a maintenance window stays queued, like a held one: its
         * turn is not recorded as skipped (nothing ran, nothing failed), and
         * it runs once at the first pass after the window. */
        r = pik_maintenance_open_windows(db, now, &maintenance);
        if (r < 0)
                return r;
        r = pik_db_prepare(db,
                           "SELECT j.id, p.code AS partner, b.name AS browser, j.attempt, j.config_id, j.run_after "
                           "FROM scheduled_job j JOIN job_config c ON c.id = j.config_id "
                           "JOIN partner p ON p.id = c.partner_id JOIN browser b ON b.id = j.browser_id "
                           "WHERE j.dispatched = 0 AND j.run_after <= ?1 AND NOT " PIK_HELD_SQL("c", "?1") " "
                           "  AND " PIK_MAINTENANCE_UNTIL_SQL("c", "?3") " IS NULL "
                           "  AND c.enabled AND p.enabled AND b.enabled AND pik_shard_owns(p.code) "
                           "ORDER BY j.run_after, j.id LIMIT ?2", ret);
        if (r < 0)
                return r;
        sqlite3_bind_int64(*ret, 1, now);
        sqlite3_bind_int64(*ret, 2, limit);
        sqlite3_bind_text(*ret, 3, maintenance, -1, SQLITE_TRANSIENT);
        return 0;
}

int pik_dispatcher_due(PikDb *db, const PikConfig *cfg, int64_t now, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        unsigned running;
        bool held;
        int r;

        r = pik_job_get_global_hold(db, now, &held);
        if (r < 0)
                return r;
        r = count_running(db, &running);
        if (r < 0)
                return r;
        r = prepare_due(db, cfg, now, held || running >= cfg->max_concurrent ? 0 : cfg->max_concurrent - running, &s);
        if (r < 0)
                return r;
        return pik_db_query_json(db, s, 0, ret);
}

typedef struct DueJob {
        int64_t job_id;
        int64_t config_id;
        char partner[64];
        char browser[64];
        unsigned attempt;
} DueJob;

static int dispatch_one(PikDb *db, const DueJob *d, int64_t now, int64_t *ret_id, char key[static PIK_EXECUTION_KEY_HEX]) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        _cleanup_stmt_ sqlite3_stmt *ins = NULL, *upd = NULL, *unit = NULL;
        char name[PIK_CHECK_UNIT_MAX];
        int64_t id;
        int r;

        r = pik_execution_key_new(key);
        if (r < 0)
                return pik_db_set_error(db, r, "getrandom() failed: %s", strerror(-r));

        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;

        /* The job may have changed since it was selected (run-now, a
         * concurrent pass): only a job that is still not dispatched is
         * taken, so no run is started twice. */
        r = pik_db_prepare(db, "UPDATE scheduled_job SET dispatched = 1 WHERE id = ? AND dispatched = 0", &upd);
        if (r < 0)
                return r;
        sqlite3_bind_int64(upd, 1, d->job_id);
        r = pik_db_step(db, upd);
        if (r < 0)
                return r;
        if (sqlite3_changes(pik_db_handle(db)) == 0)
                return 0;

        r = pik_db_prepare(db,
                           "INSERT INTO execution (job_id, config_id, partner, browser, key, state, attempt, created_at) "
                           "VALUES (?, ?, ?, ?, ?, 'dispatched', ?, ?)", &ins);
        if (r < 0)
                return r;
        sqlite3_bind_int64(ins, 1, d->job_id);
        sqlite3_bind_int64(ins, 2, d->config_id);
        sqlite3_bind_text(ins, 3, d->partner, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, d->browser, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, key, -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 6, (int) d->attempt);
        sqlite3_bind_int64(ins, 7, now);
        r = pik_db_step(db, ins);
        if (r < 0)
                return r;
        id = sqlite3_last_insert_rowid(pik_db_handle(db));

        r = pik_db_prepare(db, "UPDATE execution SET unit = ? WHERE id = ?", &unit);
        if (r < 0)
                return r;
        sqlite3_bind_text(unit, 1, pik_check_unit_name(name, id), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(unit, 2, id);
        r = pik_db_step(db, unit);
        if (r < 0)
                return r;

        r = pik_db_commit(TAKE_PTR(tx));
        if (r < 0)
                return r;
        *ret_id = id;
        return 1;
}

int pik_dispatcher_pass(PikDb *db, const PikConfig *cfg, int64_t now, const PikUnitStarter *starter,
                        PikDispatcherStats *ret) {
        _cleanup_stmt_ sqlite3_stmt *q = NULL;
        _cleanup_free_ DueJob *due = NULL;
        PikDispatcherStats st = {};
        size_t n = 0;
        int r;

        r = pik_dispatcher_reap(db, cfg, now, starter, &st.reaped);
        if (r < 0)
                return r;
        r = pik_dispatcher_reap_vanished(db, cfg, now, starter, &st.vanished);
        if (r < 0)
                return r;

        r = pik_job_get_global_hold(db, now, &st.held);
        if (r < 0)
                return r;
        r = count_running(db, &st.running);
        if (r < 0)
                return r;
        if (starter->count_active) {
                unsigned active;

                /* Units systemd still runs count even when their execution
                 * has ended in the database (a check finishing its report):
                 * the cap is about processes on this host. */
                if (starter->count_active(starter->userdata, &active) >= 0)
                        st.running = MAX(st.running, active);
        }

        if (!st.held && st.running < cfg->max_concurrent) {
                unsigned slots = cfg->max_concurrent - st.running;

                due = calloc(slots, sizeof *due);
                if (!due)
                        return -ENOMEM;
                r = prepare_due(db, cfg, now, slots, &q);
                if (r < 0)
                        return r;
                while (n < slots) {
                        r = pik_db_step(db, q);
                        if (r < 0)
                                return r;
                        if (r == 0)
                                break;
                        due[n] = (DueJob) {
                                .job_id = sqlite3_column_int64(q, 0),
                                .attempt = (unsigned) sqlite3_column_int(q, 3),
                                .config_id = sqlite3_column_int64(q, 4),
                        };
                        strncpy(due[n].partner, (const char *) sqlite3_column_text(q, 1), sizeof due[n].partner - 1);
                        strncpy(due[n].browser, (const char *) sqlite3_column_text(q, 2), sizeof due[n].browser - 1);
                        n++;
                }
                sqlite3_reset(q);
        }

        for (size_t i = 0; i < n; i++) {
                char key[PIK_EXECUTION_KEY_HEX], unit[PIK_CHECK_UNIT_MAX];
                int64_t id = 0;

                r = dispatch_one(db, &due[i], now, &id, key);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;

                PikExecutionStart e = {
                        .execution_id = id,
                        .job_id = due[i].job_id,
                        .unit = pik_check_unit_name(unit, id),
                        .key = key,
                        .partner = due[i].partner,
                        .browser = due[i].browser,
                        .attempt = due[i].attempt,
                };
                r = starter->start(starter->userdata, &e);
                explicit_bzero(key, sizeof key);
                if (r < 0) {
                        PikResultReport rep = PIK_RESULT_REPORT_INIT;
                        _cleanup_free_ char *details = NULL;

                        if (asprintf(&details, "starting %s failed: %s", unit, strerror(-r)) < 0)
                                return -ENOMEM;
                        rep.execution_id = id;
                        rep.outcome = "unit-start-failed";
                        rep.details = details;
                        r = pik_result_record(db, cfg, &rep, now, NULL);
                        if (r < 0)
                                return r;
                        st.start_failed++;
                        continue;
                }
                st.dispatched++;
        }

        if (ret)
                *ret = st;
        return 0;
}
