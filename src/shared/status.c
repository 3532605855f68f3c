/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>

#include "job.h"
#include "macro.h"
#include "maintenance.h"
#include "string-util.h"
#include "status.h"
#include "time-util.h"

static const char *column_text(sqlite3_stmt *s, int i) {
        return (const char *) sqlite3_column_text(s, i);
}

/* Severity of an active check's last confirmed kind, worst first; what
 * is not running (disabled, held) comes after everything that is. */
#define SEVERITY_SQL \
        "CASE WHEN NOT chk.enabled OR chk.held THEN 7 " \
        "     WHEN o.kind = 'partner' THEN 1 WHEN o.kind = 'infrastructure' THEN 2 " \
        "     WHEN o.kind = 'configuration' THEN 3 WHEN o.kind = 'success' THEN 5 " \
        "     WHEN o.kind IS NULL THEN 6 ELSE 4 END"

static const char *const severity_kind[] = {
        [1] = "partner", [2] = "infrastructure", [3] = "configuration", [4] = "unknown", [5] = "success",
};

int pik_status_foreach(PikDb *db, int64_t now, PikStatusRowFn cb, void *userdata) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        _cleanup_free_ char *maintenance = NULL;
        int r;

        r = pik_maintenance_open_windows(db, now, &maintenance);
        if (r < 0)
                return r;

        /* The last confirmed result comes from result_check_last (kept by a
         * trigger); a newer unconfirmed one and the 24-hour counts from the
         * (config_id, browser, executed_at, outcome) index, a short range
         * per check. The ratio is left to C so that SQLite does not
         * evaluate the counting subqueries twice. */
        r = pik_db_prepare(db,
                           "WITH chk AS ("
                           "  SELECT c.id AS config_id, c.name AS name, p.code AS partner, b.id AS browser_id, "
                           "         b.name AS browser, c.enabled AND p.enabled AND b.enabled AS enabled, "
                           "         CASE WHEN NOT p.enabled THEN 'partner' WHEN NOT b.enabled THEN 'browser' "
                           "              WHEN NOT c.enabled THEN 'configuration' END AS disabled_by, "
                           "         CASE WHEN NOT p.enabled THEN p.disabled_reason WHEN NOT b.enabled "
                           "              THEN b.disabled_reason WHEN NOT c.enabled THEN c.disabled_reason END "
                           "           AS disabled_reason, "
                           "         " PIK_HELD_SQL("c", "?1") " AS held, c.held_reason, c.held_until, "
                           "         " PIK_MAINTENANCE_UNTIL_SQL("c", "?2") " AS maintenance_until "
                           "  FROM job_config c JOIN partner p ON p.id = c.partner_id "
                           "  JOIN job_config_browser cb ON cb.config_id = c.id "
                           "  JOIN browser b ON b.id = cb.browser_id), "
                           "row AS ("
                           "  SELECT chk.*, l.outcome, o.kind, l.result_id, l.executed_at, l.details, "
                           "    (SELECT x.id FROM result x WHERE x.config_id = chk.config_id "
                           "       AND x.browser = chk.browser AND x.unconfirmed "
                           "       AND x.executed_at >= coalesce(l.executed_at, 0) AND x.id > coalesce(l.result_id, 0) "
                           "       ORDER BY x.executed_at DESC, x.id DESC LIMIT 1) AS unconfirmed_id, "
                           "    (SELECT count(*) FROM result x WHERE x.config_id = chk.config_id "
                           "       AND x.browser = chk.browser AND x.executed_at > ?1 - 86400) AS n24, "
                           "    (SELECT count(*) FROM result x WHERE x.config_id = chk.config_id "
                           "       AND x.browser = chk.browser AND x.executed_at > ?1 - 86400 "
                           "       AND x.outcome = 'success') AS s24, "
                           "    (SELECT count(*) FROM result x WHERE x.config_id = chk.config_id "
                           "       AND x.browser = chk.browser AND x.executed_at > ?1 - 7 * 86400) AS n7d, "
                           "    (SELECT count(*) FROM result x WHERE x.config_id = chk.config_id "
                           "       AND x.browser = chk.browser AND x.executed_at > ?1 - 7 * 86400 "
                           "       AND x.outcome = 'success') AS s7d, "
                           "    " SEVERITY_SQL " AS severity "
                           "  FROM chk "
                           "  LEFT JOIN result_check_last l ON l.config_id = chk.config_id AND l.browser = chk.browser "
                           "  LEFT JOIN outcome o ON o.name = l.outcome) "
                           "SELECT row.config_id, row.name, row.partner, row.browser, row.enabled, row.disabled_by, "
                           "  row.disabled_reason, row.held, row.outcome, row.kind, row.result_id, row.executed_at, "
                           "  row.details, u.outcome, u.executed_at, "
                           "  CASE WHEN u.id IS NOT NULL AND NOT sj.dispatched THEN sj.run_after END, "
                           "  min(row.severity) OVER (PARTITION BY row.partner), row.n24, row.s24, "
                           "  CASE WHEN row.held THEN row.held_reason END, CASE WHEN row.held THEN row.held_until END, "
                           "  row.n7d, row.s7d, row.maintenance_until "
                           "FROM row "
                           "LEFT JOIN result u ON u.id = row.unconfirmed_id "
                           "LEFT JOIN scheduled_job sj ON sj.config_id = row.config_id AND sj.browser_id = row.browser_id "
                           "ORDER BY row.partner, row.severity, u.id IS NULL, row.config_id, row.browser", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, now);
        sqlite3_bind_text(s, 2, maintenance, -1, SQLITE_STATIC);

        for (;;) {
                int worst;

                r = pik_db_step(db, s);
                if (r <= 0)
                        return r;

                worst = sqlite3_column_int(s, 16);
                PikStatusRow row = {
                        .config_id = sqlite3_column_int64(s, 0),
                        .name = column_text(s, 1),
                        .partner = column_text(s, 2),
                        .browser = column_text(s, 3),
                        .enabled = sqlite3_column_int(s, 4),
                        .disabled_by = column_text(s, 5),
                        .disabled_reason = column_text(s, 6),
                        .held = sqlite3_column_int(s, 7),
                        .outcome = column_text(s, 8),
                        .kind = column_text(s, 9),
                        .result_id = sqlite3_column_int64(s, 10),
                        .executed_at = sqlite3_column_int64(s, 11),
                        .details = column_text(s, 12),
                        .unconfirmed = column_text(s, 13),
                        .unconfirmed_at = sqlite3_column_int64(s, 14),
                        .recheck_at = sqlite3_column_int64(s, 15),
                        .partner_kind = worst >= 1 && worst < (int) ELEMENTSOF(severity_kind) ? severity_kind[worst] : NULL,
                        .results_24h = sqlite3_column_int64(s, 17),
                        .success_24h = sqlite3_column_int64(s, 18),
                        .held_reason = column_text(s, 19),
                        .held_until = sqlite3_column_int64(s, 20),
                        .results_7d = sqlite3_column_int64(s, 21),
                        .success_7d = sqlite3_column_int64(s, 22),
                        .maintenance_until = sqlite3_column_int64(s, 23),
                };
                r = cb(&row, now, userdata);
                if (r < 0)
                        return r;
        }
}

const char *pik_status_row_state(const PikStatusRow *row) {
        if (!row->enabled)
                return "disabled";
        if (row->held)
                return "held";
        if (row->unconfirmed)
                return "unconfirmed";
        if (!row->outcome)
                return "new";
        return streq_ptr(row->kind, "success") ? "ok" : "failing";
}

const char *pik_status_check_label(char buf[static PIK_CHECK_LABEL_MAX], int64_t config_id, const char *name) {
        if (name)
                snprintf(buf, PIK_CHECK_LABEL_MAX, "#%lld %s", (long long) config_id, name);
        else
                snprintf(buf, PIK_CHECK_LABEL_MAX, "#%lld", (long long) config_id);
        return buf;
}

int pik_status_widths(PikDb *db, size_t *ret_partner, size_t *ret_check, size_t *ret_browser) {
        int64_t p, c, b;
        int r;

        r = pik_db_query_int64(db, "SELECT coalesce(max(length(p.code)), 0) FROM partner p "
                                   "WHERE EXISTS (SELECT 1 FROM job_config c WHERE c.partner_id = p.id)", &p);
        if (r < 0)
                return r;
        /* "#" and the id, then a blank and the name. */
        r = pik_db_query_int64(db, "SELECT coalesce(max(1 + length(id) + coalesce(1 + length(name), 0)), 0) "
                                   "FROM job_config", &c);
        if (r < 0)
                return r;
        r = pik_db_query_int64(db, "SELECT coalesce(max(length(b.name)), 0) FROM browser b "
                                   "WHERE EXISTS (SELECT 1 FROM job_config_browser cb WHERE cb.browser_id = b.id)", &b);
        if (r < 0)
                return r;
        *ret_partner = (size_t) p;
        *ret_check = (size_t) MIN(c, PIK_CHECK_LABEL_MAX - 1);
        *ret_browser = (size_t) b;
        return 0;
}

static int add_nullable(json_object *o, const char *key, const char *value) {
        if (!value)
                return json_object_object_add(o, key, NULL) < 0 ? -ENOMEM : 0;
        return pik_json_add(o, key, json_object_new_string(value));
}

static int add_time(json_object *o, const char *key, int64_t t) {
        char buf[FORMAT_TIMESTAMP_MAX];

        return add_nullable(o, key, t > 0 ? format_timestamp(buf, t) : NULL);
}

/* A share of successes, null without results (not 0: nothing failed). */
static int add_ratio(json_object *o, const char *key, int64_t success, int64_t results) {
        if (results <= 0)
                return json_object_object_add(o, key, NULL);
        return pik_json_add(o, key, json_object_new_double((double) success / (double) results));
}

int pik_status_row_to_json(const PikStatusRow *row, int64_t now, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();

        if (!o)
                return -ENOMEM;
        /* Keys are always there, null where a check has nothing to say yet,
         * so that scripts need not test for their presence. */
        if (pik_json_add(o, "config_id", json_object_new_int64(row->config_id)) < 0 ||
            add_nullable(o, "name", row->name) < 0 ||
            pik_json_add(o, "partner", json_object_new_string(row->partner)) < 0 ||
            pik_json_add(o, "browser", json_object_new_string(row->browser)) < 0 ||
            pik_json_add(o, "state", json_object_new_string(pik_status_row_state(row))) < 0 ||
            add_nullable(o, "partner_kind", row->partner_kind) < 0 ||
            pik_json_add(o, "enabled", json_object_new_boolean(row->enabled)) < 0 ||
            add_nullable(o, "disabled_by", row->disabled_by) < 0 ||
            add_nullable(o, "disabled_reason", row->disabled_reason) < 0 ||
            pik_json_add(o, "held", json_object_new_boolean(row->held)) < 0 ||
            add_nullable(o, "held_reason", row->held_reason) < 0 ||
            add_time(o, "held_until", row->held_until) < 0 ||
            add_time(o, "maintenance_until", row->maintenance_until) < 0 ||
            add_nullable(o, "outcome", row->outcome) < 0 ||
            add_nullable(o, "kind", row->outcome ? row->kind ?: "unknown" : NULL) < 0 ||
            (row->outcome ? pik_json_add(o, "result_id", json_object_new_int64(row->result_id))
                          : add_nullable(o, "result_id", NULL)) < 0 ||
            add_time(o, "executed_at", row->outcome ? row->executed_at : 0) < 0 ||
            (row->outcome ? pik_json_add(o, "age_sec", json_object_new_int64(now - row->executed_at))
                          : add_nullable(o, "age_sec", NULL)) < 0 ||
            add_nullable(o, "details", row->outcome ? row->details : NULL) < 0 ||
            add_nullable(o, "unconfirmed", row->unconfirmed) < 0 ||
            add_time(o, "unconfirmed_at", row->unconfirmed ? row->unconfirmed_at : 0) < 0 ||
            add_time(o, "recheck_at", row->unconfirmed ? row->recheck_at : 0) < 0 ||
            pik_json_add(o, "results_24h", json_object_new_int64(row->results_24h)) < 0 ||
            pik_json_add(o, "success_24h", json_object_new_int64(row->success_24h)) < 0 ||
            add_ratio(o, "success_ratio_24h", row->success_24h, row->results_24h) < 0 ||
            pik_json_add(o, "results_7d", json_object_new_int64(row->results_7d)) < 0 ||
            pik_json_add(o, "success_7d", json_object_new_int64(row->success_7d)) < 0 ||
            add_ratio(o, "success_ratio_7d", row->success_7d, row->results_7d) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

static int append_row(const PikStatusRow *row, int64_t now, void *userdata) {
        json_object *rows = userdata, *o;
        int r;

        r = pik_status_row_to_json(row, now, &o);
        if (r < 0)
                return r;
        if (json_object_array_add(rows, o) < 0) {
                json_object_put(o);
                return -ENOMEM;
        }
        return 0;
}

#define INCIDENT_OUTCOMES_SQL \
        "('partner-dns-not-found', 'partner-unreachable', 'partner-timeout', 'tls-certificate-invalid')"

int pik_status_in_incident(PikDb *db, const PikConfig *cfg, const char *browser, const char *outcome, int64_t now) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        /* The same question as pik_status_incidents(), for one pair; only
         * asked for a network-level partner failure, and the window is
         * short (result_executed). */
        r = pik_db_prepare(db,
                           "SELECT count(DISTINCT partner) > ?4 FROM result "
                           "WHERE executed_at > ?1 - ?2 AND browser = ?3 AND outcome = ?5 "
                           "  AND ?5 IN " INCIDENT_OUTCOMES_SQL, &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, now);
        sqlite3_bind_int64(s, 2, cfg->incident.window_sec);
        sqlite3_bind_text(s, 3, browser, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, cfg->incident.partners);
        sqlite3_bind_text(s, 5, outcome, -1, SQLITE_STATIC);
        r = pik_db_step(db, s);
        if (r <= 0)
                return r;
        return sqlite3_column_int(s, 0) != 0;
}

int pik_status_incidents(PikDb *db, const PikConfig *cfg, int64_t now, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        /* Network-level outcomes only: a wave of refused logins is the
         * partners' own doing, a wave of timeouts from one browser is more
         * likely our resolver, egress or proxy. */
        r = pik_db_prepare(db,
                           "SELECT browser, outcome, count(DISTINCT partner) AS partners, min(executed_at) AS since_at "
                           "FROM result WHERE executed_at > ?1 - ?2 AND outcome IN " INCIDENT_OUTCOMES_SQL " "
                           "GROUP BY browser, outcome HAVING count(DISTINCT partner) > ?3 "
                           "ORDER BY partners DESC, browser, outcome", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, now);
        sqlite3_bind_int64(s, 2, cfg->incident.window_sec);
        sqlite3_bind_int64(s, 3, cfg->incident.partners);
        return pik_db_query_json(db, s, 0, ret);
}

int pik_status(PikDb *db, const PikConfig *cfg, int64_t now, json_object **ret) {
        _cleanup_json_ json_object *rows = NULL, *o = NULL, *incidents = NULL;
        _cleanup_(pik_hold_done) PikHold hold = {};
        char buf[FORMAT_TIMESTAMP_MAX];
        int r;

        r = pik_job_get_hold(db, 0, now, &hold);
        if (r < 0)
                return r;
        rows = json_object_new_array();
        o = json_object_new_object();
        if (!rows || !o)
                return -ENOMEM;
        r = pik_status_foreach(db, now, append_row, rows);
        if (r < 0)
                return r;
        r = pik_status_incidents(db, cfg, now, &incidents);
        if (r < 0)
                return r;
        if (pik_json_add(o, "now", json_object_new_string(format_timestamp(buf, now))) < 0 ||
            pik_json_add(o, "held", json_object_new_boolean(hold.held)) < 0 ||
            add_nullable(o, "held_reason", hold.reason) < 0 ||
            add_time(o, "held_until", hold.until) < 0 ||
            pik_json_add(o, "canary", json_object_new_boolean(cfg->canary.dns || cfg->canary.url)) < 0 ||
            pik_json_add(o, "incidents", TAKE_PTR(incidents)) < 0 ||
            pik_json_add(o, "rows", TAKE_PTR(rows)) < 0)
                return -ENOMEM;

        *ret = TAKE_PTR(o);
        return 0;
}
