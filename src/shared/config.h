/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "macro.h"
#include "schedule.h"

/* /etc/pik/pik.conf, libconfig syntax. Every setting is optional; an unknown
 * key, a wrong type or an out-of-range value is an error that names the file,
 * the line and the key. See data/pik.conf for the annotated example. */

typedef struct PikRetryPolicy {
        unsigned max_attempts;     /* attempts in all, 1 = no retry; default 3, 1..20 */
        unsigned backoff_sec;      /* first delay; default 30, 1..86400 */
        unsigned backoff_max_sec;  /* cap of the exponential backoff; default 900, >= backoff */
        unsigned confirm_after_sec; /* re-check a fresh partner failure after this long; 0: off; default 60 */
} PikRetryPolicy;

typedef struct PikEngineDefaults {
        unsigned timeout_sec;      /* per check; default 30, 1..3600 */
        unsigned max_redirects;    /* default 10, 0..50 */
        char *user_agent;          /* default "pik/VERSION" */
} PikEngineDefaults;

/* Where alerts go (config-alerts.c). A channel without "kinds" takes every
 * kind of failure, one without "partners" every partner. */
typedef enum PikChannelType {
        PIK_CHANNEL_MAIL,          /* to: addresses, through /usr/sbin/sendmail */
        PIK_CHANNEL_WEBHOOK,       /* url: POST of Alertmanager's webhook JSON (v4) */
        PIK_CHANNEL_COMMAND,       /* command: a program, the event in its environment and on stdin */
        _PIK_CHANNEL_TYPE_MAX,
        _PIK_CHANNEL_TYPE_INVALID = -EINVAL,
} PikChannelType;

const char *pik_channel_type_to_string(PikChannelType t);
PikChannelType pik_channel_type_from_string(const char *s);

#define PIK_CHANNELS_MAX 32
#define PIK_CHANNEL_NAME_MAX 63
#define PIK_CHANNEL_PARTNERS_MAX 1024

typedef struct PikChannel {
        char *name;                /* unique, [a-z0-9][a-z0-9._-]* */
        PikChannelType type;
        char *target;              /* the address(es), the URL or the program's absolute path */
        unsigned kinds;            /* 1 << OutcomeKind of partner, infrastructure, configuration; 0: all */
        char **partners;           /* NULL: all */
} PikChannel;

/* A schedule named in pik.conf's "schedules" group (config-schedules.c):
 * configurations that use it as their default follow it when it changes. */
#define PIK_SCHEDULES_MAX 256
#define PIK_SCHEDULE_NAME_MAX 63

typedef struct PikNamedSchedule {
        char *name;                /* [a-z0-9][a-z0-9_-]* */
        ScheduleType type;
        char *text;                /* as pikctl's --every, --at or --cron take it */
} PikNamedSchedule;

typedef struct PikConfig {
        char *path;                /* the file it came from, or NULL for built-in defaults */
        char *database;            /* default PIK_DB_PATH (/var/lib/pik/pik.db) */
        char *timezone;            /* default "UTC", must be a known IANA zone */
        unsigned job_expiry_sec;   /* default 180, 10..86400 */
        unsigned max_concurrent;   /* default 16, 1..10000 */
        PikRetryPolicy retry;
        unsigned shard_index;      /* default 0, < shard_count */
        unsigned shard_count;      /* default 1, 1..1024 */
        PikEngineDefaults engine;
        struct {
                unsigned window_sec;   /* default 600, 60..86400 */
                unsigned partners;     /* more than this many: an incident; default 3 */
        } incident;
        struct {
                char *dns;         /* a name our resolver must resolve; NULL: not probed */
                char *url;         /* a URL our egress must reach; NULL: not probed */
        } canary;
        struct {
                unsigned fail_after;       /* confirmed failures in a row that open an alert; default 2, 1..100 */
                unsigned recover_after;    /* successes in a row that close it; default 1, 1..100 */
                unsigned remind_every_sec; /* reminder while it stays open; 0: none; default 14400 */
                unsigned flap_window;      /* the last results looked at for flapping; 0: off; default 20, 0..62 */
                unsigned flap_changes;     /* more up/down changes among them: flapping; default 6, < flap_window */
        } alerts;
        PikChannel *channels;
        size_t n_channels;
        PikNamedSchedule *schedules;
        size_t n_schedules;
        struct {
                unsigned keep_days;        /* results kept, in days; default 90, 1..3650 */
                unsigned keep_daily_days;  /* their daily aggregates; default 400, keep_days..36500 */
        } results;
        unsigned evidence_days;            /* evidence files kept, in days; default 14, 1..3650 */
} PikConfig;

int pik_config_new_default(PikConfig **ret);

/* Load path. If the file does not exist and missing_ok, the defaults are
 * returned. On a parse or validation error returns -EINVAL (or the errno of
 * the failed open/read) and, if ret_error is non-NULL, a malloc'd message
 * such as "/etc/pik/pik.conf:7: job_expiry: 5 is out of range 10..86400". */
int pik_config_load(const char *path, bool missing_ok, PikConfig **ret, char **ret_error);
/* The same from size bytes of text (the file's content; a NUL among them
 * is an error, as in a file); path only names it in messages. */
int pik_config_parse(const char *path, const char *text, size_t size, PikConfig **ret, char **ret_error);
PikConfig *pik_config_free(PikConfig *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(PikConfig *, pik_config_free);

/* Whether a partner code belongs to this host's shard. */
bool pik_config_shard_owns(const PikConfig *c, const char *partner_code);

/* The named schedule, or NULL. */
const PikNamedSchedule *pik_config_find_schedule(const PikConfig *c, const char *name);

/* The channel of that name, or NULL. */
const PikChannel *pik_config_find_channel(const PikConfig *c, const char *name);
