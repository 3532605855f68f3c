/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "db.h"

/* Executions: one run of a scheduled job each, retries included. The
 * secret key that authenticates the run's check to pikd is never part of
 * a listing. */

/* 256 bits from getrandom(), hex. */
#define PIK_EXECUTION_KEY_BYTES 32
#define PIK_EXECUTION_KEY_HEX (PIK_EXECUTION_KEY_BYTES * 2 + 1)
int pik_execution_key_new(char ret[static PIK_EXECUTION_KEY_HEX]);

int pik_execution_list(PikDb *db, const char *partner, size_t limit, json_object **ret);
int pik_execution_show(PikDb *db, int64_t id, json_object **ret);

/* States in which an execution still waits for its check's report. */
#define PIK_EXECUTION_RUNNING_SQL "('dispatched', 'started')"
