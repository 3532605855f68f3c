/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "config.h"
#include "db.h"

/* Scheduled jobs: one per enabled configuration × browser, with the time of
 * its next run (run_after), whether that run was handed to the dispatcher,
 * and the attempt number the next execution will carry. */

typedef enum PikJobFilter {
        PIK_JOBS_ALL,
        PIK_JOBS_OVERDUE,    /* run_after passed, not dispatched */
        PIK_JOBS_UPCOMING,   /* run_after in the future */
} PikJobFilter;

int pik_job_list(PikDb *db, PikJobFilter filter, int64_t now, json_object **ret);

/* Queue the partner's jobs (optionally only one browser's) for the
 * dispatcher's next pass. Jobs the scheduler has not created yet are
 * created. Returns the number of jobs queued; -ENOENT when the partner or
 * browser is unknown or nothing is enabled to run. */
int pik_job_run_now(PikDb *db, const char *partner, const char *browser, int64_t now);

/* A hold: a configuration's (or everything's, the maintenance switch) with
 * an optional reason and end. A hold whose end has passed is released by
 * itself: every reader compares the end with its own now, so no timer has
 * to fire for the checks to resume. */
typedef struct PikHold {
        bool held;
        char *reason;      /* NULL when none was given */
        int64_t until;     /* 0: until released */
} PikHold;

void pik_hold_done(PikHold *h);

/* The SQL test that configuration alias `c` is held at `now` (an SQL
 * expression, e.g. "?1"): the column alone would keep an expired hold. */
#define PIK_HELD_SQL(c, now) "(" c ".held AND coalesce(" c ".held_until > " now ", 1))"

/* Hold one configuration (config_id > 0) or everything (config_id == 0),
 * with an optional reason and end (until 0: until released; otherwise it
 * must be after now). Holding again replaces reason and end. */
int pik_job_hold(PikDb *db, int64_t config_id, const char *reason, int64_t until, int64_t now);
/* Release one configuration (config_id > 0) or the global hold (0). */
int pik_job_release(PikDb *db, int64_t config_id);
/* pik_job_hold() without reason or end, or pik_job_release(). */
int pik_job_set_held(PikDb *db, int64_t config_id, bool held);
/* The hold in force at now on one configuration (config_id > 0) or on
 * everything (0); an expired one reads as not held. */
int pik_job_get_hold(PikDb *db, int64_t config_id, int64_t now, PikHold *ret);
/* Whether everything is held at now. */
int pik_job_get_global_hold(PikDb *db, int64_t now, bool *ret);

/* The delay before attempt number `attempt` (2 for the first retry):
 * backoff × 2^(attempt-2), capped at backoff_max. */
uint64_t pik_retry_delay(const PikRetryPolicy *p, unsigned attempt);

/* Within a transaction: after a failed attempt of job_id, queue the next
 * attempt if the policy allows; not before not_before (a partner's
 * Retry-After), if that is later than the backoff. Returns 1 if queued, 0
 * if attempts are exhausted or the job is gone. */
int pik_job_schedule_retry(PikDb *db, int64_t job_id, unsigned failed_attempt, const PikRetryPolicy *p,
                           int64_t now, int64_t not_before);

/* The spread key of a job: stable for a configuration × browser. */
uint64_t pik_job_key(int64_t config_id, int64_t browser_id);

/* Make pik_shard_owns(code) usable in SQL for this connection, answering
 * for cfg's shard: queries can then filter and LIMIT in one statement. */
int pik_job_register_shard_function(PikDb *db, const PikConfig *cfg);
