/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pik-scheduler: one scheduler pass, started by pik-scheduler.timer. The
 * timer is the clock; this program is a thin main over the library. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "build-config.h"
#include "cli.h"
#include "log.h"
#include "scheduler.h"

static void help(int argc, char **argv, void *userdata) {
        printf("Usage: %s [OPTIONS…]\n\n"
               "Run one scheduler pass: create the scheduled job of every enabled\n"
               "configuration × browser, and give dispatched jobs their next run time.\n\n"
               "  -h --help          Show this help\n"
               "     --version       Show the version\n"
               "     --config FILE   Read FILE instead of " PIK_CONFIG_PATH "\n"
               "     --db PATH       Use this database instead of the configured one\n"
               "     --now TIME      Act as if it were TIME (ISO 8601)\n",
               program_invocation_short_name);
}

static const CliProgram program = {
        .name = "pik-scheduler",
        .flags = CLI_CONFIG_DB | CLI_NOW,
        .help = help,
};

static int run(int argc, char **argv) {
        _cleanup_(pik_config_freep) PikConfig *cfg = NULL;
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        PikSchedulerStats st;
        CliCommon cli = {};
        int64_t now;
        int r;

        r = cli_parse(&program, argc, argv, &cli);
        if (r <= 0)
                return r;
        r = cli_now(&cli, &now);
        if (r < 0)
                return r;
        r = cli_open(&cli, PIK_DB_CREATE, &cfg, &db);
        if (r < 0)
                return r;

        r = pik_scheduler_pass(db, cfg, now, &st);
        if (r < 0)
                return log_error_errno(r, "Scheduler pass failed: %s", pik_db_error(db));

        if (st.bad_schedule > 0)
                log_warning("%u schedule(s) could not be evaluated (first: configuration %lld); "
                            "see pikctl config show %lld.",
                            st.bad_schedule, (long long) st.bad_config_id, (long long) st.bad_config_id);
        log_full(st.created + st.rolled + st.skipped + st.followed > 0 ? LOG_INFO : LOG_DEBUG,
                 "Scheduler pass: %u job(s) created, %u rescheduled, %u turn(s) skipped (run still going), "
                 "%u configuration(s) moved to a changed named schedule.",
                 st.created, st.rolled, st.skipped, st.followed);
        return 0;
}

int main(int argc, char **argv) {
        return run(argc, argv) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
