/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "macro.h"

/* When a job runs. Three kinds, each evaluated in an IANA time zone:
 *   interval  "5m", "1h30m": every N seconds, with a stable per-job spread
 *             so that a thousand jobs with the same interval don't all fire
 *             in the same second (the spread is derived from the job key);
 *   daily     "08:00, 12:30:15": local wall-clock times each day;
 *   cron      5 fields (minute hour day-of-month month day-of-week) with
 *             ranges, lists, steps, month/day names, and @hourly, @daily,
 *             @midnight, @weekly, @monthly, @yearly, @annually.
 * A local time that does not exist (spring forward) runs once, at the next
 * valid instant; a local time that happens twice (fall back) runs once, at
 * its first occurrence. "now" is always a parameter: no function here reads
 * the clock. */

typedef enum ScheduleType {
        SCHEDULE_INTERVAL,
        SCHEDULE_DAILY,
        SCHEDULE_CRON,
        _SCHEDULE_TYPE_MAX,
        _SCHEDULE_TYPE_INVALID = -EINVAL,
} ScheduleType;

typedef struct Schedule Schedule;

const char *schedule_type_to_string(ScheduleType t);   /* "interval", "daily", "cron" */
ScheduleType schedule_type_from_string(const char *s);

/* Parse spec in time zone tz (NULL or "" means "UTC"). On failure returns a
 * negative errno (-EINVAL for syntax, -ERANGE for out-of-range values,
 * -ENOENT for an unknown time zone, -EDOM for a cron expression that can
 * never match, e.g. "0 0 30 2 *") and, if ret_error is non-NULL, a
 * malloc'd message naming the field and the reason, e.g.
 * "hour field: 25 is out of range 0-23". */
int schedule_parse(ScheduleType type, const char *spec, const char *tz, Schedule **ret, char **ret_error);
Schedule *schedule_free(Schedule *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(Schedule *, schedule_free);

/* The first run strictly after now (seconds since the epoch, UTC).
 * job_key only matters for intervals: it picks the spread. Daily and cron
 * schedules in a zone other than UTC set $TZ for the duration of the call
 * (glibc has no per-call zone API) and put it back: not safe while other
 * threads use the environment or local time. */
int schedule_next(const Schedule *s, uint64_t job_key, int64_t now, int64_t *ret);

/* 0 if tz names a time zone in the system's tz database (an existing TZif
 * file under /usr/share/zoneinfo, no "..", no absolute path), -ENOENT if
 * not, -EINVAL if malformed. */
int timezone_validate(const char *tz);
