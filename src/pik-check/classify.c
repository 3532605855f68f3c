/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "classify.h"
#include "macro.h"
#include "outcome.h"

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
