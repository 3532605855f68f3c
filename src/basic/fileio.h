/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <dirent.h>
#include <stddef.h>

#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

/* The whole of path, NUL-terminated, at most max bytes: -EFBIG past that
 * (a wrong path, a log file or a device, is not slurped whole), or the
 * errno of the failed open or read. */
int read_file_capped(const char *path, size_t max, char **ret, size_t *ret_size);
