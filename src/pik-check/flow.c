/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flow.h"
#include "totp.h"

void flow_vars_done(FlowVars *v) {
        for (size_t i = 0; i < v->n; i++) {
                free(v->names[i]);
                free(v->values[i]);
        }
        v->n = 0;
}

int flow_vars_set(FlowVars *v, const char *name, const char *value) {
        char *copy = strdup(value);

        if (!copy)
                return -ENOMEM;
        for (size_t i = 0; i < v->n; i++)
                if (streq(v->names[i], name)) {
                        free(v->values[i]);
                        v->values[i] = copy;
                        return 0;
                }
        if (v->n >= FLOW_VARS_MAX) {
                free(copy);
                return -E2BIG;
        }
        v->names[v->n] = strdup(name);
        if (!v->names[v->n]) {
                free(copy);
                return -ENOMEM;
        }
        v->values[v->n++] = copy;
        return 0;
}

typedef struct Expander {
        const FlowVars *vars;
        char *out;
        size_t size;
        char *unknown;
        size_t n_unknown;
        char totp[TOTP_DIGITS + 1];
} Expander;

static int lookup(Expander *e, const char *name, size_t n, const char **ret) {
        const CheckJob *j = e->vars->job;

        *ret = NULL;
        if (flow_name_is(name, n, "username"))
                *ret = j ? j->username : NULL;
        else if (flow_name_is(name, n, "password"))
                *ret = j ? j->password : NULL;
        else if (flow_name_is(name, n, "entry_url"))
                *ret = j ? j->entry_url : NULL;
        else if (flow_name_is(name, n, "product_url"))
                *ret = j ? j->product_url : NULL;
        else if (flow_name_is(name, n, "totp")) {
                /* Computed at the step that uses it, as a person would. */
                if (j && j->totp_seed) {
                        /* A seed that is not base32 or too long is the
                         * operator's to fix, not a malformed template. */
                        int r = totp_code(j->totp_seed, time(NULL), e->totp);
                        if (r == -EINVAL || r == -E2BIG) {
                                snprintf(e->unknown, e->n_unknown, "%.*s", (int) n, name);
                                return -EKEYREJECTED;
                        }
                        if (r < 0)
                                return r;
                        *ret = e->totp;
                }
        } else
                for (size_t i = 0; i < e->vars->n; i++)
                        if (flow_name_is(name, n, e->vars->names[i]))
                                *ret = e->vars->values[i];
        if (!*ret) {
                snprintf(e->unknown, e->n_unknown, "%.*s", (int) n, name);
                return -ENOENT;
        }
        return 0;
}

int flow_expand(const char *template, const FlowVars *v, char **ret, char *unknown, size_t n) {
        Expander e = { .vars = v, .unknown = unknown, .n_unknown = n };
        size_t len = strlen(template), cap = len + 1, used = 0;
        const char *p = template;
        char *out = malloc(cap);
        int r = 0;

        if (!out)
                return -ENOMEM;
        while (*p) {
                const char *s = strstr(p, "{{"), *val = NULL;
                size_t chunk = s ? (size_t) (s - p) : strlen(p), vlen = 0;

                if (s) {
                        const char *end = strstr(s + 2, "}}"), *a = s + 2, *b;
                        if (!end) {
                                r = -EINVAL;
                                break;
                        }
                        b = end;
                        while (a < b && *a == ' ')
                                a++;
                        while (b > a && b[-1] == ' ')
                                b--;
                        if (!flow_var_name_valid(a, (size_t) (b - a))) {
                                r = -EINVAL;
                                break;
                        }
                        r = lookup(&e, a, (size_t) (b - a), &val);
                        if (r < 0)
                                break;
                        vlen = strlen(val);
                }
                if (used + chunk + vlen + 1 > cap) {
                        size_t ncap = MAX(cap * 2, used + chunk + vlen + 1);
                        char *o2 = malloc(ncap);
                        if (!o2) {
                                r = -ENOMEM;
                                break;
                        }
                        memcpy(o2, out, used);
                        explicit_bzero(out, cap);
                        free(out);
                        out = o2;
                        cap = ncap;
                }
                memcpy(out + used, p, chunk);
                used += chunk;
                if (!s)
                        break;
                memcpy(out + used, val, vlen);
                used += vlen;
                p = strstr(s + 2, "}}") + 2;
        }
        explicit_bzero(e.totp, sizeof e.totp);
        if (r < 0) {
                explicit_bzero(out, cap);
                free(out);
                return r;
        }
        out[used] = 0;
        *ret = out;
        return 0;
}

int flow_check(const FlowStep *st, const FlowVars *v, long status, HtmlPage *page, bool *ret_ok, char *why,
               size_t n) {
        char unknown[80];
        int r;

        *ret_ok = false;
        if (st->expect_status && status != st->expect_status) {
                snprintf(why, n, "expected HTTP %ld, got %ld", st->expect_status, status);
                return 0;
        }
        if (st->expect_text) {
                _cleanup_free_ char *t = NULL;
                r = flow_expand(st->expect_text, v, &t, unknown, sizeof unknown);
                if (r < 0)
                        return r;
                if (!html_page_contains(page, t)) {
                        snprintf(why, n, "expected text not found");
                        return 0;
                }
        }
        if (st->expect_no_text) {
                _cleanup_free_ char *t = NULL;
                r = flow_expand(st->expect_no_text, v, &t, unknown, sizeof unknown);
                if (r < 0)
                        return r;
                if (html_page_contains(page, t)) {
                        snprintf(why, n, "unexpected text found");
                        return 0;
                }
        }
        if (st->expect_xpath) {
                bool m;
                r = html_page_xpath_match(page, st->expect_xpath, &m);
                if (r < 0)
                        return r;
                if (!m) {
                        snprintf(why, n, "expected XPath matched nothing");
                        return 0;
                }
        }
        *ret_ok = true;
        return 0;
}

int flow_extract(const FlowStep *st, HtmlPage *page, const char *body, FlowVars *v, bool *ret_ok, char *why,
                 size_t n) {
        int r;

        *ret_ok = false;
        for (size_t i = 0; i < st->n_extract; i++) {
                const FlowExtract *e = &st->extract[i];
                _cleanup_free_ char *value = NULL;

                if (e->xpath) {
                        r = html_page_xpath_string(page, e->xpath, &value);
                        if (r < 0)
                                return r;
                } else {
                        regmatch_t m[2];
                        int k = regexec(&e->re, body, ELEMENTSOF(m), m, 0);
                        if (k == REG_ESPACE)
                                return -ENOMEM;
                        if (k == 0) {
                                /* The first group if there is one, else the match. */
                                regmatch_t *g = m[1].rm_so >= 0 ? &m[1] : &m[0];
                                value = strndup(body + g->rm_so, (size_t) (g->rm_eo - g->rm_so));
                                if (!value)
                                        return -ENOMEM;
                        }
                }
                if (!value) {
                        snprintf(why, n, "nothing to extract for {{%s}}", e->var);
                        return 0;
                }
                if (strlen(value) > FLOW_VALUE_MAX)
                        value[FLOW_VALUE_MAX] = 0;
                r = flow_vars_set(v, e->var, value);
                if (r < 0)
                        return r;
        }
        *ret_ok = true;
        return 0;
}
