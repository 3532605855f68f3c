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
        ASSERT_STREQ(classify_curl_error(CURLE_SSL_CACERT_BADFILE), "invalid-config");
        ASSERT_STREQ(classify_curl_error(CURLE_WEIRD_SERVER_REPLY), "http-5xx");
        ASSERT_STREQ(classify_curl_error(CURLE_PROXY), "egress-down");
        /* Our write callback refusing (no memory) is ours. */
        ASSERT_STREQ(classify_curl_error(CURLE_WRITE_ERROR), "internal-error");
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

static void test_webdriver(void) {
        /* Every error code of WebDriver § 6.6. */
        static const char *const codes[] = {
                "element click intercepted", "element not interactable", "insecure certificate",
                "invalid argument", "invalid cookie domain", "invalid element state", "invalid selector",
                "invalid session id", "javascript error", "move target out of bounds", "no such alert",
                "no such cookie", "no such element", "no such frame", "no such window", "no such shadow root",
                "script timeout", "session not created", "stale element reference", "detached shadow root",
                "timeout", "unable to set cookie", "unable to capture screen", "unexpected alert open",
                "unknown command", "unknown error", "unknown method", "unsupported operation",
        };

        for (size_t i = 0; i < ELEMENTSOF(codes); i++)
                ASSERT_TRUE(pik_outcome_builtin_kind(classify_webdriver_error(codes[i])) >= 0);

        /* The browser's machinery failing is never the partner's fault. */
        ASSERT_STREQ(classify_webdriver_error("session not created"), "webdriver-session-failed");
        ASSERT_STREQ(classify_webdriver_error("unknown command"), "webdriver-session-failed");
        ASSERT_STREQ(classify_webdriver_error("invalid session id"), "engine-crashed");
        ASSERT_STREQ(classify_webdriver_error("unknown error"), "engine-crashed");
        ASSERT_STREQ(classify_webdriver_error("no such window"), "engine-crashed");
        ASSERT_STREQ(classify_webdriver_error("javascript error"), "internal-error");
        ASSERT_STREQ(classify_webdriver_error(NULL), "internal-error");
        ASSERT_STREQ(classify_webdriver_error("something new"), "internal-error");
        ASSERT_STREQ(classify_webdriver_error(""), "internal-error");
        /* The page. */
        ASSERT_STREQ(classify_webdriver_error("no such element"), "login-form-missing");
        ASSERT_STREQ(classify_webdriver_error("element not interactable"), "login-form-missing");
        ASSERT_STREQ(classify_webdriver_error("timeout"), "partner-timeout");
        ASSERT_STREQ(classify_webdriver_error("insecure certificate"), "tls-certificate-invalid");
        /* The configuration. */
        ASSERT_STREQ(classify_webdriver_error("invalid selector"), "invalid-config");
        ASSERT_STREQ(classify_webdriver_error("invalid argument"), "invalid-config");
        /* Case matters: the codes are exact strings. */
        ASSERT_STREQ(classify_webdriver_error("Session Not Created"), "internal-error");
}

static void test_browser_net(void) {
        ASSERT_STREQ(classify_browser_net_error("net::ERR_NAME_NOT_RESOLVED"), "partner-dns-not-found");
        ASSERT_STREQ(classify_browser_net_error("ERR_NAME_NOT_RESOLVED"), "partner-dns-not-found");
        ASSERT_STREQ(classify_browser_net_error("net::ERR_CONNECTION_REFUSED"), "partner-unreachable");
        ASSERT_STREQ(classify_browser_net_error("ERR_CONNECTION_TIMED_OUT"), "partner-timeout");
        ASSERT_STREQ(classify_browser_net_error("ERR_TOO_MANY_REDIRECTS"), "redirect-loop");
        ASSERT_STREQ(classify_browser_net_error("net::ERR_CERT_AUTHORITY_INVALID"), "tls-certificate-invalid");
        ASSERT_STREQ(classify_browser_net_error("ERR_CERT_DATE_INVALID"), "tls-certificate-invalid");
        ASSERT_STREQ(classify_browser_net_error("ERR_INTERNET_DISCONNECTED"), "egress-down");
        ASSERT_STREQ(classify_browser_net_error("ERR_UNSAFE_PORT"), "invalid-config");
        ASSERT_STREQ(classify_browser_net_error("ERR_SOMETHING_NEW"), "partner-unreachable");
        ASSERT_STREQ(classify_browser_net_error(NULL), "partner-unreachable");
        ASSERT_TRUE(pik_outcome_builtin_kind(classify_browser_net_error("ERR_OUT_OF_MEMORY")) ==
                    OUTCOME_KIND_INFRASTRUCTURE);
}

static void test_flow_failures(void) {
        /* Every failure has an outcome of the catalog. */
        for (int f = 0; f < _CHECK_FAILURE_MAX; f++)
                ASSERT_TRUE(pik_outcome_builtin_kind(classify_failure((CheckFailure) f)) >= 0);
        ASSERT_STREQ(classify_failure(_CHECK_FAILURE_MAX), "internal-error");
        ASSERT_STREQ(classify_failure(CHECK_FAILURE_LOGIN_FORM_MISSING), "login-form-missing");
        ASSERT_STREQ(classify_failure(CHECK_FAILURE_PAGE_UNPARSABLE), "login-form-missing");
        ASSERT_STREQ(classify_failure(CHECK_FAILURE_LOGIN_REJECTED), "login-rejected");
        ASSERT_STREQ(classify_failure(CHECK_FAILURE_MFA_REJECTED), "login-rejected");
        ASSERT_STREQ(classify_failure(CHECK_FAILURE_NO_IDP), "sso-failed");
        ASSERT_STREQ(classify_failure(CHECK_FAILURE_ASSERTION_FAILED), "success-marker-missing");
        ASSERT_STREQ(classify_failure(CHECK_FAILURE_LOGIN_ASSERTION_FAILED), "login-rejected");
        ASSERT_STREQ(classify_failure(CHECK_FAILURE_NOT_SETTLED), "redirect-loop");
        ASSERT_STREQ(classify_failure(CHECK_FAILURE_INVALID_CONFIG), "invalid-config");
        ASSERT_STREQ(classify_failure(CHECK_FAILURE_MISSING_CREDENTIALS), "missing-credentials");
        ASSERT_STREQ(classify_failure(CHECK_FAILURE_ADDRESS_REFUSED), "address-refused");
        ASSERT_TRUE(pik_outcome_builtin_kind("address-refused") == OUTCOME_KIND_PARTNER);
        /* pik's own failures are never success and never the partner's. */
        ASSERT_TRUE(pik_outcome_builtin_kind(classify_failure(CHECK_FAILURE_OUT_OF_MEMORY)) ==
                    OUTCOME_KIND_INFRASTRUCTURE);
        ASSERT_TRUE(pik_outcome_builtin_kind(classify_failure(CHECK_FAILURE_INTERNAL)) ==
                    OUTCOME_KIND_INFRASTRUCTURE);

        ASSERT_STREQ(classify_login_status(401), "login-rejected");
        ASSERT_STREQ(classify_login_status(403), "login-rejected");
        ASSERT_STREQ(classify_login_status(500), "http-5xx");
        ASSERT_STREQ(classify_login_status(429), "partner-throttled");
        ASSERT_TRUE(classify_login_status(302) == NULL);

        /* The identity provider's leg. */
        ASSERT_STREQ(classify_sso_leg("login-rejected"), "sso-failed");
        ASSERT_STREQ(classify_sso_leg("http-5xx"), "sso-failed");
        ASSERT_STREQ(classify_sso_leg("partner-unreachable"), "sso-failed");
        ASSERT_STREQ(classify_sso_leg("partner-throttled"), "partner-throttled");
        ASSERT_STREQ(classify_sso_leg("address-refused"), "address-refused");
        ASSERT_STREQ(classify_sso_leg("egress-down"), "egress-down");
        ASSERT_STREQ(classify_sso_leg("missing-credentials"), "missing-credentials");
        ASSERT_STREQ(classify_sso_leg("success"), "success");

        ASSERT_STREQ(classify_failure(CHECK_FAILURE_PAGE_TIMEOUT), "partner-timeout");
        ASSERT_STREQ(classify_failure(CHECK_FAILURE_BROWSER_UNAVAILABLE), "webdriver-session-failed");
        ASSERT_STREQ(classify_failure(CHECK_FAILURE_BROWSER_LOST), "engine-crashed");
        ASSERT_STREQ(classify_session_error("invalid argument"), "invalid-config");
        ASSERT_STREQ(classify_session_error("session not created"), "webdriver-session-failed");
        ASSERT_STREQ(classify_session_error(NULL), "webdriver-session-failed");
        /* A page load timeout is network-level: the control probe may
         * make it ours. */
        ASSERT_TRUE(classify_is_network_level(classify_failure(CHECK_FAILURE_PAGE_TIMEOUT)));

        /* The control probe. */
        ASSERT_STREQ(classify_control("partner-dns-not-found", CONTROL_DNS_FAILED), "local-dns-failure");
        ASSERT_STREQ(classify_control("partner-unreachable", CONTROL_EGRESS_FAILED), "egress-down");
        ASSERT_STREQ(classify_control("partner-timeout", CONTROL_DNS_FAILED), "local-dns-failure");
        ASSERT_STREQ(classify_control("partner-timeout", CONTROL_OK), "partner-timeout");
        ASSERT_STREQ(classify_control("partner-unreachable", CONTROL_NOT_CONFIGURED), "partner-unreachable");
        ASSERT_STREQ(classify_control("http-5xx", CONTROL_EGRESS_FAILED), "http-5xx");
        ASSERT_STREQ(classify_control("tls-certificate-invalid", CONTROL_DNS_FAILED), "tls-certificate-invalid");
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
        test_webdriver();
        test_browser_net();
        test_flow_failures();
        test_exit_status();
        return 0;
}
