/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

#include "config.h"
#include "db.h"
#include "jobconfig-options.h"
#include "output.h"

/* What the command line said, after parsing; every verb reads from here. */
typedef struct Args {
        const char *db_path;
        const char *config_path;
        const char *now;
        bool json;

        /* The options of a job configuration (src/shared/jobconfig-options.c),
         * by row, as given; a switch as "yes" or "no". partner add's --name
         * and maintenance add's --tz and --cron are these too. */
        const char *config[_PIK_CONFIG_OPT_MAX];
        uint64_t config_seen;     /* PIK_CONFIG_OPT_BIT()s of those given */

        const char *engine;
        const char *user_agent;
        const char *webdriver_url;
        const char *http_version;
        const char *reason;
        const char *partner;
        const char *browser;
        const char *kind;
        const char *since;
        const char *limit;
        const char *until;
        const char *duration;
        int64_t config_id;        /* maintenance add --config ID (the global --config, taken as an id) */
        const char *ca_file;
        char *headers;            /* repeated --header, '\n'-separated (owned) */
        char *resolve;            /* repeated --resolve, '\n'-separated (owned) */
        bool force;
        bool overdue;
        bool upcoming;
        bool all;
        const char *days;
        uint64_t seen;            /* OPT_* bits of the options given */
} Args;

/* Either bus (pikd, the default) or db (--db, offline) is set; the verbs
 * run the same library code either way, here or in pikd. */
typedef struct Context {
        const Args *args;
        PikConfig *cfg;
        PikDb *db;
        sd_bus *bus;
        char *error;              /* what went wrong, for main to print once */
        Output out;
        int64_t now;
} Context;

typedef enum VerbFlags {
        VERB_WRITES = 1 << 0,     /* opens the database for writing */
} VerbFlags;

typedef struct Verb {
        const char *group;        /* "partner", or NULL for a top-level verb */
        const char *name;
        unsigned min_args, max_args;
        VerbFlags flags;
        uint64_t options;         /* bitmask of OPT_* the verb accepts */
        int (*run)(Context *c, int argc, char **argv);
        uint64_t config_options;  /* and of the configuration's options, PIK_CONFIG_OPT_BIT()s */
} Verb;

/* Option bits: which verb takes which option, so that a misplaced option
 * is a usage error rather than silently ignored. */
enum {
        OPT_ENGINE = 1 << 0,
        OPT_USER_AGENT = 1 << 1,
        OPT_WEBDRIVER_URL = 1 << 2,
        OPT_HTTP_VERSION = 1 << 3,
        OPT_REASON = 1 << 4,
        OPT_PARTNER = 1 << 5,
        OPT_BROWSER = 1 << 6,
        OPT_KIND = 1 << 7,
        OPT_SINCE = 1 << 8,
        OPT_LIMIT = 1 << 9,
        OPT_FORCE = 1 << 10,
        OPT_OVERDUE = 1 << 11,
        OPT_UPCOMING = 1 << 12,
        OPT_HEADER = 1 << 13,
        OPT_CA_FILE = 1 << 14,
        OPT_RESOLVE = 1 << 15,
        OPT_ALL = 1 << 16,
        OPT_UNTIL = 1 << 17,
        OPT_DURATION = 1 << 18,
        OPT_CONFIG_ID = 1 << 19,   /* --config ID: not an option of its own (see main.c) */
        OPT_DAYS = 1 << 20,
};

extern const Verb pikctl_verbs[];
extern const size_t pikctl_verbs_count;

/* Call a pikd method that answers one JSON string; errors go through fail(). */
int bus_call_json(Context *c, const char *method, json_object **ret, const char *types, ...);

/* Call a pikd method; the reply, if wanted, in *reply. Errors go through fail(). */
int bus_call(Context *c, const char *method, sd_bus_message **reply, const char *types, ...);
/* A positive id from the command line, or a usage error naming it. */
int parse_id(Context *c, const char *s, int64_t *ret);
/* A change's one confirmation line; with --json, { "ok", "message" }. */
int say_done(Context *c, const char *fmt, ...) _printf_(2, 3);

/* verbs-hold.c */
int verb_run_now(Context *c, int argc, char **argv);
int verb_hold(Context *c, int argc, char **argv);
int verb_release(Context *c, int argc, char **argv);

/* verbs-maintenance.c */
int verb_maintenance_add(Context *c, int argc, char **argv);
int verb_maintenance_list(Context *c, int argc, char **argv);
int verb_maintenance_remove(Context *c, int argc, char **argv);

/* verbs-alerts.c */
int verb_alerts(Context *c, int argc, char **argv);
int verb_notifications(Context *c, int argc, char **argv);

/* verbs-history.c */
int verb_history(Context *c, int argc, char **argv);

/* Record what went wrong for main to print; returns r. */
int fail(Context *c, int r, const char *fmt, ...) _printf_(3, 4);
