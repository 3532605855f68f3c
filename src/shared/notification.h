/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "config.h"
#include "db.h"

/* Notifications: one per alert event (firing, reminder, resolved) and
 * channel, created pending by alert.c, delivered by
 * pik-notify@<id>.service, which pikd or the dispatcher starts once
 * (started_at), and whose end is recorded by NotificationDone: sent, or
 * failed with the error (systemd's Restart= retries a failed delivery,
 * each attempt counted). */

#define PIK_NOTIFY_UNIT_MAX 64
/* "pik-notify@<id>.service" */
const char *pik_notify_unit_name(char buf[static PIK_NOTIFY_UNIT_MAX], int64_t id);

/* Marks at most max pending notifications whose unit was never started as
 * started, in its own transaction, and returns their ids: whoever claims
 * one starts its unit, so two starters never start the same one. */
#define PIK_NOTIFY_CLAIM_MAX 64
int pik_notification_claim(PikDb *db, int64_t now, size_t max, int64_t **ret_ids, size_t *ret_n);

/* Records a delivery attempt: sent, or failed with error (printable text,
 * at most PIK_NOTIFY_ERROR_MAX bytes; cut there). -ENOENT for an unknown id. */
#define PIK_NOTIFY_ERROR_MAX 1024
int pik_notification_done(PikDb *db, int64_t id, bool ok, const char *error, int64_t now);

/* What pik-notify needs to deliver one: { id, event, attempts, created_at,
 * channel: { name, type, to | url | command }, alert: { id, config_id,
 * config_name, partner, browser, kind, outcome, description, opened_at,
 * closed_at, last_success_at, first_result_id, last_result_id },
 * result: (pik_result_show() of the alert's latest result: details,
 * steps…), more: "pikctl result show ID" }. -ENOENT for an unknown id
 * or a channel no longer in the configuration. */
int pik_notification_get(PikDb *db, const PikConfig *cfg, int64_t id, json_object **ret);

/* Newest first, at most PIK_NOTIFY_LIST_MAX: { id, alert_id, channel,
 * event, state, attempts, error, created_at, started_at, sent_at, partner,
 * browser, outcome }. */
#define PIK_NOTIFY_LIST_MAX 1000
int pik_notification_list(PikDb *db, json_object **ret);
