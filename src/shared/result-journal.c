/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdlib.h>
#include <systemd/sd-journal.h>

#include "checkjob.h"
#include "log.h"
#include "message-ids.h"
#include "outcome-kind.h"
#include "result-journal.h"

/* Journald's own stream, or stderr for a person or a test to read. */
static bool stderr_is_journal(void) {
        return getenv("JOURNAL_STREAM");
}

void pik_journal_unreported(int64_t execution, const PikResultRecorded *rec, const char *details) {
        const char *kind = outcome_kind_to_string(rec->outcome.kind) ?: "infrastructure";

        if (!stderr_is_journal())
                log_warning("Check of %s in %s (execution %lld) ended without a result: %s: %s", rec->partner,
                            rec->browser, (long long) execution, rec->outcome.name, details ?: "");
        (void) sd_journal_send("MESSAGE=Check of %s in %s (execution %lld) ended without a result: %s: %s",
                                       rec->partner, rec->browser, (long long) execution, rec->outcome.name,
                                       details ?: "",
                               "MESSAGE_ID=%s", PIK_MESSAGE_EXPIRED_STR,
                               "PRIORITY=%d", LOG_WARNING,
                               "SYSLOG_IDENTIFIER=%s", program_invocation_short_name,
                               "PIK_PARTNER=%s", rec->partner,
                               "PIK_BROWSER=%s", rec->browser,
                               "PIK_EXECUTION=%lld", (long long) execution,
                               "PIK_ATTEMPT=%u", rec->attempt,
                               "PIK_OUTCOME=%s", rec->outcome.name,
                               "PIK_OUTCOME_KIND=%s", kind,
                               NULL);
}

void pik_journal_retry(PikDb *db, int64_t execution, const PikResultRecorded *rec, int64_t now) {
        unsigned attempt;
        int64_t delay;

        if (!rec->retry_scheduled)
                return;
        if (pik_check_next_attempt(db, execution, now, &attempt, &delay) < 0)
                return;
        if (!stderr_is_journal())
                log_notice("Check of %s in %s will be retried: attempt %u in %lld s.", rec->partner, rec->browser,
                           attempt, (long long) delay);
        (void) sd_journal_send("MESSAGE=Check of %s in %s will be retried: attempt %u in %lld s.",
                                       rec->partner, rec->browser, attempt, (long long) delay,
                               "MESSAGE_ID=%s", PIK_MESSAGE_RETRY_STR,
                               "PRIORITY=%d", LOG_NOTICE,
                               "SYSLOG_IDENTIFIER=%s", program_invocation_short_name,
                               "PIK_PARTNER=%s", rec->partner,
                               "PIK_BROWSER=%s", rec->browser,
                               "PIK_EXECUTION=%lld", (long long) execution,
                               "PIK_OUTCOME=%s", rec->outcome.name,
                               "PIK_ATTEMPT=%u", attempt,
                               "PIK_RETRY_AFTER_SEC=%lld", (long long) delay,
                               NULL);
}
