/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* bench-passes: the pieces bench/run puts together. Each measured operation
 * runs in a process of its own, so that the peak RSS it prints (VmHWM) is
 * that operation's and nothing else's:
 *
 *   fill DB CONFIGS RESULTS NOW [PARTNERS]
 *                                 a database with CONFIGS configurations over
 *                                 PARTNERS partners (default: one each) × 5
 *                                 browsers, every 5m in UTC, and RESULTS
 *                                 results over the 30 days before NOW, a
 *                                 tenth of them in the last 24 hours
 *   sql DB STATEMENTS             set-up between steps (not measured)
 *   scheduler DB NOW              one pik_scheduler_pass()
 *   dispatcher DB NOW [MAX]       one pik_dispatcher_pass(), max_concurrent MAX
 *                                 (default 1000), unit starts a no-op
 *   status DB NOW                 pik_status() alone, without pikctl's output
 *   alerts DB NOW N               N results recorded one transaction each on
 *                                 random checks of DB, twice: the row alone
 *                                 (the reference), then the row and
 *                                 pik_alert_record_result(); prints a table
 *                                 of both per result and what alerts add
 *   exec CMD [ARG…]               run CMD with stdout on /dev/null: the whole
 *                                 process, as an operator would see it
 *
 * Every measuring command prints one line of key=value pairs:
 *   wall_ms=… cpu_ms=… rss_kb=… info="…" */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "config.h"
#include "db.h"
#include "dispatcher.h"
#include "log.h"
#include "scheduler.h"
#include "status.h"
#include "string-util.h"
#include "time-util.h"

#define DAY_SEC INT64_C(86400)
#define FILL_DAYS 30
#define RESULT_INDEXES_MAX 16

static const char *const browsers[] = { "firefox", "chrome", "safari", "edge", "curl" };

typedef struct Meter {
        struct timespec wall;
        struct rusage ru;
} Meter;

static void meter_start(Meter *m) {
        clock_gettime(CLOCK_MONOTONIC, &m->wall);
        getrusage(RUSAGE_SELF, &m->ru);
}

static double tv_ms(const struct timeval *tv) {
        return tv->tv_sec * 1e3 + tv->tv_usec / 1e3;
}

static double ts_ms(const struct timespec *ts) {
        return ts->tv_sec * 1e3 + ts->tv_nsec / 1e6;
}

static double rusage_cpu_ms(const struct rusage *ru) {
        return tv_ms(&ru->ru_utime) + tv_ms(&ru->ru_stime);
}

/* The high-water mark of this process image. ru_maxrss would do, but Linux
 * carries it over exec() from the image before; VmHWM starts afresh. */
static long peak_rss_kb(void) {
        _cleanup_free_ char *line = NULL;
        size_t n = 0;
        long kb = -1;
        FILE *f;

        f = fopen("/proc/self/status", "re");
        if (f) {
                while (getline(&line, &n, f) > 0)
                        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
                                break;
                fclose(f);
        }
        if (kb < 0) {
                struct rusage ru;
                getrusage(RUSAGE_SELF, &ru);
                kb = ru.ru_maxrss;
        }
        return kb;
}

static void meter_report(const Meter *m, const char *info) {
        struct timespec wall;
        struct rusage ru;

        clock_gettime(CLOCK_MONOTONIC, &wall);
        getrusage(RUSAGE_SELF, &ru);
        printf("wall_ms=%.1f cpu_ms=%.1f rss_kb=%ld info=\"%s\"\n",
               ts_ms(&wall) - ts_ms(&m->wall),
               rusage_cpu_ms(&ru) - rusage_cpu_ms(&m->ru),
               peak_rss_kb(), info);
}

static int parse_unsigned(const char *s, unsigned *ret) {
        char *e;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &e, 10);
        if (errno != 0 || e == s || *e || v > UINT32_MAX)
                return log_error_errno(-EINVAL, "Invalid number '%s'.", s);
        *ret = (unsigned) v;
        return 0;
}

static int parse_now(const char *s, int64_t *ret) {
        int r = parse_timestamp(s, ret);
        if (r < 0)
                return log_error_errno(r, "Invalid time '%s': %m", s);
        return 0;
}

static int open_db(const char *path, PikDbOpenFlags flags, PikDb **ret) {
        _cleanup_free_ char *error = NULL;
        int r = pik_db_open(path, flags, ret, &error);
        if (r < 0)
                return log_error_errno(r, "%s", error ?: "Failed to open the database: %m");
        return 0;
}

static int exec_sql(PikDb *db, const char *sql) {
        int r = pik_db_exec(db, sql);
        if (r < 0)
                return log_error_errno(r, "%s", pik_db_error(db));
        return 0;
}

/* xorshift64*: the same database on every run, no libc state. */
static uint64_t rnd(uint64_t *s) {
        *s ^= *s >> 12;
        *s ^= *s << 25;
        *s ^= *s >> 27;
        return *s * UINT64_C(2685821657736338717);
}

static const char *const failures[] = {
        "login-rejected", "success-marker-missing", "http-5xx", "partner-timeout",
        "partner-throttled", "tls-certificate-invalid", "engine-crashed", "check-expired",
};

static int fill_results(PikDb *db, unsigned n_configs, unsigned n_partners, unsigned n_results, int64_t now) {
        _cleanup_stmt_ sqlite3_stmt *ins = NULL;
        uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
        unsigned n_old = n_results - n_results / 10, n_jobs = n_configs * (unsigned) ELEMENTSOF(browsers);
        int64_t old_start = now - FILL_DAYS * DAY_SEC, old_span = (FILL_DAYS - 1) * DAY_SEC;
        int r;

        r = pik_db_prepare(db,
                           "INSERT INTO result (config_id, partner, browser, executed_at, duration_ms, outcome, "
                           "                    dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms, details) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &ins);
        if (r < 0)
                return log_error_errno(r, "%s", pik_db_error(db));

        /* In the order pik writes them, oldest first; nine tenths over the
         * 29 days before yesterday, one tenth over the last 24 hours. */
        for (unsigned k = 0; k < n_results; k++) {
                unsigned job = (unsigned) (rnd(&seed) % n_jobs), pct = (unsigned) (rnd(&seed) % 100);
                unsigned config = job / (unsigned) ELEMENTSOF(browsers) + 1;
                int64_t at, ms = 150 + (int64_t) (rnd(&seed) % 3000);
                char partner[16], details[96];
                const char *outcome;

                if (k < n_old)
                        at = old_start + (int64_t) ((double) k / n_old * old_span);
                else
                        at = now - DAY_SEC + (int64_t) ((double) (k - n_old) / (n_results - n_old) * (DAY_SEC - 1));
                outcome = pct < 90 ? "success" : failures[pct % ELEMENTSOF(failures)];
                snprintf(partner, sizeof partner, "p%06u", (config - 1) % n_partners + 1);

                sqlite3_reset(ins);
                sqlite3_bind_int64(ins, 1, config);
                sqlite3_bind_text(ins, 2, partner, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(ins, 3, browsers[job % ELEMENTSOF(browsers)], -1, SQLITE_STATIC);
                sqlite3_bind_int64(ins, 4, at);
                sqlite3_bind_int64(ins, 5, ms);
                sqlite3_bind_text(ins, 6, outcome, -1, SQLITE_STATIC);
                sqlite3_bind_int64(ins, 7, 2 + ms % 7);
                sqlite3_bind_int64(ins, 8, 10 + ms % 13);
                sqlite3_bind_int64(ins, 9, 20 + ms % 17);
                sqlite3_bind_int64(ins, 10, ms / 3);
                sqlite3_bind_int64(ins, 11, ms);
                if (pct < 90)
                        sqlite3_bind_null(ins, 12);
                else {
                        snprintf(details, sizeof details, "%s at https://%s.example/login after %lld ms",
                                 outcome, partner, (long long) ms);
                        sqlite3_bind_text(ins, 12, details, -1, SQLITE_TRANSIENT);
                }
                r = pik_db_step(db, ins);
                if (r < 0)
                        return log_error_errno(r, "%s", pik_db_error(db));
        }
        return 0;
}

/* The result indexes are dropped while rows go in and made again after:
 * CREATE INDEX sorts once, which is many times faster than 1,000,000
 * random B-tree inserts. Their definitions come from the schema itself, so
 * this follows whatever the migrations create. */
static int fill(int argc, char **argv) {
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        _cleanup_strv_free_ char **indexes = NULL, **names = NULL;
        _cleanup_stmt_ sqlite3_stmt *q = NULL;
        unsigned n_configs = 0, n_results = 0, n_partners = 0;
        size_t n_indexes = 0;
        char sql[1024];
        int64_t now;
        Meter m;
        int r;

        if (argc != 5 && argc != 6)
                return log_error_errno(-EINVAL, "Usage: fill DB CONFIGS RESULTS NOW [PARTNERS]");
        if (parse_unsigned(argv[2], &n_configs) < 0 || parse_unsigned(argv[3], &n_results) < 0 ||
            parse_now(argv[4], &now) < 0)
                return -EINVAL;
        if (n_configs == 0 || n_configs > 999999)
                return log_error_errno(-ERANGE, "CONFIGS must be 1..999999.");
        n_partners = n_configs;
        if (argc == 6 && parse_unsigned(argv[5], &n_partners) < 0)
                return -EINVAL;
        if (n_partners == 0 || n_partners > n_configs)
                return log_error_errno(-ERANGE, "PARTNERS must be 1..CONFIGS.");

        meter_start(&m);
        for (size_t i = 0; i < 3; i++) {
                char p[4096];
                snprintf(p, sizeof p, "%s%s", argv[1], (const char *[]) { "", "-wal", "-shm" }[i]);
                if (unlink(p) < 0 && errno != ENOENT)
                        return log_error_errno(-errno, "Failed to remove %s: %m", p);
        }

        r = open_db(argv[1], PIK_DB_CREATE, &db);
        if (r < 0)
                return r;
        r = exec_sql(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144");
        if (r < 0)
                return r;
        r = exec_sql(db, "BEGIN");
        if (r < 0)
                return r;

        for (size_t i = 0; i < ELEMENTSOF(browsers); i++) {
                snprintf(sql, sizeof sql,
                         "INSERT INTO browser (name, engine, user_agent, created_at) "
                         "VALUES ('%s', 'http', 'Mozilla/5.0 (pik bench) %s', %lld)",
                         browsers[i], browsers[i], (long long) now - 40 * DAY_SEC);
                r = exec_sql(db, sql);
                if (r < 0)
                        return r;
        }

        snprintf(sql, sizeof sql,
                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %u) "
                 "INSERT INTO partner (id, code, name, created_at) "
                 "  SELECT i, printf('p%%06d', i), printf('Partner %%d', i), %lld FROM n",
                 n_partners, (long long) now - 40 * DAY_SEC);
        r = exec_sql(db, sql);
        if (r < 0)
                return r;
        /* Configuration i belongs to partner (i - 1) % PARTNERS + 1. */
        snprintf(sql, sizeof sql,
                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %u) "
                 "INSERT INTO job_config (id, partner_id, entry_url, schedule_type, schedule, timezone, "
                 "                        success_marker, created_at) "
                 "  SELECT i, p.id, printf('https://%%s.example/login/%%d', p.code, i), 'interval', '5m', 'UTC', "
                 "         'Welcome back', %lld FROM n JOIN partner p ON p.id = (i - 1) %% %u + 1",
                 n_configs, (long long) now - 40 * DAY_SEC, n_partners);
        r = exec_sql(db, sql);
        if (r < 0)
                return r;
        r = exec_sql(db, "INSERT INTO job_config_browser (config_id, browser_id) "
                         "  SELECT c.id, b.id FROM job_config c CROSS JOIN browser b ORDER BY c.id, b.id");
        if (r < 0)
                return r;

        r = pik_db_prepare(db, "SELECT name, sql FROM sqlite_master "
                               "WHERE type = 'index' AND tbl_name = 'result' AND sql IS NOT NULL", &q);
        if (r < 0)
                return log_error_errno(r, "%s", pik_db_error(db));
        indexes = calloc(RESULT_INDEXES_MAX + 1, sizeof(char *));
        names = calloc(RESULT_INDEXES_MAX + 1, sizeof(char *));
        if (!indexes || !names)
                return log_oom();
        /* Dropping while the cursor is open is refused: collect first. */
        while ((r = pik_db_step(db, q)) > 0) {
                if (n_indexes >= RESULT_INDEXES_MAX)
                        return log_error_errno(-E2BIG, "Too many indexes on result.");
                names[n_indexes] = strdup((const char *) sqlite3_column_text(q, 0));
                indexes[n_indexes] = strdup((const char *) sqlite3_column_text(q, 1));
                if (!names[n_indexes] || !indexes[n_indexes++])
                        return log_oom();
        }
        if (r < 0)
                return log_error_errno(r, "%s", pik_db_error(db));
        sqlite3_reset(q);
        for (size_t i = 0; i < n_indexes; i++) {
                snprintf(sql, sizeof sql, "DROP INDEX \"%s\"", names[i]);
                r = exec_sql(db, sql);
                if (r < 0)
                        return r;
        }

        if (n_results > 0) {
                r = fill_results(db, n_configs, n_partners, n_results, now);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < n_indexes; i++) {
                r = exec_sql(db, indexes[i]);
                if (r < 0)
                        return r;
        }

        r = exec_sql(db, "COMMIT");
        if (r < 0)
                return r;
        /* Back to what pik_db_open() leaves, for the passes to find. */
        r = exec_sql(db, "PRAGMA journal_mode = WAL");
        if (r < 0)
                return r;

        snprintf(sql, sizeof sql, "%u configurations, %u partners, %u results", n_configs, n_partners, n_results);
        meter_report(&m, sql);
        return 0;
}

static int sql_cmd(int argc, char **argv) {
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        int r;

        if (argc != 3)
                return log_error_errno(-EINVAL, "Usage: sql DB STATEMENTS");
        r = open_db(argv[1], 0, &db);
        if (r < 0)
                return r;
        return exec_sql(db, argv[2]);
}

static int setup(int argc, char **argv, int min_args, int max_args, const char *usage,
                 PikDb **ret_db, PikConfig **ret_cfg, int64_t *ret_now) {
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        int r;

        if (argc < min_args || argc > max_args)
                return log_error_errno(-EINVAL, "Usage: %s", usage);
        r = parse_now(argv[2], ret_now);
        if (r < 0)
                return r;
        /* The built-in defaults: one shard, so every partner is ours. */
        r = pik_config_new_default(ret_cfg);
        if (r < 0)
                return log_error_errno(r, "Failed to make the default configuration: %m");
        r = open_db(argv[1], 0, &db);
        if (r < 0)
                return r;
        *ret_db = TAKE_PTR(db);
        return 0;
}

static int scheduler_cmd(int argc, char **argv) {
        _cleanup_(pik_config_freep) PikConfig *cfg = NULL;
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        PikSchedulerStats st = {};
        char info[128];
        int64_t now;
        Meter m;
        int r;

        r = setup(argc, argv, 3, 3, "scheduler DB NOW", &db, &cfg, &now);
        if (r < 0)
                return r;
        meter_start(&m);
        r = pik_scheduler_pass(db, cfg, now, &st);
        if (r < 0)
                return log_error_errno(r, "Scheduler pass failed: %s", pik_db_error(db));
        snprintf(info, sizeof info, "examined %u, created %u, rolled %u, bad %u",
                 st.examined, st.created, st.rolled, st.bad_schedule);
        meter_report(&m, info);
        return 0;
}

static int start_nothing(void *userdata, const PikExecutionStart *e) {
        unsigned *n = userdata;
        (*n)++;
        return 0;
}

static int dispatcher_cmd(int argc, char **argv) {
        _cleanup_(pik_config_freep) PikConfig *cfg = NULL;
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        PikDispatcherStats st = {};
        unsigned started = 0, max = 1000;
        PikUnitStarter starter = { .start = start_nothing, .userdata = &started };
        char info[128];
        int64_t now;
        Meter m;
        int r;

        r = setup(argc, argv, 3, 4, "dispatcher DB NOW [MAX_CONCURRENT]", &db, &cfg, &now);
        if (r < 0)
                return r;
        if (argc > 3 && parse_unsigned(argv[3], &max) < 0)
                return -EINVAL;
        cfg->max_concurrent = max;

        meter_start(&m);
        r = pik_dispatcher_pass(db, cfg, now, &starter, &st);
        if (r < 0)
                return log_error_errno(r, "Dispatcher pass failed: %s", pik_db_error(db));
        snprintf(info, sizeof info, "reaped %u, running %u, dispatched %u, started %u",
                 st.reaped, st.running, st.dispatched, started);
        meter_report(&m, info);
        return 0;
}

static int status_cmd(int argc, char **argv) {
        _cleanup_(pik_config_freep) PikConfig *cfg = NULL;
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        _cleanup_json_ json_object *st = NULL;
        json_object *rows = NULL;
        char info[64];
        int64_t now;
        Meter m;
        int r;

        r = setup(argc, argv, 3, 3, "status DB NOW", &db, &cfg, &now);
        if (r < 0)
                return r;
        meter_start(&m);
        r = pik_status(db, cfg, now, &st);
        if (r < 0)
                return log_error_errno(r, "pik_status() failed: %s", pik_db_error(db));
        json_object_object_get_ex(st, "rows", &rows);
        snprintf(info, sizeof info, "%zu rows", rows ? json_object_array_length(rows) : (size_t) 0);
        meter_report(&m, info);
        return 0;
}

/* One result row as pik stores it, then (with_alerts) its alert state, in
 * a transaction of its own like pikd's. */
static int record_one(PikDb *db, const PikConfig *cfg, sqlite3_stmt *ins, uint64_t *seed, unsigned n_jobs,
                      bool with_alerts, int64_t now) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        unsigned job = (unsigned) (rnd(seed) % n_jobs), pct = (unsigned) (rnd(seed) % 100);
        unsigned config = job / (unsigned) ELEMENTSOF(browsers) + 1;
        /* Mostly successes; the failures include a network-level one, the
         * path that asks whether an incident is under way. */
        static const PikOutcome outcomes[] = {
                { .name = "success", .kind = OUTCOME_KIND_SUCCESS },
                { .name = "login-rejected", .kind = OUTCOME_KIND_PARTNER },
                { .name = "partner-timeout", .kind = OUTCOME_KIND_PARTNER },
        };
        const PikOutcome *o = &outcomes[pct < 80 ? 0 : 1 + pct % 2];
        char partner[16];
        int r;

        snprintf(partner, sizeof partner, "p%06u", config);
        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, config);
        sqlite3_bind_text(ins, 2, partner, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, browsers[job % ELEMENTSOF(browsers)], -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 4, now);
        sqlite3_bind_text(ins, 5, o->name, -1, SQLITE_STATIC);
        r = pik_db_step(db, ins);
        if (r < 0)
                return r;
        if (with_alerts) {
                PikAlertInput in = {
                        .result_id = sqlite3_last_insert_rowid(pik_db_handle(db)), .config_id = config,
                        .partner = partner, .browser = browsers[job % ELEMENTSOF(browsers)], .outcome = o,
                };
                r = pik_alert_record_result(db, cfg, &in, now);
                if (r < 0)
                        return r;
        }
        return pik_db_commit(TAKE_PTR(tx));
}

static int alerts_cmd(int argc, char **argv) {
        _cleanup_(pik_config_freep) PikConfig *cfg = NULL;
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        _cleanup_stmt_ sqlite3_stmt *ins = NULL;
        unsigned n = 0, n_jobs;
        double ms[2], cpu[2];
        int64_t now;
        int r;

        r = setup(argc, argv, 4, 4, "alerts DB NOW N", &db, &cfg, &now);
        if (r < 0)
                return r;
        if (parse_unsigned(argv[3], &n) < 0 || n == 0)
                return log_error_errno(-EINVAL, "N must be a positive number.");
        r = pik_db_prepare(db, "SELECT count(*) FROM job_config", &ins);
        if (r < 0 || pik_db_step(db, ins) <= 0)
                return log_error_errno(-EIO, "%s", pik_db_error(db));
        n_jobs = (unsigned) sqlite3_column_int64(ins, 0) * (unsigned) ELEMENTSOF(browsers);
        sqlite3_finalize(TAKE_PTR(ins));
        if (n_jobs == 0)
                return log_error_errno(-EINVAL, "%s has no configuration (run fill first).", argv[1]);
        r = pik_db_prepare(db, "INSERT INTO result (config_id, partner, browser, executed_at, duration_ms, outcome) "
                               "VALUES (?, ?, ?, ?, 800, ?)", &ins);
        if (r < 0)
                return log_error_errno(r, "%s", pik_db_error(db));

        /* The same sequence of checks and outcomes both times. */
        for (int pass = 0; pass < 2; pass++) {
                uint64_t seed = UINT64_C(0x2545f4914f6cdd1d);
                Meter m;

                meter_start(&m);
                for (unsigned i = 0; i < n; i++) {
                        r = record_one(db, cfg, ins, &seed, n_jobs, pass == 1, now + i);
                        if (r < 0)
                                return log_error_errno(r, "Recording a result failed: %s", pik_db_error(db));
                }
                {
                        struct timespec t;
                        struct rusage ru;

                        clock_gettime(CLOCK_MONOTONIC, &t);
                        getrusage(RUSAGE_SELF, &ru);
                        ms[pass] = ts_ms(&t) - ts_ms(&m.wall);
                        cpu[pass] = rusage_cpu_ms(&ru) - rusage_cpu_ms(&m.ru);
                }
        }
        /* Wall time includes each commit's fsync, which the disk decides;
         * CPU time is pik's own work. */
        printf("| checks | results | operation | wall ms per result | CPU ms per result |\n|--:|--:|---|--:|--:|\n");
        printf("| %u | %u | result row alone (reference) | %.3f | %.3f |\n", n_jobs, n, ms[0] / n, cpu[0] / n);
        printf("| %u | %u | result row + alert evaluation | %.3f | %.3f |\n", n_jobs, n, ms[1] / n, cpu[1] / n);
        printf("| %u | %u | alert evaluation adds (target < 1 ms) | %.3f | %.3f |\n", n_jobs, n,
               (ms[1] - ms[0]) / n, (cpu[1] - cpu[0]) / n);
        printf("\nRatio with alerts / reference: %.2f\n", ms[1] / ms[0]);
        return 0;
}

static int exec_cmd(int argc, char **argv) {
        struct timespec t0, t1;
        struct rusage ru;
        int status;
        pid_t pid;

        if (argc < 2)
                return log_error_errno(-EINVAL, "Usage: exec CMD [ARG…]");

        clock_gettime(CLOCK_MONOTONIC, &t0);
        pid = fork();
        if (pid < 0)
                return log_error_errno(-errno, "fork() failed: %m");
        if (pid == 0) {
                int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
                if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
                        _exit(127);
                execv(argv[1], argv + 1);
                _exit(127);
        }
        if (wait4(pid, &status, 0, &ru) < 0)
                return log_error_errno(-errno, "wait4() failed: %m");
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return log_error_errno(-EIO, "%s failed (status 0x%x).", argv[1], status);

        /* The child is a fork of this small process until exec(), so its
         * ru_maxrss (which Linux carries over exec) is its own. */
        printf("wall_ms=%.1f cpu_ms=%.1f rss_kb=%ld info=\"exit 0\"\n",
               ts_ms(&t1) - ts_ms(&t0), rusage_cpu_ms(&ru), ru.ru_maxrss);
        return 0;
}

int main(int argc, char **argv) {
        static const struct {
                const char *name;
                int (*run)(int argc, char **argv);
        } commands[] = {
                { "fill", fill },
                { "sql", sql_cmd },
                { "scheduler", scheduler_cmd },
                { "dispatcher", dispatcher_cmd },
                { "status", status_cmd },
                { "alerts", alerts_cmd },
                { "exec", exec_cmd },
        };

        if (argc >= 2)
                for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                        if (streq(argv[1], commands[i].name))
                                return commands[i].run(argc - 1, argv + 1) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        fprintf(stderr, "Usage: %s fill|sql|scheduler|dispatcher|status|alerts|exec …\n"
                        "See the comment at the top of bench/bench-passes.c.\n",
                program_invocation_short_name);
        return 2;
}
