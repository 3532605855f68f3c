/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "classify.h"
#include "outcome.h"
#include "test-helpers.h"

static void test_curl(void) {
        ASSERT_STREQ(classify_curl_error(CURLE_OK), "success");
        ASSERT_STREQ(classify_curl_error(CURLE_COULDNT_RESOLVE_HOST), "partner-dns-not-found");
        ASSERT_STREQ(classify_curl_error(CURLE_COULDNT_CONNECT), "partner-unreachable");
        ASSERT_STREQ(classify_curl_error(CURLE_OPERATION_TIMEDOUT), "partner-timeout");
        ASSERT_STREQ(classify_curl_error(CURLE_PEER_FAILED_VERIFICATION), "tls-certificate-invalid");
        ASSERT_STREQ(classify_curl_error(CURLE_TOO_MANY_REDIRECTS), "redirect-loop");
        ASSERT_STREQ(classify_curl_error(CURLE_OUT_OF_MEMORY), "out-of-memory");
        ASSERT_STREQ(classify_curl_error(CURLE_URL_MALFORMAT), "invalid-config");
        /* Whatever libcurl may say, the answer is an outcome of the catalog. */
        for (int c = 0; c < CURL_LAST; c++)
                ASSERT_TRUE(pik_outcome_builtin_kind(classify_curl_error((CURLcode) c)) >= 0);
        /* Unknown errors are ours, never the partner's. */
        ASSERT_STREQ(classify_curl_error(CURLE_FUNCTION_NOT_FOUND), "internal-error");
}

static void test_http(void) {
        ASSERT_TRUE(classify_http_status(200) == NULL);
        ASSERT_TRUE(classify_http_status(302) == NULL);
        ASSERT_STREQ(classify_http_status(404), "http-4xx");
        ASSERT_STREQ(classify_http_status(401), "http-4xx");
        ASSERT_STREQ(classify_http_status(429), "partner-throttled");
        ASSERT_STREQ(classify_http_status(500), "http-5xx");
        ASSERT_STREQ(classify_http_status(503), "http-5xx");
        ASSERT_STREQ(classify_http_status(999), "http-5xx");
        ASSERT_STREQ(classify_http_status(0), "http-5xx");
        for (long s = 0; s < 1000; s++) {
                const char *o = classify_http_status(s);
                ASSERT_TRUE(!o || pik_outcome_builtin_kind(o) == OUTCOME_KIND_PARTNER);
        }
}

static void test_exit_status(void) {
        ASSERT_EQ(classify_exit_status("success"), 0);
        ASSERT_EQ(classify_exit_status("login-rejected"), CHECK_EXIT_PARTNER);
        ASSERT_EQ(classify_exit_status("engine-crashed"), CHECK_EXIT_INFRASTRUCTURE);
        ASSERT_EQ(classify_exit_status("missing-credentials"), CHECK_EXIT_CONFIGURATION);
        ASSERT_EQ(classify_exit_status("no-such-outcome"), CHECK_EXIT_INFRASTRUCTURE);
}

int main(void) {
        test_curl();
        test_http();
        test_exit_status();
        return 0;
}
