/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "html-form.h"

/* Explicit flows (docs/JOB.md, "Explicit flows"): the steps, read and
 * checked before anything is fetched, so that a flow that cannot run (a
 * bad regex or XPath, an unknown variable) is the configuration's problem
 * and not a half-run check. Running them against pages is engine-http's;
 * what is judged on a page (expect, extract) is here. */

#define FLOW_STEPS_MAX 32
#define FLOW_ITEMS_MAX 32               /* fields, headers, extractions of one step */
#define FLOW_VARS_MAX 64
#define FLOW_VALUE_MAX 4096             /* an extracted value */

typedef struct FlowExtract {
        char *var;
        char *xpath;                    /* one of xpath and regex */
        char *regex;
        regex_t re;
        bool compiled;
} FlowExtract;

typedef struct FlowStep {
        char *name;
        bool login;                     /* "login": true, or named "login" */
        /* request */
        char *method, *url, *body, *content_type;
        char **headers;
        /* form */
        bool is_form;
        char *form_xpath;
        char **field_names, **field_values;
        size_t n_fields;
        /* expect */
        long expect_status;             /* 0: not asserted */
        char *expect_text, *expect_no_text, *expect_xpath;
        FlowExtract *extract;
        size_t n_extract;
} FlowStep;

typedef struct Flow {
        FlowStep *steps;
        size_t n_steps;
        bool needs_username, needs_password, needs_totp;
} Flow;

Flow *flow_free(Flow *f);
DEFINE_TRIVIAL_CLEANUP_FUNC(Flow *, flow_free);

/* -EINVAL with the reason in error (naming the step), -ENOMEM. */
int flow_parse(const char *json, Flow **ret, char *error, size_t n);

/* Variables: the built-in ones from the job (username, password, totp,
 * entry_url, product_url) and those extracted so far. */
typedef struct FlowVars {
        const CheckJob *job;
        char *names[FLOW_VARS_MAX];
        char *values[FLOW_VARS_MAX];
        size_t n;
} FlowVars;

void flow_vars_done(FlowVars *v);
int flow_vars_set(FlowVars *v, const char *name, const char *value);

/* template with every {{name}} replaced. -ENOENT for a variable that has
 * no value (its name in unknown), -EINVAL for a malformed template. The
 * result may hold secrets: free it with explicit_bzero(). */
int flow_expand(const char *template, const FlowVars *v, char **ret, char *unknown, size_t n);

/* The step's assertions on its final page: *ret_ok false with why (which
 * never holds a secret) when one fails. -EINVAL for an XPath libxml2
 * refuses at run time. */
int flow_check(const FlowStep *st, const FlowVars *v, long status, HtmlPage *page, bool *ret_ok, char *why, size_t n);

/* The step's extractions into v: *ret_ok false with why when one finds
 * nothing. */
int flow_extract(const FlowStep *st, HtmlPage *page, const char *body, FlowVars *v, bool *ret_ok, char *why,
                 size_t n);
