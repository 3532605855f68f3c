/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>

/* Whose problem a check's outcome is, with no database: what pik-check
 * needs, kept apart from the catalog's queries (outcome.h) so that
 * pik-check links no sqlite. */

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

/* The kind of a catalog outcome as compiled in, for a process that has no
 * database (pik-check, which must name the kind in its journal entry even
 * when pikd cannot be reached). test-outcome keeps it equal to the seeded
 * catalog. _OUTCOME_KIND_INVALID for an unknown name. */
OutcomeKind pik_outcome_builtin_kind(const char *name);
