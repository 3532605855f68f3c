/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>

#include "partner.h"
#include "string-util.h"
#include "validate.h"

int pik_partner_get_id(PikDb *db, const char *code, int64_t *ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_validate_code(db, "partner code", code);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, "SELECT id FROM partner WHERE code = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        if (r == 0)
                return pik_db_set_error(db, -ENOENT, "partner '%s' not found", code);
        *ret = sqlite3_column_int64(s, 0);
        return 0;
}

int pik_partner_add(PikDb *db, const char *code, const char *name, int64_t now) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_validate_code(db, "partner code", code);
        if (r < 0)
                return r;
        r = pik_validate_text(db, "partner name", name, PIK_TEXT_MAX, false);
        if (r < 0)
                return r;

        r = pik_db_prepare(db, "INSERT INTO partner (code, name, created_at) VALUES (?, ?, ?)", &s);
        if (r < 0)
                return r;
        sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, now);
        r = pik_db_step(db, s);
        if (r == -EEXIST)
                return pik_db_set_error(db, r, "partner '%s' already exists", code);
        return r < 0 ? r : 0;
}

int pik_partner_remove(PikDb *db, const char *code, bool force) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        _cleanup_stmt_ sqlite3_stmt *s = NULL, *d = NULL;
        int64_t id, history;
        int r;

        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        r = pik_partner_get_id(db, code, &id);
        if (r < 0)
                return r;

        r = pik_db_prepare(db,
                           "SELECT (SELECT count(*) FROM result WHERE partner = ?1) + "
                           "       (SELECT count(*) FROM execution WHERE partner = ?1)", &s);
        if (r < 0)
                return r;
        sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        history = sqlite3_column_int64(s, 0);
        if (history > 0 && !force)
                return pik_db_set_error(db, -EBUSY,
                                        "partner '%s' has history (%lld results and executions); "
                                        "use --force to remove it (its results are kept)",
                                        code, (long long) history);

        /* Configurations and scheduled jobs go with the partner (ON DELETE
         * CASCADE); executions and results name it by code and stay. */
        r = pik_db_prepare(db, "DELETE FROM partner WHERE id = ?", &d);
        if (r < 0)
                return r;
        sqlite3_bind_int64(d, 1, id);
        r = pik_db_step(db, d);
        if (r < 0)
                return r;

        return pik_db_commit(TAKE_PTR(tx));
}

int pik_partner_set_enabled(PikDb *db, const char *code, bool enabled, const char *reason) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int64_t id;
        int r;

        r = pik_validate_reason(db, enabled, reason);
        if (r < 0)
                return r;
        r = pik_partner_get_id(db, code, &id);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, "UPDATE partner SET enabled = ?, disabled_reason = ? WHERE id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int(s, 1, enabled);
        if (enabled)
                sqlite3_bind_null(s, 2);
        else
                sqlite3_bind_text(s, 2, reason, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, id);
        r = pik_db_step(db, s);
        return r < 0 ? r : 0;
}

#define PARTNER_COLUMNS                                                         \
        "p.code, p.name, p.enabled, p.disabled_reason, p.created_at, "          \
        "(SELECT count(*) FROM job_config c WHERE c.partner_id = p.id) AS configs "

int pik_partner_list(PikDb *db, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_prepare(db, "SELECT " PARTNER_COLUMNS "FROM partner p ORDER BY p.code", &s);
        if (r < 0)
                return r;
        return pik_db_query_json(db, s, 0, ret);
}

int pik_partner_show(PikDb *db, const char *code, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_validate_code(db, "partner code", code);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, "SELECT " PARTNER_COLUMNS "FROM partner p WHERE p.code = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
        r = pik_db_query_json_one(db, s, ret);
        if (r == -ENOENT)
                return pik_db_set_error(db, -ENOENT, "partner '%s' not found", code);
        return r;
}
