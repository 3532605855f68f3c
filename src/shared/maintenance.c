/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maintenance.h"
#include "partner.h"
#include "schedule.h"
#include "string-util.h"
#include "time-util.h"
#include "validate.h"

/* Shorter than a minute is a typo: the dispatcher passes every 10 seconds. */
#define DURATION_MIN 60
/* Starts looked at per window and evaluation: a window opening every
 * minute for a week is 10,080 of them; beyond, the latest is close enough. */
#define STARTS_MAX 20000

static const char *const scope_names[_PIK_MAINTENANCE_SCOPE_MAX] = {
        [PIK_MAINTENANCE_ALL] = "all",
        [PIK_MAINTENANCE_PARTNER] = "partner",
        [PIK_MAINTENANCE_CONFIG] = "config",
};

const char *pik_maintenance_scope_to_string(PikMaintenanceScope s) {
        return s >= 0 && s < _PIK_MAINTENANCE_SCOPE_MAX ? scope_names[s] : NULL;
}

PikMaintenanceScope pik_maintenance_scope_from_string(const char *s) {
        for (int i = 0; i < _PIK_MAINTENANCE_SCOPE_MAX; i++)
                if (streq_ptr(s, scope_names[i]))
                        return i;
        return _PIK_MAINTENANCE_SCOPE_INVALID;
}

int pik_maintenance_window_open(const char *cron, const char *tz, int64_t duration_sec, int64_t now,
                                int64_t *ret_until) {
        _cleanup_(schedule_freep) Schedule *s = NULL;
        int64_t t, until = 0;
        int r;

        if (duration_sec <= 0)
                return -EINVAL;
        r = schedule_parse(SCHEDULE_CRON, cron, tz, &s, NULL);
        if (r < 0)
                return r;
        /* Windows that started after now - duration are open at now if they
         * started at or before now: walk those starts, keep the last. */
        r = schedule_next(s, 0, now - duration_sec, &t);
        for (unsigned i = 0; r >= 0 && t <= now && i < STARTS_MAX; i++) {
                until = t + duration_sec;
                r = schedule_next(s, 0, t, &t);
        }
        if (r < 0 && until == 0)
                return r == -ENOENT ? 0 : r;
        if (until == 0)
                return 0;
        if (ret_until)
                *ret_until = until;
        return 1;
}

static int validate_spec(PikDb *db, const PikMaintenanceSpec *spec, int64_t *ret_partner, int64_t *ret_config) {
        _cleanup_(schedule_freep) Schedule *s = NULL;
        _cleanup_free_ char *error = NULL;
        int64_t partner_id = 0, config_id = 0;
        int r;

        r = pik_validate_text(db, "maintenance reason", spec->reason, PIK_TEXT_MAX, false);
        if (r < 0)
                return r;
        if (!spec->cron || !*spec->cron)
                return pik_db_set_error(db, -EINVAL, "a maintenance window needs a cron expression for its starts");
        r = pik_validate_text(db, "cron expression", spec->cron, PIK_TEXT_MAX, false);
        if (r < 0)
                return r;
        if (!spec->timezone || !*spec->timezone)
                return pik_db_set_error(db, -EINVAL, "a maintenance window needs a time zone");
        r = timezone_validate(spec->timezone);
        if (r < 0)
                return pik_db_set_error(db, -EINVAL, "time zone '%.64s' is %s", spec->timezone,
                                        r == -ENOENT ? "not in the time zone database" : "malformed");
        r = schedule_parse(SCHEDULE_CRON, spec->cron, spec->timezone, &s, &error);
        if (r < 0)
                return pik_db_set_error(db, -EINVAL, "cron expression '%.128s' is invalid: %s", spec->cron,
                                        error ?: strerror(-r));
        if (spec->duration_sec < DURATION_MIN || spec->duration_sec > PIK_MAINTENANCE_DURATION_MAX)
                return pik_db_set_error(db, -EINVAL, "maintenance duration %" PRIi64 "s is out of range: "
                                        "at least 1m, at most 7d (longer: pikctl hold --until)",
                                        spec->duration_sec);

        switch (spec->scope) {
        case PIK_MAINTENANCE_ALL:
                break;
        case PIK_MAINTENANCE_PARTNER:
                r = pik_partner_get_id(db, spec->target, &partner_id);
                if (r < 0)
                        return r;
                break;
        case PIK_MAINTENANCE_CONFIG: {
                _cleanup_stmt_ sqlite3_stmt *q = NULL;
                char *end = NULL;
                long long v;

                errno = 0;
                v = spec->target ? strtoll(spec->target, &end, 10) : 0;
                if (!spec->target || errno != 0 || end == spec->target || *end || v <= 0)
                        return pik_db_set_error(db, -EINVAL, "configuration id '%.64s' is invalid: expected a positive number",
                                                spec->target ?: "");
                r = pik_db_prepare(db, "SELECT id FROM job_config WHERE id = ?", &q);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(q, 1, v);
                r = pik_db_step(db, q);
                if (r < 0)
                        return r;
                if (r == 0)
                        return pik_db_set_error(db, -ENOENT, "configuration %lld not found", v);
                config_id = v;
                break;
        }
        default:
                return pik_db_set_error(db, -EINVAL, "maintenance scope is invalid: expected all, partner or config");
        }
        *ret_partner = partner_id;
        *ret_config = config_id;
        return 0;
}

int pik_maintenance_add(PikDb *db, const PikMaintenanceSpec *spec, int64_t now, int64_t *ret_id) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int64_t partner_id = 0, config_id = 0, n;
        int r;

        r = validate_spec(db, spec, &partner_id, &config_id);
        if (r < 0)
                return r;
        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        r = pik_db_query_int64(db, "SELECT count(*) FROM maintenance_window", &n);
        if (r < 0)
                return r;
        if (n >= PIK_MAINTENANCE_MAX)
                return pik_db_set_error(db, -E2BIG, "there are already %d maintenance windows (pikctl maintenance remove)",
                                        PIK_MAINTENANCE_MAX);
        r = pik_db_prepare(db, "INSERT INTO maintenance_window (partner_id, config_id, cron, timezone, duration, "
                               "  reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", &s);
        if (r < 0)
                return r;
        if (partner_id > 0)
                sqlite3_bind_int64(s, 1, partner_id);
        if (config_id > 0)
                sqlite3_bind_int64(s, 2, config_id);
        sqlite3_bind_text(s, 3, spec->cron, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, spec->timezone, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 5, spec->duration_sec);
        sqlite3_bind_text(s, 6, spec->reason, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 7, now);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        n = sqlite3_last_insert_rowid(pik_db_handle(db));
        r = pik_db_commit(TAKE_PTR(tx));
        if (r < 0)
                return r;
        *ret_id = n;
        return 0;
}

int pik_maintenance_remove(PikDb *db, int64_t id) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_prepare(db, "DELETE FROM maintenance_window WHERE id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, id);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        if (sqlite3_changes(pik_db_handle(db)) == 0)
                return pik_db_set_error(db, -ENOENT, "maintenance window %lld not found", (long long) id);
        return 0;
}

/* A JSON null for what is absent (pik_json_add() takes NULL for no memory). */
static int add_nullable(json_object *o, const char *key, json_object *v, bool present) {
        if (!present)
                return json_object_object_add(o, key, NULL) < 0 ? -ENOMEM : 0;
        return pik_json_add(o, key, v);
}

static int add_time(json_object *o, const char *key, int64_t t) {
        char buf[FORMAT_TIMESTAMP_MAX];
        return add_nullable(o, key, t > 0 ? json_object_new_string(format_timestamp(buf, t)) : NULL, t > 0);
}

int pik_maintenance_list(PikDb *db, int64_t now, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        _cleanup_json_ json_object *a = NULL;
        int r;

        r = pik_db_prepare(db, "SELECT w.id, p.code, w.config_id, w.cron, w.timezone, w.duration, w.reason, "
                               "  w.created_at FROM maintenance_window w LEFT JOIN partner p ON p.id = w.partner_id "
                               "ORDER BY w.id", &s);
        if (r < 0)
                return r;
        a = json_object_new_array();
        if (!a)
                return -ENOMEM;
        for (;;) {
                _cleanup_(schedule_freep) Schedule *sched = NULL;
                _cleanup_json_ json_object *o = NULL;
                const char *partner, *cron, *tz;
                int64_t config_id, duration, until = 0, next = 0;

                r = pik_db_step(db, s);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                partner = (const char *) sqlite3_column_text(s, 1);
                config_id = sqlite3_column_int64(s, 2);
                cron = (const char *) sqlite3_column_text(s, 3);
                tz = (const char *) sqlite3_column_text(s, 4);
                duration = sqlite3_column_int64(s, 5);
                /* A window whose zone left the tz database reads as closed
                 * and without a next start rather than failing the list. */
                if (pik_maintenance_window_open(cron, tz, duration, now, &until) <= 0)
                        until = 0;
                if (schedule_parse(SCHEDULE_CRON, cron, tz, &sched, NULL) < 0 ||
                    schedule_next(sched, 0, now, &next) < 0)
                        next = 0;

                o = json_object_new_object();
                if (!o)
                        return -ENOMEM;
                if (pik_json_add(o, "id", json_object_new_int64(sqlite3_column_int64(s, 0))) < 0 ||
                    pik_json_add(o, "scope", json_object_new_string(partner ? "partner" : config_id > 0 ? "config" : "all")) < 0 ||
                    add_nullable(o, "partner", partner ? json_object_new_string(partner) : NULL, partner) < 0 ||
                    add_nullable(o, "config_id", config_id > 0 ? json_object_new_int64(config_id) : NULL, config_id > 0) < 0 ||
                    pik_json_add(o, "cron", json_object_new_string(cron)) < 0 ||
                    pik_json_add(o, "timezone", json_object_new_string(tz)) < 0 ||
                    pik_json_add(o, "duration_sec", json_object_new_int64(duration)) < 0 ||
                    pik_json_add(o, "reason", json_object_new_string((const char *) sqlite3_column_text(s, 6))) < 0 ||
                    add_time(o, "created_at", sqlite3_column_int64(s, 7)) < 0 ||
                    add_time(o, "active_until", until) < 0 ||
                    add_time(o, "next_start", next) < 0 ||
                    json_object_array_add(a, TAKE_PTR(o)) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(a);
        return 0;
}

int pik_maintenance_open_windows(PikDb *db, int64_t now, char **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;
        bool first = true;
        int r;

        r = pik_db_prepare(db, "SELECT id, cron, timezone, duration FROM maintenance_window ORDER BY id", &s);
        if (r < 0)
                return r;
        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        fputc('[', f);
        for (;;) {
                int64_t until;

                r = pik_db_step(db, s);
                if (r <= 0)
                        break;
                r = pik_maintenance_window_open((const char *) sqlite3_column_text(s, 1),
                                                (const char *) sqlite3_column_text(s, 2),
                                                sqlite3_column_int64(s, 3), now, &until);
                /* A stored window that no longer parses (its zone gone)
                 * covers nothing rather than stopping every pass. */
                if (r <= 0)
                        continue;
                fprintf(f, "%s[%lld,%lld]", first ? "" : ",", (long long) sqlite3_column_int64(s, 0), (long long) until);
                first = false;
        }
        fputc(']', f);
        if (fclose(f) != 0)
                return -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        return 0;
}

int pik_maintenance_covers(PikDb *db, int64_t config_id, int64_t now, int64_t *ret_until) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        _cleanup_free_ char *open = NULL;
        int64_t n;
        int r;

        /* The common case, no window at all, costs one indexed count. */
        r = pik_db_query_int64(db, "SELECT count(*) FROM maintenance_window", &n);
        if (r < 0 || n == 0)
                return r < 0 ? r : 0;
        r = pik_maintenance_open_windows(db, now, &open);
        if (r < 0)
                return r;
        if (streq(open, "[]"))
                return 0;
        if (config_id > 0)
                r = pik_db_prepare(db, "SELECT " PIK_MAINTENANCE_UNTIL_SQL("c", "?2") " FROM job_config c WHERE c.id = ?1", &s);
        else
                r = pik_db_prepare(db, "SELECT max(json_extract(mo.value, '$[1]')) FROM json_each(?2) mo "
                                       "  JOIN maintenance_window mw ON mw.id = json_extract(mo.value, '$[0]') "
                                       "  WHERE mw.config_id IS NULL AND mw.partner_id IS NULL AND ?1 = 0", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, config_id);
        sqlite3_bind_text(s, 2, open, -1, SQLITE_STATIC);
        r = pik_db_step(db, s);
        if (r <= 0)
                return r;
        if (sqlite3_column_type(s, 0) == SQLITE_NULL)
                return 0;
        if (ret_until)
                *ret_until = sqlite3_column_int64(s, 0);
        return 1;
}
