/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The job document as pik-check reads it from GetJob's reply: its fields,
 * and that no copy of a secret is left in a block freed on the way. */

#include <json-c/json.h>

#include "engine.h"
#include "test-freed-scan.h"
#include "test-helpers.h"

#define JOB(creds)                                                                      \
        "{\"execution\":7,\"attempt\":2,\"partner\":\"acme\",\"browser\":\"ff\","       \
        "\"engine\":\"http\",\"entry_url\":\"https://acme.test/login\","                \
        "\"headers\":[\"X-A: 1\"],\"flow\":[{\"url\":\"https://acme.test/{{password}}\"}]," \
        "\"timeout_sec\":9" creds "}"

static void test_fields(void) {
        _cleanup_(check_job_freep) CheckJob *j = NULL;

        ASSERT_OK(check_job_from_json(JOB(",\"credentials\":{\"username\":\"u\",\"password\":\"p\\\"q\","
                                          "\"totp_seed\":\"JBSWY3DPEHPK3PXP\"}"), &j, NULL));
        ASSERT_EQ(j->execution, 7);
        ASSERT_EQ(j->attempt, 2);
        ASSERT_EQ(j->timeout_sec, 9);
        ASSERT_STREQ(j->partner, "acme");
        ASSERT_STREQ(j->headers[0], "X-A: 1");
        ASSERT_STREQ(j->username, "u");
        ASSERT_STREQ(j->password, "p\"q");
        ASSERT_STREQ(j->totp_seed, "JBSWY3DPEHPK3PXP");
        ASSERT_TRUE(!j->credentials_missing);

        ASSERT_ERR(check_job_from_json("[]", &j, NULL), EBADMSG);
        ASSERT_ERR(check_job_from_json("{\"partner\":\"acme\"}", &j, NULL), EBADMSG);
        ASSERT_ERR(check_job_from_json(JOB(",\"credentials\":{\"password\":5}"), &j, NULL), EBADMSG);
}

/* Every refusal names what was wrong: a misspelt key must not become a
 * check that silently skips its marker. */
static void test_refusals_name_the_field(void) {
        static const struct {
                const char *doc, *error;
        } cases[] = {
                { JOB(",\"sucess_marker\":\"Welcome\""), "job document: unknown key 'sucess_marker'" },
                { JOB(",\"credentials\":{\"passwd\":\"x\"}"), "job document: unknown key 'credentials.passwd'" },
                { JOB(",\"credentials\":{\"password\":5}"), "job document: credentials.password must be a string" },
                { JOB(",\"sso\":\"yes\""), "job document: sso must be true or false" },
                { JOB(",\"headers\":\"X-A: 1\""), "job document: headers must be an array of strings" },
                { JOB(",\"max_redirects\":-1"), "job document: max_redirects -1 is out of range" },
                { "{\"partner\":\"acme\",\"browser\":\"ff\",\"engine\":\"http\"}",
                  "job document: entry_url is missing" },
                { "[]", "job document: not a JSON object" },
                { "{\"partner\":", "job document: not valid JSON" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *error = NULL;
                CheckJob *j = NULL;

                ASSERT_ERR(check_job_from_json(cases[i].doc, &j, &error), EBADMSG);
                ASSERT_TRUE(j == NULL);
                ASSERT_STREQ(error, cases[i].error);
        }
        /* null is "not set"; pikd's config_id is known and ignored. */
        {
                _cleanup_(check_job_freep) CheckJob *j = NULL;
                ASSERT_OK(check_job_from_json(JOB(",\"config_id\":3,\"product_url\":null"), &j, NULL));
                ASSERT_TRUE(j->product_url == NULL);
                ASSERT_EQ(j->max_redirects, 10);
        }
}

/* Each secret in turn, short and long (json-c keeps short strings inside
 * the object), plain and with an escape inside it. */
static void test_secret_wiped(void) {
        static const char *const docs[] = {
                JOB(",\"credentials\":{\"username\":\"u\",\"password\":\"s3cret-Wiped-42\"}"),
                JOB(",\"credentials\":{\"username\":\"u\",\"password\":\"s3cret-Wiped-42 and a much longer tail "
                    "that makes json-c grow its buffer past the size it starts with\"}"),
                JOB(",\"credentials\":{\"username\":\"u\",\"password\":\"x\\\"s3cret-Wiped-42\\\\y\"}"),
                JOB(",\"credentials\":{\"username\":\"s3cret-Wiped-42\",\"password\":\"p\"}"),
                JOB(",\"credentials\":{\"username\":\"u\",\"password\":\"p\",\"totp_seed\":\"s3cret-Wiped-42\"}"),
                /* Cut short after the secret: refused, and still wiped. */
                "{\"partner\":\"acme\",\"credentials\":{\"password\":\"s3cret-Wiped-42\"",
        };

        for (size_t i = 0; i < ELEMENTSOF(docs); i++) {
                CheckJob *j = NULL;
                char *text = strdup(docs[i]);
                unsigned n;
                int r;

                ASSERT_TRUE(text);
                freed_scan_start("s3cret-Wiped-42");
                r = check_job_from_json(text, &j, NULL);
                ASSERT_TRUE(i == ELEMENTSOF(docs) - 1 ? r == -EBADMSG : r == 0);
                check_job_free(j);
                explicit_bzero(text, strlen(text));
                free(text);
                n = freed_scan_stop();
                if (n != 0) {
                        fprintf(stderr, "document %zu: %u freed blocks held the secret\n", i, n);
                        abort();
                }
        }
}

int main(void) {
        test_fields();
        test_refusals_name_the_field();
        test_secret_wiped();
        printf("test-job: ok\n");
        return 0;
}
