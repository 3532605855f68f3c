/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "db.h"
#include "outcome-kind.h"

/* The outcome catalog (seeded by a migration): every discrete way a check
 * can end, whose problem it is, and whether pik retries it. */

typedef struct PikOutcome {
        char name[64];
        OutcomeKind kind;
        bool retried;
} PikOutcome;

/* -ENOENT (error set) for a name not in the catalog. */
int pik_outcome_lookup(PikDb *db, const char *name, PikOutcome *ret);
int pik_outcome_list(PikDb *db, json_object **ret);
