/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>

#include "partner.h"
#include "string-util.h"
#include "entity.h"
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

static const EntityTable partner_table = {
        .what = "partner",
        .table = "partner",
        .history_column = "partner",
        .get_id = pik_partner_get_id,
};

int pik_partner_remove(PikDb *db, const char *code, bool force) {
        return entity_remove(db, &partner_table, code, force);
}

int pik_partner_set_enabled(PikDb *db, const char *code, bool enabled, const char *reason) {
        return entity_set_enabled(db, &partner_table, code, enabled, reason);
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
