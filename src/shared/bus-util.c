/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <string.h>

#include "bus-util.h"

typedef struct ErrorName {
        const char *name;
        int error;               /* positive; the first of a name's errnos is the one clients get back */
} ErrorName;

/* docs/DBUS.md's table. Several errnos share a name; the reverse direction
 * gives the first listed, which is the one pikctl's exit status keys on. */
static const ErrorName error_names[] = {
        { PIK_BUS_ERROR_NOT_FOUND, ENOENT },
        { PIK_BUS_ERROR_INVALID_ARGUMENT, EINVAL },
        { PIK_BUS_ERROR_INVALID_ARGUMENT, ERANGE },
        { PIK_BUS_ERROR_INVALID_ARGUMENT, EDOM },
        { PIK_BUS_ERROR_INVALID_ARGUMENT, E2BIG },
        { PIK_BUS_ERROR_PERMISSION_DENIED, EACCES },
        { PIK_BUS_ERROR_PERMISSION_DENIED, EPERM },
        { PIK_BUS_ERROR_ALREADY_EXISTS, EEXIST },
        { PIK_BUS_ERROR_HAS_HISTORY, EBUSY },
        { PIK_BUS_ERROR_ALREADY_REPORTED, ESTALE },
        { PIK_BUS_ERROR_FAILED, EIO },
};

const char *bus_error_name_from_errno(int error) {
        int e = error < 0 ? -error : error;

        for (size_t i = 0; i < ELEMENTSOF(error_names); i++)
                if (error_names[i].error == e)
                        return error_names[i].name;
        return PIK_BUS_ERROR_FAILED;
}

int bus_error_set_errno_message(sd_bus_error *e, int r, const char *message) {
        if (r > 0)
                r = -r;
        if (r == 0)
                r = -EIO;
        if (!message || !*message)
                message = strerror(-r);
        /* sd_bus_error_set() would answer with its own errno for a name it
         * does not know; the caller's is the one that matters. */
        (void) sd_bus_error_set(e, bus_error_name_from_errno(r), message);
        return r;
}

int bus_error_set_from_db(sd_bus_error *e, PikDb *db, int r) {
        return bus_error_set_errno_message(e, r, db && pik_db_has_error(db) ? pik_db_error(db) : NULL);
}

int bus_error_to_errno(const sd_bus_error *e) {
        int r;

        if (!sd_bus_error_is_set(e))
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(error_names); i++)
                if (sd_bus_error_has_name(e, error_names[i].name))
                        return -error_names[i].error;
        r = sd_bus_error_get_errno(e);
        return r > 0 ? -r : -EIO;
}
