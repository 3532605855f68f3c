/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "time-util.h"

int64_t now_utc(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec;
}

bool is_leap_year(int y) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
        static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

        if (m < 1 || m > 12)
                return 0;
        return d[m - 1] + (m == 2 && is_leap_year(y));
}

/* Howard Hinnant's days_from_civil: exact for the whole int range we use,
 * and independent of the process time zone. */
int64_t days_from_civil(int y, int m, int d) {
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        unsigned yoe = (unsigned) (y - era * 400);
        unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + (int64_t) doe - 719468;
}

void civil_from_days(int64_t z, int *ret_y, int *ret_m, int *ret_d) {
        z += 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        unsigned doe = (unsigned) (z - era * 146097);
        unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t y = (int64_t) yoe + era * 400;
        unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        unsigned mp = (5 * doy + 2) / 153;
        unsigned d = doy - (153 * mp + 2) / 5 + 1;
        unsigned m = mp < 10 ? mp + 3 : mp - 9;
        *ret_y = (int) (y + (m <= 2));
        *ret_m = (int) m;
        *ret_d = (int) d;
}

static int parse_digits(const char **p, unsigned n, int *ret) {
        int v = 0;

        for (unsigned i = 0; i < n; i++) {
                if ((*p)[i] < '0' || (*p)[i] > '9')
                        return -EINVAL;
                v = v * 10 + ((*p)[i] - '0');
        }
        *p += n;
        *ret = v;
        return 0;
}

int parse_timestamp(const char *s, int64_t *ret) {
        int y, mo, d, h = 0, mi = 0, sec = 0;
        int64_t offset = 0;
        const char *p = s;

        if (!s || !*s)
                return -EINVAL;

        if (*p == '@') {
                char *e;

                /* strtoll() would also take blanks and a '+'. */
                if (!((p[1] >= '0' && p[1] <= '9') || (p[1] == '-' && p[2] >= '0' && p[2] <= '9')))
                        return -EINVAL;
                errno = 0;
                long long v = strtoll(p + 1, &e, 10);
                if (errno != 0 || e == p + 1 || *e)
                        return -EINVAL;
                *ret = (int64_t) v;
                return 0;
        }

        if (parse_digits(&p, 4, &y) < 0 || *p++ != '-' ||
            parse_digits(&p, 2, &mo) < 0 || *p++ != '-' ||
            parse_digits(&p, 2, &d) < 0)
                return -EINVAL;
        if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
                return -ERANGE;

        if (*p == 'T' || *p == ' ') {
                p++;
                if (parse_digits(&p, 2, &h) < 0 || *p++ != ':' || parse_digits(&p, 2, &mi) < 0)
                        return -EINVAL;
                if (*p == ':') {
                        p++;
                        if (parse_digits(&p, 2, &sec) < 0)
                                return -EINVAL;
                }
                if (h > 23 || mi > 59 || sec > 59)
                        return -ERANGE;

                if (*p == 'Z')
                        p++;
                else if (*p == '+' || *p == '-') {
                        int sign = *p == '-' ? -1 : 1, oh, om = 0;
                        p++;
                        if (parse_digits(&p, 2, &oh) < 0)
                                return -EINVAL;
                        /* "+01", "+0100", "+01:00"; not "+01:". */
                        if (*p == ':') {
                                p++;
                                if (parse_digits(&p, 2, &om) < 0)
                                        return -EINVAL;
                        } else if (*p && parse_digits(&p, 2, &om) < 0)
                                return -EINVAL;
                        if (oh > 23 || om > 59)
                                return -ERANGE;
                        offset = sign * (oh * 3600 + om * 60);
                }
        }
        if (*p)
                return -EINVAL;

        *ret = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
        return 0;
}

char *format_timestamp(char buf[static FORMAT_TIMESTAMP_MAX], int64_t t) {
        /* Floor division and modulo without negating t or multiplying
         * back, either of which overflows near INT64_MIN. */
        int64_t days = t / 86400 - (t % 86400 < 0);
        int64_t rem = t % 86400 + (t % 86400 < 0 ? 86400 : 0);
        int y, m, d;

        civil_from_days(days, &y, &m, &d);
        snprintf(buf, FORMAT_TIMESTAMP_MAX, "%04d-%02d-%02dT%02d:%02d:%02dZ",
                 y, m, d, (int) (rem / 3600), (int) (rem / 60 % 60), (int) (rem % 60));
        return buf;
}

int parse_duration(const char *s, uint64_t max_sec, uint64_t *ret) {
        uint64_t total = 0;
        const char *p = s;

        if (!s || !*s)
                return -EINVAL;

        while (*p) {
                uint64_t v = 0, mult;
                const char *start = p;

                while (*p >= '0' && *p <= '9') {
                        unsigned digit = (unsigned) (*p - '0');

                        /* max_sec alone does not stop a wrap when it is
                         * close to UINT64_MAX. */
                        if (v > max_sec || v > (UINT64_MAX - digit) / 10)
                                return -ERANGE;
                        v = v * 10 + digit;
                        p++;
                }
                if (p == start)
                        return -EINVAL;

                switch (*p) {
                case 'w': mult = 7 * 86400; p++; break;
                case 'd': mult = 86400; p++; break;
                case 'h': mult = 3600; p++; break;
                case 'm': mult = 60; p++; break;
                case 's': mult = 1; p++; break;
                case 0:
                        /* A bare number only on its own: "1h30" is ambiguous. */
                        if (start != s)
                                return -EINVAL;
                        mult = 1;
                        break;
                default:
                        return -EINVAL;
                }

                /* total <= max_sec holds here, so the subtraction cannot
                 * wrap, and neither can the sum. */
                if (v > max_sec / mult || v * mult > max_sec - total)
                        return -ERANGE;
                total += v * mult;
        }

        *ret = total;
        return 0;
}

char *format_age(char buf[static FORMAT_AGE_MAX], int64_t sec) {
        if (sec < 0)
                sec = 0;
        if (sec < 60)
                snprintf(buf, FORMAT_AGE_MAX, "%llds", (long long) sec);
        else if (sec < 3600)
                snprintf(buf, FORMAT_AGE_MAX, "%lldm", (long long) (sec / 60));
        else if (sec < 86400)
                snprintf(buf, FORMAT_AGE_MAX, "%lldh %lldm", (long long) (sec / 3600), (long long) (sec / 60 % 60));
        else
                snprintf(buf, FORMAT_AGE_MAX, "%lldd %lldh", (long long) (sec / 86400), (long long) (sec / 3600 % 24));
        return buf;
}
