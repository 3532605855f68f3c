/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "config.h"
#include "db.h"
#include "logged-result.h"

/* One dispatcher pass (pik-dispatcher is a thin main over it):
 *   1. reap: executions still waiting for a report after job_expiry end as
 *      check-expired (an infrastructure outcome, retried per policy), and
 *      those whose unit is gone without a report as systemd logged its end
 *      (or as the check logged its result, when only the report was lost);
 *   2. due scheduled jobs (run_after <= now, not dispatched, not held, of
 *      enabled partners, browsers and configurations in this host's shard),
 *      oldest first, up to the concurrency cap minus the executions still
 *      running: for each, in one transaction, an execution with a fresh
 *      256-bit key, and dispatched set; then the unit is started.
 * Starting a unit is behind PikUnitStarter: systemd's StartUnit in
 * production, a recorder in tests. */

typedef struct PikExecutionStart {
        int64_t execution_id;
        int64_t job_id;
        const char *unit;            /* "pik-check@<id>.service" */
        const char *key;             /* the execution key, hex; for the starter only */
        const char *partner;
        const char *browser;
        unsigned attempt;
} PikExecutionStart;

typedef struct PikUnitStarter {
        /* Negative errno when the unit could not be started: the execution
         * then ends as unit-start-failed. */
        int (*start)(void *userdata, const PikExecutionStart *e);
        /* Optional: whether the unit is still there (1), gone (0), or
         * unknown (negative errno: left for the next pass). A running
         * execution whose unit is gone ended without a report. */
        int (*unit_alive)(void *userdata, const char *unit);
        /* Optional: how many check units systemd has active; the cap
         * counts whichever is higher, this or the executions waiting for
         * a report. */
        int (*count_active)(void *userdata, unsigned *ret);
        /* Optional: the result the execution's check logged to the journal
         * (pik_logged_result_find()), recorded instead of the reaper's
         * outcome for a check whose report was lost. */
        int (*logged_result)(int64_t execution, PikLoggedResult *ret);
        /* Optional: how the execution's unit ended, as systemd logged it
         * (pik_unit_end_find()), for a unit gone without a report. */
        int (*unit_end)(int64_t execution, PikUnitEnd *ret);
        void *userdata;
} PikUnitStarter;

typedef struct PikDispatcherStats {
        unsigned reaped;
        unsigned vanished;           /* units that ended without a report */
        unsigned running;            /* executions still running before dispatching */
        unsigned dispatched;
        unsigned start_failed;
        bool held;                   /* everything is held */
} PikDispatcherStats;

int pik_dispatcher_reap(PikDb *db, const PikConfig *cfg, int64_t now, const PikUnitStarter *starter,
                        unsigned *ret_reaped);
/* Executions still waiting for a report whose unit is gone: engine-crashed
 * if the check had fetched its job, unit-start-failed if it never did (the
 * dispatcher died between recording the execution and starting the unit,
 * say). Both infrastructure, both retried. */
int pik_dispatcher_reap_vanished(PikDb *db, const PikConfig *cfg, int64_t now, const PikUnitStarter *starter,
                                 unsigned *ret_reaped);
int pik_dispatcher_pass(PikDb *db, const PikConfig *cfg, int64_t now, const PikUnitStarter *starter,
                        PikDispatcherStats *ret);
/* What a pass would dispatch, without writing anything (--dry-run). */
int pik_dispatcher_due(PikDb *db, const PikConfig *cfg, int64_t now, json_object **ret);

/* Whether execution's key file is still wanted: 1 until its check has
 * fetched its job (state dispatched), 0 after, or for no such execution. */
int pik_dispatcher_key_wanted(PikDb *db, int64_t execution);

/* "pik-check@<id>.service" */
#define PIK_CHECK_UNIT_MAX 64
char *pik_check_unit_name(char buf[static PIK_CHECK_UNIT_MAX], int64_t execution_id);
