/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stddef.h>

#include "macro.h"
#include "outcome-kind.h"
#include "string-util.h"

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
