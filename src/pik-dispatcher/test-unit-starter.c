/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "test-helpers.h"
#include "unit-starter.h"

static void assert_dropin(const char *path, const char *want) {
        _cleanup_free_ char *text = NULL;
        size_t size;

        ASSERT_OK(read_file_capped(path, 4096, &text, &size));
        ASSERT_TRUE(strstr(text, "[Service]\n"));
        ASSERT_TRUE(strstr(text, want));
}

int main(void) {
        char dir[] = "/tmp/test-unit-starter.XXXXXX", path[128], sub[96];
        struct stat st1, st2;

        ASSERT_TRUE(mkdtemp(dir));
        /* The drop-in directory does not exist before the first pass. */
        snprintf(sub, sizeof sub, "%s/pik-check@.service.d", dir);
        snprintf(path, sizeof path, "%s/50-job-expiry.conf", sub);

        ASSERT_OK(systemd_starter_set_expiry(path, 180));
        assert_dropin(path, "\nRuntimeMaxSec=180\n");
        ASSERT_OK(stat(path, &st1));

        /* The same value again: the file is left as it is (no new inode). */
        ASSERT_OK(systemd_starter_set_expiry(path, 180));
        ASSERT_OK(stat(path, &st2));
        ASSERT_EQ(st1.st_ino, st2.st_ino);

        /* A changed job_expiry: the next check's limit. */
        ASSERT_OK(systemd_starter_set_expiry(path, 75));
        assert_dropin(path, "\nRuntimeMaxSec=75\n");
        ASSERT_TRUE(access(path, F_OK) == 0);
        snprintf(sub + strlen(sub), sizeof sub - strlen(sub), "/50-job-expiry.conf.tmp");
        ASSERT_TRUE(access(sub, F_OK) < 0);

        ASSERT_OK(unlink(path));
        *strrchr(path, '/') = '\0';
        ASSERT_OK(rmdir(path));
        ASSERT_OK(rmdir(dir));
        return 0;
}
