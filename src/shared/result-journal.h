/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "db.h"
#include "result.h"

/* The journal entries of results pik records on a check's behalf. A check
 * journals its own result (MESSAGE_ID SUCCESS or FAILURE, pik-check); one
 * that ended without a report gets an entry from whoever recorded its end,
 * the dispatcher's reaper: MESSAGE_ID EXPIRED with the same PIK_* fields.
 * And whichever program recorded a result that queued a retry says so
 * (MESSAGE_ID RETRY, with the attempt and its delay). Both also go to
 * stderr when stderr is not the journal (a terminal, a test). */

void pik_journal_unreported(int64_t execution, const PikResultRecorded *rec, const char *details);
void pik_journal_retry(PikDb *db, int64_t execution, const PikResultRecorded *rec, int64_t now);
