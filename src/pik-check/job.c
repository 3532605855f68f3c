/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <json-c/json.h>
#include <json-c/printbuf.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "string-util.h"

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

/* The job document's fields (docs/JOB.md): one row each, read by one loop.
 * A key not in the table, a value of the wrong type or a required field
 * that is missing is refused, naming the field: a misspelt key must not
 * turn into a check that silently skips what it was asked to do. */
typedef enum JobFieldType {
        JOB_STRING,
        JOB_INT64,
        JOB_UINT,
        JOB_BOOL,
        JOB_STRV,            /* array of strings, at most JOB_STRV_MAX */
        JOB_JSON,            /* kept as JSON text (flow: judged by flow.c) */
        JOB_CREDENTIALS,     /* the object below */
        JOB_IGNORED,         /* sent by pikd, not needed here */
} JobFieldType;

typedef struct JobField {
        const char *name;
        JobFieldType type;
        bool required;
        size_t offset;
} JobField;

#define JOB_STRV_MAX 64
#define F(n, t, field) { #n, t, false, offsetof(CheckJob, field) }
#define R(n, t, field) { #n, t, true, offsetof(CheckJob, field) }

static const JobField job_fields[] = {
        F(execution, JOB_INT64, execution),
        F(attempt, JOB_UINT, attempt),
        { "config_id", JOB_IGNORED, false, 0 },
        R(partner, JOB_STRING, partner),
        F(partner_name, JOB_STRING, partner_name),
        R(browser, JOB_STRING, browser),
        R(engine, JOB_STRING, engine),
        R(entry_url, JOB_STRING, entry_url),
        F(product_url, JOB_STRING, product_url),
        F(sso, JOB_BOOL, sso),
        F(express_checkout, JOB_BOOL, express_checkout),
        F(checkout_url, JOB_STRING, checkout_url),
        F(success_marker, JOB_STRING, success_marker),
        F(failure_marker, JOB_STRING, failure_marker),
        F(success_xpath, JOB_STRING, success_xpath),
        F(failure_xpath, JOB_STRING, failure_xpath),
        F(login_form, JOB_STRING, login_form),
        F(username_field, JOB_STRING, username_field),
        F(password_field, JOB_STRING, password_field),
        F(csrf_meta, JOB_STRING, csrf_meta),
        F(flow, JOB_JSON, flow),
        F(wait_sec, JOB_INT64, wait_sec),
        F(timeout_sec, JOB_UINT, timeout_sec),
        F(max_redirects, JOB_UINT, max_redirects),
        F(user_agent, JOB_STRING, user_agent),
        F(http_version, JOB_STRING, http_version),
        F(headers, JOB_STRV, headers),
        F(ca_file, JOB_STRING, ca_file),
        F(resolve, JOB_STRV, resolve),
        F(webdriver_url, JOB_STRING, webdriver_url),
        F(capabilities, JOB_STRING, capabilities),
        F(evidence_dir, JOB_STRING, evidence_dir),
        F(canary_dns, JOB_STRING, canary_dns),
        F(canary_url, JOB_STRING, canary_url),
        { "credentials", JOB_CREDENTIALS, false, 0 },
        F(credentials_missing, JOB_BOOL, credentials_missing),
        F(credentials_problem, JOB_STRING, credentials_problem),
};

static const JobField credentials_fields[] = {
        F(username, JOB_STRING, username),
        F(password, JOB_STRING, password),
        F(totp_seed, JOB_STRING, totp_seed),
};

#undef F
#undef R

static const char *type_name(JobFieldType t) {
        switch (t) {
        case JOB_STRING: return "a string";
        case JOB_INT64: return "an integer";
        case JOB_UINT: return "a non-negative integer";
        case JOB_BOOL: return "true or false";
        case JOB_STRV: return "an array of strings";
        case JOB_CREDENTIALS: return "an object";
        default: return "a value";
        }
}

_printf_(2, 3)
static int refuse(char **ret_error, const char *fmt, ...) {
        va_list ap;

        if (ret_error) {
                free(*ret_error);
                *ret_error = NULL;
                va_start(ap, fmt);
                if (vasprintf(ret_error, fmt, ap) < 0)
                        *ret_error = NULL;
                va_end(ap);
        }
        return -EBADMSG;
}

static int read_strv(json_object *v, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n = json_object_array_length(v);

        if (n > JOB_STRV_MAX)
                return -E2BIG;
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

static int read_fields(json_object *o, const char *where, const JobField *fields, size_t n_fields, CheckJob *j,
                       char **ret_error);

static int read_field(const JobField *f, json_object *v, const char *where, CheckJob *j, char **ret_error) {
        void *p = (uint8_t *) j + f->offset;
        int r;

        /* null is "not set", as if the key were absent. */
        if (json_object_is_type(v, json_type_null))
                return 0;
        switch (f->type) {
        case JOB_STRING:
                if (!json_object_is_type(v, json_type_string))
                        break;
                free(*(char **) p);
                *(char **) p = strdup(json_object_get_string(v));
                return *(char **) p ? 0 : -ENOMEM;
        case JOB_INT64:
        case JOB_UINT: {
                int64_t i;

                if (!json_object_is_type(v, json_type_int))
                        break;
                i = json_object_get_int64(v);
                if (f->type == JOB_INT64) {
                        *(int64_t *) p = i;
                        return 0;
                }
                if (i < 0 || i > UINT_MAX)
                        return refuse(ret_error, "job document: %s%s %lld is out of range", where, f->name,
                                      (long long) i);
                *(unsigned *) p = (unsigned) i;
                return 0;
        }
        case JOB_BOOL:
                if (!json_object_is_type(v, json_type_boolean))
                        break;
                *(bool *) p = json_object_get_boolean(v);
                return 0;
        case JOB_STRV:
                if (!json_object_is_type(v, json_type_array))
                        break;
                strv_free(*(char ***) p);
                *(char ***) p = NULL;
                r = read_strv(v, (char ***) p);
                if (r == -E2BIG)
                        return refuse(ret_error, "job document: %s%s has more than %d entries", where, f->name,
                                      JOB_STRV_MAX);
                if (r == -EBADMSG)
                        break;
                return r;
        case JOB_JSON:
                free(*(char **) p);
                *(char **) p = strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
                return *(char **) p ? 0 : -ENOMEM;
        case JOB_CREDENTIALS:
                if (!json_object_is_type(v, json_type_object))
                        break;
                return read_fields(v, "credentials.", credentials_fields, ELEMENTSOF(credentials_fields), j,
                                   ret_error);
        case JOB_IGNORED:
                return 0;
        }
        return refuse(ret_error, "job document: %s%s must be %s", where, f->name, type_name(f->type));
}

static int read_fields(json_object *o, const char *where, const JobField *fields, size_t n_fields, CheckJob *j,
                       char **ret_error) {
        int r;

        json_object_object_foreach(o, k, v) {
                const JobField *f = NULL;

                for (size_t i = 0; i < n_fields && !f; i++)
                        if (streq(fields[i].name, k))
                                f = &fields[i];
                if (!f)
                        return refuse(ret_error, "job document: unknown key '%s%s'", where, k);
                r = read_field(f, v, where, j, ret_error);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < n_fields; i++)
                if (fields[i].required && !*(char **) ((uint8_t *) j + fields[i].offset))
                        return refuse(ret_error, "job document: %s%s is missing", where, fields[i].name);
        return 0;
}

int check_job_from_json(const char *json, CheckJob **ret, char **ret_error) {
        _cleanup_(check_job_freep) CheckJob *j = NULL;
        json_object *o = NULL;
        int r;

        r = parse_document(json, &o);
        if (r == -EBADMSG)
                return refuse(ret_error, "job document: not valid JSON");
        if (r < 0)
                return r;
        if (!json_object_is_type(o, json_type_object)) {
                r = refuse(ret_error, "job document: not a JSON object");
                goto finish;
        }

        j = calloc(1, sizeof *j);
        if (!j) {
                r = -ENOMEM;
                goto finish;
        }
        /* Defaults of what pikd always sends, for documents written by hand
         * (pik-check --job). */
        j->attempt = 1;
        j->timeout_sec = 30;
        j->max_redirects = 10;
        j->wait_sec = -1;

        r = read_fields(o, "", job_fields, ELEMENTSOF(job_fields), j, ret_error);
        if (r < 0)
                goto finish;

        *ret = TAKE_PTR(j);
        r = 0;
finish:
        wipe_strings(o);
        json_object_put(o);
        return r;
}
