/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Schedules and their next runs in a zone (src/shared/schedule.c).
 * Input, one part a line: the type ("interval", "daily", "cron"; anything
 * else picks one by its length), the zone (empty: UTC), "now" in seconds
 * since the epoch, and the rest is the spec. Promises checked: a refused
 * spec comes with a message; a run is strictly after the time asked from,
 * so runs computed one after another strictly increase. */

#include <errno.h>
#include <inttypes.h>

#include "fuzz.h"
#include "schedule.h"

/* The scheduler's "now" comes from the clock or an ISO 8601 --now: years
 * 1970..9999. Outside that, the overflow would be in the caller. */
#define NOW_MAX INT64_C(253402300799)
#define RUNS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *type_name = NULL, *tz = NULL, *now_text = NULL, *spec = NULL, *error = NULL;
        _cleanup_(schedule_freep) Schedule *s = NULL;
        ScheduleType type;
        int64_t now, t;
        char *end;
        int r;

        if (size > 4096)
                return 0;
        type_name = fuzz_line(&data, &size);
        tz = fuzz_line(&data, &size);
        now_text = fuzz_line(&data, &size);
        spec = fuzz_strndup(data, size);

        type = schedule_type_from_string(type_name);
        if (type < 0)
                type = (ScheduleType) (strlen(type_name) % _SCHEDULE_TYPE_MAX);
        errno = 0;
        now = strtoll(now_text, &end, 10);
        if (errno != 0 || end == now_text || now < 0 || now > NOW_MAX)
                now = INT64_C(1767225600);      /* 2026-01-01 */

        r = schedule_parse(type, spec, tz, &s, &error);
        if (r < 0) {
                FUZZ_ASSERT(r == -ENOMEM || (error && *error));
                FUZZ_ASSERT(!s);
                return 0;
        }
        FUZZ_ASSERT(s);
        FUZZ_ASSERT(!error);

        t = now;
        for (unsigned i = 0; i < RUNS; i++) {
                int64_t next = 0;

                r = schedule_next(s, (uint64_t) now * 2654435761u, t, &next);
                if (r < 0)
                        break;
                if (next <= t) {
                        fprintf(stderr, "%s schedule '%s' in '%s': run %" PRIi64 " is not after %" PRIi64 "\n",
                                schedule_type_to_string(type), spec, tz, next, t);
                        abort();
                }
                if (next > NOW_MAX)
                        break;
                t = next;
        }
        return 0;
}
