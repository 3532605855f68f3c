/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The job document and flows: pik-check's parse of GetJob's reply
 * (src/pik-check/job.c), the flow it carries and the input as a flow
 * (src/pik-check/flow.c: parse, then every template of every step
 * expanded), and pikd's check of a flow when one is added
 * (src/shared/validate.c). Promises checked: a refused flow says why, in
 * both places; an expansion that fails names the variable or is malformed. */

#include <errno.h>

#include "engine.h"
#include "flow.h"
#include "fuzz-db.h"
#include "fuzz.h"
#include "validate.h"

static void expand(const FlowVars *v, const char *template) {
        char unknown[80] = "", *s = NULL;
        int r;

        if (!template)
                return;
        r = flow_expand(template, v, &s, unknown, sizeof unknown);
        if (r < 0) {
                FUZZ_ASSERT(!s);
                FUZZ_ASSERT(r == -EINVAL || r == -ENOMEM || ((r == -ENOENT || r == -EKEYREJECTED) && unknown[0]));
                return;
        }
        explicit_bzero(s, strlen(s));
        free(s);
}

static void exercise_flow(const CheckJob *job, const char *text) {
        _cleanup_(flow_freep) Flow *flow = NULL;
        FlowVars v = { .job = job };
        char error[256] = "";
        int r;

        r = flow_parse(text, &flow, error, sizeof error);
        if (r < 0) {
                FUZZ_ASSERT(r == -ENOMEM || (r == -EINVAL && error[0]));
                return;
        }
        FUZZ_ASSERT(flow->n_steps >= 1 && flow->n_steps <= FLOW_STEPS_MAX);
        FUZZ_ASSERT(flow_vars_set(&v, "token", "t0k3n") >= 0);
        for (size_t i = 0; i < flow->n_steps; i++) {
                const FlowStep *st = &flow->steps[i];

                expand(&v, st->url);
                expand(&v, st->body);
                expand(&v, st->expect_text);
                expand(&v, st->expect_no_text);
                for (char **h = st->headers; h && *h; h++)
                        expand(&v, *h);
                for (size_t k = 0; k < st->n_fields; k++)
                        expand(&v, st->field_values[k]);
        }
        flow_vars_done(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const CheckJob fallback = {
                .partner = (char *) "acme",
                .entry_url = (char *) "https://acme.example/login",
                .username = (char *) "monitor@example.com",
                .password = (char *) "correct horse battery staple",
                .totp_seed = (char *) "JBSWY3DPEHPK3PXP",
        };
        _cleanup_(check_job_freep) CheckJob *job = NULL;
        _cleanup_free_ char *text = NULL, *error = NULL;
        PikDb *db = fuzz_db();
        int r;

        /* Twice the cap pikd puts on a flow: past it, only the cap is tested. */
        if (size > 2 * PIK_FLOW_MAX)
                return 0;
        text = fuzz_strndup(data, size);

        r = check_job_from_json(text, &job, &error);
        if (r >= 0) {
                FUZZ_ASSERT(job->partner && job->browser && job->engine && job->entry_url);
                if (job->flow)
                        exercise_flow(job, job->flow);
        } else
                /* A refusal names what was wrong. */
                FUZZ_ASSERT((r == -EBADMSG && error && strncmp(error, "job document: ", 14) == 0) || r == -ENOMEM);

        exercise_flow(&fallback, text);

        pik_db_clear_error(db);
        r = pik_validate_flow(db, text);
        FUZZ_ASSERT(r >= 0 || r == -ENOMEM || (r == -EINVAL && pik_db_has_error(db)));
        return 0;
}
