/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "cli.h"
#include "test-helpers.h"

/* The libraries leave their message empty only when they ran out of memory;
 * to reach that path, this strdup() (which the static library's calls bind
 * to) fails for one chosen string and is the real thing otherwise. */
static const char *strdup_fails_for;

char *strdup(const char *s) {
        size_t n = strlen(s) + 1;
        char *p;

        if (strdup_fails_for && strcmp(s, strdup_fails_for) == 0) {
                errno = ENOMEM;
                return NULL;
        }
        p = malloc(n);
        if (p)
                memcpy(p, s, n);
        return p;
}

/* Run cli_open() with stderr going to a file; return what it wrote. */
static char *open_stderr(const CliCommon *c, PikDbOpenFlags flags, int *ret_r) {
        _cleanup_(pik_config_freep) PikConfig *cfg = NULL;
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        char path[] = "/tmp/pik-test-cli-XXXXXX", *text;
        int fd, saved;

        fflush(stderr);
        fd = mkostemp(path, O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        saved = dup(STDERR_FILENO);
        ASSERT_TRUE(saved >= 0);
        ASSERT_TRUE(dup2(fd, STDERR_FILENO) == STDERR_FILENO);

        *ret_r = cli_open(c, flags, &cfg, &db);

        fflush(stderr);
        ASSERT_TRUE(dup2(saved, STDERR_FILENO) == STDERR_FILENO);
        close(saved);
        close(fd);
        text = test_read_file(path);
        ASSERT_TRUE(text);
        unlink(path);
        return text;
}

static void test_errno_text_not_percent_m(void) {
        _cleanup_free_ char *conf = NULL, *db = NULL, *out = NULL;
        char *dir = test_tmpdir();
        int r;

        ASSERT_TRUE(asprintf(&conf, "%s/pik.conf", dir) > 0);
        ASSERT_TRUE(asprintf(&db, "%s/pik.db", dir) > 0);
        FILE *f = fopen(conf, "we");
        ASSERT_TRUE(f);
        fclose(f);

        /* The database fails without a message of its own. */
        strdup_fails_for = db;
        out = open_stderr(&(CliCommon) { .config_path = conf, .db_path = db }, PIK_DB_CREATE, &r);
        strdup_fails_for = NULL;
        fprintf(stderr, "database: %s", out);
        ASSERT_EQ(r, -ENOMEM);
        ASSERT_TRUE(!strstr(out, "%m"));
        ASSERT_TRUE(strstr(out, strerror(ENOMEM)));
        ASSERT_TRUE(strstr(out, db));
        out = mfree(out);

        /* And so does the configuration. */
        strdup_fails_for = conf;
        out = open_stderr(&(CliCommon) { .config_path = conf, .db_path = db }, PIK_DB_CREATE, &r);
        strdup_fails_for = NULL;
        fprintf(stderr, "configuration: %s", out);
        ASSERT_EQ(r, -ENOMEM);
        ASSERT_TRUE(!strstr(out, "%m"));
        ASSERT_TRUE(strstr(out, strerror(ENOMEM)));
        ASSERT_TRUE(strstr(out, conf));

        test_tmpdir_cleanup(dir);
}

int main(void) {
        test_errno_text_not_percent_m();
        return 0;
}
