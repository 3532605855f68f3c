/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* For tests that prove a secret is wiped before its memory goes back to the
 * allocator: between freed_scan_start() and freed_scan_stop(), every block
 * freed (or moved by realloc) is searched for the needle before it is
 * released. Works on plain glibc (the test binary interposes malloc) and
 * under ASan (its allocator's free hook). Under valgrind, which replaces
 * the allocator, it says so and finds nothing: the plain and ASan runs are
 * the proof. */

void freed_scan_start(const char *needle);

/* How many blocks freed since freed_scan_start() held the needle; stops
 * scanning. */
unsigned freed_scan_stop(void);
