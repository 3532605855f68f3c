/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test-helpers.h"
#include "time-util.h"

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
