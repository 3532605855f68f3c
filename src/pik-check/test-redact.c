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

static void test_markup_and_json(void) {
        const char *const pw[] = { "a&b c/\"d\xc3\xbc", NULL };

        /* Numeric references, decimal and hex in either case, with and
         * without ';', leading zeros; named ones. */
        redacts("<p>a&#38;b c/&#34;d&#252;</p>", pw, "<p>[REDACTED]</p>");
        redacts("<p>a&#x26;b&#x20;c&#X2F;&#x0022;d&#xFC;</p>", pw, "<p>[REDACTED]</p>");
        redacts("<p>a&#38b c/&quot;d\xc3\xbc</p>", pw, "<p>[REDACTED]</p>");
        redacts("<p>a&amp;b c/&QUOT;d\xc3\xbc</p>", pw, "<p>[REDACTED]</p>");
        /* A no-break space for the space: named, numeric, UTF-8. */
        redacts("<p>a&amp;b&nbsp;c/&quot;d\xc3\xbc</p>", pw, "<p>[REDACTED]</p>");
        redacts("<p>a&amp;b&#160;c/&quot;d\xc3\xbc</p>", pw, "<p>[REDACTED]</p>");
        redacts("<p>a&amp;b\xc2\xa0" "c/&quot;d\xc3\xbc</p>", pw, "<p>[REDACTED]</p>");
        /* JSON escapes: \u in either case, \/ and \". */
        redacts("{\"p\":\"a\\u0026b\\u0020c\\/\\\"d\\u00FC\"}", pw, "{\"p\":\"[REDACTED]\"}");
        redacts("{\"p\":\"a\\u0026b c\\u002f\\u0022d\\u00fc\"}", pw, "{\"p\":\"[REDACTED]\"}");
        /* Form encoding: '+' for the space, lower-case %xx. */
        redacts("p=a%26b+c%2f%22d%c3%bc&x=1", pw, "p=[REDACTED]&x=1");
        /* Near misses stay. */
        redacts("a&#39;b c/\"d\xc3\xbc", pw, "a&#39;b c/\"d\xc3\xbc");
        redacts("a&b\\u0021c/\"d\xc3\xbc", pw, "a&b\\u0021c/\"d\xc3\xbc");

        /* A secret spelt like markup is found as is and escaped. */
        const char *const amp[] = { "&amp;x", NULL };
        redacts("v=&amp;x;", amp, "v=[REDACTED];");
        redacts("v=&amp;amp;x;", amp, "v=[REDACTED];");
        redacts("v=&#38;amp;x;", amp, "v=[REDACTED];");
}

static void test_near_misses(void) {
        /* Near misses that each spelling of '&' follows a long way end,
         * and a real occurrence after them is still found. */
        const char *const pw[] = { "&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&z", NULL };
        _cleanup_free_ char *page = NULL, *got = NULL;
        size_t n = 0;

        page = malloc(80 * 5 + 200);
        ASSERT_TRUE(page);
        for (unsigned i = 0; i < 80; i++) {
                memcpy(page + n, "&amp;", 5);
                n += 5;
        }
        page[n++] = 'y';
        page[n++] = ' ';
        memcpy(page + n, pw[0], strlen(pw[0]) + 1);
        ASSERT_OK(redact_secrets(page, pw, &got));
        ASSERT_TRUE(strstr(got, "y [REDACTED]"));
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
        test_markup_and_json();
        test_near_misses();
        test_buffer();
        test_check_result();
        return 0;
}
