/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build-config.h"
#include "config-internal.h"
#include "config.h"
#include "fileio.h"
#include "schedule.h"
#include "string-util.h"

#if !defined(PACKAGE_VERSION) || !defined(PIK_DB_PATH)
#error "meson's generated build-config.h was not found"
#endif

/* Ours is a handful of lines; a cap keeps a wrong --config (a log file, a
 * device) from being slurped whole. */
#define PIK_CONFIG_FILE_MAX (1024 * 1024)
#define PIK_USER_AGENT_MAX 512
#define PIK_TIMEZONE_MAX 255

static config_t *libconfig_free(config_t *c) {
        if (c) {
                config_destroy(c);
                free(c);
        }
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(config_t *, libconfig_free);

typedef enum KeyType {
        KEY_STRING,
        KEY_UNSIGNED,
        KEY_GROUP,
        KEY_CHANNELS,
        KEY_SCHEDULES,
} KeyType;

typedef struct ConfigKey ConfigKey;

/* Checks a string that is already valid, control-free UTF-8 of bounded size. */
typedef int (*StringCheck)(Parser *p, const config_setting_t *s, const char *key, const char *v);

struct ConfigKey {
        const char *name;
        KeyType type;
        size_t offset;                  /* of the field in PikConfig */
        long long min, max;             /* KEY_UNSIGNED */
        size_t max_len;                 /* KEY_STRING */
        StringCheck check;              /* KEY_STRING, optional */
        const ConfigKey *members;       /* KEY_GROUP */
};

int parser_error(Parser *p, const char *file, unsigned line, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        if (!p->error)
                return -EINVAL;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;

        free(*p->error);
        *p->error = NULL;
        if (line > 0)
                r = asprintf(p->error, "%s:%u: %s", file ?: p->path, line, msg);
        else
                r = asprintf(p->error, "%s: %s", file ?: p->path, msg);
        if (r < 0) {
                *p->error = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

static int check_database(Parser *p, const config_setting_t *s, const char *key, const char *v) {
        if (v[0] != '/')
                return parser_error(p, SETTING_AT(s), "%s: '%s' is not an absolute path", key, v);
        return 0;
}

static int check_timezone(Parser *p, const config_setting_t *s, const char *key, const char *v) {
        int r;

        r = timezone_validate(v);
        if (r == -ENOENT)
                return parser_error(p, SETTING_AT(s), "%s: unknown time zone '%s'", key, v);
        if (r == -EINVAL)
                return parser_error(p, SETTING_AT(s), "%s: invalid time zone name '%s'", key, v);
        if (r < 0) {
                int q = parser_error(p, SETTING_AT(s), "%s: cannot check time zone '%s': %s",
                                     key, v, strerror(-r));
                return q == -ENOMEM ? q : r;
        }
        return 0;
}

static const ConfigKey retry_keys[] = {
        { .name = "max_attempts", .type = KEY_UNSIGNED, .min = 1, .max = 20,
          .offset = offsetof(PikConfig, retry.max_attempts) },
        { .name = "backoff", .type = KEY_UNSIGNED, .min = 1, .max = 86400,
          .offset = offsetof(PikConfig, retry.backoff_sec) },
        /* Its lower bound is retry.backoff: checked once both are known. */
        { .name = "backoff_max", .type = KEY_UNSIGNED, .min = 1, .max = 86400,
          .offset = offsetof(PikConfig, retry.backoff_max_sec) },
        /* A partner failure after a success is checked once more this many
         * seconds later before status shows the partner as down; 0: never. */
        { .name = "confirm_after", .type = KEY_UNSIGNED, .min = 0, .max = 3600,
          .offset = offsetof(PikConfig, retry.confirm_after_sec) },
        {}
};

static const ConfigKey shard_keys[] = {
        /* Its upper bound is shard.count - 1: checked once both are known. */
        { .name = "index", .type = KEY_UNSIGNED, .min = 0, .max = 1023,
          .offset = offsetof(PikConfig, shard_index) },
        { .name = "count", .type = KEY_UNSIGNED, .min = 1, .max = 1024,
          .offset = offsetof(PikConfig, shard_count) },
        {}
};

static const ConfigKey engine_keys[] = {
        { .name = "timeout", .type = KEY_UNSIGNED, .min = 1, .max = 3600,
          .offset = offsetof(PikConfig, engine.timeout_sec) },
        { .name = "max_redirects", .type = KEY_UNSIGNED, .min = 0, .max = 50,
          .offset = offsetof(PikConfig, engine.max_redirects) },
        { .name = "user_agent", .type = KEY_STRING, .max_len = PIK_USER_AGENT_MAX,
          .offset = offsetof(PikConfig, engine.user_agent) },
        {}
};

static int check_canary_url(Parser *p, const config_setting_t *s, const char *key, const char *v) {
        if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
                return parser_error(p, SETTING_AT(s), "%s: '%s' is not an http:// or https:// URL", key, v);
        return 0;
}

/* The control probe: before a network-level failure is blamed on the
 * partner, the check resolves canary.dns and fetches canary.url; if those
 * fail too, the failure is ours. Unset: no probe. */
static const ConfigKey canary_keys[] = {
        { .name = "dns", .type = KEY_STRING, .max_len = 253,
          .offset = offsetof(PikConfig, canary.dns) },
        { .name = "url", .type = KEY_STRING, .max_len = 2048, .check = check_canary_url,
          .offset = offsetof(PikConfig, canary.url) },
        {}
};

/* More than `partners` distinct partners failing with the same
 * network-level outcome in the same browser within `window` seconds is a
 * suspected incident of ours, shown by pikctl status. */
static const ConfigKey incident_keys[] = {
        { .name = "window", .type = KEY_UNSIGNED, .min = 60, .max = 86400,
          .offset = offsetof(PikConfig, incident.window_sec) },
        { .name = "partners", .type = KEY_UNSIGNED, .min = 1, .max = 10000,
          .offset = offsetof(PikConfig, incident.partners) },
        {}
};

/* Alert thresholds; where alerts go is the "channels" list (config-alerts.c). */
static const ConfigKey alerts_keys[] = {
        { .name = "fail_after", .type = KEY_UNSIGNED, .min = 1, .max = 100,
          .offset = offsetof(PikConfig, alerts.fail_after) },
        { .name = "recover_after", .type = KEY_UNSIGNED, .min = 1, .max = 100,
          .offset = offsetof(PikConfig, alerts.recover_after) },
        /* Seconds, like every duration here; 0: no reminders. */
        { .name = "remind_every", .type = KEY_UNSIGNED, .min = 0, .max = 604800,
          .offset = offsetof(PikConfig, alerts.remind_every_sec) },
        /* A check that goes up and down more than flap_changes times among
         * its last flap_window results is said to flap, once. */
        { .name = "flap_window", .type = KEY_UNSIGNED, .min = 0, .max = 62,
          .offset = offsetof(PikConfig, alerts.flap_window) },
        { .name = "flap_changes", .type = KEY_UNSIGNED, .min = 2, .max = 61,
          .offset = offsetof(PikConfig, alerts.flap_changes) },
        {}
};

/* History (pik-prune): results older than keep_days are folded into daily
 * aggregates, which are kept keep_daily_days. */
static const ConfigKey results_keys[] = {
        { .name = "keep_days", .type = KEY_UNSIGNED, .min = 1, .max = 3650,
          .offset = offsetof(PikConfig, results.keep_days) },
        /* Its lower bound is results.keep_days: checked once both are known. */
        { .name = "keep_daily_days", .type = KEY_UNSIGNED, .min = 1, .max = 36500,
          .offset = offsetof(PikConfig, results.keep_daily_days) },
        {}
};

static const ConfigKey top_keys[] = {
        { .name = "database", .type = KEY_STRING, .max_len = PATH_MAX - 1, .check = check_database,
          .offset = offsetof(PikConfig, database) },
        { .name = "timezone", .type = KEY_STRING, .max_len = PIK_TIMEZONE_MAX, .check = check_timezone,
          .offset = offsetof(PikConfig, timezone) },
        /* As in the original PIK_CHECK setting: an execution that has not
         * reported after this long is reaped as expired. */
        { .name = "job_expiry", .type = KEY_UNSIGNED, .min = 10, .max = 86400,
          .offset = offsetof(PikConfig, job_expiry_sec) },
        { .name = "max_concurrent", .type = KEY_UNSIGNED, .min = 1, .max = 10000,
          .offset = offsetof(PikConfig, max_concurrent) },
        { .name = "retry", .type = KEY_GROUP, .members = retry_keys },
        { .name = "shard", .type = KEY_GROUP, .members = shard_keys },
        { .name = "engine", .type = KEY_GROUP, .members = engine_keys },
        { .name = "canary", .type = KEY_GROUP, .members = canary_keys },
        { .name = "incident", .type = KEY_GROUP, .members = incident_keys },
        { .name = "alerts", .type = KEY_GROUP, .members = alerts_keys },
        { .name = "results", .type = KEY_GROUP, .members = results_keys },
        /* Evidence files of failed checks under /var/lib/pik/evidence. */
        { .name = "evidence_days", .type = KEY_UNSIGNED, .min = 1, .max = 3650,
          .offset = offsetof(PikConfig, evidence_days) },
        /* A list of groups, parsed by parse_channels(). */
        { .name = "channels", .type = KEY_CHANNELS },
        /* name = "schedule" pairs, parsed by parse_schedules(). */
        { .name = "schedules", .type = KEY_SCHEDULES },
        {}
};

static const ConfigKey *key_find(const ConfigKey *keys, const char *name, size_t len) {
        for (const ConfigKey *k = keys; k->name; k++)
                if (strlen(k->name) == len && strncmp(k->name, name, len) == 0)
                        return k;
        return NULL;
}

int parser_get_text(Parser *p, const config_setting_t *s, const char *key, size_t max_len, const char **ret) {
        const char *v;
        int r;

        if (config_setting_type(s) != CONFIG_TYPE_STRING)
                return parser_error(p, SETTING_AT(s), "%s: expected a string", key);
        v = config_setting_get_string(s);

        /* The value is not echoed before it is known to be printable. */
        r = text_validate(v, max_len);
        if (r == -E2BIG)
                return parser_error(p, SETTING_AT(s), "%s: longer than %zu bytes", key, max_len);
        if (r == -EILSEQ)
                return parser_error(p, SETTING_AT(s), "%s: not valid UTF-8", key);
        if (r < 0)
                return parser_error(p, SETTING_AT(s), "%s: contains control characters", key);
        if (!v[0])
                return parser_error(p, SETTING_AT(s), "%s: must not be empty", key);
        *ret = v;
        return 0;
}

static int parse_string(Parser *p, const config_setting_t *s, const ConfigKey *k, const char *key, PikConfig *c) {
        const char *v = NULL;
        char **field = (char **) ((uint8_t *) c + k->offset);
        char *copy;
        int r;

        r = parser_get_text(p, s, key, k->max_len, &v);
        if (r < 0)
                return r;

        if (k->check) {
                r = k->check(p, s, key, v);
                if (r < 0)
                        return r;
        }

        copy = strdup(v);
        if (!copy)
                return -ENOMEM;
        free(*field);
        *field = copy;
        return 0;
}

static int parse_unsigned(Parser *p, const config_setting_t *s, const ConfigKey *k, const char *key, PikConfig *c) {
        long long v;

        if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64)
                return parser_error(p, SETTING_AT(s), "%s: expected an integer", key);

        v = config_setting_get_int64(s);
        if (v < k->min || v > k->max)
                return parser_error(p, SETTING_AT(s), "%s: %lld is out of range %lld..%lld",
                                    key, v, k->min, k->max);

        *(unsigned *) ((uint8_t *) c + k->offset) = (unsigned) v;
        return 0;
}

static int parse_group(Parser *p, const config_setting_t *group, const char *prefix,
                       const ConfigKey *keys, PikConfig *c) {
        int n = config_setting_length(group);

        for (int i = 0; i < n; i++) {
                const config_setting_t *s = config_setting_get_elem(group, (unsigned) i);
                const char *name = config_setting_name(s);
                _cleanup_free_ char *key = NULL;
                const ConfigKey *k;
                int r;

                if (asprintf(&key, "%s%s%s", prefix ?: "", prefix ? "." : "", name) < 0) {
                        key = NULL;
                        return -ENOMEM;
                }

                k = key_find(keys, name, strlen(name));
                if (!k)
                        return parser_error(p, SETTING_AT(s), "unknown key '%s'", key);

                switch (k->type) {
                case KEY_STRING:
                        r = parse_string(p, s, k, key, c);
                        break;
                case KEY_UNSIGNED:
                        r = parse_unsigned(p, s, k, key, c);
                        break;
                case KEY_GROUP:
                        if (!config_setting_is_group(s))
                                return parser_error(p, SETTING_AT(s), "%s: expected a group", key);
                        r = parse_group(p, s, key, k->members, c);
                        break;
                case KEY_CHANNELS:
                        r = parse_channels(p, s, c);
                        break;
                case KEY_SCHEDULES:
                        r = parse_schedules(p, s, c);
                        break;
                default:
                        abort();
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Constraints between settings, once each is known to be valid on its own. */
static int check_cross(Parser *p, const config_t *cfg, PikConfig *c) {
        const config_setting_t *s;

        s = config_lookup(cfg, "retry.backoff_max");
        if (s) {
                if (c->retry.backoff_max_sec < c->retry.backoff_sec)
                        return parser_error(p, SETTING_AT(s), "retry.backoff_max: %u is less than retry.backoff (%u)",
                                            c->retry.backoff_max_sec, c->retry.backoff_sec);
        } else
                /* Only a first delay given: the cap follows it up rather than
                 * failing on a setting the operator never wrote. */
                c->retry.backoff_max_sec = MAX(c->retry.backoff_max_sec, c->retry.backoff_sec);

        /* The default index 0 is below any valid count, so only a written
         * index can be out of range. */
        s = config_lookup(cfg, "shard.index");
        if (s && c->shard_index >= c->shard_count)
                return parser_error(p, SETTING_AT(s), "shard.index: %u is out of range 0..%u (shard.count is %u)",
                                    c->shard_index, c->shard_count - 1, c->shard_count);

        /* Among n results there are at most n - 1 changes. */
        if (c->alerts.flap_window > 0 && c->alerts.flap_changes >= c->alerts.flap_window) {
                s = config_lookup(cfg, "alerts.flap_changes") ?: config_lookup(cfg, "alerts.flap_window");
                return parser_error(p, SETTING_AT(s), "alerts.flap_changes: %u is not less than alerts.flap_window (%u)",
                                    c->alerts.flap_changes, c->alerts.flap_window);
        }

        /* Aggregates exist only for days older than keep_days: kept for less,
         * they would be deleted as soon as they are made. */
        s = config_lookup(cfg, "results.keep_daily_days");
        if (s) {
                if (c->results.keep_daily_days < c->results.keep_days)
                        return parser_error(p, SETTING_AT(s),
                                            "results.keep_daily_days: %u is less than results.keep_days (%u)",
                                            c->results.keep_daily_days, c->results.keep_days);
        } else
                /* Only keep_days given: the aggregates' term follows it up. */
                c->results.keep_daily_days = MAX(c->results.keep_daily_days, c->results.keep_days);
        return 0;
}

static bool is_name_start(char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '*';
}

static bool is_name_char(char ch) {
        return is_name_start(ch) || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

static bool is_digit(char ch) {
        return ch >= '0' && ch <= '9';
}

static bool is_alnum(char ch) {
        return is_name_start(ch) || is_digit(ch);
}

/* What libconfig 1.5 (Debian 12) gets wrong or we do not want, found in the
 * text before libconfig sees it:
 *  - an integer literal without the L suffix is stored in an int and wraps
 *    silently: "job_expiry = 4294967306" reads as 10, "0x100000010" as 16.
 *    Each such literal that is the value of one of our integer settings is
 *    reported as out of range, like any other;
 *  - @include: one file is the whole configuration, and every line number
 *    in a message refers to it.
 * This is a scanner for comments, strings, names, numbers and brackets only;
 * syntax errors are libconfig's to report. */
static int scan_source(Parser *p, const char *text) {
        /* Names of the enclosing groups, NULL for lists, arrays and
         * unnamed groups; only the first two levels can hold our keys. */
        const char *outer[2] = {};
        size_t outer_len[2] = {};
        unsigned depth = 0, line = 1;
        const char *name = NULL, *value_of = NULL;
        size_t name_len = 0, value_of_len = 0;

        for (const char *q = text; *q;) {
                if (*q == '\n') {
                        line++;
                        q++;
                } else if (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\f' || *q == '\v')
                        q++;
                else if (*q == '#' || (q[0] == '/' && q[1] == '/')) {
                        q += strcspn(q, "\n");
                } else if (q[0] == '/' && q[1] == '*') {
                        for (q += 2; *q && !(q[0] == '*' && q[1] == '/'); q++)
                                if (*q == '\n')
                                        line++;
                        if (*q)
                                q += 2;
                } else if (*q == '"') {
                        for (q++; *q && *q != '"'; q++) {
                                if (*q == '\\' && q[1])
                                        q++;
                                if (*q == '\n')
                                        line++;
                        }
                        if (*q)
                                q++;
                        value_of = name = NULL;
                } else if (*q == '@') {
                        if (strncmp(q + 1, "include", STRLEN("include")) == 0)
                                return parser_error(p, NULL, line, "@include is not supported");
                        q++;
                } else if (is_name_start(*q)) {
                        name = q;
                        while (is_name_char(*q))
                                q++;
                        name_len = (size_t) (q - name);
                        value_of = NULL;
                } else if (*q == '=' || *q == ':') {
                        value_of = name;
                        value_of_len = name_len;
                        name = NULL;
                        q++;
                } else if (*q == '{' || *q == '(' || *q == '[') {
                        if (depth < ELEMENTSOF(outer)) {
                                outer[depth] = *q == '{' ? value_of : NULL;
                                outer_len[depth] = value_of_len;
                        }
                        depth++;
                        value_of = name = NULL;
                        q++;
                } else if (*q == '}' || *q == ')' || *q == ']') {
                        if (depth > 0)
                                depth--;
                        value_of = name = NULL;
                        q++;
                } else if (is_digit(*q) || ((*q == '+' || *q == '-' || *q == '.') && is_digit(q[1]))) {
                        const char *start = q, *digits = q + (*q == '+' || *q == '-');
                        bool hex = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');
                        bool is_float = false;
                        const ConfigKey *k = NULL;

                        for (q++; is_alnum(*q) || *q == '.' ||
                                  ((*q == '+' || *q == '-') && !hex && (q[-1] == 'e' || q[-1] == 'E')); q++)
                                if (!hex && (*q == '.' || *q == 'e' || *q == 'E'))
                                        is_float = true;
                        if (*start == '.')
                                is_float = true;

                        /* Only the direct value of one of our integer keys:
                         * anything else is a type error or an unknown key,
                         * reported as such after parsing. */
                        if (value_of && depth == 0)
                                k = key_find(top_keys, value_of, value_of_len);
                        else if (value_of && depth == 1 && outer[0]) {
                                const ConfigKey *g = key_find(top_keys, outer[0], outer_len[0]);
                                if (g && g->type == KEY_GROUP)
                                        k = key_find(g->members, value_of, value_of_len);
                        }

                        if (k && k->type == KEY_UNSIGNED && !is_float && q[-1] != 'L') {
                                char *e;
                                long long v;

                                errno = 0;
                                if (hex) {
                                        unsigned long long u = strtoull(digits, &e, 16);
                                        v = u > INT_MAX ? LLONG_MAX : (long long) u;
                                } else
                                        v = strtoll(start, &e, 10);
                                if (errno == ERANGE || v < INT_MIN || v > INT_MAX) {
                                        if (depth == 0)
                                                return parser_error(p, NULL, line, "%s: %.*s is out of range %lld..%lld",
                                                                    k->name, (int) (q - start), start, k->min, k->max);
                                        return parser_error(p, NULL, line, "%.*s.%s: %.*s is out of range %lld..%lld",
                                                            (int) outer_len[0], outer[0], k->name,
                                                            (int) (q - start), start, k->min, k->max);
                                }
                        }
                        value_of = name = NULL;
                } else {
                        value_of = name = NULL;
                        q++;
                }
        }
        return 0;
}

int pik_config_new_default(PikConfig **ret) {
        _cleanup_(pik_config_freep) PikConfig *c = NULL;

        c = calloc(1, sizeof(PikConfig));
        if (!c)
                return -ENOMEM;

        *c = (PikConfig) {
                .job_expiry_sec = 180,
                .max_concurrent = 16,
                .retry = {
                        .max_attempts = 3,
                        .backoff_sec = 30,
                        .backoff_max_sec = 900,
                        .confirm_after_sec = 60,
                },
                .incident = {
                        .window_sec = 600,
                        .partners = 3,
                },
                .alerts = {
                        .fail_after = 2,
                        .recover_after = 1,
                        .remind_every_sec = 4 * 3600,
                        .flap_window = 20,
                        .flap_changes = 6,
                },
                .results = {
                        .keep_days = 90,
                        .keep_daily_days = 400,
                },
                .evidence_days = 14,
                .shard_index = 0,
                .shard_count = 1,
                .engine = {
                        .timeout_sec = 30,
                        .max_redirects = 10,
                },
        };

        c->database = strdup(PIK_DB_PATH);
        c->timezone = strdup("UTC");
        c->engine.user_agent = strdup("pik/" PACKAGE_VERSION);
        if (!c->database || !c->timezone || !c->engine.user_agent)
                return -ENOMEM;

        *ret = TAKE_PTR(c);
        return 0;
}

/* text: size bytes and a NUL after them. */
static int parse_text(Parser *p, const char *text, size_t size, PikConfig **ret) {
        _cleanup_(pik_config_freep) PikConfig *c = NULL;
        _cleanup_(libconfig_freep) config_t *cfg = NULL;
        const char *nul;
        int r;

        r = pik_config_new_default(&c);
        if (r < 0)
                return r;

        /* libconfig takes a C string: a NUL would silently end the file. */
        nul = memchr(text, 0, size);
        if (nul) {
                unsigned line = 1;
                for (const char *i = text; i < nul; i++)
                        line += *i == '\n';
                return parser_error(p, NULL, line, "NUL byte in file");
        }

        r = scan_source(p, text);
        if (r < 0)
                return r;

        cfg = malloc(sizeof(config_t));
        if (!cfg)
                return -ENOMEM;
        config_init(cfg);

        if (config_read_string(cfg, text) != CONFIG_TRUE)
                return parser_error(p, config_error_file(cfg), (unsigned) MAX(config_error_line(cfg), 1),
                                    "%s", config_error_text(cfg) ?: "syntax error");

        r = parse_group(p, config_root_setting(cfg), NULL, top_keys, c);
        if (r < 0)
                return r;
        r = check_cross(p, cfg, c);
        if (r < 0)
                return r;

        c->path = strdup(p->path);
        if (!c->path)
                return -ENOMEM;

        *ret = TAKE_PTR(c);
        return 0;
}

static int load(Parser *p, bool missing_ok, PikConfig **ret) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        int r;

        r = read_file_capped(p->path, PIK_CONFIG_FILE_MAX, &text, &size);
        if (r == -ENOENT && missing_ok)
                return pik_config_new_default(ret);
        if (r < 0) {
                int q;

                if (r == -EFBIG)
                        q = parser_error(p, NULL, 0, "larger than %d bytes", PIK_CONFIG_FILE_MAX);
                else
                        q = parser_error(p, NULL, 0, "%s", strerror(-r));
                return q == -ENOMEM ? q : r;
        }
        return parse_text(p, text, size, ret);
}

int pik_config_load(const char *path, bool missing_ok, PikConfig **ret, char **ret_error) {
        _cleanup_free_ char *error = NULL;
        Parser p = { .path = path, .error = ret_error ? &error : NULL };
        int r;

        if (!path || !ret)
                return -EINVAL;

        r = load(&p, missing_ok, ret);
        if (r < 0 && ret_error && error)
                *ret_error = TAKE_PTR(error);
        return r;
}

/* A buffer gets the same cap and NUL terminator a file read gets. */
static int parse_buffer(Parser *p, const char *text, size_t size, PikConfig **ret) {
        _cleanup_free_ char *copy = NULL;

        if (size > PIK_CONFIG_FILE_MAX) {
                int q = parser_error(p, NULL, 0, "larger than %d bytes", PIK_CONFIG_FILE_MAX);
                return q == -ENOMEM ? q : -EFBIG;
        }
        copy = malloc(size + 1);
        if (!copy)
                return -ENOMEM;
        if (size > 0)
                memcpy(copy, text, size);
        copy[size] = 0;
        return parse_text(p, copy, size, ret);
}

int pik_config_parse(const char *path, const char *text, size_t size, PikConfig **ret, char **ret_error) {
        _cleanup_free_ char *error = NULL;
        Parser p = { .path = path, .error = ret_error ? &error : NULL };
        int r;

        if (!path || (!text && size > 0) || !ret)
                return -EINVAL;

        r = parse_buffer(&p, text, size, ret);
        if (r < 0 && ret_error && error)
                *ret_error = TAKE_PTR(error);
        return r;
}

PikConfig *pik_config_free(PikConfig *c) {
        if (!c)
                return NULL;
        free(c->path);
        free(c->database);
        free(c->timezone);
        free(c->engine.user_agent);
        free(c->canary.dns);
        free(c->canary.url);
        for (size_t i = 0; i < c->n_channels; i++)
                pik_channel_done(&c->channels[i]);
        free(c->channels);
        pik_named_schedules_free(c);
        free(c);
        return NULL;
}

bool pik_config_shard_owns(const PikConfig *c, const char *partner_code) {
        if (!c || !partner_code)
                return false;
        if (c->shard_count <= 1)
                return true;
        return mix64(hash64_str(partner_code)) % c->shard_count == c->shard_index;
}
