/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The result report a check sends with ReportResult (src/shared/checkjob.c,
 * the parse pikd runs before recording it). Promises checked: a refused
 * report has a message; an accepted one has its outcome, a duration and
 * at most PIK_RESULT_STEPS_MAX named steps, timings -1 or in range. */

#include <errno.h>

#include "checkjob.h"
#include "fuzz-db.h"
#include "fuzz.h"

#define NOW INT64_C(1767225600)

static bool timing_ok(int64_t ms) {
        return ms >= -1 && ms <= INT64_C(86400) * 1000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *json = NULL;
        _cleanup_free_ PikResultStep *steps = NULL;
        _cleanup_json_ json_object *owner = NULL;
        PikResultReport rep = PIK_RESULT_REPORT_INIT;
        PikDb *db = fuzz_db();
        int r;

        if (size > 2 * PIK_REPORT_JSON_MAX)
                return 0;
        json = fuzz_strndup(data, size);

        pik_db_clear_error(db);
        r = pik_check_report_parse(db, json, NOW, &rep, &owner, &steps);
        if (r < 0) {
                FUZZ_ASSERT(r == -ENOMEM || (r == -EINVAL && pik_db_has_error(db)));
                return 0;
        }
        FUZZ_ASSERT(owner && rep.outcome);
        FUZZ_ASSERT(rep.duration_ms >= 0 && timing_ok(rep.duration_ms));
        FUZZ_ASSERT(timing_ok(rep.dns_ms) && timing_ok(rep.connect_ms) && timing_ok(rep.tls_ms) &&
                    timing_ok(rep.ttfb_ms) && timing_ok(rep.total_ms));
        FUZZ_ASSERT(rep.retry_not_before == 0 || rep.retry_not_before > NOW);
        FUZZ_ASSERT(rep.n_steps <= PIK_RESULT_STEPS_MAX);
        FUZZ_ASSERT(rep.n_steps == 0 || rep.steps == steps);
        for (size_t i = 0; i < rep.n_steps; i++)
                FUZZ_ASSERT(rep.steps[i].name && timing_ok(rep.steps[i].total_ms));
        return 0;
}
