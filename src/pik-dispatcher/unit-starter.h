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

int systemd_starter_start(void *userdata, const PikExecutionStart *e);
int systemd_starter_unit_alive(void *userdata, const char *unit);
int systemd_starter_count_active(void *userdata, unsigned *ret);

/* Starts pik-notify@<id>.service. On failure, *ret_error (if given) says
 * what systemd said, for the notification's record. */
int systemd_starter_start_notification(SystemdStarter *s, int64_t id, char **ret_error);
