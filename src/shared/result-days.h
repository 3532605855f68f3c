/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "db.h"

/* A partner's results day by day (UTC days), per check: what the partner
 * page's 30/90-day strips are drawn from. */

typedef struct PikResultDay {
        int64_t config_id;
        const char *browser;
        int64_t day;                /* midnight UTC, seconds since the epoch */
        int64_t results;
        int64_t successes;
        /* The worst kind of the day's failures ("partner" before
         * "infrastructure" before "configuration"); NULL: none failed. */
        const char *worst_kind;
} PikResultDay;

typedef int (*PikResultDayFn)(const PikResultDay *d, void *userdata);
/* Days with results since `since` (rounded down to its midnight), by
 * configuration, browser and day; days without results are not handed
 * over. Results without a configuration are left out. */
int pik_result_days_foreach(PikDb *db, const char *partner, int64_t since, PikResultDayFn cb, void *userdata);
