/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <string.h>

#include "outcome.h"
#include "string-util.h"
#include "validate.h"

int pik_outcome_lookup(PikDb *db, const char *name, PikOutcome *ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        OutcomeKind k;
        int r;

        r = pik_validate_text(db, "outcome", name, sizeof ret->name - 1, false);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, "SELECT name, kind, retried FROM outcome WHERE name = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        if (r == 0)
                return pik_db_set_error(db, -ENOENT, "outcome '%s' is not in the catalog (see pikctl outcomes)", name);

        k = outcome_kind_from_string((const char *) sqlite3_column_text(s, 1));
        if (k < 0)
                return pik_db_set_error(db, -EBADMSG, "outcome '%s' has an unknown kind in the database", name);

        PikOutcome o = { .kind = k, .retried = sqlite3_column_int(s, 2) != 0 };
        strncpy(o.name, name, sizeof o.name - 1);
        *ret = o;
        return 0;
}

int pik_outcome_list(PikDb *db, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        /* Ordered the way an operator reads it: success, then whose fault. */
        r = pik_db_prepare(db,
                           "SELECT name, kind, retried, description FROM outcome ORDER BY "
                           "CASE kind WHEN 'success' THEN 0 WHEN 'partner' THEN 1 "
                           "WHEN 'infrastructure' THEN 2 ELSE 3 END, name", &s);
        if (r < 0)
                return r;
        return pik_db_query_json(db, s, 0, ret);
}
