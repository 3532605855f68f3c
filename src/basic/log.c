/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* The one piece of process-wide state: the log threshold, set once by main
 * from --verbose or $PIK_LOG_LEVEL. */
static int max_level = LOG_INFO;

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

static bool stderr_is_journal(void) {
        /* systemd sets $JOURNAL_STREAM when stderr is connected to journald. */
        return getenv("JOURNAL_STREAM") != NULL;
}

int log_internal(int level, int error, const char *file, int line, const char *format, ...) {
        int e = error < 0 ? -error : error;

        if (level > max_level)
                return error < 0 ? error : -e;

        char buf[2048];
        va_list ap;
        va_start(ap, format);
        /* Make "%m" print the error passed in rather than whatever errno is. */
        errno = e;
        vsnprintf(buf, sizeof buf, format, ap);
        va_end(ap);

        if (stderr_is_journal())
                fprintf(stderr, "<%d>%s\n", level, buf);
        else if (max_level >= LOG_DEBUG)
                fprintf(stderr, "%s:%d: %s\n", file, line, buf);
        else
                fprintf(stderr, "%s\n", buf);

        return -e;
}
