/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* A whole file, NUL-terminated, with its size (NULs inside included).
 * -EFBIG when it is larger than max bytes: a wrong path (a log file, a
 * device) is not slurped whole. */
int read_file_capped(const char *path, size_t max, char **ret, size_t *ret_size);
