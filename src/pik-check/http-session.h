/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine.h"

/* One browser session over libcurl: the browser's identity (user agent,
 * headers, HTTP version, CA bundle, name resolution overrides), cookies
 * in memory, and redirects followed here rather than by libcurl, so that
 * every hop is seen: its host (the SSO leg), its timings, and the cap.
 * One deadline (the job's timeout) covers the whole flow. No connection
 * goes to an internal address (internal-address.h) unless the job's
 * configuration names the host (its entry, product or checkout URL, or a
 * resolve entry), or a proxy from the environment makes the connections. */

typedef struct HttpSession HttpSession;

/* -EINVAL when the job's settings cannot be applied (none today: curl
 * checks them when it uses them), -ENOMEM. */
int http_session_new(const CheckJob *job, CheckResult *res, HttpSession **ret);
HttpSession *http_session_free(HttpSession *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(HttpSession *, http_session_free);

/* Origins that are the partner's own: a hop elsewhere, or one carrying an
 * SSO request (sso.h), is the identity provider's (or anyone's) leg. */
int http_session_add_home(HttpSession *s, const char *url);
bool http_session_is_home(HttpSession *s, const char *url);

typedef struct HttpRequest {
        const char *step;               /* the step's name, for timings and details */
        const char *method;             /* NULL: GET, or POST with a body */
        const char *url;
        const char *url_template;       /* a flow step's URL before {{…}} expanded: details show that */
        const char *body;               /* NULL: none */
        const char *content_type;       /* of the body; default: a form's */
        char *const *headers;           /* extra, "Name: value", NULL-terminated; may be NULL */
        const char *referer;            /* the page the request comes from */
} HttpRequest;

typedef struct HttpResponse {
        CURLcode curl_code;             /* not CURLE_OK: no complete answer (error says why) */
        char error[CURL_ERROR_SIZE];
        bool too_large;                 /* the body passed HTTP_BODY_MAX */
        bool address_refused;           /* the host resolved only to internal addresses (internal-address.h)
                                         * and the configuration does not name it; curl_code is
                                         * CURLE_COULDNT_CONNECT, error names the host and address */
        long status;
        char *url;                      /* the final page, or the one that failed */
        char *content_type;
        char *body;                     /* NUL-terminated */
        size_t size;
        int64_t retry_after_sec;
        unsigned hops;
        bool left_home;                 /* some hop went to the identity provider's leg (sso.h) */
        bool at_home;                   /* the final URL is the partner's */
        bool sso_returned;              /* some hop carried an SSO response (a SAMLResponse, a code) */
} HttpResponse;

#define HTTP_BODY_MAX (4U * 1024U * 1024U)

void http_response_done(HttpResponse *r);

/* Runs the request and the redirects that follow (up to the job's cap:
 * then curl_code is CURLE_TOO_MANY_REDIRECTS). Transfer failures are
 * reported in the response, not as errors: negative errno only when the
 * machinery failed (-ENOMEM, or -EIO for a libcurl call that must not
 * fail). */
int http_session_request(HttpSession *s, const HttpRequest *req, HttpResponse *ret);

/* Seconds left of the job's timeout. */
int64_t http_session_remaining_ms(HttpSession *s);
