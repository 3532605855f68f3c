/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <curl/curl.h>

/* Every libcurl error and HTTP status maps to one outcome of the catalog,
 * here and only here, so that the mapping can be read (and tested) as one
 * table. */
const char *classify_curl_error(CURLcode code);
/* NULL for a status that is not a failure in itself (2xx, 3xx). */
const char *classify_http_status(long status);

/* pik-check's exit status for an outcome, by kind: 0 success, 2 partner,
 * 3 infrastructure, 4 configuration (1 stays "could not even report"). */
#define CHECK_EXIT_PARTNER 2
#define CHECK_EXIT_INFRASTRUCTURE 3
#define CHECK_EXIT_CONFIGURATION 4
int classify_exit_status(const char *outcome);
