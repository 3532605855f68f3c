/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>

#include "channel.h"
#include "db.h"
#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(CURL *, curl_easy_cleanup);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct curl_slist *, curl_slist_free_all);

/* The receiver's answer is not read: only its status counts. */
static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata) {
        return size * nmemb;
}

int channel_webhook(const Message *m, char **ret_error) {
        _cleanup_(curl_easy_cleanupp) CURL *c = NULL;
        _cleanup_(curl_slist_free_allp) struct curl_slist *headers = NULL;
        _cleanup_json_ json_object *payload = NULL;
        char errbuf[CURL_ERROR_SIZE] = "";
        const char *body;
        long status = 0;
        CURLcode cc;
        int r;

        r = message_alertmanager(m, &payload);
        if (r < 0)
                return r;
        body = json_object_to_json_string_ext(payload, JSON_C_TO_STRING_PLAIN);

        c = curl_easy_init();
        if (!c)
                return -ENOMEM;
        headers = curl_slist_append(NULL, "Content-Type: application/json");
        if (!headers)
                return -ENOMEM;
        /* No redirects: a POST that is sent elsewhere was not delivered. */
        if (curl_easy_setopt(c, CURLOPT_URL, m->target) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_TIMEOUT, (long) CHANNEL_TIMEOUT_SEC) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_USERAGENT, "pik-notify") != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK)
                return -ENOMEM;

        cc = curl_easy_perform(c);
        if (cc != CURLE_OK) {
                if (asprintf(ret_error, "POST to %s failed: %s", m->target, errbuf[0] ? errbuf : curl_easy_strerror(cc)) < 0)
                        *ret_error = NULL;
                return -EIO;
        }
        (void) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status > 299) {
                if (asprintf(ret_error, "POST to %s: HTTP status %ld", m->target, status) < 0)
                        *ret_error = NULL;
                return -EIO;
        }
        return 0;
}
