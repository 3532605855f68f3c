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

/* A report of what was logged, for pik_result_record_locked(); details
 * (which the journal entry carries only inside MESSAGE=) say where it came
 * from. rep's strings point into l and details. */
void pik_logged_result_to_report(const PikLoggedResult *l, int64_t execution, const char *details,
                                 PikResultReport *rep);
