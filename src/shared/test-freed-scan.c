/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <malloc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "test-freed-scan.h"

/* The needle lives outside the heap so that it never finds itself. */
static char needle[256];
static size_t needle_len;
static unsigned hits;

/* Hand-rolled rather than memmem(): under ASan the interceptor would check
 * the block we are scanning from inside the allocator. */
static void scan(const volatile void *p, size_t n) {
        const volatile unsigned char *b = p;

        if (!p || needle_len == 0 || n < needle_len)
                return;
        for (size_t i = 0; i + needle_len <= n; i++) {
                size_t k = 0;

                while (k < needle_len && b[i + k] == (unsigned char) needle[k])
                        k++;
                if (k == needle_len) {
                        hits++;
                        return;
                }
        }
}

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/allocator_interface.h>

/* ASan owns malloc: its hook runs before each block is released (realloc
 * included), and it does not fill freed memory by default. */
static void free_hook(const volatile void *p) {
        if (p && __sanitizer_get_ownership((const void *) p))
                scan(p, __sanitizer_get_allocated_size((const void *) p));
}

static void install_hook(void) {
        static bool installed;

        if (!installed)
                installed = __sanitizer_install_malloc_and_free_hooks(NULL, free_hook) != 0;
}
#else
/* Plain glibc: the executable's malloc family comes first in symbol lookup,
 * for json-c, libconfig and libc's own callers alike (glibc supports
 * replacing malloc this way); each forwards to glibc's allocator. */
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);

void *malloc(size_t n) {
        return __libc_malloc(n);
}

void *calloc(size_t n, size_t size) {
        return __libc_calloc(n, size);
}

void free(void *p) {
        if (p && needle_len > 0)
                scan(p, malloc_usable_size(p));
        __libc_free(p);
}

void *realloc(void *p, size_t n) {
        size_t have;
        void *q;

        if (!p || needle_len == 0)
                return __libc_realloc(p, n);
        if (n == 0) {
                free(p);
                return NULL;
        }
        /* Moved by hand, so that the block left behind is scanned too. */
        have = malloc_usable_size(p);
        if (n <= have)
                return p;
        q = __libc_malloc(n);
        if (!q)
                return NULL;
        memcpy(q, p, have);
        free(p);
        return q;
}

static void install_hook(void) {
}
#endif

void freed_scan_start(const char *s) {
        size_t n = strlen(s);

        if (n >= sizeof needle)
                abort();
        install_hook();
        memcpy(needle, s, n);
        hits = 0;
        needle_len = n;
}

unsigned freed_scan_stop(void) {
        needle_len = 0;
        return hits;
}
