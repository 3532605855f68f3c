/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <json-c/json.h>
#include <json-c/printbuf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

static void free_secret(char *s) {
        if (!s)
                return;
        /* The password must not linger in freed heap a core dump could show. */
        explicit_bzero(s, strlen(s));
        free(s);
}

CheckJob *check_job_free(CheckJob *j) {
        if (!j)
                return NULL;
        free(j->partner);
        free(j->browser);
        free(j->engine);
        free(j->user_agent);
        free(j->http_version);
        free(j->webdriver_url);
        free(j->entry_url);
        free(j->product_url);
        free(j->success_marker);
        free(j->failure_marker);
        free_secret(j->username);
        free_secret(j->password);
        free_secret(j->totp_seed);
        free(j->capabilities);
        free(j->login_form);
        free(j->username_field);
        free(j->password_field);
        free(j->success_xpath);
        free(j->failure_xpath);
        free(j->checkout_url);
        free(j->evidence_dir);
        free(j->partner_name);
        free(j->csrf_meta);
        free(j->flow);
        strv_free(j->headers);
        free(j->ca_file);
        strv_free(j->resolve);
        free(j->canary_dns);
        free(j->canary_url);
        free(j->credentials_problem);
        free(j);
        return NULL;
}

static int get_string(json_object *o, const char *key, bool required, char **ret) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
                *ret = NULL;
                return required ? -EBADMSG : 0;
        }
        if (!json_object_is_type(v, json_type_string))
                return -EBADMSG;
        *ret = strdup(json_object_get_string(v));
        return *ret ? 0 : -ENOMEM;
}

/* An array of strings (headers, resolve): at most 64 of them. */
static int get_strv(json_object *o, const char *key, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        json_object *v;
        size_t n;

        *ret = NULL;
        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return -EBADMSG;
        n = json_object_array_length(v);
        if (n > 64)
                return -EBADMSG;
        l = calloc(n + 1, sizeof *l);
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(v, i);
                if (!json_object_is_type(e, json_type_string))
                        return -EBADMSG;
                l[i] = strdup(json_object_get_string(e));
                if (!l[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* flow: kept as JSON text, for flow.c to parse and judge (a flow that is
 * not an array of steps is the configuration's problem, reported as such,
 * not a job pik-check cannot read). */
static int get_json_text(json_object *o, const char *key, char **ret) {
        json_object *v;

        *ret = NULL;
        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        *ret = strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
        return *ret ? 0 : -ENOMEM;
}

static int64_t get_int(json_object *o, const char *key, int64_t def) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return def;
        return json_object_get_int64(v);
}

static bool get_bool(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/* json-c keeps each string it parses in the object (short ones inside the
 * object's own allocation) and in its tokener's buffer: both are wiped
 * before they go back to the allocator. */
static void wipe_strings(json_object *o) {
        if (json_object_is_type(o, json_type_string))
                explicit_bzero((char *) json_object_get_string(o), json_object_get_string_len(o));
        else if (json_object_is_type(o, json_type_object)) {
                json_object_object_foreach(o, k, v) {
                        (void) k;       /* keys are no secret */
                        wipe_strings(v);
                }
        } else if (json_object_is_type(o, json_type_array))
                for (size_t i = 0; i < json_object_array_length(o); i++)
                        wipe_strings(json_object_array_get_idx(o, i));
}

static void tokener_wipe_and_free(json_tokener *tok) {
        if (!tok)
                return;
        if (tok->pb && tok->pb->buf)
                explicit_bzero(tok->pb->buf, (size_t) tok->pb->size);
        /* A document cut short leaves what was parsed of it on the
         * tokener's stack, for json_tokener_free() to release. */
        for (int i = 0; tok->stack && i <= tok->depth && i < tok->max_depth; i++) {
                if (tok->stack[i].current)
                        wipe_strings(tok->stack[i].current);
                if (tok->stack[i].obj)
                        wipe_strings(tok->stack[i].obj);
        }
        json_tokener_free(tok);
}

static int parse_document(const char *json, json_object **ret) {
        size_t len = strlen(json);
        json_tokener *tok;
        json_object *o;

        if (len >= INT_MAX)
                return -EBADMSG;
        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        /* Grown once to the document's size, the tokener's buffer is never
         * moved by realloc() while it holds a secret: no unwiped copy is
         * left behind in the old block. */
        if (printbuf_memset(tok->pb, 0, 0, (int) len + 1) < 0) {
                tokener_wipe_and_free(tok);
                return -ENOMEM;
        }
        printbuf_reset(tok->pb);
        o = json_tokener_parse_ex(tok, json, (int) len);
        if (!o || json_tokener_get_error(tok) != json_tokener_success) {
                if (o) {
                        wipe_strings(o);
                        json_object_put(o);
                }
                tokener_wipe_and_free(tok);
                return -EBADMSG;
        }
        tokener_wipe_and_free(tok);
        *ret = o;
        return 0;
}

int check_job_from_json(const char *json, CheckJob **ret) {
        _cleanup_(check_job_freep) CheckJob *j = NULL;
        json_object *o = NULL, *creds;
        int r;

        r = parse_document(json, &o);
        if (r < 0)
                return r;
        if (!json_object_is_type(o, json_type_object)) {
                r = -EBADMSG;
                goto finish;
        }

        j = calloc(1, sizeof *j);
        if (!j) {
                r = -ENOMEM;
                goto finish;
        }

        j->execution = get_int(o, "execution", 0);
        j->attempt = (unsigned) get_int(o, "attempt", 1);
        j->timeout_sec = (unsigned) get_int(o, "timeout_sec", 30);
        j->max_redirects = (unsigned) get_int(o, "max_redirects", 10);
        j->wait_sec = get_int(o, "wait_sec", -1);
        j->sso = get_bool(o, "sso");
        j->express_checkout = get_bool(o, "express_checkout");
        j->credentials_missing = get_bool(o, "credentials_missing");

        if ((r = get_string(o, "partner", true, &j->partner)) < 0 ||
            (r = get_string(o, "browser", true, &j->browser)) < 0 ||
            (r = get_string(o, "engine", true, &j->engine)) < 0 ||
            (r = get_string(o, "entry_url", true, &j->entry_url)) < 0 ||
            (r = get_string(o, "user_agent", false, &j->user_agent)) < 0 ||
            (r = get_string(o, "http_version", false, &j->http_version)) < 0 ||
            (r = get_string(o, "webdriver_url", false, &j->webdriver_url)) < 0 ||
            (r = get_string(o, "product_url", false, &j->product_url)) < 0 ||
            (r = get_string(o, "success_marker", false, &j->success_marker)) < 0 ||
            (r = get_string(o, "failure_marker", false, &j->failure_marker)) < 0 ||
            (r = get_string(o, "capabilities", false, &j->capabilities)) < 0 ||
            (r = get_string(o, "login_form", false, &j->login_form)) < 0 ||
            (r = get_string(o, "username_field", false, &j->username_field)) < 0 ||
            (r = get_string(o, "password_field", false, &j->password_field)) < 0 ||
            (r = get_string(o, "success_xpath", false, &j->success_xpath)) < 0 ||
            (r = get_string(o, "failure_xpath", false, &j->failure_xpath)) < 0 ||
            (r = get_string(o, "checkout_url", false, &j->checkout_url)) < 0 ||
            (r = get_string(o, "evidence_dir", false, &j->evidence_dir)) < 0 ||
            (r = get_string(o, "partner_name", false, &j->partner_name)) < 0 ||
            (r = get_string(o, "csrf_meta", false, &j->csrf_meta)) < 0 ||
            (r = get_string(o, "ca_file", false, &j->ca_file)) < 0 ||
            (r = get_string(o, "canary_dns", false, &j->canary_dns)) < 0 ||
            (r = get_string(o, "canary_url", false, &j->canary_url)) < 0 ||
            (r = get_string(o, "credentials_problem", false, &j->credentials_problem)) < 0 ||
            (r = get_strv(o, "headers", &j->headers)) < 0 ||
            (r = get_strv(o, "resolve", &j->resolve)) < 0 ||
            (r = get_json_text(o, "flow", &j->flow)) < 0)
                goto finish;

        if (json_object_object_get_ex(o, "credentials", &creds) && json_object_is_type(creds, json_type_object)) {
                if ((r = get_string(creds, "username", false, &j->username)) < 0 ||
                    (r = get_string(creds, "password", false, &j->password)) < 0 ||
                    (r = get_string(creds, "totp_seed", false, &j->totp_seed)) < 0)
                        goto finish;
        }

        *ret = TAKE_PTR(j);
        r = 0;
finish:
        wipe_strings(o);
        json_object_put(o);
        return r;
}
