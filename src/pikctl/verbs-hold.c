/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pikctl run-now, hold, release: over D-Bus or offline with --db, the same
 * library calls either way. */

#include <errno.h>
#include <stdio.h>

#include "job.h"
#include "string-util.h"
#include "time-util.h"
#include "verbs.h"

/* A hold longer than this is a typo, not maintenance. */
#define HOLD_MAX_SEC (UINT64_C(366) * 86400)

/* Either a time or a duration from now ("2h"): when a hold ends. */
static int parse_until(Context *c, const char *s, int64_t *ret) {
        uint64_t d;

        if (parse_timestamp(s, ret) >= 0) {
                if (*ret <= c->now)
                        return fail(c, -EINVAL, "Invalid --until '%s': the time has already passed.", SNIPPET(s));
                return 0;
        }
        if (parse_duration(s, HOLD_MAX_SEC, &d) >= 0 && d > 0) {
                *ret = c->now + (int64_t) d;
                return 0;
        }
        return fail(c, -EINVAL, "Invalid --until '%s': an ISO 8601 time or a duration such as 2h (at most 366d).",
                    SNIPPET(s));
}

/* "held until 2026-12-02T10:00:00Z: network work" and the like. */
static void describe_hold(char *buf, size_t size, const char *reason, const char *until) {
        snprintf(buf, size, "held%s%s%s%s", until ? " until " : "", until ?: "", reason ? ": " : "", reason ?: "");
}

/* Whether any job just queued for partner (and browser) is held, from the
 * same job listing whether over D-Bus or offline; the first hold found is
 * described in buf. 1 if held, 0 if not. */
static int queued_hold(Context *c, const char *partner, const char *browser, char *buf, size_t size) {
        _cleanup_json_ json_object *jobs = NULL;
        int r;

        r = c->bus ? bus_call_json(c, "ListJobs", &jobs, "s", "") : pik_job_list(c->db, PIK_JOBS_ALL, c->now, &jobs);
        if (r < 0)
                return r;
        for (size_t i = 0; i < json_object_array_length(jobs); i++) {
                json_object *j = json_object_array_get_idx(jobs, i), *v;

                if (!json_object_object_get_ex(j, "partner", &v) || !streq(json_object_get_string(v), partner))
                        continue;
                if (browser && (!json_object_object_get_ex(j, "browser", &v) ||
                                !streq(json_object_get_string(v), browser)))
                        continue;
                if (!json_object_object_get_ex(j, "held", &v) || !json_object_get_boolean(v))
                        continue;

                json_object *reason = NULL, *until = NULL;
                json_object_object_get_ex(j, "held_reason", &reason);
                json_object_object_get_ex(j, "held_until", &until);
                describe_hold(buf, size, reason ? json_object_get_string(reason) : NULL,
                              until ? json_object_get_string(until) : NULL);
                return 1;
        }
        return 0;
}

int verb_run_now(Context *c, int argc, char **argv) {
        char hold[PIK_TEXT_MAX + 64];
        int r, n;

        if (c->bus) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                uint32_t u = 0;

                r = bus_call(c, "RunNow", &reply, "ss", argv[0], c->args->browser ?: "");
                if (r >= 0 && sd_bus_message_read(reply, "u", &u) >= 0)
                        r = (int) u;
        } else
                r = pik_job_run_now(c->db, argv[0], c->args->browser, c->now);
        if (r < 0)
                return r;
        n = r;

        /* The jobs are queued all the same (they start when the hold
         * ends), so this is not a failure; but "Queued" alone would send
         * the operator waiting for a result that does not come. */
        r = queued_hold(c, argv[0], c->args->browser, hold, sizeof hold);
        if (r < 0)
                return r;
        if (r > 0)
                return say_done(c, "Held: queued %d job%s of partner %s, but they are %s; they start when the hold "
                                "ends (or after pikctl release).", n, n == 1 ? "" : "s", argv[0], hold);
        return say_done(c, "Queued %d job%s of partner %s; the dispatcher starts them at its next pass.",
                        n, n == 1 ? "" : "s", argv[0]);
}

int verb_hold(Context *c, int argc, char **argv) {
        const char *reason = c->args->reason;
        char until_buf[FORMAT_TIMESTAMP_MAX];
        int64_t id = 0, until = 0;
        int r;

        if (argc > 0) {
                r = parse_id(c, argv[0], &id);
                if (r < 0)
                        return r;
        }
        if (c->args->until) {
                r = parse_until(c, c->args->until, &until);
                if (r < 0)
                        return r;
        }

        /* Hold with neither reason nor end keeps the old method, so that a
         * newer pikctl works with an older pikd for what both know. */
        if (c->bus && !reason && until == 0)
                r = bus_call(c, "Hold", NULL, "x", id);
        else if (c->bus)
                r = bus_call(c, "HoldWith", NULL, "xsx", id, reason ?: "", until);
        else
                r = pik_job_hold(c->db, id, reason, until, c->now);
        if (r < 0)
                return r;

        char what[48];
        if (id == 0)
                snprintf(what, sizeof what, "all checks");
        else
                snprintf(what, sizeof what, "configuration %lld", (long long) id);
        return say_done(c, "Holding %s%s%s%s%s.", what,
                        until > 0 ? " until " : "", until > 0 ? format_timestamp(until_buf, until) : "",
                        reason ? ": " : "", reason ?: "");
}

int verb_release(Context *c, int argc, char **argv) {
        int64_t id = 0;
        int r;

        if (argc > 0) {
                r = parse_id(c, argv[0], &id);
                if (r < 0)
                        return r;
        }
        r = c->bus ? bus_call(c, "Release", NULL, "x", id) : pik_job_release(c->db, id);
        if (r < 0)
                return r;
        if (id == 0)
                return say_done(c, "Released the global hold.");
        return say_done(c, "Released configuration %lld.", (long long) id);
}
