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
        /* docs/JOB.md's newer fields, as the webdriver engine reads them;
         * NULL (or -1) when absent. */
        char *capabilities;             /* JSON object text */
        char *login_form;               /* XPath */
        char *username_field, *password_field;
        char *success_xpath, *failure_xpath;
        char *checkout_url;
        char *evidence_dir;
        int64_t wait_sec;               /* -1: the engine's default */
        /* …and as the http engine reads them (docs/JOB.md). */
        char *partner_name;
        char *csrf_meta;                /* <meta name=…> holding a token */
        char *flow;                     /* explicit steps: the JSON array's text */
        char **headers;                 /* extra request headers, "Name: value" */
        char *ca_file;                  /* CA bundle (PEM) instead of the system's */
        char **resolve;                 /* curl --resolve entries, "host:port:address" */
        char *canary_dns, *canary_url;  /* the control probe */
        char *credentials_problem;      /* why credentials_missing, in words */
        bool page_only;                 /* pik-check --url: judge the entry page alone, no login */
} CheckJob;

CheckJob *check_job_free(CheckJob *j);
DEFINE_TRIVIAL_CLEANUP_FUNC(CheckJob *, check_job_free);
/* Parse GetJob's JSON (docs/JOB.md). -EBADMSG, with *ret_error (if
 * non-NULL, malloc'd) naming the field, for an unknown key, a value of the
 * wrong type or a required field that is missing. */
int check_job_from_json(const char *json, CheckJob **ret, char **ret_error);

/* What an engine found. outcome is a name from the catalog. */
#define CHECK_DETAILS_MAX 512
#define CHECK_STEPS_MAX 32
#define CHECK_STEP_NAME_MAX 48
/* = PIK_EVIDENCE_FILES_MAX and PIK_EVIDENCE_NAME_MAX (evidence-store.h). */
#define CHECK_EVIDENCE_MAX 8
#define CHECK_EVIDENCE_NAME_MAX 64

/* One step of a flow (a page fetched, a form submitted, with the redirects
 * that followed), its phases summed over its requests, in µs. */
typedef struct CheckStep {
        char name[CHECK_STEP_NAME_MAX];
        long http_status;               /* of the step's last response; 0: none */
        unsigned requests;              /* 1 + redirects followed */
        int64_t dns_us, connect_us, tls_us, ttfb_us, total_us;
} CheckStep;

typedef struct CheckResult {
        const char *outcome;
        /* Summed over every request of the flow; -1: unknown. */
        int64_t dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms;
        int64_t retry_after_sec;                                  /* 0: none */
        long http_status;
        char details[CHECK_DETAILS_MAX];
        /* Per step (the first CHECK_STEPS_MAX), and the flow's network time
         * (the sum of its transfers) in µs. */
        unsigned n_steps;
        CheckStep steps[CHECK_STEPS_MAX];
        int64_t network_us;
        /* Files kept of a failed check (evidence.h): in the job's
         * evidence_dir (pik-check --job), or, under pikd, in memory files
         * (evidence_fd) that the check hands to pikd with its report. */
        unsigned n_evidence;
        char evidence[CHECK_EVIDENCE_MAX][CHECK_EVIDENCE_NAME_MAX + 1];
        bool evidence_in_fds;
        int evidence_fd[CHECK_EVIDENCE_MAX];
} CheckResult;

#define CHECK_RESULT_INIT { .dns_ms = -1, .connect_ms = -1, .tls_ms = -1, .ttfb_ms = -1, .total_ms = -1 }

/* Closes the memory files of evidence_fd. */
void check_result_done(CheckResult *res);

/* Progress for the operator (sd_notify STATUS= under systemd). */
typedef void (*CheckProgressFn)(void *userdata, unsigned step, unsigned steps, const char *what);

typedef struct CheckEngine {
        const char *name;
        int (*run)(const CheckJob *job, CheckProgressFn progress, void *userdata, CheckResult *ret);
} CheckEngine;

extern const CheckEngine engine_http;
extern const CheckEngine engine_webdriver;
