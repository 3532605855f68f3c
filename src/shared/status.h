/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "config.h"
#include "db.h"

/* The at-a-glance view: one row per partner × browser that has a
 * configuration, with its last outcome, the outcome's kind, when, and the
 * share of successful results over the 24 hours before now. */

typedef struct PikStatusRow {
        const char *partner;
        const char *browser;
        bool enabled;              /* partner, browser and some configuration enabled */
        bool held;                 /* every configuration of the pair held */
        const char *outcome;       /* NULL: no result yet */
        const char *kind;
        int64_t executed_at;
        const char *details;
        int64_t results_24h;
        int64_t success_24h;
} PikStatusRow;

/* Rows are handed to cb one at a time, ordered by partner and browser,
 * valid during the call only: a status over 50,000 pairs never holds more
 * than one in memory. A negative return from cb stops and is returned. */
typedef int (*PikStatusRowFn)(const PikStatusRow *row, int64_t now, void *userdata);
int pik_status_foreach(PikDb *db, int64_t now, PikStatusRowFn cb, void *userdata);

/* Widest partner code and browser name among the rows, for aligned tables
 * without a second pass. */
int pik_status_widths(PikDb *db, size_t *ret_partner, size_t *ret_browser);

/* Suspected infrastructure incidents: more than cfg->incident.partners
 * distinct partners failing with the same network-level outcome in the same
 * browser within cfg->incident.window_sec before now. A JSON array of
 * { browser, outcome, partners, since }, empty when all is well. */
int pik_status_incidents(PikDb *db, const PikConfig *cfg, int64_t now, json_object **ret);

/* The same as one JSON document, for D-Bus replies:
 * { "now", "held", "incidents": [...], "rows": [ {partner, browser, enabled, held, outcome, kind,
 *   executed_at, age_sec, details, results_24h, success_24h,
 *   success_ratio_24h}, ... ] } */
int pik_status(PikDb *db, const PikConfig *cfg, int64_t now, json_object **ret);
int pik_status_row_to_json(const PikStatusRow *row, int64_t now, json_object **ret);
