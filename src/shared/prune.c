/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence-store.h"
#include "fileio.h"
#include "prune.h"
#include "string-util.h"

#define DAY_SEC INT64_C(86400)


int64_t pik_day_start(int64_t now) {
        int64_t r = now % DAY_SEC;
        return now - (r < 0 ? r + DAY_SEC : r);
}

int64_t pik_prune_results_cutoff(const PikConfig *cfg, int64_t now) {
        return pik_day_start(now) - (int64_t) cfg->results.keep_days * DAY_SEC;
}

/* One check's results before ?2 (configuration ?1, NULL: results without
 * one), folded per browser, partner and UTC day. The percentiles are
 * nearest-rank: the value at rank ceil(n·q) of the day's sorted durations.
 * An aggregate that exists already (a result that arrived after its day was
 * folded) takes the new runs in; its percentiles can then only be
 * approximated, by the larger of the two. */
static const char fold_sql[] =
        "INSERT INTO result_daily (config_id, browser, partner, day, runs, successes, partner_failures, "
        "  infrastructure_failures, configuration_failures, p50_ms, p95_ms) "
        "SELECT coalesce(?1, 0), browser, partner, day, count(*), "
        "  sum(kind IS 'success'), sum(kind IS 'partner'), sum(kind IS 'infrastructure'), "
        "  sum(kind IS 'configuration'), "
        "  max(CASE WHEN rn = (n + 1) / 2 THEN duration_ms END), "
        "  max(CASE WHEN rn = (95 * n + 99) / 100 THEN duration_ms END) "
        "FROM (SELECT r.browser, r.partner, r.executed_at - r.executed_at % 86400 AS day, r.duration_ms, o.kind, "
        "        row_number() OVER (d ORDER BY r.duration_ms) AS rn, count(*) OVER d AS n "
        "      FROM result r LEFT JOIN outcome o ON o.name = r.outcome "
        "      WHERE r.config_id IS ?1 AND r.executed_at < ?2 "
        "      WINDOW d AS (PARTITION BY r.browser, r.partner, r.executed_at - r.executed_at % 86400)) "
        "WHERE true GROUP BY browser, partner, day "
        "ON CONFLICT (config_id, browser, partner, day) DO UPDATE SET "
        "  runs = runs + excluded.runs, successes = successes + excluded.successes, "
        "  partner_failures = partner_failures + excluded.partner_failures, "
        "  infrastructure_failures = infrastructure_failures + excluded.infrastructure_failures, "
        "  configuration_failures = configuration_failures + excluded.configuration_failures, "
        "  p50_ms = max(p50_ms, excluded.p50_ms), p95_ms = max(p95_ms, excluded.p95_ms)";

/* Their steps go with them (result_step's ON DELETE CASCADE). */
static const char delete_sql[] = "DELETE FROM result WHERE config_id IS ?1 AND executed_at < ?2";

/* The next configuration after ?1 with results to fold; the index on
 * result(config_id, browser, executed_at, …) is walked once over a run. */
static const char next_sql[] =
        "SELECT config_id FROM result WHERE config_id > ?1 AND executed_at < ?2 ORDER BY config_id LIMIT 1";

static int bind_config(sqlite3_stmt *s, int64_t config_id) {
        return sqlite3_bind_int64(s, 1, config_id) == SQLITE_OK ? 0 : -ENOMEM;
}

/* Fold and delete one check's old results (config_id 0: those without a
 * configuration) inside the caller's transaction; *ret: how many. */
static int fold_one(PikDb *db, sqlite3_stmt *fold, sqlite3_stmt *del, int64_t config_id, int64_t cutoff,
                    uint64_t *ret) {
        int r;

        sqlite3_reset(fold);
        sqlite3_reset(del);
        if (config_id > 0) {
                (void) bind_config(fold, config_id);
                (void) bind_config(del, config_id);
        } else {
                sqlite3_bind_null(fold, 1);
                sqlite3_bind_null(del, 1);
        }
        sqlite3_bind_int64(fold, 2, cutoff);
        sqlite3_bind_int64(del, 2, cutoff);

        r = pik_db_step(db, fold);
        if (r < 0)
                return r;
        r = pik_db_step(db, del);
        if (r < 0)
                return r;
        *ret = (uint64_t) sqlite3_changes(pik_db_handle(db));
        return 0;
}

/* One transaction: configurations after *cursor until about batch results
 * are folded; then those without a configuration (cursor INT64_MAX: done
 * with configurations). *ret_more: something may be left. */
static int prune_batch(PikDb *db, int64_t cutoff, unsigned batch, int64_t *cursor, uint64_t *ret_folded,
                       bool *ret_more) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        _cleanup_stmt_ sqlite3_stmt *fold = NULL, *del = NULL, *next = NULL;
        uint64_t folded = 0;
        int64_t c = *cursor;
        bool more = true;
        int r;

        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, fold_sql, &fold);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, delete_sql, &del);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, next_sql, &next);
        if (r < 0)
                return r;

        while (folded < batch) {
                uint64_t n = 0;

                if (c == INT64_MAX) {
                        r = fold_one(db, fold, del, 0, cutoff, &n);
                        if (r < 0)
                                return r;
                        folded += n;
                        more = false;
                        break;
                }

                sqlite3_reset(next);
                sqlite3_bind_int64(next, 1, c);
                sqlite3_bind_int64(next, 2, cutoff);
                r = pik_db_step(db, next);
                if (r < 0)
                        return r;
                if (r == 0) {
                        c = INT64_MAX;
                        continue;
                }
                c = sqlite3_column_int64(next, 0);
                r = fold_one(db, fold, del, c, cutoff, &n);
                if (r < 0)
                        return r;
                folded += n;
        }

        r = pik_db_commit(TAKE_PTR(tx));
        if (r < 0)
                return r;
        *cursor = c;
        *ret_folded = folded;
        *ret_more = more;
        return 0;
}

int pik_prune_results(PikDb *db, const PikConfig *cfg, int64_t now, const PikPruneLimits *limits,
                      PikPruneStats *ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        unsigned batch = limits && limits->batch > 0 ? limits->batch : PIK_PRUNE_BATCH_DEFAULT;
        unsigned max_batches = limits ? limits->max_batches : 0;
        int64_t cutoff = pik_prune_results_cutoff(cfg, now), cursor = 0;
        PikPruneStats st = {};
        bool more = true;
        int r;

        if (!db || !cfg || !ret)
                return -EINVAL;

        while (more) {
                uint64_t n = 0;

                if (max_batches > 0 && st.batches >= max_batches) {
                        *ret = st;
                        return 0;
                }
                r = prune_batch(db, cutoff, batch, &cursor, &n, &more);
                if (r < 0)
                        return r;
                st.results += n;
                st.batches++;
        }

        /* A day's worth of rows at most (one per check), in one statement. */
        r = pik_db_prepare(db, "DELETE FROM result_daily WHERE day < ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, pik_day_start(now) - (int64_t) cfg->results.keep_daily_days * DAY_SEC);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        st.aggregates = (uint64_t) sqlite3_changes(pik_db_handle(db));
        st.complete = true;
        *ret = st;
        return 0;
}

/* "pik-123-…" (pik-check's files) or "123" (a directory of one execution). */
static bool is_evidence_name(const char *name) {
        bool prefixed = strncmp(name, "pik-", 4) == 0;
        const char *p = prefixed ? name + 4 : name;
        size_t n = strspn(p, "0123456789");

        if (n == 0)
                return false;
        return prefixed ? p[n] == '-' : p[n] == 0;
}

int pik_prune_evidence(const char *dir, const PikConfig *cfg, int64_t now, unsigned *ret_removed) {
        _cleanup_(closedirp) DIR *d = NULL;
        int64_t cutoff = MAX(now - (int64_t) cfg->evidence_days * DAY_SEC, pik_prune_results_cutoff(cfg, now));
        unsigned removed = 0;
        struct dirent *de;
        int r;

        if (!dir || !cfg || !ret_removed)
                return -EINVAL;

        d = opendir(dir);
        if (!d) {
                if (errno == ENOENT) {
                        *ret_removed = 0;
                        return 0;
                }
                return -errno;
        }
        while ((errno = 0, de = readdir(d))) {
                struct stat st;

                if (!is_evidence_name(de->d_name))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return -errno;
                }
                if ((int64_t) st.st_mtime >= cutoff)
                        continue;
                /* An execution's directory: the one remover evidence-store.c
                 * has for it (symlinks not followed). */
                if (S_ISDIR(st.st_mode)) {
                        if (startswith(de->d_name, "pik-"))
                                continue;       /* not a layout pik writes */
                        r = pik_evidence_remove_at(dir, strtoll(de->d_name, NULL, 10));
                } else
                        r = unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT ? -errno : 0;
                if (r < 0)
                        return r;
                removed++;
        }
        if (errno != 0)
                return -errno;
        *ret_removed = removed;
        return 0;
}
