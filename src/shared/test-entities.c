/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Partners, browsers and configurations: what they accept, what they
 * refuse, and that a refusal leaves the database exactly as it was. */

#include "browser.h"
#include "jobconfig.h"
#include "partner.h"
#include "test-helpers.h"

static PikDb *db;

/* Run expr, expect -err, and the database unchanged. */
#define ASSERT_REFUSED(expr, err)                                               \
        do {                                                                    \
                _cleanup_free_ char *_before = test_db_dump(db), *_after = NULL; \
                ASSERT_ERR(expr, err);                                          \
                ASSERT_TRUE(pik_db_has_error(db) && strlen(pik_db_error(db)) > 0); \
                _after = test_db_dump(db);                                      \
                ASSERT_STREQ(_before, _after);                                  \
        } while (0)

static int64_t count(const char *sql) {
        int64_t n = -1;
        ASSERT_OK(pik_db_query_int64(db, sql, &n));
        return n;
}

static void test_partners(void) {
        _cleanup_json_ json_object *list = NULL, *one = NULL;
        _cleanup_free_ char *huge = NULL;
        json_object *v;

        ASSERT_OK(pik_partner_add(db, "acme", "ACME Corp", 100));
        ASSERT_OK(pik_partner_add(db, "globex-2", "Globex ☃", 100));

        ASSERT_REFUSED(pik_partner_add(db, "acme", "again", 100), EEXIST);
        ASSERT_TRUE(strstr(pik_db_error(db), "already exists"));
        ASSERT_REFUSED(pik_partner_add(db, "", "x", 100), EINVAL);
        ASSERT_REFUSED(pik_partner_add(db, "Acme", "x", 100), EINVAL);
        ASSERT_TRUE(strstr(pik_db_error(db), "partner code"));
        ASSERT_REFUSED(pik_partner_add(db, "a/b", "x", 100), EINVAL);
        ASSERT_REFUSED(pik_partner_add(db, "-lead", "x", 100), EINVAL);
        ASSERT_REFUSED(pik_partner_add(db, "\xff\xfe", "x", 100), EINVAL);
        ASSERT_REFUSED(pik_partner_add(db, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "x", 100), EINVAL);
        ASSERT_REFUSED(pik_partner_add(db, "ok", "", 100), EINVAL);
        ASSERT_REFUSED(pik_partner_add(db, "ok", "bad \xc0\xaf utf8", 100), EINVAL);
        ASSERT_TRUE(strstr(pik_db_error(db), "UTF-8"));
        ASSERT_REFUSED(pik_partner_add(db, "ok", "tab\there", 100), EINVAL);
        huge = malloc(100 * 1024 + 1);
        memset(huge, 'x', 100 * 1024);
        huge[100 * 1024] = 0;
        ASSERT_REFUSED(pik_partner_add(db, "ok", huge, 100), EINVAL);
        ASSERT_TRUE(strstr(pik_db_error(db), "too long"));

        ASSERT_OK(pik_partner_list(db, &list));
        ASSERT_EQ(json_object_array_length(list), 2);
        ASSERT_TRUE(json_object_object_get_ex(json_object_array_get_idx(list, 0), "code", &v));
        ASSERT_STREQ(json_object_get_string(v), "acme");

        ASSERT_REFUSED(pik_partner_set_enabled(db, "acme", false, NULL), EINVAL);
        ASSERT_TRUE(strstr(pik_db_error(db), "reason"));
        ASSERT_REFUSED(pik_partner_set_enabled(db, "nope", true, NULL), ENOENT);
        ASSERT_OK(pik_partner_set_enabled(db, "acme", false, "contract paused"));
        ASSERT_OK(pik_partner_show(db, "acme", &one));
        ASSERT_TRUE(json_object_object_get_ex(one, "enabled", &v));
        ASSERT_TRUE(!json_object_get_boolean(v));
        ASSERT_TRUE(json_object_object_get_ex(one, "disabled_reason", &v));
        ASSERT_STREQ(json_object_get_string(v), "contract paused");
        ASSERT_OK(pik_partner_set_enabled(db, "acme", true, NULL));
        ASSERT_EQ(count("SELECT count(*) FROM partner WHERE code = 'acme' AND enabled AND disabled_reason IS NULL"), 1);

        ASSERT_REFUSED(pik_partner_show(db, "nope", &one), ENOENT);
        ASSERT_REFUSED(pik_partner_remove(db, "nope", false), ENOENT);
}

static void test_browsers(void) {
        PikBrowserSpec ff = { .name = "firefox", .engine = "http", .user_agent = "Mozilla/5.0 (X11) Firefox/128.0" };
        PikBrowserSpec chrome = { .name = "chrome", .engine = "webdriver", .webdriver_url = "http://127.0.0.1:9515" };

        ASSERT_OK(pik_browser_add(db, &ff, 100));
        ASSERT_OK(pik_browser_add(db, &chrome, 100));
        ASSERT_REFUSED(pik_browser_add(db, &ff, 100), EEXIST);
        ASSERT_REFUSED(pik_browser_add(db, &(PikBrowserSpec) { .name = "x", .engine = "lynx" }, 100), EINVAL);
        ASSERT_REFUSED(pik_browser_add(db, &(PikBrowserSpec) { .name = "x", .engine = NULL }, 100), EINVAL);
        /* No URL: pik-webdriver.service's, stored as such. */
        ASSERT_OK(pik_browser_add(db, &(PikBrowserSpec) { .name = "local", .engine = "webdriver" }, 100));
        ASSERT_EQ(count("SELECT count(*) FROM browser WHERE name = 'local' AND webdriver_url = 'http://127.0.0.1:9515'"), 1);
        ASSERT_OK(pik_browser_remove(db, "local", false));
        ASSERT_REFUSED(pik_browser_add(db, &(PikBrowserSpec) { .name = "x", .engine = "webdriver",
                                                               .webdriver_url = "" }, 100), EINVAL);
        ASSERT_REFUSED(pik_browser_add(db, &(PikBrowserSpec) { .name = "x", .engine = "webdriver",
                                                               .webdriver_url = "ftp://grid" }, 100), EINVAL);
        ASSERT_REFUSED(pik_browser_add(db, &(PikBrowserSpec) { .name = "x", .engine = "http",
                                                               .webdriver_url = "http://grid" }, 100), EINVAL);
        ASSERT_REFUSED(pik_browser_add(db, &(PikBrowserSpec) { .name = "x", .engine = "http",
                                                               .http_version = "3" }, 100), EINVAL);
        ASSERT_REFUSED(pik_browser_add(db, &(PikBrowserSpec) { .name = "X Y", .engine = "http" }, 100), EINVAL);
        ASSERT_REFUSED(pik_browser_set_enabled(db, "firefox", false, ""), EINVAL);
        ASSERT_REFUSED(pik_browser_add(db, &(PikBrowserSpec) { .name = "x", .engine = "http",
                                                               .headers = "no colon here" }, 100), EINVAL);
        ASSERT_REFUSED(pik_browser_add(db, &(PikBrowserSpec) { .name = "x", .engine = "http",
                                                               .headers = "Bad Name: v" }, 100), EINVAL);
        ASSERT_REFUSED(pik_browser_add(db, &(PikBrowserSpec) { .name = "x", .engine = "http",
                                                               .resolve = "host:99999:127.0.0.1" }, 100), EINVAL);
        ASSERT_REFUSED(pik_browser_add(db, &(PikBrowserSpec) { .name = "x", .engine = "http",
                                                               .ca_file = "relative/ca.pem" }, 100), EINVAL);
        ASSERT_OK(pik_browser_add(db, &(PikBrowserSpec) { .name = "edge", .engine = "http",
                                                          .headers = "Accept-Language: de\nX-Test: 1",
                                                          .resolve = "acme.test:443:127.0.0.1",
                                                          .ca_file = "/etc/pik/ca/test.pem" }, 100));
        ASSERT_EQ(count("SELECT count(*) FROM browser WHERE name = 'edge' AND "
                        "headers = '[\"Accept-Language: de\",\"X-Test: 1\"]' AND resolve = '[\"acme.test:443:127.0.0.1\"]'"), 1);
        ASSERT_OK(pik_browser_remove(db, "edge", false));
        ASSERT_EQ(count("SELECT count(*) FROM browser"), 2);
}

static void test_configs(void) {
        char *both[] = { (char *) "firefox", (char *) "chrome", NULL };
        char *unknown[] = { (char *) "firefox", (char *) "opera", NULL };
        char *none[] = { NULL };
        PikJobConfigSpec good = {
                .partner = "acme",
                .browsers = both,
                .entry_url = "https://acme.test/login",
                .schedule_type = SCHEDULE_CRON,
                .schedule = "*/5 * * * *",
                .timezone = "Europe/Berlin",
                .sso = true,
                .wait_sec = -1,
                .success_marker = "Welcome",
        };
        _cleanup_json_ json_object *o = NULL;
        PikJobConfigSpec bad;
        json_object *v;
        int64_t id;

        ASSERT_OK(pik_jobconfig_add(db, &good, "UTC", 100, &id));
        ASSERT_TRUE(id > 0);
        ASSERT_EQ(count("SELECT count(*) FROM job_config_browser"), 2);
        ASSERT_OK(pik_jobconfig_show(db, id, &o));
        ASSERT_TRUE(json_object_object_get_ex(o, "browsers", &v));
        ASSERT_STREQ(json_object_get_string(v), "chrome,firefox");
        ASSERT_TRUE(json_object_object_get_ex(o, "timezone", &v));
        ASSERT_STREQ(json_object_get_string(v), "Europe/Berlin");
        ASSERT_TRUE(json_object_object_get_ex(o, "sso", &v));
        ASSERT_TRUE(json_object_get_boolean(v));

        /* The configured default zone applies when none is given. */
        bad = good;
        bad.timezone = NULL;
        bad.schedule_type = SCHEDULE_INTERVAL;
        bad.schedule = "1h30m";
        ASSERT_OK(pik_jobconfig_add(db, &bad, "America/New_York", 100, &id));
        ASSERT_EQ(count("SELECT count(*) FROM job_config WHERE timezone = 'America/New_York'"), 1);

#define REFUSE_WITH(field, value, err)                                          \
        do {                                                                    \
                bad = good;                                                     \
                bad.field = value;                                              \
                ASSERT_REFUSED(pik_jobconfig_add(db, &bad, "UTC", 100, NULL), err); \
        } while (0)

        REFUSE_WITH(partner, "nope", ENOENT);
        REFUSE_WITH(partner, "NOPE!", EINVAL);
        REFUSE_WITH(browsers, unknown, ENOENT);    /* nothing half-written */
        REFUSE_WITH(browsers, none, EINVAL);
        REFUSE_WITH(entry_url, "ftp://acme.test/", EINVAL);
        REFUSE_WITH(entry_url, "acme.test/login", EINVAL);
        REFUSE_WITH(entry_url, "https://", EINVAL);
        REFUSE_WITH(entry_url, "https://acme.test/a b", EINVAL);
        REFUSE_WITH(entry_url, "https://acme.test/\xff", EINVAL);
        REFUSE_WITH(entry_url, NULL, EINVAL);
        REFUSE_WITH(product_url, "javascript:alert(1)", EINVAL);
        REFUSE_WITH(timezone, "Mars/Olympus_Mons", EINVAL);
        REFUSE_WITH(timezone, "../../etc/passwd", EINVAL);
        REFUSE_WITH(schedule, "61 * * * *", ERANGE);
        ASSERT_TRUE(strstr(pik_db_error(db), "minute"));
        REFUSE_WITH(schedule, "* * *", EINVAL);
        REFUSE_WITH(schedule, "0 0 30 2 *", EDOM);
        REFUSE_WITH(schedule, NULL, EINVAL);
        REFUSE_WITH(wait_sec, 7200, EINVAL);
        REFUSE_WITH(success_marker, "bad\x01", EINVAL);
        REFUSE_WITH(success_xpath, "//div[", EINVAL);
        ASSERT_TRUE(strstr(pik_db_error(db), "XPath"));
        REFUSE_WITH(login_form, "///", EINVAL);
        REFUSE_WITH(username_field, "user name", EINVAL);
        REFUSE_WITH(checkout_url, "mailto:x@y", EINVAL);
        REFUSE_WITH(flow, "not json", EINVAL);
        ASSERT_TRUE(strstr(pik_db_error(db), "JSON"));
        REFUSE_WITH(flow, "{}", EINVAL);
        REFUSE_WITH(flow, "[]", EINVAL);
        REFUSE_WITH(flow, "[1]", EINVAL);
        REFUSE_WITH(flow, "[{\"name\": \"no action\"}]", EINVAL);
        REFUSE_WITH(flow, "[{\"request\": {\"method\": \"GET\"}}]", EINVAL);
        ASSERT_TRUE(strstr(pik_db_error(db), "step 1"));
        REFUSE_WITH(flow, "[{\"request\": {\"url\": \"/\"}, \"form\": {}}]", EINVAL);
        /* What would fail only when a check runs is refused when the flow
         * is added, the step and the culprit named. */
#define REFUSE_FLOW(value, what)                                                \
        do {                                                                    \
                REFUSE_WITH(flow, value, EINVAL);                               \
                if (!strstr(pik_db_error(db), what)) {                          \
                        fprintf(stderr, "\"%s\" lacks \"%s\"\n", pik_db_error(db), what); \
                        abort();                                                \
                }                                                               \
        } while (0)
        REFUSE_FLOW("[{\"request\": {\"url\": \"/\"}}, {\"name\": \"grab\", \"request\": {\"url\": \"/a\"},"
                    " \"extract\": {\"t\": {\"regex\": \"(\"}}}]",
                    "flow step 2 (grab): regex of \"t\" is refused");
        REFUSE_FLOW("[{\"request\": {\"url\": \"/\"}, \"extract\": {\"t\": {\"regex\": "
                    "\"((((((((((((((((((((((((a)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+\"}}}]",
                    "flow step 1: regex of \"t\" is refused: groups nested more than");
        REFUSE_FLOW("[{\"request\": {\"url\": \"/\"}, \"extract\": {\"t\": {\"regex\": \"((((((((((a)+)+)+)+)+)+)+)+)+)+\"}}}]",
                    "too complex");
        REFUSE_FLOW("[{\"request\": {\"url\": \"/\"}, \"extract\": {\"t\": {\"xpath\": \"//[\"}}}]",
                    "flow step 1: XPath of extraction \"//[\" is not a valid XPath");
        REFUSE_FLOW("[{\"request\": {\"url\": \"/\"}}, {\"name\": \"in\", \"form\": {\"xpath\": \"//form[\"}}]",
                    "flow step 2 (in): form XPath \"//form[\" is not a valid XPath");
        REFUSE_FLOW("[{\"request\": {\"url\": \"/\"}, \"expect\": {\"xpath\": \"//[\"}}]",
                    "expected XPath \"//[\" is not a valid XPath");
        REFUSE_FLOW("[{\"request\": {\"url\": \"/login/{{nope}}\"}}]",
                    "flow step 1: unknown variable {{nope}}");
        REFUSE_FLOW("[{\"form\": {\"xpath\": \"//form\", \"fields\": {\"u\": \"{{username}}\", \"x\": \"{{later}}\"}}},"
                    " {\"request\": {\"url\": \"/\"}, \"extract\": {\"later\": {\"regex\": \"a\"}}}]",
                    "unknown variable {{later}}");
#undef REFUSE_FLOW
        bad = good;
        bad.flow = "[{\"request\": {\"url\": \"{{entry_url}}\"}, \"extract\": {\"id\": {\"regex\": \"form-([a-z]+)\"}}},"
                   " {\"form\": {\"xpath\": \"//form[@id='{{id}}']\", \"fields\": {\"p\": \"{{password}}\"}},"
                   "  \"expect\": {\"xpath\": \"//div[@class='account']\"}}]";
        bad.login_form = "//form[@id='login']";
        bad.success_xpath = "//*[contains(., 'Welcome')]";
        bad.username_field = "email";
        ASSERT_OK(pik_jobconfig_add(db, &bad, "UTC", 100, &id));
        ASSERT_OK(pik_jobconfig_remove(db, id));

        bad = good;
        bad.schedule_type = SCHEDULE_INTERVAL;
        bad.schedule = "5 parsecs";
        ASSERT_REFUSED(pik_jobconfig_add(db, &bad, "UTC", 100, NULL), EINVAL);
        bad.schedule_type = SCHEDULE_DAILY;
        bad.schedule = "25:00";
        ASSERT_REFUSED(pik_jobconfig_add(db, &bad, "UTC", 100, NULL), ERANGE);
#undef REFUSE_WITH

        ASSERT_REFUSED(pik_jobconfig_set_enabled(db, 999, true, NULL), ENOENT);
        ASSERT_REFUSED(pik_jobconfig_set_enabled(db, 1, false, NULL), EINVAL);
        ASSERT_OK(pik_jobconfig_set_enabled(db, 1, false, "partner asked"));
        ASSERT_EQ(count("SELECT count(*) FROM job_config WHERE id = 1 AND NOT enabled"), 1);
        ASSERT_REFUSED(pik_jobconfig_remove(db, 999), ENOENT);
        ASSERT_OK(pik_jobconfig_remove(db, 2));
        ASSERT_EQ(count("SELECT count(*) FROM job_config"), 1);
}

/* History outlives what it was about: results are never deleted. */
static void test_remove_with_history(void) {
        ASSERT_OK(pik_db_exec(db,
                "INSERT INTO result (partner, browser, executed_at, duration_ms, outcome) "
                "VALUES ('acme', 'firefox', 100, 10, 'success'), ('acme', 'chrome', 100, 10, 'http-5xx');"));

        ASSERT_REFUSED(pik_partner_remove(db, "acme", false), EBUSY);
        ASSERT_TRUE(strstr(pik_db_error(db), "--force"));
        ASSERT_REFUSED(pik_browser_remove(db, "firefox", false), EBUSY);

        ASSERT_OK(pik_browser_remove(db, "firefox", true));
        ASSERT_EQ(count("SELECT count(*) FROM browser WHERE name = 'firefox'"), 0);
        ASSERT_EQ(count("SELECT count(*) FROM job_config_browser"), 1);
        ASSERT_OK(pik_partner_remove(db, "acme", true));
        ASSERT_EQ(count("SELECT count(*) FROM partner WHERE code = 'acme'"), 0);
        ASSERT_EQ(count("SELECT count(*) FROM job_config"), 0);
        ASSERT_EQ(count("SELECT count(*) FROM result WHERE partner = 'acme'"), 2);

        /* A partner without history goes without --force. */
        ASSERT_OK(pik_partner_remove(db, "globex-2", false));
}

int main(void) {
        char *dir = NULL;

        db = test_db_new(&dir);
        test_partners();
        test_browsers();
        test_configs();
        test_remove_with_history();
        db = pik_db_close(db);
        test_tmpdir_cleanup(dir);
        return 0;
}
