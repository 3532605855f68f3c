/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test-helpers.h"
#include "time-util.h"
#include "db.h"

char *test_tmpdir(void) {
        char *d = strdup("/tmp/pik-test-XXXXXX");

        ASSERT_TRUE(d);
        ASSERT_TRUE(mkdtemp(d));
        return d;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

void test_tmpdir_cleanup(char *dir) {
        if (!dir)
                return;
        (void) nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(dir);
}

int64_t T(const char *iso) {
        int64_t t;

        if (parse_timestamp(iso, &t) < 0) {
                fprintf(stderr, "bad timestamp in test: %s\n", iso);
                abort();
        }
        return t;
}

char *test_read_file(const char *path) {
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t n = 0;

        if (!f)
                return NULL;
        if (getdelim(&buf, &n, '\0', f) < 0) {
                free(buf);
                buf = strdup("");
        }
        fclose(f);
        return buf;
}

PikDb *test_db_new(char **ret_dir) {
        _cleanup_free_ char *path = NULL, *error = NULL;
        char *dir = test_tmpdir();
        PikDb *db = NULL;
        int r;

        ASSERT_TRUE(asprintf(&path, "%s/pik.db", dir) > 0);
        r = pik_db_open(path, PIK_DB_CREATE, &db, &error);
        if (r < 0) {
                fprintf(stderr, "test_db_new: %s\n", error ?: strerror(-r));
                abort();
        }
        *ret_dir = dir;
        return db;
}

PikConfig *test_config_new(void) {
        PikConfig *c = NULL;

        ASSERT_OK(pik_config_new_default(&c));
        return c;
}

char *test_db_dump(PikDb *db) {
        _cleanup_stmt_ sqlite3_stmt *t = NULL;
        char *out = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&out, &n);

        ASSERT_TRUE(f);
        ASSERT_TRUE(sqlite3_prepare_v2(pik_db_handle(db), "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                                       -1, &t, NULL) == SQLITE_OK);
        while (sqlite3_step(t) == SQLITE_ROW) {
                _cleanup_free_ char *sql = NULL;
                _cleanup_stmt_ sqlite3_stmt *s = NULL;
                const char *table = (const char *) sqlite3_column_text(t, 0);

                /* Straight to SQLite: the dump must not touch the error
                 * message the test is about to look at. Ordered by every
                 * column, which also serves WITHOUT ROWID tables. */
                ASSERT_TRUE(asprintf(&sql, "SELECT * FROM \"%s\" ORDER BY rowid", table) > 0);
                if (sqlite3_prepare_v2(pik_db_handle(db), sql, -1, &s, NULL) != SQLITE_OK) {
                        free(sql);
                        ASSERT_TRUE(asprintf(&sql, "SELECT * FROM \"%s\" ORDER BY 1, 2", table) > 0);
                        ASSERT_TRUE(sqlite3_prepare_v2(pik_db_handle(db), sql, -1, &s, NULL) == SQLITE_OK);
                }
                fprintf(f, "[%s]\n", table);
                while (sqlite3_step(s) == SQLITE_ROW) {
                        for (int i = 0; i < sqlite3_column_count(s); i++) {
                                const unsigned char *v = sqlite3_column_text(s, i);
                                fprintf(f, "%s|", v ? (const char *) v : "NULL");
                        }
                        fputc('\n', f);
                }
        }
        ASSERT_TRUE(fclose(f) == 0);
        return out;
}

char *test_read_binary(const char *path, size_t *ret_size) {
        FILE *f = fopen(path, "re");
        char *buf;
        long n;

        if (!f)
                return NULL;
        ASSERT_TRUE(fseek(f, 0, SEEK_END) == 0);
        n = ftell(f);
        rewind(f);
        buf = malloc((size_t) n + 1);
        ASSERT_TRUE(buf);
        ASSERT_TRUE(fread(buf, 1, (size_t) n, f) == (size_t) n);
        fclose(f);
        *ret_size = (size_t) n;
        return buf;
}

int64_t test_query_int64(PikDb *db, const char *fmt, ...) {
        _cleanup_free_ char *sql = NULL;
        int64_t v = -1;
        va_list ap;

        va_start(ap, fmt);
        ASSERT_TRUE(vasprintf(&sql, fmt, ap) > 0);
        va_end(ap);
        ASSERT_OK(pik_db_query_int64(db, sql, &v));
        return v;
}
