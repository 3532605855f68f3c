/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pikctl maintenance add|list|remove: over D-Bus or offline with --db, the
 * same library calls either way. */

#include <errno.h>
#include <stdio.h>

#include "maintenance.h"
#include "string-util.h"
#include "time-util.h"
#include "verbs.h"

int verb_maintenance_add(Context *c, int argc, char **argv) {
        const Args *a = c->args;
        char config[24] = "", what[96];
        PikMaintenanceSpec spec = { .cron = a->config[PIK_CONFIG_OPT_CRON], .reason = a->reason };
        const char *tz = a->config[PIK_CONFIG_OPT_TIMEZONE];
        uint64_t d;
        int64_t id = 0;
        int r, n;

        n = !!a->partner + (a->config_id > 0) + a->all;
        if (n != 1)
                return fail(c, -EINVAL, "maintenance add needs exactly one of --partner CODE, --config ID or --all.");
        if (!spec.cron)
                return fail(c, -EINVAL, "maintenance add needs --cron EXPR: when each window starts.");
        if (!a->duration)
                return fail(c, -EINVAL, "maintenance add needs --duration TIME: how long each window lasts, e.g. 2h.");
        if (!a->reason)
                return fail(c, -EINVAL, "maintenance add needs --reason TEXT.");
        if (parse_duration(a->duration, PIK_MAINTENANCE_DURATION_MAX, &d) < 0 || d == 0)
                return fail(c, -EINVAL, "Invalid --duration '%s': a duration such as 2h or 90m, at most 7d.",
                            SNIPPET(a->duration));
        spec.duration_sec = (int64_t) d;
        if (a->partner) {
                spec.scope = PIK_MAINTENANCE_PARTNER;
                spec.target = a->partner;
        } else if (a->config_id > 0) {
                spec.scope = PIK_MAINTENANCE_CONFIG;
                snprintf(config, sizeof config, "%lld", (long long) a->config_id);
                spec.target = config;
        } else
                spec.scope = PIK_MAINTENANCE_ALL;

        if (c->bus) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;

                /* "" for the zone: pikd's configured one. */
                r = bus_call(c, "AddMaintenance", &reply, "ssssxs", pik_maintenance_scope_to_string(spec.scope),
                             spec.target ?: "", spec.cron, tz ?: "", spec.duration_sec, spec.reason);
                if (r >= 0 && sd_bus_message_read(reply, "x", &id) < 0)
                        return fail(c, -EBADMSG, "pikd's reply to AddMaintenance is not an id");
        } else {
                spec.timezone = tz ?: c->cfg->timezone;
                r = pik_maintenance_add(c->db, &spec, c->now, &id);
        }
        if (r < 0)
                return r;
        if (spec.scope == PIK_MAINTENANCE_ALL)
                snprintf(what, sizeof what, "all checks");
        else
                snprintf(what, sizeof what, "%s %s", spec.scope == PIK_MAINTENANCE_PARTNER ? "partner" : "configuration",
                         spec.target);
        return say_done(c, "Added maintenance window %lld for %s: starting at '%s' in %s, for %s each: %s.",
                        (long long) id, what, spec.cron, tz ?: c->bus ? "pikd's time zone" : c->cfg->timezone,
                        a->duration, spec.reason);
}

int verb_maintenance_list(Context *c, int argc, char **argv) {
        _cleanup_json_ json_object *a = NULL;
        static const Column cols[] = {
                { "id", "ID", COLUMN_TEXT, NULL },
                { "scope", "SCOPE", COLUMN_TEXT, NULL },
                { "partner", "PARTNER", COLUMN_TEXT, NULL },
                { "config_id", "CONFIG", COLUMN_TEXT, NULL },
                { "cron", "CRON", COLUMN_TEXT, NULL },
                { "timezone", "ZONE", COLUMN_TEXT, NULL },
                { "duration_sec", "DURATION", COLUMN_AGE, NULL },
                { "active_until", "OPEN UNTIL", COLUMN_TIME, NULL },
                { "next_start", "NEXT START", COLUMN_TIME, NULL },
                { "reason", "REASON", COLUMN_TEXT, NULL },
        };
        int r;

        r = c->bus ? bus_call_json(c, "ListMaintenance", &a, "") : pik_maintenance_list(c->db, c->now, &a);
        if (r < 0)
                return r;
        return output_table(&c->out, a, cols, ELEMENTSOF(cols));
}

int verb_maintenance_remove(Context *c, int argc, char **argv) {
        int64_t id;
        int r;

        r = parse_id(c, argv[0], &id);
        if (r < 0)
                return r;
        r = c->bus ? bus_call(c, "RemoveMaintenance", NULL, "x", id) : pik_maintenance_remove(c->db, id);
        if (r < 0)
                return r;
        return say_done(c, "Removed maintenance window %lld.", (long long) id);
}
