/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The dispatcher pass on a simulated clock with a recording unit starter:
 * due selection, the concurrency cap, holds, keys, reaping, retries with
 * backoff, result recording, and refusals that change nothing. */

#include <stdarg.h>

#include "browser.h"
#include "dispatcher.h"
#include "execution.h"
#include "job.h"
#include "jobconfig.h"
#include "partner.h"
#include "result.h"
#include "test-helpers.h"

static PikDb *db;
static PikConfig *cfg;

typedef struct Recorder {
        unsigned n;
        int64_t ids[64];
        char keys[64][PIK_EXECUTION_KEY_HEX];
        char partners[64][64];
        int fail_with;
} Recorder;

static int record_start(void *userdata, const PikExecutionStart *e) {
        Recorder *r = userdata;
        char unit[PIK_CHECK_UNIT_MAX];

        ASSERT_TRUE(r->n < 64);
        ASSERT_STREQ(e->unit, pik_check_unit_name(unit, e->execution_id));
        if (r->fail_with)
                return -r->fail_with;
        r->ids[r->n] = e->execution_id;
        snprintf(r->keys[r->n], sizeof r->keys[0], "%s", e->key);
        snprintf(r->partners[r->n], sizeof r->partners[0], "%s", e->partner);
        r->n++;
        return 0;
}

#define q(...) test_query_int64(db, __VA_ARGS__)

static PikDispatcherStats dispatch(Recorder *rec, int64_t now) {
        PikUnitStarter s = { .start = record_start, .userdata = rec };
        PikDispatcherStats st;

        ASSERT_OK(pik_dispatcher_pass(db, cfg, now, &s, &st));
        return st;
}

static int report(int64_t execution, const char *outcome, int64_t now) {
        PikResultReport rep = PIK_RESULT_REPORT_INIT;

        rep.execution_id = execution;
        rep.outcome = outcome;
        rep.duration_ms = 1234;
        rep.total_ms = 1200;
        return pik_result_record(db, cfg, &rep, now, NULL);
}

static const int64_t T0 = 1780000000;   /* 2026-05-28T20:26:40Z */

/* Three partners, one job each, due at T0-30, T0-20, T0-10. */
static void setup(void) {
        static char *ff[] = { (char *) "ff", NULL };
        const char *codes[] = { "alpha", "bravo", "charlie" };

        ASSERT_OK(pik_browser_add(db, &(PikBrowserSpec) { .name = "ff", .engine = "http" }, 0));
        for (size_t i = 0; i < 3; i++) {
                PikJobConfigSpec spec = {
                        .partner = codes[i],
                        .browsers = ff,
                        .entry_url = "https://partner.test/",
                        .schedule_type = SCHEDULE_INTERVAL,
                        .schedule = "5m",
                        .wait_sec = -1,
                };
                ASSERT_OK(pik_partner_add(db, codes[i], codes[i], 0));
                ASSERT_OK(pik_jobconfig_add(db, &spec, "UTC", 0, NULL));
        }
        ASSERT_OK(pik_db_exec(db, "INSERT INTO scheduled_job (config_id, browser_id, run_after) "
                                  "SELECT id, 1, 1780000000 - 40 + 10 * id FROM job_config"));
}

static void test_due_and_cap(void) {
        Recorder rec = {};
        PikDispatcherStats st;
        _cleanup_free_ char *before = NULL, *after = NULL;
        _cleanup_json_ json_object *due = NULL;

        /* Nothing is due before its time. */
        st = dispatch(&rec, T0 - 31);
        ASSERT_EQ(st.dispatched, 0);

        /* --dry-run lists what is due and writes nothing. */
        before = test_db_dump(db);
        ASSERT_OK(pik_dispatcher_due(db, cfg, T0, &due));
        ASSERT_EQ(json_object_array_length(due), 3);
        after = test_db_dump(db);
        ASSERT_STREQ(before, after);

        cfg->max_concurrent = 2;
        st = dispatch(&rec, T0);
        ASSERT_EQ(st.dispatched, 2);
        ASSERT_EQ(rec.n, 2);
        /* Oldest first. */
        ASSERT_STREQ(rec.partners[0], "alpha");
        ASSERT_STREQ(rec.partners[1], "bravo");
        /* Each execution: its own 256-bit key, stored, dispatched. */
        ASSERT_EQ(strlen(rec.keys[0]), 64);
        ASSERT_TRUE(strcmp(rec.keys[0], rec.keys[1]) != 0);
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE id = %lld AND key = '%s' AND state = 'dispatched' "
                    "AND unit = 'pik-check@%lld.service'", (long long) rec.ids[0], rec.keys[0], (long long) rec.ids[0]), 1);
        ASSERT_EQ(q("SELECT count(*) FROM scheduled_job WHERE dispatched"), 2);

        /* The cap counts what still runs. */
        st = dispatch(&rec, T0 + 1);
        ASSERT_EQ(st.running, 2);
        ASSERT_EQ(st.dispatched, 0);

        ASSERT_OK(report(rec.ids[0], "success", T0 + 5));
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE id = %lld AND state = 'success'", (long long) rec.ids[0]), 1);
        st = dispatch(&rec, T0 + 6);
        ASSERT_EQ(st.dispatched, 1);
        ASSERT_STREQ(rec.partners[2], "charlie");

        /* A second pass never starts a dispatched job again. */
        st = dispatch(&rec, T0 + 7);
        ASSERT_EQ(st.dispatched, 0);
        ASSERT_EQ(q("SELECT count(*) FROM execution"), 3);
        cfg->max_concurrent = 16;
}

static void test_report_refusals(void) {
        _cleanup_free_ char *before = test_db_dump(db), *after = NULL;

        /* Reported twice: refused. Unknown execution, unknown outcome,
         * negative duration: refused. Nothing changes. */
        ASSERT_ERR(report(1, "success", T0 + 8), ESTALE);
        ASSERT_ERR(report(999, "success", T0 + 8), ENOENT);
        ASSERT_ERR(report(2, "it-worked-honest", T0 + 8), EINVAL);
        ASSERT_TRUE(strstr(pik_db_error(db), "it-worked-honest"));
        {
                PikResultReport rep = PIK_RESULT_REPORT_INIT;
                rep.execution_id = 2;
                rep.outcome = "success";
                rep.duration_ms = -5;
                ASSERT_ERR(pik_result_record(db, cfg, &rep, T0, NULL), EINVAL);
                rep.duration_ms = 5;
                rep.details = "\xff\xfe";
                ASSERT_ERR(pik_result_record(db, cfg, &rep, T0, NULL), EINVAL);
        }
        after = test_db_dump(db);
        ASSERT_STREQ(before, after);
}

static void test_partner_failure_not_retried(void) {
        PikResultRecorded rec;
        PikResultReport rep = PIK_RESULT_REPORT_INIT;

        rep.execution_id = 2;
        rep.outcome = "login-rejected";
        rep.duration_ms = 300;
        ASSERT_OK(pik_result_record(db, cfg, &rep, T0 + 9, &rec));
        ASSERT_EQ(rec.outcome.kind, OUTCOME_KIND_PARTNER);
        ASSERT_TRUE(!rec.retry_scheduled);
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE id = 2 AND state = 'failure'"), 1);
        /* The job stays dispatched: the scheduler gives it its next run. */
        ASSERT_EQ(q("SELECT dispatched FROM scheduled_job WHERE id = 2"), 1);
}

/* Execution 3 never reports: the reaper ends it as check-expired after
 * job_expiry, an infrastructure outcome, and the job is retried with
 * exponential backoff until max_attempts. */
static void test_reap_and_retry(void) {
        Recorder rec = {};
        PikDispatcherStats st;
        int64_t now = T0 + 6 + cfg->job_expiry_sec;

        st = dispatch(&rec, now - 1);
        ASSERT_EQ(st.reaped, 0);
        st = dispatch(&rec, now);
        ASSERT_EQ(st.reaped, 1);
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE id = 3 AND state = 'expired'"), 1);
        ASSERT_EQ(q("SELECT count(*) FROM result r JOIN outcome o ON o.name = r.outcome "
                    "WHERE r.execution_id = 3 AND r.outcome = 'check-expired' AND o.kind = 'infrastructure'"), 1);
        /* Retry 2 of 3 after backoff (30 s). */
        ASSERT_EQ(q("SELECT run_after FROM scheduled_job WHERE id = 3"), now + 30);
        ASSERT_EQ(q("SELECT attempt FROM scheduled_job WHERE id = 3 AND NOT dispatched"), 2);
        ASSERT_EQ(st.dispatched, 0);

        st = dispatch(&rec, now + 30);
        ASSERT_EQ(st.dispatched, 1);
        ASSERT_EQ(q("SELECT attempt FROM execution WHERE id = %lld", (long long) rec.ids[0]), 2);

        /* Attempt 2 crashes: attempt 3 after 60 s. */
        ASSERT_OK(report(rec.ids[0], "engine-crashed", now + 40));
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE id = %lld AND state = 'retry'", (long long) rec.ids[0]), 1);
        ASSERT_EQ(q("SELECT run_after FROM scheduled_job WHERE id = 3"), now + 40 + 60);
        st = dispatch(&rec, now + 100);
        ASSERT_EQ(st.dispatched, 1);
        ASSERT_EQ(q("SELECT attempt FROM execution WHERE id = %lld", (long long) rec.ids[1]), 3);

        /* Attempt 3 of 3 fails too: no more attempts, the job waits for
         * the scheduler's next regular run. */
        ASSERT_OK(report(rec.ids[1], "out-of-memory", now + 110));
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE id = %lld AND state = 'failure'", (long long) rec.ids[1]), 1);
        ASSERT_EQ(q("SELECT dispatched FROM scheduled_job WHERE id = 3"), 1);
}

static void test_retry_delay(void) {
        PikRetryPolicy p = { .max_attempts = 10, .backoff_sec = 30, .backoff_max_sec = 900 };

        ASSERT_EQ(pik_retry_delay(&p, 2), 30);
        ASSERT_EQ(pik_retry_delay(&p, 3), 60);
        ASSERT_EQ(pik_retry_delay(&p, 4), 120);
        ASSERT_EQ(pik_retry_delay(&p, 7), 900);
        ASSERT_EQ(pik_retry_delay(&p, 10), 900);
}

/* 429 with Retry-After: the retry waits for the partner, not the backoff. */
static void test_throttled_respects_retry_after(void) {
        Recorder rec = {};
        PikResultReport rep = PIK_RESULT_REPORT_INIT;
        int64_t now = T0 + 5000;

        ASSERT_OK(pik_job_run_now(db, "alpha", NULL, now));
        ASSERT_EQ(dispatch(&rec, now).dispatched, 1);
        rep.execution_id = rec.ids[0];
        rep.outcome = "partner-throttled";
        rep.duration_ms = 10;
        rep.retry_not_before = now + 600;
        ASSERT_OK(pik_result_record(db, cfg, &rep, now + 1, NULL));
        ASSERT_EQ(q("SELECT run_after FROM scheduled_job WHERE id = 1"), now + 600);
}

static void test_holds_and_run_now(void) {
        Recorder rec = {};
        int64_t now = T0 + 10000;
        _cleanup_free_ char *before = NULL, *after = NULL;

        ASSERT_OK(pik_db_exec(db, "UPDATE scheduled_job SET dispatched = 0, run_after = 1780000000"));
        ASSERT_OK(pik_db_exec(db, "UPDATE execution SET state = 'cancelled' WHERE state IN ('dispatched', 'started')"));

        ASSERT_OK(pik_job_set_held(db, 1, true));
        ASSERT_OK(pik_job_set_held(db, 0, true));
        ASSERT_TRUE(dispatch(&rec, now).held);
        ASSERT_EQ(rec.n, 0);
        ASSERT_OK(pik_job_set_held(db, 0, false));
        ASSERT_EQ(dispatch(&rec, now).dispatched, 2);          /* config 1 still held */
        ASSERT_STREQ(rec.partners[0], "bravo");
        ASSERT_OK(pik_job_set_held(db, 1, false));
        ASSERT_EQ(dispatch(&rec, now).dispatched, 1);
        ASSERT_STREQ(rec.partners[2], "alpha");

        before = test_db_dump(db);
        ASSERT_ERR(pik_job_set_held(db, 99, true), ENOENT);
        ASSERT_ERR(pik_job_run_now(db, "nope", NULL, now), ENOENT);
        ASSERT_ERR(pik_job_run_now(db, "alpha", "nope", now), ENOENT);
        /* Already dispatched: run-now has nothing to queue. */
        ASSERT_ERR(pik_job_run_now(db, "alpha", NULL, now), ENOENT);
        after = test_db_dump(db);
        ASSERT_STREQ(before, after);

        /* Run now: a job with a future run_after becomes due at once. */
        ASSERT_OK(pik_db_exec(db, "UPDATE scheduled_job SET dispatched = 0, run_after = 1790000000 WHERE id = 2"));
        ASSERT_EQ(dispatch(&rec, now + 1).dispatched, 0);
        ASSERT_EQ(pik_job_run_now(db, "bravo", "ff", now + 2), 1);
        ASSERT_EQ(dispatch(&rec, now + 2).dispatched, 1);
        ASSERT_STREQ(rec.partners[3], "bravo");

        /* Disabled partners are not dispatched, even when due. */
        ASSERT_OK(pik_db_exec(db, "UPDATE scheduled_job SET dispatched = 0, run_after = 1780000000"));
        ASSERT_OK(pik_db_exec(db, "UPDATE execution SET state = 'cancelled' WHERE state IN ('dispatched', 'started')"));
        ASSERT_OK(pik_partner_set_enabled(db, "alpha", false, "test"));
        ASSERT_OK(pik_partner_set_enabled(db, "bravo", false, "test"));
        ASSERT_EQ(dispatch(&rec, now + 3).dispatched, 1);
        ASSERT_STREQ(rec.partners[4], "charlie");
}

/* A hold with an end releases itself: nothing has to fire, every reader
 * compares the end with its own clock. */
static void test_hold_until(void) {
        Recorder rec = {};
        int64_t now = T0 + 15000;
        PikHold h = {};
        _cleanup_free_ char *before = NULL, *after = NULL;
        _cleanup_json_ json_object *jobs = NULL;

        ASSERT_OK(pik_partner_set_enabled(db, "alpha", true, NULL));
        ASSERT_OK(pik_partner_set_enabled(db, "bravo", true, NULL));
        ASSERT_OK(pik_db_exec(db, "UPDATE execution SET state = 'cancelled' WHERE state IN ('dispatched', 'started')"));
        ASSERT_OK(pik_db_exec(db, "UPDATE scheduled_job SET dispatched = 0, run_after = 1780000000"));

        ASSERT_OK(pik_job_hold(db, 1, "partner migration", now + 3600, now));
        ASSERT_OK(pik_job_get_hold(db, 1, now, &h));
        ASSERT_TRUE(h.held);
        ASSERT_STREQ(h.reason, "partner migration");
        ASSERT_EQ(h.until, now + 3600);
        pik_hold_done(&h);
        ASSERT_OK(pik_job_list(db, PIK_JOBS_ALL, now, &jobs));
        ASSERT_TRUE(strstr(json_object_to_json_string(jobs), "partner migration") != NULL);
        json_object_put(TAKE_PTR(jobs));

        ASSERT_TRUE(dispatch(&rec, now).dispatched > 0);
        ASSERT_EQ(q("SELECT count(*) FROM scheduled_job WHERE config_id = 1 AND dispatched"), 0);
        ASSERT_TRUE(q("SELECT count(*) FROM scheduled_job WHERE config_id <> 1 AND NOT dispatched") == 0);

        /* At its end the hold is over: no release was called. */
        ASSERT_OK(pik_job_get_hold(db, 1, now + 3600, &h));
        ASSERT_TRUE(!h.held);
        ASSERT_TRUE(h.reason == NULL);
        ASSERT_TRUE(dispatch(&rec, now + 3600).dispatched > 0);
        ASSERT_TRUE(q("SELECT count(*) FROM scheduled_job WHERE config_id = 1 AND dispatched") > 0);

        /* The global hold likewise. */
        ASSERT_OK(pik_db_exec(db, "UPDATE execution SET state = 'cancelled' WHERE state IN ('dispatched', 'started')"));
        ASSERT_OK(pik_db_exec(db, "UPDATE scheduled_job SET dispatched = 0, run_after = 1780000000"));
        ASSERT_OK(pik_job_hold(db, 0, "network work", now + 7200, now + 3600));
        ASSERT_TRUE(dispatch(&rec, now + 7199).held);
        ASSERT_EQ(q("SELECT count(*) FROM scheduled_job WHERE dispatched"), 0);
        ASSERT_OK(pik_job_get_hold(db, 0, now + 7199, &h));
        ASSERT_TRUE(h.held);
        ASSERT_STREQ(h.reason, "network work");
        ASSERT_EQ(h.until, now + 7200);
        pik_hold_done(&h);
        ASSERT_TRUE(!dispatch(&rec, now + 7200).held);
        ASSERT_TRUE(q("SELECT count(*) FROM scheduled_job WHERE dispatched") > 0);

        /* Releasing forgets reason and end; holding again replaces them. */
        ASSERT_OK(pik_job_hold(db, 1, "first", now + 100000, now + 7200));
        ASSERT_OK(pik_job_hold(db, 1, NULL, 0, now + 7200));
        ASSERT_EQ(q("SELECT count(*) FROM job_config WHERE id = 1 AND held AND held_reason IS NULL "
                    "AND held_until IS NULL"), 1);
        ASSERT_OK(pik_job_release(db, 1));
        ASSERT_OK(pik_job_release(db, 0));
        ASSERT_EQ(q("SELECT count(*) FROM setting WHERE key LIKE 'hold%%'"), 0);

        /* Bad input is refused and changes nothing. */
        before = test_db_dump(db);
        ASSERT_ERR(pik_job_hold(db, 1, "late", now + 7200, now + 7200), EINVAL);
        ASSERT_ERR(pik_job_hold(db, 0, "late", now, now + 7200), EINVAL);
        ASSERT_ERR(pik_job_hold(db, 1, "bad\x01reason", 0, now), EINVAL);
        ASSERT_ERR(pik_job_hold(db, 99, "gone", 0, now), ENOENT);
        ASSERT_ERR(pik_job_hold(db, -1, NULL, 0, now), EINVAL);
        ASSERT_ERR(pik_job_get_hold(db, 99, now, &h), ENOENT);
        after = test_db_dump(db);
        ASSERT_STREQ(before, after);
}

/* systemd refusing the unit is infrastructure: recorded, and retried. */
static void test_start_failure(void) {
        Recorder rec = { .fail_with = EIO };
        PikDispatcherStats st;
        int64_t now = T0 + 20000;

        ASSERT_OK(pik_db_exec(db, "UPDATE execution SET state = 'cancelled' WHERE state IN ('dispatched', 'started')"));
        ASSERT_OK(pik_db_exec(db, "UPDATE scheduled_job SET dispatched = 0, attempt = 1, run_after = 1780000000 WHERE id = 3"));
        st = dispatch(&rec, now);
        ASSERT_EQ(st.start_failed, 1);
        ASSERT_EQ(st.dispatched, 0);
        ASSERT_EQ(q("SELECT count(*) FROM result r JOIN execution e ON e.id = r.execution_id "
                    "WHERE r.outcome = 'unit-start-failed' AND e.state = 'retry' AND r.details LIKE '%%pik-check@%%'"), 1);
        ASSERT_EQ(q("SELECT attempt FROM scheduled_job WHERE id = 3 AND NOT dispatched"), 2);
}

typedef struct FakeSystemd {
        Recorder rec;
        int64_t alive_id;            /* the one unit still loaded; others are gone */
        unsigned active;
} FakeSystemd;

static int fake_start(void *userdata, const PikExecutionStart *e) {
        return record_start(&((FakeSystemd *) userdata)->rec, e);
}

static int fake_alive(void *userdata, const char *unit) {
        FakeSystemd *f = userdata;
        char name[PIK_CHECK_UNIT_MAX];
        return streq(unit, pik_check_unit_name(name, f->alive_id));
}

static int fake_count(void *userdata, unsigned *ret) {
        *ret = ((FakeSystemd *) userdata)->active;
        return 0;
}

/* The unit's own state: a check whose unit vanished without a report is
 * recorded at the next pass, as engine-crashed if it had fetched its job
 * and unit-start-failed if it never did; and the cap counts the units
 * systemd still runs. */
static void test_units(void) {
        FakeSystemd f = {};
        PikUnitStarter s = { .start = fake_start, .unit_alive = fake_alive, .count_active = fake_count, .userdata = &f };
        PikDispatcherStats st;
        int64_t now = T0 + 30000;

        ASSERT_OK(pik_db_exec(db, "UPDATE execution SET state = 'cancelled' WHERE state IN ('dispatched', 'started');"
                                  "UPDATE partner SET enabled = 1;"
                                  "UPDATE scheduled_job SET dispatched = 0, attempt = 1, run_after = 1780000000;"));
        ASSERT_OK(pik_dispatcher_pass(db, cfg, now, &s, &st));
        ASSERT_EQ(st.dispatched, 3);
        f.alive_id = f.rec.ids[2];
        ASSERT_OK(pik_db_exec(db, "UPDATE execution SET state = 'started', started_at = created_at WHERE id IN "
                                  "(SELECT max(id) - 2 FROM execution)"));

        ASSERT_OK(pik_dispatcher_pass(db, cfg, now + 1, &s, &st));
        ASSERT_EQ(st.vanished, 2);
        ASSERT_EQ(q("SELECT count(*) FROM result WHERE execution_id = %lld AND outcome = 'engine-crashed'",
                    (long long) f.rec.ids[0]), 1);
        ASSERT_EQ(q("SELECT count(*) FROM result WHERE execution_id = %lld AND outcome = 'unit-start-failed'",
                    (long long) f.rec.ids[1]), 1);
        ASSERT_EQ(q("SELECT count(*) FROM result WHERE execution_id = %lld", (long long) f.rec.ids[2]), 0);

        /* Both are retried after the backoff; with 15 units still active
         * under a cap of 16, only one of the two starts. */
        f.active = 15;
        ASSERT_OK(pik_dispatcher_pass(db, cfg, now + 1 + 30, &s, &st));
        ASSERT_EQ(st.running, 15);
        ASSERT_EQ(st.dispatched, 1);
}

/* A partner failure is checked once more before status shows the partner
 * as down: the first failure is recorded unconfirmed (status unchanged) and
 * re-checked after confirm_after; a second failure is confirmed; a failure
 * of a partner already down needs no confirmation. */
static void test_confirmation(void) {
        Recorder rec = {};
        int64_t now = T0 + 40000;

        cfg->retry.confirm_after_sec = 60;
        ASSERT_OK(pik_db_exec(db, "UPDATE execution SET state = 'cancelled' WHERE state IN ('dispatched', 'started');"
                                  "UPDATE scheduled_job SET dispatched = 1;"
                                  "UPDATE scheduled_job SET dispatched = 0, attempt = 1, run_after = 1780000000 WHERE id = 2;"));
        ASSERT_EQ(dispatch(&rec, now).dispatched, 1);
        ASSERT_OK(report(rec.ids[0], "success", now));

        ASSERT_OK(pik_job_run_now(db, "bravo", NULL, now + 10));
        ASSERT_EQ(dispatch(&rec, now + 10).dispatched, 1);
        ASSERT_OK(report(rec.ids[1], "http-5xx", now + 11));
        ASSERT_EQ(q("SELECT unconfirmed FROM result WHERE execution_id = %lld", (long long) rec.ids[1]), 1);
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE id = %lld AND state = 'retry'", (long long) rec.ids[1]), 1);
        /* Status still shows the success. */
        ASSERT_EQ(q("SELECT count(*) FROM result_check_last l JOIN result r ON r.id = l.result_id WHERE r.partner = 'bravo' AND l.outcome = 'success'"), 1);
        ASSERT_EQ(q("SELECT run_after FROM scheduled_job WHERE id = 2 AND attempt = 2 AND NOT dispatched"), now + 11 + 60);

        /* The re-check fails too: confirmed, status shows the partner down. */
        ASSERT_EQ(dispatch(&rec, now + 71).dispatched, 1);
        ASSERT_OK(report(rec.ids[2], "http-5xx", now + 72));
        ASSERT_EQ(q("SELECT unconfirmed FROM result WHERE execution_id = %lld", (long long) rec.ids[2]), 0);
        ASSERT_EQ(q("SELECT count(*) FROM result_check_last l JOIN result r ON r.id = l.result_id WHERE r.partner = 'bravo' AND l.outcome = 'http-5xx'"), 1);
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE id = %lld AND state = 'failure'", (long long) rec.ids[2]), 1);

        /* Already down: the next failure is confirmed at once. */
        ASSERT_OK(pik_job_run_now(db, "bravo", NULL, now + 100));
        ASSERT_EQ(dispatch(&rec, now + 100).dispatched, 1);
        ASSERT_OK(report(rec.ids[3], "login-rejected", now + 101));
        ASSERT_EQ(q("SELECT unconfirmed FROM result WHERE execution_id = %lld", (long long) rec.ids[3]), 0);
        ASSERT_EQ(q("SELECT count(*) FROM result_check_last l JOIN result r ON r.id = l.result_id WHERE r.partner = 'bravo' AND l.outcome = 'login-rejected'"), 1);
        cfg->retry.confirm_after_sec = 0;
}

/* job_expiry counts from when the check fetched its job (RuntimeMaxSec= of
 * its unit counts from the unit's start too), not from the dispatch: on a
 * loaded host a unit can start seconds after its execution was created, and
 * a pass can take its clock long before it writes. Reaped by the dispatch
 * time, such a check was refused its report (the journal said success, the
 * database check-expired) and its retry ran beside it (the soak found it). */
static void set_started(int64_t id, int64_t at) {
        char sql[128];

        snprintf(sql, sizeof sql, "UPDATE execution SET state = 'started', started_at = %lld WHERE id = %lld",
                 (long long) at, (long long) id);
        ASSERT_OK(pik_db_exec(db, sql));
}

static void test_reap_counts_from_start(void) {
        Recorder rec = {};
        PikDispatcherStats st;
        int64_t now = T0 + 50000, id;

        ASSERT_OK(pik_db_exec(db, "UPDATE execution SET state = 'cancelled' WHERE state IN ('dispatched', 'started');"
                                  "UPDATE scheduled_job SET dispatched = 1;"
                                  "UPDATE scheduled_job SET dispatched = 0, attempt = 1, run_after = 1780000000 WHERE id = 1;"));
        ASSERT_EQ(dispatch(&rec, now).dispatched, 1);
        id = rec.ids[0];
        /* Its unit starts and fetches its job 8 s after the dispatch. */
        set_started(id, now + 8);

        st = dispatch(&rec, now + cfg->job_expiry_sec + 1);
        ASSERT_EQ(st.reaped, 0);
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE id = %lld AND state = 'started'", (long long) id), 1);
        ASSERT_OK(report(id, "success", now + cfg->job_expiry_sec + 2));
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE id = %lld AND state = 'success'", (long long) id), 1);

        /* One that fetched its job and then never reported is reaped
         * job_expiry after it started. */
        ASSERT_OK(pik_job_run_now(db, "alpha", NULL, now + 100));
        ASSERT_EQ(dispatch(&rec, now + 100).dispatched, 1);
        id = rec.ids[1];
        set_started(id, now + 105);
        ASSERT_EQ(dispatch(&rec, now + 104 + cfg->job_expiry_sec).reaped, 0);
        ASSERT_EQ(dispatch(&rec, now + 105 + cfg->job_expiry_sec).reaped, 1);
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE id = %lld AND state = 'expired'", (long long) id), 1);
}

/* Everything still running cancelled; the jobs job_ids (SQL: "1, 2") due
 * again as first attempts, the others not. */
static void make_due(const char *job_ids) {
        char sql[512];

        snprintf(sql, sizeof sql,
                 "UPDATE execution SET state = 'cancelled' WHERE state IN ('dispatched', 'started', 'retry');"
                 "UPDATE scheduled_job SET dispatched = 1;"
                 "UPDATE scheduled_job SET dispatched = 0, attempt = 1, run_after = 1780000000 WHERE id IN (%s);",
                 job_ids);
        ASSERT_OK(pik_db_exec(db, sql));
}

/* A check that logged its result to the journal but whose report never
 * reached pikd (pikd killed under it; the check stopped at RuntimeMaxSec=
 * while it retried) is recorded as it logged it, not as the reaper's
 * check-expired or engine-crashed: the soak saw "success" in the journal
 * and check-expired in the database. An outcome the catalog does not know
 * falls back to the reaper's. */
static int64_t logged_success_id, logged_bogus_id;

static int fake_logged(int64_t execution, PikLoggedResult *ret) {
        if (execution != logged_success_id && execution != logged_bogus_id)
                return 0;
        snprintf(ret->outcome, sizeof ret->outcome, "%s", execution == logged_success_id ? "success" : "no-such-outcome");
        ret->duration_ms = 2345;
        ret->total_ms = 2000;
        return 1;
}

static void test_reap_from_journal(void) {
        Recorder rec = {};
        PikUnitStarter s = { .start = record_start, .logged_result = fake_logged, .userdata = &rec };
        PikDispatcherStats st;
        int64_t now = T0 + 60000;

        make_due("1, 2, 3");
        ASSERT_OK(pik_dispatcher_pass(db, cfg, now, &s, &st));
        ASSERT_EQ(st.dispatched, 3);
        logged_success_id = rec.ids[0];
        logged_bogus_id = rec.ids[1];
        for (unsigned i = 0; i < 3; i++)
                set_started(rec.ids[i], now + 1);

        ASSERT_OK(pik_dispatcher_pass(db, cfg, now + 1 + cfg->job_expiry_sec, &s, &st));
        ASSERT_EQ(st.reaped, 3);
        ASSERT_EQ(q("SELECT count(*) FROM result WHERE execution_id = %lld AND outcome = 'success' "
                    "AND duration_ms = 2345 AND total_ms = 2000 AND details LIKE 'recorded from the journal%%'",
                    (long long) rec.ids[0]), 1);
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE id = %lld AND state = 'success'", (long long) rec.ids[0]), 1);
        ASSERT_EQ(q("SELECT count(*) FROM result WHERE execution_id = %lld AND outcome = 'check-expired'",
                    (long long) rec.ids[1]), 1);
        ASSERT_EQ(q("SELECT count(*) FROM result WHERE execution_id = %lld AND outcome = 'check-expired'",
                    (long long) rec.ids[2]), 1);
        logged_success_id = logged_bogus_id = 0;
}

/* A check past job_expiry whose unit systemd still has is being stopped
 * by RuntimeMaxSec= and will record its own end: the reaper leaves it a
 * few seconds. Gone without a word after job_expiry, it is check-expired
 * (RuntimeMaxSec= most likely stopped it), not engine-crashed. */
static void test_reap_alive_unit(void) {
        FakeSystemd f = {};
        PikUnitStarter s = { .start = fake_start, .unit_alive = fake_alive, .userdata = &f };
        PikDispatcherStats st;
        int64_t now = T0 + 70000, alive, gone;

        make_due("1, 2");
        ASSERT_OK(pik_dispatcher_pass(db, cfg, now, &s, &st));
        ASSERT_EQ(st.dispatched, 2);
        alive = f.rec.ids[0];
        gone = f.rec.ids[1];
        f.alive_id = alive;
        set_started(alive, now);
        set_started(gone, now);

        ASSERT_OK(pik_dispatcher_pass(db, cfg, now + cfg->job_expiry_sec, &s, &st));
        ASSERT_EQ(st.reaped, 1);
        ASSERT_EQ(q("SELECT count(*) FROM result WHERE execution_id = %lld AND outcome = 'check-expired'",
                    (long long) gone), 1);
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE id = %lld AND state = 'started'", (long long) alive), 1);
        ASSERT_OK(pik_dispatcher_pass(db, cfg, now + cfg->job_expiry_sec + 4, &s, &st));
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE id = %lld AND state = 'started'", (long long) alive), 1);
        /* Still there after the grace: systemd did not stop it. */
        ASSERT_OK(pik_dispatcher_pass(db, cfg, now + cfg->job_expiry_sec + 5, &s, &st));
        ASSERT_EQ(st.reaped, 1);
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE id = %lld AND state = 'expired'", (long long) alive), 1);

        /* Gone after job_expiry, found by the vanished pass (the expiry
         * pass ran before the unit went): check-expired as well. */
        ASSERT_OK(pik_job_run_now(db, "alpha", NULL, now + 100));
        ASSERT_OK(pik_dispatcher_pass(db, cfg, now + 100, &s, &st));
        ASSERT_EQ(st.dispatched, 1);
        set_started(f.rec.ids[2], now + 100);
        ASSERT_OK(pik_dispatcher_reap_vanished(db, cfg, now + 100 + cfg->job_expiry_sec, &s, &st.vanished));
        ASSERT_EQ(st.vanished, 1);
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE id = %lld AND state = 'expired'", (long long) f.rec.ids[2]), 1);
}

/* A unit gone without a report is recorded as systemd logged its end (the
 * journal's UNIT_RESULT, EXIT_CODE and EXIT_STATUS of the main process),
 * with its duration up to that end; with nothing in the journal, as a
 * crash; and before the check fetched its job, as a unit that never ran. */
typedef struct UnitEndCase {
        PikUnitEnd end;
        const char *outcome, *state, *details;
} UnitEndCase;

static const UnitEndCase *unit_end_case;

static int fake_unit_end(int64_t execution, PikUnitEnd *ret) {
        if (!unit_end_case)
                return 0;
        *ret = unit_end_case->end;
        return 1;
}

static int all_gone(void *userdata, const char *unit) {
        return 0;
}

static void test_reap_unit_end(void) {
        static const UnitEndCase cases[] = {
                { { "timeout", "killed", "TERM", 0 }, "check-expired", "expired",
                  "unit ended: timed out, killed TERM (SERVICE_RESULT=timeout EXIT_CODE=killed EXIT_STATUS=TERM)" },
                { { "oom-kill", "killed", "KILL", 0 }, "out-of-memory", "retry",
                  "unit ended: killed by the OOM killer (SERVICE_RESULT=oom-kill EXIT_CODE=killed EXIT_STATUS=KILL)" },
                { { "signal", "killed", "SEGV", 0 }, "engine-crashed", "retry",
                  "unit ended: signal SEGV (SERVICE_RESULT=signal EXIT_CODE=killed EXIT_STATUS=SEGV)" },
                { { "core-dump", "dumped", "ABRT", 0 }, "engine-crashed", "retry",
                  "unit ended: core dump, signal ABRT (SERVICE_RESULT=core-dump EXIT_CODE=dumped EXIT_STATUS=ABRT)" },
                { { "exit-code", "exited", "3", 0 }, "engine-crashed", "retry",
                  "unit ended: exit code 3 (SERVICE_RESULT=exit-code EXIT_CODE=exited EXIT_STATUS=3)" },
                { { "success", "", "", 0 }, "engine-crashed", "retry",
                  "unit ended: exited with status 0 without reporting a result "
                  "(SERVICE_RESULT=success EXIT_CODE= EXIT_STATUS=)" },
                { { "watchdog", "", "", 0 }, "engine-crashed", "retry",
                  "unit ended: watchdog (SERVICE_RESULT=watchdog EXIT_CODE= EXIT_STATUS=)" },
                { { "", "killed", "SEGV", 0 }, "engine-crashed", "retry",
                  "unit ended: unknown (SERVICE_RESULT= EXIT_CODE=killed EXIT_STATUS=SEGV)" },
        };
        Recorder rec = {};
        PikUnitStarter s = { .start = record_start, .unit_alive = all_gone, .unit_end = fake_unit_end,
                             .userdata = &rec };
        PikDispatcherStats st;
        int64_t now = T0 + 80000, id;

        cfg->retry.max_attempts = 3;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++, now += 1000) {
                UnitEndCase c = cases[i];

                make_due("1");
                unit_end_case = NULL;
                ASSERT_OK(pik_dispatcher_pass(db, cfg, now, &s, &st));
                ASSERT_EQ(st.dispatched, 1);
                id = rec.ids[rec.n - 1];
                set_started(id, now + 1);
                /* It ended 30 s after it started; the pass sees it at 50 s. */
                c.end.at = now + 31;
                unit_end_case = &c;
                ASSERT_OK(pik_dispatcher_reap_vanished(db, cfg, now + 51, &s, &st.vanished));
                ASSERT_EQ(st.vanished, 1);
                ASSERT_EQ(q("SELECT count(*) FROM result r JOIN execution e ON e.id = r.execution_id "
                            "WHERE r.execution_id = %lld AND r.outcome = '%s' AND e.state = '%s' AND r.details = '%s'",
                            (long long) id, c.outcome, c.state, c.details), 1);
                ASSERT_EQ(q("SELECT duration_ms FROM result WHERE execution_id = %lld", (long long) id), 30000);
        }

        /* Nothing in the journal: a crash, timed up to the pass. */
        unit_end_case = NULL;
        make_due("1, 2");
        ASSERT_OK(pik_dispatcher_pass(db, cfg, now, &s, &st));
        ASSERT_EQ(st.dispatched, 2);
        set_started(rec.ids[rec.n - 2], now);
        ASSERT_OK(pik_dispatcher_reap_vanished(db, cfg, now + 20, &s, &st.vanished));
        ASSERT_EQ(st.vanished, 2);
        ASSERT_EQ(q("SELECT count(*) FROM result WHERE execution_id = %lld AND outcome = 'engine-crashed' "
                    "AND duration_ms = 20000", (long long) rec.ids[rec.n - 2]), 1);
        ASSERT_EQ(q("SELECT count(*) FROM result WHERE execution_id = %lld AND outcome = 'unit-start-failed'",
                    (long long) rec.ids[rec.n - 1]), 1);
}

int main(void) {
        char *dir = NULL;

        db = test_db_new(&dir);
        cfg = test_config_new();
        /* Confirmation of partner failures has a test of its own. */
        cfg->retry.confirm_after_sec = 0;
        setup();
        test_due_and_cap();
        test_report_refusals();
        test_partner_failure_not_retried();
        test_reap_and_retry();
        test_retry_delay();
        test_throttled_respects_retry_after();
        test_holds_and_run_now();
        test_hold_until();
        test_start_failure();
        test_units();
        test_confirmation();
        test_reap_counts_from_start();
        test_reap_from_journal();
        test_reap_alive_unit();
        test_reap_unit_end();
        cfg = pik_config_free(cfg);
        db = pik_db_close(db);
        test_tmpdir_cleanup(dir);
        return 0;
}
