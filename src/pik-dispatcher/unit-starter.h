/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "dispatcher.h"

/* Starts pik-check@<id>.service through systemd's StartUnit, after writing
 * the execution key to a root-only file that the unit loads with
 * LoadCredential= (never the environment or the command line). */
typedef struct SystemdStarter {
        sd_bus *bus;
        const char *key_dir;
} SystemdStarter;

/* RuntimeMaxSec= of the checks started from now on: job_expiry, in a
 * runtime drop-in of pik-check@.service at path, rewritten only when it
 * changes. systemd 252 refuses SetUnitProperties(RuntimeMaxUSec) for a unit
 * that is not transient, but reads a unit's drop-ins whenever it loads it,
 * and a check's unit is loaded anew for each start (CollectMode=). */
int systemd_starter_set_expiry(const char *path, unsigned sec);

int systemd_starter_start(void *userdata, const PikExecutionStart *e);

/* Removes the key files no check needs any more: systemd copied a key into
 * its check's credentials when it started the unit, and the check fetched
 * its job with it (or the execution ended without). The one process per
 * check stays one: nothing runs after a check to clean up after it. */
int systemd_starter_sweep_keys(SystemdStarter *s, PikDb *db);
int systemd_starter_unit_alive(void *userdata, const char *unit);
int systemd_starter_count_active(void *userdata, unsigned *ret);

/* Starts pik-notify@<id>.service. On failure, *ret_error (if given) says
 * what systemd said, for the notification's record. */
int systemd_starter_start_notification(SystemdStarter *s, int64_t id, char **ret_error);
