/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The evidence layout: names a result may carry, and removal of one
 * execution's directory that touches nothing outside it. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence-store.h"
#include "test-helpers.h"

static void touch(const char *dir, const char *name) {
        _cleanup_free_ char *p = NULL;
        int fd;

        ASSERT_TRUE(asprintf(&p, "%s/%s", dir, name) >= 0);
        fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        ASSERT_TRUE(fd >= 0);
        close(fd);
}

static bool exists(const char *dir, const char *name) {
        _cleanup_free_ char *p = NULL;
        struct stat st;

        ASSERT_TRUE(asprintf(&p, "%s/%s", dir, name) >= 0);
        return lstat(p, &st) == 0;
}

static void test_names(void) {
        ASSERT_TRUE(pik_evidence_name_is_valid("screenshot.png"));
        ASSERT_TRUE(pik_evidence_name_is_valid("page_2-final.html"));
        ASSERT_TRUE(!pik_evidence_name_is_valid(""));
        ASSERT_TRUE(!pik_evidence_name_is_valid(NULL));
        ASSERT_TRUE(!pik_evidence_name_is_valid(".hidden"));
        ASSERT_TRUE(!pik_evidence_name_is_valid(".."));
        ASSERT_TRUE(!pik_evidence_name_is_valid("../pik.db"));
        ASSERT_TRUE(!pik_evidence_name_is_valid("a/b"));
        ASSERT_TRUE(!pik_evidence_name_is_valid("a b"));
        ASSERT_TRUE(!pik_evidence_name_is_valid("01234567890123456789012345678901234567890123456789012345678901234"));
}

static void test_remove(void) {
        char *root = test_tmpdir();
        _cleanup_free_ char *dir = NULL, *other = NULL, *outside = NULL;

        ASSERT_OK(pik_evidence_directory(root, 42, &dir));
        ASSERT_OK(pik_evidence_directory(root, 43, &other));
        ASSERT_TRUE(asprintf(&outside, "%s/keep", root) >= 0);
        ASSERT_TRUE(mkdir(dir, 0700) == 0);
        ASSERT_TRUE(mkdir(other, 0700) == 0);
        touch(dir, "screenshot.png");
        touch(dir, "page.html");
        touch(other, "page.html");
        touch(root, "keep");
        /* A link planted in the directory goes, what it points to stays. */
        _cleanup_free_ char *link = NULL;
        ASSERT_TRUE(asprintf(&link, "%s/link", dir) >= 0);
        ASSERT_TRUE(symlink(outside, link) == 0);

        ASSERT_OK(pik_evidence_remove_at(root, 42));
        ASSERT_TRUE(!exists(root, "42"));
        ASSERT_TRUE(exists(root, "keep"));
        ASSERT_TRUE(exists(other, "page.html"));
        /* Gone already, or never there: nothing to do. */
        ASSERT_OK(pik_evidence_remove_at(root, 42));
        ASSERT_OK(pik_evidence_remove_at(root, 44));
        ASSERT_ERR(pik_evidence_remove_at(root, 0), EINVAL);

        /* A symlink in the execution's place is not followed. */
        ASSERT_TRUE(symlink(other, dir) == 0);
        ASSERT_TRUE(pik_evidence_remove_at(root, 42) < 0);
        ASSERT_TRUE(exists(other, "page.html"));
        ASSERT_TRUE(unlink(dir) == 0);

        ASSERT_OK(pik_evidence_remove_at(root, 43));
        test_tmpdir_cleanup(root);
}

int main(void) {
        test_names();
        test_remove();
        return 0;
}
