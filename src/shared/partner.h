/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "db.h"

/* Partners: the sites pik logs in to. Every function validates its input
 * and leaves the database as it was on any error, with the reason in
 * pik_db_error(): -EINVAL bad argument, -ENOENT unknown partner, -EEXIST
 * already there, -EBUSY history exists and force was not given. */

int pik_partner_add(PikDb *db, const char *code, const char *name, int64_t now);
/* A partner with results or executions is only removed with force; its
 * results are kept either way (they name the partner by code). */
int pik_partner_remove(PikDb *db, const char *code, bool force);
/* Disabling needs a reason (shown in listings); enabling clears it. */
int pik_partner_set_enabled(PikDb *db, const char *code, bool enabled, const char *reason);
int pik_partner_list(PikDb *db, json_object **ret);
int pik_partner_show(PikDb *db, const char *code, json_object **ret);
/* Look up a partner's id; -ENOENT with the error set when unknown. */
int pik_partner_get_id(PikDb *db, const char *code, int64_t *ret);
