/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pik.conf's "schedules": named schedules that configurations use as their
 * default (pikctl config add --schedule NAME), so that changing one line here
 * moves every configuration that follows it.
 *
 *   schedules = {
 *     hourly = "1h";                          # an interval, as --every takes it
 *     morning = "at: 08:00, 12:30";           # as --at takes it
 *     office = "cron: 0 8-18 * * mon-fri";  # as --cron takes it
 *   };
 *
 * The prefixes are pikctl's option names, so a schedule reads the same in
 * both places. Each is checked here as the scheduler will read it; the time
 * zone is the configuration's own. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "string-util.h"

static const struct {
        const char *prefix;
        ScheduleType type;
} prefixes[] = {
        { "every:", SCHEDULE_INTERVAL },
        { "at:", SCHEDULE_DAILY },
        { "cron:", SCHEDULE_CRON },
};

const PikNamedSchedule *pik_config_find_schedule(const PikConfig *c, const char *name) {
        for (size_t i = 0; c && name && i < c->n_schedules; i++)
                if (streq(c->schedules[i].name, name))
                        return &c->schedules[i];
        return NULL;
}

void pik_named_schedules_free(PikConfig *c) {
        for (size_t i = 0; i < c->n_schedules; i++) {
                free(c->schedules[i].name);
                free(c->schedules[i].text);
        }
        free(c->schedules);
        c->schedules = NULL;
        c->n_schedules = 0;
}

static bool name_valid(const char *n) {
        size_t len = strlen(n);

        if (len == 0 || len > PIK_SCHEDULE_NAME_MAX)
                return false;
        if (!((n[0] >= 'a' && n[0] <= 'z') || (n[0] >= '0' && n[0] <= '9')))
                return false;
        return strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_-") == len;
}

static int parse_one(Parser *p, const config_setting_t *s, PikNamedSchedule *ret) {
        _cleanup_free_ char *key = NULL, *error = NULL;
        _cleanup_(schedule_freep) Schedule *sched = NULL;
        ScheduleType type = SCHEDULE_INTERVAL;
        const char *name = config_setting_name(s), *v;
        int r;

        if (asprintf(&key, "schedules.%s", name) < 0) {
                key = NULL;
                return -ENOMEM;
        }
        /* libconfig names start with a letter or '*' and hold [A-Za-z0-9_*-]. */
        if (!name_valid(name))
                return parser_error(p, SETTING_AT(s),
                                    "%s: a schedule's name is lower-case letters, digits, '_' and '-', at most %d",
                                    key, PIK_SCHEDULE_NAME_MAX);
        r = parser_get_text(p, s, key, 1024, &v);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (startswith(v, prefixes[i].prefix)) {
                        type = prefixes[i].type;
                        v += strlen(prefixes[i].prefix);
                        v += strspn(v, " ");
                        break;
                }
        r = schedule_parse(type, v, "UTC", &sched, &error);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return parser_error(p, SETTING_AT(s), "%s: %s schedule '%s' is invalid: %s", key,
                                    schedule_type_to_string(type), v, error ?: "unreadable");

        ret->name = strdup(name);
        ret->text = strdup(v);
        ret->type = type;
        if (!ret->name || !ret->text)
                return -ENOMEM;
        return 0;
}

int parse_schedules(Parser *p, const config_setting_t *group, PikConfig *c) {
        int n;

        if (!config_setting_is_group(group))
                return parser_error(p, SETTING_AT(group), "schedules: expected a group { name = \"schedule\"; … }");
        n = config_setting_length(group);
        if (n > PIK_SCHEDULES_MAX)
                return parser_error(p, SETTING_AT(group), "schedules: more than %d schedules", PIK_SCHEDULES_MAX);

        pik_named_schedules_free(c);
        c->schedules = calloc((size_t) MAX(n, 1), sizeof(PikNamedSchedule));
        if (!c->schedules)
                return -ENOMEM;
        for (int i = 0; i < n; i++) {
                int r;

                /* Counted first, so that pik_config_free() frees a half-done one. */
                c->n_schedules++;
                r = parse_one(p, config_setting_get_elem(group, (unsigned) i), &c->schedules[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}
