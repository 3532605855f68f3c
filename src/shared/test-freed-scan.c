/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <malloc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
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
/* From libasan (gcc ships these without their header,
 * <sanitizer/allocator_interface.h>). */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));
int __sanitizer_get_ownership(const volatile void *p);
size_t __sanitizer_get_allocated_size(const volatile void *p);

/* ASan owns malloc: its hook runs before each block is released (realloc
 * included), and it does not fill freed memory by default. */
static void free_hook(const volatile void *p) {
        if (p && __sanitizer_get_ownership(p))
                scan(p, __sanitizer_get_allocated_size(p));
}

/* ASan installs no hooks unless both are given. */
static void malloc_hook(const volatile void *p, size_t n) {
}

static void install_hook(void) {
        static bool installed;

        if (!installed)
                installed = __sanitizer_install_malloc_and_free_hooks(malloc_hook, free_hook) != 0;
        if (!installed)
                abort();
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

        /* Prove the scan sees frees: valgrind, for one, replaces the
         * allocator, and then nothing would be scanned. */
        {
                char *volatile p = malloc(n);

                if (!p)
                        abort();
                memcpy(p, s, n);
                free(p);
        }
        if (hits != 1) {
                static bool told;

                if (!told)
                        fprintf(stderr, "freed_scan: frees are not seen here (valgrind?): not scanning\n");
                told = true;
        }
        hits = 0;
}

unsigned freed_scan_stop(void) {
        needle_len = 0;
        return hits;
}
