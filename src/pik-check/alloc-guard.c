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
static unsigned fail_in = ALLOC_GUARD_CURL | ALLOC_GUARD_XML;
static bool failed;

static bool should_fail(unsigned who) {
        if (!(__atomic_load_n(&fail_in, __ATOMIC_RELAXED) & who))
                return false;
        long n = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
        return __atomic_load_n(&fail_at, __ATOMIC_RELAXED) == n;
}

static void *note(void *p) {
        if (!p)
                __atomic_store_n(&failed, true, __ATOMIC_RELAXED);
        return p;
}

static void *curl_malloc(size_t n) {
        return note(should_fail(ALLOC_GUARD_CURL) ? NULL : malloc(n));
}

static void *curl_realloc(void *p, size_t n) {
        return note(should_fail(ALLOC_GUARD_CURL) ? NULL : realloc(p, n));
}

static void *curl_calloc(size_t nmemb, size_t n) {
        return note(should_fail(ALLOC_GUARD_CURL) ? NULL : calloc(nmemb, n));
}

static char *curl_strdup(const char *s) {
        return note(should_fail(ALLOC_GUARD_CURL) ? NULL : strdup(s));
}

static void *xml_malloc(size_t n) {
        return note(should_fail(ALLOC_GUARD_XML) ? NULL : malloc(n));
}

static void *xml_realloc(void *p, size_t n) {
        return note(should_fail(ALLOC_GUARD_XML) ? NULL : realloc(p, n));
}

static char *xml_strdup(const char *s) {
        return note(should_fail(ALLOC_GUARD_XML) ? NULL : strdup(s));
}

int alloc_guard_install(void) {
        static bool installed;

        if (installed)
                return 0;
        if (xmlMemSetup(free, xml_malloc, xml_realloc, xml_strdup) != 0)
                return -EINVAL;
        if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, curl_malloc, free, curl_realloc, curl_strdup,
                                 curl_calloc) != CURLE_OK)
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

long alloc_guard_fail_at(long n, unsigned who) {
        long was = __atomic_exchange_n(&counter, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&fail_in, who, __ATOMIC_RELAXED);
        __atomic_store_n(&fail_at, n, __ATOMIC_RELAXED);
        return was;
}
