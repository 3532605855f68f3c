/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The at-a-glance status: one row per partner × browser, the last result
 * (kept by a trigger, whatever order results arrive in), and the 24-hour
 * success ratio. */

#include "browser.h"
#include "job.h"
#include "jobconfig.h"
#include "partner.h"
#include "status.h"
#include "test-helpers.h"

static PikDb *db;
static PikConfig *cfg;

static void result(const char *partner, const char *browser, int64_t at, const char *outcome) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;

        ASSERT_OK(pik_db_prepare(db, "INSERT INTO result (partner, browser, executed_at, duration_ms, outcome) "
                                     "VALUES (?, ?, ?, 10, ?)", &s));
        sqlite3_bind_text(s, 1, partner, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, browser, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, at);
        sqlite3_bind_text(s, 4, outcome, -1, SQLITE_STATIC);
        ASSERT_EQ(pik_db_step(db, s), 0);
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
        size_t wp, wb;
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
        ASSERT_OK(pik_jobconfig_add(db, &spec, "UTC", 0, NULL));
        /* A second configuration of the same pair does not add a row. */
        ASSERT_OK(pik_jobconfig_add(db, &spec, "UTC", 0, NULL));
        spec.partner = "a-much-longer-partner";
        spec.browsers = (char *[]) { (char *) "ff", NULL };
        ASSERT_OK(pik_jobconfig_add(db, &spec, "UTC", 0, NULL));

        /* acme/ff: 3 of 4 successful in 24 h, an older failure outside it,
         * and the latest result arrives before an older one. */
        result("acme", "ff", now - 3 * 86400, "http-5xx");
        result("acme", "ff", now - 60, "login-rejected");
        result("acme", "ff", now - 3600, "success");
        result("acme", "ff", now - 7200, "success");
        result("acme", "ff", now - 7300, "success");
        /* acme/chrome: last one infrastructure. */
        result("acme", "chrome", now - 300, "success");
        result("acme", "chrome", now - 120, "check-expired");
        /* History of a pair that has no configuration is not a row. */
        result("gone", "ff", now - 10, "success");

        ASSERT_OK(pik_status(db, cfg, now, &st));
        ASSERT_TRUE(json_object_object_get_ex(st, "rows", &rows));
        ASSERT_EQ(json_object_array_length(rows), 3);
        ASSERT_TRUE(json_object_object_get_ex(st, "held", &v));
        ASSERT_TRUE(!json_object_get_boolean(v));

        /* Ordered by partner, then browser. */
        ASSERT_STREQ(str(row(st, 0), "partner"), "a-much-longer-partner");
        ASSERT_TRUE(str(row(st, 0), "outcome") == NULL);
        ASSERT_EQ(num(row(st, 0), "results_24h"), 0);
        ASSERT_TRUE(json_object_object_get_ex(row(st, 0), "success_ratio_24h", &v) && v == NULL);

        ASSERT_STREQ(str(row(st, 1), "browser"), "chrome");
        ASSERT_STREQ(str(row(st, 1), "outcome"), "check-expired");
        ASSERT_STREQ(str(row(st, 1), "kind"), "infrastructure");
        ASSERT_EQ(num(row(st, 1), "age_sec"), 120);

        ASSERT_STREQ(str(row(st, 2), "browser"), "ff");
        ASSERT_STREQ(str(row(st, 2), "outcome"), "login-rejected");
        ASSERT_STREQ(str(row(st, 2), "kind"), "partner");
        ASSERT_STREQ(str(row(st, 2), "executed_at"), "2026-07-01T11:59:00Z");
        ASSERT_EQ(num(row(st, 2), "results_24h"), 4);
        ASSERT_EQ(num(row(st, 2), "success_24h"), 3);
        ASSERT_TRUE(json_object_object_get_ex(row(st, 2), "success_ratio_24h", &v));
        ASSERT_TRUE(json_object_get_double(v) > 0.749 && json_object_get_double(v) < 0.751);

        ASSERT_OK(pik_status_widths(db, &wp, &wb));
        ASSERT_EQ(wp, strlen("a-much-longer-partner"));
        ASSERT_EQ(wb, strlen("chrome"));

        /* Holding everything shows. */
        st = (json_object_put(st), NULL);
        ASSERT_OK(pik_job_set_held(db, 0, true));
        ASSERT_OK(pik_status(db, cfg, now, &st));
        ASSERT_TRUE(json_object_object_get_ex(st, "held", &v));
        ASSERT_TRUE(json_object_get_boolean(v));

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
