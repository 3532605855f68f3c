/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "config.h"
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
        /* A schedule of pik.conf's "schedules" followed as the default;
         * schedule_type and schedule hold the one in force: the named one's
         * copy, or the configuration's own when schedule_override. */
        const char *schedule_name;
        bool schedule_override;
        const char *timezone;        /* NULL: the configured default */
        bool sso;
        bool express_checkout;
        const char *product_url;     /* optional */
        int wait_sec;                /* -1: engine default; else 0..PIK_CONFIG_WAIT_MAX */
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
#define PIK_CONFIG_WAIT_MAX 3600

/* The fields of a specification that pik_jobconfig_set() changes. */
typedef enum PikJobConfigField {
        PIK_CONFIG_FIELD_NAME           = 1 << 0,
        PIK_CONFIG_FIELD_BROWSERS       = 1 << 1,
        PIK_CONFIG_FIELD_ENTRY_URL      = 1 << 2,
        PIK_CONFIG_FIELD_SCHEDULE       = 1 << 3,   /* schedule_type and schedule together */
        PIK_CONFIG_FIELD_TIMEZONE       = 1 << 4,
        PIK_CONFIG_FIELD_SSO            = 1 << 5,
        PIK_CONFIG_FIELD_EXPRESS        = 1 << 6,
        PIK_CONFIG_FIELD_PRODUCT_URL    = 1 << 7,
        PIK_CONFIG_FIELD_WAIT           = 1 << 8,
        PIK_CONFIG_FIELD_SUCCESS_MARKER = 1 << 9,
        PIK_CONFIG_FIELD_FAILURE_MARKER = 1 << 10,
        PIK_CONFIG_FIELD_SUCCESS_XPATH  = 1 << 11,
        PIK_CONFIG_FIELD_FAILURE_XPATH  = 1 << 12,
        PIK_CONFIG_FIELD_LOGIN_FORM     = 1 << 13,
        PIK_CONFIG_FIELD_USERNAME_FIELD = 1 << 14,
        PIK_CONFIG_FIELD_PASSWORD_FIELD = 1 << 15,
        PIK_CONFIG_FIELD_CSRF_META      = 1 << 16,
        PIK_CONFIG_FIELD_CHECKOUT_URL   = 1 << 17,
        PIK_CONFIG_FIELD_FLOW           = 1 << 18,
        PIK_CONFIG_FIELD_SCHEDULE_NAME  = 1 << 19,  /* with schedule_override */
} PikJobConfigField;

/* Settle a named default schedule before add or set: when fields name one
 * (spec->schedule_name, as --schedule NAME gives it), look it up in cfg
 * (-ENOENT with the error set when pik.conf has none of that name). With
 * no own schedule among fields, the named one's is copied in and followed;
 * with one, that one overrides it. An empty name stops following one,
 * keeping the schedule in force as the configuration's own. */
int pik_jobconfig_resolve_schedule(PikDb *db, const PikConfig *cfg, PikJobConfigSpec *spec, uint64_t *fields);

/* The scheduler's part: each configuration that follows a named schedule
 * whose text pik.conf has changed takes the new one, and its jobs not yet
 * dispatched their next run_after after now, as config set does. A name
 * pik.conf no longer has leaves its configurations on their last schedule
 * (a warning says which). *ret_moved, if given, counts configurations moved. */
int pik_jobconfig_follow_named(PikDb *db, const PikConfig *cfg, int64_t now, unsigned *ret_moved);

/* The checks add and set share: every field of spec, as it will be stored.
 * default_tz stands in for a NULL time zone. */
int pik_jobconfig_validate(PikDb *db, const PikJobConfigSpec *spec, const char *default_tz);

int pik_jobconfig_add(PikDb *db, const PikJobConfigSpec *spec, const char *default_tz, int64_t now, int64_t *ret_id);
int pik_jobconfig_remove(PikDb *db, int64_t id);
int pik_jobconfig_set_enabled(PikDb *db, int64_t id, bool enabled, const char *reason);
int pik_jobconfig_list(PikDb *db, json_object **ret);
int pik_jobconfig_show(PikDb *db, int64_t id, json_object **ret);
/* -ENOENT with the error set when there is no configuration id. */
int pik_jobconfig_check_exists(PikDb *db, int64_t id);

/* Change the fields of configuration id named in `fields` to change's
 * values, the others kept; partner cannot change. A NULL or empty optional
 * text clears it (a cleared time zone becomes default_tz); the whole result
 * is validated as add validates before anything is written. In the same
 * transaction: a changed schedule or time zone gives the configuration's
 * jobs not yet dispatched their next run_after after now; a new browser
 * set deletes the jobs of the browsers removed (a running execution
 * finishes, detached from its job as when a configuration is removed) and
 * leaves the new ones to the scheduler's next pass. On success,
 * *ret_changes (if given) is "what: old → new; …", or "" when nothing
 * changed. */
int pik_jobconfig_set(PikDb *db, int64_t id, const PikJobConfigSpec *change, uint64_t fields,
                      const char *default_tz, int64_t now, char **ret_changes);
