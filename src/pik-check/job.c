/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <json-c/json.h>
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

int check_job_from_json(const char *json, CheckJob **ret) {
        _cleanup_(check_job_freep) CheckJob *j = NULL;
        json_object *o, *creds;
        int r;

        o = json_tokener_parse(json);
        if (!o || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return -EBADMSG;
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
            (r = get_string(o, "failure_marker", false, &j->failure_marker)) < 0)
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
        json_object_put(o);
        return r;
}
