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

/* Hold or release one configuration (config_id > 0) or everything
 * (config_id == 0, a maintenance switch kept in the database). */
int pik_job_set_held(PikDb *db, int64_t config_id, bool held);
/* Whether everything is held. */
int pik_job_get_global_hold(PikDb *db, bool *ret);

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
