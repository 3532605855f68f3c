/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "browser.h"
#include "jobconfig.h"
#include "jobconfig-options.h"
#include "partner.h"
#include "string-util.h"
#include "validate.h"

int pik_jobconfig_check_exists(PikDb *db, int64_t id) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_prepare(db, "SELECT 1 FROM job_config WHERE id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, id);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        if (r == 0)
                return pik_db_set_error(db, -ENOENT, "configuration %lld not found", (long long) id);
        return 0;
}

int pik_jobconfig_validate(PikDb *db, const PikJobConfigSpec *spec, const char *default_tz) {
        _cleanup_(schedule_freep) Schedule *sched = NULL;
        _cleanup_free_ char *error = NULL;
        PikJobConfigSpec stored = *spec;
        int r;

        /* Each option's own rule, from its row of the table; then the rules
         * that span options. */
        stored.timezone = spec->timezone ?: default_tz ?: "UTC";
        r = pik_config_options_check(db, &stored);
        if (r < 0)
                return r;
        if (spec->schedule_override && !spec->schedule_name)
                return pik_db_set_error(db, -EINVAL, "only a named default schedule can be overridden");
        r = schedule_parse(spec->schedule_type, spec->schedule, stored.timezone, &sched, &error);
        if (r < 0)
                return pik_db_set_error(db, r == -ENOENT ? -EINVAL : r, "schedule '%s': %s",
                                        spec->schedule, error ?: "invalid");
        return 0;
}

int pik_jobconfig_resolve_schedule(PikDb *db, const PikConfig *cfg, PikJobConfigSpec *spec, uint64_t *fields) {
        const PikNamedSchedule *named;

        if (!(*fields & PIK_CONFIG_FIELD_SCHEDULE_NAME))
                return 0;
        if (!spec->schedule_name || !spec->schedule_name[0]) {
                spec->schedule_name = NULL;
                spec->schedule_override = false;
                return 0;
        }
        named = pik_config_find_schedule(cfg, spec->schedule_name);
        if (!named)
                return pik_db_set_error(db, -ENOENT, "%s names no schedule '%s' (its \"schedules\" group)",
                                        cfg && cfg->path ? cfg->path : "pik.conf", SNIPPET(spec->schedule_name));
        spec->schedule_override = *fields & PIK_CONFIG_FIELD_SCHEDULE;
        if (!spec->schedule_override) {
                spec->schedule_type = named->type;
                spec->schedule = named->text;
                *fields |= PIK_CONFIG_FIELD_SCHEDULE;
        }
        return 0;
}

int pik_jobconfig_add(PikDb *db, const PikJobConfigSpec *spec, const char *default_tz, int64_t now, int64_t *ret_id) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        _cleanup_stmt_ sqlite3_stmt *s = NULL, *b = NULL;
        _cleanup_free_ char *cols = NULL, *params = NULL, *sql = NULL;
        const char *tz = spec->timezone ?: default_tz ?: "UTC";
        size_t n = strv_length(spec->browsers);
        int64_t partner_id, id;
        int r;

        /* Everything is validated before the first write. */
        r = pik_jobconfig_validate(db, spec, default_tz);
        if (r < 0)
                return r;

        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        r = pik_partner_get_id(db, spec->partner, &partner_id);
        if (r < 0)
                return r;

        /* The option's columns are the table's (jobconfig-options.c). */
        cols = pik_config_options_columns(PIK_CONFIG_COLUMNS_NAMES);
        params = pik_config_options_columns(PIK_CONFIG_COLUMNS_PLACEHOLDERS);
        if (!cols || !params ||
            asprintf(&sql, "INSERT INTO job_config (partner_id, created_at, schedule_override, %s) VALUES (?, ?, ?, %s)",
                     cols, params) < 0)
                return -ENOMEM;
        r = pik_db_prepare(db, sql, &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, partner_id);
        sqlite3_bind_int64(s, 2, now);
        sqlite3_bind_int(s, 3, spec->schedule_name && spec->schedule_override);
        (void) pik_config_options_bind(s, 4, spec, tz);
        r = pik_db_step(db, s);
        if (r == -EEXIST)
                return pik_db_set_error(db, -EEXIST, "partner %s already has a configuration named '%s'",
                                        spec->partner, spec->name);
        if (r < 0)
                return r;
        id = sqlite3_last_insert_rowid(pik_db_handle(db));

        r = pik_db_prepare(db, "INSERT OR IGNORE INTO job_config_browser (config_id, browser_id) VALUES (?, ?)", &b);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                int64_t browser_id;

                r = pik_browser_get_id(db, spec->browsers[i], &browser_id);
                if (r < 0)
                        return r;
                sqlite3_reset(b);
                sqlite3_bind_int64(b, 1, id);
                sqlite3_bind_int64(b, 2, browser_id);
                r = pik_db_step(db, b);
                if (r < 0)
                        return r;
        }

        r = pik_db_commit(TAKE_PTR(tx));
        if (r < 0)
                return r;
        if (ret_id)
                *ret_id = id;
        return 0;
}

int pik_jobconfig_remove(PikDb *db, int64_t id) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        r = pik_jobconfig_check_exists(db, id);
        if (r < 0)
                return r;
        /* Scheduled jobs go with it; executions keep their history with
         * job_id set to NULL, results are untouched. */
        r = pik_db_prepare(db, "DELETE FROM job_config WHERE id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, id);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        return pik_db_commit(TAKE_PTR(tx));
}

int pik_jobconfig_set_enabled(PikDb *db, int64_t id, bool enabled, const char *reason) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_validate_reason(db, enabled, reason);
        if (r < 0)
                return r;
        r = pik_jobconfig_check_exists(db, id);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, "UPDATE job_config SET enabled = ?, disabled_reason = ? WHERE id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int(s, 1, enabled);
        pik_db_bind_text_optional(s, 2, enabled ? NULL : reason);
        sqlite3_bind_int64(s, 3, id);
        r = pik_db_step(db, s);
        return r < 0 ? r : 0;
}

#define CONFIG_COLUMNS                                                                  \
        "c.id, c.name, p.code AS partner, "                                             \
        "(SELECT group_concat(name, ',') FROM (SELECT b.name FROM job_config_browser cb " \
        "   JOIN browser b ON b.id = cb.browser_id WHERE cb.config_id = c.id ORDER BY b.name)) AS browsers, " \
        "c.entry_url, c.schedule_type, c.schedule, c.timezone, c.sso, c.express_checkout, "   \
        "c.product_url, c.wait_sec, c.success_marker, c.failure_marker, c.enabled, "   \
        "c.disabled_reason, c.held, c.created_at, c.success_xpath, c.failure_xpath, c.login_form, "   \
        "c.username_field, c.password_field, c.csrf_meta, c.checkout_url, c.flow IS NOT NULL AS has_flow, " \
        "c.schedule_name, c.schedule_override, "                                        \
        "CASE WHEN c.schedule_name IS NULL THEN 'own' "                                 \
        "     WHEN c.schedule_override THEN 'own, overriding ' || c.schedule_name "     \
        "     ELSE 'named ' || c.schedule_name END AS schedule_from "

int pik_jobconfig_list(PikDb *db, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_prepare(db, "SELECT " CONFIG_COLUMNS "FROM job_config c JOIN partner p ON p.id = c.partner_id "
                               "ORDER BY c.id", &s);
        if (r < 0)
                return r;
        return pik_db_query_json(db, s, 0, ret);
}

int pik_jobconfig_show(PikDb *db, int64_t id, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_prepare(db, "SELECT " CONFIG_COLUMNS "FROM job_config c JOIN partner p ON p.id = c.partner_id "
                               "WHERE c.id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, id);
        r = pik_db_query_json_one(db, s, ret);
        if (r == -ENOENT)
                return pik_db_set_error(db, -ENOENT, "configuration %lld not found", (long long) id);
        return r;
}
