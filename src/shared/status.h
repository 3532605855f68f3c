/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "db.h"

/* The at-a-glance view: one row per partner × browser that has a
 * configuration, with its last outcome, the outcome's kind, when, and the
 * share of successful results over the 24 hours before now.
 * Returns { "now": ..., "held": bool, "rows": [ {partner, browser, enabled,
 * held, outcome, kind, executed_at, age_sec, results_24h, success_24h,
 * success_ratio_24h}, ... ] } */
int pik_status(PikDb *db, int64_t now, json_object **ret);
