/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "config.h"
#include "db.h"
#include "outcome.h"

/* Alert state per check (configuration × browser): ok → failing → ok.
 *
 * A check's alert opens after alerts.fail_after confirmed partner or
 * configuration failures in a row (an unconfirmed failure, waiting for its
 * re-check, does not count) and closes after alerts.recover_after
 * successes in a row. Infrastructure failures say nothing about the
 * partner: they neither count nor break a streak. Instead, at most one
 * alert per suspected incident (browser × outcome) opens: for an
 * infrastructure outcome whose retries are spent, and for a network-level
 * partner failure while more than incident.partners partners fail the
 * same way (pik_status_in_incident()); the latter then does not count for
 * the check. An incident alert closes at alerts.recover_after successes in
 * its browser. A check whose counted results changed between up and down
 * more than alerts.flap_changes times among its last alerts.flap_window
 * flaps: its alert (opened for it if need be) says so once ("flapping")
 * and then nothing — no closing, no reminder — until the changes are down
 * to half that; then "firing" if it fails, or the usual closing once it
 * has recovered. A check in a maintenance window
 * (maintenance.h) is left out: its results do not count, and its open
 * alerts get no reminder until the window is over.
 *
 * Each opening (firing), reminder and closing (resolved) creates one
 * pending notification per channel that routes it (pik_channel_routes()),
 * which pik-notify@<id>.service delivers (notification.h). */

typedef struct PikAlertInput {
        int64_t result_id;
        int64_t config_id;          /* <= 0: a result without a configuration, ignored */
        const char *partner;
        const char *browser;
        const PikOutcome *outcome;
        bool unconfirmed;
        bool retry_scheduled;       /* another attempt follows */
} PikAlertInput;

/* In the caller's transaction, right after the result is stored. Returns
 * the number of notifications created. */
int pik_alert_record_result(PikDb *db, const PikConfig *cfg, const PikAlertInput *in, int64_t now);

/* Reminders: for each open alert not notified for alerts.remind_every
 * seconds, a "reminder" notification per routed channel. In its own
 * transaction; returns the number created. */
int pik_alert_remind(PikDb *db, const PikConfig *cfg, int64_t now);

/* Whether a channel takes an alert of this kind for this partner (NULL:
 * an incident, no partner: only channels without a partner list). */
bool pik_channel_routes(const PikChannel *ch, OutcomeKind kind, const char *partner);

/* Alerts as a JSON array, newest first: open ones only unless all:
 * { id, config_id, config_name, partner, browser, kind, outcome, opened_at,
 *   closed_at, first_result_id, last_result_id, last_success_at,
 *   flapping_since (while it flaps) }. */
#define PIK_ALERTS_LIST_MAX 10000
int pik_alert_list(PikDb *db, bool all, json_object **ret);
