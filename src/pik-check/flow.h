/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "flow-spec.h"
#include "html-form.h"

/* Running an explicit flow's steps (flow-spec.h reads and checks them):
 * its variables, and what is judged on a page (expect, extract). Fetching
 * the pages is engine-http's and engine-webdriver's. */

#define FLOW_VALUE_MAX 4096             /* an extracted value */

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
 * no value (its name in unknown), -EKEYREJECTED for {{totp}} when the seed
 * is not base32 or longer than TOTP_SEED_MAX bytes ("totp" in unknown),
 * -EINVAL for a malformed template. The
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
