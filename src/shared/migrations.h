/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* Schema migrations: entry i brings a database from user_version i to i+1.
 * Never edit a released entry; append a new one. */
extern const char *const pik_migrations[];
extern const size_t pik_migrations_count;
