/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Expected instants were worked out by hand from the tz rules (Berlin:
 * 2026-03-29 01:00Z 02:00 CET -> 03:00 CEST, 2026-10-25 01:00Z 03:00 CEST ->
 * 02:00 CET; New York: 2026-03-08 07:00Z 02:00 EST -> 03:00 EDT, 2026-11-01
 * 06:00Z 02:00 EDT -> 01:00 EST; Lord Howe: 2026-04-04 15:00Z 02:00 +11 ->
 * 01:30 +10:30, 2026-10-03 15:30Z 02:00 +10:30 -> 02:30 +11) and
 * cross-checked against Python's zoneinfo. 2026-03-29 is a Sunday. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schedule.h"
#include "test-helpers.h"
#include "time-util.h"

static Schedule *P(ScheduleType type, const char *spec, const char *tz) {
        _cleanup_free_ char *error = NULL;
        Schedule *s = NULL;
        int r;

        r = schedule_parse(type, spec, tz, &s, &error);
        if (r < 0) {
                fprintf(stderr, "parse of '%s' in %s failed: %s (%s)\n",
                        spec, tz ?: "UTC", strerror(-r), error ?: "no message");
                abort();
        }
        ASSERT_TRUE(s);
        return s;
}

static int64_t N(const Schedule *s, uint64_t key, int64_t now) {
        int64_t t = 0;

        ASSERT_OK(schedule_next(s, key, now, &t));
        ASSERT_TRUE(t > now);
        return t;
}

#define ASSERT_NEXT(type, spec, tz, now, expected)                                      \
        do {                                                                            \
                _cleanup_(schedule_freep) Schedule *_s = P(type, spec, tz);             \
                char _b1[FORMAT_TIMESTAMP_MAX], _b2[FORMAT_TIMESTAMP_MAX];              \
                int64_t _t = N(_s, 0, T(now)), _e = T(expected);                        \
                if (_t != _e) {                                                         \
                        fprintf(stderr, "%s:%d: '%s' in %s after %s: got %s, expected %s\n", \
                                __FILE__, __LINE__, spec, tz ?: "UTC", now,             \
                                format_timestamp(_b1, _t), format_timestamp(_b2, _e));  \
                        abort();                                                        \
                }                                                                       \
        } while (0)

/* Follows the schedule from start and checks each run in turn. */
static void assert_sequence(ScheduleType type, const char *spec, const char *tz,
                            const char *start, const char *const *expected) {
        _cleanup_(schedule_freep) Schedule *s = P(type, spec, tz);
        int64_t now = T(start);

        for (const char *const *e = expected; *e; e++) {
                char b1[FORMAT_TIMESTAMP_MAX];
                int64_t t = N(s, 0, now);

                if (t != T(*e)) {
                        fprintf(stderr, "'%s' in %s after %s: got %s, expected %s\n",
                                spec, tz ?: "UTC", format_timestamp(b1, now), format_timestamp(b1, t), *e);
                        abort();
                }
                now = t;
        }
}
#define SEQ(...) ((const char *const[]) { __VA_ARGS__, NULL })

static void assert_parse_error(ScheduleType type, const char *spec, const char *tz, int err, const char *needle) {
        _cleanup_free_ char *error = NULL;
        Schedule *s = NULL;
        int r;

        r = schedule_parse(type, spec, tz, &s, &error);
        if (r != -err || !error || !strstr(error, needle)) {
                fprintf(stderr, "parse of '%s' (%s): got %d (%s), expected %d with \"%s\"\n",
                        spec, tz ?: "UTC", r, error ?: "no message", -err, needle);
                abort();
        }
        ASSERT_TRUE(!s);
        /* A caller that doesn't want the message gets the same code. */
        ASSERT_EQ(schedule_parse(type, spec, tz, &s, NULL), -err);
        ASSERT_TRUE(!s);
}

static void test_type_strings(void) {
        for (ScheduleType t = 0; t < _SCHEDULE_TYPE_MAX; t++)
                ASSERT_EQ(schedule_type_from_string(schedule_type_to_string(t)), t);
        ASSERT_STREQ(schedule_type_to_string(SCHEDULE_DAILY), "daily");
        ASSERT_EQ(schedule_type_from_string("cron"), SCHEDULE_CRON);
        ASSERT_EQ(schedule_type_from_string("weekly"), _SCHEDULE_TYPE_INVALID);
        ASSERT_EQ(schedule_type_from_string(NULL), -EINVAL);
        ASSERT_TRUE(!schedule_type_to_string(_SCHEDULE_TYPE_MAX));
        ASSERT_TRUE(!schedule_type_to_string(_SCHEDULE_TYPE_INVALID));
}

static void test_interval(void) {
        _cleanup_(schedule_freep) Schedule *five = P(SCHEDULE_INTERVAL, "5m", NULL);
        _cleanup_(schedule_freep) Schedule *ninety = P(SCHEDULE_INTERVAL, " 1h30m ", "Europe/Berlin");
        int64_t now = T("2026-03-29T00:30:00Z");   /* a multiple of 300 and 1800 s */

        /* Spread: the slot is at key % period seconds into each period. */
        ASSERT_EQ(N(five, 7, now), T("2026-03-29T00:30:07Z"));
        ASSERT_EQ(N(five, 8, now), T("2026-03-29T00:30:08Z"));
        ASSERT_EQ(N(five, 7 + 300, now), T("2026-03-29T00:30:07Z"));
        ASSERT_EQ(N(five, 0, now), T("2026-03-29T00:35:00Z"));
        ASSERT_EQ(N(five, 299, now), T("2026-03-29T00:34:59Z"));
        /* Stable: same key, same answer. */
        ASSERT_EQ(N(five, 12345, now), N(five, 12345, now));
        /* Exactly at a slot: the next one, strictly later. */
        ASSERT_EQ(N(five, 7, T("2026-03-29T00:30:07Z")), T("2026-03-29T00:35:07Z"));
        ASSERT_EQ(N(five, 7, T("2026-03-29T00:30:06Z")), T("2026-03-29T00:30:07Z"));
        ASSERT_EQ(N(five, 7, T("2026-03-29T00:30:08Z")), T("2026-03-29T00:35:07Z"));

        /* 1h30m = 5400 s; now % 5400 == 1800. Time zones don't matter. */
        ASSERT_EQ(N(ninety, 0, now), T("2026-03-29T01:30:00Z"));
        ASSERT_EQ(N(ninety, 100, now), T("2026-03-29T01:31:40Z"));
        ASSERT_EQ(N(ninety, 5400 + 100, now), T("2026-03-29T01:31:40Z"));

        /* Property check over many keys: aligned, strictly after now, at most one period later. */
        for (uint64_t key = UINT64_MAX - 1000; key != 0; key++)
                for (int64_t n = now - 3; n <= now + 3; n++) {
                        int64_t t = N(five, key, n);

                        ASSERT_TRUE(t > n && t <= n + 300);
                        ASSERT_EQ((t - (int64_t) (key % 300)) % 300, 0);
                }

        /* Before the epoch too. */
        ASSERT_EQ(N(five, 7, -1), 7);
        ASSERT_EQ(N(five, 7, -300), -293);
        ASSERT_EQ(N(five, 0, -300), 0);

        /* Overflow is an error, not a wrap. */
        int64_t t;
        ASSERT_ERR(schedule_next(five, 0, INT64_MAX, &t), ERANGE);
        ASSERT_ERR(schedule_next(five, 0, INT64_MAX - 1, &t), ERANGE);
        ASSERT_OK(schedule_next(five, 0, INT64_MIN + 1000, &t));
        ASSERT_TRUE(t > INT64_MIN + 1000);

        /* Limits: 10 s to 7 days. */
        Schedule *s;
        ASSERT_OK(schedule_parse(SCHEDULE_INTERVAL, "10s", NULL, &s, NULL));
        schedule_free(s);
        ASSERT_OK(schedule_parse(SCHEDULE_INTERVAL, "7d", NULL, &s, NULL));
        schedule_free(s);
        ASSERT_OK(schedule_parse(SCHEDULE_INTERVAL, "1w", NULL, &s, NULL));
        schedule_free(s);
        assert_parse_error(SCHEDULE_INTERVAL, "9s", NULL, ERANGE, "out of range 10s-7d");
        assert_parse_error(SCHEDULE_INTERVAL, "0", NULL, ERANGE, "out of range");
        assert_parse_error(SCHEDULE_INTERVAL, "7d1s", NULL, ERANGE, "out of range");
        assert_parse_error(SCHEDULE_INTERVAL, "99999999999999999999999h", NULL, ERANGE, "out of range");
        assert_parse_error(SCHEDULE_INTERVAL, "5x", NULL, EINVAL, "interval '5x' is not a duration");
        assert_parse_error(SCHEDULE_INTERVAL, "-5m", NULL, EINVAL, "not a duration");
        assert_parse_error(SCHEDULE_INTERVAL, "5 m", NULL, EINVAL, "not a duration");
        assert_parse_error(SCHEDULE_INTERVAL, "", NULL, EINVAL, "empty");
        /* The zone is validated even though intervals don't use it. */
        assert_parse_error(SCHEDULE_INTERVAL, "5m", "Mars/Base", ENOENT, "time zone 'Mars/Base' not found");
}

static void test_daily(void) {
        assert_sequence(SCHEDULE_DAILY, "08:00, 12:30:15", NULL, "2026-03-29T00:30:00Z",
                        SEQ("2026-03-29T08:00:00Z", "2026-03-29T12:30:15Z",
                            "2026-03-30T08:00:00Z", "2026-03-30T12:30:15Z"));
        /* Order and duplicates in the spec don't matter; blanks are fine. */
        assert_sequence(SCHEDULE_DAILY, " 12:30:15 ,8:00,08:00,\t23:59:59 ", NULL, "2026-03-29T08:00:00Z",
                        SEQ("2026-03-29T12:30:15Z", "2026-03-29T23:59:59Z",
                            "2026-03-30T08:00:00Z"));
        ASSERT_NEXT(SCHEDULE_DAILY, "00:00", NULL, "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z");
        ASSERT_NEXT(SCHEDULE_DAILY, "00:00", NULL, "2028-02-28T00:00:00Z", "2028-02-29T00:00:00Z");

        /* Local times: Berlin is UTC+2 in summer, New York UTC-4. */
        ASSERT_NEXT(SCHEDULE_DAILY, "08:00", "Europe/Berlin", "2026-03-30T00:00:00Z", "2026-03-30T06:00:00Z");
        ASSERT_NEXT(SCHEDULE_DAILY, "08:00", "Europe/Berlin", "2026-03-30T06:00:00Z", "2026-03-31T06:00:00Z");
        ASSERT_NEXT(SCHEDULE_DAILY, "08:00", "Europe/Berlin", "2026-01-15T12:00:00Z", "2026-01-16T07:00:00Z");
        ASSERT_NEXT(SCHEDULE_DAILY, "23:00", "America/New_York", "2026-06-01T00:00:00Z", "2026-06-01T03:00:00Z");
        ASSERT_NEXT(SCHEDULE_DAILY, "23:00", "America/New_York", "2026-06-01T03:00:00Z", "2026-06-02T03:00:00Z");
        /* The local date of now differs from its UTC date. */
        ASSERT_NEXT(SCHEDULE_DAILY, "00:30", "Asia/Tokyo", "2026-06-01T15:10:00Z", "2026-06-01T15:30:00Z");

        /* 48 times are fine, 49 are not. */
        char spec[512] = "";
        for (int i = 0; i < 48; i++) {
                char item[16];
                snprintf(item, sizeof item, "%s%02d:%02d", i ? "," : "", i / 2, i % 2 * 30);
                strcat(spec, item);
        }
        ASSERT_EQ(strlen(spec), 48 * 6 - 1);    /* too long for the 256-byte cap... */
        assert_parse_error(SCHEDULE_DAILY, spec, NULL, E2BIG, "longer than 256");
        /* ...so use H:MM without blanks: "0:00,0:30,...": at most 5 bytes each. */
        spec[0] = 0;
        for (int i = 0; i < 48; i++) {
                char item[16];
                snprintf(item, sizeof item, "%s%d:%02d", i ? "," : "", i % 10, i / 10 * 10);
                strcat(spec, item);
        }
        ASSERT_TRUE(strlen(spec) <= 256);
        ASSERT_NEXT(SCHEDULE_DAILY, spec, NULL, "2026-03-29T09:40:00Z", "2026-03-30T00:00:00Z");
        strcat(spec, ",1:01");
        assert_parse_error(SCHEDULE_DAILY, spec, NULL, E2BIG, "at most 48");

        assert_parse_error(SCHEDULE_DAILY, "24:00", NULL, ERANGE, "hour 24 is out of range 0-23");
        assert_parse_error(SCHEDULE_DAILY, "08:60", NULL, ERANGE, "minute 60 is out of range 0-59");
        assert_parse_error(SCHEDULE_DAILY, "08:00:60", NULL, ERANGE, "second 60 is out of range 0-59");
        assert_parse_error(SCHEDULE_DAILY, "8", NULL, EINVAL, "expected HH:MM or HH:MM:SS");
        assert_parse_error(SCHEDULE_DAILY, "8:0", NULL, EINVAL, "expected HH:MM");
        assert_parse_error(SCHEDULE_DAILY, "123:00", NULL, EINVAL, "expected HH:MM");
        assert_parse_error(SCHEDULE_DAILY, "08:00x", NULL, EINVAL, "'08:00x'");
        assert_parse_error(SCHEDULE_DAILY, "08:00 09:00", NULL, EINVAL, "expected HH:MM");
        assert_parse_error(SCHEDULE_DAILY, "08:00,,09:00", NULL, EINVAL, "daily times: empty list item");
        assert_parse_error(SCHEDULE_DAILY, "08:00,", NULL, EINVAL, "empty list item");
        assert_parse_error(SCHEDULE_DAILY, ",08:00", NULL, EINVAL, "empty list item");
        assert_parse_error(SCHEDULE_DAILY, " \t ", NULL, EINVAL, "schedule is empty");
        assert_parse_error(SCHEDULE_DAILY, NULL, NULL, EINVAL, "schedule is empty");
        assert_parse_error(SCHEDULE_DAILY, "08:00\x01", NULL, EINVAL, "'08:00?'");
}

static void test_cron_basics(void) {
        assert_sequence(SCHEDULE_CRON, "5,10-12 */6 * * *", NULL, "2026-03-29T00:30:00Z",
                        SEQ("2026-03-29T06:05:00Z", "2026-03-29T06:10:00Z", "2026-03-29T06:11:00Z",
                            "2026-03-29T06:12:00Z", "2026-03-29T12:05:00Z"));
        assert_sequence(SCHEDULE_CRON, "* * * * *", NULL, "2026-03-29T00:30:30Z",
                        SEQ("2026-03-29T00:31:00Z", "2026-03-29T00:32:00Z"));
        /* a/n runs from a to the end of the field. */
        assert_sequence(SCHEDULE_CRON, "50/5 * * * *", NULL, "2026-03-29T00:30:00Z",
                        SEQ("2026-03-29T00:50:00Z", "2026-03-29T00:55:00Z", "2026-03-29T01:50:00Z"));
        assert_sequence(SCHEDULE_CRON, "1-10/4 0 * * *", NULL, "2026-03-29T00:30:00Z",
                        SEQ("2026-03-30T00:01:00Z", "2026-03-30T00:05:00Z", "2026-03-30T00:09:00Z",
                            "2026-03-31T00:01:00Z"));
        assert_sequence(SCHEDULE_CRON, "0 9-17/4 * * MON-fri", NULL, "2026-03-29T00:30:00Z",
                        SEQ("2026-03-30T09:00:00Z", "2026-03-30T13:00:00Z", "2026-03-30T17:00:00Z",
                            "2026-03-31T09:00:00Z"));
        assert_sequence(SCHEDULE_CRON, "0 0 1 jan,JUL *", NULL, "2026-03-29T00:30:00Z",
                        SEQ("2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z", "2027-07-01T00:00:00Z"));
        assert_sequence(SCHEDULE_CRON, "0 0 1 Feb-apr/2 *", NULL, "2026-03-29T00:30:00Z",
                        SEQ("2026-04-01T00:00:00Z", "2027-02-01T00:00:00Z", "2027-04-01T00:00:00Z"));
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 * * saturday", NULL, "2026-03-29T00:30:00Z", "2026-04-04T00:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 1 December *", NULL, "2026-03-29T00:30:00Z", "2026-12-01T00:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "59 23 31 12 *", NULL, "2026-03-29T00:30:00Z", "2026-12-31T23:59:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 31 * *", NULL, "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "\t0  0\t*  *  * ", NULL, "2026-03-29T00:30:00Z", "2026-03-30T00:00:00Z");

        /* Shortcuts. */
        ASSERT_NEXT(SCHEDULE_CRON, "@hourly", NULL, "2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "@daily", NULL, "2026-03-29T00:30:00Z", "2026-03-30T00:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "@midnight", NULL, "2026-03-29T00:30:00Z", "2026-03-30T00:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "@weekly", NULL, "2026-03-29T00:30:00Z", "2026-04-05T00:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "@monthly", NULL, "2026-03-29T00:30:00Z", "2026-04-01T00:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "@yearly", NULL, "2026-03-29T00:30:00Z", "2027-01-01T00:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, " @ANNUALLY ", NULL, "2026-03-29T00:30:00Z", "2027-01-01T00:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "@daily", "Europe/Berlin", "2026-03-29T00:30:00Z", "2026-03-29T22:00:00Z");

        /* Day-of-week 7 is Sunday, like 0 and "sun". */
        ASSERT_NEXT(SCHEDULE_CRON, "0 12 * * 7", NULL, "2026-03-29T00:30:00Z", "2026-03-29T12:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "0 12 * * 0", NULL, "2026-03-29T00:30:00Z", "2026-03-29T12:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "0 12 * * Sun", NULL, "2026-03-29T00:30:00Z", "2026-03-29T12:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "0 12 * * 7", NULL, "2026-03-29T12:00:00Z", "2026-04-05T12:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "0 12 * * 6-7", NULL, "2026-03-29T12:00:00Z", "2026-04-04T12:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "0 12 * * 5-7", NULL, "2026-03-29T12:00:00Z", "2026-04-03T12:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "0 12 * * 0-7", NULL, "2026-03-29T12:00:00Z", "2026-03-30T12:00:00Z");
}

static void test_cron_dom_dow(void) {
        /* Both restricted: either matches (Vixie). Mon 2026-03-30, Wed 04-01, Mon 04-06. */
        assert_sequence(SCHEDULE_CRON, "0 0 1 * mon", NULL, "2026-03-29T00:30:00Z",
                        SEQ("2026-03-30T00:00:00Z", "2026-04-01T00:00:00Z", "2026-04-06T00:00:00Z"));
        /* Day-of-month starts with '*': both must match. Mondays on the
         * 1st, 11th, 21st or 31st: 2026-05-11 is the first. */
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 */10 * mon", NULL, "2026-03-29T00:30:00Z", "2026-05-11T00:00:00Z");
        /* Day-of-week '*': only the day of the month counts. */
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 13 * *", NULL, "2026-03-29T00:30:00Z", "2026-04-13T00:00:00Z");
        /* Day-of-week starting with '*' (a step) also means AND: the 13th on
         * a Sunday or Friday (star-slash-5 is 0,5): Sunday 2026-09-13. */
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 13 * */5", NULL, "2026-03-29T00:30:00Z", "2026-09-13T00:00:00Z");
        /* 0 0 13 * 5 is OR: the next Friday. */
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 13 * 5", NULL, "2026-03-29T00:30:00Z", "2026-04-03T00:00:00Z");
}

static void test_leap_days(void) {
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 29 2 *", NULL, "2026-03-29T00:30:00Z", "2028-02-29T00:00:00Z");
        /* 2100 is not a leap year: eight years to the next one. */
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 29 2 *", NULL, "2096-03-01T00:00:00Z", "2104-02-29T00:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 29 feb *", "Europe/Berlin", "2026-03-29T00:30:00Z", "2028-02-28T23:00:00Z");
        /* 2000 is. */
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 29 2 *", NULL, "1997-01-01T00:00:00Z", "2000-02-29T00:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 29 2 */1", NULL, "2026-03-29T00:30:00Z", "2028-02-29T00:00:00Z");
        /* Rare AND matches are found too: Feb 29 on a Sunday (star-slash-7 is 0). */
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 29 2 */7", NULL, "2026-03-29T00:30:00Z", "2032-02-29T00:00:00Z");
        /* Feb 1 (star-slash-29 is 1 and 30) on a Monday. */
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 */29 2 1", NULL, "2026-03-29T00:30:00Z", "2027-02-01T00:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 29-29 2 *", NULL, "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z");
}

static void test_dst_berlin(void) {
        const char *tz = "Europe/Berlin";

        /* Spring forward, 2026-03-29 01:00Z: 02:30 doesn't exist and runs once
         * at the transition (03:00 CEST), then 02:30 CEST the next day. */
        assert_sequence(SCHEDULE_DAILY, "02:30", tz, "2026-03-29T00:30:00Z",
                        SEQ("2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"));
        assert_sequence(SCHEDULE_CRON, "30 2 * * *", tz, "2026-03-29T00:30:00Z",
                        SEQ("2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"));
        /* Several times in the gap collapse into one run, and the next call
         * at that very instant moves on instead of looping. */
        assert_sequence(SCHEDULE_DAILY, "02:00, 02:15, 02:30, 04:00", tz, "2026-03-29T00:30:00Z",
                        SEQ("2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z", "2026-03-30T00:00:00Z"));
        /* 03:00 itself exists and is that same instant: one run, not two. */
        assert_sequence(SCHEDULE_DAILY, "02:30, 03:00, 03:30", tz, "2026-03-29T00:30:00Z",
                        SEQ("2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"));
        assert_sequence(SCHEDULE_CRON, "*/15 * * * *", tz, "2026-03-29T00:30:00Z",
                        SEQ("2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z",
                            "2026-03-29T01:30:00Z"));
        /* Just before and exactly at the transition. */
        ASSERT_NEXT(SCHEDULE_DAILY, "02:30", tz, "2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z");
        ASSERT_NEXT(SCHEDULE_DAILY, "02:30", tz, "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z");

        /* Fall back, 2026-10-25 01:00Z: 02:30 happens at 00:30Z (CEST) and
         * 01:30Z (CET) and runs only at the first. */
        assert_sequence(SCHEDULE_DAILY, "02:30", tz, "2026-10-25T00:00:00Z",
                        SEQ("2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z", "2026-10-27T01:30:00Z"));
        assert_sequence(SCHEDULE_CRON, "30 2 * * *", tz, "2026-10-25T00:00:00Z",
                        SEQ("2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"));
        /* During the repeated hour (02:15 CET), 02:30 has already run. */
        ASSERT_NEXT(SCHEDULE_DAILY, "02:30", tz, "2026-10-25T01:15:00Z", "2026-10-26T01:30:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "30 2 * * *", tz, "2026-10-25T01:15:00Z", "2026-10-26T01:30:00Z");
        /* Times after the repeated hour happen once, in CET. */
        ASSERT_NEXT(SCHEDULE_DAILY, "03:00", tz, "2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z");
        ASSERT_NEXT(SCHEDULE_DAILY, "03:00", tz, "2026-10-25T01:15:00Z", "2026-10-25T02:00:00Z");
        /* Every quarter hour: the repeated 02:00-02:45 CET is not run again. */
        assert_sequence(SCHEDULE_CRON, "*/15 * * * *", tz, "2026-10-25T00:30:00Z",
                        SEQ("2026-10-25T00:45:00Z", "2026-10-25T02:00:00Z", "2026-10-25T02:15:00Z"));
        ASSERT_NEXT(SCHEDULE_CRON, "*/15 * * * *", tz, "2026-10-25T01:05:00Z", "2026-10-25T02:00:00Z");
}

static void test_dst_new_york(void) {
        const char *tz = "America/New_York";

        /* Spring forward, 2026-03-08 07:00Z (02:00 EST -> 03:00 EDT). */
        assert_sequence(SCHEDULE_DAILY, "02:30", tz, "2026-03-08T06:00:00Z",
                        SEQ("2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"));
        assert_sequence(SCHEDULE_CRON, "30 2 * * *", tz, "2026-03-08T06:00:00Z",
                        SEQ("2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"));
        assert_sequence(SCHEDULE_CRON, "*/20 * * * *", tz, "2026-03-08T06:30:00Z",
                        SEQ("2026-03-08T06:40:00Z", "2026-03-08T07:00:00Z", "2026-03-08T07:20:00Z"));

        /* Fall back, 2026-11-01 06:00Z (02:00 EDT -> 01:00 EST): 01:30 is
         * 05:30Z and 06:30Z, runs at the first. */
        assert_sequence(SCHEDULE_DAILY, "01:30", tz, "2026-11-01T05:00:00Z",
                        SEQ("2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"));
        assert_sequence(SCHEDULE_CRON, "30 1 * * *", tz, "2026-11-01T05:00:00Z",
                        SEQ("2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"));
        ASSERT_NEXT(SCHEDULE_DAILY, "01:30", tz, "2026-11-01T06:10:00Z", "2026-11-02T06:30:00Z");
        assert_sequence(SCHEDULE_CRON, "0 * * * *", tz, "2026-11-01T04:30:00Z",
                        SEQ("2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z", "2026-11-01T08:00:00Z"));
}

static void test_dst_lord_howe(void) {
        const char *tz = "Australia/Lord_Howe";

        /* Half-hour DST. Spring forward 2026-10-03 15:30Z (02:00 +10:30 -> 02:30 +11). */
        assert_sequence(SCHEDULE_DAILY, "02:15", tz, "2026-10-03T15:00:00Z",
                        SEQ("2026-10-03T15:30:00Z", "2026-10-04T15:15:00Z"));
        /* Fall back 2026-04-04 15:00Z (02:00 +11 -> 01:30 +10:30): 01:45 is
         * 14:45Z and 15:15Z. */
        assert_sequence(SCHEDULE_DAILY, "01:45", tz, "2026-04-04T14:00:00Z",
                        SEQ("2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"));
        ASSERT_NEXT(SCHEDULE_DAILY, "01:45", tz, "2026-04-04T15:05:00Z", "2026-04-05T15:15:00Z");
}

/* Over a whole year in a few zones, runs are strictly increasing (N()
 * checks that) and every local hour of the year gets exactly one run. */
static void test_monotonic_year(void) {
        static const char *const zones[] = {
                "UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
        };

        for (size_t i = 0; i < ELEMENTSOF(zones); i++) {
                _cleanup_(schedule_freep) Schedule *s = P(SCHEDULE_CRON, "7 * * * *", zones[i]);
                int64_t now = T("2026-01-01T00:00:00Z"), end = T("2027-01-01T00:00:00Z");
                unsigned n = 0;

                while (now < end) {
                        int64_t t = N(s, 0, now);

                        /* Normally an hour apart. Around a spring forward
                         * the skipped :07 runs at the transition, a few
                         * minutes before the next :07; around a fall back
                         * the repeated :07 is skipped, up to 2 h. */
                        ASSERT_TRUE(t - now <= 2 * 3600);
                        now = t;
                        n++;
                }
                /* 8760 hours, plus the first run in 2027. */
                ASSERT_EQ(n, 8761);
        }
}

static void test_cron_errors(void) {
        assert_parse_error(SCHEDULE_CRON, "0 0 * *", NULL, EINVAL, "expected 5 fields, got 4");
        assert_parse_error(SCHEDULE_CRON, "0 0 * * * *", NULL, EINVAL, "expected 5 fields, got 6");
        assert_parse_error(SCHEDULE_CRON, "0", NULL, EINVAL, "expected 5 fields, got 1");
        assert_parse_error(SCHEDULE_CRON, "", NULL, EINVAL, "schedule is empty");
        assert_parse_error(SCHEDULE_CRON, "   ", NULL, EINVAL, "schedule is empty");

        assert_parse_error(SCHEDULE_CRON, "60 * * * *", NULL, ERANGE, "minute field: 60 is out of range 0-59");
        assert_parse_error(SCHEDULE_CRON, "0 25 * * *", NULL, ERANGE, "hour field: 25 is out of range 0-23");
        assert_parse_error(SCHEDULE_CRON, "0 0 0 * *", NULL, ERANGE, "day-of-month field: 0 is out of range 1-31");
        assert_parse_error(SCHEDULE_CRON, "0 0 32 * *", NULL, ERANGE, "day-of-month field: 32 is out of range 1-31");
        assert_parse_error(SCHEDULE_CRON, "0 0 * 13 *", NULL, ERANGE, "month field: 13 is out of range 1-12");
        assert_parse_error(SCHEDULE_CRON, "0 0 * 0 *", NULL, ERANGE, "month field: 0 is out of range 1-12");
        assert_parse_error(SCHEDULE_CRON, "0 0 * * 8", NULL, ERANGE, "day-of-week field: 8 is out of range 0-7");
        assert_parse_error(SCHEDULE_CRON, "0 0-24 * * *", NULL, ERANGE, "hour field: 24 is out of range");
        /* Huge numbers don't overflow into something valid. */
        assert_parse_error(SCHEDULE_CRON, "99999999999999999999 * * * *", NULL, ERANGE,
                           "minute field: 99999999999999999999 is out of range 0-59");
        assert_parse_error(SCHEDULE_CRON, "4294967296 * * * *", NULL, ERANGE, "minute field");
        assert_parse_error(SCHEDULE_CRON, "*/4294967296 * * * *", NULL, ERANGE, "minute field: step 4294967296");

        assert_parse_error(SCHEDULE_CRON, "5-1 * * * *", NULL, EINVAL, "minute field: bad range 5-1");
        assert_parse_error(SCHEDULE_CRON, "0 0 * * fri-mon", NULL, EINVAL, "day-of-week field: bad range 5-1");
        assert_parse_error(SCHEDULE_CRON, "*/0 * * * *", NULL, EINVAL, "minute field: step 0 is not allowed");
        assert_parse_error(SCHEDULE_CRON, "0 1-5/0 * * *", NULL, EINVAL, "hour field: step 0 is not allowed");
        assert_parse_error(SCHEDULE_CRON, "*/61 * * * *", NULL, ERANGE, "minute field: step 61 is out of range 1-60");
        assert_parse_error(SCHEDULE_CRON, "*/ * * * *", NULL, EINVAL, "minute field: expected a step");
        assert_parse_error(SCHEDULE_CRON, "*/x * * * *", NULL, EINVAL, "minute field: unexpected character 'x'");

        assert_parse_error(SCHEDULE_CRON, "1,,2 * * * *", NULL, EINVAL, "minute field: empty list item");
        assert_parse_error(SCHEDULE_CRON, "0 1, * * *", NULL, EINVAL, "hour field: empty list item");
        assert_parse_error(SCHEDULE_CRON, "0 0 ,1 * *", NULL, EINVAL, "day-of-month field: empty list item");

        assert_parse_error(SCHEDULE_CRON, "0 0 * * fooday", NULL, EINVAL, "day-of-week field: unknown name 'fooday'");
        assert_parse_error(SCHEDULE_CRON, "0 0 * foo *", NULL, EINVAL, "month field: unknown name 'foo'");
        assert_parse_error(SCHEDULE_CRON, "0 0 * * mo", NULL, EINVAL, "unknown name 'mo'");
        assert_parse_error(SCHEDULE_CRON, "0 0 * jan *x", NULL, EINVAL, "day-of-week field: unexpected character 'x'");
        /* Names only where the field has them. */
        assert_parse_error(SCHEDULE_CRON, "0 0 mon * *", NULL, EINVAL, "day-of-month field: unknown name 'mon'");

        /* Garbage. */
        assert_parse_error(SCHEDULE_CRON, "0 0 * * 1#2", NULL, EINVAL, "day-of-week field: unexpected character '#'");
        assert_parse_error(SCHEDULE_CRON, "0 0 L * *", NULL, EINVAL, "day-of-month field: unknown name 'L'");
        assert_parse_error(SCHEDULE_CRON, "0 0 ? * *", NULL, EINVAL, "unexpected character '?'");
        assert_parse_error(SCHEDULE_CRON, "-1 * * * *", NULL, EINVAL, "minute field: unexpected character '-'");
        assert_parse_error(SCHEDULE_CRON, "1- * * * *", NULL, EINVAL, "minute field: unexpected end");
        assert_parse_error(SCHEDULE_CRON, "*5 * * * *", NULL, EINVAL, "minute field: unexpected character '5'");
        assert_parse_error(SCHEDULE_CRON, "0 0 * * *\n", NULL, EINVAL, "day-of-week field: unexpected byte 0x0a");
        assert_parse_error(SCHEDULE_CRON, "0 0 * * \xc3\xa9", NULL, EINVAL, "unexpected byte 0xc3");
        assert_parse_error(SCHEDULE_CRON, "0 0 * * \xff", NULL, EINVAL, "not valid UTF-8");

        /* Shortcuts. */
        assert_parse_error(SCHEDULE_CRON, "@reboot", NULL, EINVAL, "@reboot is not supported");
        assert_parse_error(SCHEDULE_CRON, "@fortnightly", NULL, EINVAL, "unknown shortcut '@fortnightly'");
        assert_parse_error(SCHEDULE_CRON, "@daily 5", NULL, EINVAL, "unknown shortcut");

        /* Never matches. */
        assert_parse_error(SCHEDULE_CRON, "0 0 30 2 *", NULL, EDOM, "day-of-month and month fields");
        assert_parse_error(SCHEDULE_CRON, "0 0 31 4,6 *", NULL, EDOM, "never occur");
        assert_parse_error(SCHEDULE_CRON, "0 0 30-31 feb *", NULL, EDOM, "never occur");
        assert_parse_error(SCHEDULE_CRON, "0 0 31 2,4,6,9,11 *", NULL, EDOM, "never occur");
        assert_parse_error(SCHEDULE_CRON, "0 0 30,31 2 */2", NULL, EDOM, "never occur");

        /* Input caps: 256 bytes. */
        char big[300];
        memset(big, '1', sizeof big - 1);
        big[sizeof big - 1] = 0;
        assert_parse_error(SCHEDULE_CRON, big, NULL, E2BIG, "longer than 256 bytes");
        assert_parse_error(SCHEDULE_DAILY, big, NULL, E2BIG, "longer than 256 bytes");
        assert_parse_error(SCHEDULE_INTERVAL, big, NULL, E2BIG, "longer than 256 bytes");

        /* An unknown type. */
        Schedule *s = NULL;
        ASSERT_ERR(schedule_parse(_SCHEDULE_TYPE_MAX, "5m", NULL, &s, NULL), EINVAL);
        ASSERT_ERR(schedule_parse(SCHEDULE_INTERVAL, "5m", NULL, NULL, NULL), EINVAL);
}

static void test_cron_possible(void) {
        /* These look odd but can match. */
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 31 4,5 *", NULL, "2026-03-29T00:30:00Z", "2026-05-31T00:00:00Z");
        /* OR semantics: Fridays in February, even though Feb 30 never happens. */
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 30 2 fri", NULL, "2026-03-29T00:30:00Z", "2027-02-05T00:00:00Z");
        ASSERT_NEXT(SCHEDULE_CRON, "0 0 29 2 *", NULL, "2026-03-29T00:30:00Z", "2028-02-29T00:00:00Z");
}

static void test_timezones(void) {
        ASSERT_OK(timezone_validate("UTC"));
        ASSERT_OK(timezone_validate("Europe/Berlin"));
        ASSERT_OK(timezone_validate("Europe/Berlin"));   /* cached */
        ASSERT_OK(timezone_validate("America/Argentina/Buenos_Aires"));
        ASSERT_OK(timezone_validate("Etc/GMT+5"));
        ASSERT_ERR(timezone_validate("Mars/Base"), ENOENT);
        ASSERT_ERR(timezone_validate("Europe"), ENOENT);          /* a directory */
        ASSERT_ERR(timezone_validate("zone.tab"), ENOENT);        /* not TZif */
        ASSERT_ERR(timezone_validate("Europe/Berlin/x"), ENOENT);
        ASSERT_ERR(timezone_validate(NULL), EINVAL);
        ASSERT_ERR(timezone_validate(""), EINVAL);
        ASSERT_ERR(timezone_validate("/etc/localtime"), EINVAL);
        ASSERT_ERR(timezone_validate("../zoneinfo/UTC"), EINVAL);
        ASSERT_ERR(timezone_validate("Europe/../UTC"), EINVAL);
        ASSERT_ERR(timezone_validate("Europe//Berlin"), EINVAL);
        ASSERT_ERR(timezone_validate("Europe/"), EINVAL);
        ASSERT_ERR(timezone_validate("./UTC"), EINVAL);
        ASSERT_ERR(timezone_validate("Europe/Berlin,foo"), EINVAL);
        ASSERT_ERR(timezone_validate("CET-1CEST"), ENOENT);       /* POSIX rules are not zone names */
        ASSERT_ERR(timezone_validate("Europe/Be rlin"), EINVAL);
        char longname[80];
        memset(longname, 'A', sizeof longname - 1);
        longname[sizeof longname - 1] = 0;
        ASSERT_ERR(timezone_validate(longname), EINVAL);

        /* NULL and "" mean UTC. */
        ASSERT_NEXT(SCHEDULE_DAILY, "08:00", "", "2026-03-29T00:30:00Z", "2026-03-29T08:00:00Z");
        ASSERT_NEXT(SCHEDULE_DAILY, "08:00", "UTC", "2026-03-29T00:30:00Z", "2026-03-29T08:00:00Z");
        ASSERT_NEXT(SCHEDULE_DAILY, "08:00", "Etc/UTC", "2026-03-29T00:30:00Z", "2026-03-29T08:00:00Z");
        ASSERT_NEXT(SCHEDULE_DAILY, "08:00", "Asia/Kolkata", "2026-03-29T00:30:00Z", "2026-03-29T02:30:00Z");

        assert_parse_error(SCHEDULE_DAILY, "08:00", "Mars/Base", ENOENT, "time zone 'Mars/Base' not found");
        assert_parse_error(SCHEDULE_CRON, "* * * * *", "Europe", ENOENT, "time zone 'Europe' not found");
        assert_parse_error(SCHEDULE_CRON, "* * * * *", "/etc/localtime", EINVAL, "absolute paths");
        assert_parse_error(SCHEDULE_CRON, "* * * * *", "../../etc/passwd", EINVAL, "'../../etc/passwd' is invalid");
        assert_parse_error(SCHEDULE_CRON, "* * * * *", "Europe//Berlin", EINVAL, "empty path component");
        assert_parse_error(SCHEDULE_CRON, "* * * * *", longname, EINVAL, "longer than 64 bytes");
        assert_parse_error(SCHEDULE_CRON, "* * * * *", "Europe/\x1b[31m", EINVAL, "invalid character");
}

/* The process time zone is left as it was, whether $TZ was set or not. */
static void test_tz_restored(void) {
        _cleanup_(schedule_freep) Schedule *s = P(SCHEDULE_DAILY, "02:30", "Europe/Berlin");
        time_t t0 = (time_t) T("2026-07-01T12:00:00Z");
        struct tm tm;

        ASSERT_OK(setenv("TZ", "America/New_York", 1));
        tzset();
        ASSERT_EQ(N(s, 0, T("2026-03-29T00:30:00Z")), T("2026-03-29T01:00:00Z"));
        ASSERT_STREQ(getenv("TZ"), "America/New_York");
        ASSERT_TRUE(localtime_r(&t0, &tm));
        ASSERT_EQ(tm.tm_gmtoff, -4 * 3600);

        ASSERT_OK(unsetenv("TZ"));
        tzset();
        ASSERT_EQ(N(s, 0, T("2026-03-29T00:30:00Z")), T("2026-03-29T01:00:00Z"));
        ASSERT_TRUE(!getenv("TZ"));

        /* A caller that selected the zone itself keeps it. */
        ASSERT_OK(setenv("TZ", ":/usr/share/zoneinfo/Europe/Berlin", 1));
        ASSERT_EQ(N(s, 0, T("2026-10-25T00:00:00Z")), T("2026-10-25T00:30:00Z"));
        ASSERT_STREQ(getenv("TZ"), ":/usr/share/zoneinfo/Europe/Berlin");
        ASSERT_TRUE(localtime_r(&t0, &tm));
        ASSERT_EQ(tm.tm_gmtoff, 2 * 3600);

        ASSERT_OK(unsetenv("TZ"));
        tzset();
}

static void test_next_errors(void) {
        _cleanup_(schedule_freep) Schedule *s = P(SCHEDULE_CRON, "@daily", "Europe/Berlin");
        int64_t t = 42;

        ASSERT_ERR(schedule_next(NULL, 0, 0, &t), EINVAL);
        ASSERT_ERR(schedule_next(s, 0, 0, NULL), EINVAL);
        ASSERT_ERR(schedule_next(s, 0, INT64_MAX, &t), ERANGE);
        ASSERT_ERR(schedule_next(s, 0, INT64_MIN, &t), ERANGE);
        ASSERT_EQ(t, 42);   /* untouched on failure */
        _cleanup_(schedule_freep) Schedule *yearly = P(SCHEDULE_CRON, "@yearly", NULL);
        ASSERT_EQ(N(yearly, 0, T("9999-12-31T23:59:59Z")), T("9999-12-31T23:59:59Z") + 1);
        ASSERT_ERR(schedule_next(yearly, 0, T("9999-12-31T23:59:59Z") + 1, &t), ERANGE);
}

int main(void) {
        test_type_strings();
        test_interval();
        test_daily();
        test_cron_basics();
        test_cron_dom_dow();
        test_leap_days();
        test_dst_berlin();
        test_dst_new_york();
        test_dst_lord_howe();
        test_monotonic_year();
        test_cron_errors();
        test_cron_possible();
        test_timezones();
        test_tz_restored();
        test_next_errors();
        return 0;
}
