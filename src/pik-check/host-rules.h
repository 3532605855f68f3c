/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* The job's resolve entries, curl's --resolve form ("host:port:address",
 * a leading '+' allowed, the first of several comma-separated addresses
 * taken), as the value of Chromium's --host-resolver-rules: "MAP
 * host:port address" rules joined by ", " (Chromium matches a pattern with
 * a port against host:port, and keeps the port when the replacement names
 * none). *ret NULL when there are no entries. -EINVAL when an entry is not
 * of that form (a '-' removal included): the entry, cut to n, in ret_bad. */
#define HOST_RULES_MAX 64
int host_rules_from_resolve(char *const *resolve, char **ret, char *ret_bad, size_t n);
