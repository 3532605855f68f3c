/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Times in pik are int64_t seconds since the epoch, UTC, everywhere: in the
 * database, in the library and on the command line (ISO 8601). */

#define USEC_PER_SEC UINT64_C(1000000)
#define FORMAT_TIMESTAMP_MAX 26   /* "2026-11-24T06:00:00Z" + slack */
#define FORMAT_AGE_MAX 32

int64_t now_utc(void);

/* ISO 8601: "2026-11-24T06:00:00Z", "2026-11-24 06:00:00" (UTC),
 * "2026-11-24T07:00:00+01:00", "2026-11-24" (midnight UTC), "@1764000000". */
int parse_timestamp(const char *s, int64_t *ret);
char *format_timestamp(char buf[static FORMAT_TIMESTAMP_MAX], int64_t t);

/* "5m", "1h30m", "90s", "2d", "1w", a bare number is seconds. Result in
 * seconds, at most max_sec. -EINVAL for syntax, -ERANGE beyond max_sec. */
int parse_duration(const char *s, uint64_t max_sec, uint64_t *ret);
/* "45s", "3m", "2h 5m", "4d 3h". */
char *format_age(char buf[static FORMAT_AGE_MAX], int64_t sec);

bool is_leap_year(int year);
int days_in_month(int year, int month /* 1..12 */);
/* Proleptic Gregorian civil date <-> days since 1970-01-01, no time zone. */
int64_t days_from_civil(int y, int m, int d);
void civil_from_days(int64_t z, int *ret_y, int *ret_m, int *ret_d);
