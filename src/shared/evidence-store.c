/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

/* The files already in an execution's directory, up to a limit. */
static int count_files(int dfd) {
        _cleanup_close_ int fd = -1;
        DIR *d;
        int n = 0;

        fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d)
                return -errno;
        TAKE_FD(fd);
        for (struct dirent *de; (de = readdir(d)); )
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

static int copy_all(int from, int to, uint64_t size) {
        char buf[65536];
        uint64_t off = 0;

        while (off < size) {
                ssize_t n = pread(from, buf, MIN(sizeof buf, (size_t) (size - off)), (off_t) off);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -EIO;    /* shorter than fstat() said: truncated under us */
                for (ssize_t w = 0; w < n; ) {
                        ssize_t k = write(to, buf + w, (size_t) (n - w));

                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k < 0)
                                return -errno;
                        w += k;
                }
                off += (uint64_t) n;
        }
        return 0;
}

int pik_evidence_store(const char *root, int64_t execution, const char *name, int fd) {
        _cleanup_close_ int rfd = -1, dfd = -1, out = -1;
        char dir[32];
        struct stat st;
        int r;

        if (execution <= 0 || !pik_evidence_name_is_valid(name))
                return -EINVAL;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if ((uint64_t) st.st_size > PIK_EVIDENCE_FILE_SIZE_MAX)
                return -EFBIG;

        snprintf(dir, sizeof dir, "%lld", (long long) execution);
        /* tmpfiles.d makes it; a pikd started before that makes it too. */
        if (mkdir(root ?: PIK_EVIDENCE_ROOT, 0700) < 0 && errno != EEXIST)
                return -errno;
        rfd = open(root ?: PIK_EVIDENCE_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rfd < 0)
                return -errno;
        if (mkdirat(rfd, dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        dfd = openat(rfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        r = count_files(dfd);
        if (r < 0)
                return r;
        if (r >= PIK_EVIDENCE_FILES_MAX)
                return -E2BIG;
        out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (out < 0)
                return -errno;
        r = copy_all(fd, out, (uint64_t) st.st_size);
        if (r < 0) {
                (void) unlinkat(dfd, name, 0);
                return r;
        }
        return 0;
}
