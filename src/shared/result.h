/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "config.h"
#include "evidence-store.h"
#include "db.h"
#include "outcome.h"

/* Results: what a check found. Recorded once per execution, by the check's
 * report (through pikd) or by the dispatcher's reaper for a check that
 * never reported. */

/* One step of a check (a page fetched, a form submitted), as the report
 * carries it and result_step keeps it. Timings in ms, -1 where unknown. */
#define PIK_RESULT_STEPS_MAX 32
#define PIK_RESULT_STEP_NAME_MAX 200
typedef struct PikResultStep {
        const char *name;
        int64_t http_status;         /* 0: no response */
        int64_t requests;            /* 1 + redirects followed */
        int64_t dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms;
} PikResultStep;

typedef struct PikResultReport {
        int64_t execution_id;
        const char *outcome;         /* a name from the catalog */
        int64_t duration_ms;
        /* Per-step timings of the flow, -1 where unknown. */
        int64_t dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms;
        const char *details;         /* optional, one line for the operator; never secrets */
        int64_t retry_not_before;    /* partner's Retry-After as a time, 0 if none */
        const PikResultStep *steps;
        size_t n_steps;
        /* Files the check kept in its evidence directory (evidence-store.h). */
        const char *evidence[PIK_EVIDENCE_FILES_MAX];
        size_t n_evidence;
} PikResultReport;

#define PIK_RESULT_REPORT_INIT { .dns_ms = -1, .connect_ms = -1, .tls_ms = -1, .ttfb_ms = -1, .total_ms = -1 }
#define PIK_DETAILS_MAX 4096

typedef struct PikResultRecorded {
        int64_t result_id;
        PikOutcome outcome;
        char partner[64];
        char browser[64];
        unsigned attempt;
        bool retry_scheduled;
        bool unconfirmed;            /* a partner failure waiting for its re-check */
        unsigned notifications;      /* alert notifications it created (alert.h) */
} PikResultRecorded;

/* In its own transaction. -ENOENT for an unknown execution, -ESTALE for one
 * that already has its result (a check cannot report twice), -EINVAL for an
 * outcome not in the catalog. */
int pik_result_record(PikDb *db, const PikConfig *cfg, const PikResultReport *rep, int64_t now,
                      PikResultRecorded *ret);
/* The same inside the caller's transaction; final_state is the execution's
 * state for a failure ("failure", or "expired" from the reaper). */
int pik_result_record_locked(PikDb *db, const PikConfig *cfg, const PikResultReport *rep, int64_t now,
                             const char *final_state, PikResultRecorded *ret);

typedef struct PikResultFilter {
        const char *partner;
        const char *browser;
        const char *kind;
        int64_t since;               /* 0: no lower bound */
        size_t limit;                /* 0: no limit */
} PikResultFilter;

int pik_result_list(PikDb *db, const PikResultFilter *f, json_object **ret);

/* One result with its configuration's name, its outcome's description and
 * its steps: { id, execution_id, config_id, config_name, partner, browser,
 * executed_at, duration_ms, outcome, kind, description, unconfirmed,
 * attempt, dns_ms…total_ms, details, steps: [ {position, name, http_status,
 * requests, dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms} ], evidence:
 * [ path of each file the check kept, under PIK_EVIDENCE_ROOT ] }. -ENOENT
 * when there is no such result. */
int pik_result_show(PikDb *db, int64_t id, json_object **ret);
