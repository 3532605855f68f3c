/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "time-util.h"
/* Header-only assertion macros; src/basic tests do not link test-helpers.c. */
#include "../shared/test-helpers.h"

static int64_t ts(const char *s) {
        int64_t t;
        int r = parse_timestamp(s, &t);

        if (r < 0) {
                fprintf(stderr, "parse_timestamp(\"%s\") failed: %s\n", s, strerror(-r));
                abort();
        }
        return t;
}

static void test_leap_and_months(void) {
        ASSERT_TRUE(is_leap_year(2000));
        ASSERT_TRUE(is_leap_year(2024));
        ASSERT_TRUE(is_leap_year(2028));
        ASSERT_TRUE(is_leap_year(2400));
        ASSERT_TRUE(is_leap_year(0));
        ASSERT_TRUE(is_leap_year(-4));
        ASSERT_TRUE(!is_leap_year(1900));
        ASSERT_TRUE(!is_leap_year(2026));
        ASSERT_TRUE(!is_leap_year(2100));
        ASSERT_TRUE(!is_leap_year(-100));

        ASSERT_EQ(days_in_month(2026, 1), 31);
        ASSERT_EQ(days_in_month(2026, 2), 28);
        ASSERT_EQ(days_in_month(2028, 2), 29);
        ASSERT_EQ(days_in_month(1900, 2), 28);
        ASSERT_EQ(days_in_month(2000, 2), 29);
        ASSERT_EQ(days_in_month(2026, 4), 30);
        ASSERT_EQ(days_in_month(2026, 12), 31);
        ASSERT_EQ(days_in_month(2026, 0), 0);
        ASSERT_EQ(days_in_month(2026, 13), 0);
        ASSERT_EQ(days_in_month(2026, -1), 0);
}

static void test_civil(void) {
        int y, m, d, py, pm, pd;

        ASSERT_EQ(days_from_civil(1970, 1, 1), 0);
        ASSERT_EQ(days_from_civil(1969, 12, 31), -1);
        ASSERT_EQ(days_from_civil(2000, 3, 1), 11017);
        ASSERT_EQ(days_from_civil(2026, 11, 24), 20781);
        ASSERT_EQ(days_from_civil(0, 3, 1), -719468);
        ASSERT_EQ(days_from_civil(1, 1, 1), -719162);

        civil_from_days(0, &y, &m, &d);
        ASSERT_TRUE(y == 1970 && m == 1 && d == 1);
        civil_from_days(-1, &y, &m, &d);
        ASSERT_TRUE(y == 1969 && m == 12 && d == 31);
        civil_from_days(20781, &y, &m, &d);
        ASSERT_TRUE(y == 2026 && m == 11 && d == 24);

        /* Every day over some ±5500 years: each is a valid date, one after
         * the other, and converts back. */
        civil_from_days(-2000001, &py, &pm, &pd);
        for (int64_t z = -2000000; z <= 2000000; z++) {
                civil_from_days(z, &y, &m, &d);
                ASSERT_TRUE(m >= 1 && m <= 12);
                ASSERT_TRUE(d >= 1 && d <= days_in_month(y, m));
                if (d == 1) {
                        ASSERT_EQ(pd, days_in_month(py, pm));
                        ASSERT_TRUE((m == pm + 1 && y == py) || (m == 1 && pm == 12 && y == py + 1));
                } else
                        ASSERT_TRUE(y == py && m == pm && d == pd + 1);
                if (days_from_civil(y, m, d) != z) {
                        fprintf(stderr, "round trip failed at %lld: %d-%d-%d\n", (long long) z, y, m, d);
                        abort();
                }
                py = y, pm = m, pd = d;
        }
}

static void test_parse_timestamp(void) {
        int64_t t = 12345;

        ASSERT_EQ(ts("1970-01-01T00:00:00Z"), 0);
        ASSERT_EQ(ts("2026-11-24T06:00:00Z"), 1795500000);
        ASSERT_EQ(ts("2026-11-24 06:00:00"), 1795500000);
        ASSERT_EQ(ts("2026-11-24T06:00:00"), 1795500000);
        ASSERT_EQ(ts("2026-11-24T06:00Z"), 1795500000);
        ASSERT_EQ(ts("2026-11-24 06:00"), 1795500000);
        ASSERT_EQ(ts("2026-11-24"), 1795500000 - 6 * 3600);

        /* Offsets: the local time minus the offset. */
        ASSERT_EQ(ts("2026-11-24T07:00:00+01:00"), 1795500000);
        ASSERT_EQ(ts("2026-11-24T07:00:00+0100"), 1795500000);
        ASSERT_EQ(ts("2026-11-24T07:00:00+01"), 1795500000);
        ASSERT_EQ(ts("2026-11-24T00:30:00-05:30"), 1795500000);
        ASSERT_EQ(ts("2026-11-24T06:00:00+00:00"), 1795500000);
        ASSERT_EQ(ts("2026-11-24T06:00:00-00:00"), 1795500000);
        ASSERT_EQ(ts("2026-11-24T11:45+05:45"), 1795500000);       /* Nepal */
        ASSERT_EQ(ts("2026-11-25T05:59:59+23:59"), 1795500000 + 59); /* crosses the date */
        ASSERT_EQ(ts("1970-01-01T00:00:00+01:00"), -3600);

        /* Epoch seconds. */
        ASSERT_EQ(ts("@1764000000"), 1764000000);
        ASSERT_EQ(ts("@0"), 0);
        ASSERT_EQ(ts("@-1"), -1);
        ASSERT_EQ(ts("@-62135596800"), -62135596800LL);

        /* Leap years and the limits of each field. */
        ASSERT_EQ(ts("2028-02-29T12:34:56Z"), 1835440496);
        ASSERT_EQ(ts("2000-02-29"), 951782400);
        ASSERT_EQ(ts("1969-07-20T20:17:40Z"), -14182940);
        ASSERT_EQ(ts("1900-01-01"), -2208988800LL);
        ASSERT_EQ(ts("0001-01-01"), -62135596800LL);
        ASSERT_EQ(ts("9999-12-31T23:59:59Z"), 253402300799LL);
        ASSERT_EQ(ts("2026-12-31T23:59:59Z"), ts("2027-01-01") - 1);

        /* Dates that do not exist: -ERANGE. */
        ASSERT_ERR(parse_timestamp("2026-02-29", &t), ERANGE);
        ASSERT_ERR(parse_timestamp("1900-02-29", &t), ERANGE);
        ASSERT_ERR(parse_timestamp("2100-02-29T00:00:00Z", &t), ERANGE);
        ASSERT_ERR(parse_timestamp("2026-04-31", &t), ERANGE);
        ASSERT_ERR(parse_timestamp("2026-02-30", &t), ERANGE);
        ASSERT_ERR(parse_timestamp("2026-13-01", &t), ERANGE);
        ASSERT_ERR(parse_timestamp("2026-00-10", &t), ERANGE);
        ASSERT_ERR(parse_timestamp("2026-01-00", &t), ERANGE);
        ASSERT_ERR(parse_timestamp("2026-01-32", &t), ERANGE);
        ASSERT_ERR(parse_timestamp("2026-11-24T24:00:00Z", &t), ERANGE);
        ASSERT_ERR(parse_timestamp("2026-11-24T23:60:00Z", &t), ERANGE);
        ASSERT_ERR(parse_timestamp("2026-11-24T23:59:60Z", &t), ERANGE);   /* no leap seconds */
        ASSERT_ERR(parse_timestamp("2026-11-24T06:00:00+24:00", &t), ERANGE);
        ASSERT_ERR(parse_timestamp("2026-11-24T06:00:00+01:60", &t), ERANGE);

        /* Syntax: -EINVAL. */
        ASSERT_ERR(parse_timestamp(NULL, &t), EINVAL);
        ASSERT_ERR(parse_timestamp("", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("2026", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("2026-11", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("26-11-24", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("2026-1-24", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("2026/11/24", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("2026-11-24X", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("2026-11-24Z", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("2026-11-24T", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("2026-11-24T06", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("2026-11-24T6:00", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("2026-11-24T06:00:0", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("2026-11-24T06:00:00ZZ", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("2026-11-24T06:00:00.5Z", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("2026-11-24T06:00:00 ", &t), EINVAL);
        ASSERT_ERR(parse_timestamp(" 2026-11-24", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("2026-11-24T06:00:00+1", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("2026-11-24T06:00:00+01:", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("2026-11-24T06:00:00+01:0", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("2026-11-24T06:00:00+01:00:00", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("-2026-11-24", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("@", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("@abc", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("@12x", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("@ 12", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("@+12", &t), EINVAL);
        ASSERT_ERR(parse_timestamp("@1.5", &t), EINVAL);
        ASSERT_TRUE(parse_timestamp("@99999999999999999999", &t) < 0);

        /* ret untouched on failure. */
        ASSERT_EQ(t, 12345);
}

static void test_format_timestamp(void) {
        char buf[FORMAT_TIMESTAMP_MAX];
        static const struct {
                int64_t t;
                const char *s;
        } cases[] = {
                { 0, "1970-01-01T00:00:00Z" },
                { 1795500000, "2026-11-24T06:00:00Z" },
                { -1, "1969-12-31T23:59:59Z" },
                { -86399, "1969-12-31T00:00:01Z" },
                { -86400, "1969-12-31T00:00:00Z" },
                { -86401, "1969-12-30T23:59:59Z" },
                { 86399, "1970-01-01T23:59:59Z" },
                { 951782400, "2000-02-29T00:00:00Z" },
                { 1835440496, "2028-02-29T12:34:56Z" },
                { -14182940, "1969-07-20T20:17:40Z" },
                { -2208988800LL, "1900-01-01T00:00:00Z" },
                { -62135596800LL, "0001-01-01T00:00:00Z" },
                { -62167219200LL, "0000-01-01T00:00:00Z" },
                { 253402300799LL, "9999-12-31T23:59:59Z" },
                { INT64_C(2147483647), "2038-01-19T03:14:07Z" },
                { INT64_C(2147483648), "2038-01-19T03:14:08Z" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                ASSERT_STREQ(format_timestamp(buf, cases[i].t), cases[i].s);
                ASSERT_EQ(ts(cases[i].s), cases[i].t);
        }

        /* Round trip over years 0000..9999, with a stride that visits every
         * second of the day in turn. */
        for (int64_t t = -62167219200LL; t <= 253402300799LL; t += 9999991) {
                ASSERT_EQ(ts(format_timestamp(buf, t)), t);
                ASSERT_EQ(ts(format_timestamp(buf, -t / 100)), -t / 100);
        }
        for (int64_t t = -200000; t <= 200000; t++)
                ASSERT_EQ(ts(format_timestamp(buf, t)), t);

        /* Far outside the range of the format: no crash, no overflow. */
        format_timestamp(buf, INT64_MIN);
        format_timestamp(buf, INT64_MAX);
        ASSERT_TRUE(strlen(buf) < FORMAT_TIMESTAMP_MAX);
}

static void test_parse_duration(void) {
        uint64_t d = 12345;

#define DUR(s, max, expected)                                   \
        do {                                                    \
                ASSERT_OK(parse_duration((s), (max), &d));      \
                ASSERT_TRUE(d == (uint64_t) (expected));        \
        } while (0)

        DUR("5m", 86400, 300);
        DUR("1h30m", 86400, 5400);
        DUR("90s", 86400, 90);
        DUR("2d", 7 * 86400, 172800);
        DUR("1w", 7 * 86400, 604800);
        DUR("45", 86400, 45);
        DUR("0", 86400, 0);
        DUR("0s", 86400, 0);
        DUR("007m", 86400, 420);
        DUR("1w2d3h4m5s", UINT64_MAX, 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
        DUR("3600", 3600, 3600);
        DUR("1h", 3600, 3600);
        DUR("59m60s", 3600, 3600);

        /* Syntax. */
        d = 12345;
        ASSERT_ERR(parse_duration(NULL, 86400, &d), EINVAL);
        ASSERT_ERR(parse_duration("", 86400, &d), EINVAL);
        ASSERT_ERR(parse_duration("h", 86400, &d), EINVAL);
        ASSERT_ERR(parse_duration("m5", 86400, &d), EINVAL);
        ASSERT_ERR(parse_duration("5x", 86400, &d), EINVAL);
        ASSERT_ERR(parse_duration("5M", 86400, &d), EINVAL);
        ASSERT_ERR(parse_duration("1h30", 86400, &d), EINVAL);   /* minutes or seconds? */
        ASSERT_ERR(parse_duration("-5", 86400, &d), EINVAL);
        ASSERT_ERR(parse_duration("+5", 86400, &d), EINVAL);
        ASSERT_ERR(parse_duration("1.5h", 86400, &d), EINVAL);
        ASSERT_ERR(parse_duration(" 5m", 86400, &d), EINVAL);
        ASSERT_ERR(parse_duration("5m ", 86400, &d), EINVAL);
        ASSERT_ERR(parse_duration("1h 30m", 86400, &d), EINVAL);
        ASSERT_ERR(parse_duration("5mm", 86400, &d), EINVAL);

        /* Beyond max_sec. */
        ASSERT_ERR(parse_duration("3601", 3600, &d), ERANGE);
        ASSERT_ERR(parse_duration("2h", 3600, &d), ERANGE);
        ASSERT_ERR(parse_duration("61m", 3600, &d), ERANGE);
        ASSERT_ERR(parse_duration("1h1s", 3600, &d), ERANGE);
        ASSERT_ERR(parse_duration("59m61s", 3600, &d), ERANGE);
        ASSERT_ERR(parse_duration("1s", 0, &d), ERANGE);
        ASSERT_ERR(parse_duration("99999999999999999999999", 86400, &d), ERANGE);
        ASSERT_ERR(parse_duration("99999999999999999999999h", 86400, &d), ERANGE);

        /* Overflow of 64 bits itself, with no cap to stop it first. */
        DUR("18446744073709551615", UINT64_MAX, UINT64_MAX);
        DUR("18446744073709551615s", UINT64_MAX, UINT64_MAX);
        ASSERT_ERR(parse_duration("18446744073709551616", UINT64_MAX, &d), ERANGE);
        ASSERT_ERR(parse_duration("99999999999999999999", UINT64_MAX, &d), ERANGE);
        ASSERT_ERR(parse_duration("184467440737095516150s", UINT64_MAX, &d), ERANGE);
        ASSERT_ERR(parse_duration("40000000000000w", UINT64_MAX, &d), ERANGE);
        ASSERT_ERR(parse_duration("18446744073709551615s1s", UINT64_MAX, &d), ERANGE);
        ASSERT_ERR(parse_duration("10000000000000000000s10000000000000000000s", UINT64_MAX, &d), ERANGE);
        DUR("9223372036854775807s9223372036854775808s", UINT64_MAX, UINT64_MAX);

        /* ret untouched on failure. */
        ASSERT_TRUE(d == UINT64_MAX);
#undef DUR
}

static void test_format_age(void) {
        char buf[FORMAT_AGE_MAX];

        ASSERT_STREQ(format_age(buf, 0), "0s");
        ASSERT_STREQ(format_age(buf, 45), "45s");
        ASSERT_STREQ(format_age(buf, 59), "59s");
        ASSERT_STREQ(format_age(buf, 60), "1m");
        ASSERT_STREQ(format_age(buf, 180), "3m");
        ASSERT_STREQ(format_age(buf, 3599), "59m");
        ASSERT_STREQ(format_age(buf, 3600), "1h 0m");
        ASSERT_STREQ(format_age(buf, 2 * 3600 + 5 * 60 + 59), "2h 5m");
        ASSERT_STREQ(format_age(buf, 86399), "23h 59m");
        ASSERT_STREQ(format_age(buf, 86400), "1d 0h");
        ASSERT_STREQ(format_age(buf, 4 * 86400 + 3 * 3600 + 59 * 60), "4d 3h");
        ASSERT_STREQ(format_age(buf, 400 * 86400), "400d 0h");
        /* The clock went backwards: not a negative age. */
        ASSERT_STREQ(format_age(buf, -5), "0s");
        ASSERT_STREQ(format_age(buf, INT64_MIN), "0s");
        ASSERT_STREQ(format_age(buf, INT64_MAX), "106751991167300d 15h");
}

static void test_now(void) {
        int64_t a = now_utc(), b;

        ASSERT_TRUE(a > ts("2024-01-01"));
        b = now_utc();
        ASSERT_TRUE(b >= a && b - a < 5);
}

int main(void) {
        test_leap_and_months();
        test_civil();
        test_parse_timestamp();
        test_format_timestamp();
        test_parse_duration();
        test_format_age();
        test_now();
        return 0;
}
