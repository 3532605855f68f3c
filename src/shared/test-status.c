/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The at-a-glance status: one row per check (configuration × browser), the
 * last confirmed result (kept by a trigger, whatever order results arrive
 * in), a newer unconfirmed failure with its re-check, the partner's worst
 * kind at the head of its rows, and the 24-hour success ratio. */

#include "browser.h"
#include "job.h"
#include "jobconfig.h"
#include "partner.h"
#include "string-util.h"
#include "status.h"
#include "test-helpers.h"

static PikDb *db;
static PikConfig *cfg;

static void result_of(int64_t config_id, const char *partner, const char *browser, int64_t at, const char *outcome,
                      bool unconfirmed) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;

        ASSERT_OK(pik_db_prepare(db, "INSERT INTO result (config_id, partner, browser, executed_at, duration_ms, "
                                     "  outcome, unconfirmed) VALUES (?, ?, ?, ?, 10, ?, ?)", &s));
        if (config_id > 0)
                sqlite3_bind_int64(s, 1, config_id);
        sqlite3_bind_text(s, 2, partner, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, browser, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, at);
        sqlite3_bind_text(s, 5, outcome, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 6, unconfirmed);
        ASSERT_EQ(pik_db_step(db, s), 0);
}

/* History without a configuration: what the incident detection reads. */
static void result(const char *partner, const char *browser, int64_t at, const char *outcome) {
        result_of(0, partner, browser, at, outcome, false);
}

static json_object *find(json_object *st, int64_t config_id, const char *browser) {
        json_object *rows, *v;

        ASSERT_TRUE(json_object_object_get_ex(st, "rows", &rows));
        for (size_t i = 0; i < json_object_array_length(rows); i++) {
                json_object *o = json_object_array_get_idx(rows, i);
                if (json_object_object_get_ex(o, "config_id", &v) && json_object_get_int64(v) == config_id &&
                    json_object_object_get_ex(o, "browser", &v) && streq(json_object_get_string(v), browser))
                        return o;
        }
        fprintf(stderr, "no row for configuration %lld in %s\n", (long long) config_id, browser);
        abort();
}

static json_object *row(json_object *st, size_t i) {
        json_object *rows;
        ASSERT_TRUE(json_object_object_get_ex(st, "rows", &rows));
        return json_object_array_get_idx(rows, i);
}

static const char *str(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static int64_t num(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

int main(void) {
        static char *both[] = { (char *) "chrome", (char *) "ff", NULL };
        _cleanup_json_ json_object *st = NULL;
        const int64_t now = T("2026-07-01T12:00:00Z");
        json_object *rows, *v;
        size_t wp, wc, wb;
        char *dir = NULL;

        db = test_db_new(&dir);
        cfg = test_config_new();

        ASSERT_OK(pik_status(db, cfg, now, &st));
        ASSERT_TRUE(json_object_object_get_ex(st, "rows", &rows));
        ASSERT_EQ(json_object_array_length(rows), 0);
        st = (json_object_put(st), NULL);

        ASSERT_OK(pik_partner_add(db, "acme", "ACME", 0));
        ASSERT_OK(pik_partner_add(db, "a-much-longer-partner", "Long", 0));
        ASSERT_OK(pik_browser_add(db, &(PikBrowserSpec) { .name = "ff", .engine = "http" }, 0));
        ASSERT_OK(pik_browser_add(db, &(PikBrowserSpec) { .name = "chrome", .engine = "http" }, 0));
        PikJobConfigSpec spec = {
                .partner = "acme", .browsers = both, .entry_url = "https://acme.test/",
                .schedule_type = SCHEDULE_INTERVAL, .schedule = "5m", .wait_sec = -1,
        };
        int64_t plain, sso, other;
        ASSERT_OK(pik_jobconfig_add(db, &spec, "UTC", 0, &plain));
        /* A second configuration of the same partner is a check of its own. */
        spec.name = "sso-login";
        spec.sso = true;
        ASSERT_OK(pik_jobconfig_add(db, &spec, "UTC", 0, &sso));
        /* Names are unique per partner. */
        ASSERT_ERR(pik_jobconfig_add(db, &spec, "UTC", 0, NULL), EEXIST);
        ASSERT_ERR(pik_jobconfig_add(db, &(PikJobConfigSpec) { .partner = "acme", .name = "Bad Name!",
                        .browsers = both, .entry_url = "https://acme.test/", .schedule_type = SCHEDULE_INTERVAL,
                        .schedule = "5m", .wait_sec = -1 }, "UTC", 0, NULL), EINVAL);
        spec = (PikJobConfigSpec) {
                .partner = "a-much-longer-partner", .name = "sso-login", .entry_url = "https://long.test/",
                .browsers = (char *[]) { (char *) "ff", NULL },
                .schedule_type = SCHEDULE_INTERVAL, .schedule = "5m", .wait_sec = -1,
        };
        ASSERT_OK(pik_jobconfig_add(db, &spec, "UTC", 0, &other));

        /* The plain check in ff: 3 of 4 successful in 24 h, an older failure
         * outside it, and the latest result arrives before an older one. */
        result_of(plain, "acme", "ff", now - 3 * 86400, "http-5xx", false);
        result_of(plain, "acme", "ff", now - 8 * 86400, "success", false);
        result_of(plain, "acme", "ff", now - 60, "login-rejected", false);
        result_of(plain, "acme", "ff", now - 3600, "success", false);
        result_of(plain, "acme", "ff", now - 7200, "success", false);
        result_of(plain, "acme", "ff", now - 7300, "success", false);
        /* The plain check in chrome: last one infrastructure. */
        result_of(plain, "acme", "chrome", now - 300, "success", false);
        result_of(plain, "acme", "chrome", now - 120, "check-expired", false);
        /* The SSO check: its identity provider failed, then the plain
         * check succeeded later — the failure must not be hidden. */
        result_of(sso, "acme", "chrome", now - 50, "sso-failed", false);
        result_of(sso, "acme", "ff", now - 40, "success", false);
        /* History of a pair that has no configuration is not a row. */
        result("gone", "ff", now - 10, "success");

        ASSERT_OK(pik_status(db, cfg, now, &st));
        ASSERT_TRUE(json_object_object_get_ex(st, "rows", &rows));
        ASSERT_EQ(json_object_array_length(rows), 5);
        ASSERT_TRUE(json_object_object_get_ex(st, "held", &v));
        ASSERT_TRUE(!json_object_get_boolean(v));

        /* Ordered by partner, then worst first. */
        ASSERT_STREQ(str(row(st, 0), "partner"), "a-much-longer-partner");
        ASSERT_STREQ(str(row(st, 0), "name"), "sso-login");
        ASSERT_STREQ(str(row(st, 0), "state"), "new");
        ASSERT_TRUE(str(row(st, 0), "outcome") == NULL);
        ASSERT_TRUE(str(row(st, 0), "partner_kind") == NULL);
        ASSERT_EQ(num(row(st, 0), "results_24h"), 0);
        ASSERT_TRUE(json_object_object_get_ex(row(st, 0), "success_ratio_24h", &v) && v == NULL);

        /* acme's partner failures first: two checks of one partner never
         * hide each other, and every row says how the partner stands. */
        ASSERT_STREQ(str(row(st, 1), "kind"), "partner");
        ASSERT_STREQ(str(row(st, 2), "kind"), "partner");
        ASSERT_STREQ(str(row(st, 3), "kind"), "infrastructure");
        ASSERT_STREQ(str(row(st, 4), "kind"), "success");
        for (size_t i = 1; i < 5; i++) {
                ASSERT_STREQ(str(row(st, i), "partner"), "acme");
                ASSERT_STREQ(str(row(st, i), "partner_kind"), "partner");
        }
        ASSERT_EQ(num(row(st, 1), "config_id"), plain);     /* ties by configuration */
        ASSERT_EQ(num(row(st, 2), "config_id"), sso);

        v = find(st, sso, "chrome");
        ASSERT_STREQ(str(v, "outcome"), "sso-failed");
        ASSERT_STREQ(str(v, "state"), "failing");
        ASSERT_STREQ(str(v, "name"), "sso-login");
        v = find(st, sso, "ff");
        ASSERT_STREQ(str(v, "outcome"), "success");
        ASSERT_STREQ(str(v, "state"), "ok");
        ASSERT_EQ(num(v, "results_24h"), 1);

        v = find(st, plain, "chrome");
        ASSERT_STREQ(str(v, "outcome"), "check-expired");
        ASSERT_STREQ(str(v, "kind"), "infrastructure");
        ASSERT_EQ(num(v, "age_sec"), 120);
        ASSERT_TRUE(str(v, "name") == NULL);

        v = find(st, plain, "ff");
        ASSERT_STREQ(str(v, "outcome"), "login-rejected");
        ASSERT_STREQ(str(v, "kind"), "partner");
        ASSERT_STREQ(str(v, "executed_at"), "2026-07-01T11:59:00Z");
        ASSERT_EQ(num(v, "results_24h"), 4);
        ASSERT_EQ(num(v, "success_24h"), 3);
        ASSERT_TRUE(json_object_object_get_ex(v, "success_ratio_24h", &v));
        ASSERT_TRUE(json_object_get_double(v) > 0.749 && json_object_get_double(v) < 0.751);
        /* Seven days: the failure three days ago counts, the success of
         * eight days ago does not. */
        v = find(st, plain, "ff");
        ASSERT_EQ(num(v, "results_7d"), 5);
        ASSERT_EQ(num(v, "success_7d"), 3);
        ASSERT_TRUE(json_object_object_get_ex(v, "success_ratio_7d", &v));
        ASSERT_TRUE(json_object_get_double(v) > 0.599 && json_object_get_double(v) < 0.601);
        ASSERT_TRUE(json_object_object_get_ex(row(st, 0), "success_ratio_7d", &v) && v == NULL);

        ASSERT_OK(pik_status_widths(db, &wp, &wc, &wb));
        ASSERT_EQ(wp, strlen("a-much-longer-partner"));
        ASSERT_EQ(wc, strlen("#2 sso-login"));
        ASSERT_EQ(wb, strlen("chrome"));

        /* An unconfirmed partner failure after the SSO check's success in
         * ff: the last confirmed outcome stays, the failure shows next to
         * it with the time of its re-check. */
        result_of(sso, "acme", "ff", now - 20, "login-rejected", true);
        ASSERT_OK(pik_db_exec(db, "INSERT INTO scheduled_job (config_id, browser_id, run_after, dispatched) "
                                  "SELECT 2, id, 1782907260, 0 FROM browser WHERE name = 'ff'"));
        st = (json_object_put(st), NULL);
        ASSERT_OK(pik_status(db, cfg, now, &st));
        v = find(st, sso, "ff");
        ASSERT_STREQ(str(v, "state"), "unconfirmed");
        ASSERT_STREQ(str(v, "outcome"), "success");
        ASSERT_STREQ(str(v, "unconfirmed"), "login-rejected");
        ASSERT_STREQ(str(v, "unconfirmed_at"), "2026-07-01T11:59:40Z");
        ASSERT_STREQ(str(v, "recheck_at"), "2026-07-01T12:01:00Z");
        ASSERT_EQ(num(v, "results_24h"), 2);
        /* Its re-check confirms it: one failure, no longer unconfirmed. */
        result_of(sso, "acme", "ff", now - 5, "login-rejected", false);
        st = (json_object_put(st), NULL);
        ASSERT_OK(pik_status(db, cfg, now, &st));
        v = find(st, sso, "ff");
        ASSERT_STREQ(str(v, "state"), "failing");
        ASSERT_STREQ(str(v, "outcome"), "login-rejected");
        ASSERT_TRUE(str(v, "unconfirmed") == NULL);

        /* A disabled configuration and a held one show as such, last, and
         * do not count towards the partner's worst kind. */
        ASSERT_OK(pik_jobconfig_set_enabled(db, plain, false, "rebuilding the login"));
        ASSERT_OK(pik_job_set_held(db, sso, true));
        st = (json_object_put(st), NULL);
        ASSERT_OK(pik_status(db, cfg, now, &st));
        v = find(st, plain, "ff");
        ASSERT_STREQ(str(v, "state"), "disabled");
        ASSERT_STREQ(str(v, "disabled_by"), "configuration");
        ASSERT_STREQ(str(v, "disabled_reason"), "rebuilding the login");
        ASSERT_STREQ(str(v, "partner_kind"), NULL);
        ASSERT_STREQ(str(find(st, sso, "chrome"), "state"), "held");
        ASSERT_STREQ(str(find(st, sso, "chrome"), "held_reason"), NULL);
        ASSERT_STREQ(str(find(st, sso, "chrome"), "held_until"), NULL);
        /* A hold with a reason and an end says both, and is over at its end. */
        ASSERT_OK(pik_job_hold(db, sso, "login redesign", now + 7200, now));
        st = (json_object_put(st), NULL);
        ASSERT_OK(pik_status(db, cfg, now, &st));
        v = find(st, sso, "chrome");
        ASSERT_STREQ(str(v, "state"), "held");
        ASSERT_STREQ(str(v, "held_reason"), "login redesign");
        ASSERT_TRUE(str(v, "held_until") != NULL);
        st = (json_object_put(st), NULL);
        ASSERT_OK(pik_status(db, cfg, now + 7200, &st));
        v = find(st, sso, "chrome");
        ASSERT_STREQ(str(v, "state"), "failing");
        ASSERT_EQ(num(v, "held"), 0);
        ASSERT_STREQ(str(v, "held_reason"), NULL);
        ASSERT_OK(pik_job_set_held(db, sso, false));
        st = (json_object_put(st), NULL);
        ASSERT_OK(pik_status(db, cfg, now, &st));
        ASSERT_STREQ(str(row(st, 1), "state"), "failing");
        ASSERT_EQ(num(row(st, 1), "config_id"), sso);
        ASSERT_STREQ(str(row(st, 4), "state"), "disabled");
        ASSERT_STREQ(str(row(st, 1), "partner_kind"), "partner");
        ASSERT_OK(pik_partner_set_enabled(db, "acme", false, "contract paused"));
        st = (json_object_put(st), NULL);
        ASSERT_OK(pik_status(db, cfg, now, &st));
        v = find(st, sso, "chrome");
        ASSERT_STREQ(str(v, "state"), "disabled");
        ASSERT_STREQ(str(v, "disabled_by"), "partner");
        ASSERT_STREQ(str(v, "disabled_reason"), "contract paused");
        ASSERT_OK(pik_partner_set_enabled(db, "acme", true, NULL));
        ASSERT_OK(pik_jobconfig_set_enabled(db, plain, true, NULL));

        /* A removed configuration's row goes; its history stays. */
        ASSERT_OK(pik_jobconfig_remove(db, other));
        ASSERT_EQ(test_query_int64(db, "SELECT count(*) FROM result_check_last WHERE config_id = %lld",
                                   (long long) other), 0);

        /* Holding everything shows. */
        st = (json_object_put(st), NULL);
        ASSERT_OK(pik_job_set_held(db, 0, true));
        ASSERT_OK(pik_status(db, cfg, now, &st));
        ASSERT_TRUE(json_object_object_get_ex(st, "held", &v));
        ASSERT_TRUE(json_object_get_boolean(v));
        ASSERT_STREQ(str(st, "held_reason"), NULL);
        st = (json_object_put(st), NULL);
        ASSERT_OK(pik_job_hold(db, 0, "network work", now + 60, now));
        ASSERT_OK(pik_status(db, cfg, now, &st));
        ASSERT_STREQ(str(st, "held_reason"), "network work");
        st = (json_object_put(st), NULL);
        ASSERT_OK(pik_status(db, cfg, now + 60, &st));
        ASSERT_TRUE(json_object_object_get_ex(st, "held", &v));
        ASSERT_TRUE(!json_object_get_boolean(v));
        ASSERT_OK(pik_job_hold(db, 0, NULL, 0, now));

        /* Four partners timing out in one browser within the window: a
         * suspected incident of ours (more than 3). Three are not; nor are
         * four login refusals; nor timeouts spread over two browsers. */
        {
                _cleanup_json_ json_object *inc = NULL;
                json_object *first;

                result("p1", "ff", now - 30, "partner-timeout");
                result("p2", "ff", now - 40, "partner-timeout");
                result("p3", "ff", now - 50, "partner-timeout");
                result("p3", "ff", now - 55, "partner-timeout");      /* same partner twice */
                result("p4", "chrome", now - 50, "partner-timeout");
                result("q1", "ff", now - 50, "login-rejected");
                result("q2", "ff", now - 50, "login-rejected");
                result("q3", "ff", now - 50, "login-rejected");
                result("q4", "ff", now - 50, "login-rejected");
                result("p9", "ff", now - 3600, "partner-timeout");    /* outside the window */
                ASSERT_OK(pik_status_incidents(db, cfg, now, &inc));
                ASSERT_EQ(json_object_array_length(inc), 0);
                inc = (json_object_put(inc), NULL);

                result("p5", "ff", now - 10, "partner-timeout");
                ASSERT_OK(pik_status_incidents(db, cfg, now, &inc));
                ASSERT_EQ(json_object_array_length(inc), 1);
                first = json_object_array_get_idx(inc, 0);
                ASSERT_STREQ(str(first, "browser"), "ff");
                ASSERT_STREQ(str(first, "outcome"), "partner-timeout");
                ASSERT_EQ(num(first, "partners"), 4);
                ASSERT_STREQ(str(first, "since_at"), "2026-07-01T11:59:05Z");
        }

        cfg = pik_config_free(cfg);
        db = pik_db_close(db);
        test_tmpdir_cleanup(dir);
        return 0;
}
