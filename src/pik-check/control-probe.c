/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <curl/curl.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "build-config.h"
#include "control-probe.h"
#include "url-util.h"

#define CANARY_TIMEOUT_MS 5000L

DEFINE_TRIVIAL_CLEANUP_FUNC(CURL *, curl_easy_cleanup);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct curl_slist *, curl_slist_free_all);

static int probe_dns(const char *name, ControlVerdict *ret) {
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
        int k;

        k = getaddrinfo(name, NULL, &hints, &ai);
        if (k == EAI_MEMORY)
                return -ENOMEM;
        if (ai)
                freeaddrinfo(ai);
        *ret = k == 0 ? CONTROL_OK : CONTROL_DNS_FAILED;
        return 0;
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata) {
        return size * nmemb;
}

/* Any HTTP answer at all, or a TLS handshake that got that far, means our
 * egress works; a name that does not resolve is our resolver. */
static int probe_url(const CheckJob *job, const char *url, ControlVerdict *ret) {
        _cleanup_(curl_easy_cleanupp) CURL *c = NULL;
        _cleanup_(curl_slist_free_allp) struct curl_slist *resolve = NULL;
        CURLcode cc;

        c = curl_easy_init();
        if (!c)
                return -ENOMEM;
        for (char **h = job->resolve; h && *h; h++) {
                struct curl_slist *n = curl_slist_append(resolve, *h);
                if (!n)
                        return -ENOMEM;
                resolve = n;
        }
        if (curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_USERAGENT, job->user_agent ?: "pik/" PACKAGE_VERSION) != CURLE_OK ||
            (job->ca_file && curl_easy_setopt(c, CURLOPT_CAINFO, job->ca_file) != CURLE_OK) ||
            (resolve && curl_easy_setopt(c, CURLOPT_RESOLVE, resolve) != CURLE_OK))
                return -ENOMEM;
        (void) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        (void) curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, CANARY_TIMEOUT_MS);
        (void) curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        (void) curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);

        cc = curl_easy_perform(c);
        switch (cc) {
        case CURLE_OUT_OF_MEMORY:
                return -ENOMEM;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                *ret = CONTROL_DNS_FAILED;
                break;
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PROXY:
                *ret = CONTROL_EGRESS_FAILED;
                break;
        default:
                *ret = CONTROL_OK;
        }
        return 0;
}

int control_probe(const CheckJob *job, const char *outcome, ControlVerdict *ret, char *ret_what, size_t n) {
        bool dns = streq(outcome, "partner-dns-not-found");
        char red[256];
        int r;

        *ret = CONTROL_NOT_CONFIGURED;
        snprintf(ret_what, n, "no control probe configured");

        /* A name that does not resolve: is it our resolver? */
        if (dns && job->canary_dns && *job->canary_dns) {
                r = probe_dns(job->canary_dns, ret);
                if (r < 0)
                        return r;
                snprintf(ret_what, n, "control: canary name %s %s", job->canary_dns,
                         *ret == CONTROL_OK ? "resolves" : "does not resolve either");
                return 0;
        }
        /* Anything else network-level (or no DNS canary): our egress. */
        if (job->canary_url && *job->canary_url) {
                r = probe_url(job, job->canary_url, ret);
                if (r < 0)
                        return r;
                url_redact(job->canary_url, red, sizeof red);
                snprintf(ret_what, n, "control: canary %s %s", red,
                         *ret == CONTROL_OK ? "answers" :
                         *ret == CONTROL_DNS_FAILED ? "does not resolve either" : "is unreachable too");
        }
        return 0;
}
