/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "db.h"

/* History that lasts: results older than results.keep_days are folded into
 * one result_daily row per UTC day and check (configuration × browser):
 * runs, successes, failures per kind, p50/p95 duration; then they and their
 * steps are deleted. Aggregates older than results.keep_daily_days go too.
 *
 * The work is done a few checks at a time, each batch in a transaction of
 * its own: a pass of pikd or of the scheduler waits for one batch at most,
 * memory stays bounded whatever the backlog, and a prune killed at any
 * point leaves whole batches behind, so the next run continues and ends
 * with the same aggregates. */

#define PIK_PRUNE_BATCH_DEFAULT 20000

typedef struct PikPruneLimits {
        unsigned batch;            /* about this many results per transaction; 0: PIK_PRUNE_BATCH_DEFAULT */
        unsigned max_batches;      /* stop after this many (tests: an interrupted run); 0: no limit */
} PikPruneLimits;

typedef struct PikPruneStats {
        uint64_t results;          /* results folded and deleted */
        uint64_t aggregates;       /* daily aggregates deleted (older than keep_daily_days) */
        unsigned batches;          /* transactions committed */
        bool complete;             /* false: stopped by max_batches with results left */
} PikPruneStats;

/* The first second of now's UTC day. */
int64_t pik_day_start(int64_t now);

/* Results executed before this time are folded: whole UTC days only, so a
 * day is never folded in two parts. */
int64_t pik_prune_results_cutoff(const PikConfig *cfg, int64_t now);

/* Fold and delete old results, delete old aggregates. limits may be NULL. */
int pik_prune_results(PikDb *db, const PikConfig *cfg, int64_t now, const PikPruneLimits *limits,
                      PikPruneStats *ret);

/* Remove the evidence under dir (pik-check's "pik-EXECUTION-…" files and
 * "EXECUTION/" directories) last modified more than evidence_days ago, or
 * before the results cutoff if that is later: evidence never outlives its
 * result. Anything else in dir is left alone, and nothing is followed
 * out of it. A missing dir is no error. *ret_removed: entries removed. */
int pik_prune_evidence(const char *dir, const PikConfig *cfg, int64_t now, unsigned *ret_removed);
