/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "db.h"

/* pikd's errors on the bus, and back (docs/DBUS.md, "Errors"). The library
 * speaks errno; pikd turns it into one of these names carrying
 * pik_db_error()'s words, and pikctl turns the name back into the errno its
 * exit status is chosen from, so a refusal reads and exits the same whether
 * pikctl ran offline or over the bus. */

#define PIK_BUS_NAME      "org.pik.Manager1"
#define PIK_BUS_PATH      "/org/pik/Manager1"
#define PIK_BUS_INTERFACE "org.pik.Manager1"

#define PIK_BUS_ERROR_NOT_FOUND         "org.pik.Error.NotFound"
#define PIK_BUS_ERROR_INVALID_ARGUMENT  "org.pik.Error.InvalidArgument"
#define PIK_BUS_ERROR_PERMISSION_DENIED "org.pik.Error.PermissionDenied"
#define PIK_BUS_ERROR_ALREADY_EXISTS    "org.pik.Error.AlreadyExists"
#define PIK_BUS_ERROR_HAS_HISTORY       "org.pik.Error.HasHistory"
#define PIK_BUS_ERROR_ALREADY_REPORTED  "org.pik.Error.AlreadyReported"
#define PIK_BUS_ERROR_FAILED            "org.pik.Error.Failed"

/* The name for a (negative or positive) errno: never NULL, Failed for
 * anything the table does not list. */
const char *bus_error_name_from_errno(int error);

/* Set e to the name for r with message (strerror(r) when NULL or empty).
 * Returns r, negative, so that `return bus_error_set_errno_message(…)` both
 * sets and propagates. */
int bus_error_set_errno_message(sd_bus_error *e, int r, const char *message);

/* The same with the library's explanation of its last failure
 * (pik_db_error()), or strerror(r) when it left none. */
int bus_error_set_from_db(sd_bus_error *e, PikDb *db, int r);

/* The reverse, for clients: the negative errno for an error received from
 * pikd (-ENOENT for NotFound, -EINVAL for InvalidArgument, -EACCES for
 * PermissionDenied, -EEXIST, -EBUSY, -ESTALE, -EIO for Failed), sd-bus's own
 * mapping for the bus's standard errors (AccessDenied -EACCES, ServiceUnknown
 * -EHOSTDOWN, NoReply -ETIMEDOUT, …), -EIO for anything unknown, and 0
 * when e is not set. */
int bus_error_to_errno(const sd_bus_error *e);
