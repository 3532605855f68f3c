/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <curl/curl.h>
#include <json-c/json.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flow-spec.h"
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

int pik_validate_xpath(PikDb *db, const char *what, const char *xpath) {
        int r;

        r = pik_validate_text(db, what, xpath, PIK_TEXT_MAX, false);
        if (r < 0)
                return r;
        if (!pik_xpath_compiles(xpath))
                return pik_db_set_error(db, -EINVAL, "%s '%s' is not a valid XPath 1.0 expression", what, xpath);
        return 0;
}

int pik_validate_field_name(PikDb *db, const char *what, const char *name) {
        int r = pik_validate_text(db, what, name, 128, false);
        if (r < 0)
                return r;
        if (strpbrk(name, " \t"))
                return pik_db_set_error(db, -EINVAL, "%s '%s' contains a blank", what, name);
        return 0;
}

int pik_validate_path(PikDb *db, const char *what, const char *path) {
        int r = pik_validate_text(db, what, path, 4096, false);
        if (r < 0)
                return r;
        if (path[0] != '/' || strstr(path, "/../") || (strlen(path) >= 3 && streq(path + strlen(path) - 3, "/..")))
                return pik_db_set_error(db, -EINVAL, "%s '%s' must be an absolute path", what, path);
        return 0;
}

int pik_validate_flow(PikDb *db, const char *flow) {
        _cleanup_(flow_freep) Flow *f = NULL;
        char error[256];
        int r;

        if (!flow)
                return 0;
        if (strnlen(flow, PIK_FLOW_MAX + 1) > PIK_FLOW_MAX)
                return pik_db_set_error(db, -EINVAL, "flow is larger than %d bytes", PIK_FLOW_MAX);
        if (!utf8_is_valid(flow))
                return pik_db_set_error(db, -EINVAL, "flow is not valid UTF-8");

        /* The parser pik-check runs the flow with: what passes here runs,
         * and its regexes are the bounded ones pik-check compiles. */
        r = flow_parse(flow, &f, error, sizeof error);
        if (r == -EINVAL)
                return pik_db_set_error(db, -EINVAL, "%s", error);
        return r;
}

typedef int (*LineCheck)(PikDb *db, const char *line);

static int lines_to_json(PikDb *db, const char *what, const char *lines, size_t max, LineCheck check, char **ret) {
        _cleanup_(json_object_putp) json_object *a = NULL;
        _cleanup_free_ char *copy = NULL;
        char *save = NULL;
        size_t n = 0;
        int r;

        if (!lines || !*lines) {
                *ret = NULL;
                return 0;
        }
        copy = strdup(lines);
        a = json_object_new_array();
        if (!copy || !a)
                return -ENOMEM;
        for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                if (++n > max)
                        return pik_db_set_error(db, -EINVAL, "at most %zu %s", max, what);
                r = pik_validate_text(db, what, l, PIK_TEXT_MAX, false);
                if (r < 0)
                        return r;
                r = check(db, l);
                if (r < 0)
                        return r;
                if (json_object_array_add(a, json_object_new_string(l)) < 0)
                        return -ENOMEM;
        }
        *ret = strdup(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        return *ret ? 0 : -ENOMEM;
}

static int check_header(PikDb *db, const char *l) {
        const char *colon = strchr(l, ':');

        if (!colon || colon == l)
                return pik_db_set_error(db, -EINVAL, "header '%s' must be 'Name: value'", l);
        /* RFC 9110 token characters in the name. */
        for (const char *p = l; p < colon; p++)
                if (!strchr("!#$%&'*+-.^_`|~", *p) &&
                    !((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
                        return pik_db_set_error(db, -EINVAL, "header name in '%s' is not an HTTP token", l);
        return 0;
}

static int check_resolve(PikDb *db, const char *l) {
        const char *a = strchr(l, ':'), *b = a ? strchr(a + 1, ':') : NULL;
        char *e;
        long port;

        if (!a || a == l || !b || !b[1])
                return pik_db_set_error(db, -EINVAL, "resolve entry '%s' must be 'host:port:address'", l);
        port = strtol(a + 1, &e, 10);
        if (e != b || port < 1 || port > 65535)
                return pik_db_set_error(db, -EINVAL, "resolve entry '%s' has an invalid port", l);
        return 0;
}

int pik_headers_to_json(PikDb *db, const char *lines, char **ret) {
        return lines_to_json(db, "headers", lines, 32, check_header, ret);
}

int pik_resolve_to_json(PikDb *db, const char *lines, char **ret) {
        return lines_to_json(db, "resolve entries", lines, 16, check_resolve, ret);
}
