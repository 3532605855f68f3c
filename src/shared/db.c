/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "string-util.h"
#include "time-util.h"
#include "migrations.h"

struct PikDb {
        sqlite3 *handle;
        char *path;
        char *error;
        unsigned version;
};

/* Writers wait this long for the lock (a scheduler pass and pikd may
 * overlap) before giving up with -EBUSY. */
#define PIK_DB_BUSY_TIMEOUT_MS 10000

unsigned pik_db_schema_latest(void) {
        return (unsigned) pik_migrations_count;
}

sqlite3 *pik_db_handle(PikDb *db) {
        return db->handle;
}

const char *pik_db_path(PikDb *db) {
        return db->path;
}

unsigned pik_db_schema_version(PikDb *db) {
        return db->version;
}

int sqlite_to_errno(int rc) {
        switch (rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_ROW:
        case SQLITE_DONE:
                return 0;
        case SQLITE_NOMEM:
                return -ENOMEM;
        /* Not EBUSY: that one means "has history" to pikctl and on the bus. */
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EAGAIN;
        case SQLITE_READONLY:
                return -EROFS;
        case SQLITE_PERM:
        case SQLITE_AUTH:
                return -EACCES;
        case SQLITE_CANTOPEN:
                return -ENOENT;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                return -EBADMSG;
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_CONSTRAINT:
                return (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) ? -EEXIST : -EINVAL;
        case SQLITE_TOOBIG:
                return -E2BIG;
        case SQLITE_MISMATCH:
        case SQLITE_RANGE:
                return -EINVAL;
        default:
                return -EIO;
        }
}

void pik_db_clear_error(PikDb *db) {
        db->error = mfree(db->error);
}

int pik_db_set_error(PikDb *db, int r, const char *format, ...) {
        char *m = NULL;
        va_list ap;

        va_start(ap, format);
        if (vasprintf(&m, format, ap) < 0)
                m = NULL;
        va_end(ap);

        free(db->error);
        db->error = m;
        return r;
}

static int set_sqlite_error(PikDb *db, int rc) {
        return pik_db_set_error(db, sqlite_to_errno(rc), "%s: %s", db->path, sqlite3_errmsg(db->handle));
}

bool pik_db_has_error(PikDb *db) {
        return db->error;
}

const char *pik_db_error(PikDb *db) {
        return db->error ?: "unknown error";
}

void pik_db_bind_text_optional(sqlite3_stmt *s, int i, const char *v) {
        if (v && *v)
                sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
        else
                sqlite3_bind_null(s, i);
}

int pik_db_exec(PikDb *db, const char *sql) {
        int rc = sqlite3_exec(db->handle, sql, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
                return set_sqlite_error(db, rc);
        return 0;
}

int pik_db_prepare(PikDb *db, const char *sql, sqlite3_stmt **ret) {
        /* Statements are prepared per call: the passes run once per process,
         * so a statement cache would buy nothing. */
        int rc = sqlite3_prepare_v2(db->handle, sql, -1, ret, NULL);
        if (rc != SQLITE_OK)
                return set_sqlite_error(db, rc);
        return 0;
}

int pik_db_step(PikDb *db, sqlite3_stmt *s) {
        int rc = sqlite3_step(s);

        if (rc == SQLITE_ROW)
                return 1;
        if (rc == SQLITE_DONE)
                return 0;
        return set_sqlite_error(db, sqlite3_extended_errcode(db->handle));
}

int pik_db_query_int64(PikDb *db, const char *sql, int64_t *ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_prepare(db, sql, &s);
        if (r < 0)
                return r;
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        if (r == 0)
                return pik_db_set_error(db, -ENODATA, "query returned no row");
        *ret = sqlite3_column_int64(s, 0);
        return 0;
}

int pik_db_begin(PikDb *db, PikDb **ret_tx) {
        int r = pik_db_exec(db, "BEGIN IMMEDIATE");
        if (r < 0)
                return r;
        *ret_tx = db;
        return 0;
}

int pik_db_commit(PikDb *tx) {
        int r = pik_db_exec(tx, "COMMIT");
        if (r < 0)
                pik_db_rollback(tx);
        return r;
}

void pik_db_rollback(PikDb *tx) {
        if (tx && !sqlite3_get_autocommit(tx->handle))
                (void) sqlite3_exec(tx->handle, "ROLLBACK", NULL, NULL, NULL);
}

static int read_user_version(PikDb *db, unsigned *ret) {
        int64_t v;
        int r = pik_db_query_int64(db, "PRAGMA user_version", &v);
        if (r < 0)
                return r;
        if (v < 0 || v > UINT32_MAX)
                return pik_db_set_error(db, -EBADMSG, "%s: invalid schema version %lld", db->path, (long long) v);
        *ret = (unsigned) v;
        return 0;
}

/* All pending migrations in one transaction: a failure halfway leaves the
 * database at the version it had. */
static int migrate(PikDb *db, unsigned target) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        unsigned v = 0;
        int r;

        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;

        /* Read again under the write lock: another process may have
         * migrated between open and now. */
        r = read_user_version(db, &v);
        if (r < 0)
                return r;
        if (v >= target) {
                db->version = v;
                return 0;
        }

        for (unsigned i = v; i < target; i++) {
                r = pik_db_exec(db, pik_migrations[i]);
                if (r < 0)
                        return pik_db_set_error(db, r, "%s: migration to schema version %u failed: %s",
                                                db->path, i + 1, sqlite3_errmsg(db->handle));
        }

        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %u", target);
        r = pik_db_exec(db, sql);
        if (r < 0)
                return r;

        r = pik_db_commit(TAKE_PTR(tx));
        if (r < 0)
                return r;
        db->version = target;
        return 0;
}

PikDb *pik_db_close(PikDb *db) {
        if (!db)
                return NULL;
        if (db->handle)
                sqlite3_close_v2(db->handle);
        free(db->path);
        free(db->error);
        free(db);
        return NULL;
}

static int db_open_internal(const char *path, PikDbOpenFlags flags, unsigned target, PikDb **ret, char **ret_error) {
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        int rc, r, oflags;

        /* SQLite gives these names meanings of their own (and Debian builds
         * it with SQLITE_USE_URI): "file:" opens a URI whose options
         * (mode=ro, vfs=, immutable=1...) would override ours, ":memory:"
         * and "" a database that vanishes at exit. pik opens files by
         * their plain path only; "./file:x" still names such a file. */
        if (!path || !*path || streq(path, ":memory:") || startswith(path, "file:")) {
                if (ret_error && asprintf(ret_error,
                                          "Database path '%s' is an SQLite URI or special name; pik opens plain "
                                          "file paths only (prefix ./ for a file whose name starts with file:)",
                                          SNIPPET(path ?: "")) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }

        db = calloc(1, sizeof *db);
        if (!db)
                return -ENOMEM;
        db->path = strdup(path);
        if (!db->path)
                return -ENOMEM;

        if (flags & PIK_DB_READONLY)
                oflags = SQLITE_OPEN_READONLY;
        else {
                oflags = SQLITE_OPEN_READWRITE;
                if (flags & PIK_DB_CREATE)
                        oflags |= SQLITE_OPEN_CREATE;
        }
        /* Each handle is used by one thread. */
        oflags |= SQLITE_OPEN_NOMUTEX;

        rc = sqlite3_open_v2(path, &db->handle, oflags, NULL);
        if (rc != SQLITE_OK) {
                r = sqlite_to_errno(rc);
                if (db->handle)
                        pik_db_set_error(db, r, "%s: %s", path, sqlite3_errmsg(db->handle));
                goto fail;
        }
        sqlite3_extended_result_codes(db->handle, 1);
        sqlite3_busy_timeout(db->handle, PIK_DB_BUSY_TIMEOUT_MS);

        r = pik_db_exec(db, "PRAGMA foreign_keys = ON");
        if (r < 0)
                goto fail;

        r = read_user_version(db, &db->version);
        if (r < 0)
                goto fail;

        if (db->version > pik_db_schema_latest()) {
                r = pik_db_set_error(db, -EPROTONOSUPPORT,
                                     "%s: database schema version %u is newer than this pik understands (%u); "
                                     "upgrade pik or use the database with the version that wrote it",
                                     path, db->version, pik_db_schema_latest());
                goto fail;
        }

        if (!(flags & PIK_DB_READONLY)) {
                /* WAL lets readers (pikctl status) run while a pass writes. */
                r = pik_db_exec(db, "PRAGMA journal_mode = WAL");
                if (r < 0)
                        goto fail;
                r = pik_db_exec(db, "PRAGMA synchronous = NORMAL");
                if (r < 0)
                        goto fail;
                if (db->version < target) {
                        r = migrate(db, target);
                        if (r < 0)
                                goto fail;
                }
        } else if (db->version < target) {
                r = pik_db_set_error(db, -EROFS,
                                     "%s: database schema version %u is older than this pik's (%u) "
                                     "and it was opened read-only, so it cannot be upgraded",
                                     path, db->version, target);
                goto fail;
        }

        *ret = TAKE_PTR(db);
        return 0;

fail:
        if (ret_error) {
                if (db->error)
                        *ret_error = TAKE_PTR(db->error);
                else if (asprintf(ret_error, "%s: %s", path, strerror(-r)) < 0)
                        *ret_error = NULL;
        }
        return r;
}

int pik_db_open(const char *path, PikDbOpenFlags flags, PikDb **ret, char **ret_error) {
        return db_open_internal(path, flags, pik_db_schema_latest(), ret, ret_error);
}

int pik_db_open_at_version(const char *path, unsigned version, PikDb **ret, char **ret_error) {
        if (version > pik_db_schema_latest())
                return -EINVAL;
        return db_open_internal(path, PIK_DB_CREATE, version, ret, ret_error);
}

int pik_db_get_setting(PikDb *db, const char *key, char **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_prepare(db, "SELECT value FROM setting WHERE key = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        if (r == 0) {
                *ret = NULL;
                return 0;
        }
        char *v = strdup((const char *) sqlite3_column_text(s, 0));
        if (!v)
                return -ENOMEM;
        *ret = v;
        return 1;
}

int pik_db_set_setting(PikDb *db, const char *key, const char *value) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        if (value)
                r = pik_db_prepare(db, "INSERT INTO setting (key, value) VALUES (?1, ?2) "
                                       "ON CONFLICT (key) DO UPDATE SET value = ?2", &s);
        else
                r = pik_db_prepare(db, "DELETE FROM setting WHERE key = ?1", &s);
        if (r < 0)
                return r;
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        if (value)
                sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
        r = pik_db_step(db, s);
        return r < 0 ? r : 0;
}

static bool column_is_bool(const char *name) {
        static const char *const names[] = {
                "enabled", "held", "dispatched", "sso", "express_checkout", "retried", "hold", "unconfirmed",
                "schedule_override",
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(name, names[i]))
                        return true;
        return false;
}

static bool column_is_time(const char *name) {
        size_t n = strlen(name);
        return (n > 3 && streq(name + n - 3, "_at")) || streq(name, "run_after") || streq(name, "held_until") ||
               streq(name, "flapping_since");
}

int pik_json_add(json_object *o, const char *key, json_object *v) {
        if (!v)
                return -ENOMEM;
        if (json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int pik_db_row_to_json(sqlite3_stmt *s, json_object **ret) {
        _cleanup_(json_object_putp) json_object *o = NULL;
        int n = sqlite3_column_count(s);

        o = json_object_new_object();
        if (!o)
                return -ENOMEM;

        for (int i = 0; i < n; i++) {
                const char *name = sqlite3_column_name(s, i);
                json_object *v = NULL;

                switch (sqlite3_column_type(s, i)) {
                case SQLITE_NULL:
                        break;
                case SQLITE_INTEGER: {
                        int64_t x = sqlite3_column_int64(s, i);
                        if (column_is_bool(name))
                                v = json_object_new_boolean(x != 0);
                        else if (column_is_time(name)) {
                                char buf[FORMAT_TIMESTAMP_MAX];
                                v = json_object_new_string(format_timestamp(buf, x));
                        } else
                                v = json_object_new_int64(x);
                        if (!v)
                                return -ENOMEM;
                        break;
                }
                case SQLITE_FLOAT:
                        v = json_object_new_double(sqlite3_column_double(s, i));
                        if (!v)
                                return -ENOMEM;
                        break;
                default:
                        v = json_object_new_string_len((const char *) sqlite3_column_text(s, i),
                                                       sqlite3_column_bytes(s, i));
                        if (!v)
                                return -ENOMEM;
                }
                if (json_object_object_add(o, name, v) < 0) {
                        json_object_put(v);
                        return -ENOMEM;
                }
        }

        *ret = TAKE_PTR(o);
        return 0;
}

int pik_db_query_json(PikDb *db, sqlite3_stmt *s, size_t limit, json_object **ret) {
        _cleanup_(json_object_putp) json_object *a = NULL;
        size_t n = 0;
        int r;

        a = json_object_new_array();
        if (!a)
                return -ENOMEM;

        for (;;) {
                json_object *row;

                r = pik_db_step(db, s);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (limit > 0 && n >= limit)
                        break;
                r = pik_db_row_to_json(s, &row);
                if (r < 0)
                        return r;
                if (json_object_array_add(a, row) < 0) {
                        json_object_put(row);
                        return -ENOMEM;
                }
                n++;
        }

        *ret = TAKE_PTR(a);
        return 0;
}

int pik_db_query_json_one(PikDb *db, sqlite3_stmt *s, json_object **ret) {
        _cleanup_json_ json_object *a = NULL;
        int r;

        r = pik_db_query_json(db, s, 1, &a);
        if (r < 0)
                return r;
        if (json_object_array_length(a) == 0)
                return -ENOENT;
        *ret = json_object_get(json_object_array_get_idx(a, 0));
        return 0;
}
