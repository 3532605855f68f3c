/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "flow-spec.h"
#include "regex-util.h"
#include "string-util.h"
#include "xpath.h"

static const char *const builtin_vars[] = {
        "username", "password", "totp", "entry_url", "product_url", NULL,
};

static void step_done(FlowStep *st) {
        free(st->name);
        free(st->method);
        free(st->url);
        free(st->body);
        free(st->content_type);
        strv_free(st->headers);
        free(st->form_xpath);
        strv_free(st->field_names);
        strv_free(st->field_values);
        free(st->expect_text);
        free(st->expect_no_text);
        free(st->expect_xpath);
        for (size_t i = 0; i < st->n_extract; i++) {
                free(st->extract[i].var);
                free(st->extract[i].xpath);
                free(st->extract[i].regex);
                if (st->extract[i].compiled)
                        regfree(&st->extract[i].re);
        }
        free(st->extract);
}

Flow *flow_free(Flow *f) {
        if (!f)
                return NULL;
        for (size_t i = 0; i < f->n_steps; i++)
                step_done(&f->steps[i]);
        free(f->steps);
        free(f);
        return NULL;
}

typedef struct Parser {
        Flow *flow;
        size_t step;                    /* 1-based, for messages */
        const char *step_name;
        char *error;
        size_t n;
        /* Variables that exist at this point of the flow. */
        const char *known[FLOW_VARS_MAX];
        size_t n_known;
} Parser;

_printf_(2, 3)
static int fail(Parser *p, const char *format, ...) {
        char msg[256];
        va_list ap;

        va_start(ap, format);
        vsnprintf(msg, sizeof msg, format, ap);
        va_end(ap);
        if (p->step_name)
                snprintf(p->error, p->n, "flow step %zu (%s): %s", p->step, p->step_name, msg);
        else if (p->step > 0)
                snprintf(p->error, p->n, "flow step %zu: %s", p->step, msg);
        else
                snprintf(p->error, p->n, "flow: %s", msg);
        return -EINVAL;
}

bool flow_var_name_valid(const char *s, size_t n) {
        if (n == 0 || n > 64)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
                        return false;
        return true;
}

/* Calls fn for every {{name}} of a template; -EINVAL when malformed. */
static int scan_template(const char *t, int (*fn)(void *userdata, const char *name, size_t n), void *userdata) {
        for (const char *p = t; (p = strstr(p, "{{")); ) {
                const char *e = strstr(p + 2, "}}"), *a, *b;
                int r;

                if (!e)
                        return -EINVAL;
                a = p + 2;
                b = e;
                while (a < b && *a == ' ')
                        a++;
                while (b > a && b[-1] == ' ')
                        b--;
                if (!flow_var_name_valid(a, (size_t) (b - a)))
                        return -EINVAL;
                r = fn(userdata, a, (size_t) (b - a));
                if (r < 0)
                        return r;
                p = e + 2;
        }
        return 0;
}

bool flow_name_is(const char *name, size_t n, const char *want) {
        return strlen(want) == n && strncmp(name, want, n) == 0;
}

static int check_var(void *userdata, const char *name, size_t n) {
        Parser *p = userdata;

        for (size_t i = 0; builtin_vars[i]; i++)
                if (flow_name_is(name, n, builtin_vars[i])) {
                        if (i == 0)
                                p->flow->needs_username = true;
                        else if (i == 1)
                                p->flow->needs_password = true;
                        else if (i == 2)
                                p->flow->needs_totp = true;
                        return 0;
                }
        for (size_t i = 0; i < p->n_known; i++)
                if (flow_name_is(name, n, p->known[i]))
                        return 0;
        (void) fail(p, "unknown variable {{%.*s}}", (int) n, name);
        return -ENOENT;
}

static int check_template(Parser *p, const char *what, const char *t) {
        int r;

        if (!t)
                return 0;
        r = scan_template(t, check_var, p);
        if (r == -ENOENT)
                return -EINVAL;         /* check_var() said which */
        if (r == -EINVAL)
                return fail(p, "%s: malformed {{…}}", what);
        return r;
}

/* An XPath libxml2 compiles, a template's {{…}} standing for a name (what
 * it expands to is known only at run time). */
static int check_xpath(Parser *p, const char *what, const char *t) {
        _cleanup_free_ char *x = NULL;
        size_t j = 0;

        if (!t)
                return 0;
        x = malloc(strlen(t) + 1);
        if (!x)
                return -ENOMEM;
        for (const char *q = t; *q; ) {
                const char *e = strncmp(q, "{{", 2) == 0 ? strstr(q + 2, "}}") : NULL;
                if (e) {
                        x[j++] = 'x';
                        q = e + 2;
                } else
                        x[j++] = *q++;
        }
        x[j] = 0;
        if (!pik_xpath_compiles(x))
                return fail(p, "%s \"%s\" is not a valid XPath 1.0 expression", what, t);
        return 0;
}

static int get_str(Parser *p, json_object *o, const char *key, char **ret) {
        json_object *v;

        *ret = NULL;
        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return fail(p, "\"%s\" must be a string", key);
        *ret = strdup(json_object_get_string(v));
        return *ret ? 0 : -ENOMEM;
}

static int get_strv(Parser *p, json_object *o, const char *key, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        json_object *v;
        size_t n;

        *ret = NULL;
        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return fail(p, "\"%s\" must be an array of strings", key);
        n = json_object_array_length(v);
        if (n > FLOW_ITEMS_MAX)
                return fail(p, "\"%s\" has more than %d items", key, FLOW_ITEMS_MAX);
        l = calloc(n + 1, sizeof *l);
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(v, i);
                if (!json_object_is_type(e, json_type_string))
                        return fail(p, "\"%s\" must be an array of strings", key);
                l[i] = strdup(json_object_get_string(e));
                if (!l[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int only_keys(Parser *p, json_object *o, const char *what, const char *const *keys) {
        json_object_object_foreach(o, k, v) {
                bool ok = false;
                (void) v;
                for (size_t i = 0; keys[i]; i++)
                        if (streq(k, keys[i]))
                                ok = true;
                if (!ok)
                        return fail(p, "unknown key \"%s\" in %s", k, what);
        }
        return 0;
}

static int parse_request(Parser *p, FlowStep *st, json_object *o) {
        static const char *const keys[] = { "method", "url", "headers", "body", "content_type", NULL };
        int r;

        if (!json_object_is_type(o, json_type_object))
                return fail(p, "\"request\" must be an object");
        if ((r = only_keys(p, o, "request", keys)) < 0 ||
            (r = get_str(p, o, "method", &st->method)) < 0 ||
            (r = get_str(p, o, "url", &st->url)) < 0 ||
            (r = get_strv(p, o, "headers", &st->headers)) < 0 ||
            (r = get_str(p, o, "body", &st->body)) < 0 ||
            (r = get_str(p, o, "content_type", &st->content_type)) < 0)
                return r;
        if (!st->url || !*st->url)
                return fail(p, "\"request\" needs a \"url\"");
        if (st->method) {
                static const char *const methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", NULL };
                bool ok = false;
                for (size_t i = 0; methods[i]; i++)
                        if (strcasecmp(st->method, methods[i]) == 0)
                                ok = true;
                if (!ok)
                        return fail(p, "unsupported method \"%s\"", st->method);
        }
        for (char **h = st->headers; h && *h; h++) {
                if (!strchr(*h, ':') || strpbrk(*h, "\r\n"))
                        return fail(p, "header \"%s\" is not \"Name: value\"", *h);
                if ((r = check_template(p, "header", *h)) < 0)
                        return r;
        }
        if ((r = check_template(p, "url", st->url)) < 0 ||
            (r = check_template(p, "body", st->body)) < 0)
                return r;
        return 0;
}

static int parse_form(Parser *p, FlowStep *st, json_object *o) {
        static const char *const keys[] = { "xpath", "fields", NULL };
        json_object *fields;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return fail(p, "\"form\" must be an object");
        st->is_form = true;
        if ((r = only_keys(p, o, "form", keys)) < 0 ||
            (r = get_str(p, o, "xpath", &st->form_xpath)) < 0)
                return r;
        if (!st->form_xpath || !*st->form_xpath)
                return fail(p, "\"form\" needs an \"xpath\"");
        if ((r = check_template(p, "form xpath", st->form_xpath)) < 0 ||
            (r = check_xpath(p, "form XPath", st->form_xpath)) < 0)
                return r;

        if (!json_object_object_get_ex(o, "fields", &fields) || json_object_is_type(fields, json_type_null))
                return 0;
        if (!json_object_is_type(fields, json_type_object))
                return fail(p, "\"fields\" must be an object of strings");
        size_t n = (size_t) json_object_object_length(fields);
        if (n > FLOW_ITEMS_MAX)
                return fail(p, "\"fields\" has more than %d items", FLOW_ITEMS_MAX);
        st->field_names = calloc(n + 1, sizeof(char *));
        st->field_values = calloc(n + 1, sizeof(char *));
        if (!st->field_names || !st->field_values)
                return -ENOMEM;
        json_object_object_foreach(fields, k, v) {
                if (!json_object_is_type(v, json_type_string))
                        return fail(p, "field \"%s\" must be a string", k);
                st->field_names[st->n_fields] = strdup(k);
                st->field_values[st->n_fields] = strdup(json_object_get_string(v));
                if (!st->field_names[st->n_fields] || !st->field_values[st->n_fields])
                        return -ENOMEM;
                st->n_fields++;
                if ((r = check_template(p, "field", json_object_get_string(v))) < 0)
                        return r;
        }
        return 0;
}

static int parse_expect(Parser *p, FlowStep *st, json_object *o) {
        static const char *const keys[] = { "status", "text", "no_text", "xpath", NULL };
        json_object *v;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return fail(p, "\"expect\" must be an object");
        if ((r = only_keys(p, o, "expect", keys)) < 0)
                return r;
        if (json_object_object_get_ex(o, "status", &v) && !json_object_is_type(v, json_type_null)) {
                if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 100 ||
                    json_object_get_int64(v) > 599)
                        return fail(p, "\"status\" must be an HTTP status (100-599)");
                st->expect_status = (long) json_object_get_int64(v);
        }
        if ((r = get_str(p, o, "text", &st->expect_text)) < 0 ||
            (r = get_str(p, o, "no_text", &st->expect_no_text)) < 0 ||
            (r = get_str(p, o, "xpath", &st->expect_xpath)) < 0 ||
            (r = check_template(p, "expected text", st->expect_text)) < 0 ||
            (r = check_template(p, "unexpected text", st->expect_no_text)) < 0 ||
            (r = check_xpath(p, "expected XPath", st->expect_xpath)) < 0)
                return r;
        return 0;
}

static int parse_extract(Parser *p, FlowStep *st, json_object *o) {
        size_t n;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return fail(p, "\"extract\" must be an object");
        n = (size_t) json_object_object_length(o);
        if (n > FLOW_ITEMS_MAX)
                return fail(p, "\"extract\" has more than %d items", FLOW_ITEMS_MAX);
        st->extract = calloc(n ?: 1, sizeof *st->extract);
        if (!st->extract)
                return -ENOMEM;
        json_object_object_foreach(o, k, v) {
                static const char *const keys[] = { "regex", "xpath", NULL };
                FlowExtract *e = &st->extract[st->n_extract++];

                if (!flow_var_name_valid(k, strlen(k)))
                        return fail(p, "\"%s\" is not a variable name ([A-Za-z0-9_-]+)", k);
                for (size_t i = 0; builtin_vars[i]; i++)
                        if (streq(k, builtin_vars[i]))
                                return fail(p, "\"%s\" is a built-in variable", k);
                e->var = strdup(k);
                if (!e->var)
                        return -ENOMEM;
                if (!json_object_is_type(v, json_type_object))
                        return fail(p, "extraction \"%s\" must be an object", k);
                if ((r = only_keys(p, v, "extract", keys)) < 0 ||
                    (r = get_str(p, v, "regex", &e->regex)) < 0 ||
                    (r = get_str(p, v, "xpath", &e->xpath)) < 0)
                        return r;
                if (!!e->regex == !!e->xpath)
                        return fail(p, "extraction \"%s\" needs one of \"regex\" and \"xpath\"", k);
                if (e->regex) {
                        char msg[160];
                        r = regex_compile_bounded(&e->re, e->regex, msg, sizeof msg);
                        if (r == -EINVAL)
                                return fail(p, "regex of \"%s\" is refused: %s", k, msg);
                        if (r < 0)
                                return r;
                        e->compiled = true;
                }
                if (e->xpath && (r = check_xpath(p, "XPath of extraction", e->xpath)) < 0)
                        return r;
                if (p->n_known < FLOW_VARS_MAX)
                        p->known[p->n_known++] = e->var;
        }
        return 0;
}

static int parse_step(Parser *p, FlowStep *st, json_object *o) {
        static const char *const keys[] = { "name", "request", "form", "expect", "extract", "login", NULL };
        json_object *req = NULL, *form = NULL, *v;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return fail(p, "not an object");
        if ((r = get_str(p, o, "name", &st->name)) < 0)
                return r;
        p->step_name = st->name;
        if ((r = only_keys(p, o, "the step", keys)) < 0)
                return r;
        if (json_object_object_get_ex(o, "login", &v)) {
                if (!json_object_is_type(v, json_type_boolean))
                        return fail(p, "\"login\" must be true or false");
                st->login = json_object_get_boolean(v);
        }
        if (st->name && strcasecmp(st->name, "login") == 0)
                st->login = true;

        json_object_object_get_ex(o, "request", &req);
        json_object_object_get_ex(o, "form", &form);
        if (!!req == !!form)
                return fail(p, "needs one of \"request\" and \"form\"");
        r = req ? parse_request(p, st, req) : parse_form(p, st, form);
        if (r < 0)
                return r;
        if (json_object_object_get_ex(o, "expect", &v) && (r = parse_expect(p, st, v)) < 0)
                return r;
        /* Extracted variables exist from the next step on. */
        if (json_object_object_get_ex(o, "extract", &v) && (r = parse_extract(p, st, v)) < 0)
                return r;
        return 0;
}

int flow_parse(const char *json, Flow **ret, char *error, size_t n) {
        _cleanup_(flow_freep) Flow *f = NULL;
        json_object *o;
        Parser p = { .error = error, .n = n };
        size_t k;
        int r;

        f = calloc(1, sizeof *f);
        if (!f)
                return -ENOMEM;
        p.flow = f;

        o = json_tokener_parse(json);
        if (!o || !json_object_is_type(o, json_type_array)) {
                json_object_put(o);
                return fail(&p, "not a JSON array of steps");
        }
        k = json_object_array_length(o);
        if (k == 0 || k > FLOW_STEPS_MAX) {
                json_object_put(o);
                return fail(&p, "needs 1 to %d steps, has %zu", FLOW_STEPS_MAX, k);
        }
        f->steps = calloc(k, sizeof *f->steps);
        if (!f->steps) {
                json_object_put(o);
                return -ENOMEM;
        }
        for (size_t i = 0; i < k; i++) {
                p.step = i + 1;
                p.step_name = NULL;
                f->n_steps++;
                r = parse_step(&p, &f->steps[i], json_object_array_get_idx(o, i));
                if (r < 0) {
                        json_object_put(o);
                        return r;
                }
        }
        json_object_put(o);
        *ret = TAKE_PTR(f);
        return 0;
}

