/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The scheduler pass on a simulated clock: creation, rollover, coalescing,
 * idempotence, disabled things, shards, spread and time zones. */

#include <stdarg.h>

#include "browser.h"
#include "jobconfig.h"
#include "partner.h"
#include "scheduler.h"
#include "test-helpers.h"

static PikDb *db;
static PikConfig *cfg;

#define q(...) test_query_int64(db, __VA_ARGS__)

static void exec_sql(const char *sql) {
        ASSERT_OK(pik_db_exec(db, sql));
}

static int64_t add_config(const char *partner, ScheduleType type, const char *schedule, const char *tz, char **browsers) {
        PikJobConfigSpec spec = {
                .partner = partner,
                .browsers = browsers,
                .entry_url = "https://partner.test/login",
                .schedule_type = type,
                .schedule = schedule,
                .timezone = tz,
                .wait_sec = -1,
        };
        int64_t id;

        ASSERT_OK(pik_jobconfig_add(db, &spec, "UTC", 0, &id));
        return id;
}

static PikSchedulerStats pass(int64_t now) {
        PikSchedulerStats st;
        ASSERT_OK(pik_scheduler_pass(db, cfg, now, &st));
        return st;
}

static char *ff_chrome[] = { (char *) "ff", (char *) "chrome", NULL };
static char *ff_only[] = { (char *) "ff", NULL };

static void setup(void) {
        ASSERT_OK(pik_partner_add(db, "acme", "ACME", 0));
        ASSERT_OK(pik_browser_add(db, &(PikBrowserSpec) { .name = "ff", .engine = "http" }, 0));
        ASSERT_OK(pik_browser_add(db, &(PikBrowserSpec) { .name = "chrome", .engine = "http" }, 0));
}

static void test_create_and_idempotent(void) {
        int64_t t0 = T("2026-06-01T10:00:00Z");
        _cleanup_free_ char *before = NULL, *after = NULL;
        PikSchedulerStats st;

        add_config("acme", SCHEDULE_INTERVAL, "5m", "UTC", ff_chrome);
        st = pass(t0);
        ASSERT_EQ(st.created, 2);
        ASSERT_EQ(st.rolled, 0);
        ASSERT_EQ(q("SELECT count(*) FROM scheduled_job"), 2);
        /* Next run strictly after now and within one period. */
        ASSERT_EQ(q("SELECT count(*) FROM scheduled_job WHERE run_after > %lld AND run_after <= %lld AND NOT dispatched",
                    (long long) t0, (long long) t0 + 300), 2);

        before = test_db_dump(db);
        st = pass(t0);
        ASSERT_EQ(st.created + st.rolled, 0);
        after = test_db_dump(db);
        ASSERT_STREQ(before, after);

        /* Later, but nothing dispatched: still nothing to do. The scheduler
         * never touches a job that waits for the dispatcher. */
        st = pass(t0 + 3600);
        ASSERT_EQ(st.created + st.rolled, 0);
        free(after);
        after = test_db_dump(db);
        ASSERT_STREQ(before, after);
}

static void test_rollover_and_coalescing(void) {
        int64_t ra = q("SELECT run_after FROM scheduled_job WHERE id = 1");
        PikSchedulerStats st;

        /* Dispatched but its time has not come: left alone. */
        exec_sql("UPDATE scheduled_job SET dispatched = 1 WHERE id = 1");
        st = pass(ra - 1);
        ASSERT_EQ(st.rolled, 0);
        ASSERT_EQ(q("SELECT dispatched FROM scheduled_job WHERE id = 1"), 1);

        /* Passed: the next run after now, dispatched cleared. */
        st = pass(ra);
        ASSERT_EQ(st.rolled, 1);
        ASSERT_EQ(q("SELECT dispatched FROM scheduled_job WHERE id = 1"), 0);
        ASSERT_EQ(q("SELECT run_after FROM scheduled_job WHERE id = 1"), ra + 300);

        /* Down for three hours: 36 missed runs become one, the next one. */
        exec_sql("UPDATE scheduled_job SET dispatched = 1, attempt = 3 WHERE id = 1");
        st = pass(ra + 3 * 3600 + 10);
        ASSERT_EQ(st.rolled, 1);
        ASSERT_EQ(q("SELECT run_after FROM scheduled_job WHERE id = 1"), ra + 3 * 3600 + 300);
        ASSERT_EQ(q("SELECT attempt FROM scheduled_job WHERE id = 1"), 1);
        ASSERT_EQ(q("SELECT count(*) FROM scheduled_job"), 2);
}

/* No overlapping runs: while a job's execution still runs, the job is not
 * rolled over (the dispatcher cannot start a second run beside it); each
 * turn that comes meanwhile is recorded once as a skipped execution; when
 * the run ends, the next pass rolls over as usual. */
static void test_no_overlap(void) {
        int64_t ra = q("SELECT run_after FROM scheduled_job WHERE id = 1");
        int64_t e;
        PikSchedulerStats st;

        exec_sql("UPDATE scheduled_job SET dispatched = 1 WHERE id = 1");
        ASSERT_OK(pik_db_exec(db, "INSERT INTO execution (job_id, config_id, partner, browser, key, state, attempt, "
                                  "  created_at, started_at) SELECT 1, config_id, 'acme', 'ff', 'k', 'started', 1, 0, 0 "
                                  "FROM scheduled_job WHERE id = 1"));
        e = q("SELECT max(id) FROM execution");

        /* The dispatched turn itself has come and gone: nothing to note. */
        st = pass(ra + 10);
        ASSERT_EQ(st.rolled + st.skipped, 0);
        ASSERT_EQ(q("SELECT dispatched FROM scheduled_job WHERE id = 1"), 1);
        ASSERT_EQ(q("SELECT run_after FROM scheduled_job WHERE id = 1"), ra);

        /* The next turn comes while it runs: skipped, once. */
        st = pass(ra + 300 + 5);
        ASSERT_EQ(st.skipped, 1);
        ASSERT_EQ(st.rolled, 0);
        ASSERT_EQ(q("SELECT dispatched FROM scheduled_job WHERE id = 1"), 1);
        ASSERT_EQ(q("SELECT run_after FROM scheduled_job WHERE id = 1"), ra + 300);
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE job_id = 1 AND state = 'skipped' AND finished_at = %lld",
                    (long long) (ra + 305)), 1);
        st = pass(ra + 300 + 60);
        ASSERT_EQ(st.skipped + st.rolled, 0);
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE job_id = 1 AND state = 'skipped'"), 1);

        /* The run ends: the next pass rolls over to the next turn after now. */
        exec_sql("UPDATE execution SET state = 'success', finished_at = 1 WHERE state = 'started'");
        st = pass(ra + 300 + 70);
        ASSERT_EQ(st.rolled, 1);
        ASSERT_EQ(q("SELECT dispatched FROM scheduled_job WHERE id = 1"), 0);
        ASSERT_EQ(q("SELECT run_after FROM scheduled_job WHERE id = 1"), ra + 600);
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE id = %lld AND state = 'success'", (long long) e), 1);
        exec_sql("DELETE FROM execution");
}

static void test_disabled_get_no_new_runs(void) {
        int64_t t = T("2026-06-02T00:00:00Z");
        int64_t id;

        ASSERT_OK(pik_partner_add(db, "globex", "Globex", 0));
        id = add_config("globex", SCHEDULE_INTERVAL, "10m", "UTC", ff_only);

        ASSERT_OK(pik_partner_set_enabled(db, "globex", false, "test"));
        ASSERT_EQ(pass(t).created, 0);
        ASSERT_OK(pik_partner_set_enabled(db, "globex", true, NULL));
        ASSERT_OK(pik_jobconfig_set_enabled(db, id, false, "test"));
        ASSERT_EQ(pass(t).created, 0);
        ASSERT_OK(pik_jobconfig_set_enabled(db, id, true, NULL));
        ASSERT_OK(pik_browser_set_enabled(db, "ff", false, "test"));
        ASSERT_EQ(pass(t).created, 0);
        ASSERT_OK(pik_browser_set_enabled(db, "ff", true, NULL));
        ASSERT_EQ(pass(t).created, 1);

        /* A dispatched job of a now disabled partner is not rolled over. */
        exec_sql("UPDATE scheduled_job SET dispatched = 1, run_after = 0");
        ASSERT_OK(pik_partner_set_enabled(db, "globex", false, "test"));
        ASSERT_OK(pik_partner_set_enabled(db, "acme", false, "test"));
        ASSERT_EQ(pass(t).rolled, 0);
        ASSERT_OK(pik_partner_set_enabled(db, "globex", true, NULL));
        ASSERT_OK(pik_partner_set_enabled(db, "acme", true, NULL));
        ASSERT_EQ(pass(t).rolled, 3);
}

static void test_shards(void) {
        int64_t t = T("2026-06-03T00:00:00Z");
        unsigned owned = 0;

        exec_sql("DELETE FROM partner");
        for (int i = 0; i < 40; i++) {
                char code[32];
                snprintf(code, sizeof code, "shard-%d", i);
                ASSERT_OK(pik_partner_add(db, code, code, 0));
                add_config(code, SCHEDULE_INTERVAL, "5m", "UTC", ff_only);
        }

        for (unsigned s = 0; s < 3; s++) {
                PikSchedulerStats st;

                cfg->shard_count = 3;
                cfg->shard_index = s;
                st = pass(t);
                ASSERT_EQ(q("SELECT count(*) FROM scheduled_job"), owned + st.created);
                /* Every partner of this shard, and only those. */
                for (int i = 0; i < 40; i++) {
                        char code[32];
                        snprintf(code, sizeof code, "shard-%d", i);
                        if (pik_config_shard_owns(cfg, code))
                                ASSERT_EQ(q("SELECT count(*) FROM scheduled_job j JOIN job_config c ON c.id = j.config_id "
                                            "JOIN partner p ON p.id = c.partner_id WHERE p.code = '%s'", code), 1);
                }
                ASSERT_TRUE(st.created > 0 && st.created < 40);
                owned += st.created;
        }
        ASSERT_EQ(owned, 40);
        cfg->shard_count = 1;
        cfg->shard_index = 0;
}

static void test_spread(void) {
        int64_t t = T("2026-06-04T00:00:00Z");

        exec_sql("DELETE FROM partner");
        ASSERT_OK(pik_partner_add(db, "many", "Many", 0));
        for (int i = 0; i < 200; i++)
                add_config("many", SCHEDULE_INTERVAL, "5m", "UTC", ff_chrome);
        ASSERT_EQ(pass(t).created, 400);
        /* 400 jobs over 300 possible seconds: far from all in one. */
        ASSERT_TRUE(q("SELECT count(DISTINCT run_after) FROM scheduled_job") > 150);
        ASSERT_TRUE(q("SELECT max(n) FROM (SELECT count(*) AS n FROM scheduled_job GROUP BY run_after)") < 10);
}

static void test_time_zones(void) {
        int64_t t = T("2026-03-28T12:00:00Z");

        exec_sql("DELETE FROM partner");
        ASSERT_OK(pik_partner_add(db, "berlin", "Berlin", 0));
        add_config("berlin", SCHEDULE_DAILY, "02:30", "Europe/Berlin", ff_only);
        ASSERT_EQ(pass(t).created, 1);
        /* 2026-03-29 02:30 does not exist in Berlin: once, at 03:00 CEST. */
        ASSERT_EQ(q("SELECT run_after FROM scheduled_job"), T("2026-03-29T01:00:00Z"));
        exec_sql("UPDATE scheduled_job SET dispatched = 1");
        ASSERT_EQ(pass(T("2026-03-29T01:00:00Z")).rolled, 1);
        ASSERT_EQ(q("SELECT run_after FROM scheduled_job"), T("2026-03-30T00:30:00Z"));

        exec_sql("DELETE FROM partner");
        ASSERT_OK(pik_partner_add(db, "ny", "New York", 0));
        add_config("ny", SCHEDULE_CRON, "0 9 * * mon-fri", "America/New_York", ff_only);
        ASSERT_EQ(pass(T("2026-11-01T00:00:00Z")).created, 1);     /* a Sunday; DST ends today */
        ASSERT_EQ(q("SELECT run_after FROM scheduled_job"), T("2026-11-02T14:00:00Z"));
}

static void test_bad_schedule_skipped(void) {
        int64_t t = T("2026-06-05T00:00:00Z");
        PikSchedulerStats st;

        exec_sql("DELETE FROM partner");
        ASSERT_OK(pik_partner_add(db, "ok", "OK", 0));
        add_config("ok", SCHEDULE_INTERVAL, "5m", "UTC", ff_only);
        /* A zone that vanished from the system after the config was made. */
        exec_sql("INSERT INTO job_config (partner_id, entry_url, schedule_type, schedule, timezone, created_at) "
                 "SELECT id, 'https://x.test/', 'cron', '* * * * *', 'Gone/Zone', 0 FROM partner WHERE code = 'ok';"
                 "INSERT INTO job_config_browser SELECT max(id), (SELECT id FROM browser WHERE name = 'ff') FROM job_config;");
        st = pass(t);
        ASSERT_EQ(st.created, 1);
        ASSERT_EQ(st.bad_schedule, 1);
        ASSERT_EQ(st.bad_config_id, q("SELECT max(id) FROM job_config"));
}

int main(void) {
        char *dir = NULL;

        db = test_db_new(&dir);
        cfg = test_config_new();
        setup();
        test_create_and_idempotent();
        test_rollover_and_coalescing();
        test_no_overlap();
        test_disabled_get_no_new_runs();
        test_shards();
        test_spread();
        test_time_zones();
        test_bad_schedule_skipped();
        cfg = pik_config_free(cfg);
        db = pik_db_close(db);
        test_tmpdir_cleanup(dir);
        return 0;
}
