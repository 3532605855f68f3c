/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "schedule.h"
#include "string-util.h"
#include "time-util.h"

/* Caps on operator input (curl's "toobig" habit). */
#define SCHEDULE_SPEC_MAX 256
#define SCHEDULE_DAILY_MAX 48
#define INTERVAL_MIN_SEC 10
#define INTERVAL_MAX_SEC (7 * 86400)
#define TIMEZONE_NAME_MAX 64
#define ZONEINFO_DIR "/usr/share/zoneinfo/"

/* Daily and cron schedules are evaluated on the proleptic Gregorian calendar
 * for "now" in years 1..9999: that keeps all year arithmetic far away from
 * int overflow even after the 400-year search below. */
#define CALENDAR_NOW_MIN INT64_C(-62135596800)  /* 0001-01-01T00:00:00Z */
#define CALENDAR_NOW_MAX INT64_C(253402300799)  /* 9999-12-31T23:59:59Z */

/* The Gregorian calendar repeats every 400 years (weekdays included), so a
 * cron expression that matches at all matches within that span. */
#define CALENDAR_SEARCH_YEARS 401

struct Schedule {
        ScheduleType type;

        /* UTC is evaluated without touching the process time zone at all. */
        bool utc;
        /* ":/usr/share/zoneinfo/Europe/Berlin": the exact file that
         * timezone_validate() checked, so $TZDIR cannot make glibc read another. */
        char tz_env[1 + STRLEN(ZONEINFO_DIR) + TIMEZONE_NAME_MAX + 1];

        /* interval */
        uint64_t period;

        /* daily: seconds since local midnight, sorted, no duplicates */
        unsigned n_times;
        int32_t times[SCHEDULE_DAILY_MAX];

        /* cron: bit n set means value n matches */
        uint64_t minutes;       /* 0..59 */
        uint32_t hours;         /* 0..23 */
        uint32_t days;          /* 1..31 */
        uint16_t months;        /* 1..12 */
        uint8_t weekdays;       /* 0..6, Sunday is 0 */
        /* Vixie cron: when both day-of-month and day-of-week are restricted
         * (neither field starts with '*'), a day matches if either does;
         * otherwise both must. */
        bool day_or;
};

static const char *const schedule_type_table[_SCHEDULE_TYPE_MAX] = {
        [SCHEDULE_INTERVAL] = "interval",
        [SCHEDULE_DAILY] = "daily",
        [SCHEDULE_CRON] = "cron",
};

const char *schedule_type_to_string(ScheduleType t) {
        if (t < 0 || t >= _SCHEDULE_TYPE_MAX)
                return NULL;
        return schedule_type_table[t];
}

ScheduleType schedule_type_from_string(const char *s) {
        if (!s)
                return _SCHEDULE_TYPE_INVALID;
        for (ScheduleType t = 0; t < _SCHEDULE_TYPE_MAX; t++)
                if (streq(s, schedule_type_table[t]))
                        return t;
        return _SCHEDULE_TYPE_INVALID;
}

Schedule *schedule_free(Schedule *s) {
        free(s);
        return NULL;
}

/* Stores the message for the caller (if it wants one) and returns error.
 * Running out of memory for the message is reported as such, because the
 * caller would otherwise log a NULL reason. */
_printf_(3, 4)
static int fail(char **ret_error, int error, const char *format, ...) {
        va_list ap;
        int k;

        if (!ret_error)
                return error;

        va_start(ap, format);
        k = vasprintf(ret_error, format, ap);
        va_end(ap);
        if (k < 0) {
                *ret_error = NULL;
                return -ENOMEM;
        }
        return error;
}

static bool ascii_isdigit(char c) {
        return c >= '0' && c <= '9';
}

static bool ascii_isalpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

/* Error messages quote at most this much of the input (snippet()). */
#define SCHEDULE_SNIPPET_MAX 32
#define schedule_snippet(buf, s, n) snippet((buf), SCHEDULE_SNIPPET_MAX, (s), (n))

static int64_t floor_div(int64_t a, int64_t b) {
        int64_t q = a / b;

        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- time zones --------------------------------------------------------- */

/* Zones that passed timezone_validate() in this thread. A scheduler pass
 * parses every job's schedule again, usually all in a handful of zones, and
 * the open()+read() of the zone file would otherwise dominate. Only
 * successes are cached: a zone that is installed later is found then. A zone
 * removed while we run stays accepted until restart; tzdata keeps old names
 * as links, so that does not happen in practice. */
#define ZONE_CACHE_SIZE 8
static _Thread_local char zone_cache[ZONE_CACHE_SIZE][TIMEZONE_NAME_MAX + 1];
static _Thread_local unsigned zone_cache_next;

static bool zone_cache_lookup(const char *tz) {
        for (unsigned i = 0; i < ZONE_CACHE_SIZE; i++)
                if (streq(zone_cache[i], tz))
                        return true;
        return false;
}

static void zone_cache_add(const char *tz) {
        /* Caller checked the length. */
        memcpy(zone_cache[zone_cache_next], tz, strlen(tz) + 1);
        zone_cache_next = (zone_cache_next + 1) % ZONE_CACHE_SIZE;
}

/* Returns NULL if the name is well-formed, or why not. IANA names are
 * relative paths of [A-Za-z0-9_+-] components; anything else could make the
 * tz code read an arbitrary file or be taken as a POSIX TZ rule. */
static const char *timezone_name_problem(const char *tz) {
        size_t n = strnlen(tz, TIMEZONE_NAME_MAX + 1);

        if (n == 0)
                return "empty name";
        if (n > TIMEZONE_NAME_MAX)
                return "longer than 64 bytes";
        if (tz[0] == '/')
                return "absolute paths are not allowed";

        for (const char *p = tz; *p; p++) {
                char c = *p;

                if (c == '/') {
                        if (p[1] == '/' || p[1] == 0)
                                return "empty path component";
                        continue;
                }
                if (c == '.') {
                        /* Rejects "..", "." and hidden files alike. */
                        if (p == tz || p[-1] == '/')
                                return "path components must not start with '.'";
                        continue;
                }
                if (!ascii_isalpha(c) && !ascii_isdigit(c) && c != '_' && c != '-' && c != '+')
                        return "invalid character";
        }
        return NULL;
}

int timezone_validate(const char *tz) {
        _cleanup_close_ int fd = -1;
        char path[STRLEN(ZONEINFO_DIR) + TIMEZONE_NAME_MAX + 1];
        char magic[4];
        struct stat st;
        ssize_t k;

        if (!tz || timezone_name_problem(tz))
                return -EINVAL;
        /* UTC needs no file: we evaluate it ourselves, and minimal containers
         * often ship without tzdata. */
        if (streq(tz, "UTC"))
                return 0;
        if (zone_cache_lookup(tz))
                return 0;

        snprintf(path, sizeof path, ZONEINFO_DIR "%s", tz);

        /* glibc silently falls back to UTC for a name it cannot load, so the
         * file must be checked here. O_NONBLOCK: a FIFO must not hang us. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -ENOENT;
        k = read(fd, magic, sizeof magic);
        if (k < 0)
                return -errno;
        if (k != sizeof magic || memcmp(magic, "TZif", sizeof magic) != 0)
                return -ENOENT;

        zone_cache_add(tz);
        return 0;
}

static int schedule_set_zone(Schedule *s, const char *tz, char **ret_error) {
        char buf[SCHEDULE_SNIPPET_MAX + 4];
        const char *problem;
        int r;

        if (!tz || !*tz || streq(tz, "UTC")) {
                s->utc = true;
                return 0;
        }

        problem = timezone_name_problem(tz);
        if (problem) {
                /* The name may be arbitrary bytes: only echo it when short. */
                if (strnlen(tz, TIMEZONE_NAME_MAX + 1) > TIMEZONE_NAME_MAX)
                        return fail(ret_error, -EINVAL, "time zone name is invalid: %s", problem);
                return fail(ret_error, -EINVAL, "time zone '%s' is invalid: %s",
                            schedule_snippet(buf, tz, SIZE_MAX), problem);
        }

        r = timezone_validate(tz);
        if (r == -ENOENT)
                return fail(ret_error, r, "time zone '%s' not found", tz);
        if (r < 0)
                return fail(ret_error, r, "time zone '%s' cannot be read: %s", tz, strerror(-r));

        snprintf(s->tz_env, sizeof s->tz_env, ":" ZONEINFO_DIR "%s", tz);
        return 0;
}

/* glibc has no per-call time zone API (no localtime_rz()), so a zone is
 * selected by setting $TZ and calling tzset() around the conversions, and
 * the previous value is put back afterwards so that the rest of the program
 * (log timestamps, other schedules) is unaffected. This makes evaluation of
 * non-UTC schedules unsafe to run concurrently with anything else that
 * reads the environment or the time zone. */
typedef struct ZoneScope {
        bool active;
        char *saved;
} ZoneScope;

static void zone_leave(ZoneScope *z) {
        int saved_errno = errno;

        if (!z->active)
                return;

        if (z->saved)
                (void) setenv("TZ", z->saved, 1);
        else
                (void) unsetenv("TZ");
        tzset();

        free(z->saved);
        z->saved = NULL;
        z->active = false;
        errno = saved_errno;
}

static int zone_enter(ZoneScope *z, const char *tz_env) {
        const char *cur = getenv("TZ");

        if (cur && streq(cur, tz_env)) {
                /* Already selected (a caller evaluating many jobs in one zone
                 * may set it once). localtime_r() never looks at $TZ itself,
                 * so tzset() is still needed, but with an unchanged $TZ it only
                 * compares the string and returns. */
                tzset();
                return 0;
        }

        if (cur) {
                z->saved = strdup(cur);
                if (!z->saved)
                        return -ENOMEM;
        }
        z->active = true;

        if (setenv("TZ", tz_env, 1) < 0)
                return -errno;
        tzset();
        return 0;
}

/* The UTC offset in effect at t in the selected zone. */
static int zone_offset(int64_t t, int64_t *ret) {
        time_t tt = (time_t) t;
        struct tm tm;

        if ((int64_t) tt != t || !localtime_r(&tt, &tm))
                return -ERANGE;
        *ret = tm.tm_gmtoff;
        return 0;
}

/* Local wall-clock seconds (as if the local time were UTC) -> the instant.
 * This computes min{ t : local(t) >= L }, which is exactly the rule of the
 * header: an existing time maps to itself, a time that happens twice to its
 * first occurrence, a time in a spring-forward gap to the transition (the
 * first valid instant after it). Being monotonic in L, it also lets the
 * search below go through candidate local times in order.
 *
 * The offsets in effect a day either side cover both sides of any single
 * transition near L (real offsets are within +-14h, so L-1d and L+1d are
 * at least 10h away from the instant). */
static int local_to_utc(bool utc, int64_t L, int64_t *ret) {
        int64_t offsets[2], o, best = INT64_MAX, lo, hi;
        int r;

        if (utc) {
                *ret = L;
                return 0;
        }

        r = zone_offset(L - 86400, &offsets[0]);
        if (r < 0)
                return r;
        r = zone_offset(L + 86400, &offsets[1]);
        if (r < 0)
                return r;

        for (unsigned i = 0; i < 2; i++) {
                int64_t c = L - offsets[i];

                if (i == 1 && offsets[1] == offsets[0])
                        break;
                r = zone_offset(c, &o);
                if (r < 0)
                        return r;
                if (o == offsets[i] && c < best)
                        best = c;
        }
        if (best != INT64_MAX) {
                *ret = best;
                return 0;
        }

        /* L falls into a gap: find the first instant whose local time is
         * past L, i.e. the transition. local(lo) < L <= local(hi). */
        lo = MIN(L - offsets[0], L - offsets[1]);
        hi = MAX(L - offsets[0], L - offsets[1]);
        while (hi - lo > 1) {
                int64_t mid = lo + (hi - lo) / 2;

                r = zone_offset(mid, &o);
                if (r < 0)
                        return r;
                if (mid + o >= L)
                        hi = mid;
                else
                        lo = mid;
        }
        *ret = hi;
        return 0;
}

/* ---- interval ----------------------------------------------------------- */

static int parse_interval(Schedule *s, const char *spec, char **ret_error) {
        char buf[SCHEDULE_SNIPPET_MAX + 4];
        uint64_t sec;
        int r;

        r = parse_duration(spec, INTERVAL_MAX_SEC, &sec);
        if (r == -ERANGE || (r >= 0 && sec < INTERVAL_MIN_SEC))
                return fail(ret_error, -ERANGE, "interval '%s' is out of range 10s-7d",
                            schedule_snippet(buf, spec, SIZE_MAX));
        if (r < 0)
                return fail(ret_error, -EINVAL, "interval '%s' is not a duration like 5m or 1h30m",
                            schedule_snippet(buf, spec, SIZE_MAX));

        s->period = sec;
        return 0;
}

static int next_interval(const Schedule *s, uint64_t job_key, int64_t now, int64_t *ret) {
        int64_t period = (int64_t) s->period, offset = (int64_t) (job_key % s->period), rem, t;

        /* rem = (now - offset) mod period, in [0, period), computed without
         * overflowing near INT64_MIN. */
        rem = (now % period - offset) % period;
        if (rem < 0)
                rem += period;

        /* now - rem is the last slot at or before now; the next one is
         * strictly after now. */
        if (__builtin_sub_overflow(now, rem, &t) || __builtin_add_overflow(t, period, &t))
                return -ERANGE;
        *ret = t;
        return 0;
}

/* ---- daily -------------------------------------------------------------- */

static int parse_two_digits(const char **p, int *ret) {
        if (!ascii_isdigit((*p)[0]) || !ascii_isdigit((*p)[1]))
                return -EINVAL;
        *ret = ((*p)[0] - '0') * 10 + ((*p)[1] - '0');
        *p += 2;
        return 0;
}

static int parse_daily_time(const char *item, int32_t *ret, char **ret_error) {
        char buf[SCHEDULE_SNIPPET_MAX + 4];
        const char *p = item;
        int h, m, sec = 0;

        /* H:MM, HH:MM, HH:MM:SS */
        if (!ascii_isdigit(*p))
                goto syntax;
        h = *p++ - '0';
        if (ascii_isdigit(*p))
                h = h * 10 + (*p++ - '0');
        if (*p++ != ':' || parse_two_digits(&p, &m) < 0)
                goto syntax;
        if (*p == ':') {
                p++;
                if (parse_two_digits(&p, &sec) < 0)
                        goto syntax;
        }
        if (*p)
                goto syntax;

        if (h > 23)
                return fail(ret_error, -ERANGE, "daily time '%s': hour %d is out of range 0-23",
                            schedule_snippet(buf, item, SIZE_MAX), h);
        if (m > 59)
                return fail(ret_error, -ERANGE, "daily time '%s': minute %d is out of range 0-59",
                            schedule_snippet(buf, item, SIZE_MAX), m);
        if (sec > 59)
                return fail(ret_error, -ERANGE, "daily time '%s': second %d is out of range 0-59",
                            schedule_snippet(buf, item, SIZE_MAX), sec);

        *ret = h * 3600 + m * 60 + sec;
        return 0;

syntax:
        return fail(ret_error, -EINVAL, "daily time '%s': expected HH:MM or HH:MM:SS",
                    schedule_snippet(buf, item, SIZE_MAX));
}

/* spec is a private, trimmed copy that we may cut up. */
static int parse_daily(Schedule *s, char *spec, char **ret_error) {
        unsigned n_items = 1;
        char *item = spec;
        int r;

        for (const char *p = spec; *p; p++)
                if (*p == ',')
                        n_items++;
        if (n_items > SCHEDULE_DAILY_MAX)
                return fail(ret_error, -E2BIG, "daily times: %u times, at most %d are allowed",
                            n_items, SCHEDULE_DAILY_MAX);

        for (;;) {
                char *end = strchrnul(item, ','), *last = end;
                bool done = *end == 0;
                int32_t t = 0;
                unsigned i;

                while (is_blank(*item))
                        item++;
                while (last > item && is_blank(last[-1]))
                        last--;
                *last = 0;

                if (!*item)
                        return fail(ret_error, -EINVAL, "daily times: empty list item");

                r = parse_daily_time(item, &t, ret_error);
                if (r < 0)
                        return r;

                /* Insertion into the sorted set; duplicates are harmless. */
                for (i = 0; i < s->n_times && s->times[i] < t; i++)
                        ;
                if (i == s->n_times || s->times[i] != t) {
                        memmove(s->times + i + 1, s->times + i, (s->n_times - i) * sizeof s->times[0]);
                        s->times[i] = t;
                        s->n_times++;
                }

                if (done)
                        break;
                item = end + 1;
        }
        return 0;
}

/* ---- cron --------------------------------------------------------------- */

typedef struct CronField {
        const char *name;
        int min, max;
        /* What '*' and "a/n" run up to: day-of-week accepts 7 for Sunday
         * but '*' means 0-6. */
        int star_max;
        /* Names: value = index + names_base. */
        const char *const *abbrevs;
        const char *const *full;
        size_t n_names;
        int names_base;
} CronField;

static const char *const month_abbrevs[] = {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
};
static const char *const month_full[] = {
        "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december",
};
static const char *const day_abbrevs[] = {
        "sun", "mon", "tue", "wed", "thu", "fri", "sat",
};
static const char *const day_full[] = {
        "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
};

enum { FIELD_MINUTE, FIELD_HOUR, FIELD_DOM, FIELD_MONTH, FIELD_DOW, _FIELD_MAX };

static const CronField cron_fields[_FIELD_MAX] = {
        [FIELD_MINUTE] = { "minute", 0, 59, 59 },
        [FIELD_HOUR] = { "hour", 0, 23, 23 },
        [FIELD_DOM] = { "day-of-month", 1, 31, 31 },
        [FIELD_MONTH] = { "month", 1, 12, 12, month_abbrevs, month_full, ELEMENTSOF(month_abbrevs), 1 },
        [FIELD_DOW] = { "day-of-week", 0, 7, 6, day_abbrevs, day_full, ELEMENTSOF(day_abbrevs), 0 },
};

static int cron_unexpected(const CronField *f, const char *p, char **ret_error) {
        unsigned char c = (unsigned char) *p;

        if (c == 0)
                return fail(ret_error, -EINVAL, "%s field: unexpected end, expected a number", f->name);
        if (c > 0x20 && c < 0x7F)
                return fail(ret_error, -EINVAL, "%s field: unexpected character '%c'", f->name, c);
        return fail(ret_error, -EINVAL, "%s field: unexpected byte 0x%02x", f->name, c);
}

/* A number (up to 9 digits are evaluated, longer ones are out of range
 * whatever they say) or, where the field has them, a name. */
static int cron_parse_value(const CronField *f, const char **p, int *ret, char **ret_error) {
        char buf[SCHEDULE_SNIPPET_MAX + 4];
        const char *s = *p, *e = s;

        if (ascii_isdigit(*s)) {
                int v = 0;

                while (ascii_isdigit(*e)) {
                        if (e - s < 9)
                                v = v * 10 + (*e - '0');
                        e++;
                }
                if (e - s > 9 || v < f->min || v > f->max)
                        return fail(ret_error, -ERANGE, "%s field: %s is out of range %d-%d",
                                    f->name, schedule_snippet(buf, s, (size_t) (e - s)), f->min, f->max);
                *p = e;
                *ret = v;
                return 0;
        }

        if (ascii_isalpha(*s)) {
                size_t n;

                while (ascii_isalpha(*e))
                        e++;
                n = (size_t) (e - s);

                for (size_t i = 0; i < f->n_names; i++)
                        if ((n == 3 && strncasecmp(s, f->abbrevs[i], 3) == 0) ||
                            (n == strlen(f->full[i]) && strncasecmp(s, f->full[i], n) == 0)) {
                                *p = e;
                                *ret = (int) i + f->names_base;
                                return 0;
                        }

                return fail(ret_error, -EINVAL, "%s field: unknown name '%s'", f->name, schedule_snippet(buf, s, n));
        }

        return cron_unexpected(f, s, ret_error);
}

static int cron_parse_item(const CronField *f, const char *item, uint64_t *bits, char **ret_error) {
        const char *p = item;
        int lo, hi, step = 1, r;

        if (*p == '*') {
                p++;
                lo = f->min;
                hi = f->star_max;
        } else {
                r = cron_parse_value(f, &p, &lo, ret_error);
                if (r < 0)
                        return r;
                hi = lo;

                if (*p == '-') {
                        p++;
                        r = cron_parse_value(f, &p, &hi, ret_error);
                        if (r < 0)
                                return r;
                        if (lo > hi)
                                return fail(ret_error, -EINVAL,
                                            "%s field: bad range %d-%d, the start is after the end",
                                            f->name, lo, hi);
                } else if (*p == '/')
                        /* "a/n": from a to the end of the field. */
                        hi = MAX(lo, f->star_max);
        }

        if (*p == '/') {
                char buf[SCHEDULE_SNIPPET_MAX + 4];
                const char *s = ++p;
                int span = f->max - f->min + 1;

                if (!ascii_isdigit(*p))
                        return *p == 0 ?
                                fail(ret_error, -EINVAL, "%s field: expected a step after '/'", f->name) :
                                cron_unexpected(f, p, ret_error);
                step = 0;
                while (ascii_isdigit(*p)) {
                        if (p - s < 9)
                                step = step * 10 + (*p - '0');
                        p++;
                }
                if (step == 0 && p - s <= 9)
                        return fail(ret_error, -EINVAL, "%s field: step 0 is not allowed", f->name);
                if (p - s > 9 || step > span)
                        return fail(ret_error, -ERANGE, "%s field: step %s is out of range 1-%d",
                                    f->name, schedule_snippet(buf, s, (size_t) (p - s)), span);
        }

        if (*p)
                return cron_unexpected(f, p, ret_error);

        for (int v = lo; v <= hi; v += step)
                /* Day-of-week 7 is Sunday, like 0. */
                *bits |= UINT64_C(1) << (f == &cron_fields[FIELD_DOW] && v == 7 ? 0 : v);
        return 0;
}

/* field is a NUL-terminated copy that we may cut up at the commas. */
static int cron_parse_field(const CronField *f, char *field, uint64_t *ret, char **ret_error) {
        uint64_t bits = 0;
        char *item = field;
        int r;

        for (;;) {
                char *end = strchrnul(item, ',');
                bool done = *end == 0;

                *end = 0;
                if (!*item)
                        return fail(ret_error, -EINVAL, "%s field: empty list item", f->name);

                r = cron_parse_item(f, item, &bits, ret_error);
                if (r < 0)
                        return r;

                if (done)
                        break;
                item = end + 1;
        }

        *ret = bits;
        return 0;
}

static const struct {
        const char *name;
        const char *expansion;
} cron_shortcuts[] = {
        { "@yearly",   "0 0 1 1 *" },
        { "@annually", "0 0 1 1 *" },
        { "@monthly",  "0 0 1 * *" },
        { "@weekly",   "0 0 * * 0" },
        { "@daily",    "0 0 * * *" },
        { "@midnight", "0 0 * * *" },
        { "@hourly",   "0 * * * *" },
};

/* spec is a private, trimmed copy of at most SCHEDULE_SPEC_MAX bytes that
 * we may cut up. */
static int parse_cron(Schedule *s, char *spec, char **ret_error) {
        char *fields[_FIELD_MAX] = {}, *p = spec;
        uint64_t bits[_FIELD_MAX];
        unsigned n = 0;
        int r;

        if (spec[0] == '@') {
                char buf[SCHEDULE_SNIPPET_MAX + 4];

                for (size_t i = 0; i < ELEMENTSOF(cron_shortcuts); i++)
                        if (strcasecmp(spec, cron_shortcuts[i].name) == 0) {
                                /* Fits: spec has room for SCHEDULE_SPEC_MAX bytes. */
                                memcpy(spec, cron_shortcuts[i].expansion, strlen(cron_shortcuts[i].expansion) + 1);
                                return parse_cron(s, spec, ret_error);
                        }

                if (strcasecmp(spec, "@reboot") == 0)
                        return fail(ret_error, -EINVAL,
                                    "@reboot is not supported: jobs run at times, not at boot");
                return fail(ret_error, -EINVAL, "unknown shortcut '%s'", schedule_snippet(buf, spec, SIZE_MAX));
        }

        for (;;) {
                while (is_blank(*p))
                        *p++ = 0;
                if (!*p)
                        break;
                if (n < _FIELD_MAX)
                        fields[n] = p;
                n++;
                while (*p && !is_blank(*p))
                        p++;
        }
        if (n != _FIELD_MAX)
                return fail(ret_error, -EINVAL, "expected 5 fields, got %u", n);

        for (unsigned i = 0; i < _FIELD_MAX; i++) {
                r = cron_parse_field(&cron_fields[i], fields[i], &bits[i], ret_error);
                if (r < 0)
                        return r;
        }

        s->minutes = bits[FIELD_MINUTE];
        s->hours = (uint32_t) bits[FIELD_HOUR];
        s->days = (uint32_t) bits[FIELD_DOM];
        s->months = (uint16_t) bits[FIELD_MONTH];
        s->weekdays = (uint8_t) bits[FIELD_DOW];
        s->day_or = fields[FIELD_DOM][0] != '*' && fields[FIELD_DOW][0] != '*';

        /* With OR semantics every week has a matching day. Otherwise some
         * selected day of the month must exist in some selected month; once
         * it does, it also falls on every weekday within 400 years, so the
         * day-of-week field cannot make the expression impossible. */
        if (!s->day_or) {
                bool possible = false;

                for (int m = 1; m <= 12 && !possible; m++)
                        if (s->months & (1U << m))
                                possible = s->days & ((UINT64_C(2) << (m == 2 ? 29 : days_in_month(2001, m))) - 2);
                if (!possible)
                        return fail(ret_error, -EDOM,
                                    "day-of-month and month fields: the selected days never occur in the selected months");
        }
        return 0;
}

static bool cron_day_matches(const Schedule *s, int64_t day, int dom) {
        int wday = (int) (((day + 4) % 7 + 7) % 7);   /* 1970-01-01 was a Thursday */
        bool dom_ok = s->days & (UINT32_C(1) << dom);
        bool dow_ok = s->weekdays & (1U << wday);

        return s->day_or ? (dom_ok || dow_ok) : (dom_ok && dow_ok);
}

/* ---- next run for daily and cron ---------------------------------------- */

/* Tries local time day*86400+sod: returns 1 and the instant if it is after
 * now, 0 if not. */
static int try_local(const Schedule *s, int64_t day, int64_t sod, int64_t now, int64_t *ret) {
        int64_t t = 0;
        int r;

        r = local_to_utc(s->utc, day * 86400 + sod, &t);
        if (r < 0)
                return r;
        if (t <= now)
                return 0;
        *ret = t;
        return 1;
}

/* The matching times of one day in order, only those later than
 * after_sod (seconds since local midnight, -1 for all). */
static int scan_day(const Schedule *s, int64_t day, int64_t after_sod, int64_t now, int64_t *ret) {
        int r;

        if (s->type == SCHEDULE_DAILY) {
                for (unsigned i = 0; i < s->n_times; i++) {
                        if (s->times[i] <= after_sod)
                                continue;
                        r = try_local(s, day, s->times[i], now, ret);
                        if (r != 0)
                                return r;
                }
                return 0;
        }

        for (uint32_t hours = s->hours; hours != 0; hours &= hours - 1) {
                int h = __builtin_ctz(hours);

                if (h * 3600 + 59 * 60 <= after_sod)
                        continue;

                for (uint64_t minutes = s->minutes; minutes != 0; minutes &= minutes - 1) {
                        int64_t sod = h * 3600 + __builtin_ctzll(minutes) * 60;

                        if (sod <= after_sod)
                                continue;
                        r = try_local(s, day, sod, now, ret);
                        if (r != 0)
                                return r;
                }
        }
        return 0;
}

static int next_calendar(const Schedule *s, int64_t now, int64_t *ret) {
        _cleanup_(zone_leave) ZoneScope scope = {};
        int64_t wall, day0, sod0;
        int y, m, d, y_end, r;

        if (now < CALENDAR_NOW_MIN || now > CALENDAR_NOW_MAX)
                return -ERANGE;

        if (s->utc)
                wall = now;
        else {
                int64_t o;

                r = zone_enter(&scope, s->tz_env);
                if (r < 0)
                        return r;
                r = zone_offset(now, &o);
                if (r < 0)
                        return r;
                wall = now + o;
        }

        day0 = floor_div(wall, 86400);
        sod0 = wall - day0 * 86400;
        civil_from_days(day0, &y, &m, &d);
        y_end = y + CALENDAR_SEARCH_YEARS;

        /* Local times up to and including the wall clock of now have all
         * been reached already (local_to_utc() maps them to instants <= now),
         * so the search starts right after it. The check t > now in
         * try_local() covers the rest: times already run at their first
         * occurrence while we are in the repeated hour, and gap times that
         * were folded into a transition instant which is now. */
        for (int64_t day = day0;;) {
                civil_from_days(day, &y, &m, &d);
                if (y > y_end)
                        return -EDOM;

                if (s->type == SCHEDULE_CRON) {
                        if (!(s->months & (1U << m))) {
                                /* Skip to the first day of the next selected month. */
                                do {
                                        if (++m > 12)
                                                m = 1, y++;
                                } while (!(s->months & (1U << m)));
                                day = days_from_civil(y, m, 1);
                                continue;
                        }
                        if (!cron_day_matches(s, day, d)) {
                                day++;
                                continue;
                        }
                }

                r = scan_day(s, day, day == day0 ? sod0 : -1, now, ret);
                if (r != 0)
                        return r < 0 ? r : 0;
                day++;
        }
}

/* ---- public ------------------------------------------------------------- */

int schedule_parse(ScheduleType type, const char *spec, const char *tz, Schedule **ret, char **ret_error) {
        _cleanup_(schedule_freep) Schedule *s = NULL;
        char buf[SCHEDULE_SPEC_MAX + 1];
        const char *start, *end;
        int r;

        if (!ret)
                return -EINVAL;
        if (type < 0 || type >= _SCHEDULE_TYPE_MAX)
                return fail(ret_error, -EINVAL, "unknown schedule type");

        if (!spec)
                spec = "";
        if (strnlen(spec, SCHEDULE_SPEC_MAX + 1) > SCHEDULE_SPEC_MAX)
                return fail(ret_error, -E2BIG, "schedule is longer than %d bytes", SCHEDULE_SPEC_MAX);
        if (!utf8_is_valid(spec))
                return fail(ret_error, -EINVAL, "schedule is not valid UTF-8");

        for (start = spec; is_blank(*start); start++)
                ;
        for (end = start + strlen(start); end > start && is_blank(end[-1]); end--)
                ;
        if (start == end)
                return fail(ret_error, -EINVAL, "schedule is empty");
        memcpy(buf, start, (size_t) (end - start));
        buf[end - start] = 0;

        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->type = type;

        switch (type) {
        case SCHEDULE_INTERVAL:
                r = parse_interval(s, buf, ret_error);
                break;
        case SCHEDULE_DAILY:
                r = parse_daily(s, buf, ret_error);
                break;
        case SCHEDULE_CRON:
                r = parse_cron(s, buf, ret_error);
                break;
        default:
                r = -EINVAL;
        }
        if (r < 0)
                return r;

        /* Intervals don't depend on the zone, but a misspelt one is still a
         * configuration error the operator wants to hear about. */
        r = schedule_set_zone(s, tz, ret_error);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(s);
        return 0;
}

int schedule_next(const Schedule *s, uint64_t job_key, int64_t now, int64_t *ret) {
        int64_t t = 0;
        int r;

        if (!s || !ret)
                return -EINVAL;

        if (s->type == SCHEDULE_INTERVAL)
                r = next_interval(s, job_key, now, &t);
        else
                r = next_calendar(s, now, &t);
        if (r < 0)
                return r;

        *ret = t;
        return 0;
}
