/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build-config.h"
#include "config.h"
#include "outcome.h"
#include "string-util.h"
#include "test-helpers.h"

static char *dir;

static char *write_conf_len(const char *name, const char *text, size_t len) {
        char *path;
        FILE *f;

        ASSERT_TRUE(asprintf(&path, "%s/%s", dir, name) >= 0);
        f = fopen(path, "we");
        ASSERT_TRUE(f);
        ASSERT_EQ(fwrite(text, 1, len, f), len);
        ASSERT_EQ(fclose(f), 0);
        return path;
}

static char *write_conf(const char *text) {
        return write_conf_len("pik.conf", text, strlen(text));
}

static PikConfig *load_ok(const char *text) {
        _cleanup_free_ char *path = write_conf(text), *error = NULL;
        PikConfig *c = NULL;
        int r;

        r = pik_config_load(path, false, &c, &error);
        if (r < 0)
                fprintf(stderr, "unexpected error: %s\n", error ?: "(none)");
        ASSERT_OK(r);
        ASSERT_TRUE(c);
        ASSERT_TRUE(!error);
        ASSERT_STREQ(c->path, path);
        return c;
}

/* The error must name the file and the line (as the "FILE:LINE: " prefix),
 * and the key, and be what was expected. */
static void check_error_at(const char *path, int r, const char *error, int expected_errno,
                           unsigned line, const char *key, const char *what) {
        _cleanup_free_ char *prefix = NULL;

        printf("  %s\n", error ?: "(no message)");
        ASSERT_EQ(r, -expected_errno);
        ASSERT_TRUE(error);
        if (line > 0)
                ASSERT_TRUE(asprintf(&prefix, "%s:%u: ", path, line) >= 0);
        else
                ASSERT_TRUE(asprintf(&prefix, "%s: ", path) >= 0);
        ASSERT_TRUE(startswith(error, prefix));
        if (key) {
                _cleanup_free_ char *k = NULL;
                /* As "key: ..." or in "unknown key 'key'". */
                ASSERT_TRUE(asprintf(&k, "%s: ", key) >= 0);
                ASSERT_TRUE(startswith(error + strlen(prefix), k) || strstr(error, key));
        }
        if (what)
                ASSERT_TRUE(strstr(error, what));
}

static void load_fails_len(const char *text, size_t len, int expected_errno,
                           unsigned line, const char *key, const char *what) {
        _cleanup_free_ char *path = write_conf_len("pik.conf", text, len), *error = NULL;
        PikConfig *c = NULL;
        int r;

        r = pik_config_load(path, true, &c, &error);
        ASSERT_TRUE(!c);    /* untouched on failure */
        check_error_at(path, r, error, expected_errno, line, key, what);

        /* Without a place for the message, the same error. */
        ASSERT_EQ(pik_config_load(path, true, &c, NULL), -expected_errno);
        ASSERT_TRUE(!c);
}

static void load_fails(const char *text, int expected_errno, unsigned line, const char *key, const char *what) {
        load_fails_len(text, strlen(text), expected_errno, line, key, what);
}

static void assert_defaults(const PikConfig *c) {
        ASSERT_STREQ(c->database, PIK_DB_PATH);
        ASSERT_STREQ(c->timezone, "UTC");
        ASSERT_EQ(c->job_expiry_sec, 180);
        ASSERT_EQ(c->max_concurrent, 16);
        ASSERT_EQ(c->retry.max_attempts, 3);
        ASSERT_EQ(c->retry.backoff_sec, 30);
        ASSERT_EQ(c->retry.backoff_max_sec, 900);
        ASSERT_EQ(c->shard_index, 0);
        ASSERT_EQ(c->shard_count, 1);
        ASSERT_EQ(c->engine.timeout_sec, 30);
        ASSERT_EQ(c->engine.max_redirects, 10);
        ASSERT_STREQ(c->engine.user_agent, "pik/" PACKAGE_VERSION);
}

static void test_defaults(void) {
        _cleanup_(pik_config_freep) PikConfig *c = NULL;

        ASSERT_OK(pik_config_new_default(&c));
        ASSERT_TRUE(!c->path);
        assert_defaults(c);
        ASSERT_TRUE(pik_config_shard_owns(c, "acme"));
        ASSERT_TRUE(!pik_config_shard_owns(c, NULL));
        ASSERT_TRUE(!pik_config_free(NULL));
}

static void test_missing(void) {
        _cleanup_(pik_config_freep) PikConfig *c = NULL;
        _cleanup_free_ char *path = NULL, *error = NULL;

        ASSERT_TRUE(asprintf(&path, "%s/does-not-exist.conf", dir) >= 0);

        ASSERT_ERR(pik_config_load(path, false, &c, &error), ENOENT);
        ASSERT_TRUE(!c);
        check_error_at(path, -ENOENT, error, ENOENT, 0, NULL, "No such file");

        free(error);
        error = NULL;
        ASSERT_OK(pik_config_load(path, true, &c, &error));
        ASSERT_TRUE(!error);
        ASSERT_TRUE(!c->path);
        assert_defaults(c);
}

static void test_unreadable(void) {
        _cleanup_free_ char *error = NULL;
        PikConfig *c = NULL;

        /* A directory: open() succeeds, read() does not; missing_ok is about
         * ENOENT only. */
        ASSERT_ERR(pik_config_load(dir, true, &c, &error), EISDIR);
        ASSERT_TRUE(!c);
        check_error_at(dir, -EISDIR, error, EISDIR, 0, NULL, NULL);

        if (geteuid() != 0) {
                _cleanup_free_ char *path = write_conf("job_expiry = 60;\n"), *e = NULL;

                ASSERT_EQ(chmod(path, 0), 0);
                ASSERT_ERR(pik_config_load(path, true, &c, &e), EACCES);
                check_error_at(path, -EACCES, e, EACCES, 0, NULL, NULL);
        }
}

static void test_empty(void) {
        _cleanup_(pik_config_freep) PikConfig *c = load_ok("");
        _cleanup_(pik_config_freep) PikConfig *d = load_ok("# nothing but comments\n// and these\n/* and\n this */\n\n");

        assert_defaults(c);
        assert_defaults(d);
}

static void test_full(void) {
        _cleanup_(pik_config_freep) PikConfig *c = load_ok(
                "# every setting\n"
                "database = \"/srv/pik/pik.db\";\n"
                "timezone = \"Europe/Paris\";\n"
                "job_expiry = 600;\n"
                "max_concurrent: 0x40;   // colon and hex\n"
                "retry = {\n"
                "        max_attempts = 5;\n"
                "        backoff = 10;\n"
                "        backoff_max = 10L;   /* 64-bit literal */\n"
                "};\n"
                "shard = { index = 3; count = 4; };\n"
                "engine = {\n"
                "        timeout = 3600;\n"
                "        max_redirects = 0\n"          /* ';' is optional */
                "        user_agent = \"Mozilla/5.0 (pik; caf\xc3\xa9 \\\"check\\\")\";\n"
                "};\n");

        ASSERT_STREQ(c->database, "/srv/pik/pik.db");
        ASSERT_STREQ(c->timezone, "Europe/Paris");
        ASSERT_EQ(c->job_expiry_sec, 600);
        ASSERT_EQ(c->max_concurrent, 64);
        ASSERT_EQ(c->retry.max_attempts, 5);
        ASSERT_EQ(c->retry.backoff_sec, 10);
        ASSERT_EQ(c->retry.backoff_max_sec, 10);
        ASSERT_EQ(c->shard_index, 3);
        ASSERT_EQ(c->shard_count, 4);
        ASSERT_EQ(c->engine.timeout_sec, 3600);
        ASSERT_EQ(c->engine.max_redirects, 0);
        ASSERT_STREQ(c->engine.user_agent, "Mozilla/5.0 (pik; caf\xc3\xa9 \"check\")");
}

static void test_bounds_accepted(void) {
        /* Each range's both ends are valid. */
        _cleanup_(pik_config_freep) PikConfig *lo = load_ok(
                "job_expiry = 10; max_concurrent = 1;\n"
                "retry = { max_attempts = 1; backoff = 1; backoff_max = 1; };\n"
                "shard = { index = 0; count = 1; };\n"
                "engine = { timeout = 1; max_redirects = 0; };\n");
        _cleanup_(pik_config_freep) PikConfig *hi = load_ok(
                "job_expiry = 86400; max_concurrent = 10000;\n"
                "retry = { max_attempts = 20; backoff = 86400; backoff_max = 86400; };\n"
                "shard = { index = 1023; count = 1024; };\n"
                "engine = { timeout = 3600; max_redirects = 50; };\n");
        _cleanup_(pik_config_freep) PikConfig *up = load_ok("retry = { backoff = 1000; };\n");
        _cleanup_(pik_config_freep) PikConfig *cnt = load_ok("shard = { count = 8; };\n");
        _cleanup_free_ char *ua = NULL;

        ASSERT_EQ(lo->job_expiry_sec, 10);
        ASSERT_EQ(lo->retry.backoff_max_sec, 1);
        ASSERT_EQ(hi->shard_index, 1023);
        ASSERT_EQ(hi->shard_count, 1024);
        ASSERT_EQ(hi->max_concurrent, 10000);
        /* Only a larger first delay given: the cap follows it. */
        ASSERT_EQ(up->retry.backoff_sec, 1000);
        ASSERT_EQ(up->retry.backoff_max_sec, 1000);
        ASSERT_EQ(cnt->shard_index, 0);
        ASSERT_EQ(cnt->shard_count, 8);

        /* A user agent of exactly 512 bytes. */
        ASSERT_TRUE(asprintf(&ua, "engine = { user_agent = \"%0512d\"; };\n", 0) >= 0);
        _cleanup_(pik_config_freep) PikConfig *u = load_ok(ua);
        ASSERT_EQ(strlen(u->engine.user_agent), 512);
}

static void test_unknown_key(void) {
        load_fails("database = \"/x.db\";\n\njob_expiri = 300;\n", EINVAL, 3, "job_expiri", "unknown key 'job_expiri'");
        load_fails("retry = {\n        max_attempts = 2;\n        max_attempt = 3;\n};\n",
                   EINVAL, 3, "retry.max_attempt", "unknown key 'retry.max_attempt'");
        load_fails("engine = {\n        user_agent = \"x\";\n        proxy = { a = 1; };\n};\n",
                   EINVAL, 3, "engine.proxy", "unknown key 'engine.proxy'");
        /* A group of ours cannot be nested under another. */
        load_fails("engine = {\n        retry = { backoff = 1; };\n};\n", EINVAL, 2, "engine.retry", "unknown key");
        /* A key of a group at the top level. */
        load_fails("timeout = 30;\n", EINVAL, 1, "timeout", "unknown key 'timeout'");
        /* Case matters. */
        load_fails("Job_Expiry = 300;\n", EINVAL, 1, "Job_Expiry", "unknown key");
}

static void test_wrong_type(void) {
        load_fails("shard = {\n        index = 1;\n        count = \"4\";\n};\n",
                   EINVAL, 3, "shard.count", "shard.count: expected an integer");
        load_fails("job_expiry = 1.5;\n", EINVAL, 1, "job_expiry", "expected an integer");
        load_fails("job_expiry = 1e3;\n", EINVAL, 1, "job_expiry", "expected an integer");
        load_fails("\nmax_concurrent = true;\n", EINVAL, 2, "max_concurrent", "expected an integer");
        load_fails("job_expiry = [ 300 ];\n", EINVAL, 1, "job_expiry", "expected an integer");
        load_fails("job_expiry = [ 99999999999 ];\n", EINVAL, 1, "job_expiry", "expected an integer");
        load_fails("job_expiry = { seconds = 300; };\n", EINVAL, 1, "job_expiry", "expected an integer");
        load_fails("database = 5;\n", EINVAL, 1, "database", "database: expected a string");
        load_fails("timezone = [ \"UTC\" ];\n", EINVAL, 1, "timezone", "expected a string");
        load_fails("engine = {\n        user_agent = ( \"a\", \"b\" );\n};\n",
                   EINVAL, 2, "engine.user_agent", "expected a string");
        load_fails("retry = 5;\n", EINVAL, 1, "retry", "retry: expected a group");
        load_fails("shard = ( 0, 4 );\n", EINVAL, 1, "shard", "expected a group");
        load_fails("engine = \"http\";\n", EINVAL, 1, "engine", "expected a group");
}

typedef struct RangeCase {
        const char *group, *name;
        long long min, max;
} RangeCase;

static void test_out_of_range(void) {
        static const RangeCase cases[] = {
                { NULL, "job_expiry", 10, 86400 },
                { NULL, "max_concurrent", 1, 10000 },
                { "retry", "max_attempts", 1, 20 },
                { "retry", "backoff", 1, 86400 },
                { "retry", "backoff_max", 1, 86400 },
                { "shard", "count", 1, 1024 },
                { "shard", "index", 0, 1023 },
                { "engine", "timeout", 1, 3600 },
                { "engine", "max_redirects", 0, 50 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const RangeCase *t = &cases[i];
                long long bad[] = { t->min - 1, t->max + 1, -1000000, 2147483647 };

                for (size_t j = 0; j < ELEMENTSOF(bad); j++) {
                        _cleanup_free_ char *text = NULL, *key = NULL, *what = NULL;
                        unsigned line;

                        if (t->group) {
                                ASSERT_TRUE(asprintf(&text, "# comment\n%s = {\n\n        %s = %lld;\n};\n",
                                                     t->group, t->name, bad[j]) >= 0);
                                ASSERT_TRUE(asprintf(&key, "%s.%s", t->group, t->name) >= 0);
                                line = 4;
                        } else {
                                ASSERT_TRUE(asprintf(&text, "# comment\n\n%s = %lld;\n", t->name, bad[j]) >= 0);
                                ASSERT_TRUE(asprintf(&key, "%s", t->name) >= 0);
                                line = 3;
                        }
                        ASSERT_TRUE(asprintf(&what, "%s: %lld is out of range %lld..%lld",
                                             key, bad[j], t->min, t->max) >= 0);
                        load_fails(text, EINVAL, line, key, what);
                }
        }

        /* The example from the header, to the letter (but for the path). */
        {
                _cleanup_free_ char *path = write_conf("\n\n\n\n\n\njob_expiry = 5;\n"), *error = NULL, *expected = NULL;
                PikConfig *c = NULL;

                ASSERT_ERR(pik_config_load(path, false, &c, &error), EINVAL);
                ASSERT_TRUE(asprintf(&expected, "%s:7: job_expiry: 5 is out of range 10..86400", path) >= 0);
                ASSERT_STREQ(error, expected);
        }

        /* libconfig 1.5 keeps literals without L in an int and wraps them:
         * 4294967306 would read as 10, 0x100000004 as 4. */
        load_fails("job_expiry = 4294967306;\n", EINVAL, 1, "job_expiry", "job_expiry: 4294967306 is out of range 10..86400");
        load_fails("job_expiry = 2147483648;\n", EINVAL, 1, "job_expiry", "2147483648 is out of range");
        load_fails("job_expiry = -4294967286;\n", EINVAL, 1, "job_expiry", "-4294967286 is out of range");
        load_fails("job_expiry = 99999999999999999999999;\n", EINVAL, 1, "job_expiry", "out of range");
        load_fails("\nshard = {\n        count = 0x100000004;\n};\n", EINVAL, 3, "shard.count",
                   "shard.count: 0x100000004 is out of range 1..1024");
        load_fails("shard = { count = 0xFFFFFFFF; };\n", EINVAL, 1, "shard.count", "out of range");
        load_fails("engine =\n{\n        timeout\n        =\n        4294967297\n};\n",
                   EINVAL, 5, "engine.timeout", "engine.timeout: 4294967297 is out of range");
        /* With the L suffix libconfig keeps all 64 bits. */
        load_fails("job_expiry = 4294967306L;\n", EINVAL, 1, "job_expiry", "job_expiry: 4294967306 is out of range");
        /* Not fooled by look-alikes in strings and comments. */
        {
                _cleanup_(pik_config_freep) PikConfig *c = load_ok(
                        "# job_expiry = 4294967306;\n"
                        "engine = { user_agent = \"job_expiry = 4294967306\"; };  /* timeout = 99999999999 */\n"
                        "job_expiry = 300;\n");
                ASSERT_EQ(c->job_expiry_sec, 300);
        }
}

static void test_cross_checks(void) {
        load_fails("retry = {\n        backoff = 60;\n        backoff_max = 30;\n};\n",
                   EINVAL, 3, "retry.backoff_max", "retry.backoff_max: 30 is less than retry.backoff (60)");
        /* The default cap (900) below a written backoff is no error, but a
         * written cap below the default backoff (30) is. */
        load_fails("retry = { backoff_max = 29; };\n", EINVAL, 1, "retry.backoff_max", "less than retry.backoff (30)");

        load_fails("shard = {\n        index = 4;\n        count = 4;\n};\n",
                   EINVAL, 2, "shard.index", "shard.index: 4 is out of range 0..3");
        load_fails("shard = {\n        count = 2;\n        index = 7;\n};\n", EINVAL, 3, "shard.index", "0..1");
        /* An index without a count: the count is 1. */
        load_fails("shard = { index = 1; };\n", EINVAL, 1, "shard.index", "0..0");
}

static void test_strings(void) {
        _cleanup_free_ char *long_ua = NULL;

        load_fails("database = \"var/lib/pik/pik.db\";\n", EINVAL, 1, "database", "not an absolute path");
        load_fails("database = \"./pik.db\";\n", EINVAL, 1, "database", "not an absolute path");
        load_fails("database = \"\";\n", EINVAL, 1, "database", "must not be empty");

        load_fails("\ntimezone = \"Mars/Olympus_Mons\";\n", EINVAL, 2, "timezone", "Mars/Olympus_Mons");
        load_fails("timezone = \"../../etc/passwd\";\n", EINVAL, 1, "timezone", NULL);
        load_fails("timezone = \"/usr/share/zoneinfo/UTC\";\n", EINVAL, 1, "timezone", NULL);
        load_fails("timezone = \"\";\n", EINVAL, 1, "timezone", NULL);

        /* Not UTF-8: a raw byte, an escape, an overlong form, a surrogate. */
        load_fails("engine = {\n        user_agent = \"pik\xff\";\n};\n", EINVAL, 2, "engine.user_agent", "not valid UTF-8");
        load_fails("engine = {\n        user_agent = \"pik\\xc3\";\n};\n", EINVAL, 2, "engine.user_agent", "not valid UTF-8");
        load_fails("engine = { user_agent = \"\xc0\xaf\"; };\n", EINVAL, 1, "engine.user_agent", "not valid UTF-8");
        load_fails("engine = { user_agent = \"\xed\xa0\x80\"; };\n", EINVAL, 1, "engine.user_agent", "not valid UTF-8");
        load_fails("database = \"/var/lib/p\xe9k.db\";\n", EINVAL, 1, "database", "not valid UTF-8");
        load_fails("timezone = \"Europe/Z\xfcrich\";\n", EINVAL, 1, "timezone", "not valid UTF-8");

        /* Control characters, C0 and C1 (U+009B is a terminal's CSI). */
        load_fails("engine = { user_agent = \"a\\tb\"; };\n", EINVAL, 1, "engine.user_agent", "control characters");
        load_fails("engine = { user_agent = \"a\\nb\"; };\n", EINVAL, 1, "engine.user_agent", "control characters");
        load_fails("engine = { user_agent = \"a\\x1b[31mb\"; };\n", EINVAL, 1, "engine.user_agent", "control characters");
        load_fails("engine = { user_agent = \"a\xc2\x9b" "31mb\"; };\n", EINVAL, 1, "engine.user_agent", "control characters");

        ASSERT_TRUE(asprintf(&long_ua, "engine = { user_agent = \"%0513d\"; };\n", 0) >= 0);
        load_fails(long_ua, EINVAL, 1, "engine.user_agent", "longer than 512 bytes");
        load_fails("engine = { user_agent = \"\"; };\n", EINVAL, 1, "engine.user_agent", "must not be empty");
}

static void test_syntax(void) {
        load_fails("job_expiry = 300;\nmax_concurrent = ;\n", EINVAL, 2, NULL, "syntax error");
        load_fails("retry = {\n        backoff = 1;\n", EINVAL, 3, NULL, NULL);
        load_fails("job_expiry 300;\n", EINVAL, 1, NULL, "syntax error");
        /* libconfig reports an unterminated string where the file ends. */
        load_fails("database = \"/unterminated;\n", EINVAL, 2, NULL, NULL);
        load_fails("job_expiry = 300;\njob_expiry = 400;\n", EINVAL, 2, NULL, "duplicate");
        load_fails("\n\n@include \"/etc/passwd\"\n", EINVAL, 3, NULL, "@include");
        load_fails_len("job_expiry = 300;\n\n# a\0b\n", 23, EINVAL, 3, NULL, "NUL");
}

static void test_too_big(void) {
        size_t n = 1024 * 1024 + 1;
        _cleanup_free_ char *text = malloc(n), *path = NULL, *error = NULL;
        PikConfig *c = NULL;

        ASSERT_TRUE(text);
        memset(text, '\n', n);
        text[0] = '#';
        path = write_conf_len("big.conf", text, n);
        ASSERT_ERR(pik_config_load(path, false, &c, &error), EFBIG);
        check_error_at(path, -EFBIG, error, EFBIG, 0, NULL, "larger than");

        /* Exactly at the cap is fine. */
        free(path);
        path = write_conf_len("big.conf", text, n - 1);
        ASSERT_OK(pik_config_load(path, false, &c, NULL));
        assert_defaults(c);
        pik_config_free(c);
}

static void test_error_untouched_on_success(void) {
        _cleanup_free_ char *path = write_conf("job_expiry = 60;\n");
        _cleanup_(pik_config_freep) PikConfig *c = NULL;
        char *error = NULL;

        ASSERT_OK(pik_config_load(path, false, &c, &error));
        ASSERT_TRUE(!error);
        ASSERT_EQ(c->job_expiry_sec, 60);
        ASSERT_ERR(pik_config_load(NULL, false, &c, &error), EINVAL);
}

/* data/pik.conf, found from this file's path: meson compiles it as
 * "../src/shared/test-config.c" relative to the build directory, where
 * "meson test" runs us. PIK_SOURCE_ROOT overrides. */
static char *example_path(void) {
        const char *root = getenv("PIK_SOURCE_ROOT"), *suffix = "src/shared/test-config.c", *file = __FILE__;
        size_t n = strlen(file), m = strlen(suffix);
        char *p;

        if (root)
                ASSERT_TRUE(asprintf(&p, "%s/data/pik.conf", root) >= 0);
        else {
                ASSERT_TRUE(n >= m && streq(file + n - m, suffix));
                ASSERT_TRUE(asprintf(&p, "%.*sdata/pik.conf", (int) (n - m), file) >= 0);
        }
        return p;
}

static void test_example(void) {
        _cleanup_free_ char *path = example_path(), *text = NULL, *error = NULL, *uncommented = NULL;
        _cleanup_(pik_config_freep) PikConfig *c = NULL;
        size_t n = 0;
        char *o;
        int r;

        text = test_read_file(path);
        if (!text) {
                fprintf(stderr, "cannot read %s (run from the build directory or set PIK_SOURCE_ROOT)\n", path);
                abort();
        }

        /* As shipped: everything commented out, so the defaults. */
        r = pik_config_load(path, false, &c, &error);
        if (r < 0)
                fprintf(stderr, "%s\n", error ?: "(no message)");
        ASSERT_OK(r);
        assert_defaults(c);
        c = pik_config_free(c);

        /* With each "#setting" line enabled: every documented setting is
         * accepted and the values shown are the defaults. */
        o = uncommented = malloc(strlen(text) + 1);
        ASSERT_TRUE(uncommented);
        for (const char *l = text; *l;) {
                size_t len = strcspn(l, "\n");
                bool setting = l[0] == '#' && len > 1 && l[1] != ' ' && l[1] != '#';

                memcpy(o, l + setting, len - setting);
                o += len - setting;
                l += len;
                if (*l)
                        *o++ = *l++;
                n += setting;
        }
        *o = 0;
        ASSERT_TRUE(n >= 14);    /* 4 top-level, 3 groups of 2-3 settings and their braces */

        c = load_ok(uncommented);
        ASSERT_STREQ(c->database, "/var/lib/pik/pik.db");
        ASSERT_STREQ(c->timezone, "UTC");
        ASSERT_EQ(c->job_expiry_sec, 180);
        ASSERT_EQ(c->max_concurrent, 16);
        ASSERT_EQ(c->retry.max_attempts, 3);
        ASSERT_EQ(c->retry.backoff_sec, 30);
        ASSERT_EQ(c->retry.backoff_max_sec, 900);
        ASSERT_EQ(c->shard_index, 0);
        ASSERT_EQ(c->shard_count, 1);
        ASSERT_EQ(c->engine.timeout_sec, 30);
        ASSERT_EQ(c->engine.max_redirects, 10);
        ASSERT_TRUE(startswith(c->engine.user_agent, "pik/"));
}

static void test_shard_owns(void) {
        _cleanup_(pik_config_freep) PikConfig *c = NULL;
        unsigned per_shard[4] = {};

        ASSERT_OK(pik_config_new_default(&c));

        /* One host: owns everything. */
        for (unsigned i = 0; i < 100; i++) {
                char code[32];
                snprintf(code, sizeof code, "partner-%u", i);
                ASSERT_TRUE(pik_config_shard_owns(c, code));
        }

        /* Four hosts: every code has exactly one owner, and the split is not
         * lopsided. */
        c->shard_count = 4;
        for (unsigned i = 0; i < 1000; i++) {
                char code[32];
                unsigned owners = 0;

                snprintf(code, sizeof code, "partner-%u", i);
                for (unsigned s = 0; s < 4; s++) {
                        c->shard_index = s;
                        if (pik_config_shard_owns(c, code)) {
                                owners++;
                                per_shard[s]++;
                        }
                }
                ASSERT_EQ(owners, 1);
        }
        for (unsigned s = 0; s < 4; s++) {
                printf("  shard %u/4: %u codes\n", s, per_shard[s]);
                ASSERT_TRUE(per_shard[s] > 150 && per_shard[s] < 350);
        }

        /* The assignment is a contract across hosts and releases:
         * FNV-1a("acme") = 0x0724d383f4f6de0f, mixed by fmix64 into
         * 0x3a25b6656ba9cfc6, which is 2 mod 4. */
        c->shard_index = 2;
        ASSERT_TRUE(pik_config_shard_owns(c, "acme"));
        c->shard_index = 3;
        ASSERT_TRUE(!pik_config_shard_owns(c, "acme"));
}

static void test_canary(void) {
        _cleanup_(pik_config_freep) PikConfig *none = load_ok("");
        _cleanup_(pik_config_freep) PikConfig *c =
                load_ok("canary = {\n        dns = \"resolver.test\";\n        url = \"https://egress.test/\";\n};\n");

        ASSERT_TRUE(none->canary.dns == NULL && none->canary.url == NULL);
        ASSERT_STREQ(c->canary.dns, "resolver.test");
        ASSERT_STREQ(c->canary.url, "https://egress.test/");
        load_fails("canary = {\n        url = \"ftp://egress.test/\";\n};\n", EINVAL, 2, "canary.url", "http");
        load_fails("canary = {\n        dns = 5;\n};\n", EINVAL, 2, "canary.dns", "expected a string");
        load_fails("canary = {\n        ping = \"x\";\n};\n", EINVAL, 2, "canary.ping", "unknown key");
}

/* From a buffer (the fuzz target's way in): the same parse and messages as
 * from a file, the buffer need not end in a NUL, and one inside it is
 * named with its line. */
static void test_parse_buffer(void) {
        static const char text[] = "job_expiry = 60;\nmax_concurrent = 4;XXX";
        static const char nul[] = "job_expiry = 60;\n\nmax\0_concurrent = 4;\n";
        _cleanup_(pik_config_freep) PikConfig *c = NULL;
        _cleanup_free_ char *error = NULL;
        PikConfig *none = NULL;

        ASSERT_OK(pik_config_parse("buf.conf", text, sizeof text - 4, &c, &error));
        ASSERT_TRUE(!error);
        ASSERT_STREQ(c->path, "buf.conf");
        ASSERT_EQ(c->job_expiry_sec, 60);
        ASSERT_EQ(c->max_concurrent, 4);

        ASSERT_ERR(pik_config_parse("buf.conf", nul, sizeof nul - 1, &none, &error), EINVAL);
        ASSERT_STREQ(error, "buf.conf:3: NUL byte in file");
        ASSERT_TRUE(!none);
        error = mfree(error);

        ASSERT_ERR(pik_config_parse("buf.conf", "job_expiry = 5;", 15, &none, &error), EINVAL);
        ASSERT_STREQ(error, "buf.conf:1: job_expiry: 5 is out of range 10..86400");

        ASSERT_OK(pik_config_parse("empty.conf", NULL, 0, &none, NULL));
        ASSERT_EQ(none->job_expiry_sec, 180);
        pik_config_free(none);
}

static void test_alerts(void) {
        _cleanup_(pik_config_freep) PikConfig *d = load_ok("");
        _cleanup_(pik_config_freep) PikConfig *c = NULL;

        ASSERT_EQ(d->alerts.fail_after, 2);
        ASSERT_EQ(d->alerts.recover_after, 1);
        ASSERT_EQ(d->alerts.remind_every_sec, 14400);
        ASSERT_EQ(d->n_channels, 0);

        c = load_ok("alerts = { fail_after = 3; recover_after = 2; remind_every = 0; };\n"
                    "channels = (\n"
                    "  { name = \"ops\"; type = \"mail\"; to = \"ops@example.com, oncall@example.com\";\n"
                    "    kinds = [ \"partner\", \"configuration\" ]; partners = [ \"acme\", \"globex\" ]; },\n"
                    "  { name = \"hook\"; type = \"webhook\"; url = \"https://alerts.example.com/pik\"; },\n"
                    "  { name = \"pager\"; type = \"command\"; command = \"/usr/local/bin/page-me\";\n"
                    "    kinds = [ \"infrastructure\" ]; }\n"
                    ");\n");
        ASSERT_EQ(c->alerts.fail_after, 3);
        ASSERT_EQ(c->alerts.recover_after, 2);
        ASSERT_EQ(c->alerts.remind_every_sec, 0);
        ASSERT_EQ(c->n_channels, 3);
        ASSERT_STREQ(c->channels[0].name, "ops");
        ASSERT_EQ(c->channels[0].type, PIK_CHANNEL_MAIL);
        ASSERT_STREQ(c->channels[0].target, "ops@example.com, oncall@example.com");
        ASSERT_EQ(c->channels[0].kinds, (1u << OUTCOME_KIND_PARTNER) | (1u << OUTCOME_KIND_CONFIGURATION));
        ASSERT_EQ(strv_length(c->channels[0].partners), 2);
        ASSERT_STREQ(c->channels[0].partners[1], "globex");
        ASSERT_EQ(c->channels[1].type, PIK_CHANNEL_WEBHOOK);
        ASSERT_EQ(c->channels[1].kinds, 0);
        ASSERT_TRUE(!c->channels[1].partners);
        ASSERT_STREQ(c->channels[2].target, "/usr/local/bin/page-me");
        ASSERT_TRUE(pik_config_find_channel(c, "pager") == &c->channels[2]);
        ASSERT_TRUE(!pik_config_find_channel(c, "nope"));

        ASSERT_EQ(d->alerts.flap_window, 20);
        ASSERT_EQ(d->alerts.flap_changes, 6);
        load_fails("alerts = {\n  flap_window = 63;\n};\n", EINVAL, 2, "alerts.flap_window", "out of range 0..62");
        load_fails("alerts = {\n  flap_window = 10;\n  flap_changes = 10;\n};\n", EINVAL, 3, "alerts.flap_changes",
                   "is not less than alerts.flap_window (10)");
        pik_config_free(load_ok("alerts = { flap_window = 0; flap_changes = 30; };\n"));
        load_fails("alerts = {\n  fail_after = 0;\n};\n", EINVAL, 2, "alerts.fail_after", "out of range");
        load_fails("alerts = {\n  remind_every = \"4h\";\n};\n", EINVAL, 2, "alerts.remind_every",
                   "expected an integer");
        load_fails("channels = { name = \"x\"; };\n", EINVAL, 1, "channels", "expected a list");
        load_fails("channels = (\n  { type = \"mail\"; to = \"a@b\"; }\n);\n", EINVAL, 2, "channels[0]", "no name");
        load_fails("channels = (\n  { name = \"Ops!\"; type = \"mail\"; }\n);\n", EINVAL, 2,
                   "channels[0].name", "not a valid name");
        load_fails("channels = (\n  { name = \"ops\"; type = \"sms\"; }\n);\n", EINVAL, 2,
                   "channels.ops.type", "not one of mail, webhook, command");
        load_fails("channels = (\n  { name = \"ops\";\n    type = \"mail\"; }\n);\n", EINVAL, 2,
                   "channels.ops.to", "missing");
        load_fails("channels = (\n  { name = \"ops\"; type = \"mail\";\n    to = \"ops\"; }\n);\n", EINVAL, 3,
                   "channels.ops.to", "not a mail address");
        load_fails("channels = (\n  { name = \"ops\"; type = \"mail\";\n    to = \"a@b\\nBcc: x@y\"; }\n);\n",
                   EINVAL, 3, "channels.ops.to", "control characters");
        load_fails("channels = (\n  { name = \"h\"; type = \"webhook\";\n    url = \"ftp://x/\"; }\n);\n", EINVAL, 3,
                   "channels.h.url", "http");
        load_fails("channels = (\n  { name = \"h\"; type = \"webhook\";\n    to = \"a@b\"; }\n);\n", EINVAL, 3,
                   "channels.h.to", "unknown key");
        load_fails("channels = (\n  { name = \"c\"; type = \"command\";\n    command = \"page-me\"; }\n);\n",
                   EINVAL, 3, "channels.c.command", "absolute path");
        load_fails("channels = (\n  { name = \"c\"; type = \"command\"; command = \"/bin/true\";\n"
                   "    kinds = [ \"success\" ]; }\n);\n", EINVAL, 3, "channels.c.kinds", "not one of");
        load_fails("channels = (\n  { name = \"c\"; type = \"command\"; command = \"/bin/true\";\n"
                   "    partners = [ \"Acme Corp\" ]; }\n);\n", EINVAL, 3, "channels.c.partners", "not a partner code");
        load_fails("channels = (\n  { name = \"c\"; type = \"command\"; command = \"/bin/true\"; },\n"
                   "  { name = \"c\"; type = \"command\"; command = \"/bin/false\"; }\n);\n", EINVAL, 3,
                   "channels[1].name", "exists already");
}

static void test_schedules(void) {
        _cleanup_(pik_config_freep) PikConfig *d = load_ok("");
        _cleanup_(pik_config_freep) PikConfig *c = NULL;

        ASSERT_EQ(d->n_schedules, 0);
        ASSERT_TRUE(!pik_config_find_schedule(d, "hourly"));

        c = load_ok("schedules = {\n"
                    "  hourly = \"1h\";\n"
                    "  fast = \"every: 30s\";\n"
                    "  morning = \"at: 08:00, 12:30\";\n"
                    "  office = \"cron:0 8-18 * * mon-fri\";\n"
                    "};\n");
        ASSERT_EQ(c->n_schedules, 4);
        ASSERT_STREQ(pik_config_find_schedule(c, "hourly")->text, "1h");
        ASSERT_EQ(pik_config_find_schedule(c, "hourly")->type, SCHEDULE_INTERVAL);
        ASSERT_STREQ(pik_config_find_schedule(c, "fast")->text, "30s");
        ASSERT_EQ(pik_config_find_schedule(c, "fast")->type, SCHEDULE_INTERVAL);
        ASSERT_STREQ(pik_config_find_schedule(c, "morning")->text, "08:00, 12:30");
        ASSERT_EQ(pik_config_find_schedule(c, "morning")->type, SCHEDULE_DAILY);
        ASSERT_STREQ(pik_config_find_schedule(c, "office")->text, "0 8-18 * * mon-fri");
        ASSERT_EQ(pik_config_find_schedule(c, "office")->type, SCHEDULE_CRON);
        ASSERT_TRUE(!pik_config_find_schedule(c, "nope"));

        load_fails("schedules = ( \"1h\" );\n", EINVAL, 1, "schedules", "expected a group");
        load_fails("schedules = {\n  hourly = 3600;\n};\n", EINVAL, 2, "schedules.hourly", "expected a string");
        load_fails("schedules = {\n  Hourly = \"1h\";\n};\n", EINVAL, 2, "schedules.Hourly", "lower-case");
        load_fails("schedules = {\n  office = \"cron: 0 25 * * *\";\n};\n", EINVAL, 2, "schedules.office",
                   "cron schedule '0 25 * * *' is invalid");
        load_fails("schedules = {\n  noon = \"at: 25:00\";\n};\n", EINVAL, 2, "schedules.noon", "daily schedule");
        load_fails("schedules = {\n  x = \"5 fortnights\";\n};\n", EINVAL, 2, "schedules.x", "interval schedule");
        load_fails("schedules = {\n  x = \"\";\n};\n", EINVAL, 2, "schedules.x", "must not be empty");
}

static void test_history(void) {
        _cleanup_(pik_config_freep) PikConfig *d = load_ok("");
        _cleanup_(pik_config_freep) PikConfig *c = NULL;

        ASSERT_EQ(d->results.keep_days, 90);
        ASSERT_EQ(d->results.keep_daily_days, 400);
        ASSERT_EQ(d->evidence_days, 14);

        c = load_ok("results = { keep_days = 7; keep_daily_days = 7; };\nevidence_days = 30;\n");
        ASSERT_EQ(c->results.keep_days, 7);
        ASSERT_EQ(c->results.keep_daily_days, 7);
        ASSERT_EQ(c->evidence_days, 30);

        load_fails("results = {\n  keep_days = 0;\n};\n", EINVAL, 2, "results.keep_days", "out of range 1..3650");
        load_fails("evidence_days = -1;\n", EINVAL, 1, "evidence_days", "out of range");
        load_fails("results = {\n  keep_daily_days = \"1y\";\n};\n", EINVAL, 2, "results.keep_daily_days",
                   "expected an integer");
        load_fails("results = {\n  keep_days = 30;\n  keep_dayz = 3;\n};\n", EINVAL, 3, "results.keep_dayz",
                   "unknown key");
        /* Aggregates of days older than keep_days, kept for less: refused. */
        load_fails("results = {\n  keep_days = 100;\n  keep_daily_days = 50;\n};\n", EINVAL, 3,
                   "results.keep_daily_days", "less than results.keep_days (100)");
        pik_config_free(c);
        c = load_ok("results = { keep_days = 500; };\n");
        ASSERT_EQ(c->results.keep_daily_days, 500);
}

int main(void) {
        dir = test_tmpdir();

        test_schedules();
        test_history();

        test_parse_buffer();
        test_alerts();

        test_canary();

        test_defaults();
        test_missing();
        test_unreadable();
        test_empty();
        test_full();
        test_bounds_accepted();
        test_unknown_key();
        test_wrong_type();
        test_out_of_range();
        test_cross_checks();
        test_strings();
        test_syntax();
        test_too_big();
        test_error_untouched_on_success();
        test_example();
        test_shard_owns();

        test_tmpdir_cleanup(dir);
        return 0;
}
