/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "db.h"

/* What partners and browsers share: a row named by a code, enabled or
 * disabled with a reason, and history (results, executions) that names it
 * by that code and outlives it. */
typedef struct EntityTable {
        const char *what;            /* "partner", for messages */
        const char *table;           /* its table */
        const char *history_column;  /* the column of result and execution that names it */
        int (*get_id)(PikDb *db, const char *name, int64_t *ret);
} EntityTable;

/* Without force, -EBUSY when history exists; the history stays either way. */
int entity_remove(PikDb *db, const EntityTable *t, const char *name, bool force);
int entity_set_enabled(PikDb *db, const EntityTable *t, const char *name, bool enabled, const char *reason);
