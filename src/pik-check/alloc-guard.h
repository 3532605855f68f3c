/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* libcurl and libxml2 both recover from a failed allocation in ways a
 * check cannot always see: libxml2's recovering HTML parser may return the
 * part of the page it had, libcurl may report some other error. A check
 * whose machinery ran out of memory must never report success, nor blame
 * the partner, so their allocators go through these counting wrappers and
 * the engine asks, at the end, whether any allocation failed.
 *
 * alloc_guard_install() must run before libcurl or libxml2 is first used
 * (curl_global_init_mem(), xmlMemSetup()); it is idempotent. */
int alloc_guard_install(void);
bool alloc_guard_failed(void);
void alloc_guard_reset(void);

/* Tests: make allocation number n (0-based, counted from now) of the
 * libraries in `who` fail; -1 for none. Returns how many allocations of
 * those libraries were counted since the last call. */
#define ALLOC_GUARD_CURL 1U
#define ALLOC_GUARD_XML 2U
long alloc_guard_fail_at(long n, unsigned who);
