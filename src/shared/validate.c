/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <curl/curl.h>
#include <errno.h>
#include <string.h>

#include "string-util.h"
#include "validate.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(CURLU *, curl_url_cleanup);

static const char *text_problem(int r) {
        switch (r) {
        case -E2BIG:
                return "too long";
        case -EILSEQ:
                return "not valid UTF-8";
        default:
                return "contains control characters";
        }
}

int pik_validate_code(PikDb *db, const char *what, const char *code) {
        if (!code || !*code)
                return pik_db_set_error(db, -EINVAL, "%s is empty", what);
        if (!code_is_valid(code)) {
                if (text_validate(code, PIK_CODE_MAX) < 0)
                        return pik_db_set_error(db, -EINVAL,
                                                "%s is invalid: at most %d characters of a-z, 0-9, '.', '_' and '-', "
                                                "starting with a letter or digit",
                                                what, PIK_CODE_MAX);
                return pik_db_set_error(db, -EINVAL,
                                        "%s '%s' is invalid: use a-z, 0-9, '.', '_' and '-', starting with a letter or digit",
                                        what, code);
        }
        return 0;
}

int pik_validate_text(PikDb *db, const char *what, const char *text, size_t max, bool optional) {
        int r;

        if (!text || !*text) {
                if (optional)
                        return 0;
                return pik_db_set_error(db, -EINVAL, "%s is empty", what);
        }
        r = text_validate(text, max);
        if (r < 0)
                return pik_db_set_error(db, -EINVAL, "%s is %s (at most %zu bytes of UTF-8 text)",
                                        what, text_problem(r), max);
        return 0;
}

int pik_validate_url(PikDb *db, const char *what, const char *url, bool optional) {
        _cleanup_(curl_url_cleanupp) CURLU *u = NULL;
        char *scheme = NULL, *host = NULL;
        int r;

        if (!url || !*url) {
                if (optional)
                        return 0;
                return pik_db_set_error(db, -EINVAL, "%s is empty", what);
        }
        r = text_validate(url, PIK_URL_MAX);
        if (r < 0)
                return pik_db_set_error(db, -EINVAL, "%s is %s (at most %d bytes)", what, text_problem(r), PIK_URL_MAX);
        if (strchr(url, ' '))
                return pik_db_set_error(db, -EINVAL, "%s '%s' contains a space", what, url);

        /* libcurl's own parser: the URL is later handed to libcurl, so this
         * is the one that has to agree. */
        u = curl_url();
        if (!u)
                return -ENOMEM;
        if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
                return pik_db_set_error(db, -EINVAL, "%s '%s' is not a valid URL", what, url);
        if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
            (!streq(scheme, "http") && !streq(scheme, "https"))) {
                curl_free(scheme);
                return pik_db_set_error(db, -EINVAL, "%s '%s' must be an http:// or https:// URL", what, url);
        }
        curl_free(scheme);
        if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host || !*host) {
                curl_free(host);
                return pik_db_set_error(db, -EINVAL, "%s '%s' has no host", what, url);
        }
        curl_free(host);
        return 0;
}

int pik_validate_reason(PikDb *db, bool enabled, const char *reason) {
        if (enabled)
                return 0;
        if (!reason || !*reason)
                return pik_db_set_error(db, -EINVAL, "disabling needs a reason (--reason TEXT)");
        return pik_validate_text(db, "reason", reason, PIK_TEXT_MAX, false);
}
