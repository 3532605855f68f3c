/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Maintenance windows on a simulated clock: when a window is open (across
 * daylight saving in a zone), refusals that change nothing, and what a
 * window does to the dispatcher, the status and the alerts. */

#include "alert.h"
#include "browser.h"
#include "dispatcher.h"
#include "jobconfig.h"
#include "maintenance.h"
#include "partner.h"
#include "result.h"
#include "status.h"
#include "string-util.h"
#include "test-helpers.h"

static PikDb *db;
static PikConfig *cfg;
static int64_t acme, globex;   /* configuration ids */

#define q(...) test_query_int64(db, __VA_ARGS__)

static int64_t open_until(const char *cron, const char *tz, int64_t duration, const char *at) {
        int64_t until = -1;
        int r = pik_maintenance_window_open(cron, tz, duration, T(at), &until);

        ASSERT_OK(r);
        return r > 0 ? until : 0;
}

/* 02:00 Berlin time for two hours, around both changes of 2026. */
static void test_window_across_dst(void) {
        const char *c = "0 2 * * *", *z = "Europe/Berlin";

        /* Winter time: 02:00 CET is 01:00Z. */
        ASSERT_EQ(open_until(c, z, 7200, "2026-03-28T00:59:59Z"), 0);
        ASSERT_EQ(open_until(c, z, 7200, "2026-03-28T01:00:00Z"), T("2026-03-28T03:00:00Z"));
        ASSERT_EQ(open_until(c, z, 7200, "2026-03-28T02:59:59Z"), T("2026-03-28T03:00:00Z"));
        ASSERT_EQ(open_until(c, z, 7200, "2026-03-28T03:00:00Z"), 0);
        /* Spring forward: 02:00 does not exist on 29 March; the window
         * opens at the next valid instant, 03:00 CEST (01:00Z). */
        ASSERT_EQ(open_until(c, z, 7200, "2026-03-29T00:59:59Z"), 0);
        ASSERT_EQ(open_until(c, z, 7200, "2026-03-29T01:00:00Z"), T("2026-03-29T03:00:00Z"));
        ASSERT_EQ(open_until(c, z, 7200, "2026-03-29T03:00:00Z"), 0);
        /* Summer time: 02:00 CEST is 00:00Z. */
        ASSERT_EQ(open_until(c, z, 7200, "2026-03-30T00:00:00Z"), T("2026-03-30T02:00:00Z"));
        ASSERT_EQ(open_until(c, z, 7200, "2026-03-30T02:00:00Z"), 0);
        /* Fall back: 02:00 happens twice on 25 October; the window opens
         * once, at the first (02:00 CEST, 00:00Z), and is not opened
         * again by the second (02:00 CET, 01:00Z). */
        ASSERT_EQ(open_until(c, z, 7200, "2026-10-24T23:59:59Z"), 0);
        ASSERT_EQ(open_until(c, z, 7200, "2026-10-25T00:00:00Z"), T("2026-10-25T02:00:00Z"));
        ASSERT_EQ(open_until(c, z, 7200, "2026-10-25T01:30:00Z"), T("2026-10-25T02:00:00Z"));
        ASSERT_EQ(open_until(c, z, 7200, "2026-10-25T02:00:00Z"), 0);
        /* Winter time again. */
        ASSERT_EQ(open_until(c, z, 7200, "2026-10-26T01:00:00Z"), T("2026-10-26T03:00:00Z"));

        /* Windows that overlap: the latest one that started ends last. */
        ASSERT_EQ(open_until("0 * * * *", "UTC", 5400, "2026-06-01T10:40:00Z"), T("2026-06-01T11:30:00Z"));
        ASSERT_EQ(open_until("0 * * * *", "UTC", 5400, "2026-06-01T10:20:00Z"), T("2026-06-01T11:30:00Z"));
        /* A weekly window on a weekday that has not come yet. */
        ASSERT_EQ(open_until("0 22 * * sun", "UTC", 3600, "2026-06-01T22:30:00Z"), 0);   /* a Monday */
        ASSERT_EQ(open_until("0 22 * * sun", "UTC", 3600, "2026-06-07T22:30:00Z"), T("2026-06-07T23:00:00Z"));
}

static void setup(void) {
        static char *ff[] = { (char *) "ff", NULL };
        const char *codes[] = { "acme", "globex" };
        int64_t *ids[] = { &acme, &globex };

        ASSERT_OK(pik_browser_add(db, &(PikBrowserSpec) { .name = "ff", .engine = "http" }, 0));
        for (size_t i = 0; i < ELEMENTSOF(codes); i++) {
                PikJobConfigSpec spec = {
                        .partner = codes[i], .name = "login", .browsers = ff,
                        .entry_url = "https://partner.test/", .schedule_type = SCHEDULE_INTERVAL,
                        .schedule = "5m", .wait_sec = -1,
                };
                ASSERT_OK(pik_partner_add(db, codes[i], codes[i], 0));
                ASSERT_OK(pik_jobconfig_add(db, &spec, "UTC", 0, ids[i]));
        }
        PikChannel ch = { .name = strdup("ops"), .type = PIK_CHANNEL_MAIL, .target = strdup("ops@example.com") };
        cfg->channels = calloc(1, sizeof ch);
        ASSERT_TRUE(cfg->channels && ch.name && ch.target);
        cfg->channels[0] = ch;
        cfg->n_channels = 1;
}

static void refused(const PikMaintenanceSpec *spec, int err, const char *says) {
        _cleanup_free_ char *before = test_db_dump(db), *after = NULL;
        int64_t id = -1;

        ASSERT_ERR(pik_maintenance_add(db, spec, T("2026-06-01T00:00:00Z"), &id), err);
        ASSERT_EQ(id, -1);
        if (!strstr(pik_db_error(db), says)) {
                fprintf(stderr, "error '%s' does not say '%s'\n", pik_db_error(db), says);
                abort();
        }
        after = test_db_dump(db);
        ASSERT_STREQ(before, after);
}

static void test_refusals(void) {
        const PikMaintenanceSpec ok = {
                .scope = PIK_MAINTENANCE_PARTNER, .target = "acme", .cron = "0 2 * * *",
                .timezone = "Europe/Berlin", .duration_sec = 7200, .reason = "upgrade",
        };
        PikMaintenanceSpec s;

        s = ok, s.cron = "0 25 * * *";
        refused(&s, EINVAL, "hour");
        s = ok, s.cron = "every day";
        refused(&s, EINVAL, "cron expression");
        s = ok, s.cron = "";
        refused(&s, EINVAL, "cron expression");
        s = ok, s.duration_sec = 0;
        refused(&s, EINVAL, "duration");
        s = ok, s.duration_sec = 8 * 86400;
        refused(&s, EINVAL, "duration");
        s = ok, s.timezone = "Mars/Olympus";
        refused(&s, EINVAL, "time zone");
        s = ok, s.timezone = "../etc/passwd";
        refused(&s, EINVAL, "time zone");
        s = ok, s.target = "nobody";
        refused(&s, ENOENT, "partner 'nobody' not found");
        s = ok, s.scope = PIK_MAINTENANCE_CONFIG, s.target = "99";
        refused(&s, ENOENT, "configuration 99 not found");
        s = ok, s.scope = PIK_MAINTENANCE_CONFIG, s.target = "1x";
        refused(&s, EINVAL, "configuration id");
        s = ok, s.reason = "";
        refused(&s, EINVAL, "reason");
        s = ok, s.reason = NULL;
        refused(&s, EINVAL, "reason");
        s = ok, s.scope = _PIK_MAINTENANCE_SCOPE_INVALID;
        refused(&s, EINVAL, "scope");

        ASSERT_EQ(pik_maintenance_scope_from_string("partner"), PIK_MAINTENANCE_PARTNER);
        ASSERT_EQ(pik_maintenance_scope_from_string("everything"), _PIK_MAINTENANCE_SCOPE_INVALID);
        ASSERT_STREQ(pik_maintenance_scope_to_string(PIK_MAINTENANCE_CONFIG), "config");
}

static int record_start(void *userdata, const PikExecutionStart *e) {
        int64_t *last = userdata;
        *last = e->execution_id;
        return 0;
}

static unsigned dispatch(int64_t now, int64_t *ret_last) {
        PikUnitStarter s = { .start = record_start, .userdata = ret_last };
        PikDispatcherStats st;

        ASSERT_OK(pik_dispatcher_pass(db, cfg, now, &s, &st));
        return st.dispatched;
}

static PikResultRecorded report(int64_t execution, const char *outcome, int64_t now) {
        PikResultReport rep = PIK_RESULT_REPORT_INIT;
        PikResultRecorded rec = {};

        rep.execution_id = execution;
        rep.outcome = outcome;
        rep.duration_ms = 800;
        ASSERT_OK(pik_result_record(db, cfg, &rep, now, &rec));
        return rec;
}

static int find_row(const PikStatusRow *row, int64_t now, void *userdata) {
        int64_t *until = userdata;

        if (streq(row->partner, "acme"))
                until[0] = row->maintenance_until;
        else
                until[1] = row->maintenance_until;
        return 0;
}

/* acme in maintenance 02:00-04:00 UTC daily; globex not. */
static void test_window_in_effect(void) {
        const int64_t t0 = T("2026-06-01T02:00:00Z");
        int64_t id, until = 0, exec = 0, rows[2];
        _cleanup_json_ json_object *list = NULL;

        ASSERT_OK(pik_maintenance_add(db, &(PikMaintenanceSpec) {
                        .scope = PIK_MAINTENANCE_PARTNER, .target = "acme", .cron = "0 2 * * *",
                        .timezone = "UTC", .duration_sec = 7200, .reason = "acme's upgrade" }, t0 - 86400, &id));
        ASSERT_EQ(q("SELECT count(*) FROM maintenance_window"), 1);

        ASSERT_OK(pik_maintenance_list(db, t0 + 60, &list));
        ASSERT_EQ(json_object_array_length(list), 1);
        json_object *w = json_object_array_get_idx(list, 0), *v;
        ASSERT_TRUE(json_object_object_get_ex(w, "active_until", &v));
        ASSERT_STREQ(json_object_get_string(v), "2026-06-01T04:00:00Z");
        ASSERT_TRUE(json_object_object_get_ex(w, "next_start", &v));
        ASSERT_STREQ(json_object_get_string(v), "2026-06-02T02:00:00Z");
        ASSERT_TRUE(json_object_object_get_ex(w, "partner", &v));
        ASSERT_STREQ(json_object_get_string(v), "acme");

        ASSERT_EQ(pik_maintenance_covers(db, acme, t0 + 60, &until), 1);
        ASSERT_EQ(until, t0 + 7200);
        ASSERT_EQ(pik_maintenance_covers(db, globex, t0 + 60, NULL), 0);
        ASSERT_EQ(pik_maintenance_covers(db, 0, t0 + 60, NULL), 0);     /* incidents: only windows of all */
        ASSERT_EQ(pik_maintenance_covers(db, acme, t0 + 7200, NULL), 0);

        rows[0] = rows[1] = -1;
        ASSERT_OK(pik_status_foreach(db, t0 + 60, find_row, rows));
        ASSERT_EQ(rows[0], t0 + 7200);
        ASSERT_EQ(rows[1], 0);

        /* Both jobs due inside the window: only globex's starts; acme's
         * stays queued and nothing is recorded for it. */
        ASSERT_OK(pik_db_exec(db, "INSERT INTO scheduled_job (config_id, browser_id, run_after) "
                                  "SELECT id, 1, 1780272000 FROM job_config"));   /* 2026-06-01T00:00:00Z */
        ASSERT_EQ(dispatch(t0 + 60, &exec), 1);
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE partner = 'acme'"), 0);
        ASSERT_EQ(q("SELECT dispatched FROM scheduled_job WHERE config_id = %lld", (long long) acme), 0);
        ASSERT_EQ(dispatch(t0 + 3600, &exec), 0);

        /* Failures reported inside the window (a check started before it)
         * open no alert and notify no one, however many. */
        for (int i = 0; i < 4; i++) {
                ASSERT_OK(pik_db_exec(db, "INSERT INTO execution (config_id, partner, browser, key, state, created_at) "
                                          "VALUES (1, 'acme', 'ff', 'k', 'started', 1780279200)"));
                report(sqlite3_last_insert_rowid(pik_db_handle(db)), "login-rejected", t0 + 600 + i);
        }
        ASSERT_EQ(q("SELECT count(*) FROM alert"), 0);
        ASSERT_EQ(q("SELECT count(*) FROM notification"), 0);

        /* After the window: acme's job runs at the first pass, and its
         * failures alert again. */
        ASSERT_TRUE(dispatch(t0 + 7200, &exec) >= 1);       /* globex's, reaped, may retry too */
        ASSERT_EQ(q("SELECT count(*) FROM execution WHERE partner = 'acme' AND state = 'dispatched'"), 1);
        exec = q("SELECT id FROM execution WHERE partner = 'acme' AND state = 'dispatched'");
        report(exec, "login-rejected", t0 + 7300);
        ASSERT_EQ(q("SELECT count(*) FROM alert"), 0);      /* fail_after is 2: one failure counts */
        ASSERT_OK(pik_db_exec(db, "INSERT INTO execution (config_id, partner, browser, key, state, created_at) "
                                  "VALUES (1, 'acme', 'ff', 'k', 'started', 1780279200)"));
        report(sqlite3_last_insert_rowid(pik_db_handle(db)), "login-rejected", t0 + 7400);
        ASSERT_EQ(q("SELECT count(*) FROM alert WHERE closed_at IS NULL"), 1);
        ASSERT_EQ(q("SELECT count(*) FROM notification WHERE event = 'firing'"), 1);

        /* The next day's window: no reminder while it is open, one after. */
        cfg->alerts.remind_every_sec = 3600;
        ASSERT_EQ(pik_alert_remind(db, cfg, t0 + 86400 + 60), 0);
        ASSERT_EQ(pik_alert_remind(db, cfg, t0 + 86400 + 7200), 1);
        ASSERT_EQ(q("SELECT count(*) FROM notification WHERE event = 'reminder'"), 1);

        ASSERT_OK(pik_maintenance_remove(db, id));
        ASSERT_ERR(pik_maintenance_remove(db, id), ENOENT);
        ASSERT_EQ(q("SELECT count(*) FROM maintenance_window"), 0);
}

/* A window of everything covers the incidents too; one of a
 * configuration goes with it. */
static void test_scopes(void) {
        const int64_t now = T("2026-07-01T12:00:00Z");
        int64_t all, one;

        ASSERT_OK(pik_maintenance_add(db, &(PikMaintenanceSpec) {
                        .scope = PIK_MAINTENANCE_ALL, .cron = "0 12 * * *", .timezone = "UTC",
                        .duration_sec = 3600, .reason = "network" }, now, &all));
        ASSERT_EQ(pik_maintenance_covers(db, 0, now + 1, NULL), 1);
        ASSERT_EQ(pik_maintenance_covers(db, globex, now + 1, NULL), 1);
        ASSERT_OK(pik_maintenance_remove(db, all));

        ASSERT_OK(pik_maintenance_add(db, &(PikMaintenanceSpec) {
                        .scope = PIK_MAINTENANCE_CONFIG, .target = "2", .cron = "0 12 * * *", .timezone = "UTC",
                        .duration_sec = 3600, .reason = "one check" }, now, &one));
        ASSERT_EQ(pik_maintenance_covers(db, globex, now + 1, NULL), 1);
        ASSERT_EQ(pik_maintenance_covers(db, acme, now + 1, NULL), 0);
        ASSERT_EQ(pik_maintenance_covers(db, 0, now + 1, NULL), 0);
        ASSERT_OK(pik_jobconfig_remove(db, globex));
        ASSERT_EQ(q("SELECT count(*) FROM maintenance_window"), 0);
}

int main(void) {
        char *dir = NULL;

        test_window_across_dst();
        db = test_db_new(&dir);
        cfg = test_config_new();
        cfg->retry.confirm_after_sec = 0;
        setup();
        test_refusals();
        test_window_in_effect();
        test_scopes();
        cfg = pik_config_free(cfg);
        db = pik_db_close(db);
        test_tmpdir_cleanup(dir);
        return 0;
}
