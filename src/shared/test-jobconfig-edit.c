/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pik_jobconfig_set on a simulated clock: every field changed and cleared,
 * a schedule type and a time zone changed with the jobs' next run asserted,
 * browsers added and removed, and bad changes refused with the database as
 * it was. */

#include <errno.h>

#include "browser.h"
#include "jobconfig.h"
#include "partner.h"
#include "scheduler.h"
#include "test-helpers.h"

static PikDb *db;
static PikConfig *cfg;
static char last_error[512];

#define q(...) test_query_int64(db, __VA_ARGS__)

#define ASSERT_REFUSED(expr, err)                                               \
        do {                                                                    \
                _cleanup_free_ char *_before = test_db_dump(db), *_after = NULL; \
                pik_db_clear_error(db);                                         \
                ASSERT_ERR(expr, err);                                          \
                ASSERT_TRUE(pik_db_has_error(db) && strlen(pik_db_error(db)) > 0); \
                snprintf(last_error, sizeof last_error, "%s", pik_db_error(db)); \
                _after = test_db_dump(db);                                      \
                ASSERT_STREQ(_before, _after);                                  \
        } while (0)

static char *ff_chrome[] = { (char *) "ff", (char *) "chrome", NULL };
static char *ff_edge[] = { (char *) "ff", (char *) "edge", NULL };
static char *ff_nope[] = { (char *) "ff", (char *) "nope", NULL };
static char *none[] = { NULL };

static char *qs(const char *sql, int64_t id) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        const unsigned char *v;

        ASSERT_OK(pik_db_prepare(db, sql, &s));
        sqlite3_bind_int64(s, 1, id);
        ASSERT_EQ(pik_db_step(db, s), 1);
        v = sqlite3_column_text(s, 0);
        return v ? strdup((const char *) v) : NULL;
}

#define ASSERT_COLUMN(id, col, expected)                                        \
        do {                                                                    \
                _cleanup_free_ char *_v = qs("SELECT " col " FROM job_config WHERE id = ?", (id)); \
                ASSERT_STREQ(_v, (expected));                                   \
        } while (0)

static int64_t add(const char *name, ScheduleType type, const char *schedule, const char *tz, char **browsers) {
        PikJobConfigSpec spec = {
                .partner = "acme",
                .name = name,
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

static int set(int64_t id, const PikJobConfigSpec *change, uint64_t fields, int64_t now, char **ret) {
        pik_db_clear_error(db);
        return pik_jobconfig_set(db, id, change, fields, "UTC", now, ret);
}

static int64_t run_after(int64_t config, const char *browser) {
        return q("SELECT j.run_after FROM scheduled_job j JOIN browser b ON b.id = j.browser_id "
                 "WHERE j.config_id = %lld AND b.name = '%s'", (long long) config, browser);
}

static void test_every_field(void) {
        _cleanup_free_ char *changes = NULL;
        int64_t id = add("login", SCHEDULE_INTERVAL, "5m", "UTC", ff_chrome);
        PikJobConfigSpec c = {
                .name = "sso-login",
                .browsers = ff_edge,
                .entry_url = "https://partner.test/v2/login",
                .schedule_type = SCHEDULE_DAILY,
                .schedule = "08:00",
                .timezone = "Europe/Paris",
                .sso = true,
                .express_checkout = true,
                .product_url = "https://partner.test/p/1",
                .wait_sec = 30,
                .success_marker = "Welcome",
                .failure_marker = "Sorry",
                .success_xpath = "//div[@id='ok']",
                .failure_xpath = "//div[@id='ko']",
                .login_form = "//form[@id='login']",
                .username_field = "user",
                .password_field = "pass",
                .csrf_meta = "csrf-token",
                .checkout_url = "https://partner.test/checkout",
                .flow = "[{\"request\": {\"method\": \"GET\", \"url\": \"{{entry_url}}\"}}]",
        };

        ASSERT_OK(set(id, &c, UINT64_MAX, 0, &changes));
        ASSERT_COLUMN(id, "name", "sso-login");
        ASSERT_COLUMN(id, "entry_url", "https://partner.test/v2/login");
        ASSERT_COLUMN(id, "schedule_type", "daily");
        ASSERT_COLUMN(id, "schedule", "08:00");
        ASSERT_COLUMN(id, "timezone", "Europe/Paris");
        ASSERT_COLUMN(id, "sso", "1");
        ASSERT_COLUMN(id, "express_checkout", "1");
        ASSERT_COLUMN(id, "product_url", "https://partner.test/p/1");
        ASSERT_COLUMN(id, "wait_sec", "30");
        ASSERT_COLUMN(id, "success_marker", "Welcome");
        ASSERT_COLUMN(id, "failure_marker", "Sorry");
        ASSERT_COLUMN(id, "success_xpath", "//div[@id='ok']");
        ASSERT_COLUMN(id, "failure_xpath", "//div[@id='ko']");
        ASSERT_COLUMN(id, "login_form", "//form[@id='login']");
        ASSERT_COLUMN(id, "username_field", "user");
        ASSERT_COLUMN(id, "password_field", "pass");
        ASSERT_COLUMN(id, "csrf_meta", "csrf-token");
        ASSERT_COLUMN(id, "checkout_url", "https://partner.test/checkout");
        ASSERT_COLUMN(id, "flow", c.flow);
        ASSERT_EQ(q("SELECT count(*) FROM job_config_browser cb JOIN browser b ON b.id = cb.browser_id "
                    "WHERE cb.config_id = %lld AND b.name IN ('ff', 'edge')", (long long) id), 2);
        ASSERT_EQ(q("SELECT count(*) FROM job_config_browser WHERE config_id = %lld", (long long) id), 2);

        /* The record names each change with its old and new value. */
        ASSERT_TRUE(strstr(changes, "name: 'login' → 'sso-login'"));
        ASSERT_TRUE(strstr(changes, "schedule: 'interval 5m' → 'daily 08:00'"));
        ASSERT_TRUE(strstr(changes, "time zone: 'UTC' → 'Europe/Paris'"));
        ASSERT_TRUE(strstr(changes, "browsers: 'chrome,ff' → 'ff,edge'"));
        ASSERT_TRUE(strstr(changes, "wait: (none) → '30'") || strstr(changes, "wait: 'engine default' → '30'"));
        ASSERT_TRUE(strstr(changes, "success marker: (none) → 'Welcome'"));
        ASSERT_TRUE(strstr(changes, "SSO: 'no' → 'yes'"));

        /* Only the fields named change; the same change again changes nothing. */
        free(changes);
        changes = NULL;
        ASSERT_OK(set(id, &(PikJobConfigSpec) { .success_marker = "Hello" }, PIK_CONFIG_FIELD_SUCCESS_MARKER, 0, &changes));
        ASSERT_STREQ(changes, "success marker: 'Welcome' → 'Hello'");
        ASSERT_COLUMN(id, "failure_marker", "Sorry");
        ASSERT_COLUMN(id, "name", "sso-login");
        free(changes);
        changes = NULL;
        ASSERT_OK(set(id, &(PikJobConfigSpec) { .success_marker = "Hello" }, PIK_CONFIG_FIELD_SUCCESS_MARKER, 0, &changes));
        ASSERT_STREQ(changes, "");

        /* Every optional text clears with an empty value; the zone falls
         * back to the default; wait back to the engine's. */
        ASSERT_OK(set(id, &(PikJobConfigSpec) { .name = "", .timezone = "", .product_url = "", .success_marker = "",
                                                .failure_marker = NULL, .success_xpath = "", .failure_xpath = "",
                                                .login_form = "", .username_field = "", .password_field = "",
                                                .csrf_meta = "", .checkout_url = "", .flow = "", .wait_sec = -1 },
                      PIK_CONFIG_FIELD_NAME | PIK_CONFIG_FIELD_TIMEZONE | PIK_CONFIG_FIELD_PRODUCT_URL |
                      PIK_CONFIG_FIELD_SUCCESS_MARKER | PIK_CONFIG_FIELD_FAILURE_MARKER |
                      PIK_CONFIG_FIELD_SUCCESS_XPATH | PIK_CONFIG_FIELD_FAILURE_XPATH | PIK_CONFIG_FIELD_LOGIN_FORM |
                      PIK_CONFIG_FIELD_USERNAME_FIELD | PIK_CONFIG_FIELD_PASSWORD_FIELD | PIK_CONFIG_FIELD_CSRF_META |
                      PIK_CONFIG_FIELD_CHECKOUT_URL | PIK_CONFIG_FIELD_FLOW | PIK_CONFIG_FIELD_WAIT, 0, NULL));
        ASSERT_EQ(q("SELECT count(*) FROM job_config WHERE id = %lld AND name IS NULL AND timezone = 'UTC' "
                    "AND product_url IS NULL AND success_marker IS NULL AND failure_marker IS NULL "
                    "AND success_xpath IS NULL AND failure_xpath IS NULL AND login_form IS NULL "
                    "AND username_field IS NULL AND password_field IS NULL AND csrf_meta IS NULL "
                    "AND checkout_url IS NULL AND flow IS NULL AND wait_sec IS NULL", (long long) id), 1);
        ASSERT_OK(pik_jobconfig_remove(db, id));
}

static void test_schedule_change(void) {
        int64_t t0 = T("2026-06-01T10:07:00Z");
        int64_t id = add(NULL, SCHEDULE_INTERVAL, "5m", "UTC", ff_chrome);
        PikSchedulerStats st;

        ASSERT_OK(pik_scheduler_pass(db, cfg, t0, &st));
        ASSERT_EQ(st.created, 2);
        ASSERT_TRUE(run_after(id, "ff") <= t0 + 300);
        /* chrome's turn has been handed to the dispatcher: it keeps it. */
        ASSERT_OK(pik_db_exec(db, "UPDATE scheduled_job SET dispatched = 1 WHERE browser_id = "
                                  "(SELECT id FROM browser WHERE name = 'chrome')"));
        int64_t chrome_before = run_after(id, "chrome");

        /* interval → cron: the job waiting for the dispatcher moves to the
         * cron's next run at once, no pass of anything needed. */
        ASSERT_OK(set(id, &(PikJobConfigSpec) { .schedule_type = SCHEDULE_CRON, .schedule = "0 */2 * * *" },
                      PIK_CONFIG_FIELD_SCHEDULE, t0, NULL));
        ASSERT_EQ(run_after(id, "ff"), T("2026-06-01T12:00:00Z"));
        ASSERT_EQ(run_after(id, "chrome"), chrome_before);
        /* The dispatched one rolls over on the new schedule at the next pass. */
        ASSERT_OK(pik_scheduler_pass(db, cfg, chrome_before, &st));
        ASSERT_EQ(st.rolled, 1);
        ASSERT_EQ(run_after(id, "chrome"), T("2026-06-01T12:00:00Z"));

        /* A time zone change: at 10:07 UTC it is 15:37 in Kolkata (+05:30),
         * so the next even hour there is 16:00, 10:30 UTC. */
        ASSERT_OK(set(id, &(PikJobConfigSpec) { .timezone = "Asia/Kolkata" }, PIK_CONFIG_FIELD_TIMEZONE, t0, NULL));
        ASSERT_EQ(run_after(id, "ff"), T("2026-06-01T10:30:00Z"));
        ASSERT_OK(pik_jobconfig_remove(db, id));
}

static void test_browsers(void) {
        int64_t t0 = T("2026-06-01T10:00:00Z");
        int64_t id = add(NULL, SCHEDULE_INTERVAL, "5m", "UTC", ff_chrome);
        PikSchedulerStats st;

        ASSERT_OK(pik_scheduler_pass(db, cfg, t0, &st));
        ASSERT_EQ(st.created, 2);
        int64_t ff_job = q("SELECT j.id FROM scheduled_job j JOIN browser b ON b.id = j.browser_id "
                           "WHERE j.config_id = %lld AND b.name = 'ff'", (long long) id);

        ASSERT_OK(set(id, &(PikJobConfigSpec) { .browsers = ff_edge }, PIK_CONFIG_FIELD_BROWSERS, t0, NULL));
        /* chrome's job is gone, ff's kept as it was, edge's comes at the next pass. */
        ASSERT_EQ(q("SELECT count(*) FROM scheduled_job WHERE config_id = %lld", (long long) id), 1);
        ASSERT_EQ(q("SELECT id FROM scheduled_job WHERE config_id = %lld", (long long) id), ff_job);
        ASSERT_OK(pik_scheduler_pass(db, cfg, t0, &st));
        ASSERT_EQ(st.created, 1);
        ASSERT_TRUE(run_after(id, "edge") > t0 && run_after(id, "edge") <= t0 + 300);

        /* A removed browser's job goes even while its execution runs: the
         * execution keeps its history, detached, as on config remove. */
        ASSERT_OK(pik_db_exec(db, "UPDATE scheduled_job SET dispatched = 1"));
        ASSERT_OK(set(id, &(PikJobConfigSpec) { .browsers = ff_chrome }, PIK_CONFIG_FIELD_BROWSERS, t0, NULL));
        ASSERT_EQ(q("SELECT count(*) FROM scheduled_job WHERE config_id = %lld", (long long) id), 1);
        ASSERT_OK(pik_jobconfig_remove(db, id));
}

static void test_refused(void) {
        int64_t id = add("login", SCHEDULE_INTERVAL, "5m", "UTC", ff_chrome);
        int64_t other = add("checkout", SCHEDULE_INTERVAL, "5m", "UTC", ff_chrome);

        ASSERT_OK(pik_scheduler_pass(db, cfg, T("2026-06-01T10:00:00Z"), NULL));

        ASSERT_REFUSED(set(id, &(PikJobConfigSpec) { .wait_sec = 5000 }, PIK_CONFIG_FIELD_WAIT, 0, NULL), EINVAL);
        ASSERT_STREQ(last_error, "wait must be between 0 and 3600 seconds");
        ASSERT_REFUSED(set(id, &(PikJobConfigSpec) { .schedule_type = SCHEDULE_CRON, .schedule = "0 25 * * *" },
                           PIK_CONFIG_FIELD_SCHEDULE, 0, NULL), ERANGE);
        ASSERT_TRUE(strstr(last_error, "schedule '0 25 * * *'"));
        ASSERT_REFUSED(set(id, &(PikJobConfigSpec) { .timezone = "Mars/Olympus" }, PIK_CONFIG_FIELD_TIMEZONE, 0, NULL),
                       EINVAL);
        ASSERT_REFUSED(set(id, &(PikJobConfigSpec) { .entry_url = "ftp://x" }, PIK_CONFIG_FIELD_ENTRY_URL, 0, NULL),
                       EINVAL);
        ASSERT_REFUSED(set(id, &(PikJobConfigSpec) { .entry_url = "" }, PIK_CONFIG_FIELD_ENTRY_URL, 0, NULL), EINVAL);
        ASSERT_STREQ(last_error, "the entry URL cannot be cleared");
        ASSERT_REFUSED(set(id, &(PikJobConfigSpec) { .browsers = none }, PIK_CONFIG_FIELD_BROWSERS, 0, NULL), EINVAL);
        /* An unknown browser after a known one: the old set and jobs stay. */
        ASSERT_REFUSED(set(id, &(PikJobConfigSpec) { .browsers = ff_nope }, PIK_CONFIG_FIELD_BROWSERS, 0, NULL), ENOENT);
        ASSERT_REFUSED(set(id, &(PikJobConfigSpec) { .success_xpath = "//[" }, PIK_CONFIG_FIELD_SUCCESS_XPATH, 0, NULL),
                       EINVAL);
        ASSERT_REFUSED(set(id, &(PikJobConfigSpec) { .name = "Bad Name" }, PIK_CONFIG_FIELD_NAME, 0, NULL), EINVAL);
        /* A name clash with another configuration of the partner. */
        ASSERT_REFUSED(set(other, &(PikJobConfigSpec) { .name = "login" }, PIK_CONFIG_FIELD_NAME, 0, NULL), EEXIST);
        ASSERT_STREQ(last_error, "partner acme already has a configuration named 'login'");
        ASSERT_REFUSED(set(999, &(PikJobConfigSpec) { .sso = true }, PIK_CONFIG_FIELD_SSO, 0, NULL), ENOENT);
        ASSERT_STREQ(last_error, "configuration 999 not found");

        ASSERT_OK(pik_jobconfig_remove(db, id));
        ASSERT_OK(pik_jobconfig_remove(db, other));
}

static PikConfig *conf(const char *text) {
        PikConfig *c = NULL;

        ASSERT_OK(pik_config_parse("pik.conf", text, strlen(text), &c, NULL));
        return c;
}

/* Resolve as pikctl and pikd do, then set. */
static int set_named(int64_t id, const PikConfig *c, PikJobConfigSpec *change, uint64_t fields, int64_t now) {
        int r;

        pik_db_clear_error(db);
        r = pik_jobconfig_resolve_schedule(db, c, change, &fields);
        if (r < 0)
                return r;
        return pik_jobconfig_set(db, id, change, fields, "UTC", now, NULL);
}

static void test_named_schedules(void) {
        _cleanup_(pik_config_freep) PikConfig *office = conf("schedules = { office = \"cron: 0 8-18 * * mon-fri\"; "
                                                               "hourly = \"1h\"; };");
        _cleanup_(pik_config_freep) PikConfig *moved = conf("schedules = { office = \"cron: 30 9 * * *\"; "
                                                              "hourly = \"1h\"; };");
        _cleanup_(pik_config_freep) PikConfig *gone = conf("");
        int64_t t0 = T("2026-06-01T10:07:00Z");      /* a Monday */
        PikJobConfigSpec spec = {
                .partner = "acme", .browsers = ff_chrome, .entry_url = "https://partner.test/login",
                .schedule_name = "office", .wait_sec = -1,
        };
        uint64_t fields = PIK_CONFIG_FIELD_SCHEDULE_NAME;
        PikSchedulerStats st;
        int64_t id, own;

        /* A named default: its schedule copied in, followed. */
        ASSERT_OK(pik_jobconfig_resolve_schedule(db, office, &spec, &fields));
        ASSERT_TRUE(fields & PIK_CONFIG_FIELD_SCHEDULE);
        ASSERT_OK(pik_jobconfig_add(db, &spec, "UTC", t0, &id));
        ASSERT_COLUMN(id, "schedule_type", "cron");
        ASSERT_COLUMN(id, "schedule", "0 8-18 * * mon-fri");
        ASSERT_COLUMN(id, "schedule_name", "office");
        ASSERT_OK(pik_scheduler_pass(db, office, t0, &st));
        ASSERT_EQ(st.followed, 0);
        ASSERT_EQ(run_after(id, "ff"), T("2026-06-01T11:00:00Z"));

        /* pik.conf changes the named schedule: the next pass moves the
         * configuration and its jobs waiting for the dispatcher. */
        ASSERT_OK(pik_scheduler_pass(db, moved, t0, &st));
        ASSERT_EQ(st.followed, 1);
        ASSERT_COLUMN(id, "schedule", "30 9 * * *");
        ASSERT_EQ(run_after(id, "ff"), T("2026-06-02T09:30:00Z"));
        ASSERT_EQ(run_after(id, "chrome"), T("2026-06-02T09:30:00Z"));
        ASSERT_OK(pik_scheduler_pass(db, moved, t0, &st));
        ASSERT_EQ(st.followed, 0);

        /* An own schedule overrides the default, which then moves alone. */
        ASSERT_OK(set_named(id, moved, &(PikJobConfigSpec) { .schedule_type = SCHEDULE_INTERVAL, .schedule = "5m" },
                            PIK_CONFIG_FIELD_SCHEDULE, t0));
        ASSERT_COLUMN(id, "schedule_override", "1");
        ASSERT_COLUMN(id, "schedule_name", "office");
        ASSERT_OK(pik_scheduler_pass(db, office, t0, &st));
        ASSERT_EQ(st.followed, 0);
        ASSERT_COLUMN(id, "schedule", "5m");
        {
                _cleanup_free_ char *from = qs("SELECT CASE WHEN schedule_override THEN 'own, overriding ' || "
                                               "schedule_name END FROM job_config WHERE id = ?", id);
                ASSERT_STREQ(from, "own, overriding office");
        }

        /* --schedule NAME alone: the default again, never both at once. */
        ASSERT_OK(set_named(id, office, &(PikJobConfigSpec) { .schedule_name = "office" },
                            PIK_CONFIG_FIELD_SCHEDULE_NAME, t0));
        ASSERT_COLUMN(id, "schedule_override", "0");
        ASSERT_COLUMN(id, "schedule", "0 8-18 * * mon-fri");
        ASSERT_EQ(run_after(id, "ff"), T("2026-06-01T11:00:00Z"));

        /* A name pik.conf no longer has: the last schedule stays. */
        ASSERT_OK(pik_scheduler_pass(db, gone, t0, &st));
        ASSERT_EQ(st.followed, 0);
        ASSERT_COLUMN(id, "schedule", "0 8-18 * * mon-fri");

        /* Another default; then none, the schedule in force kept as its own. */
        ASSERT_OK(set_named(id, office, &(PikJobConfigSpec) { .schedule_name = "hourly" },
                            PIK_CONFIG_FIELD_SCHEDULE_NAME, t0));
        ASSERT_COLUMN(id, "schedule_type", "interval");
        ASSERT_COLUMN(id, "schedule", "1h");
        ASSERT_OK(set_named(id, office, &(PikJobConfigSpec) { .schedule_name = "" }, PIK_CONFIG_FIELD_SCHEDULE_NAME, t0));
        ASSERT_COLUMN(id, "schedule_name", NULL);
        ASSERT_COLUMN(id, "schedule_override", "0");
        ASSERT_COLUMN(id, "schedule", "1h");
        ASSERT_OK(pik_scheduler_pass(db, moved, t0, &st));
        ASSERT_EQ(st.followed, 0);

        /* Named and own at once on add: the own one overrides. */
        spec.schedule_name = "office";
        spec.schedule_type = SCHEDULE_INTERVAL;
        spec.schedule = "10m";
        spec.name = "own";
        fields = PIK_CONFIG_FIELD_SCHEDULE_NAME | PIK_CONFIG_FIELD_SCHEDULE;
        ASSERT_OK(pik_jobconfig_resolve_schedule(db, office, &spec, &fields));
        ASSERT_OK(pik_jobconfig_add(db, &spec, "UTC", t0, &own));
        ASSERT_COLUMN(own, "schedule", "10m");
        ASSERT_COLUMN(own, "schedule_override", "1");

        /* An unknown name: refused, nothing written. */
        ASSERT_REFUSED(set_named(id, office, &(PikJobConfigSpec) { .schedule_name = "weekly" },
                                 PIK_CONFIG_FIELD_SCHEDULE_NAME, t0), ENOENT);
        ASSERT_STREQ(last_error, "pik.conf names no schedule 'weekly' (its \"schedules\" group)");
        /* Overriding needs a default to override. */
        ASSERT_REFUSED(pik_jobconfig_add(db, &(PikJobConfigSpec) {
                .partner = "acme", .browsers = ff_chrome, .entry_url = "https://partner.test/login",
                .schedule_type = SCHEDULE_INTERVAL, .schedule = "5m", .schedule_override = true, .wait_sec = -1 },
                "UTC", t0, NULL), EINVAL);

        ASSERT_OK(pik_jobconfig_remove(db, id));
        ASSERT_OK(pik_jobconfig_remove(db, own));
}

int main(void) {
        char *dir = NULL;

        db = test_db_new(&dir);
        cfg = test_config_new();
        ASSERT_OK(pik_partner_add(db, "acme", "ACME", 0));
        ASSERT_OK(pik_browser_add(db, &(PikBrowserSpec) { .name = "ff", .engine = "http" }, 0));
        ASSERT_OK(pik_browser_add(db, &(PikBrowserSpec) { .name = "chrome", .engine = "http" }, 0));
        ASSERT_OK(pik_browser_add(db, &(PikBrowserSpec) { .name = "edge", .engine = "http" }, 0));
        test_every_field();
        test_schedule_change();
        test_browsers();
        test_refused();
        test_named_schedules();
        cfg = pik_config_free(cfg);
        db = pik_db_close(db);
        test_tmpdir_cleanup(dir);
        return 0;
}
