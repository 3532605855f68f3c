/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "macro.h"

/* What a check needs to know, as pikd's GetJob hands it over. Strings are
 * owned by the job. The credentials never leave this process except as the
 * form fields the partner's site asks for. */
typedef struct CheckJob {
        int64_t execution;
        unsigned attempt;
        char *partner;
        char *browser;
        char *engine;
        char *user_agent;
        char *http_version;
        char *webdriver_url;
        char *entry_url;
        char *product_url;
        char *success_marker;
        char *failure_marker;
        bool sso;
        bool express_checkout;
        unsigned timeout_sec;
        unsigned max_redirects;
        bool credentials_missing;
        char *username;
        char *password;
        char *totp_seed;
} CheckJob;

CheckJob *check_job_free(CheckJob *j);
DEFINE_TRIVIAL_CLEANUP_FUNC(CheckJob *, check_job_free);
/* Parse GetJob's JSON. -EBADMSG when a required field is missing. */
int check_job_from_json(const char *json, CheckJob **ret);

/* What an engine found. outcome is a name from the catalog. */
#define CHECK_DETAILS_MAX 512
typedef struct CheckResult {
        const char *outcome;
        int64_t dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms;   /* -1: unknown */
        int64_t retry_after_sec;                                  /* 0: none */
        long http_status;
        char details[CHECK_DETAILS_MAX];
} CheckResult;

#define CHECK_RESULT_INIT { .dns_ms = -1, .connect_ms = -1, .tls_ms = -1, .ttfb_ms = -1, .total_ms = -1 }

/* Progress for the operator (sd_notify STATUS= under systemd). */
typedef void (*CheckProgressFn)(void *userdata, unsigned step, unsigned steps, const char *what);

typedef struct CheckEngine {
        const char *name;
        int (*run)(const CheckJob *job, CheckProgressFn progress, void *userdata, CheckResult *ret);
} CheckEngine;

extern const CheckEngine engine_http;
