/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "jobconfig.h"

/* The options of a job configuration, one row each: the a{sv} key and type
 * that AddConfig and SetConfig carry, the field of PikJobConfigSpec it
 * fills, pikctl's option for it and its help. pikctl's encoder and pikd's
 * decoder are loops over this table, and test-jobconfig-options checks that
 * every row is in pikctl(1) and the shell completions. */

typedef enum PikConfigOptionType {
        PIK_CONFIG_OPTION_TEXT,           /* "s": const char * (empty: cleared, in set) */
        PIK_CONFIG_OPTION_BOOL,           /* "b": bool */
        PIK_CONFIG_OPTION_WAIT,           /* "i": int, -1 for the engine's default */
        PIK_CONFIG_OPTION_BROWSERS,       /* "as": char ** */
        PIK_CONFIG_OPTION_SCHEDULE_TYPE,  /* "s": ScheduleType by name */
} PikConfigOptionType;

typedef struct PikConfigOption {
        const char *key;                  /* a{sv} key */
        PikConfigOptionType type;
        uint64_t field;                   /* PIK_CONFIG_FIELD_* */
        size_t offset;                    /* into PikJobConfigSpec */
        const char *cli;                  /* pikctl's option(s), space-separated */
        const char *help;
} PikConfigOption;

extern const PikConfigOption pik_config_options[];
extern const size_t pik_config_options_count;

/* The fields AddConfig carries in its fixed arguments rather than in its
 * a{sv}. */
#define PIK_CONFIG_FIELDS_ADD_FIXED \
        (PIK_CONFIG_FIELD_BROWSERS | PIK_CONFIG_FIELD_ENTRY_URL | PIK_CONFIG_FIELD_SCHEDULE)
#define PIK_CONFIG_FIELDS_ALL ((uint64_t) (PIK_CONFIG_FIELD_SCHEDULE_NAME << 1) - 1)

/* Append an a{sv} with the options of spec in fields. A NULL text is sent
 * as "" (cleared). */
int pik_config_options_append(sd_bus_message *m, const PikJobConfigSpec *spec, uint64_t fields);

/* Read an a{sv} of options into spec, only keys of fields allowed;
 * *ret_fields says which were given, *ret_browsers owns the browser list
 * if one was. An empty text is read as NULL. On a bad key, type or
 * combination returns -EINVAL with *ret_error saying which (malloc'd). */
int pik_config_options_read(sd_bus_message *m, uint64_t allowed, PikJobConfigSpec *spec, uint64_t *ret_fields,
                            char ***ret_browsers, char **ret_error);
