/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "config.h"
#include "db.h"

/* The at-a-glance view: one row per check — configuration × browser —
 * with its last confirmed outcome, the outcome's kind, when, a newer
 * partner failure still waiting for its re-check, and the share of
 * successful results over the 24 hours before now. Two checks of one
 * partner never hide each other: a partner's rows come worst first, and
 * each row carries the partner's worst kind. */

typedef struct PikStatusRow {
        int64_t config_id;
        const char *name;          /* the configuration's short name; NULL: none */
        const char *partner;
        const char *browser;
        bool enabled;              /* partner, browser and configuration enabled */
        const char *disabled_by;   /* "partner", "browser" or "configuration" when !enabled */
        const char *disabled_reason;
        bool held;                 /* the configuration is held now (an expired hold is not) */
        const char *held_reason;   /* NULL: none given */
        int64_t held_until;        /* 0: until released */
        int64_t maintenance_until; /* in a maintenance window until then; 0: not */
        const char *outcome;       /* last confirmed outcome; NULL: none yet */
        const char *kind;
        int64_t result_id;
        int64_t executed_at;
        const char *details;
        const char *unconfirmed;   /* a newer partner failure waiting for its re-check; NULL: none */
        int64_t unconfirmed_at;
        int64_t recheck_at;        /* when that re-check is due; 0: not scheduled */
        const char *partner_kind;  /* worst kind among the partner's active checks; NULL: no result */
        int64_t results_24h;
        int64_t success_24h;
        int64_t results_7d;        /* the same over the 7 days before now */
        int64_t success_7d;
} PikStatusRow;

/* What the row says in one word: "disabled", "held", "unconfirmed", "new"
 * (no result yet), "ok" or "failing". */
const char *pik_status_row_state(const PikStatusRow *row);

/* Rows are handed to cb one at a time, ordered by partner, then worst
 * first (active checks by kind: partner, infrastructure, configuration,
 * success, none; then disabled and held ones), then configuration and
 * browser,
 * valid during the call only: a status over 50,000 pairs never holds more
 * than one in memory. A negative return from cb stops and is returned. */
typedef int (*PikStatusRowFn)(const PikStatusRow *row, int64_t now, void *userdata);
int pik_status_foreach(PikDb *db, int64_t now, PikStatusRowFn cb, void *userdata);

/* Widest partner code, check label (pik_status_check_label()) and browser
 * name among the rows, for aligned tables without a second pass. */
int pik_status_widths(PikDb *db, size_t *ret_partner, size_t *ret_check, size_t *ret_browser);

/* How a table names a check: "#ID NAME", or "#ID" without a name. */
#define PIK_CHECK_LABEL_MAX 96
const char *pik_status_check_label(char buf[static PIK_CHECK_LABEL_MAX], int64_t config_id, const char *name);

/* Suspected infrastructure incidents: more than cfg->incident.partners
 * distinct partners failing with the same network-level outcome in the same
 * browser within cfg->incident.window_sec before now. A JSON array of
 * { browser, outcome, partners, since }, empty when all is well. */
int pik_status_incidents(PikDb *db, const PikConfig *cfg, int64_t now, json_object **ret);
/* Whether browser × outcome is one of those incidents now: 1 or 0. */
int pik_status_in_incident(PikDb *db, const PikConfig *cfg, const char *browser, const char *outcome, int64_t now);

/* The same as one JSON document, for D-Bus replies:
 * { "now", "held", "held_reason", "held_until" (the global hold), "canary" (the control probe is configured), "incidents": [...], "rows": [ {config_id, name, partner, browser, state,
 *   partner_kind, enabled, disabled_by, disabled_reason, held, held_reason, held_until, maintenance_until, outcome, kind, result_id,
 *   executed_at, age_sec, details, unconfirmed, unconfirmed_at, recheck_at, results_24h,
 *   success_24h, success_ratio_24h, results_7d, success_7d, success_ratio_7d}, ... ] } */
int pik_status(PikDb *db, const PikConfig *cfg, int64_t now, json_object **ret);
int pik_status_row_to_json(const PikStatusRow *row, int64_t now, json_object **ret);
