/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "redact.h"
#include "test-helpers.h"
#include "totp.h"

static void redacts(const char *text, const char *const *secrets, const char *want) {
        _cleanup_free_ char *got = NULL;

        ASSERT_OK(redact_secrets(text, secrets, &got));
        if (!streq(got, want)) {
                fprintf(stderr, "redact(\"%s\"): \"%s\", not \"%s\"\n", text, got, want);
                abort();
        }
}

static void test_forms(void) {
        const char *const pw[] = { "correct horse/ü+%", NULL };

        /* As is, and every way a URL or a form body spells it. */
        redacts("p=correct horse/ü+%!", pw, "p=[REDACTED]!");
        redacts("https://idp.test/login/ann/correct%20horse%2F%C3%BC%2B%25", pw, "https://idp.test/login/ann/[REDACTED]");
        redacts("a=correct+horse%2f%c3%bc%2b%25&b=1", pw, "a=[REDACTED]&b=1");
        /* libcurl encodes only some bytes of a path: any mix. */
        redacts("/login/correct%20horse/%C3%BC+%25/x", pw, "/login/[REDACTED]/x");
        redacts("/login/correct%20horse/\xc3\xbc%2B%/x", pw, "/login/[REDACTED]/x");
        /* Near misses stay. */
        redacts("correct horse/u+%", pw, "correct horse/u+%");
        redacts("correct%2horse", pw, "correct%2horse");
        /* Several secrets, several times, the longest spelling wins. */
        const char *const two[] = { "s3cr3t", "", NULL, NULL };
        redacts("s3cr3t and s%33cr3t and S3CR3T", two, "[REDACTED] and [REDACTED] and S3CR3T");
        redacts("nothing here", NULL, "nothing here");
}

static void test_buffer(void) {
        const char *const pw[] = { "hunter2", NULL };
        char buf[24] = "login/hunter2/x";
        char small[12] = "ab hunter2";

        ASSERT_OK(redact_secrets_in_buffer(buf, sizeof buf, pw));
        ASSERT_STREQ(buf, "login/[REDACTED]/x");
        /* Cut to fit, never in the middle of the marker. */
        ASSERT_OK(redact_secrets_in_buffer(small, sizeof small, pw));
        ASSERT_STREQ(small, "ab ");
}

static void test_check_result(void) {
        CheckJob job = { .password = (char *) "correct horse", .totp_seed = (char *) "JBSWY3DPEHPK3PXP" };
        CheckResult res = CHECK_RESULT_INIT;
        char code[TOTP_DIGITS + 1];

        ASSERT_OK(totp_code(job.totp_seed, time(NULL), code));
        res.outcome = "http-5xx";
        snprintf(res.details, sizeof res.details, "login: HTTP 500 from https://idp.test/api/login/ann/correct%%20horse?c=%s",
                 code);
        res.n_steps = 1;
        snprintf(res.steps[0].name, sizeof res.steps[0].name, "otp %s", code);
        redact_check_result(&job, &res);
        ASSERT_STREQ(res.details, "login: HTTP 500 from https://idp.test/api/login/ann/[REDACTED]?c=[REDACTED]");
        ASSERT_STREQ(res.steps[0].name, "otp [REDACTED]");
}

int main(void) {
        test_forms();
        test_buffer();
        test_check_result();
        return 0;
}
