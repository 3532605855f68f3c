/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "classify.h"
#include "macro.h"
#include "outcome-kind.h"

static const struct {
        CURLcode code;
        const char *outcome;
} curl_table[] = {
        /* The partner's name does not resolve. Whether it is the partner's
         * DNS or our resolver is for the control probe to tell (a later
         * refinement); on its own, it points at the partner. */
        { CURLE_COULDNT_RESOLVE_HOST, "partner-dns-not-found" },
        { CURLE_COULDNT_CONNECT, "partner-unreachable" },
        { CURLE_RECV_ERROR, "partner-unreachable" },
        { CURLE_SEND_ERROR, "partner-unreachable" },
        { CURLE_GOT_NOTHING, "partner-unreachable" },
        { CURLE_PARTIAL_FILE, "partner-unreachable" },
        { CURLE_OPERATION_TIMEDOUT, "partner-timeout" },
        { CURLE_PEER_FAILED_VERIFICATION, "tls-certificate-invalid" },
        { CURLE_SSL_CONNECT_ERROR, "tls-certificate-invalid" },
        { CURLE_SSL_CERTPROBLEM, "tls-certificate-invalid" },
        { CURLE_SSL_CIPHER, "tls-certificate-invalid" },
        { CURLE_TOO_MANY_REDIRECTS, "redirect-loop" },
        /* Our side: a proxy we were told to use, or no memory. */
        { CURLE_COULDNT_RESOLVE_PROXY, "local-dns-failure" },
        { CURLE_OUT_OF_MEMORY, "out-of-memory" },
        /* A URL libcurl cannot use is the configuration's fault. */
        { CURLE_URL_MALFORMAT, "invalid-config" },
        { CURLE_UNSUPPORTED_PROTOCOL, "invalid-config" },
        /* …and so is a browser's CA bundle that cannot be read. */
        { CURLE_SSL_CACERT_BADFILE, "invalid-config" },
        { CURLE_SSL_CRL_BADFILE, "invalid-config" },
        /* More of the partner's TLS. */
        { CURLE_SSL_ISSUER_ERROR, "tls-certificate-invalid" },
        { CURLE_SSL_PINNEDPUBKEYNOTMATCH, "tls-certificate-invalid" },
        { CURLE_SSL_INVALIDCERTSTATUS, "tls-certificate-invalid" },
        { CURLE_SSL_SHUTDOWN_FAILED, "partner-unreachable" },
        /* The partner's server speaking broken HTTP. */
        { CURLE_WEIRD_SERVER_REPLY, "http-5xx" },
        { CURLE_BAD_CONTENT_ENCODING, "http-5xx" },
        { CURLE_HTTP2, "partner-unreachable" },
        { CURLE_HTTP2_STREAM, "partner-unreachable" },
        { CURLE_HTTP3, "partner-unreachable" },
        { CURLE_QUIC_CONNECT_ERROR, "partner-unreachable" },
        /* An egress proxy set for the unit is ours. */
        { CURLE_PROXY, "egress-down" },
};

const char *classify_curl_error(CURLcode code) {
        if (code == CURLE_OK)
                return "success";
        for (size_t i = 0; i < ELEMENTSOF(curl_table); i++)
                if (curl_table[i].code == code)
                        return curl_table[i].outcome;
        /* Anything else is pik failing to drive libcurl: ours. */
        return "internal-error";
}

const char *classify_http_status(long status) {
        if (status == 429)
                return "partner-throttled";
        if (status >= 500 && status <= 599)
                return "http-5xx";
        if (status >= 400 && status <= 499)
                return "http-4xx";
        if (status < 100 || status > 599)
                return "http-5xx";   /* not HTTP as we know it: the partner's server is broken */
        return NULL;
}

static const struct {
        const char *error;
        const char *outcome;
} webdriver_table[] = {
        /* The browser and its driver: ours. */
        { "session not created", "webdriver-session-failed" },
        { "unknown command", "webdriver-session-failed" },      /* not a W3C endpoint */
        { "unknown method", "webdriver-session-failed" },
        { "unsupported operation", "webdriver-session-failed" },
        { "invalid session id", "engine-crashed" },             /* the session died under us */
        { "no such window", "engine-crashed" },
        { "unknown error", "engine-crashed" },                  /* chromedriver's word for a crashed tab */
        { "javascript error", "internal-error" },               /* our scripts */
        { "unable to capture screen", "internal-error" },
        { "unable to set cookie", "internal-error" },
        { "no such cookie", "internal-error" },
        { "no such alert", "internal-error" },
        /* The partner's page: it did not load in time, or is not what a
         * login needs. */
        { "timeout", "partner-timeout" },
        { "script timeout", "partner-timeout" },
        { "insecure certificate", "tls-certificate-invalid" },
        { "no such element", "login-form-missing" },
        { "no such frame", "login-form-missing" },
        { "no such shadow root", "login-form-missing" },
        { "detached shadow root", "login-form-missing" },
        { "stale element reference", "login-form-missing" },
        { "element not interactable", "login-form-missing" },
        { "element click intercepted", "login-form-missing" },
        { "element not selectable", "login-form-missing" },
        { "invalid element state", "login-form-missing" },
        { "move target out of bounds", "login-form-missing" },
        { "unexpected alert open", "login-form-missing" },
        /* What we were told to do cannot be done: the configuration. */
        { "invalid selector", "invalid-config" },
        { "invalid argument", "invalid-config" },
};

const char *classify_webdriver_error(const char *w3c_error) {
        if (!w3c_error)
                return "internal-error";
        for (size_t i = 0; i < ELEMENTSOF(webdriver_table); i++)
                if (streq(webdriver_table[i].error, w3c_error))
                        return webdriver_table[i].outcome;
        return "internal-error";
}

const char *classify_session_error(const char *w3c_error) {
        if (w3c_error && streq(w3c_error, "invalid argument"))
                return "invalid-config";
        return "webdriver-session-failed";
}

static const struct {
        const char *error;
        const char *outcome;
} browser_net_table[] = {
        { "ERR_NAME_NOT_RESOLVED", "partner-dns-not-found" },
        { "ERR_NAME_RESOLUTION_FAILED", "partner-dns-not-found" },
        { "ERR_CONNECTION_REFUSED", "partner-unreachable" },
        { "ERR_CONNECTION_RESET", "partner-unreachable" },
        { "ERR_CONNECTION_CLOSED", "partner-unreachable" },
        { "ERR_CONNECTION_FAILED", "partner-unreachable" },
        { "ERR_ADDRESS_UNREACHABLE", "partner-unreachable" },
        { "ERR_EMPTY_RESPONSE", "partner-unreachable" },
        { "ERR_CONNECTION_TIMED_OUT", "partner-timeout" },
        { "ERR_TIMED_OUT", "partner-timeout" },
        { "ERR_TOO_MANY_REDIRECTS", "redirect-loop" },
        { "ERR_SSL_PROTOCOL_ERROR", "tls-certificate-invalid" },
        { "ERR_SSL_VERSION_OR_CIPHER_MISMATCH", "tls-certificate-invalid" },
        { "ERR_BAD_SSL_CLIENT_AUTH_CERT", "tls-certificate-invalid" },
        { "ERR_INVALID_RESPONSE", "http-5xx" },
        { "ERR_RESPONSE_HEADERS_TOO_BIG", "http-5xx" },
        { "ERR_CONTENT_LENGTH_MISMATCH", "partner-unreachable" },
        /* Our side of the wire: the browser's host has no network. */
        { "ERR_INTERNET_DISCONNECTED", "egress-down" },
        { "ERR_NETWORK_CHANGED", "egress-down" },
        { "ERR_PROXY_CONNECTION_FAILED", "egress-down" },
        { "ERR_OUT_OF_MEMORY", "out-of-memory" },
        /* Ports Chromium refuses on principle, and URLs it cannot load. */
        { "ERR_UNSAFE_PORT", "invalid-config" },
        { "ERR_INVALID_URL", "invalid-config" },
        { "ERR_DISALLOWED_URL_SCHEME", "invalid-config" },
        { "ERR_UNKNOWN_URL_SCHEME", "invalid-config" },
};

const char *classify_browser_net_error(const char *net_error) {
        if (!net_error)
                return "partner-unreachable";
        if (strncmp(net_error, "net::", 5) == 0)
                net_error += 5;
        /* Every certificate problem is ERR_CERT_<what>. */
        if (strncmp(net_error, "ERR_CERT_", 9) == 0)
                return "tls-certificate-invalid";
        for (size_t i = 0; i < ELEMENTSOF(browser_net_table); i++)
                if (streq(browser_net_table[i].error, net_error))
                        return browser_net_table[i].outcome;
        return "partner-unreachable";
}

static const char *const failure_table[_CHECK_FAILURE_MAX] = {
        [CHECK_FAILURE_LOGIN_FORM_MISSING] = "login-form-missing",
        [CHECK_FAILURE_PAGE_UNPARSABLE] = "login-form-missing",
        [CHECK_FAILURE_LOGIN_REJECTED] = "login-rejected",
        [CHECK_FAILURE_MFA_REJECTED] = "login-rejected",
        [CHECK_FAILURE_SESSION_LOST] = "login-rejected",
        [CHECK_FAILURE_NO_IDP] = "sso-failed",
        [CHECK_FAILURE_SUCCESS_MARKER_MISSING] = "success-marker-missing",
        [CHECK_FAILURE_FAILURE_MARKER_PRESENT] = "failure-marker-present",
        [CHECK_FAILURE_CHECKOUT_FORM_MISSING] = "success-marker-missing",
        [CHECK_FAILURE_ASSERTION_FAILED] = "success-marker-missing",
        [CHECK_FAILURE_LOGIN_ASSERTION_FAILED] = "login-rejected",
        [CHECK_FAILURE_FORM_MISSING] = "login-form-missing",
        [CHECK_FAILURE_EXTRACTION_FAILED] = "success-marker-missing",
        [CHECK_FAILURE_NOT_SETTLED] = "redirect-loop",
        /* Not a login page any more: the partner's server is misbehaving. */
        [CHECK_FAILURE_PAGE_TOO_LARGE] = "http-5xx",
        /* A redirect or a form of the partner's aimed at our own network:
         * its own outcome, never blurred into sso-failed. */
        [CHECK_FAILURE_ADDRESS_REFUSED] = "address-refused",
        [CHECK_FAILURE_INVALID_CONFIG] = "invalid-config",
        [CHECK_FAILURE_MISSING_CREDENTIALS] = "missing-credentials",
        [CHECK_FAILURE_PAGE_TIMEOUT] = "partner-timeout",
        [CHECK_FAILURE_BROWSER_UNAVAILABLE] = "webdriver-session-failed",
        [CHECK_FAILURE_BROWSER_LOST] = "engine-crashed",
        [CHECK_FAILURE_OUT_OF_MEMORY] = "out-of-memory",
        [CHECK_FAILURE_INTERNAL] = "internal-error",
};

const char *classify_failure(CheckFailure f) {
        if ((unsigned) f >= _CHECK_FAILURE_MAX || !failure_table[f])
                return "internal-error";
        return failure_table[f];
}

const char *classify_login_status(long status) {
        if (status == 401 || status == 403)
                return "login-rejected";
        return classify_http_status(status);
}

const char *classify_sso_leg(const char *outcome) {
        if (pik_outcome_builtin_kind(outcome) != OUTCOME_KIND_PARTNER || streq(outcome, "partner-throttled") ||
            streq(outcome, "address-refused"))
                return outcome;
        return "sso-failed";
}

bool classify_is_network_level(const char *outcome) {
        return outcome && (streq(outcome, "partner-dns-not-found") || streq(outcome, "partner-unreachable") ||
                           streq(outcome, "partner-timeout"));
}

const char *classify_control(const char *outcome, ControlVerdict v) {
        if (!classify_is_network_level(outcome))
                return outcome;
        switch (v) {
        case CONTROL_DNS_FAILED:
                return "local-dns-failure";
        case CONTROL_EGRESS_FAILED:
                return "egress-down";
        default:
                return outcome;
        }
}

int classify_exit_status(const char *outcome) {
        switch (pik_outcome_builtin_kind(outcome)) {
        case OUTCOME_KIND_SUCCESS:
                return 0;
        case OUTCOME_KIND_PARTNER:
                return CHECK_EXIT_PARTNER;
        case OUTCOME_KIND_CONFIGURATION:
                return CHECK_EXIT_CONFIGURATION;
        default:
                return CHECK_EXIT_INFRASTRUCTURE;
        }
}
