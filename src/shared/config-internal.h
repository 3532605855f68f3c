/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libconfig.h>

#include "config.h"

/* Shared by the parsers of pik.conf's parts (config.c: the key tables;
 * config-alerts.c: alerts and channels), so every message has the same
 * "FILE:LINE: key: what" form. */

typedef struct Parser {
        const char *path;
        char **error;           /* where the message goes, may be NULL */
} Parser;

/* Sets the message (if wanted) and returns -EINVAL, or -ENOMEM. */
_printf_(4, 5)
int parser_error(Parser *p, const char *file, unsigned line, const char *fmt, ...);

/* The location of a setting: its own file (libconfig records one only for
 * @include'd files, which we refuse anyway) and line. */
#define SETTING_AT(s) config_setting_source_file(s), (unsigned) config_setting_source_line(s)

/* A non-empty string of valid UTF-8 without control characters, at most
 * max_len bytes; *ret points into the setting. */
int parser_get_text(Parser *p, const config_setting_t *s, const char *key, size_t max_len, const char **ret);

/* The "channels" list (config-alerts.c). */
int parse_channels(Parser *p, const config_setting_t *list, PikConfig *c);
void pik_channel_done(PikChannel *ch);

/* The "schedules" group (config-schedules.c). */
int parse_schedules(Parser *p, const config_setting_t *group, PikConfig *c);
void pik_named_schedules_free(PikConfig *c);
