/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* Explicit flows (docs/JOB.md, "Explicit flows"): the steps, read and
 * checked before anything is fetched, so that a flow that cannot run (a
 * bad or unbounded regex, a bad XPath, an unknown variable) is refused
 * when it is configured, and is the configuration's problem and not a
 * half-run check if one reaches pik-check anyway. pikd and pikctl --db
 * validate with this; pik-check runs what it returns (flow.h). */

#define FLOW_STEPS_MAX 32
#define FLOW_ITEMS_MAX 32               /* fields, headers, extractions of one step */
#define FLOW_VARS_MAX 64

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

/* -EINVAL with the reason in error (naming the step), -ENOMEM. Every
 * regex is compiled (bounded: regex-util.h), every XPath compiled, every
 * {{variable}} known where it is used. */
int flow_parse(const char *json, Flow **ret, char *error, size_t n);

/* A {{name}}'s name: [A-Za-z0-9_-], 1..64 bytes. */
bool flow_var_name_valid(const char *s, size_t n);
bool flow_name_is(const char *name, size_t n, const char *want);
