/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <sys/random.h>

#include "execution.h"
#include "validate.h"

int pik_execution_key_new(char ret[static PIK_EXECUTION_KEY_HEX]) {
        uint8_t k[PIK_EXECUTION_KEY_BYTES];
        ssize_t n;

        /* Blocks only before the kernel's pool is initialised at boot, which
         * is what a key must wait for. */
        n = getrandom(k, sizeof k, 0);
        if (n < 0)
                return -errno;
        if ((size_t) n != sizeof k)
                return -EIO;
        for (size_t i = 0; i < sizeof k; i++)
                snprintf(ret + 2 * i, 3, "%02x", k[i]);
        return 0;
}

#define EXECUTION_COLUMNS                                                       \
        "e.id, e.job_id, e.config_id, e.partner, e.browser, e.state, e.progress, " \
        "e.unit, e.attempt, e.created_at, e.started_at, e.finished_at, "         \
        "r.outcome, o.kind "
#define EXECUTION_FROM                                                          \
        "FROM execution e LEFT JOIN result r ON r.execution_id = e.id "         \
        "LEFT JOIN outcome o ON o.name = r.outcome "

int pik_execution_list(PikDb *db, const char *partner, size_t limit, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        if (partner) {
                r = pik_validate_code(db, "partner code", partner);
                if (r < 0)
                        return r;
        }
        r = pik_db_prepare(db, "SELECT " EXECUTION_COLUMNS EXECUTION_FROM
                               "WHERE (?1 IS NULL OR e.partner = ?1) ORDER BY e.id DESC LIMIT ?2", &s);
        if (r < 0)
                return r;
        if (partner)
                sqlite3_bind_text(s, 1, partner, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, limit > 0 ? (int64_t) limit : -1);
        return pik_db_query_json(db, s, 0, ret);
}

int pik_execution_show(PikDb *db, int64_t id, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_prepare(db, "SELECT " EXECUTION_COLUMNS ", r.duration_ms, r.dns_ms, r.connect_ms, r.tls_ms, "
                               "r.ttfb_ms, r.total_ms, r.details " EXECUTION_FROM "WHERE e.id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, id);
        r = pik_db_query_json_one(db, s, ret);
        if (r == -ENOENT)
                return pik_db_set_error(db, -ENOENT, "execution %lld not found", (long long) id);
        return r;
}
