/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <string.h>

#include "outcome.h"
#include "string-util.h"
#include "validate.h"

static const char *const kind_table[_OUTCOME_KIND_MAX] = {
        [OUTCOME_KIND_SUCCESS] = "success",
        [OUTCOME_KIND_PARTNER] = "partner",
        [OUTCOME_KIND_INFRASTRUCTURE] = "infrastructure",
        [OUTCOME_KIND_CONFIGURATION] = "configuration",
};

const char *outcome_kind_to_string(OutcomeKind k) {
        if (k < 0 || k >= _OUTCOME_KIND_MAX)
                return NULL;
        return kind_table[k];
}

OutcomeKind outcome_kind_from_string(const char *s) {
        if (!s)
                return _OUTCOME_KIND_INVALID;
        for (int k = 0; k < _OUTCOME_KIND_MAX; k++)
                if (streq(s, kind_table[k]))
                        return (OutcomeKind) k;
        return _OUTCOME_KIND_INVALID;
}

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

OutcomeKind pik_outcome_builtin_kind(const char *name) {
        static const char *const infrastructure[] = {
                "local-dns-failure", "egress-down", "webdriver-session-failed", "engine-crashed",
                "check-expired", "out-of-memory", "unit-start-failed", "internal-error",
        };
        static const char *const configuration[] = {
                "missing-credentials", "invalid-config",
        };
        static const char *const partner[] = {
                "login-rejected", "success-marker-missing", "failure-marker-present", "login-form-missing",
                "sso-failed", "http-4xx", "http-5xx", "partner-throttled", "redirect-loop",
                "tls-certificate-invalid", "partner-dns-not-found", "partner-unreachable", "partner-timeout",
                "address-refused",
        };

        if (!name)
                return _OUTCOME_KIND_INVALID;
        if (streq(name, "success"))
                return OUTCOME_KIND_SUCCESS;
        for (size_t i = 0; i < ELEMENTSOF(partner); i++)
                if (streq(name, partner[i]))
                        return OUTCOME_KIND_PARTNER;
        for (size_t i = 0; i < ELEMENTSOF(infrastructure); i++)
                if (streq(name, infrastructure[i]))
                        return OUTCOME_KIND_INFRASTRUCTURE;
        for (size_t i = 0; i < ELEMENTSOF(configuration); i++)
                if (streq(name, configuration[i]))
                        return OUTCOME_KIND_CONFIGURATION;
        return _OUTCOME_KIND_INVALID;
}
