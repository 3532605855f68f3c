/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* Scheduled maintenance windows: a cron expression in a time zone says
 * when a window opens, a duration how long it stays open. A window covers
 * everything, one partner or one configuration. While a check is covered
 * the dispatcher leaves its due job queued (no execution, nothing recorded
 * as skipped: a turn that did not happen on purpose is not a result), so
 * its missed turns coalesce into one run at the first pass after the
 * window, as after a hold; and its results neither open, close nor remind
 * of an alert. Whether a window is open is computed from the clock the
 * reader passes, so nothing has to fire when one opens or closes. */

#define PIK_MAINTENANCE_DURATION_MAX (7 * 86400)   /* longer: that is a hold, not a window */
#define PIK_MAINTENANCE_MAX 1000                    /* windows in a database */

typedef enum PikMaintenanceScope {
        PIK_MAINTENANCE_ALL,
        PIK_MAINTENANCE_PARTNER,
        PIK_MAINTENANCE_CONFIG,
        _PIK_MAINTENANCE_SCOPE_MAX,
        _PIK_MAINTENANCE_SCOPE_INVALID = -EINVAL,
} PikMaintenanceScope;

const char *pik_maintenance_scope_to_string(PikMaintenanceScope s);   /* "all", "partner", "config" */
PikMaintenanceScope pik_maintenance_scope_from_string(const char *s);

typedef struct PikMaintenanceSpec {
        PikMaintenanceScope scope;
        const char *target;         /* partner code, or configuration id in decimal; ignored for all */
        const char *cron;           /* when windows open: a cron expression (schedule.h) */
        const char *timezone;       /* IANA zone the cron expression is read in */
        int64_t duration_sec;       /* 1 minute .. PIK_MAINTENANCE_DURATION_MAX */
        const char *reason;         /* required */
} PikMaintenanceSpec;

/* Validate and store a window; the error (pik_db_error()) names what was
 * wrong and nothing is stored: -EINVAL (cron, zone, duration, reason),
 * -ENOENT (unknown partner or configuration), -E2BIG (too many windows).
 * Returns the new window's id in ret_id. */
int pik_maintenance_add(PikDb *db, const PikMaintenanceSpec *spec, int64_t now, int64_t *ret_id);
/* -ENOENT when there is no such window. */
int pik_maintenance_remove(PikDb *db, int64_t id);
/* All windows: [ { id, scope, partner, config_id, cron, timezone,
 * duration_sec, reason, created_at, active_until (null when closed),
 * next_start } ], by id. */
int pik_maintenance_list(PikDb *db, int64_t now, json_object **ret);

/* Whether a window opening by cron (in tz) for duration seconds is open at
 * now: 1 with the end of the latest window that started in ret_until, 0
 * when closed. Pure: no database, no clock. */
int pik_maintenance_window_open(const char *cron, const char *tz, int64_t duration_sec, int64_t now,
                                int64_t *ret_until);

/* The windows open at now as JSON text for PIK_MAINTENANCE_UNTIL_SQL,
 * [[id, until], ...] ("[]" when none). Free with free(). */
int pik_maintenance_open_windows(PikDb *db, int64_t now, char **ret);

/* The SQL expression for the end of the maintenance covering
 * configuration alias c (NULL when none), given the bound JSON text of
 * pik_maintenance_open_windows() as parameter `open` (e.g. "?2"). */
#define PIK_MAINTENANCE_UNTIL_SQL(c, open)                                                   \
        "(SELECT max(json_extract(mo.value, '$[1]')) FROM json_each(" open ") mo "         \
        "  JOIN maintenance_window mw ON mw.id = json_extract(mo.value, '$[0]') "           \
        "  WHERE mw.config_id = " c ".id OR mw.partner_id = " c ".partner_id "              \
        "     OR (mw.config_id IS NULL AND mw.partner_id IS NULL))"

/* Whether configuration config_id (0: the incidents, covered by windows of
 * everything only) is in maintenance at now: 1 with its end in ret_until
 * (may be NULL), 0 if not. */
int pik_maintenance_covers(PikDb *db, int64_t config_id, int64_t now, int64_t *ret_until);
