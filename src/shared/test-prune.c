/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The daily prune on a simulated clock: old results become exact daily
 * aggregates (counts per kind, nearest-rank p50/p95) and go with their
 * steps, recent ones stay; a run stopped after any batch and run again ends
 * where an uninterrupted one does; old aggregates and old evidence go; and
 * history shows folded and kept days alike. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "browser.h"
#include "history.h"
#include "jobconfig.h"
#include "partner.h"
#include "prune.h"
#include "string-util.h"
#include "test-helpers.h"

#define DAY INT64_C(86400)

static const char conf_text[] = "results = { keep_days = 3; keep_daily_days = 10; };\nevidence_days = 2;\n";

static PikConfig *config(void) {
        PikConfig *c = NULL;
        ASSERT_OK(pik_config_parse("test.conf", conf_text, sizeof conf_text - 1, &c, NULL));
        return c;
}

static void result(PikDb *db, int64_t config_id, const char *partner, const char *browser, int64_t at,
                   int64_t duration_ms, const char *outcome) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;

        ASSERT_OK(pik_db_prepare(db, "INSERT INTO result (config_id, partner, browser, executed_at, duration_ms, "
                                     "  outcome) VALUES (?, ?, ?, ?, ?, ?)", &s));
        if (config_id > 0)
                sqlite3_bind_int64(s, 1, config_id);
        sqlite3_bind_text(s, 2, partner, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, browser, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, at);
        sqlite3_bind_int64(s, 5, duration_ms);
        sqlite3_bind_text(s, 6, outcome, -1, SQLITE_STATIC);
        ASSERT_EQ(pik_db_step(db, s), 0);
}

/* Durations of one day of one check, in an order that is not sorted. */
static const int64_t day_a[] = { 70, 10, 100, 40, 20, 90, 30, 60, 80, 50 };
static const int64_t day_b[] = { 5, 1000, 7, 3 };

static int cmp(const void *a, const void *b) {
        int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
        return (x > y) - (x < y);
}

/* Nearest rank: the value at rank ceil(n·q/100) of the sorted values. */
static int64_t rank(const int64_t *v, size_t n, unsigned q) {
        int64_t sorted[64];

        ASSERT_TRUE(n > 0 && n <= ELEMENTSOF(sorted));
        memcpy(sorted, v, n * sizeof *v);
        qsort(sorted, n, sizeof *sorted, cmp);
        return sorted[(n * q + 99) / 100 - 1];
}

typedef struct Fixture {
        PikDb *db;
        char *dir;
        int64_t plain, sso, now;
} Fixture;

static const char *outcome_of(size_t i) {
        /* Success, then one of each failure kind in turn. */
        static const char *const o[] = { "success", "success", "login-rejected", "success", "egress-down",
                                         "success", "invalid-config" };
        return o[i % ELEMENTSOF(o)];
}

static void fill(Fixture *f) {
        static char *chrome[] = { (char *) "chrome", NULL };
        static char *both[] = { (char *) "chrome", (char *) "ff", NULL };
        int64_t today;

        f->db = test_db_new(&f->dir);
        f->now = T("2026-06-15T12:00:00Z");
        today = pik_day_start(f->now);

        ASSERT_OK(pik_partner_add(f->db, "acme", "ACME", 0));
        ASSERT_OK(pik_partner_add(f->db, "globex", "Globex", 0));
        ASSERT_OK(pik_browser_add(f->db, &(PikBrowserSpec) { .name = "chrome", .engine = "http" }, 0));
        ASSERT_OK(pik_browser_add(f->db, &(PikBrowserSpec) { .name = "ff", .engine = "http" }, 0));
        PikJobConfigSpec spec = {
                .partner = "acme", .name = "plain", .browsers = both, .entry_url = "https://acme.test/",
                .schedule_type = SCHEDULE_INTERVAL, .schedule = "5m", .wait_sec = -1,
        };
        ASSERT_OK(pik_jobconfig_add(f->db, &spec, "UTC", 0, &f->plain));
        spec.name = "sso";
        spec.browsers = chrome;
        ASSERT_OK(pik_jobconfig_add(f->db, &spec, "UTC", 0, &f->sso));

        /* Five days ago and four days ago: older than keep_days (3). */
        for (size_t i = 0; i < ELEMENTSOF(day_a); i++) {
                result(f->db, f->plain, "acme", "chrome", today - 5 * DAY + 600 * (int64_t) i, day_a[i], outcome_of(i));
                result(f->db, f->plain, "acme", "ff", today - 4 * DAY + 3600 * (int64_t) i, day_a[i] + 1, "success");
                result(f->db, f->sso, "acme", "chrome", today - 4 * DAY + 60 * (int64_t) i, day_a[i] * 2,
                       outcome_of(i + 1));
        }
        for (size_t i = 0; i < ELEMENTSOF(day_b); i++)
                /* The last second of the day before the cutoff's day. */
                result(f->db, f->plain, "acme", "chrome", today - 3 * DAY - 1 - (int64_t) i, day_b[i], "sso-failed");
        /* Without a configuration (recorded before checks had one). */
        result(f->db, 0, "globex", "chrome", today - 6 * DAY, 42, "http-5xx");
        result(f->db, 0, "globex", "chrome", today - 6 * DAY + 1, 43, "success");

        /* Recent: kept as they are, the cutoff's own day included. */
        result(f->db, f->plain, "acme", "chrome", today - 3 * DAY, 11, "success");
        result(f->db, f->plain, "acme", "chrome", today - DAY, 12, "http-5xx");
        result(f->db, f->sso, "acme", "chrome", today, 13, "success");

        /* A step of an old result, and of a recent one. */
        ASSERT_OK(pik_db_exec(f->db, "INSERT INTO result_step (result_id, position, name) "
                                     "SELECT id, 0, 'entry' FROM result WHERE id IN (1, (SELECT max(id) FROM result))"));
}

static void fixture_done(Fixture *f) {
        pik_db_close(f->db);
        test_tmpdir_cleanup(f->dir);
}

/* The aggregates, every column, in a fixed order. */
static char *aggregates(PikDb *db) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        char *out = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&out, &n);

        ASSERT_TRUE(f);
        ASSERT_OK(pik_db_prepare(db, "SELECT * FROM result_daily ORDER BY config_id, browser, partner, day", &s));
        while (pik_db_step(db, s) > 0) {
                for (int i = 0; i < sqlite3_column_count(s); i++)
                        fprintf(f, "%lld|", (long long) sqlite3_column_int64(s, i));
                fputc('\n', f);
        }
        ASSERT_TRUE(fclose(f) == 0);
        return out;
}

static void assert_aggregate(PikDb *db, int64_t config_id, const char *browser, int64_t day, int64_t runs,
                             int64_t successes, int64_t partner, int64_t infra, int64_t conf, int64_t p50,
                             int64_t p95) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;

        ASSERT_OK(pik_db_prepare(db, "SELECT runs, successes, partner_failures, infrastructure_failures, "
                                     "  configuration_failures, p50_ms, p95_ms FROM result_daily "
                                     "WHERE config_id = ? AND browser = ? AND day = ?", &s));
        sqlite3_bind_int64(s, 1, config_id);
        sqlite3_bind_text(s, 2, browser, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, day);
        ASSERT_EQ(pik_db_step(db, s), 1);
        ASSERT_EQ(sqlite3_column_int64(s, 0), runs);
        ASSERT_EQ(sqlite3_column_int64(s, 1), successes);
        ASSERT_EQ(sqlite3_column_int64(s, 2), partner);
        ASSERT_EQ(sqlite3_column_int64(s, 3), infra);
        ASSERT_EQ(sqlite3_column_int64(s, 4), conf);
        ASSERT_EQ(sqlite3_column_int64(s, 5), p50);
        ASSERT_EQ(sqlite3_column_int64(s, 6), p95);
}

static size_t count_outcome(size_t offset, size_t n, const char *outcome) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                k += streq(outcome_of(i + offset), outcome);
        return k;
}

static void test_fold(void) {
        _cleanup_(pik_config_freep) PikConfig *cfg = config();
        _cleanup_free_ char *first = NULL, *again = NULL;
        Fixture f = {};
        PikPruneStats st;
        int64_t today;
        int64_t sso_doubled[ELEMENTSOF(day_a)], ff[ELEMENTSOF(day_a)];

        fill(&f);
        today = pik_day_start(f.now);
        ASSERT_EQ(pik_prune_results_cutoff(cfg, f.now), today - 3 * DAY);

        ASSERT_OK(pik_prune_results(f.db, cfg, f.now, NULL, &st));
        ASSERT_TRUE(st.complete);
        ASSERT_EQ(st.results, 3 * ELEMENTSOF(day_a) + ELEMENTSOF(day_b) + 2);
        ASSERT_EQ(st.aggregates, 0);

        /* What is left: the three recent results, and the recent step only. */
        ASSERT_EQ(test_query_int64(f.db, "SELECT count(*) FROM result"), 3);
        ASSERT_EQ(test_query_int64(f.db, "SELECT count(*) FROM result WHERE executed_at < %lld",
                                   (long long) (today - 3 * DAY)), 0);
        ASSERT_EQ(test_query_int64(f.db, "SELECT count(*) FROM result_step"), 1);

        for (size_t i = 0; i < ELEMENTSOF(day_a); i++) {
                sso_doubled[i] = day_a[i] * 2;
                ff[i] = day_a[i] + 1;
        }
        ASSERT_EQ(test_query_int64(f.db, "SELECT count(*) FROM result_daily"), 5);
        assert_aggregate(f.db, f.plain, "chrome", today - 5 * DAY, ELEMENTSOF(day_a),
                         count_outcome(0, ELEMENTSOF(day_a), "success"),
                         count_outcome(0, ELEMENTSOF(day_a), "login-rejected"),
                         count_outcome(0, ELEMENTSOF(day_a), "egress-down"),
                         count_outcome(0, ELEMENTSOF(day_a), "invalid-config"),
                         rank(day_a, ELEMENTSOF(day_a), 50), rank(day_a, ELEMENTSOF(day_a), 95));
        assert_aggregate(f.db, f.plain, "ff", today - 4 * DAY, ELEMENTSOF(day_a), ELEMENTSOF(day_a), 0, 0, 0,
                         rank(ff, ELEMENTSOF(ff), 50), rank(ff, ELEMENTSOF(ff), 95));
        assert_aggregate(f.db, f.sso, "chrome", today - 4 * DAY, ELEMENTSOF(day_a),
                         count_outcome(1, ELEMENTSOF(day_a), "success"),
                         count_outcome(1, ELEMENTSOF(day_a), "login-rejected"),
                         count_outcome(1, ELEMENTSOF(day_a), "egress-down"),
                         count_outcome(1, ELEMENTSOF(day_a), "invalid-config"),
                         rank(sso_doubled, ELEMENTSOF(sso_doubled), 50),
                         rank(sso_doubled, ELEMENTSOF(sso_doubled), 95));
        /* Its last second, not the cutoff's day. */
        assert_aggregate(f.db, f.plain, "chrome", today - 4 * DAY, ELEMENTSOF(day_b), 0, ELEMENTSOF(day_b), 0, 0,
                         rank(day_b, ELEMENTSOF(day_b), 50), rank(day_b, ELEMENTSOF(day_b), 95));
        assert_aggregate(f.db, 0, "chrome", today - 6 * DAY, 2, 1, 1, 0, 0, 42, 43);
        ASSERT_EQ(test_query_int64(f.db, "SELECT count(*) FROM result_daily WHERE config_id = 0 AND partner = 'globex'"), 1);

        /* Again: nothing to do, nothing changes. */
        first = aggregates(f.db);
        ASSERT_OK(pik_prune_results(f.db, cfg, f.now, NULL, &st));
        ASSERT_EQ(st.results, 0);
        again = aggregates(f.db);
        ASSERT_STREQ(first, again);

        /* A result arriving late for a folded day is added to its day. */
        result(f.db, f.plain, "acme", "ff", today - 4 * DAY + 7, 1, "egress-down");
        ASSERT_OK(pik_prune_results(f.db, cfg, f.now, NULL, &st));
        ASSERT_EQ(st.results, 1);
        assert_aggregate(f.db, f.plain, "ff", today - 4 * DAY, ELEMENTSOF(day_a) + 1, ELEMENTSOF(day_a), 0, 1, 0,
                         rank(ff, ELEMENTSOF(ff), 50), rank(ff, ELEMENTSOF(ff), 95));

        /* Aggregates outlive keep_daily_days (10) by nothing: at day 11
         * after the oldest (six days ago), only it goes. */
        ASSERT_OK(pik_prune_results(f.db, cfg, f.now + 5 * DAY, NULL, &st));
        ASSERT_EQ(st.aggregates, 1);
        ASSERT_EQ(test_query_int64(f.db, "SELECT count(*) FROM result_daily WHERE day = %lld",
                                   (long long) (today - 6 * DAY)), 0);
        /* The four others stay, and the three results kept until now are folded. */
        ASSERT_EQ(test_query_int64(f.db, "SELECT count(*) FROM result_daily"), 4 + 3);
        ASSERT_EQ(test_query_int64(f.db, "SELECT count(*) FROM result"), 0);

        fixture_done(&f);
}

/* Stopped after each possible number of batches (as a SIGKILL between two
 * commits would stop it; a kill inside one rolls that batch back), then run
 * to the end: the same aggregates as a run that was never stopped. */
static void test_interrupted(void) {
        _cleanup_(pik_config_freep) PikConfig *cfg = config();
        _cleanup_free_ char *reference = NULL;
        Fixture f = {};
        PikPruneStats st;
        unsigned batches;

        fill(&f);
        ASSERT_OK(pik_prune_results(f.db, cfg, f.now, &(PikPruneLimits) { .batch = 1 }, &st));
        ASSERT_TRUE(st.complete);
        batches = st.batches;
        ASSERT_TRUE(batches >= 3);
        reference = aggregates(f.db);
        fixture_done(&f);

        for (unsigned stop = 1; stop < batches; stop++) {
                _cleanup_free_ char *got = NULL;
                uint64_t before;

                fill(&f);
                ASSERT_OK(pik_prune_results(f.db, cfg, f.now, &(PikPruneLimits) { .batch = 1, .max_batches = stop },
                                            &st));
                ASSERT_TRUE(!st.complete);
                ASSERT_EQ(st.batches, stop);
                before = st.results;
                ASSERT_OK(pik_prune_results(f.db, cfg, f.now, NULL, &st));
                ASSERT_TRUE(st.complete);
                ASSERT_EQ(before + st.results, 3 * ELEMENTSOF(day_a) + ELEMENTSOF(day_b) + 2);
                got = aggregates(f.db);
                ASSERT_STREQ(got, reference);
                fixture_done(&f);
        }
}

static json_object *get(json_object *o, const char *key) {
        json_object *v = NULL;
        if (!json_object_object_get_ex(o, key, &v)) {
                fprintf(stderr, "no '%s' in %s\n", key, json_object_to_json_string(o));
                abort();
        }
        return v;
}

static void test_history(void) {
        _cleanup_(pik_config_freep) PikConfig *cfg = config();
        _cleanup_json_ json_object *before = NULL, *after = NULL, *week = NULL, *none = NULL;
        Fixture f = {};
        PikPruneStats st;
        json_object *chk, *days, *d;

        fill(&f);
        ASSERT_OK(pik_history(f.db, "acme", 30, f.now, &before));
        ASSERT_OK(pik_prune_results(f.db, cfg, f.now, NULL, &st));
        ASSERT_OK(pik_history(f.db, "acme", 30, f.now, &after));
        /* Folded or not, history says the same. */
        ASSERT_STREQ(json_object_to_json_string(before), json_object_to_json_string(after));

        /* acme: plain × chrome, plain × ff, sso × chrome. */
        ASSERT_EQ(json_object_array_length(after), 3);
        chk = json_object_array_get_idx(after, 0);
        ASSERT_STREQ(json_object_get_string(get(chk, "partner")), "acme");
        ASSERT_EQ(json_object_get_int64(get(chk, "config_id")), f.plain);
        ASSERT_STREQ(json_object_get_string(get(chk, "config_name")), "plain");
        ASSERT_STREQ(json_object_get_string(get(chk, "browser")), "chrome");
        ASSERT_EQ(json_object_get_int64(get(chk, "runs")), ELEMENTSOF(day_a) + ELEMENTSOF(day_b) + 3 - 1);
        days = get(chk, "days");
        /* 06-10 (folded), 06-11 (folded), 06-12 (kept), 06-14 (kept). */
        ASSERT_EQ(json_object_array_length(days), 4);
        d = json_object_array_get_idx(days, 0);
        ASSERT_STREQ(json_object_get_string(get(d, "day")), "2026-06-10");
        ASSERT_EQ(json_object_get_int64(get(d, "runs")), ELEMENTSOF(day_a));
        ASSERT_EQ(json_object_get_int64(get(d, "p50_ms")), rank(day_a, ELEMENTSOF(day_a), 50));
        d = json_object_array_get_idx(days, 3);
        ASSERT_STREQ(json_object_get_string(get(d, "day")), "2026-06-14");
        ASSERT_EQ(json_object_get_int64(get(d, "partner_failures")), 1);
        ASSERT_EQ(json_object_get_int64(get(d, "successes")), 0);

        /* The last 2 days: today and yesterday only. */
        ASSERT_OK(pik_history(f.db, NULL, 2, f.now, &week));
        ASSERT_EQ(json_object_array_length(week), 2);

        /* globex's folded results without a configuration. */
        ASSERT_OK(pik_history(f.db, "globex", 30, f.now, &none));
        ASSERT_EQ(json_object_array_length(none), 1);
        ASSERT_TRUE(!json_object_object_get_ex(json_object_array_get_idx(none, 0), "config_id", NULL));

        ASSERT_ERR(pik_history(f.db, "initech", 30, f.now, &none), ENOENT);
        ASSERT_ERR(pik_history(f.db, "Not A Code", 30, f.now, &none), EINVAL);
        ASSERT_ERR(pik_history(f.db, NULL, 0, f.now, &none), EINVAL);
        ASSERT_ERR(pik_history(f.db, NULL, PIK_HISTORY_DAYS_MAX + 1, f.now, &none), EINVAL);
        fixture_done(&f);
}

static void touch(const char *dir, const char *name, int64_t mtime, bool directory) {
        _cleanup_free_ char *p = NULL;
        struct timespec ts[2] = { { .tv_sec = mtime }, { .tv_sec = mtime } };

        ASSERT_TRUE(asprintf(&p, "%s/%s", dir, name) > 0);
        if (directory)
                ASSERT_TRUE(mkdir(p, 0700) == 0);
        else {
                int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                ASSERT_TRUE(fd >= 0);
                close(fd);
        }
        ASSERT_TRUE(utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW) == 0);
}

static bool exists(const char *dir, const char *name) {
        _cleanup_free_ char *p = NULL;
        struct stat st;

        ASSERT_TRUE(asprintf(&p, "%s/%s", dir, name) > 0);
        return lstat(p, &st) == 0;
}

static void test_evidence(void) {
        _cleanup_(pik_config_freep) PikConfig *cfg = config();
        _cleanup_free_ char *ev = NULL, *link = NULL, *victim = NULL;
        char *dir = test_tmpdir();
        int64_t now = T("2026-06-15T12:00:00Z");
        unsigned removed = 0;
        struct timespec old[2] = { { .tv_sec = now - 3 * DAY }, { .tv_sec = now - 3 * DAY } };

        ASSERT_TRUE(asprintf(&ev, "%s/evidence", dir) > 0);
        /* No directory yet: nothing to do. */
        ASSERT_OK(pik_prune_evidence(ev, cfg, now, &removed));
        ASSERT_EQ(removed, 0);
        ASSERT_TRUE(mkdir(ev, 0700) == 0);

        touch(ev, "pik-17-1-chrome.png", now - 3 * DAY, false);   /* older than evidence_days (2) */
        touch(ev, "pik-18-2-chrome.html", now - DAY, false);      /* recent */
        touch(ev, "19", now - 3 * DAY, true);                     /* an execution's directory */
        touch(ev, "19/page.html", now - DAY, false);
        {
                _cleanup_free_ char *d = NULL;
                ASSERT_TRUE(asprintf(&d, "%s/19", ev) > 0);
                ASSERT_TRUE(utimensat(AT_FDCWD, d, old, 0) == 0);
        }
        touch(ev, "notes.txt", now - 30 * DAY, false);             /* not ours */
        touch(ev, "pik-x-1.png", now - 30 * DAY, false);           /* not ours either */
        /* An old symbolic link goes as a link; what it points to stays. */
        touch(dir, "victim", now - 30 * DAY, false);
        ASSERT_TRUE(asprintf(&link, "%s/pik-20-1-ff.png", ev) > 0);
        ASSERT_TRUE(asprintf(&victim, "%s/victim", dir) > 0);
        ASSERT_TRUE(symlink(victim, link) == 0);
        ASSERT_TRUE(utimensat(AT_FDCWD, link, old, AT_SYMLINK_NOFOLLOW) == 0);

        ASSERT_OK(pik_prune_evidence(ev, cfg, now, &removed));
        ASSERT_EQ(removed, 3);
        ASSERT_TRUE(!exists(ev, "pik-17-1-chrome.png"));
        ASSERT_TRUE(exists(ev, "pik-18-2-chrome.html"));
        ASSERT_TRUE(!exists(ev, "19"));
        ASSERT_TRUE(exists(ev, "notes.txt"));
        ASSERT_TRUE(exists(ev, "pik-x-1.png"));
        ASSERT_TRUE(!exists(ev, "pik-20-1-ff.png"));
        ASSERT_TRUE(exists(dir, "victim"));

        test_tmpdir_cleanup(dir);
}

int main(void) {
        test_fold();
        test_interrupted();
        test_history();
        test_evidence();
        return 0;
}
