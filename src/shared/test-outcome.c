/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The outcome catalog as seeded: every outcome the checks may report, with
 * the kind that tells the operator whose problem it is. */

#include "outcome.h"
#include "test-helpers.h"

static const struct {
        const char *name;
        OutcomeKind kind;
        bool retried;
} expected[] = {
        { "success", OUTCOME_KIND_SUCCESS, false },
        { "login-rejected", OUTCOME_KIND_PARTNER, false },
        { "success-marker-missing", OUTCOME_KIND_PARTNER, false },
        { "failure-marker-present", OUTCOME_KIND_PARTNER, false },
        { "login-form-missing", OUTCOME_KIND_PARTNER, false },
        { "sso-failed", OUTCOME_KIND_PARTNER, false },
        { "http-4xx", OUTCOME_KIND_PARTNER, false },
        { "http-5xx", OUTCOME_KIND_PARTNER, false },
        { "partner-throttled", OUTCOME_KIND_PARTNER, true },
        { "redirect-loop", OUTCOME_KIND_PARTNER, false },
        { "tls-certificate-invalid", OUTCOME_KIND_PARTNER, false },
        { "partner-dns-not-found", OUTCOME_KIND_PARTNER, false },
        { "partner-unreachable", OUTCOME_KIND_PARTNER, false },
        { "partner-timeout", OUTCOME_KIND_PARTNER, false },
        { "address-refused", OUTCOME_KIND_PARTNER, false },
        { "local-dns-failure", OUTCOME_KIND_INFRASTRUCTURE, true },
        { "egress-down", OUTCOME_KIND_INFRASTRUCTURE, true },
        { "webdriver-session-failed", OUTCOME_KIND_INFRASTRUCTURE, true },
        { "engine-crashed", OUTCOME_KIND_INFRASTRUCTURE, true },
        { "check-expired", OUTCOME_KIND_INFRASTRUCTURE, true },
        { "out-of-memory", OUTCOME_KIND_INFRASTRUCTURE, true },
        { "unit-start-failed", OUTCOME_KIND_INFRASTRUCTURE, true },
        { "internal-error", OUTCOME_KIND_INFRASTRUCTURE, true },
        { "missing-credentials", OUTCOME_KIND_CONFIGURATION, false },
        { "invalid-config", OUTCOME_KIND_CONFIGURATION, false },
};

static void test_catalog(PikDb *db) {
        int64_t n;

        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                PikOutcome o;

                ASSERT_OK(pik_outcome_lookup(db, expected[i].name, &o));
                ASSERT_STREQ(o.name, expected[i].name);
                if (o.kind != expected[i].kind || o.retried != expected[i].retried) {
                        fprintf(stderr, "outcome %s: kind %s retried %d\n", o.name,
                                outcome_kind_to_string(o.kind), o.retried);
                        abort();
                }
        }
        /* Nothing in the catalog that this test does not know about. */
        ASSERT_OK(pik_db_query_int64(db, "SELECT count(*) FROM outcome", &n));
        ASSERT_EQ(n, ELEMENTSOF(expected));
        /* Every entry explains itself in one line. */
        ASSERT_OK(pik_db_query_int64(db, "SELECT count(*) FROM outcome WHERE length(description) < 20 "
                                         "OR instr(description, char(10)) > 0", &n));
        ASSERT_EQ(n, 0);
        /* Infrastructure failures are always retried: it is our machinery
         * that failed, the partner deserves a fair second try. */
        ASSERT_OK(pik_db_query_int64(db, "SELECT count(*) FROM outcome WHERE kind = 'infrastructure' AND NOT retried", &n));
        ASSERT_EQ(n, 0);
}

static void test_lookup_errors(PikDb *db) {
        PikOutcome o;

        ASSERT_ERR(pik_outcome_lookup(db, "worked-fine", &o), ENOENT);
        ASSERT_TRUE(strstr(pik_db_error(db), "worked-fine"));
        ASSERT_ERR(pik_outcome_lookup(db, "", &o), EINVAL);
        ASSERT_ERR(pik_outcome_lookup(db, "\xff", &o), EINVAL);
}

static void test_list(PikDb *db) {
        _cleanup_json_ json_object *a = NULL;
        json_object *first, *v;
        const char *last_kind = "success";
        static const char *order[] = { "success", "partner", "infrastructure", "configuration" };
        size_t k = 0;

        ASSERT_OK(pik_outcome_list(db, &a));
        ASSERT_EQ(json_object_array_length(a), ELEMENTSOF(expected));
        first = json_object_array_get_idx(a, 0);
        ASSERT_TRUE(json_object_object_get_ex(first, "name", &v));
        ASSERT_STREQ(json_object_get_string(v), "success");
        ASSERT_TRUE(json_object_object_get_ex(first, "retried", &v));
        ASSERT_TRUE(json_object_is_type(v, json_type_boolean));

        /* Grouped by kind, in the order an operator reads them. */
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                ASSERT_TRUE(json_object_object_get_ex(json_object_array_get_idx(a, i), "kind", &v));
                if (!streq(json_object_get_string(v), last_kind)) {
                        last_kind = json_object_get_string(v);
                        while (k < ELEMENTSOF(order) && !streq(order[k], last_kind))
                                k++;
                        ASSERT_TRUE(k < ELEMENTSOF(order));
                }
        }
}

/* The compiled-in copy that pik-check uses agrees with the catalog, entry
 * for entry. */
static void test_builtin_matches_catalog(PikDb *db) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        unsigned n = 0;

        ASSERT_OK(pik_db_prepare(db, "SELECT name, kind FROM outcome", &s));
        while (pik_db_step(db, s) > 0) {
                const char *name = (const char *) sqlite3_column_text(s, 0);
                OutcomeKind k = outcome_kind_from_string((const char *) sqlite3_column_text(s, 1));
                if (pik_outcome_builtin_kind(name) != k) {
                        fprintf(stderr, "builtin kind of %s differs from the catalog\n", name);
                        abort();
                }
                n++;
        }
        ASSERT_EQ(n, ELEMENTSOF(expected));
        ASSERT_EQ(pik_outcome_builtin_kind("nonsense"), _OUTCOME_KIND_INVALID);
        ASSERT_EQ(pik_outcome_builtin_kind(NULL), _OUTCOME_KIND_INVALID);
}

static void test_kind_strings(void) {
        for (OutcomeKind k = 0; k < _OUTCOME_KIND_MAX; k++)
                ASSERT_EQ(outcome_kind_from_string(outcome_kind_to_string(k)), k);
        ASSERT_EQ(outcome_kind_from_string("partners"), _OUTCOME_KIND_INVALID);
        ASSERT_EQ(outcome_kind_from_string(NULL), _OUTCOME_KIND_INVALID);
        ASSERT_TRUE(outcome_kind_to_string(_OUTCOME_KIND_MAX) == NULL);
}

int main(void) {
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        char *dir = NULL;

        db = test_db_new(&dir);
        test_catalog(db);
        test_lookup_errors(db);
        test_list(db);
        test_kind_strings();
        test_builtin_matches_catalog(db);
        db = pik_db_close(db);
        test_tmpdir_cleanup(dir);
        return 0;
}
