/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The fuzz targets' side of libFuzzer's interface, and what they share.
 * Each target is one LLVMFuzzerTestOneInput over the real modules; with
 * -Dfuzz=true libFuzzer drives it, otherwise fuzz-main.c replays its corpus
 * (tests/fuzz/corpus/<target>/) as a unit test. A finding is an abort():
 * a sanitizer report, or an assertion of what the module promises. */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The regression runner skips larger files (libFuzzer's own -max_len
 * keeps its inputs far below). */
#define FUZZ_INPUT_MAX (4U * 1024U * 1024U)

#define FUZZ_ASSERT(expr)                                                       \
        do {                                                                    \
                if (!(expr)) {                                                  \
                        fprintf(stderr, "%s:%d: promise broken: %s\n",          \
                                __FILE__, __LINE__, #expr);                     \
                        abort();                                                \
                }                                                               \
        } while (0)

/* A NUL-terminated copy of size bytes (which may hold NULs); aborts on OOM,
 * which is not a finding. */
static inline char *fuzz_strndup(const void *data, size_t size) {
        char *s = malloc(size + 1);

        if (!s)
                abort();
        if (size > 0)
                memcpy(s, data, size);
        s[size] = 0;
        return s;
}

/* The next '\n'-terminated line of the input as a new string (the rest of
 * the input when there is no newline), advancing past it. Targets whose
 * input has several parts take them as lines, so that seeds stay readable. */
static inline char *fuzz_line(const uint8_t **data, size_t *size) {
        const uint8_t *nl = memchr(*data, '\n', *size);
        size_t n = nl ? (size_t) (nl - *data) : *size;
        char *s = fuzz_strndup(*data, n);

        *data += nl ? n + 1 : n;
        *size -= nl ? n + 1 : n;
        return s;
}
