/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "build-config.h"
#include "http-session.h"
#include "internal-address.h"
#include "sso.h"
#include "url-util.h"

#define HOMES_MAX 8
#define NAMED_MAX 32

struct HttpSession {
        CURL *curl;
        const CheckJob *job;
        CheckResult *res;
        struct curl_slist *base_headers;
        struct curl_slist *resolve;
        char *homes[HOMES_MAX + 1];     /* origins, NULL-terminated */
        size_t n_homes;
        /* Hosts the job's configuration names (entry, product and checkout
         * URLs, resolve entries): only these may be internal addresses. */
        char *named[NAMED_MAX];
        size_t n_named;
        bool via_proxy;
        bool host_named;                /* the current request's host is one */
        char refused[INET6_ADDRSTRLEN]; /* the address the current request was refused */
        struct timespec deadline;
        /* The flow's sums, exact in µs (the result keeps ms). */
        int64_t dns_us, connect_us, tls_us, ttfb_us, total_us;
};

DEFINE_TRIVIAL_CLEANUP_FUNC(struct curl_slist *, curl_slist_free_all);

HttpSession *http_session_free(HttpSession *s) {
        if (!s)
                return NULL;
        if (s->curl)
                curl_easy_cleanup(s->curl);
        curl_slist_free_all(s->base_headers);
        curl_slist_free_all(s->resolve);
        for (size_t i = 0; i < s->n_homes; i++)
                free(s->homes[i]);
        for (size_t i = 0; i < s->n_named; i++)
                free(s->named[i]);
        free(s);
        return NULL;
}

static size_t body_write(char *ptr, size_t size, size_t nmemb, void *userdata) {
        HttpResponse *r = userdata;
        size_t n = size * nmemb;
        char *p;

        if (r->size + n > HTTP_BODY_MAX) {
                r->too_large = true;
                return 0;       /* makes curl fail with CURLE_WRITE_ERROR */
        }
        p = realloc(r->body, r->size + n + 1);
        if (!p)
                return 0;
        memcpy(p + r->size, ptr, n);
        r->size += n;
        p[r->size] = 0;
        r->body = p;
        return n;
}

static int slist_add(struct curl_slist **l, const char *s) {
        struct curl_slist *n = curl_slist_append(*l, s);
        if (!n)
                return -ENOMEM;
        *l = n;
        return 0;
}

static int add_named(HttpSession *s, char *host) {
        if (!host)
                return -ENOMEM;
        for (char *p = host; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        *p = (char) (*p - 'A' + 'a');
        if (s->n_named >= NAMED_MAX || !*host) {
                free(host);
                return 0;
        }
        s->named[s->n_named++] = host;
        return 0;
}

/* The hosts the configuration names. A resolve entry is curl's
 * "[+-]host:port:address…" ("[v6]" for an IPv6 literal). */
static int collect_named(HttpSession *s, const CheckJob *job) {
        const char *urls[] = { job->entry_url, job->product_url, job->checkout_url };
        char *h;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(urls); i++)
                if (urls[i] && url_host(urls[i], &h) >= 0) {
                        r = add_named(s, h);
                        if (r < 0)
                                return r;
                }
        for (char **e = job->resolve; e && *e; e++) {
                const char *p = *e + strspn(*e, "+-");
                size_t n = *p == '[' ? strcspn(p, "]") + 1 : strcspn(p, ":");

                r = add_named(s, strndup(p, MIN(n, strlen(p))));
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool is_named(HttpSession *s, const char *url) {
        _cleanup_free_ char *h = NULL;

        if (url_host(url, &h) < 0)
                return false;
        for (size_t i = 0; i < s->n_named; i++)
                if (streq(s->named[i], h))
                        return true;
        return false;
}

/* Every connection libcurl makes for a request goes through here with the
 * address it resolved: a name that points at 127.0.0.1 is caught as well
 * as a literal. Refused before connecting: libcurl tries the host's next
 * address, or fails with CURLE_COULDNT_CONNECT. */
static curl_socket_t open_socket(void *userdata, curlsocktype purpose, struct curl_sockaddr *a) {
        HttpSession *s = userdata;

        if (purpose == CURLSOCKTYPE_IPCXN && !s->host_named && !s->via_proxy &&
            internal_address(&a->addr, a->addrlen)) {
                const void *bytes = a->family == AF_INET6 ? (const void *) &((struct sockaddr_in6 *) &a->addr)->sin6_addr :
                                                            (const void *) &((struct sockaddr_in *) &a->addr)->sin_addr;
                if (!inet_ntop(a->family, bytes, s->refused, sizeof s->refused))
                        snprintf(s->refused, sizeof s->refused, "(address family %d)", a->family);
                return CURL_SOCKET_BAD;
        }
        return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* A proxy from the unit's environment is the operator's: it connects to
 * the partner, not we, and its address is no partner's doing. */
static bool proxy_configured(void) {
        static const char *const vars[] = { "http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY" };

        for (size_t i = 0; i < ELEMENTSOF(vars); i++) {
                const char *v = getenv(vars[i]);
                if (v && *v)
                        return true;
        }
        return false;
}

#define SETOPT(c, opt, val)                                             \
        do {                                                            \
                CURLcode _cc = curl_easy_setopt((c), (opt), (val));     \
                if (_cc != CURLE_OK)                                    \
                        return _cc == CURLE_OUT_OF_MEMORY ? -ENOMEM : -EIO; \
        } while (0)

int http_session_new(const CheckJob *job, CheckResult *res, HttpSession **ret) {
        _cleanup_(http_session_freep) HttpSession *s = NULL;
        CURL *c;

        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->job = job;
        s->res = res;
        s->curl = c = curl_easy_init();
        if (!c)
                return -ENOMEM;

        clock_gettime(CLOCK_MONOTONIC, &s->deadline);
        s->deadline.tv_sec += job->timeout_sec > 0 ? job->timeout_sec : 30;

        for (char **h = job->headers; h && *h; h++)
                if (slist_add(&s->base_headers, *h) < 0)
                        return -ENOMEM;
        for (char **h = job->resolve; h && *h; h++)
                if (slist_add(&s->resolve, *h) < 0)
                        return -ENOMEM;
        if (collect_named(s, job) < 0)
                return -ENOMEM;
        s->via_proxy = proxy_configured();

        SETOPT(c, CURLOPT_FOLLOWLOCATION, 0L);
        SETOPT(c, CURLOPT_PROTOCOLS_STR, "http,https");
        SETOPT(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        SETOPT(c, CURLOPT_USERAGENT, job->user_agent ?: "pik/" PACKAGE_VERSION);
        SETOPT(c, CURLOPT_ACCEPT_ENCODING, "");
        SETOPT(c, CURLOPT_COOKIEFILE, "");              /* cookies in memory, for the whole flow */
        SETOPT(c, CURLOPT_NOSIGNAL, 1L);
        SETOPT(c, CURLOPT_WRITEFUNCTION, body_write);
        SETOPT(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
        SETOPT(c, CURLOPT_OPENSOCKETDATA, s);
        if (s->resolve)
                SETOPT(c, CURLOPT_RESOLVE, s->resolve);
        if (job->ca_file) {
                /* This browser's CA bundle instead of the system's. */
                SETOPT(c, CURLOPT_CAINFO, job->ca_file);
                SETOPT(c, CURLOPT_CAPATH, NULL);
        }
        if (job->http_version && streq(job->http_version, "1.1"))
                SETOPT(c, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_1_1);
        else if (job->http_version && streq(job->http_version, "2"))
                SETOPT(c, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_2TLS);

        *ret = TAKE_PTR(s);
        return 0;
}

int http_session_add_home(HttpSession *s, const char *url) {
        char *h;
        int r;

        if (s->n_homes >= HOMES_MAX)
                return 0;
        r = url_origin(url, &h);
        if (r < 0)
                return r;
        for (size_t i = 0; i < s->n_homes; i++)
                if (streq(s->homes[i], h)) {
                        free(h);
                        return 0;
                }
        s->homes[s->n_homes++] = h;
        return 0;
}

bool http_session_is_home(HttpSession *s, const char *url) {
        /* Not a URL we could go to: nobody's leg. */
        return !sso_is_idp_leg(s->homes, url);
}

int64_t http_session_remaining_ms(HttpSession *s) {
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        return (int64_t) (s->deadline.tv_sec - now.tv_sec) * 1000 + (s->deadline.tv_nsec - now.tv_nsec) / 1000000;
}

void http_response_done(HttpResponse *r) {
        free(r->url);
        free(r->content_type);
        free(r->body);
        *r = (HttpResponse) {};
}

static CheckStep *step_begin(HttpSession *s, const char *name) {
        CheckResult *res = s->res;
        CheckStep *st;

        if (res->n_steps >= CHECK_STEPS_MAX)
                return NULL;
        st = &res->steps[res->n_steps++];
        *st = (CheckStep) {};
        snprintf(st->name, sizeof st->name, "%s", name ?: "request");
        return st;
}

/* libcurl's times are cumulative from the start of each transfer; a step
 * keeps each phase's own duration, summed over its requests. */
static void account(HttpSession *s, CheckStep *st) {
        curl_off_t dns = 0, connect = 0, tls = 0, ttfb = 0, total = 0;
        int64_t d_dns, d_connect, d_tls;
        CURL *c = s->curl;

        curl_easy_getinfo(c, CURLINFO_NAMELOOKUP_TIME_T, &dns);
        curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connect);
        curl_easy_getinfo(c, CURLINFO_APPCONNECT_TIME_T, &tls);
        curl_easy_getinfo(c, CURLINFO_STARTTRANSFER_TIME_T, &ttfb);
        curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &total);

        d_dns = dns;
        d_connect = connect > dns ? connect - dns : 0;
        d_tls = tls > connect ? tls - connect : 0;
        /* A reused connection has neither name lookup nor connect. */
        if (st) {
                st->requests++;
                st->dns_us += d_dns;
                st->connect_us += d_connect;
                st->tls_us += d_tls;
                st->ttfb_us += ttfb;
                st->total_us += total;
        }
        s->dns_us += d_dns;
        s->connect_us += d_connect;
        s->tls_us += d_tls;
        s->ttfb_us += ttfb;
        s->total_us += total;
        s->res->dns_ms = s->dns_us / 1000;
        s->res->connect_ms = s->connect_us / 1000;
        s->res->tls_ms = s->tls_us / 1000;
        s->res->ttfb_ms = s->ttfb_us / 1000;
        s->res->total_ms = s->total_us / 1000;
        s->res->network_us = s->total_us;
}

static bool method_is(const char *m, const char *want) {
        return m && strcasecmp(m, want) == 0;
}

static int prepare(HttpSession *s, const char *method, const char *url, const HttpRequest *req, bool with_body,
                   struct curl_slist **headers, HttpResponse *resp) {
        _cleanup_free_ char *referer = NULL;
        CURL *c = s->curl;
        int64_t left = http_session_remaining_ms(s);

        /* Per hop: a redirect to another origin gets the origin only. */
        if (url_referrer(req->referer, url, &referer) < 0)
                return -ENOMEM;
        SETOPT(c, CURLOPT_URL, url);
        SETOPT(c, CURLOPT_WRITEDATA, resp);
        SETOPT(c, CURLOPT_ERRORBUFFER, resp->error);
        SETOPT(c, CURLOPT_TIMEOUT_MS, (long) MAX(left, 1));
        SETOPT(c, CURLOPT_CONNECTTIMEOUT_MS, (long) MIN(MAX(left, 1), 30000));
        SETOPT(c, CURLOPT_REFERER, referer);
        SETOPT(c, CURLOPT_CUSTOMREQUEST, NULL);
        SETOPT(c, CURLOPT_NOBODY, 0L);

        for (struct curl_slist *h = s->base_headers; h; h = h->next)
                if (slist_add(headers, h->data) < 0)
                        return -ENOMEM;
        for (char *const *h = req->headers; h && *h; h++)
                if (slist_add(headers, *h) < 0)
                        return -ENOMEM;

        if (method_is(method, "HEAD"))
                SETOPT(c, CURLOPT_NOBODY, 1L);
        else if (with_body) {
                char ct[256];

                SETOPT(c, CURLOPT_POST, 1L);
                SETOPT(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen(req->body));
                SETOPT(c, CURLOPT_POSTFIELDS, req->body);
                snprintf(ct, sizeof ct, "Content-Type: %s",
                         req->content_type ?: "application/x-www-form-urlencoded");
                if (slist_add(headers, ct) < 0)
                        return -ENOMEM;
                if (!method_is(method, "POST"))
                        SETOPT(c, CURLOPT_CUSTOMREQUEST, method);
        } else {
                SETOPT(c, CURLOPT_HTTPGET, 1L);
                if (method && !method_is(method, "GET"))
                        SETOPT(c, CURLOPT_CUSTOMREQUEST, method);
        }
        SETOPT(c, CURLOPT_HTTPHEADER, *headers);
        return 0;
}

int http_session_request(HttpSession *s, const HttpRequest *req, HttpResponse *ret) {
        _cleanup_free_ char *url = NULL;
        const char *method = req->method ?: (req->body ? "POST" : "GET");
        bool with_body = req->body != NULL;
        CheckStep *st = step_begin(s, req->step);
        HttpResponse *r = ret;
        int k;

        *r = (HttpResponse) { .at_home = true };
        url = strdup(req->url);
        if (!url)
                return -ENOMEM;

        for (;;) {
                _cleanup_(curl_slist_free_allp) struct curl_slist *headers = NULL;
                char *location = NULL, *ct = NULL;
                curl_off_t retry_after = 0;
                CURLcode cc;

                free(r->body);
                r->body = NULL;
                r->size = 0;
                r->error[0] = 0;
                r->hops++;
                if (!http_session_is_home(s, url) || (r->hops == 1 && sso_shape_of_form(req->body) == SSO_SHAPE_REQUEST))
                        r->left_home = true;
                if (sso_shape_of_url(url) == SSO_SHAPE_RESPONSE ||
                    (r->hops == 1 && sso_shape_of_form(req->body) == SSO_SHAPE_RESPONSE))
                        r->sso_returned = true;
                free(r->url);
                r->url = strdup(url);
                if (!r->url)
                        return -ENOMEM;

                if (http_session_remaining_ms(s) <= 0) {
                        r->curl_code = CURLE_OPERATION_TIMEDOUT;
                        snprintf(r->error, sizeof r->error, "the check's timeout of %u s ran out",
                                 s->job->timeout_sec);
                        break;
                }

                k = prepare(s, method, url, req, with_body, &headers, r);
                if (k < 0)
                        return k;
                s->host_named = is_named(s, url);
                s->refused[0] = 0;
                cc = curl_easy_perform(s->curl);
                account(s, st);
                /* Nothing may keep pointing at the request's headers, or
                 * at this response once it is the caller's. */
                (void) curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, NULL);
                (void) curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, NULL);

                if (cc != CURLE_OK) {
                        r->curl_code = cc;
                        if (cc == CURLE_COULDNT_CONNECT && s->refused[0]) {
                                _cleanup_free_ char *host = NULL;
                                r->address_refused = true;
                                (void) url_host(url, &host);
                                snprintf(r->error, sizeof r->error,
                                         "refused to connect to %s at %s: an internal address the configuration "
                                         "does not name", host ?: "(unknown host)", s->refused);
                        }
                        if (!r->error[0])
                                snprintf(r->error, sizeof r->error, "%s", curl_easy_strerror(cc));
                        if (cc == CURLE_WRITE_ERROR && !r->too_large)
                                return -ENOMEM;         /* our write callback's realloc() */
                        break;
                }

                curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &r->status);
                if (st)
                        st->http_status = r->status;
                if (curl_easy_getinfo(s->curl, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
                        r->retry_after_sec = (int64_t) retry_after;
                free(r->content_type);
                r->content_type = NULL;
                if (curl_easy_getinfo(s->curl, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct) {
                        r->content_type = strdup(ct);
                        if (!r->content_type)
                                return -ENOMEM;
                }

                if (r->status < 300 || r->status > 399 ||
                    curl_easy_getinfo(s->curl, CURLINFO_REDIRECT_URL, &location) != CURLE_OK || !location)
                        break;

                if (r->hops > s->job->max_redirects) {
                        r->curl_code = CURLE_TOO_MANY_REDIRECTS;
                        snprintf(r->error, sizeof r->error, "more than %u redirects", s->job->max_redirects);
                        break;
                }
                free(url);
                url = strdup(location);
                if (!url)
                        return -ENOMEM;
                /* What browsers do: 303 always, and 301/302 after a POST,
                 * turn into a GET; 307 and 308 repeat the request. */
                if (r->status == 303 || ((r->status == 301 || r->status == 302) && method_is(method, "POST"))) {
                        if (!method_is(method, "HEAD"))
                                method = "GET";
                        with_body = false;
                }
        }

        r->at_home = http_session_is_home(s, r->url);
        if (!r->body) {
                r->body = strdup("");
                if (!r->body)
                        return -ENOMEM;
        }
        return 0;
}
