/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"

int read_file_capped(const char *path, size_t max, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, allocated = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;

        for (;;) {
                ssize_t n;

                /* Room for at least one more byte and the NUL. The last
                 * size is one byte past the cap, to tell "at the cap" from
                 * "beyond". */
                if (size + 1 >= allocated) {
                        size_t want = MIN(MAX(allocated * 2, (size_t) 16384), max + 2);
                        char *nb;

                        if (want <= allocated)
                                return -EFBIG;
                        nb = realloc(buf, want);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                        allocated = want;
                }

                n = read(fd, buf + size, allocated - size - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                size += (size_t) n;
                if (size > max)
                        return -EFBIG;
        }

        buf[size] = 0;
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}
