/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The fields of a check's journalled result, as pik_logged_result_find()
 * reads them back: what the check writes is taken, anything else is
 * refused (the entry comes from the sandbox), other fields are ignored. */

#include <string.h>

#include "logged-result.h"
#include "test-helpers.h"

static int add(PikLoggedResult *l, const char *field) {
        return pik_logged_result_add_field(l, field, strlen(field));
}

static void test_fields(void) {
        PikLoggedResult l = PIK_LOGGED_RESULT_INIT;
        PikResultReport rep;

        ASSERT_OK(add(&l, "PIK_OUTCOME=success-marker-missing"));
        ASSERT_OK(add(&l, "PIK_DURATION_MS=1234"));
        ASSERT_OK(add(&l, "PIK_DNS_MS=-1"));
        ASSERT_OK(add(&l, "PIK_TOTAL_MS=900"));
        ASSERT_OK(add(&l, "PIK_PARTNER=acme"));
        ASSERT_OK(add(&l, "MESSAGE=Check of acme in ff: success-marker-missing (partner)"));
        ASSERT_STREQ(l.outcome, "success-marker-missing");
        ASSERT_EQ(l.duration_ms, 1234);
        ASSERT_EQ(l.dns_ms, -1);
        ASSERT_EQ(l.connect_ms, -1);
        ASSERT_EQ(l.total_ms, 900);

        pik_logged_result_to_report(&l, 42, "from the journal", &rep);
        ASSERT_EQ(rep.execution_id, 42);
        ASSERT_STREQ(rep.outcome, "success-marker-missing");
        ASSERT_EQ(rep.duration_ms, 1234);
        ASSERT_EQ(rep.total_ms, 900);
        ASSERT_EQ(rep.tls_ms, -1);
        ASSERT_STREQ(rep.details, "from the journal");
        ASSERT_EQ(rep.n_steps, 0);
        ASSERT_EQ(rep.n_evidence, 0);
}

static void test_refused(void) {
        static const char *const bad[] = {
                "PIK_OUTCOME=",
                "PIK_OUTCOME=Success",
                "PIK_OUTCOME=success; DROP TABLE result",
                "PIK_OUTCOME=succ\ness",
                "PIK_OUTCOME=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "PIK_DURATION_MS=",
                "PIK_DURATION_MS=-1",
                "PIK_DURATION_MS=12x",
                "PIK_DURATION_MS=99999999999999999999999",
                "PIK_TTFB_MS=-2",
                "PIK_TLS_MS=3600001",
                "PIK_CONNECT_MS= 5",
                "PIK_OUTCOME",
        };

        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                PikLoggedResult l = PIK_LOGGED_RESULT_INIT;

                ASSERT_ERR(add(&l, bad[i]), EINVAL);
        }
        /* A value with a NUL inside (journal data is binary-safe). */
        {
                PikLoggedResult l = PIK_LOGGED_RESULT_INIT;
                static const char f[] = "PIK_OUTCOME=succ\0ess";

                ASSERT_ERR(pik_logged_result_add_field(&l, f, sizeof f - 1), EINVAL);
        }
}

/* PID 1's fields about a unit's end: taken as words of printable ASCII,
 * anything else refused (and then unknown), other fields ignored. */
static void test_unit_end_fields(void) {
        PikUnitEnd e = {};
        static const char nul[] = "EXIT_CODE=kil\0led";

        ASSERT_OK(pik_unit_end_add_field(&e, "UNIT_RESULT=timeout", strlen("UNIT_RESULT=timeout")));
        ASSERT_OK(pik_unit_end_add_field(&e, "EXIT_CODE=killed", strlen("EXIT_CODE=killed")));
        ASSERT_OK(pik_unit_end_add_field(&e, "EXIT_STATUS=15", strlen("EXIT_STATUS=15")));
        ASSERT_OK(pik_unit_end_add_field(&e, "UNIT=pik-check@1.service", strlen("UNIT=pik-check@1.service")));
        ASSERT_OK(pik_unit_end_add_field(&e, "UNIT_RESULTS=x", strlen("UNIT_RESULTS=x")));
        ASSERT_STREQ(e.service_result, "timeout");
        ASSERT_STREQ(e.exit_code, "killed");
        ASSERT_STREQ(e.exit_status, "15");

        ASSERT_ERR(pik_unit_end_add_field(&e, "UNIT_RESULT=", strlen("UNIT_RESULT=")), EINVAL);
        ASSERT_ERR(pik_unit_end_add_field(&e, "UNIT_RESULT=time out", strlen("UNIT_RESULT=time out")), EINVAL);
        ASSERT_ERR(pik_unit_end_add_field(&e, "EXIT_STATUS=aaaaaaaaaaaaaaaaaaaaa", strlen("EXIT_STATUS=aaaaaaaaaaaaaaaaaaaaa")),
                   EINVAL);
        ASSERT_ERR(pik_unit_end_add_field(&e, nul, sizeof nul - 1), EINVAL);
        ASSERT_STREQ(e.service_result, "timeout");
        ASSERT_STREQ(e.exit_code, "killed");
}

int main(void) {
        test_fields();
        test_refused();
        test_unit_end_fields();
        return 0;
}
