/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "config.h"
#include "db.h"

/* One scheduler pass (pik-scheduler is a thin main over it), the rules of
 * DESIGN.md: for each enabled configuration × browser of an enabled partner
 * in this host's shard, create the scheduled job if there is none; a job
 * that was dispatched and whose run_after has passed gets the next run time
 * after now and dispatched cleared, so missed runs coalesce into one. A
 * second pass at the same now changes nothing. */

typedef struct PikSchedulerStats {
        unsigned examined;
        unsigned created;
        unsigned rolled;
        unsigned skipped;        /* turns missed while the job's run was still going */
        unsigned followed;       /* configurations moved to a named schedule pik.conf changed */
        unsigned bad_schedule;   /* configurations whose schedule no longer parses */
        int64_t bad_config_id;   /* the first of those, for the log */
} PikSchedulerStats;

int pik_scheduler_pass(PikDb *db, const PikConfig *cfg, int64_t now, PikSchedulerStats *ret);
