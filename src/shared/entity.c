/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>

#include "entity.h"
#include "validate.h"

int entity_remove(PikDb *db, const EntityTable *t, const char *name, bool force) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        _cleanup_stmt_ sqlite3_stmt *s = NULL, *d = NULL;
        char sql[256];
        int64_t id, history;
        int r;

        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        r = t->get_id(db, name, &id);
        if (r < 0)
                return r;

        /* Table and column names are the callers' constants, never input. */
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT count(*) FROM result WHERE %1$s = ?1) + "
                 "       (SELECT count(*) FROM execution WHERE %1$s = ?1)", t->history_column);
        r = pik_db_prepare(db, sql, &s);
        if (r < 0)
                return r;
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        history = sqlite3_column_int64(s, 0);
        if (history > 0 && !force)
                return pik_db_set_error(db, -EBUSY,
                                        "%s '%s' has history (%lld results and executions); "
                                        "use --force to remove it (its results are kept)",
                                        t->what, name, (long long) history);

        /* What hangs off the row goes with it (ON DELETE CASCADE: a
         * partner's configurations, a browser's place in them, scheduled
         * jobs); executions and results name it by code and stay. */
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id = ?", t->table);
        r = pik_db_prepare(db, sql, &d);
        if (r < 0)
                return r;
        sqlite3_bind_int64(d, 1, id);
        r = pik_db_step(db, d);
        if (r < 0)
                return r;

        return pik_db_commit(TAKE_PTR(tx));
}

int entity_set_enabled(PikDb *db, const EntityTable *t, const char *name, bool enabled, const char *reason) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        char sql[128];
        int64_t id;
        int r;

        r = pik_validate_reason(db, enabled, reason);
        if (r < 0)
                return r;
        r = t->get_id(db, name, &id);
        if (r < 0)
                return r;
        snprintf(sql, sizeof sql, "UPDATE %s SET enabled = ?, disabled_reason = ? WHERE id = ?", t->table);
        r = pik_db_prepare(db, sql, &s);
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
