/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>

#include "build-config.h"
#include "cli.h"
#include "log.h"
#include "time-util.h"

int cli_open(const CliCommon *c, PikDbOpenFlags flags, PikConfig **ret_cfg, PikDb **ret_db) {
        _cleanup_(pik_config_freep) PikConfig *cfg = NULL;
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        _cleanup_free_ char *error = NULL;
        const char *path;
        int r;

        r = pik_config_load(c->config_path ?: PIK_CONFIG_PATH, !c->config_path, &cfg, &error);
        if (r < 0)
                return log_error_errno(r, "%s", error ?: "Failed to load the configuration: %m");

        path = c->db_path ?: cfg->database;
        r = pik_db_open(path, flags, &db, &error);
        if (r < 0)
                return log_error_errno(r, "%s", error ?: "Failed to open the database: %m");

        *ret_cfg = TAKE_PTR(cfg);
        *ret_db = TAKE_PTR(db);
        return 0;
}

int cli_now(const CliCommon *c, int64_t *ret) {
        if (!c->now) {
                *ret = now_utc();
                return 0;
        }
        if (parse_timestamp(c->now, ret) < 0)
                return log_error_errno(-EINVAL, "Invalid --now '%s': expected an ISO 8601 time such as 2026-11-24T08:00:00Z.",
                                       c->now);
        return 0;
}
