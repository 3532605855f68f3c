/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "db.h"
#include "schedule.h"

/* Job configurations: what to check for a partner, in which browsers, on
 * which schedule. Error conventions as in partner.h. */

typedef struct PikJobConfigSpec {
        const char *partner;
        const char *name;            /* optional short name, unique per partner ("sso-login") */
        char **browsers;             /* NULL-terminated, at least one */
        const char *entry_url;
        ScheduleType schedule_type;
        const char *schedule;
        const char *timezone;        /* NULL: the configured default */
        bool sso;
        bool express_checkout;
        const char *product_url;     /* optional */
        int wait_sec;                /* -1: engine default; else 0..3600 */
        const char *success_marker;  /* optional */
        const char *failure_marker;  /* optional */
        /* Login flow details (docs/JOB.md), all optional. */
        const char *success_xpath;
        const char *failure_xpath;
        const char *login_form;      /* XPath */
        const char *username_field;
        const char *password_field;
        const char *csrf_meta;
        const char *checkout_url;
        const char *flow;            /* JSON array of steps */
} PikJobConfigSpec;

#define PIK_CONFIG_BROWSERS_MAX 32

int pik_jobconfig_add(PikDb *db, const PikJobConfigSpec *spec, const char *default_tz, int64_t now, int64_t *ret_id);
int pik_jobconfig_remove(PikDb *db, int64_t id);
int pik_jobconfig_set_enabled(PikDb *db, int64_t id, bool enabled, const char *reason);
int pik_jobconfig_list(PikDb *db, json_object **ret);
int pik_jobconfig_show(PikDb *db, int64_t id, json_object **ret);
/* -ENOENT with the error set when there is no configuration id. */
int pik_jobconfig_check_exists(PikDb *db, int64_t id);
