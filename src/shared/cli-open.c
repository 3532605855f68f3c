/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Opening the configuration and the database for a program's main: apart
 * from cli.c's option parsing so that pik-check, which parses options but
 * has neither, links no sqlite. */

#include <errno.h>
#include <stdlib.h>

#include "build-config.h"
#include "cli.h"
#include "log.h"
#include "string-util.h"

int cli_load_config(const CliCommon *c, PikConfig **ret) {
        _cleanup_free_ char *error = NULL;
        const char *path = c->config_path ?: PIK_CONFIG_PATH;
        int r;

        r = pik_config_load(path, !c->config_path, ret, &error);
        if (r < 0) {
                /* The loader names file and line; it says nothing only when
                 * it ran out of memory for the message. */
                if (error)
                        return log_error_errno(r, "%s", error);
                return log_error_errno(r, "Failed to load the configuration %s: %m", SNIPPET(path));
        }
        return 0;
}

int cli_open_db(const CliCommon *c, const PikConfig *cfg, PikDbOpenFlags flags, PikDb **ret) {
        _cleanup_free_ char *error = NULL;
        const char *path = c->db_path ?: cfg->database;
        int r;

        r = pik_db_open(path, flags, ret, &error);
        if (r == -ENOENT && (flags & PIK_DB_READONLY))
                return log_error_errno(r, "Database %s does not exist yet (a first change creates it).",
                                       SNIPPET(path));
        if (r < 0) {
                if (error)
                        return log_error_errno(r, "%s", error);
                return log_error_errno(r, "Failed to open the database %s: %m", SNIPPET(path));
        }
        return 0;
}

int cli_open(const CliCommon *c, PikDbOpenFlags flags, PikConfig **ret_cfg, PikDb **ret_db) {
        _cleanup_(pik_config_freep) PikConfig *cfg = NULL;
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        int r;

        r = cli_load_config(c, &cfg);
        if (r < 0)
                return r;
        r = cli_open_db(c, cfg, flags, &db);
        if (r < 0)
                return r;

        *ret_cfg = TAKE_PTR(cfg);
        *ret_db = TAKE_PTR(db);
        return 0;
}
