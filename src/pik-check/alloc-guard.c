/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <curl/curl.h>
#include <errno.h>
#include <libxml/xmlmemory.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-guard.h"

/* libcurl's threaded resolver allocates from its own thread: atomics. */
static long counter;
static long fail_at = -1;
static bool failed;

static bool should_fail(void) {
        long n = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
        return __atomic_load_n(&fail_at, __ATOMIC_RELAXED) == n;
}

static void *note(void *p) {
        if (!p)
                __atomic_store_n(&failed, true, __ATOMIC_RELAXED);
        return p;
}

static void *guard_malloc(size_t n) {
        return note(should_fail() ? NULL : malloc(n));
}

static void *guard_realloc(void *p, size_t n) {
        return note(should_fail() ? NULL : realloc(p, n));
}

static void *guard_calloc(size_t nmemb, size_t n) {
        return note(should_fail() ? NULL : calloc(nmemb, n));
}

static char *guard_strdup(const char *s) {
        return note(should_fail() ? NULL : strdup(s));
}

static char *guard_xml_strdup(const char *s) {
        return guard_strdup(s);
}

int alloc_guard_install(void) {
        static bool installed;

        if (installed)
                return 0;
        if (xmlMemSetup(free, guard_malloc, guard_realloc, guard_xml_strdup) != 0)
                return -EINVAL;
        if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, guard_malloc, free, guard_realloc, guard_strdup,
                                 guard_calloc) != CURLE_OK)
                return -ENOMEM;
        installed = true;
        return 0;
}

bool alloc_guard_failed(void) {
        return __atomic_load_n(&failed, __ATOMIC_RELAXED);
}

void alloc_guard_reset(void) {
        __atomic_store_n(&failed, false, __ATOMIC_RELAXED);
}

long alloc_guard_fail_at(long n) {
        long was = __atomic_exchange_n(&counter, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&fail_at, n, __ATOMIC_RELAXED);
        return was;
}
