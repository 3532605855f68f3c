/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "partner.h"
#include "test-helpers.h"

static char *db_path(const char *dir) {
        char *p;
        ASSERT_TRUE(asprintf(&p, "%s/pik.db", dir) > 0);
        return p;
}

static int64_t count(PikDb *db, const char *sql) {
        int64_t n = -1;
        ASSERT_OK(pik_db_query_int64(db, sql, &n));
        return n;
}

static void test_fresh(void) {
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        char *dir = NULL;
        _cleanup_stmt_ sqlite3_stmt *s = NULL;

        db = test_db_new(&dir);
        ASSERT_EQ(pik_db_schema_version(db), pik_db_schema_latest());
        ASSERT_EQ(count(db, "PRAGMA user_version"), pik_db_schema_latest());
        ASSERT_EQ(count(db, "PRAGMA foreign_keys"), 1);
        ASSERT_TRUE(count(db, "PRAGMA busy_timeout") >= 1000);
        ASSERT_OK(pik_db_prepare(db, "PRAGMA journal_mode", &s));
        ASSERT_EQ(pik_db_step(db, s), 1);
        ASSERT_STREQ((const char *) sqlite3_column_text(s, 0), "wal");
        /* The catalog is seeded by a migration. */
        ASSERT_TRUE(count(db, "SELECT count(*) FROM outcome") >= 19);

        db = pik_db_close(db);
        test_tmpdir_cleanup(dir);
}

/* Data written at each older schema version survives the upgrade. */
static void test_upgrade_from_every_version(void) {
        for (unsigned v = 0; v < pik_db_schema_latest(); v++) {
                _cleanup_(pik_db_closep) PikDb *db = NULL;
                _cleanup_free_ char *path = NULL, *error = NULL;
                char *dir = test_tmpdir();

                path = db_path(dir);
                ASSERT_OK(pik_db_open_at_version(path, v, &db, &error));
                ASSERT_EQ(pik_db_schema_version(db), v);
                if (v >= 1) {
                        ASSERT_OK(pik_db_exec(db,
                                "INSERT INTO partner (code, name, created_at) VALUES ('acme', 'ACME', 1);"
                                "INSERT INTO browser (name, engine, created_at) VALUES ('ff', 'http', 1);"
                                "INSERT INTO job_config (partner_id, entry_url, schedule_type, schedule, timezone, created_at)"
                                "  VALUES (1, 'https://acme.test/', 'interval', '5m', 'UTC', 1);"
                                "INSERT INTO job_config_browser VALUES (1, 1);"
                                "INSERT INTO result (config_id, partner, browser, executed_at, duration_ms, outcome)"
                                "  VALUES (1, 'acme', 'ff', 100, 5, 'success');"));
                }
                db = pik_db_close(db);

                ASSERT_OK(pik_db_open(path, 0, &db, &error));
                ASSERT_EQ(pik_db_schema_version(db), pik_db_schema_latest());
                ASSERT_EQ(count(db, "PRAGMA user_version"), pik_db_schema_latest());
                ASSERT_TRUE(count(db, "SELECT count(*) FROM outcome WHERE name = 'check-expired'") == 1);
                if (v >= 1) {
                        ASSERT_EQ(count(db, "SELECT count(*) FROM partner WHERE code = 'acme'"), 1);
                        ASSERT_EQ(count(db, "SELECT count(*) FROM job_config_browser"), 1);
                        ASSERT_EQ(count(db, "SELECT count(*) FROM result WHERE outcome = 'success'"), 1);
                        /* The latest result of each check is filled from history. */
                        ASSERT_EQ(count(db, "SELECT count(*) FROM result_check_last WHERE config_id = 1 "
                                            "AND outcome = 'success'"), 1);
                }
                db = pik_db_close(db);
                test_tmpdir_cleanup(dir);
        }
}

static void test_newer_refused(void) {
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        _cleanup_free_ char *path = NULL, *error = NULL, *before = NULL, *after = NULL;
        char *dir = NULL, sql[64];
        size_t n_before = 0, n_after = 0;

        db = test_db_new(&dir);
        snprintf(sql, sizeof sql, "PRAGMA user_version = %u", pik_db_schema_latest() + 1);
        ASSERT_OK(pik_db_exec(db, sql));
        path = strdup(pik_db_path(db));
        db = pik_db_close(db);
        before = test_read_binary(path, &n_before);

        ASSERT_ERR(pik_db_open(path, 0, &db, &error), EPROTONOSUPPORT);
        ASSERT_TRUE(db == NULL);
        ASSERT_TRUE(error && strstr(error, "newer") && strstr(error, path));
        free(error);
        error = NULL;
        ASSERT_ERR(pik_db_open(path, PIK_DB_READONLY, &db, &error), EPROTONOSUPPORT);

        after = test_read_binary(path, &n_after);
        ASSERT_TRUE(before && after && n_before == n_after && memcmp(before, after, n_after) == 0);
        test_tmpdir_cleanup(dir);
}

static void test_corrupt_refused(void) {
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        _cleanup_free_ char *path = NULL, *error = NULL, *after = NULL;
        char *dir = test_tmpdir();
        char junk[8192];
        size_t n = 0;
        int fd;

        for (size_t i = 0; i < sizeof junk; i++)
                junk[i] = (char) (i * 7919 % 251 + 1);
        path = db_path(dir);
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, junk, sizeof junk), (ssize_t) sizeof junk);
        close(fd);

        ASSERT_ERR(pik_db_open(path, 0, &db, &error), EBADMSG);
        ASSERT_TRUE(error && strstr(error, path));
        after = test_read_binary(path, &n);
        ASSERT_TRUE(after && n == sizeof junk && memcmp(after, junk, sizeof junk) == 0);
        test_tmpdir_cleanup(dir);
}

static void test_readonly_open_of_old_schema(void) {
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        _cleanup_free_ char *path = NULL, *error = NULL;
        char *dir = test_tmpdir();

        path = db_path(dir);
        ASSERT_OK(pik_db_open_at_version(path, 1, &db, &error));
        db = pik_db_close(db);
        ASSERT_ERR(pik_db_open(path, PIK_DB_READONLY, &db, &error), EROFS);
        ASSERT_TRUE(error && strstr(error, "read-only"));
        free(error);
        error = NULL;
        /* Still at version 1: nothing was migrated. */
        ASSERT_OK(pik_db_open_at_version(path, 1, &db, &error));
        ASSERT_EQ(pik_db_schema_version(db), 1);
        test_tmpdir_cleanup(dir);
}

static void test_missing_file(void) {
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        _cleanup_free_ char *error = NULL;

        ASSERT_ERR(pik_db_open("/nonexistent/dir/pik.db", 0, &db, &error), ENOENT);
        ASSERT_TRUE(error && strstr(error, "/nonexistent/dir/pik.db"));
}

/* SQLite (built with SQLITE_USE_URI on Debian) would read "file:" names
 * as URIs with options (mode=ro, vfs=, immutable=1...): pik takes plain
 * paths only, and says how to name a file that starts with "file:". */
static void test_uri_refused(void) {
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        _cleanup_free_ char *error = NULL, *uri = NULL, *plain = NULL;
        char *dir = NULL;

        db = test_db_new(&dir);
        ASSERT_TRUE(asprintf(&uri, "file:%s?mode=ro", pik_db_path(db)) > 0);
        db = pik_db_close(db);

        ASSERT_ERR(pik_db_open(uri, PIK_DB_READONLY, &db, &error), EINVAL);
        ASSERT_TRUE(error && strstr(error, "'file:/") && strstr(error, "URI"));
        error = mfree(error);
        ASSERT_ERR(pik_db_open("file:pik.db", PIK_DB_CREATE, &db, &error), EINVAL);
        ASSERT_TRUE(error && strstr(error, "prefix ./"));
        ASSERT_TRUE(access("file:pik.db", F_OK) < 0);
        error = mfree(error);
        ASSERT_ERR(pik_db_open(":memory:", PIK_DB_CREATE, &db, &error), EINVAL);
        ASSERT_TRUE(error && strstr(error, "':memory:'"));

        /* A file whose name starts with "file:" is reachable as a path. */
        ASSERT_TRUE(asprintf(&plain, "%s/file:x.db", dir) > 0);
        ASSERT_OK(pik_db_open(plain, PIK_DB_CREATE, &db, NULL));
        ASSERT_TRUE(access(plain, F_OK) == 0);
        test_tmpdir_cleanup(dir);
}

/* A write to a database file the caller may not write fails clearly and
 * changes nothing. Root ignores file modes, so the attempt runs as nobody. */
static void test_unwritable_file(void) {
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        _cleanup_free_ char *path = NULL, *before = NULL, *after = NULL;
        char *dir = NULL;
        int status;
        pid_t pid;

        db = test_db_new(&dir);
        ASSERT_OK(pik_partner_add(db, "acme", "ACME", 1));
        path = strdup(pik_db_path(db));
        before = test_db_dump(db);
        db = pik_db_close(db);
        ASSERT_OK(chmod(dir, 0755));
        ASSERT_OK(chmod(path, 0644));

        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                _cleanup_free_ char *error = NULL;
                PikDb *child = NULL;
                int r;

                if (geteuid() == 0 && (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0))
                        _exit(3);
                r = pik_db_open(path, 0, &child, &error);
                if (r >= 0) {
                        r = pik_partner_add(child, "other", "Other", 2);
                        if (r >= 0)
                                _exit(1);
                        fprintf(stderr, "expected failure: %s\n", pik_db_error(child));
                        pik_db_close(child);
                } else
                        fprintf(stderr, "expected failure: %s\n", error);
                _exit(0);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);

        ASSERT_OK(pik_db_open(path, 0, &db, NULL));
        after = test_db_dump(db);
        ASSERT_STREQ(before, after);
        test_tmpdir_cleanup(dir);
}

static void test_transaction_rollback(void) {
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        char *dir = NULL;

        db = test_db_new(&dir);
        {
                _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
                ASSERT_OK(pik_db_begin(db, &tx));
                ASSERT_OK(pik_partner_add(db, "acme", "ACME", 1));
                /* tx goes out of scope without commit */
        }
        ASSERT_EQ(count(db, "SELECT count(*) FROM partner"), 0);
        {
                _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
                ASSERT_OK(pik_db_begin(db, &tx));
                ASSERT_OK(pik_partner_add(db, "acme", "ACME", 1));
                ASSERT_OK(pik_db_commit(TAKE_PTR(tx)));
        }
        ASSERT_EQ(count(db, "SELECT count(*) FROM partner"), 1);
        db = pik_db_close(db);
        test_tmpdir_cleanup(dir);
}

static void test_settings(void) {
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        _cleanup_free_ char *v = NULL;
        char *dir = NULL;

        db = test_db_new(&dir);
        ASSERT_EQ(pik_db_get_setting(db, "hold", &v), 0);
        ASSERT_TRUE(!v);
        ASSERT_OK(pik_db_set_setting(db, "hold", "1"));
        ASSERT_EQ(pik_db_get_setting(db, "hold", &v), 1);
        ASSERT_STREQ(v, "1");
        ASSERT_OK(pik_db_set_setting(db, "hold", NULL));
        free(v);
        v = NULL;
        ASSERT_EQ(pik_db_get_setting(db, "hold", &v), 0);
        db = pik_db_close(db);
        test_tmpdir_cleanup(dir);
}

static void test_sqlite_errno(void) {
        ASSERT_EQ(sqlite_to_errno(SQLITE_OK), 0);
        ASSERT_EQ(sqlite_to_errno(SQLITE_BUSY), -EAGAIN);
        ASSERT_EQ(sqlite_to_errno(SQLITE_READONLY), -EROFS);
        ASSERT_EQ(sqlite_to_errno(SQLITE_NOTADB), -EBADMSG);
        ASSERT_EQ(sqlite_to_errno(SQLITE_CONSTRAINT_UNIQUE), -EEXIST);
        ASSERT_EQ(sqlite_to_errno(SQLITE_CONSTRAINT_FOREIGNKEY), -EINVAL);
}

int main(void) {
        test_fresh();
        test_upgrade_from_every_version();
        test_newer_refused();
        test_corrupt_refused();
        test_readonly_open_of_old_schema();
        test_missing_file();
        test_uri_refused();
        test_unwritable_file();
        test_transaction_rollback();
        test_settings();
        test_sqlite_errno();
        return 0;
}
