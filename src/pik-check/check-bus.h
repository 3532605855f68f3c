/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/* The check's side of the conversation with pikd (docs/DBUS.md): a
 * negative errno when pikd could not be told, else the exit status for the
 * outcome. */
int check_run(int64_t execution, const char *bus_address);
