/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pik-dispatcher: one dispatcher pass, started by pik-dispatcher.timer:
 * reap what outlived job_expiry, then start a pik-check@<id>.service for
 * each due job, up to the concurrency cap. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build-config.h"
#include "cli.h"
#include "dispatcher.h"
#include "alert.h"
#include "log.h"
#include "notification.h"
#include "unit-starter.h"

typedef struct Options {
        CliCommon cli;
        bool dry_run;
} Options;

static void help(int argc, char **argv, void *userdata) {
        printf("Usage: %s [OPTIONS…]\n\n"
               "Run one dispatcher pass: expire executions that outlived job_expiry,\n"
               "then start a pik-check@<id>.service for each due job.\n\n"
               "  -h --help          Show this help\n"
               "     --version       Show the version\n"
               "     --config FILE   Read FILE instead of " PIK_CONFIG_PATH "\n"
               "     --db PATH       Use this database instead of the configured one\n"
               "     --now TIME      Act as if it were TIME (ISO 8601)\n"
               "     --dry-run       Print what would be started; change nothing\n",
               program_invocation_short_name);
}

enum { ARG_DRY_RUN = CLI_ARG_PROGRAM };

static int parse_option(int c, const char *arg, void *userdata) {
        Options *o = userdata;

        switch (c) {
        case ARG_DRY_RUN:
                o->dry_run = true;
                return 0;
        default:
                return -EINVAL;
        }
}

static int dry_run(PikDb *db, const PikConfig *cfg, int64_t now) {
        _cleanup_json_ json_object *due = NULL;
        int r;

        r = pik_dispatcher_due(db, cfg, now, &due);
        if (r < 0)
                return log_error_errno(r, "Failed to list due jobs: %s", pik_db_error(db));

        for (size_t i = 0; i < json_object_array_length(due); i++) {
                json_object *j = json_object_array_get_idx(due, i), *v;
                const char *partner = "", *browser = "";
                int64_t job = 0, attempt = 1;

                if (json_object_object_get_ex(j, "id", &v))
                        job = json_object_get_int64(v);
                if (json_object_object_get_ex(j, "partner", &v))
                        partner = json_object_get_string(v);
                if (json_object_object_get_ex(j, "browser", &v))
                        browser = json_object_get_string(v);
                if (json_object_object_get_ex(j, "attempt", &v))
                        attempt = json_object_get_int64(v);
                printf("would start pik-check@<new>.service for job %lld: partner %s, browser %s, attempt %lld\n",
                       (long long) job, partner, browser, (long long) attempt);
        }
        printf("%zu job(s) due.\n", json_object_array_length(due));
        return 0;
}

/* Reminders fall due with time alone, so the pass that runs every few
 * seconds anyway makes them; and notifications made by this pass's reaper
 * (or left unstarted by a pikd that exited) get their unit here. */
static void notify_pass(PikDb *db, const PikConfig *cfg, SystemdStarter *s, int64_t now) {
        _cleanup_free_ int64_t *ids = NULL;
        size_t n = 0;
        int r;

        r = pik_alert_remind(db, cfg, now);
        if (r < 0)
                log_warning_errno(r, "Failed to make alert reminders, ignoring: %s", pik_db_error(db));
        else if (r > 0)
                log_info("%d alert reminder(s) to send.", r);

        r = pik_notification_claim(db, now, 0, &ids, &n);
        if (r < 0) {
                log_warning_errno(r, "Failed to look for notifications to send, ignoring: %s", pik_db_error(db));
                return;
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *error = NULL;

                r = systemd_starter_start_notification(s, ids[i], &error);
                if (r >= 0)
                        continue;
                r = pik_notification_done(db, ids[i], false, error ?: strerror(-r), now);
                if (r < 0)
                        log_warning_errno(r, "Failed to record notification %lld as failed, ignoring: %s",
                                          (long long) ids[i], pik_db_error(db));
        }
}

static int run(int argc, char **argv) {
        _cleanup_(pik_config_freep) PikConfig *cfg = NULL;
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        PikDispatcherStats st;
        Options o = {};
        const CliProgram program = {
                .name = "pik-dispatcher",
                .flags = CLI_CONFIG_DB | CLI_NOW,
                .options = (const struct option[]) {
                        { "dry-run", no_argument, NULL, ARG_DRY_RUN },
                        {}
                },
                .parse_option = parse_option,
                .help = help,
                .userdata = &o,
        };
        int64_t now;
        int r;

        r = cli_parse(&program, argc, argv, &o.cli);
        if (r <= 0)
                return r;
        r = cli_now(&o.cli, &now);
        if (r < 0)
                return r;
        r = cli_open(&o.cli, o.dry_run ? PIK_DB_READONLY : PIK_DB_CREATE, &cfg, &db);
        if (r < 0)
                return r;

        if (o.dry_run)
                return dry_run(db, cfg, now);

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");

        /* Before any start: a check without it would run unbounded. */
        r = systemd_starter_set_expiry(PIK_CHECK_EXPIRY_DROPIN, cfg->job_expiry_sec);
        if (r < 0)
                return r;

        SystemdStarter s = { .bus = bus, .key_dir = PIK_EXECUTION_KEY_DIR };
        PikUnitStarter starter = {
                .start = systemd_starter_start,
                .unit_alive = systemd_starter_unit_alive,
                .count_active = systemd_starter_count_active,
                .logged_result = pik_logged_result_find,
                .unit_end = pik_unit_end_find,
                .userdata = &s,
        };

        r = pik_dispatcher_pass(db, cfg, now, &starter, &st);
        if (r < 0)
                return log_error_errno(r, "Dispatcher pass failed: %s", pik_db_error(db));

        notify_pass(db, cfg, &s, now);
        (void) systemd_starter_sweep_keys(&s, db);

        if (st.held)
                log_debug("Everything is held; nothing dispatched.");
        log_full(st.dispatched + st.reaped + st.vanished + st.start_failed > 0 ? LOG_INFO : LOG_DEBUG,
                 "Dispatcher pass: %u started, %u failed to start, %u expired, %u ended without a report, "
                 "%u were running.",
                 st.dispatched, st.start_failed, st.reaped, st.vanished, st.running);
        return 0;
}

int main(int argc, char **argv) {
        return run(argc, argv) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
