/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

#include "db.h"

/* pikctl history: day by day, per check (configuration × browser), what
 * pik-prune's daily aggregates (prune.h) and the results not folded yet say
 * together, in the same terms: runs, successes, failures per kind, p50/p95
 * duration. */

#define PIK_HISTORY_DAYS_MAX 36500

/* The last `days` UTC days up to now's (1..PIK_HISTORY_DAYS_MAX), of one
 * partner or (NULL) all. A JSON array of checks, by partner, configuration
 * and browser: partner, config_id (left out for results without one),
 * config_name, browser, runs, successes, and days: [{ day ("2026-11-24"),
 * runs, successes, partner_failures, infrastructure_failures,
 * configuration_failures, p50_ms, p95_ms }] for the days that had runs.
 * -ENOENT for a partner neither known nor in the history. */
int pik_history(PikDb *db, const char *partner, unsigned days, int64_t now, json_object **ret);
