/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "db.h"

/* The options every pik program shares (DESIGN.md): --config FILE, --db
 * PATH and, for the passes, --now TIME. */
typedef struct CliCommon {
        const char *config_path;   /* NULL: PIK_CONFIG_PATH, missing is fine */
        const char *db_path;       /* NULL: the configured database */
        const char *now;           /* NULL: the clock */
} CliCommon;

/* Load the configuration and open the database, logging what failed. */
int cli_open(const CliCommon *c, PikDbOpenFlags flags, PikConfig **ret_cfg, PikDb **ret_db);
/* --now, or the clock; logs a bad value. */
int cli_now(const CliCommon *c, int64_t *ret);
