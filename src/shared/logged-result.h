/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "result.h"

/* The result a check logged to the journal, read back for an execution
 * whose report never reached pikd: pikd killed under the report and not
 * back within the check's retries, or the check stopped at RuntimeMaxSec=
 * while it retried. pik-check journals its result before it reports it, so
 * the journal may know what the database does not; recording the unit's
 * end instead (check-expired, engine-crashed) would turn a partner's real
 * outcome, or a success, into a fault of ours.
 *
 * Only what the execution's own unit logged counts: _SYSTEMD_UNIT is set
 * by journald, which no client can forge. The entry's fields come from the
 * sandboxed check and are validated like a report's. */

typedef struct PikLoggedResult {
        char outcome[64];
        int64_t duration_ms;
        int64_t dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms;   /* -1: unknown */
} PikLoggedResult;

#define PIK_LOGGED_RESULT_INIT { .dns_ms = -1, .connect_ms = -1, .tls_ms = -1, .ttfb_ms = -1, .total_ms = -1 }

/* One journal field of the check's result entry ("PIK_OUTCOME=success");
 * others are ignored. -EINVAL for a value that is not one the check could
 * have written. */
int pik_logged_result_add_field(PikLoggedResult *l, const char *field, size_t n);

/* 1 and *ret when the journal holds the result execution's unit logged, 0
 * when it holds none, negative errno when the journal cannot be read. */
int pik_logged_result_find(int64_t execution, PikLoggedResult *ret);

/* How the execution's unit ended, as systemd (PID 1) logged it: "Main
 * process exited, code=killed, status=11/SEGV" (EXIT_CODE=, EXIT_STATUS=,
 * COMMAND=ExecStart) and "Failed with result 'signal'" (UNIT_RESULT=), or
 * "Deactivated successfully". What ExecStopPost= would have been told as
 * $SERVICE_RESULT, $EXIT_CODE and $EXIT_STATUS, without a process to tell
 * it to: the dispatcher's reaper reads it for a check that ended without a
 * report. Only entries of PID 1 count (_PID= is journald's). */
typedef struct PikUnitEnd {
        char service_result[32];     /* "timeout", "signal", "success", …; "" unknown */
        char exit_code[16];          /* "exited", "killed", "dumped"; "" unknown */
        char exit_status[16];        /* "3", or a signal's name: "SEGV"; "" unknown */
        int64_t at;                  /* when it ended (seconds since the epoch), 0 unknown */
} PikUnitEnd;

/* One field of one of PID 1's entries about the unit; others ignored. */
int pik_unit_end_add_field(PikUnitEnd *e, const char *field, size_t n);

/* 1 and *ret when the journal says how execution's unit ended (at least
 * UNIT_RESULT or the main process's exit), 0 when not, negative errno when
 * the journal cannot be read. */
int pik_unit_end_find(int64_t execution, PikUnitEnd *ret);

/* The outcome for a check that ended so without a report, and the
 * execution's state: check-expired/expired for a timeout (RuntimeMaxSec=),
 * out-of-memory for the OOM killer, engine-crashed for anything else (even
 * a clean exit: a check that exits without reporting has failed). */
const char *pik_unit_end_outcome(const PikUnitEnd *e, const char **ret_state);

/* "unit ended: signal SEGV (SERVICE_RESULT=signal EXIT_CODE=killed
 * EXIT_STATUS=SEGV)", for the result's details. */
int pik_unit_end_details(const PikUnitEnd *e, char **ret);

/* A report of what was logged, for pik_result_record_locked(); details
 * (which the journal entry carries only inside MESSAGE=) say where it came
 * from. rep's strings point into l and details. */
void pik_logged_result_to_report(const PikLoggedResult *l, int64_t execution, const char *details,
                                 PikResultReport *rep);
