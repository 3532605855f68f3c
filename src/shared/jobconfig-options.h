/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "jobconfig.h"

/* The options of a job configuration, one row each, and the one place that
 * says what an option is: its a{sv} key and type for AddConfig and
 * SetConfig, pikctl's long option with its argument and help line, the
 * field of PikJobConfigSpec it fills (a text's key is also its job_config
 * column), the words the change record and the errors use, and the rule
 * its value must follow.
 *
 * Read by: pikctl's getopt table, its parser and its help (src/pikctl);
 * the a{sv} encoder and decoder below, pikctl's and pikd's; the library's
 * pik_jobconfig_validate() and pik_jobconfig_set(); and
 * test-jobconfig-options, which checks every row against pikctl(1) and the
 * shell completions; the INSERT, UPDATE and SELECT of a configuration
 * (jobconfig.c, jobconfig-edit.c) are loops over its columns too. Adding an
 * option: its row in jobconfig-options.c and its id below; its
 * PikJobConfigSpec member and field bit; its column in a migration; then
 * what the tests ask for by name: its lines in pikctl(1) and the
 * completions, and its values in test-pikctl.sh. (What config show and
 * pik-check's job document carry are lists of their own, checkjob.c's and
 * jobconfig.c's CONFIG_COLUMNS.) */

typedef enum PikConfigOptionType {
        PIK_CONFIG_OPTION_TEXT,           /* "s": const char * (empty: cleared, in set) */
        PIK_CONFIG_OPTION_BOOL,           /* "b": bool; pikctl: --opt, --opt=yes|no */
        PIK_CONFIG_OPTION_WAIT,           /* "i": int, -1 for the engine's default; pikctl: a duration */
        PIK_CONFIG_OPTION_BROWSERS,       /* "as": char **; pikctl: a comma-separated list */
        PIK_CONFIG_OPTION_SCHEDULE_TYPE,  /* "s": ScheduleType by name (D-Bus only) */
        PIK_CONFIG_OPTION_SCHEDULE,       /* pikctl only: schedule_type and schedule at once */
} PikConfigOptionType;

/* The rows of pik_config_options[], by name, for the few places that need
 * one row (pikctl's other commands that share --name, --tz and --cron). */
typedef enum PikConfigOptionId {
        PIK_CONFIG_OPT_NAME,
        PIK_CONFIG_OPT_BROWSERS,
        PIK_CONFIG_OPT_ENTRY_URL,
        PIK_CONFIG_OPT_EVERY,
        PIK_CONFIG_OPT_AT,
        PIK_CONFIG_OPT_CRON,
        PIK_CONFIG_OPT_SCHEDULE_TYPE,
        PIK_CONFIG_OPT_SCHEDULE,
        PIK_CONFIG_OPT_SCHEDULE_NAME,
        PIK_CONFIG_OPT_TIMEZONE,
        PIK_CONFIG_OPT_SSO,
        PIK_CONFIG_OPT_EXPRESS,
        PIK_CONFIG_OPT_PRODUCT_URL,
        PIK_CONFIG_OPT_WAIT,
        PIK_CONFIG_OPT_SUCCESS_MARKER,
        PIK_CONFIG_OPT_FAILURE_MARKER,
        PIK_CONFIG_OPT_SUCCESS_XPATH,
        PIK_CONFIG_OPT_FAILURE_XPATH,
        PIK_CONFIG_OPT_LOGIN_FORM,
        PIK_CONFIG_OPT_USERNAME_FIELD,
        PIK_CONFIG_OPT_PASSWORD_FIELD,
        PIK_CONFIG_OPT_CSRF_META,
        PIK_CONFIG_OPT_CHECKOUT_URL,
        PIK_CONFIG_OPT_FLOW,
        _PIK_CONFIG_OPT_MAX,
} PikConfigOptionId;

#define PIK_CONFIG_OPT_BIT(id) (UINT64_C(1) << (id))
/* Every row with a long option of pikctl. */
#define PIK_CONFIG_OPTS_CLI_ALL \
        ((PIK_CONFIG_OPT_BIT(_PIK_CONFIG_OPT_MAX) - 1) & \
         ~(PIK_CONFIG_OPT_BIT(PIK_CONFIG_OPT_SCHEDULE_TYPE) | PIK_CONFIG_OPT_BIT(PIK_CONFIG_OPT_SCHEDULE)))

typedef enum PikConfigOptionFlags {
        PIK_CONFIG_OPTION_CLI_FILE = 1 << 0,   /* pikctl's argument names a file holding the value */
} PikConfigOptionFlags;

typedef struct PikConfigOption PikConfigOption;

/* The rule a value must follow, as it will be stored (the time zone
 * resolved): 0, or -EINVAL with pik_db_error() saying why. The one check
 * of that rule, offline (pikctl --db) and in pikd alike. */
typedef int (*PikConfigOptionCheck)(PikDb *db, const PikConfigOption *o, const PikJobConfigSpec *spec);

struct PikConfigOption {
        const char *key;                  /* a{sv} key; NULL: pikctl only */
        const char *cli;                  /* pikctl's long option without "--"; NULL: D-Bus only */
        const char *metavar;              /* its argument in the help ("URL"); NULL for a switch */
        PikConfigOptionType type;
        PikConfigOptionFlags flags;
        uint64_t field;                   /* PIK_CONFIG_FIELD_* */
        size_t offset;                    /* into PikJobConfigSpec */
        ScheduleType schedule_type;       /* PIK_CONFIG_OPTION_SCHEDULE: which one */
        const char *what;                 /* in errors and in the change record: "product URL" */
        PikConfigOptionCheck check;       /* NULL: any value of the type */
        const char *help;
};

extern const PikConfigOption pik_config_options[_PIK_CONFIG_OPT_MAX];
#define pik_config_options_count ((size_t) _PIK_CONFIG_OPT_MAX)

/* The fields AddConfig carries in its fixed arguments rather than in its
 * a{sv}. */
#define PIK_CONFIG_FIELDS_ADD_FIXED \
        (PIK_CONFIG_FIELD_BROWSERS | PIK_CONFIG_FIELD_ENTRY_URL | PIK_CONFIG_FIELD_SCHEDULE)
#define PIK_CONFIG_FIELDS_ALL ((uint64_t) (PIK_CONFIG_FIELD_SCHEDULE_NAME << 1) - 1)

static inline void *pik_config_option_member(const PikJobConfigSpec *spec, const PikConfigOption *o) {
        return (char *) spec + o->offset;
}

/* The job_config column that keeps a row's value: its a{sv} key, but
 * wait_sec for wait; NULL for the browsers (a table of their own) and for
 * pikctl's spellings of the schedule. */
const char *pik_config_option_column(const PikConfigOption *o);

/* Every column of the table's rows, in its order, joined with ", " as SQL
 * wants them: "name, …", "c.name, …", "name = ?, …" or "?, …". NULL when
 * out of memory. */
typedef enum PikConfigColumnsAs {
        PIK_CONFIG_COLUMNS_NAMES,
        PIK_CONFIG_COLUMNS_QUALIFIED,     /* "c." before each */
        PIK_CONFIG_COLUMNS_ASSIGN,
        PIK_CONFIG_COLUMNS_PLACEHOLDERS,
} PikConfigColumnsAs;
char *pik_config_options_columns(PikConfigColumnsAs as);

/* Bind spec's values to s from parameter first on, in the columns' order,
 * an empty text as NULL and tz for the time zone; returns the next
 * parameter's index. */
int pik_config_options_bind(sqlite3_stmt *s, int first, const PikJobConfigSpec *spec, const char *tz);

/* The row whose long option is cli, or NULL. */
const PikConfigOption *pik_config_option_by_cli(const char *cli);

/* Every rule of every row over spec (as it will be stored: timezone
 * resolved), in the table's order; the first broken one sets the error. */
int pik_config_options_check(PikDb *db, const PikJobConfigSpec *spec);

/* The rules pikd also applies before it asks polkit, one message each
 * (malloc'd into *ret_error) whoever applies them. */
int pik_config_check_browsers(char * const *browsers, char **ret_error);
int pik_config_schedule_type_from_string(const char *s, ScheduleType *ret, char **ret_error);

/* Append an a{sv} with the options of spec in fields. A NULL text is sent
 * as "" (cleared). */
int pik_config_options_append(sd_bus_message *m, const PikJobConfigSpec *spec, uint64_t fields);

/* Read an a{sv} of options into spec, only keys of fields allowed;
 * *ret_fields says which were given, *ret_browsers owns the browser list
 * if one was. An empty text is read as NULL. On a bad key, type or
 * combination returns -EINVAL with *ret_error saying which (malloc'd). */
int pik_config_options_read(sd_bus_message *m, uint64_t allowed, PikJobConfigSpec *spec, uint64_t *ret_fields,
                            char ***ret_browsers, char **ret_error);
