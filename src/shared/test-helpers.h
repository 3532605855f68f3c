/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Assertions for the unit tests: abort with file, line and the expression
 * (and both values where it helps), so a failing test says what broke. */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

#define ASSERT_TRUE(expr)                                                       \
        do {                                                                    \
                if (!(expr)) {                                                  \
                        fprintf(stderr, "%s:%d: assertion failed: %s\n",        \
                                __FILE__, __LINE__, #expr);                     \
                        abort();                                                \
                }                                                               \
        } while (0)

#define ASSERT_OK(expr)                                                         \
        do {                                                                    \
                long long _r = (long long) (expr);                              \
                if (_r < 0) {                                                   \
                        fprintf(stderr, "%s:%d: %s failed: %s\n",               \
                                __FILE__, __LINE__, #expr, strerror((int) -_r));\
                        abort();                                                \
                }                                                               \
        } while (0)

#define ASSERT_ERR(expr, err)                                                   \
        do {                                                                    \
                long long _r = (long long) (expr);                              \
                if (_r != -(err)) {                                             \
                        fprintf(stderr, "%s:%d: %s returned %lld, expected -%s\n", \
                                __FILE__, __LINE__, #expr, _r, #err);           \
                        abort();                                                \
                }                                                               \
        } while (0)

#define ASSERT_EQ(a, b)                                                         \
        do {                                                                    \
                long long _a = (long long) (a), _b = (long long) (b);           \
                if (_a != _b) {                                                 \
                        fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", \
                                __FILE__, __LINE__, #a, #b, _a, _b);            \
                        abort();                                                \
                }                                                               \
        } while (0)

#define ASSERT_STREQ(a, b)                                                      \
        do {                                                                    \
                const char *_a = (a), *_b = (b);                                \
                if (!streq_ptr(_a, _b)) {                                       \
                        fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", \
                                __FILE__, __LINE__, #a, #b, _a ?: "(null)", _b ?: "(null)"); \
                        abort();                                                \
                }                                                               \
        } while (0)

/* A fresh private directory for the test's files; removed by test_tmpdir_cleanup(). */
char *test_tmpdir(void);
void test_tmpdir_cleanup(char *dir);
/* Parse an ISO 8601 timestamp or abort. */
int64_t T(const char *iso);
/* Read a whole file, or NULL. */
char *test_read_file(const char *path);

#include "config.h"
#include "db.h"

/* A fresh database in its own temporary directory (*ret_dir, to pass to
 * test_tmpdir_cleanup()), at the latest schema. */
PikDb *test_db_new(char **ret_dir);
/* Built-in defaults, with overrides for what the test cares about. */
PikConfig *test_config_new(void);
/* SHA-free fingerprint of the whole database content: every row of every
 * table, in order. Equal fingerprints mean nothing changed. */
char *test_db_dump(PikDb *db);
/* A whole file with its size, NULs and all, or NULL. */
char *test_read_binary(const char *path, size_t *ret_size);
/* The one integer a query returns (sql as printf format), or abort. */
int64_t test_query_int64(PikDb *db, const char *fmt, ...) _printf_(2, 3);
