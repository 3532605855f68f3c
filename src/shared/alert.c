/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>

#include "alert.h"
#include "maintenance.h"
#include "status.h"
#include "string-util.h"

bool pik_channel_routes(const PikChannel *ch, OutcomeKind kind, const char *partner) {
        if (ch->kinds != 0 && (kind < 0 || !(ch->kinds & (1u << kind))))
                return false;
        if (!ch->partners)
                return true;
        if (!partner)
                return false;
        for (char **p = ch->partners; *p; p++)
                if (streq(*p, partner))
                        return true;
        return false;
}

static int notify(PikDb *db, const PikConfig *cfg, int64_t alert_id, OutcomeKind kind, const char *partner,
                  const char *event, int64_t now) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r, n = 0;

        r = pik_db_prepare(db, "INSERT INTO notification (alert_id, channel, event, created_at) VALUES (?, ?, ?, ?)", &s);
        if (r < 0)
                return r;
        for (size_t i = 0; i < cfg->n_channels; i++) {
                const PikChannel *ch = &cfg->channels[i];

                if (!pik_channel_routes(ch, kind, partner))
                        continue;
                sqlite3_reset(s);
                sqlite3_bind_int64(s, 1, alert_id);
                sqlite3_bind_text(s, 2, ch->name, -1, SQLITE_STATIC);
                sqlite3_bind_text(s, 3, event, -1, SQLITE_STATIC);
                sqlite3_bind_int64(s, 4, now);
                r = pik_db_step(db, s);
                if (r < 0)
                        return r;
                n++;
        }
        return n;
}

static int alert_open(PikDb *db, const PikConfig *cfg, const PikAlertInput *in, bool incident,
                      int64_t first_result_id, int64_t last_success_at, int64_t now, const char *event,
                      int64_t *ret_id) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        OutcomeKind kind = incident ? OUTCOME_KIND_INFRASTRUCTURE : in->outcome->kind;
        int r;

        r = pik_db_prepare(db, "INSERT INTO alert (config_id, partner, browser, kind, outcome, opened_at, "
                               "  first_result_id, last_result_id, last_success_at, notified_at) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s);
        if (r < 0)
                return r;
        if (!incident) {
                sqlite3_bind_int64(s, 1, in->config_id);
                sqlite3_bind_text(s, 2, in->partner, -1, SQLITE_STATIC);
        }
        sqlite3_bind_text(s, 3, in->browser, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, outcome_kind_to_string(kind), -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 5, in->outcome->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 6, now);
        sqlite3_bind_int64(s, 7, first_result_id);
        sqlite3_bind_int64(s, 8, in->result_id);
        if (last_success_at > 0)
                sqlite3_bind_int64(s, 9, last_success_at);
        sqlite3_bind_int64(s, 10, now);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        *ret_id = sqlite3_last_insert_rowid(pik_db_handle(db));
        return notify(db, cfg, *ret_id, kind, incident ? NULL : in->partner, event, now);
}

static int alert_close(PikDb *db, const PikConfig *cfg, int64_t alert_id, OutcomeKind kind, const char *partner,
                       int64_t result_id, int64_t now) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_prepare(db, "UPDATE alert SET closed_at = ?, last_result_id = ?, notified_at = ? WHERE id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, now);
        sqlite3_bind_int64(s, 2, result_id);
        sqlite3_bind_int64(s, 3, now);
        sqlite3_bind_int64(s, 4, alert_id);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        return notify(db, cfg, alert_id, kind, partner, "resolved", now);
}

/* Up/down changes among the last `window` of n results (bits of recent,
 * newest lowest): each pair of neighbours that differ is one. */
static unsigned flap_changes(uint64_t recent, unsigned n, unsigned window) {
        unsigned k = MIN(n, window);

        if (k < 2)
                return 0;
        return (unsigned) __builtin_popcountll((recent ^ (recent >> 1)) & ((UINT64_C(1) << (k - 1)) - 1));
}

/* since > 0: flapping from then; 0: no longer. Either is said now. */
static int alert_set_flapping(PikDb *db, int64_t alert_id, int64_t since, int64_t now) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_prepare(db, "UPDATE alert SET flapping_since = ?, notified_at = ? WHERE id = ?", &s);
        if (r < 0)
                return r;
        if (since > 0)
                sqlite3_bind_int64(s, 1, since);
        sqlite3_bind_int64(s, 2, now);
        sqlite3_bind_int64(s, 3, alert_id);
        r = pik_db_step(db, s);
        return r < 0 ? r : 0;
}

/* The alert points at the newest result (and success, if one). */
static int alert_follow(PikDb *db, int64_t alert_id, int64_t result_id, int64_t success_at) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_prepare(db, "UPDATE alert SET last_result_id = ?, "
                               "  last_success_at = coalesce(?, last_success_at) WHERE id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, result_id);
        if (success_at > 0)
                sqlite3_bind_int64(s, 2, success_at);
        sqlite3_bind_int64(s, 3, alert_id);
        r = pik_db_step(db, s);
        return r < 0 ? r : 0;
}

/* One alert per browser × outcome, whatever the number of partners. */
static int incident_failure(PikDb *db, const PikConfig *cfg, const PikAlertInput *in, int64_t now) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL, *u = NULL;
        int64_t id;
        int r;

        r = pik_db_prepare(db, "SELECT id FROM alert WHERE config_id IS NULL AND closed_at IS NULL "
                               "  AND browser = ? AND outcome = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_text(s, 1, in->browser, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, in->outcome->name, -1, SQLITE_STATIC);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        if (r == 0)
                return alert_open(db, cfg, in, true, in->result_id, 0, now, "firing", &id);

        r = pik_db_prepare(db, "UPDATE alert SET last_result_id = ?, successes = 0 WHERE id = ?", &u);
        if (r < 0)
                return r;
        sqlite3_bind_int64(u, 1, in->result_id);
        sqlite3_bind_int64(u, 2, sqlite3_column_int64(s, 0));
        r = pik_db_step(db, u);
        return r < 0 ? r : 0;
}

/* A success in the browser counts towards closing its incidents. */
static int incident_success(PikDb *db, const PikConfig *cfg, const PikAlertInput *in, int64_t now) {
        _cleanup_stmt_ sqlite3_stmt *u = NULL, *s = NULL;
        int r, n = 0;

        r = pik_db_prepare(db, "UPDATE alert SET successes = successes + 1, last_success_at = ?1 "
                               "WHERE config_id IS NULL AND closed_at IS NULL AND browser = ?2", &u);
        if (r < 0)
                return r;
        sqlite3_bind_int64(u, 1, now);
        sqlite3_bind_text(u, 2, in->browser, -1, SQLITE_STATIC);
        r = pik_db_step(db, u);
        if (r < 0)
                return r;
        if (sqlite3_changes(pik_db_handle(db)) == 0)
                return 0;

        r = pik_db_prepare(db, "SELECT id, outcome FROM alert WHERE config_id IS NULL AND closed_at IS NULL "
                               "  AND browser = ? AND successes >= ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_text(s, 1, in->browser, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, cfg->alerts.recover_after);
        for (;;) {
                r = pik_db_step(db, s);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                /* A partner that logs in fine says nothing about the others
                 * that still fail the same network-level way: the incident
                 * lasts while they do (found by test-notify, where it closed
                 * and reopened at every success of an unaffected partner). */
                r = pik_status_in_incident(db, cfg, in->browser, (const char *) sqlite3_column_text(s, 1), now);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                r = alert_close(db, cfg, sqlite3_column_int64(s, 0), OUTCOME_KIND_INFRASTRUCTURE, NULL,
                                in->result_id, now);
                if (r < 0)
                        return r;
                n += r;
        }
        return n;
}

int pik_alert_record_result(PikDb *db, const PikConfig *cfg, const PikAlertInput *in, int64_t now) {
        _cleanup_stmt_ sqlite3_stmt *up = NULL, *st = NULL, *set = NULL;
        OutcomeKind kind = in->outcome->kind;
        bool success = kind == OUTCOME_KIND_SUCCESS;
        int64_t alert_id, failures, successes, first_failure_id, last_success_at, id;
        int r, n = 0;

        if (in->config_id <= 0 || in->unconfirmed)
                return 0;
        /* In a maintenance window failures are expected: its results
         * neither open, close nor count towards an alert, so nobody is told
         * anything until it is over. */
        r = pik_maintenance_covers(db, in->config_id, now, NULL);
        if (r != 0)
                return r < 0 ? r : 0;

        if (kind == OUTCOME_KIND_INFRASTRUCTURE)
                return in->retry_scheduled ? 0 : incident_failure(db, cfg, in, now);
        if (kind == OUTCOME_KIND_PARTNER) {
                r = pik_status_in_incident(db, cfg, in->browser, in->outcome->name, now);
                if (r < 0)
                        return r;
                if (r > 0)
                        return incident_failure(db, cfg, in, now);
        }
        if (success) {
                n = incident_success(db, cfg, in, now);
                if (n < 0)
                        return n;
        }

        /* The streak: a success ends a run of failures and the reverse. */
        /* recent: one bit per counted result, newest lowest, 1 a failure;
         * 62 bits at most keep it a positive SQLite integer. */
        r = pik_db_prepare(db,
                           "INSERT INTO alert_state (config_id, browser, failures, successes, first_failure_id, "
                           "  last_success_at, recent, recent_n) VALUES (?1, ?2, NOT ?3, ?3 != 0, "
                           "  CASE WHEN ?3 THEN NULL ELSE ?4 END, CASE WHEN ?3 THEN ?5 END, NOT ?3, 1) "
                           "ON CONFLICT (config_id, browser) DO UPDATE SET "
                           "  failures = CASE WHEN ?3 THEN 0 ELSE failures + 1 END, "
                           "  successes = CASE WHEN ?3 THEN successes + 1 ELSE 0 END, "
                           "  first_failure_id = CASE WHEN ?3 THEN NULL ELSE coalesce(first_failure_id, ?4) END, "
                           "  last_success_at = CASE WHEN ?3 THEN ?5 ELSE last_success_at END, "
                           "  recent = ((recent << 1) | (NOT ?3)) & ((1 << 62) - 1), "
                           "  recent_n = min(recent_n + 1, 62)", &up);
        if (r < 0)
                return r;
        sqlite3_bind_int64(up, 1, in->config_id);
        sqlite3_bind_text(up, 2, in->browser, -1, SQLITE_STATIC);
        sqlite3_bind_int(up, 3, success);
        sqlite3_bind_int64(up, 4, in->result_id);
        sqlite3_bind_int64(up, 5, now);
        r = pik_db_step(db, up);
        if (r < 0)
                return r;

        r = pik_db_prepare(db, "SELECT s.failures, s.successes, coalesce(s.first_failure_id, 0), "
                               "  coalesce(s.last_success_at, 0), coalesce(a.id, 0), s.recent, s.recent_n, "
                               "  a.flapping_since IS NOT NULL, a.kind FROM alert_state s "
                               "LEFT JOIN alert a ON a.id = s.alert_id AND a.closed_at IS NULL "
                               "WHERE s.config_id = ? AND s.browser = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, in->config_id);
        sqlite3_bind_text(st, 2, in->browser, -1, SQLITE_STATIC);
        r = pik_db_step(db, st);
        if (r <= 0)
                return r < 0 ? r : -EIO;
        failures = sqlite3_column_int64(st, 0);
        successes = sqlite3_column_int64(st, 1);
        first_failure_id = sqlite3_column_int64(st, 2);
        last_success_at = sqlite3_column_int64(st, 3);
        alert_id = sqlite3_column_int64(st, 4);

        if (cfg->alerts.flap_window > 0) {
                unsigned changes = flap_changes((uint64_t) sqlite3_column_int64(st, 5),
                                                (unsigned) sqlite3_column_int64(st, 6), cfg->alerts.flap_window);
                bool flapping = alert_id > 0 && sqlite3_column_int(st, 7);

                if (flapping && changes > cfg->alerts.flap_changes / 2)
                        /* Still flapping: quiet, the alert only follows the results. */
                        return alert_follow(db, alert_id, in->result_id, success ? now : 0);
                if (flapping) {
                        /* Settled: said once, like the start; then as usual. */
                        OutcomeKind alert_kind = outcome_kind_from_string((const char *) sqlite3_column_text(st, 8));

                        r = alert_set_flapping(db, alert_id, 0, now);
                        if (r < 0)
                                return r;
                        if (!success) {
                                n = notify(db, cfg, alert_id, alert_kind, in->partner, "firing", now);
                                if (n < 0)
                                        return n;
                                r = alert_follow(db, alert_id, in->result_id, 0);
                                return r < 0 ? r : n;
                        }
                } else if (!success && changes > cfg->alerts.flap_changes) {
                        /* Starts flapping (at a failure, so that an alert opened
                         * for it has an outcome): one notification, then quiet. */
                        if (alert_id > 0) {
                                r = alert_set_flapping(db, alert_id, now, now);
                                if (r < 0)
                                        return r;
                                r = notify(db, cfg, alert_id, in->outcome->kind, in->partner, "flapping", now);
                                if (r < 0)
                                        return r;
                                n += r;
                                r = alert_follow(db, alert_id, in->result_id, 0);
                                return r < 0 ? r : n;
                        }
                        r = alert_open(db, cfg, in, false, first_failure_id ?: in->result_id, last_success_at, now,
                                       "flapping", &id);
                        if (r < 0)
                                return r;
                        n += r;
                        r = alert_set_flapping(db, id, now, now);
                        if (r < 0)
                                return r;
                        goto set_alert;
                }
        }

        if (alert_id > 0) {
                if (success && successes >= cfg->alerts.recover_after) {
                        /* The open alert's kind came with the streak's row. */
                        OutcomeKind alert_kind = outcome_kind_from_string((const char *) sqlite3_column_text(st, 8));

                        r = alert_close(db, cfg, alert_id, alert_kind, in->partner, in->result_id, now);
                        if (r < 0)
                                return r;
                        n += r;
                        id = 0;
                        goto set_alert;
                }
                if (success)
                        return n;
                /* Still failing: the alert points at the newest failure. */
                r = alert_follow(db, alert_id, in->result_id, 0);
                return r < 0 ? r : n;
        }

        if (success || failures < cfg->alerts.fail_after)
                return n;
        r = alert_open(db, cfg, in, false, first_failure_id ?: in->result_id, last_success_at, now, "firing", &id);
        if (r < 0)
                return r;
        n += r;

set_alert:
        r = pik_db_prepare(db, "UPDATE alert_state SET alert_id = ? WHERE config_id = ? AND browser = ?", &set);
        if (r < 0)
                return r;
        if (id > 0)
                sqlite3_bind_int64(set, 1, id);
        sqlite3_bind_int64(set, 2, in->config_id);
        sqlite3_bind_text(set, 3, in->browser, -1, SQLITE_STATIC);
        r = pik_db_step(db, set);
        return r < 0 ? r : n;
}

int pik_alert_remind(PikDb *db, const PikConfig *cfg, int64_t now) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        _cleanup_stmt_ sqlite3_stmt *s = NULL, *u = NULL;
        int r, n = 0;

        if (cfg->alerts.remind_every_sec == 0)
                return 0;
        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, "SELECT id, kind, partner, coalesce(config_id, 0) FROM alert "
                               "WHERE closed_at IS NULL AND flapping_since IS NULL AND notified_at <= ? ORDER BY id", &s);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, "UPDATE alert SET notified_at = ? WHERE id = ?", &u);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, now - (int64_t) cfg->alerts.remind_every_sec);
        for (;;) {
                int64_t id;

                r = pik_db_step(db, s);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                id = sqlite3_column_int64(s, 0);
                /* Not during maintenance: the reminder comes after it. */
                r = pik_maintenance_covers(db, sqlite3_column_int64(s, 3), now, NULL);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                r = notify(db, cfg, id, outcome_kind_from_string((const char *) sqlite3_column_text(s, 1)),
                           (const char *) sqlite3_column_text(s, 2), "reminder", now);
                if (r < 0)
                        return r;
                n += r;
                sqlite3_reset(u);
                sqlite3_bind_int64(u, 1, now);
                sqlite3_bind_int64(u, 2, id);
                r = pik_db_step(db, u);
                if (r < 0)
                        return r;
        }
        r = pik_db_commit(TAKE_PTR(tx));
        return r < 0 ? r : n;
}

int pik_alert_list(PikDb *db, bool all, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_prepare(db,
                           "SELECT a.id, a.config_id, c.name AS config_name, a.partner, a.browser, a.kind, a.outcome, "
                           "  a.opened_at, a.closed_at, a.first_result_id, a.last_result_id, a.last_success_at, "
                           "  a.flapping_since "
                           "FROM alert a LEFT JOIN job_config c ON c.id = a.config_id "
                           "WHERE ?1 OR a.closed_at IS NULL ORDER BY a.opened_at DESC, a.id DESC", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int(s, 1, all);
        return pik_db_query_json(db, s, PIK_ALERTS_LIST_MAX, ret);
}
