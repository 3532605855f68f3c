/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pik-notify: delivers one alert notification and exits. Started by pikd
 * (or the dispatcher) as pik-notify@<id>.service; asks pikd for what to
 * send (GetNotification, which only that unit may call), sends it through
 * the notification's channel and tells pikd how it went
 * (NotificationDone). A failed delivery exits non-zero, and the unit's
 * Restart= tries again later. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "build-config.h"
#include "bus-util.h"
#include "channel.h"
#include "cli.h"
#include "fileio.h"
#include "log.h"
#include "notification.h"
#include "string-util.h"
#include "time-util.h"

#define FROM_FILE_MAX (256 * 1024)

typedef struct Options {
        CliCommon cli;
        bool offline;               /* --db or --config: the library, not pikd */
        const char *from_file;
        const char *sendmail;
        int64_t id;
} Options;

static int help(void) {
        printf("Usage: %s [OPTIONS…] NOTIFICATION-ID\n"
               "       %s --from-file FILE\n\n"
               "Deliver one alert notification through its channel (mail, webhook or\n"
               "command) and record the outcome with pikd.\n\n"
               "  -h --help             Show this help\n"
               "     --version          Show the version\n"
               "     --config FILE      Work offline: channels from FILE, not pikd's\n"
               "     --db PATH          Work offline on this database instead of through pikd\n"
               "     --from-file FILE   Deliver the notification document in FILE (what\n"
               "                        GetNotification returns) and record nothing\n"
               "     --sendmail PATH    The sendmail program (default " SENDMAIL_PATH ")\n",
               program_invocation_short_name, program_invocation_short_name);
        return 0;
}

static int parse_argv(int argc, char **argv, Options *o) {
        enum { ARG_VERSION = 0x100, ARG_CONFIG, ARG_DB, ARG_FROM_FILE, ARG_SENDMAIL };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "config", required_argument, NULL, ARG_CONFIG },
                { "db", required_argument, NULL, ARG_DB },
                { "from-file", required_argument, NULL, ARG_FROM_FILE },
                { "sendmail", required_argument, NULL, ARG_SENDMAIL },
                {}
        };
        int c;

        o->sendmail = SENDMAIL_PATH;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        puts("pik-notify " PACKAGE_VERSION);
                        return 0;
                case ARG_CONFIG:
                        o->cli.config_path = optarg;
                        o->offline = true;
                        break;
                case ARG_DB:
                        o->cli.db_path = optarg;
                        o->offline = true;
                        break;
                case ARG_FROM_FILE:
                        o->from_file = optarg;
                        break;
                case ARG_SENDMAIL:
                        if (optarg[0] != '/')
                                return log_error_errno(-EINVAL, "--sendmail: '%s' is not an absolute path.", optarg);
                        o->sendmail = optarg;
                        break;
                default:
                        return -EINVAL;
                }

        if (o->from_file) {
                if (optind < argc)
                        return log_error_errno(-EINVAL, "--from-file takes no notification id.");
                return 1;
        }
        if (optind + 1 != argc)
                return log_error_errno(-EINVAL, "Expected one notification id (see --help).");
        {
                char *end;
                long long v;

                errno = 0;
                v = strtoll(argv[optind], &end, 10);
                if (errno != 0 || *end || end == argv[optind] || v <= 0)
                        return log_error_errno(-EINVAL, "Invalid notification id '%s': expected a positive number.",
                                               argv[optind]);
                o->id = v;
        }
        return 1;
}

static int deliver(const Options *o, json_object *doc, char **ret_error) {
        const char *error = NULL;
        Message m;
        int r;

        r = message_from_json(doc, &m, &error);
        if (r < 0) {
                *ret_error = strdup(error);
                return r;
        }
        if (streq(m.channel_type, "mail"))
                r = channel_mail(&m, o->sendmail, ret_error);
        else if (streq(m.channel_type, "webhook"))
                r = channel_webhook(&m, ret_error);
        else if (streq(m.channel_type, "command"))
                r = channel_command(&m, doc, ret_error);
        else {
                if (asprintf(ret_error, "unknown channel type '%.64s'", m.channel_type) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        if (r < 0 && !*ret_error && asprintf(ret_error, "%s", strerror(-r)) < 0)
                *ret_error = NULL;
        if (r >= 0)
                log_info("Notification %lld (%s, %s) delivered through channel %s.", (long long) m.notification_id,
                         m.event, m.outcome, m.channel);
        return r;
}

static int run_from_file(const Options *o) {
        _cleanup_free_ char *text = NULL, *error = NULL;
        _cleanup_json_ json_object *doc = NULL;
        size_t size;
        int r;

        r = read_file_capped(o->from_file, FROM_FILE_MAX, &text, &size);
        if (r < 0)
                return log_error_errno(r, "Failed to read %s: %m", o->from_file);
        doc = json_tokener_parse(text);
        if (!doc)
                return log_error_errno(-EINVAL, "%s is not JSON.", o->from_file);
        r = deliver(o, doc, &error);
        if (r < 0)
                return log_error_errno(r, "Delivery failed: %s", error ?: "unknown error");
        return 0;
}

static int run_offline(const Options *o) {
        _cleanup_(pik_config_freep) PikConfig *cfg = NULL;
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        _cleanup_json_ json_object *doc = NULL;
        _cleanup_free_ char *error = NULL;
        int r, q;

        r = cli_open(&o->cli, 0, &cfg, &db);
        if (r < 0)
                return r;
        r = pik_notification_get(db, cfg, o->id, &doc);
        if (r < 0)
                return log_error_errno(r, "%s", pik_db_error(db));
        r = deliver(o, doc, &error);
        q = pik_notification_done(db, o->id, r >= 0, error, now_utc());
        if (q < 0)
                log_warning_errno(q, "Failed to record the delivery, ignoring: %s", pik_db_error(db));
        if (r < 0)
                return log_error_errno(r, "Notification %lld not delivered: %s", (long long) o->id,
                                       error ?: "unknown error");
        return 0;
}

static int run_bus(const Options *o) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL, *done = NULL;
        _cleanup_json_ json_object *doc = NULL;
        _cleanup_free_ char *error = NULL;
        const char *text;
        int r, q;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");
        r = sd_bus_call_method(bus, PIK_BUS_NAME, PIK_BUS_PATH, PIK_BUS_INTERFACE, "GetNotification", &e, &reply,
                               "x", o->id);
        if (r < 0) {
                /* Recorded too (a channel removed from pik.conf is NotFound),
                 * so that pikctl notifications says why nothing was sent. */
                log_error_errno(r, "GetNotification(%lld) failed: %s", (long long) o->id, e.message ?: strerror(-r));
                if (asprintf(&error, "pikd refused the notification: %s", e.message ?: strerror(-r)) < 0)
                        error = NULL;
        } else {
                r = sd_bus_message_read(reply, "s", &text);
                if (r < 0)
                        return log_error_errno(r, "Failed to read pikd's reply: %m");
                doc = json_tokener_parse(text);
                if (!doc)
                        return log_error_errno(-EINVAL, "pikd's notification document is not JSON.");
                r = deliver(o, doc, &error);
                if (r < 0)
                        log_error("Notification %lld not delivered: %s", (long long) o->id, error ?: "unknown error");
        }
        sd_bus_error_free(&e);
        q = sd_bus_call_method(bus, PIK_BUS_NAME, PIK_BUS_PATH, PIK_BUS_INTERFACE, "NotificationDone", &e, &done,
                               "xbs", o->id, r >= 0, r >= 0 ? "" : (error ?: "unknown error"));
        if (q < 0)
                log_warning_errno(q, "Failed to record the delivery of notification %lld, ignoring: %s",
                                  (long long) o->id, e.message ?: strerror(-q));
        /* Non-zero: systemd's Restart=on-failure tries again. */
        return r;
}

static int run(int argc, char **argv) {
        Options o = {};
        int r;

        r = parse_argv(argc, argv, &o);
        if (r <= 0)
                return r;
        if (o.from_file)
                return run_from_file(&o);
        if (o.offline)
                return run_offline(&o);
        return run_bus(&o);
}

int main(int argc, char **argv) {
        return run(argc, argv) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
