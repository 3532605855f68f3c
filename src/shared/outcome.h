/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "db.h"

/* The outcome catalog (seeded by a migration): every discrete way a check
 * can end, whose problem it is, and whether pik retries it. */

typedef enum OutcomeKind {
        OUTCOME_KIND_SUCCESS,
        OUTCOME_KIND_PARTNER,
        OUTCOME_KIND_INFRASTRUCTURE,
        OUTCOME_KIND_CONFIGURATION,
        _OUTCOME_KIND_MAX,
        _OUTCOME_KIND_INVALID = -EINVAL,
} OutcomeKind;

const char *outcome_kind_to_string(OutcomeKind k);
OutcomeKind outcome_kind_from_string(const char *s);

typedef struct PikOutcome {
        char name[64];
        OutcomeKind kind;
        bool retried;
} PikOutcome;

/* -ENOENT (error set) for a name not in the catalog. */
int pik_outcome_lookup(PikDb *db, const char *name, PikOutcome *ret);
int pik_outcome_list(PikDb *db, json_object **ret);

/* The kind of a catalog outcome as compiled in, for a process that has no
 * database (pik-check, which must name the kind in its journal entry even
 * when pikd cannot be reached). test-outcome keeps it equal to the seeded
 * catalog. _OUTCOME_KIND_INVALID for an unknown name. */
OutcomeKind pik_outcome_builtin_kind(const char *name);
