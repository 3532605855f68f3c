/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz-db.h"

static PikDb *db;
static char dir[] = "/tmp/pik-fuzz-XXXXXX";

static void remove_db(void) {
        static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };

        db = pik_db_close(db);
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                _cleanup_free_ char *path = NULL;

                if (asprintf(&path, "%s/pik.db%s", dir, suffixes[i]) >= 0)
                        (void) unlink(path);
        }
        (void) rmdir(dir);
}

PikDb *fuzz_db(void) {
        _cleanup_free_ char *path = NULL, *error = NULL;
        int r;

        if (db)
                return db;
        if (!mkdtemp(dir) || asprintf(&path, "%s/pik.db", dir) < 0)
                abort();
        r = pik_db_open(path, PIK_DB_CREATE, &db, &error);
        if (r < 0) {
                fprintf(stderr, "fuzz_db: %s\n", error ?: "cannot open the database");
                abort();
        }
        atexit(remove_db);
        return db;
}
