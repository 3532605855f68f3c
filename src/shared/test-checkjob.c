/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The check's calls: the key gate (a wrong key changes nothing), GetJob
 * with and without usable credentials, progress, the report, the mapping of
 * systemd's $SERVICE_RESULT when a unit dies without reporting, and that no
 * listing ever shows an execution key or a password. */

#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "browser.h"
#include "checkjob.h"
#include "dispatcher.h"
#include "execution.h"
#include "job.h"
#include "jobconfig.h"
#include "partner.h"
#include "result.h"
#include "status.h"
#include "string-util.h"
#include "test-freed-scan.h"
#include "test-helpers.h"

#define PASSWORD "pa55-w0rd with \"quotes\" ☃"
#define PASSWORD_JSON "pa55-w0rd with \\\"quotes\\\" ☃"

static PikDb *db;
static PikConfig *cfg;
static char *dir, *creds_dir;

static const int64_t T0 = 1780000000;

/* The refusal's message, kept before test_db_dump() (which may leave an
 * error of its own) runs. */
static char last_error[512];

/* Run expr, expect -err, and the database unchanged. */
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

#define q(...) test_query_int64(db, __VA_ARGS__)

static char *qs(const char *sql, int64_t id) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        const unsigned char *v;

        ASSERT_OK(pik_db_prepare(db, sql, &s));
        sqlite3_bind_int64(s, 1, id);
        ASSERT_EQ(pik_db_step(db, s), 1);
        v = sqlite3_column_text(s, 0);
        return v ? strdup((const char *) v) : NULL;
}

static const char *jstr(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static bool jhas(json_object *o, const char *key) {
        return json_object_object_get_ex(o, key, NULL);
}

static int64_t jint(json_object *o, const char *key) {
        json_object *v;
        ASSERT_TRUE(json_object_object_get_ex(o, key, &v));
        return json_object_get_int64(v);
}

/* An execution of job `job` as the dispatcher makes them: 'dispatched',
 * with a fresh key. */
static int64_t new_execution(int64_t job, char key[static PIK_EXECUTION_KEY_HEX]) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;

        ASSERT_OK(pik_execution_key_new(key));
        ASSERT_OK(pik_db_prepare(db, "INSERT INTO execution (job_id, config_id, partner, browser, key, state, attempt, "
                                     "  created_at) "
                                     "SELECT j.id, j.config_id, p.code, b.name, ?, 'dispatched', j.attempt, ? "
                                     "FROM scheduled_job j JOIN job_config c ON c.id = j.config_id "
                                     "JOIN partner p ON p.id = c.partner_id JOIN browser b ON b.id = j.browser_id "
                                     "WHERE j.id = ?", &s));
        sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 2, T0);
        sqlite3_bind_int64(s, 3, job);
        ASSERT_EQ(pik_db_step(db, s), 0);
        return sqlite3_last_insert_rowid(pik_db_handle(db));
}

static void write_file(const char *name, mode_t mode, const char *text) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;

        ASSERT_TRUE(asprintf(&path, "%s/%s", creds_dir, name) > 0);
        (void) unlink(path);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        ASSERT_TRUE(fchmod(fd, mode) == 0);
}

static void remove_file(const char *name) {
        _cleanup_free_ char *path = NULL;

        ASSERT_TRUE(asprintf(&path, "%s/%s", creds_dir, name) > 0);
        (void) unlink(path);
        (void) rmdir(path);
}

static struct {
        int64_t job_acme_ff, job_acme_plain, job_globex_ff;
} J;

/* Partners acme (with a credentials file) and globex; browser ff sets a
 * user agent, plain does not. */
static void setup(void) {
        static char *both[] = { (char *) "ff", (char *) "plain", NULL };
        static char *ff[] = { (char *) "ff", NULL };
        PikJobConfigSpec acme = {
                .partner = "acme",
                .browsers = both,
                .entry_url = "https://acme.test/login",
                .schedule_type = SCHEDULE_INTERVAL,
                .schedule = "5m",
                .sso = true,
                .product_url = "https://acme.test/p/1",
                .wait_sec = 7,
                .success_marker = "Welcome back",
                .failure_marker = "Invalid password",
        };
        PikJobConfigSpec globex = {
                .partner = "globex",
                .browsers = ff,
                .entry_url = "https://globex.test/",
                .schedule_type = SCHEDULE_INTERVAL,
                .schedule = "5m",
                .wait_sec = -1,
        };

        ASSERT_OK(pik_partner_add(db, "acme", "ACME Corp", 0));
        ASSERT_OK(pik_partner_add(db, "globex", "Globex", 0));
        ASSERT_OK(pik_browser_add(db, &(PikBrowserSpec) { .name = "ff", .engine = "http",
                                                          .user_agent = "Mozilla/5.0 Firefox/128.0",
                                                          .http_version = "2" }, 0));
        ASSERT_OK(pik_browser_add(db, &(PikBrowserSpec) { .name = "plain", .engine = "http" }, 0));
        ASSERT_OK(pik_jobconfig_add(db, &acme, "UTC", 0, NULL));
        ASSERT_OK(pik_jobconfig_add(db, &globex, "UTC", 0, NULL));
        ASSERT_OK(pik_db_exec(db, "INSERT INTO scheduled_job (config_id, browser_id, run_after, dispatched) "
                                  "SELECT cb.config_id, cb.browser_id, 1780000000, 1 FROM job_config_browser cb"));
        J.job_acme_ff = q("SELECT j.id FROM scheduled_job j JOIN browser b ON b.id = j.browser_id "
                          "WHERE j.config_id = 1 AND b.name = 'ff'");
        J.job_acme_plain = q("SELECT j.id FROM scheduled_job j JOIN browser b ON b.id = j.browser_id "
                             "WHERE j.config_id = 1 AND b.name = 'plain'");
        J.job_globex_ff = q("SELECT id FROM scheduled_job WHERE config_id = 2");

        write_file("acme", 0600,
                   "# acme's login for pik\n"
                   "username = \"monitor@example.com\";\n"
                   "password = \"pa55-w0rd with \\\"quotes\\\" ☃\";\n"
                   "totp_seed = \"JBSWY3DPEHPK3PXP\";\n");
}

static void test_authenticate(void) {
        char key[PIK_EXECUTION_KEY_HEX], other[PIK_EXECUTION_KEY_HEX], wrong[PIK_EXECUTION_KEY_HEX];
        _cleanup_free_ char *huge = NULL;
        int64_t e = new_execution(J.job_acme_ff, key), f = new_execution(J.job_acme_plain, other);

        ASSERT_OK(pik_check_authenticate(db, e, key));
        ASSERT_OK(pik_check_authenticate(db, f, other));

        /* Another execution's key, one flipped digit, a prefix, nothing. */
        ASSERT_REFUSED(pik_check_authenticate(db, e, other), EACCES);
        ASSERT_STREQ(last_error, "execution 1: key does not match");
        memcpy(wrong, key, sizeof wrong);
        wrong[63] = wrong[63] == '0' ? '1' : '0';
        ASSERT_REFUSED(pik_check_authenticate(db, e, wrong), EACCES);
        wrong[63] = 0;
        memcpy(wrong, key, 63);
        ASSERT_REFUSED(pik_check_authenticate(db, e, wrong), EACCES);
        ASSERT_REFUSED(pik_check_authenticate(db, e, ""), EACCES);
        ASSERT_REFUSED(pik_check_authenticate(db, e, NULL), EACCES);
        huge = malloc(100001);
        memset(huge, 'a', 100000);
        huge[100000] = 0;
        ASSERT_REFUSED(pik_check_authenticate(db, e, huge), EACCES);

        ASSERT_REFUSED(pik_check_authenticate(db, 999, key), ENOENT);
        ASSERT_STREQ(last_error, "execution 999 not found");

        /* Ended: the right key still does not let a check in again. */
        ASSERT_OK(pik_db_exec(db, "UPDATE execution SET state = 'cancelled' WHERE id = 2"));
        ASSERT_REFUSED(pik_check_authenticate(db, f, other), ESTALE);
        ASSERT_TRUE(strstr(last_error, "already ended (cancelled)"));
        /* ... and a wrong key learns nothing about the state. */
        ASSERT_REFUSED(pik_check_authenticate(db, f, key), EACCES);
}

/* GetJob's text, parsed; the problem it reports must be the one in the
 * text. */
static json_object *get_job_in(const char *creds, int64_t e, const char *key, int64_t now) {
        _cleanup_(erase_and_freep) char *text = NULL;
        _cleanup_free_ char *why = NULL;
        json_object *o, *v;

        ASSERT_OK(pik_check_get_job(db, cfg, e, key, creds, now, &text, &why));
        o = json_tokener_parse(text);
        ASSERT_TRUE(o && json_object_is_type(o, json_type_object));
        if (json_object_object_get_ex(o, "credentials_problem", &v))
                ASSERT_STREQ(why, json_object_get_string(v));
        else
                ASSERT_TRUE(!why);
        return o;
}

static json_object *get_job(int64_t e, const char *key, int64_t now) {
        return get_job_in(creds_dir, e, key, now);
}

static void test_get_job(void) {
        char key[PIK_EXECUTION_KEY_HEX], key2[PIK_EXECUTION_KEY_HEX];
        _cleanup_json_ json_object *o = NULL, *again = NULL, *plain = NULL;
        json_object *creds = NULL;
        char *dummy = NULL;
        int64_t e = new_execution(J.job_acme_ff, key), e2;

        ASSERT_REFUSED(pik_check_get_job(db, cfg, e, "nope", creds_dir, T0 + 5, &dummy, NULL), EACCES);
        ASSERT_TRUE(!dummy);
        ASSERT_REFUSED(pik_check_get_job(db, cfg, 12345, key, creds_dir, T0 + 5, &dummy, NULL), ENOENT);

        o = get_job(e, key, T0 + 5);
        ASSERT_EQ(q("SELECT state = 'started' AND started_at = %lld FROM execution WHERE id = %lld",
                    (long long) (T0 + 5), (long long) e), 1);
        ASSERT_EQ(jint(o, "execution"), e);
        ASSERT_EQ(jint(o, "attempt"), 1);
        ASSERT_STREQ(jstr(o, "partner"), "acme");
        ASSERT_STREQ(jstr(o, "partner_name"), "ACME Corp");
        ASSERT_STREQ(jstr(o, "browser"), "ff");
        ASSERT_STREQ(jstr(o, "engine"), "http");
        ASSERT_STREQ(jstr(o, "user_agent"), "Mozilla/5.0 Firefox/128.0");
        ASSERT_STREQ(jstr(o, "http_version"), "2");
        ASSERT_TRUE(!jhas(o, "webdriver_url"));
        ASSERT_STREQ(jstr(o, "entry_url"), "https://acme.test/login");
        ASSERT_STREQ(jstr(o, "product_url"), "https://acme.test/p/1");
        ASSERT_STREQ(jstr(o, "success_marker"), "Welcome back");
        ASSERT_STREQ(jstr(o, "failure_marker"), "Invalid password");
        ASSERT_STREQ(jstr(o, "sso"), "true");
        ASSERT_STREQ(jstr(o, "express_checkout"), "false");
        ASSERT_EQ(jint(o, "wait_sec"), 7);
        ASSERT_EQ(jint(o, "config_id"), 1);
        ASSERT_EQ(jint(o, "timeout_sec"), cfg->engine.timeout_sec);
        ASSERT_EQ(jint(o, "max_redirects"), cfg->engine.max_redirects);
        ASSERT_TRUE(!jhas(o, "credentials_missing"));
        ASSERT_TRUE(json_object_object_get_ex(o, "credentials", &creds));
        ASSERT_STREQ(jstr(creds, "username"), "monitor@example.com");
        ASSERT_STREQ(jstr(creds, "password"), PASSWORD);
        ASSERT_STREQ(jstr(creds, "totp_seed"), "JBSWY3DPEHPK3PXP");
        ASSERT_TRUE(!jhas(o, "key"));

        /* Fetching again (a check that retried its call) keeps started_at. */
        again = get_job(e, key, T0 + 9);
        ASSERT_EQ(q("SELECT started_at FROM execution WHERE id = %lld", (long long) e), T0 + 5);

        /* No user agent of its own: the configured default; no wait: left out. */
        e2 = new_execution(J.job_acme_plain, key2);
        plain = get_job(e2, key2, T0);
        ASSERT_STREQ(jstr(plain, "user_agent"), cfg->engine.user_agent);
        ASSERT_TRUE(!jhas(plain, "http_version"));

        /* The configuration went away after dispatch. */
        {
                char k3[PIK_EXECUTION_KEY_HEX];
                int64_t e3 = new_execution(J.job_globex_ff, k3);

                ASSERT_OK(pik_db_exec(db, "UPDATE execution SET config_id = 77 WHERE id = (SELECT max(id) FROM execution)"));
                ASSERT_REFUSED(pik_check_get_job(db, cfg, e3, k3, creds_dir, T0, &dummy, NULL), ENOENT);
                ASSERT_TRUE(strstr(last_error, "configuration 77 no longer exists"));
        }
}

/* GetJob for globex with the credentials file as given: missing, with the
 * reason containing `why`. */
static void expect_missing(const char *why) {
        char key[PIK_EXECUTION_KEY_HEX];
        _cleanup_json_ json_object *o = NULL;
        int64_t e = new_execution(J.job_globex_ff, key);

        o = get_job(e, key, T0);
        if (!jhas(o, "credentials_missing"))
                fprintf(stderr, "expected missing credentials (%s), got %s\n", why,
                        json_object_to_json_string(o));
        ASSERT_STREQ(jstr(o, "credentials_missing"), "true");
        ASSERT_TRUE(!jhas(o, "credentials"));
        if (!strstr(jstr(o, "credentials_problem"), why)) {
                fprintf(stderr, "problem '%s' lacks '%s'\n", jstr(o, "credentials_problem"), why);
                abort();
        }
        /* Never a secret in the explanation. */
        ASSERT_TRUE(!strstr(jstr(o, "credentials_problem"), "hunter2"));
        ASSERT_STREQ(jstr(o, "partner"), "globex");
}

static void test_credentials(void) {
        _cleanup_free_ char *path = NULL, *big = NULL;

        remove_file("globex");
        expect_missing("no credentials file");

        write_file("globex", 0640, "username = \"u\";\npassword = \"hunter2\";\n");
        expect_missing("accessible by group or others (mode 0640)");
        write_file("globex", 0604, "username = \"u\";\npassword = \"hunter2\";\n");
        expect_missing("accessible by group or others");
        write_file("globex", 0400, "username = \"u\";\npassword = \"hunter2\";\n");
        {
                char key[PIK_EXECUTION_KEY_HEX];
                _cleanup_json_ json_object *o = get_job(new_execution(J.job_globex_ff, key), key, T0);
                json_object *c;
                ASSERT_TRUE(json_object_object_get_ex(o, "credentials", &c));
                ASSERT_STREQ(jstr(c, "password"), "hunter2");
                ASSERT_TRUE(!jhas(c, "totp_seed"));
        }

        write_file("globex", 0600, "username = \"u\";\n");
        expect_missing("has no password");
        write_file("globex", 0600, "password = \"hunter2\";\n");
        expect_missing("has no username");
        write_file("globex", 0600, "username = \"u\";\npassword = \"hunter2\";\npasword = \"x\";\n");
        expect_missing(":3: unknown setting 'pasword'");
        write_file("globex", 0600, "username = \"u\";\npassword = 42;\n");
        expect_missing(":2: password must be a string");
        write_file("globex", 0600, "username = \"u\";\npassword = ;\n");
        expect_missing("globex:2: syntax error");
        write_file("globex", 0600, "username = \"u\";\npassword = \"\";\n");
        expect_missing("password must be non-empty");
        write_file("globex", 0600, "@include \"/etc/shadow\"\nusername = \"u\";\npassword = \"hunter2\";\n");
        expect_missing("@include");
        write_file("globex", 0600, "username = \"u\";\npassword = \"tab\there hunter2\";\n");
        expect_missing("without control characters");
        /* libconfig's grammar, as pik.conf's (pik's own parser since it
         * had to wipe what it reads): ':' for '=', ',' or nothing for ';',
         * adjacent literals joined, escapes, three kinds of comment. */
        write_file("globex", 0600, "# c\nusername : \"u\", // c\n/* c\n */ password = \"hun\" \"ter\\x32\"\n");
        {
                char key[PIK_EXECUTION_KEY_HEX];
                _cleanup_json_ json_object *o = get_job(new_execution(J.job_globex_ff, key), key, T0);
                json_object *c;
                ASSERT_TRUE(json_object_object_get_ex(o, "credentials", &c));
                ASSERT_STREQ(jstr(c, "username"), "u");
                ASSERT_STREQ(jstr(c, "password"), "hunter2");
        }
        write_file("globex", 0600, "username = \"u\";\npassword = \"hunter2\";\npassword = \"x\";\n");
        expect_missing("globex:3: duplicate setting name");
        write_file("globex", 0600, "username = \"u\";\npassword = [1, \"hunter2\"];\n");
        expect_missing("globex:2: mismatched element type in array");
        write_file("globex", 0600, "username = \"u\";\npassword = { a = (1, [2.5], {}); };\n");
        expect_missing("globex:2: password must be a string");
        write_file("globex", 0600, "username = \"u\";\npassword = \"hunter2\";\n# no newline");
        expect_missing("globex:3: syntax error");
        write_file("globex", 0600, "username = \"u\";\npassword = \"hun\\x00ter2\";\n");
        expect_missing(":2: password must be non-empty UTF-8 text without control characters");
        big = malloc(PIK_CREDENTIALS_FILE_MAX + 100);
        memset(big, '(', 200);
        memcpy(big, "password = ", 11);
        big[200] = 0;
        write_file("globex", 0600, big);
        expect_missing("globex:1: syntax error (nested too deeply)");
        memset(big, '#', PIK_CREDENTIALS_FILE_MAX + 99);
        big[PIK_CREDENTIALS_FILE_MAX + 99] = 0;
        write_file("globex", 0600, big);
        expect_missing("larger than");

        /* Not a regular file: a symlink to a good file, a directory, a FIFO
         * (which must not hang the caller). */
        remove_file("globex");
        ASSERT_TRUE(asprintf(&path, "%s/globex", creds_dir) > 0);
        ASSERT_TRUE(symlink("acme", path) == 0);
        expect_missing("symbolic link");
        remove_file("globex");
        ASSERT_TRUE(mkdir(path, 0700) == 0);
        expect_missing("not a regular file");
        remove_file("globex");
        ASSERT_TRUE(mkfifo(path, 0600) == 0);
        expect_missing("not a regular file");
        remove_file("globex");

        /* No such directory at all. */
        {
                char key[PIK_EXECUTION_KEY_HEX];
                _cleanup_json_ json_object *o = NULL;
                int64_t e = new_execution(J.job_acme_ff, key);

                o = get_job_in("/nonexistent/pik-credentials", e, key, T0);
                ASSERT_STREQ(jstr(o, "credentials_missing"), "true");
                ASSERT_STREQ(jstr(o, "credentials_problem"), "no credentials file /nonexistent/pik-credentials/acme");
        }
}

/* What pikd does for GetJob, from the file to the reply's text: no block
 * goes back to the allocator holding the password, for a good file and
 * malformed ones. */
static void test_secret_wiped(void) {
        static const char *const files[] = {
                "username = \"u\";\npassword = \"s3cret-Wiped-42\";\n",
                "username = \"u\";\npassword = \"s3cret-Wiped-42\" junk;\n",
                "username = \"u\";\npassword = \"s3cret-Wiped-42",
                "password = \"s3cret-Wiped-42\";\n",
                /* The literal is where the syntax error is: libconfig's
                 * scanner leaked its copy (LSan: strbuf_append). */
                "username = \"u\";\npassword \"s3cret-Wiped-42\";\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                char key[PIK_EXECUTION_KEY_HEX];
                int64_t e = new_execution(J.job_globex_ff, key);
                char *text = NULL, *why = NULL;
                unsigned n;

                write_file("globex", 0600, files[i]);
                freed_scan_start("s3cret-Wiped-42");
                ASSERT_OK(pik_check_get_job(db, cfg, e, key, creds_dir, T0, &text, &why));
                if (!!why != (i > 0)) {
                        fprintf(stderr, "file %zu: %s\n", i, why ?: "accepted");
                        abort();
                }
                ASSERT_TRUE(!!strstr(text, "s3cret-Wiped-42") == (i == 0));
                erase_and_free(text);
                free(why);
                n = freed_scan_stop();
                if (n != 0) {
                        fprintf(stderr, "file %zu: %u freed blocks held the password\n", i, n);
                        abort();
                }
        }
        remove_file("globex");
}

static void test_progress(void) {
        char key[PIK_EXECUTION_KEY_HEX];
        char long_text[PIK_PROGRESS_MAX + 2];
        _cleanup_free_ char *p = NULL;
        int64_t e = new_execution(J.job_acme_ff, key);

        ASSERT_OK(pik_execution_set_progress(db, e, key, "step 2/4: logging in"));
        p = qs("SELECT progress FROM execution WHERE id = ?", e);
        ASSERT_STREQ(p, "step 2/4: logging in");

        ASSERT_REFUSED(pik_execution_set_progress(db, e, "bad", "step 3/4"), EACCES);
        ASSERT_REFUSED(pik_execution_set_progress(db, 4242, key, "step 3/4"), ENOENT);
        ASSERT_REFUSED(pik_execution_set_progress(db, e, key, ""), EINVAL);
        ASSERT_REFUSED(pik_execution_set_progress(db, e, key, "line\nbreak"), EINVAL);
        memset(long_text, 'x', sizeof long_text - 1);
        long_text[sizeof long_text - 1] = 0;
        ASSERT_REFUSED(pik_execution_set_progress(db, e, key, long_text), EINVAL);
        long_text[PIK_PROGRESS_MAX] = 0;
        ASSERT_OK(pik_execution_set_progress(db, e, key, long_text));

        ASSERT_OK(pik_db_exec(db, "UPDATE execution SET state = 'success' WHERE id = (SELECT max(id) FROM execution)"));
        ASSERT_REFUSED(pik_execution_set_progress(db, e, key, "late"), ESTALE);
}

static void test_report(void) {
        char key[PIK_EXECUTION_KEY_HEX];
        PikResultRecorded rec;
        int64_t e = new_execution(J.job_acme_ff, key);
        static const char *const bad[] = {
                "",
                "not json",
                "[1, 2]",
                "{\"outcome\": \"success\"}",
                "{\"duration_ms\": 5}",
                "{\"outcome\": \"success\", \"duration_ms\": 5, \"colour\": \"red\"}",
                "{\"outcome\": \"success\", \"duration_ms\": \"5\"}",
                "{\"outcome\": \"success\", \"duration_ms\": 5.5}",
                "{\"outcome\": \"success\", \"duration_ms\": -5}",
                "{\"outcome\": \"success\", \"duration_ms\": 5, \"dns_ms\": -2}",
                "{\"outcome\": 1, \"duration_ms\": 5}",
                "{\"outcome\": \"no-such-outcome\", \"duration_ms\": 5}",
                "{\"outcome\": \"success\", \"duration_ms\": 5, \"details\": 3}",
                "{\"outcome\": \"success\", \"duration_ms\": 5, \"details\": \"two\\nlines\"}",
                "{\"outcome\": \"success\", \"duration_ms\": 5, \"retry_after_sec\": 90000}",
                "{\"outcome\": \"success\", \"duration_ms\": 5} trailing",
                /* Steps: an array of objects, each named, known keys only. */
                "{\"outcome\": \"success\", \"duration_ms\": 5, \"steps\": {}}",
                "{\"outcome\": \"success\", \"duration_ms\": 5, \"steps\": [1]}",
                "{\"outcome\": \"success\", \"duration_ms\": 5, \"steps\": [{\"total_ms\": 3}]}",
                "{\"outcome\": \"success\", \"duration_ms\": 5, \"steps\": [{\"name\": \"a\", \"totl_ms\": 3}]}",
                "{\"outcome\": \"success\", \"duration_ms\": 5, \"steps\": [{\"name\": \"a\", \"http_status\": 1000}]}",
                "{\"outcome\": \"success\", \"duration_ms\": 5, \"steps\": [{\"name\": \"\"}]}",
                "{\"outcome\": \"success\", \"duration_ms\": 5, \"steps\": [{\"name\": \"two\\nlines\"}]}",
                "{\"outcome\": \"success\", \"duration_ms\": 5, \"steps\": [{\"name\": \"a\", \"requests\": 0}]}",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_REFUSED(pik_check_report_result(db, cfg, e, key, bad[i], T0 + 10, NULL), EINVAL);
        ASSERT_REFUSED(pik_check_report_result(db, cfg, e, key, NULL, T0 + 10, NULL), EINVAL);
        ASSERT_REFUSED(pik_check_report_result(db, cfg, e, "0000",
                                               "{\"outcome\": \"success\", \"duration_ms\": 5}", T0 + 10, NULL), EACCES);

        /* More than 32 steps. */
        {
                char big[PIK_REPORT_JSON_MAX];
                size_t n = (size_t) snprintf(big, sizeof big, "{\"outcome\": \"success\", \"duration_ms\": 5, \"steps\": [");
                for (int i = 0; i < 33; i++)
                        n += (size_t) snprintf(big + n, sizeof big - n, "%s{\"name\": \"s%d\"}", i ? "," : "", i);
                snprintf(big + n, sizeof big - n, "]}");
                ASSERT_REFUSED(pik_check_report_result(db, cfg, e, key, big, T0 + 10, NULL), EINVAL);
        }
        ASSERT_EQ(q("SELECT count(*) FROM result_step"), 0);

        /* Evidence is named by plain file names: never a path, a dot file,
         * a non-string, or more than the cap. */
        ASSERT_REFUSED(pik_check_report_result(db, cfg, e, key, "{\"outcome\": \"http-5xx\", \"duration_ms\": 5, "
                                               "\"evidence\": [\"../../pik.db\"]}", T0 + 10, NULL), EINVAL);
        ASSERT_REFUSED(pik_check_report_result(db, cfg, e, key, "{\"outcome\": \"http-5xx\", \"duration_ms\": 5, "
                                               "\"evidence\": [\"/etc/passwd\"]}", T0 + 10, NULL), EINVAL);
        ASSERT_REFUSED(pik_check_report_result(db, cfg, e, key, "{\"outcome\": \"http-5xx\", \"duration_ms\": 5, "
                                               "\"evidence\": [\".x\"]}", T0 + 10, NULL), EINVAL);
        ASSERT_REFUSED(pik_check_report_result(db, cfg, e, key, "{\"outcome\": \"http-5xx\", \"duration_ms\": 5, "
                                               "\"evidence\": [1]}", T0 + 10, NULL), EINVAL);
        ASSERT_REFUSED(pik_check_report_result(db, cfg, e, key, "{\"outcome\": \"http-5xx\", \"duration_ms\": 5, "
                                               "\"evidence\": \"page.html\"}", T0 + 10, NULL), EINVAL);
        ASSERT_REFUSED(pik_check_report_result(db, cfg, e, key, "{\"outcome\": \"http-5xx\", \"duration_ms\": 5, "
                                               "\"evidence\": [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]}",
                                               T0 + 10, NULL), EINVAL);
        ASSERT_EQ(q("SELECT count(*) FROM result WHERE execution_id = %lld", (long long) e), 0);

        /* What pik-check sends: every key, unknown timings as -1, the steps. */
        ASSERT_OK(pik_check_report_result(db, cfg, e, key,
                                          "{\"outcome\": \"http-5xx\", \"duration_ms\": 812, \"dns_ms\": 3, "
                                          "\"connect_ms\": -1, \"tls_ms\": null, \"ttfb_ms\": 400, \"total_ms\": 800, "
                                          "\"details\": \"HTTP 503 at /login\", \"retry_after_sec\": 0, \"steps\": ["
                                          "{\"name\": \"entry page\", \"http_status\": 200, \"requests\": 2, \"dns_ms\": 3, "
                                          "\"connect_ms\": 1, \"tls_ms\": -1, \"ttfb_ms\": 100, \"total_ms\": 300}, "
                                          "{\"name\": \"login form\", \"http_status\": 503, \"total_ms\": 500}], "
                                          "\"evidence\": [\"page.html\", \"steps.txt\"]}\n",
                                          T0 + 10, &rec));
        ASSERT_EQ(q("SELECT count(*) FROM result_step WHERE result_id = %lld", (long long) rec.result_id), 2);
        ASSERT_EQ(q("SELECT count(*) FROM result_step WHERE result_id = %lld AND position = 1 AND name = 'entry page' "
                    "AND http_status = 200 AND requests = 2 AND dns_ms = 3 AND tls_ms IS NULL AND total_ms = 300",
                    (long long) rec.result_id), 1);
        ASSERT_EQ(q("SELECT count(*) FROM result_step WHERE result_id = %lld AND position = 2 AND http_status = 503 "
                    "AND requests = 1 AND dns_ms IS NULL AND total_ms = 500", (long long) rec.result_id), 1);
        {
                _cleanup_json_ json_object *shown = NULL;
                json_object *steps, *v;

                ASSERT_OK(pik_result_show(db, rec.result_id, &shown));
                ASSERT_TRUE(json_object_object_get_ex(shown, "steps", &steps));
                ASSERT_EQ(json_object_array_length(steps), 2);
                ASSERT_TRUE(json_object_object_get_ex(json_object_array_get_idx(steps, 1), "name", &v));
                ASSERT_STREQ(json_object_get_string(v), "login form");
                ASSERT_TRUE(json_object_object_get_ex(shown, "description", &v));
                /* The evidence by path, in the execution's directory. */
                _cleanup_free_ char *ev_dir = NULL, *want = NULL;
                ASSERT_OK(pik_evidence_directory(NULL, e, &ev_dir));
                ASSERT_TRUE(asprintf(&want, "%s/page.html", ev_dir) >= 0);
                ASSERT_TRUE(json_object_object_get_ex(shown, "evidence", &v));
                ASSERT_EQ(json_object_array_length(v), 2);
                ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(v, 0)), want);
                ASSERT_REFUSED(pik_result_show(db, 99999, &shown), ENOENT);
        }
        ASSERT_STREQ(rec.outcome.name, "http-5xx");
        ASSERT_STREQ(rec.partner, "acme");
        ASSERT_STREQ(rec.browser, "ff");
        ASSERT_EQ(q("SELECT count(*) FROM result WHERE execution_id = %lld AND dns_ms = 3 AND connect_ms IS NULL "
                    "AND tls_ms IS NULL AND ttfb_ms = 400 AND duration_ms = 812 AND details = 'HTTP 503 at /login'",
                    (long long) e), 1);
        ASSERT_EQ(q("SELECT state = 'failure' FROM execution WHERE id = %lld", (long long) e), 1);

        ASSERT_REFUSED(pik_check_report_result(db, cfg, e, key, "{\"outcome\": \"success\", \"duration_ms\": 5}",
                                               T0 + 11, NULL), ESTALE);
        /* Once ended, GetJob is refused too. */
        {
                char *dummy = NULL;
                ASSERT_REFUSED(pik_check_get_job(db, cfg, e, key, creds_dir, T0 + 12, &dummy, NULL), ESTALE);
        }

        /* A throttled partner's Retry-After is honoured by the retry. */
        e = new_execution(J.job_globex_ff, key);
        ASSERT_OK(pik_db_exec(db, "UPDATE scheduled_job SET dispatched = 1"));
        ASSERT_OK(pik_check_report_result(db, cfg, e, key,
                                          "{\"outcome\": \"partner-throttled\", \"duration_ms\": 100, "
                                          "\"retry_after_sec\": 3600}", T0 + 20, &rec));
        ASSERT_TRUE(rec.retry_scheduled);
        ASSERT_EQ(q("SELECT run_after FROM scheduled_job WHERE id = %lld", (long long) J.job_globex_ff), T0 + 20 + 3600);
        {
                unsigned attempt = 0;
                int64_t delay = -1;

                ASSERT_OK(pik_check_next_attempt(db, e, T0 + 20, &attempt, &delay));
                ASSERT_EQ(attempt, 2);
                ASSERT_EQ(delay, 3600);
                ASSERT_ERR(pik_check_next_attempt(db, 9999, T0, &attempt, &delay), ENOENT);
        }
}

/* No listing shows a key or a password: neither as they are, nor the
 * column name. */
static void assert_clean(json_object *o, char **keys, size_t n_keys) {
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

        ASSERT_TRUE(!strstr(s, "\"key\""));
        ASSERT_TRUE(!strstr(s, PASSWORD_JSON));
        ASSERT_TRUE(!strstr(s, "hunter2"));
        ASSERT_TRUE(!strstr(s, "pa55-w0rd"));
        for (size_t i = 0; i < n_keys; i++)
                ASSERT_TRUE(!strstr(s, keys[i]));
}

static void test_no_secrets_in_listings(void) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        _cleanup_json_ json_object *list = NULL, *results = NULL, *status = NULL, *jobs = NULL;
        _cleanup_free_ char *dump = NULL;
        char **keys = NULL;
        size_t n = 0;

        /* Every key in the database, every execution shown. */
        ASSERT_OK(pik_db_prepare(db, "SELECT id, key FROM execution ORDER BY id", &s));
        while (pik_db_step(db, s) > 0) {
                _cleanup_json_ json_object *one = NULL;

                keys = realloc(keys, (n + 2) * sizeof *keys);
                ASSERT_TRUE(keys);
                keys[n++] = strdup((const char *) sqlite3_column_text(s, 1));
                keys[n] = NULL;
                ASSERT_OK(pik_execution_show(db, sqlite3_column_int64(s, 0), &one));
                assert_clean(one, keys + n - 1, 1);
        }
        ASSERT_TRUE(n > 20);

        ASSERT_OK(pik_execution_list(db, NULL, 0, &list));
        ASSERT_EQ(json_object_array_length(list), n);
        assert_clean(list, keys, n);
        ASSERT_OK(pik_result_list(db, &(PikResultFilter) {}, &results));
        ASSERT_TRUE(json_object_array_length(results) > 0);
        assert_clean(results, keys, n);
        ASSERT_OK(pik_status(db, cfg, T0 + 100, &status));
        assert_clean(status, keys, n);
        ASSERT_OK(pik_job_list(db, PIK_JOBS_ALL, T0, &jobs));
        assert_clean(jobs, keys, n);

        /* Passwords are never stored, not even in details. */
        dump = test_db_dump(db);
        ASSERT_TRUE(!strstr(dump, "pa55-w0rd"));
        ASSERT_TRUE(!strstr(dump, "hunter2"));
        strv_free(keys);
}

int main(void) {
        db = test_db_new(&dir);
        cfg = test_config_new();
        /* Confirmation of partner failures has a test of its own. */
        cfg->retry.confirm_after_sec = 0;
        ASSERT_TRUE(asprintf(&creds_dir, "%s/credentials", dir) > 0);
        ASSERT_TRUE(mkdir(creds_dir, 0700) == 0);

        setup();
        test_authenticate();
        test_get_job();
        test_credentials();
        test_secret_wiped();
        test_progress();
        test_report();
        test_no_secrets_in_listings();

        free(creds_dir);
        pik_config_free(cfg);
        pik_db_close(db);
        test_tmpdir_cleanup(dir);
        printf("test-checkjob: ok\n");
        return 0;
}
