/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "macro.h"
#include "url-util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(CURLU *, curl_url_cleanup);

static int curlu_errno(CURLUcode uc) {
        return uc == CURLUE_OUT_OF_MEMORY ? -ENOMEM : -EINVAL;
}

static bool is_http(CURLU *u) {
        _cleanup_free_ char *scheme = NULL;

        if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
                return false;
        return strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0;
}

static void curl_freep(char **p) {
        curl_free(*p);
}

int url_resolve(const char *base, const char *rel, char **ret) {
        _cleanup_(curl_url_cleanupp) CURLU *u = NULL;
        _cleanup_free_ char *trimmed = NULL;
        char *s = NULL;
        CURLUcode uc;
        size_t n;

        u = curl_url();
        if (!u)
                return -ENOMEM;
        uc = curl_url_set(u, CURLUPART_URL, base, 0);
        if (uc != CURLUE_OK)
                return curlu_errno(uc);

        /* HTML strips ASCII whitespace around URL attributes. */
        while (*rel == ' ' || *rel == '\t' || *rel == '\n' || *rel == '\r' || *rel == '\f')
                rel++;
        n = strlen(rel);
        while (n > 0 && strchr(" \t\n\r\f", rel[n - 1]))
                n--;
        trimmed = strndup(rel, n);
        if (!trimmed)
                return -ENOMEM;

        if (*trimmed) {
                /* Spaces and other characters browsers escape on the fly. */
                uc = curl_url_set(u, CURLUPART_URL, trimmed, CURLU_URLENCODE);
                if (uc != CURLUE_OK)
                        return curlu_errno(uc);
        }
        if (!is_http(u))
                return -EINVAL;
        (void) curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
        uc = curl_url_get(u, CURLUPART_URL, &s, 0);
        if (uc != CURLUE_OK)
                return curlu_errno(uc);
        *ret = strdup(s);
        curl_free(s);
        return *ret ? 0 : -ENOMEM;
}

static int url_part(const char *url, CURLUPart part, char **ret) {
        _cleanup_(curl_url_cleanupp) CURLU *u = NULL;
        _cleanup_(curl_freep) char *s = NULL;
        CURLUcode uc;

        u = curl_url();
        if (!u)
                return -ENOMEM;
        uc = curl_url_set(u, CURLUPART_URL, url, 0);
        if (uc != CURLUE_OK)
                return curlu_errno(uc);
        if (!is_http(u))
                return -EINVAL;
        uc = curl_url_get(u, part, &s, 0);
        if (uc != CURLUE_OK)
                return curlu_errno(uc);
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

int url_host(const char *url, char **ret) {
        char *h;
        int r;

        r = url_part(url, CURLUPART_HOST, &h);
        if (r < 0)
                return r;
        for (char *p = h; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        *p = (char) (*p - 'A' + 'a');
        *ret = h;
        return 0;
}

int url_origin(const char *url, char **ret) {
        _cleanup_(curl_url_cleanupp) CURLU *u = NULL;
        _cleanup_(curl_freep) char *s = NULL;
        CURLUcode uc;

        u = curl_url();
        if (!u)
                return -ENOMEM;
        uc = curl_url_set(u, CURLUPART_URL, url, 0);
        if (uc != CURLUE_OK)
                return curlu_errno(uc);
        if (!is_http(u))
                return -EINVAL;
        if (curl_url_set(u, CURLUPART_PATH, "/", 0) != CURLUE_OK ||
            curl_url_set(u, CURLUPART_QUERY, NULL, 0) != CURLUE_OK ||
            curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
            curl_url_set(u, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
            curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK)
                return -ENOMEM;
        /* Serialised as browsers compare origins: no default port, the
         * host in lower case. */
        uc = curl_url_get(u, CURLUPART_URL, &s, CURLU_NO_DEFAULT_PORT);
        if (uc != CURLUE_OK)
                return curlu_errno(uc);
        size_t n = strlen(s);
        if (n > 0 && s[n - 1] == '/')
                s[n - 1] = 0;
        for (char *p = s; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        *p = (char) (*p - 'A' + 'a');
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

void url_redact(const char *url, char *ret, size_t n) {
        _cleanup_(curl_url_cleanupp) CURLU *u = NULL;
        _cleanup_(curl_freep) char *s = NULL;

        if (n == 0)
                return;
        u = curl_url();
        if (!u || !url || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
            curl_url_set(u, CURLUPART_QUERY, NULL, 0) != CURLUE_OK ||
            curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
            curl_url_set(u, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
            curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK) {
                snprintf(ret, n, "(invalid URL)");
                return;
        }
        snprintf(ret, n, "%s", s);
}

/* scheme, host and port (the scheme's default if none) of an http(s) URL. */
static int origin_parts(CURLU *u, const char *url, char **scheme, char **host, char **port) {
        CURLUcode uc;

        uc = curl_url_set(u, CURLUPART_URL, url, 0);
        if (uc != CURLUE_OK)
                return curlu_errno(uc);
        if (!is_http(u))
                return -EINVAL;
        if ((uc = curl_url_get(u, CURLUPART_SCHEME, scheme, 0)) != CURLUE_OK ||
            (uc = curl_url_get(u, CURLUPART_HOST, host, 0)) != CURLUE_OK ||
            (uc = curl_url_get(u, CURLUPART_PORT, port, CURLU_DEFAULT_PORT)) != CURLUE_OK)
                return curlu_errno(uc);
        return 0;
}

void url_redact_template(const char *template, char *ret, size_t n) {
        if (n == 0)
                return;
        snprintf(ret, n, "%.*s", (int) strcspn(template, "?#"), template);
}

int url_referrer(const char *from, const char *to, char **ret) {
        _cleanup_(curl_url_cleanupp) CURLU *f = NULL, *t = NULL;
        _cleanup_(curl_freep) char *fs = NULL, *fh = NULL, *fp = NULL, *ts = NULL, *th = NULL, *tp = NULL,
                                   *s = NULL;
        bool same;
        int r;

        *ret = NULL;
        if (!from || !to)
                return 0;
        f = curl_url();
        t = curl_url();
        if (!f || !t)
                return -ENOMEM;
        r = origin_parts(f, from, &fs, &fh, &fp);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;
        r = origin_parts(t, to, &ts, &th, &tp);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;

        /* A downgrade reveals nothing, not even the origin. */
        if (strcasecmp(fs, "https") == 0 && strcasecmp(ts, "http") == 0)
                return 0;
        same = strcasecmp(fs, ts) == 0 && strcasecmp(fh, th) == 0 && streq(fp, tp);
        if (curl_url_set(f, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
            curl_url_set(f, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
            curl_url_set(f, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK)
                return -ENOMEM;
        /* Another origin learns where we come from, not what the page's
         * path or query held (a GET form's fields, OAuth's code). */
        if (!same && (curl_url_set(f, CURLUPART_PATH, "/", 0) != CURLUE_OK ||
                      curl_url_set(f, CURLUPART_QUERY, NULL, 0) != CURLUE_OK))
                return -ENOMEM;
        if (curl_url_get(f, CURLUPART_URL, &s, 0) != CURLUE_OK)
                return -ENOMEM;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}
