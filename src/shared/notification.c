/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notification.h"
#include "result.h"
#include "string-util.h"

const char *pik_notify_unit_name(char buf[static PIK_NOTIFY_UNIT_MAX], int64_t id) {
        snprintf(buf, PIK_NOTIFY_UNIT_MAX, "pik-notify@%lld.service", (long long) id);
        return buf;
}

int pik_notification_claim(PikDb *db, int64_t now, size_t max, int64_t **ret_ids, size_t *ret_n) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        _cleanup_stmt_ sqlite3_stmt *s = NULL, *u = NULL;
        _cleanup_free_ int64_t *ids = NULL;
        size_t n = 0;
        int r;

        if (max == 0 || max > PIK_NOTIFY_CLAIM_MAX)
                max = PIK_NOTIFY_CLAIM_MAX;
        ids = calloc(max, sizeof(int64_t));
        if (!ids)
                return -ENOMEM;

        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, "SELECT id FROM notification WHERE started_at IS NULL ORDER BY id LIMIT ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, (int64_t) max);
        while (n < max) {
                r = pik_db_step(db, s);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                ids[n++] = sqlite3_column_int64(s, 0);
        }
        r = pik_db_prepare(db, "UPDATE notification SET started_at = ? WHERE id = ?", &u);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                sqlite3_reset(u);
                sqlite3_bind_int64(u, 1, now);
                sqlite3_bind_int64(u, 2, ids[i]);
                r = pik_db_step(db, u);
                if (r < 0)
                        return r;
        }
        r = pik_db_commit(TAKE_PTR(tx));
        if (r < 0)
                return r;
        *ret_ids = TAKE_PTR(ids);
        *ret_n = n;
        return 0;
}

int pik_notification_done(PikDb *db, int64_t id, bool ok, const char *error, int64_t now) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        _cleanup_free_ char *clean = NULL;
        int r;

        if (!ok) {
                /* The error is a channel's own words (an HTTP status line,
                 * a program's exit): kept printable and bounded. */
                size_t n = strnlen(error ?: "", PIK_NOTIFY_ERROR_MAX);

                if (n == 0)
                        return pik_db_set_error(db, -EINVAL, "a failed delivery needs an error message");
                clean = strndup(error, n);
                if (!clean)
                        return -ENOMEM;
                for (char *c = clean; *c; c++)
                        if ((unsigned char) *c < ' ' || *c == 0x7f)
                                *c = ' ';
                if (!utf8_is_valid(clean))
                        return pik_db_set_error(db, -EINVAL, "the error message is not valid UTF-8");
        }

        /* A late failure never undoes a success (Restart= ran it again). */
        r = pik_db_prepare(db, "UPDATE notification SET attempts = attempts + 1, "
                               "  state = CASE WHEN state = 'sent' THEN 'sent' WHEN ?2 THEN 'sent' ELSE 'failed' END, "
                               "  error = CASE WHEN ?2 OR state = 'sent' THEN error ELSE ?3 END, "
                               "  sent_at = CASE WHEN ?2 AND state != 'sent' THEN ?4 ELSE sent_at END "
                               "WHERE id = ?1", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int(s, 2, ok);
        if (clean)
                sqlite3_bind_text(s, 3, clean, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, now);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        if (sqlite3_changes(pik_db_handle(db)) == 0)
                return pik_db_set_error(db, -ENOENT, "notification %lld not found", (long long) id);
        return 0;
}

int pik_notification_get(PikDb *db, const PikConfig *cfg, int64_t id, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL, *a = NULL;
        _cleanup_json_ json_object *o = NULL, *alert = NULL, *channel = NULL, *result = NULL;
        json_object *v;
        const PikChannel *ch;
        const char *target_key[] = { "to", "url", "command" };
        _cleanup_free_ char *more = NULL;
        int64_t alert_id, last_result_id;
        int r;

        r = pik_db_prepare(db, "SELECT id, alert_id, event, attempts, channel, created_at FROM notification "
                               "WHERE id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, id);
        r = pik_db_query_json_one(db, s, &o);
        if (r == -ENOENT)
                return pik_db_set_error(db, -ENOENT, "notification %lld not found", (long long) id);
        if (r < 0)
                return r;

        if (!json_object_object_get_ex(o, "channel", &v))
                return -EIO;
        ch = pik_config_find_channel(cfg, json_object_get_string(v));
        if (!ch)
                return pik_db_set_error(db, -ENOENT, "channel '%s' of notification %lld is not in the configuration",
                                        json_object_get_string(v), (long long) id);
        channel = json_object_new_object();
        if (!channel)
                return -ENOMEM;
        if (pik_json_add(channel, "name", json_object_new_string(ch->name)) < 0 ||
            pik_json_add(channel, "type", json_object_new_string(pik_channel_type_to_string(ch->type))) < 0 ||
            pik_json_add(channel, target_key[ch->type], json_object_new_string(ch->target)) < 0 ||
            pik_json_add(o, "channel", TAKE_PTR(channel)) < 0)
                return -ENOMEM;

        if (!json_object_object_get_ex(o, "alert_id", &v))
                return -EIO;
        alert_id = json_object_get_int64(v);
        json_object_object_del(o, "alert_id");
        r = pik_db_prepare(db,
                           "SELECT a.id, a.config_id, c.name AS config_name, a.partner, a.browser, a.kind, a.outcome, "
                           "  o.description, a.opened_at, a.closed_at, a.last_success_at, a.first_result_id, "
                           "  a.last_result_id FROM alert a LEFT JOIN job_config c ON c.id = a.config_id "
                           "LEFT JOIN outcome o ON o.name = a.outcome WHERE a.id = ?", &a);
        if (r < 0)
                return r;
        sqlite3_bind_int64(a, 1, alert_id);
        r = pik_db_query_json_one(db, a, &alert);
        if (r < 0)
                return r == -ENOENT ? pik_db_set_error(db, -EIO, "alert %lld is missing", (long long) alert_id) : r;
        last_result_id = json_object_object_get_ex(alert, "last_result_id", &v) ? json_object_get_int64(v) : 0;
        if (pik_json_add(o, "alert", TAKE_PTR(alert)) < 0)
                return -ENOMEM;

        /* The latest result says what the operator sees now; a pruned one
         * is simply not there. */
        r = pik_result_show(db, last_result_id, &result);
        if (r == -ENOENT)
                pik_db_clear_error(db);
        else if (r < 0)
                return r;
        else if (pik_json_add(o, "result", TAKE_PTR(result)) < 0)
                return -ENOMEM;
        if (asprintf(&more, "pikctl result show %lld", (long long) last_result_id) < 0) {
                more = NULL;
                return -ENOMEM;
        }
        if (pik_json_add(o, "more", json_object_new_string(more)) < 0)
                return -ENOMEM;

        *ret = TAKE_PTR(o);
        return 0;
}

int pik_notification_list(PikDb *db, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_prepare(db,
                           "SELECT n.id, n.alert_id, n.channel, n.event, n.state, n.attempts, n.error, n.created_at, "
                           "  n.started_at, n.sent_at, a.partner, a.browser, a.outcome "
                           "FROM notification n JOIN alert a ON a.id = n.alert_id "
                           "ORDER BY n.id DESC", &s);
        if (r < 0)
                return r;
        return pik_db_query_json(db, s, PIK_NOTIFY_LIST_MAX, ret);
}
