/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "build-config.h"
#include "evidence-store.h"
#include "macro.h"

bool pik_evidence_name_is_valid(const char *name) {
        size_t n;

        if (!name || !*name || *name == '.')
                return false;
        n = strnlen(name, PIK_EVIDENCE_NAME_MAX + 1);
        if (n > PIK_EVIDENCE_NAME_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
                      (name[i] >= '0' && name[i] <= '9') || name[i] == '.' || name[i] == '_' || name[i] == '-'))
                        return false;
        return true;
}

int pik_evidence_directory(const char *root, int64_t execution, char **ret) {
        if (execution <= 0)
                return -EINVAL;
        if (asprintf(ret, "%s/%lld", root ?: PIK_EVIDENCE_ROOT, (long long) execution) < 0)
                return -ENOMEM;
        return 0;
}

int pik_evidence_remove_at(const char *root, int64_t execution) {
        _cleanup_close_ int rfd = -1;
        char name[32];
        DIR *d;
        int fd, r = 0;

        if (execution <= 0)
                return -EINVAL;
        snprintf(name, sizeof name, "%lld", (long long) execution);
        rfd = open(root ?: PIK_EVIDENCE_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rfd < 0)
                return errno == ENOENT ? 0 : -errno;
        fd = openat(rfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                close(fd);
                return r;
        }
        for (struct dirent *de; (errno = 0, de = readdir(d)); ) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                /* unlinkat() without AT_REMOVEDIR removes a symlink, not
                 * what it points to; a directory is refused. */
                if (unlinkat(dirfd(d), de->d_name, 0) < 0 && r == 0)
                        r = -errno;
        }
        if (errno != 0 && r == 0)
                r = -errno;
        closedir(d);
        if (unlinkat(rfd, name, AT_REMOVEDIR) < 0 && r == 0)
                r = errno == ENOENT ? 0 : -errno;
        return r;
}

int pik_evidence_remove(int64_t execution) {
        return pik_evidence_remove_at(NULL, execution);
}
