/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The http engine, first cut: open the entry page (following redirects up
 * to the cap) and judge it by its status and the configured markers. The
 * login flows (forms, tokens, SSO hops) build on this. */

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "build-config.h"
#include "engine.h"

/* A page larger than this is not a login page; stop reading (curl's
 * "toobig" habit). */
#define BODY_MAX (4U * 1024U * 1024U)

typedef struct Body {
        char *data;
        size_t size;
        bool truncated;
} Body;

DEFINE_TRIVIAL_CLEANUP_FUNC(CURL *, curl_easy_cleanup);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct curl_slist *, curl_slist_free_all);

static size_t body_write(char *ptr, size_t size, size_t nmemb, void *userdata) {
        Body *b = userdata;
        size_t n = size * nmemb;

        if (b->size + n > BODY_MAX) {
                b->truncated = true;
                return 0;   /* makes curl fail with CURLE_WRITE_ERROR */
        }
        char *p = realloc(b->data, b->size + n + 1);
        if (!p)
                return 0;
        memcpy(p + b->size, ptr, n);
        b->size += n;
        p[b->size] = 0;
        b->data = p;
        return n;
}

static int64_t us_to_ms(curl_off_t us) {
        return us < 0 ? -1 : (int64_t) (us / 1000);
}

static void fill_timings(CURL *c, CheckResult *res) {
        curl_off_t dns = -1, connect = -1, tls = -1, ttfb = -1, total = -1;

        /* libcurl's times are cumulative from the start of the transfer;
         * the result keeps each phase's own duration. */
        curl_easy_getinfo(c, CURLINFO_NAMELOOKUP_TIME_T, &dns);
        curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connect);
        curl_easy_getinfo(c, CURLINFO_APPCONNECT_TIME_T, &tls);
        curl_easy_getinfo(c, CURLINFO_STARTTRANSFER_TIME_T, &ttfb);
        curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &total);

        res->dns_ms = us_to_ms(dns);
        res->connect_ms = connect >= dns ? us_to_ms(connect - dns) : -1;
        res->tls_ms = tls > 0 && tls >= connect ? us_to_ms(tls - connect) : (tls == 0 ? 0 : -1);
        res->ttfb_ms = us_to_ms(ttfb);
        res->total_ms = us_to_ms(total);
}

static int http_run(const CheckJob *job, CheckProgressFn progress, void *userdata, CheckResult *res) {
        _cleanup_(curl_easy_cleanupp) CURL *c = NULL;
        char errbuf[CURL_ERROR_SIZE] = "";
        Body body = {};
        long status = 0;
        CURLcode cc;

        c = curl_easy_init();
        if (!c) {
                res->outcome = "out-of-memory";
                return -ENOMEM;
        }

        curl_easy_setopt(c, CURLOPT_URL, job->entry_url);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long) job->max_redirects);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, (long) job->timeout_sec);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long) MIN(job->timeout_sec, 30U));
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_USERAGENT, job->user_agent ?: "pik/" PACKAGE_VERSION);
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
        curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");          /* cookies in memory, across redirects */
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_write);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
        if (job->http_version && streq(job->http_version, "1.1"))
                curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_1_1);
        else if (job->http_version && streq(job->http_version, "2"))
                curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_2TLS);

        progress(userdata, 1, 2, "opening the entry page");
        cc = curl_easy_perform(c);
        fill_timings(c, res);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        res->http_status = status;

        if (cc != CURLE_OK) {
                if (cc == CURLE_WRITE_ERROR && body.truncated) {
                        res->outcome = "http-5xx";
                        snprintf(res->details, sizeof res->details, "entry page larger than %u bytes", BODY_MAX);
                } else {
                        res->outcome = classify_curl_error(cc);
                        snprintf(res->details, sizeof res->details, "%s", *errbuf ? errbuf : curl_easy_strerror(cc));
                }
                free(body.data);
                return 0;
        }

        progress(userdata, 2, 2, "matching the page's markers");
        const char *bad = classify_http_status(status);
        if (bad) {
                curl_off_t retry_after = 0;

                res->outcome = bad;
                if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
                        res->retry_after_sec = (int64_t) retry_after;
                snprintf(res->details, sizeof res->details, "HTTP %ld", status);
        } else if (job->failure_marker && body.data && strstr(body.data, job->failure_marker)) {
                res->outcome = "failure-marker-present";
                snprintf(res->details, sizeof res->details, "failure marker found (HTTP %ld)", status);
        } else if (job->success_marker && !(body.data && strstr(body.data, job->success_marker))) {
                res->outcome = "success-marker-missing";
                snprintf(res->details, sizeof res->details, "success marker not found (HTTP %ld, %zu bytes)",
                         status, body.size);
        } else {
                res->outcome = "success";
                snprintf(res->details, sizeof res->details, "HTTP %ld", status);
        }

        free(body.data);
        return 0;
}

const CheckEngine engine_http = {
        .name = "http",
        .run = http_run,
};
