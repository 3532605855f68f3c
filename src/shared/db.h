/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "macro.h"

/* The pik database: SQLite in WAL mode with foreign keys on and a busy
 * timeout, its schema versioned with PRAGMA user_version and migrated in one
 * transaction when opened. Every function that fails with a reason an
 * operator should read leaves it in pik_db_error(). */

typedef struct PikDb PikDb;

typedef enum PikDbOpenFlags {
        PIK_DB_READONLY = 1 << 0,   /* refuse to migrate; for read-only commands */
        PIK_DB_CREATE   = 1 << 1,   /* create the file if missing */
} PikDbOpenFlags;

/* The schema version this build writes. */
unsigned pik_db_schema_latest(void);

/* On failure, ret_error (if non-NULL) gets a malloc'd explanation naming
 * the file and what was wrong with it. */
int pik_db_open(const char *path, PikDbOpenFlags flags, PikDb **ret, char **ret_error);
/* Tests only: create or migrate to a given (older) schema version. */
int pik_db_open_at_version(const char *path, unsigned version, PikDb **ret, char **ret_error);
PikDb *pik_db_close(PikDb *db);
DEFINE_TRIVIAL_CLEANUP_FUNC(PikDb *, pik_db_close);

sqlite3 *pik_db_handle(PikDb *db);
const char *pik_db_path(PikDb *db);
unsigned pik_db_schema_version(PikDb *db);

/* The last error's explanation ("partner 'acme' not found"), or a generic
 * one made from the errno when none was set. Valid until the next call. */
const char *pik_db_error(PikDb *db);
int pik_db_set_error(PikDb *db, int r, const char *format, ...) _printf_(3, 4);
bool pik_db_has_error(PikDb *db);
void pik_db_clear_error(PikDb *db);

/* BEGIN IMMEDIATE: every writer takes the write lock up front, so two
 * writers never deadlock upgrading a read lock. The returned pointer is the
 * transaction: keep it in a variable with _cleanup_(pik_db_rollbackp) and
 * hand it to pik_db_commit() with TAKE_PTR() on success. */
int pik_db_begin(PikDb *db, PikDb **ret_tx);
int pik_db_commit(PikDb *tx);
void pik_db_rollback(PikDb *tx);
DEFINE_TRIVIAL_CLEANUP_FUNC(PikDb *, pik_db_rollback);

int pik_db_prepare(PikDb *db, const char *sql, sqlite3_stmt **ret);
DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);
#define _cleanup_stmt_ _cleanup_(sqlite3_finalizep)

/* Bind text, or NULL for a missing or empty value (optional settings). */
void pik_db_bind_text_optional(sqlite3_stmt *s, int i, const char *v);

/* Run statements without results (migrations, pragmas). */
int pik_db_exec(PikDb *db, const char *sql);

/* SQLite result codes become errno values here and nowhere further out. */
int sqlite_to_errno(int rc);
/* Step a statement: 1 for a row, 0 when done, negative errno on failure
 * (with pik_db_error() set to SQLite's message). */
int pik_db_step(PikDb *db, sqlite3_stmt *s);

/* Convenience for "SELECT count(*) …" style queries with one int64 result. */
int pik_db_query_int64(PikDb *db, const char *sql, int64_t *ret);

/* Settings stored in the database (global hold). */
int pik_db_get_setting(PikDb *db, const char *key, char **ret);
int pik_db_set_setting(PikDb *db, const char *key, const char *value);

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);
#define _cleanup_json_ _cleanup_(json_object_putp)

/* Add v under key, taking it over (also on failure): -ENOMEM when v is
 * NULL (its constructor failed) or the object cannot grow. */
int pik_json_add(json_object *o, const char *key, json_object *v);

/* Rows as JSON, the form every listing takes (pikctl --json, and pikd's
 * replies): columns by name; *_at and run_after as ISO 8601 UTC strings;
 * flag columns (enabled, held, ...) as booleans; NULL columns left out. */
int pik_db_row_to_json(sqlite3_stmt *s, json_object **ret);
/* All rows of s (at most limit, 0 for no limit) as a JSON array. */
int pik_db_query_json(PikDb *db, sqlite3_stmt *s, size_t limit, json_object **ret);
/* The first row of s as a JSON object; -ENOENT (no error message: the
 * caller knows what was looked for) when there is none. */
int pik_db_query_json_one(PikDb *db, sqlite3_stmt *s, json_object **ret);
