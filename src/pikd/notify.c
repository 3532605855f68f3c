/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "alert.h"
#include "bus-util.h"
#include "log.h"
#include "notification.h"
#include "notify.h"
#include "string-util.h"
#include "time-util.h"

typedef struct StartCall {
        Manager *manager;
        int64_t id;
} StartCall;

static int on_unit_started(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        _cleanup_free_ StartCall *c = userdata;
        _cleanup_free_ char *text = NULL;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        char unit[PIK_NOTIFY_UNIT_MAX];
        int r;

        pik_notify_unit_name(unit, c->id);
        if (!e) {
                log_debug("Started %s.", unit);
                return 0;
        }
        log_warning("Failed to start %s: %s", unit, e->message ?: e->name);
        if (asprintf(&text, "starting %s failed: %s", unit, e->message ?: e->name) < 0)
                return log_oom();
        pik_db_clear_error(c->manager->db);
        r = pik_notification_done(c->manager->db, c->id, false, text, now_utc());
        if (r < 0)
                log_warning_errno(r, "Failed to record notification %lld as failed, ignoring: %s",
                                  (long long) c->id, pik_db_error(c->manager->db));
        return 0;
}

void notify_start_pending(Manager *m) {
        _cleanup_free_ int64_t *ids = NULL;
        size_t n = 0;
        int r;

        pik_db_clear_error(m->db);
        r = pik_notification_claim(m->db, now_utc(), 0, &ids, &n);
        if (r < 0) {
                log_warning_errno(r, "Failed to look for notifications to send, ignoring: %s", pik_db_error(m->db));
                return;
        }
        for (size_t i = 0; i < n; i++) {
                char unit[PIK_NOTIFY_UNIT_MAX];
                StartCall *c = malloc(sizeof *c);

                if (!c) {
                        log_oom();
                        return;
                }
                *c = (StartCall) { .manager = m, .id = ids[i] };
                /* Not waited for: pikd answers the check at once, and
                 * systemd's answer comes back through the event loop. */
                r = sd_bus_call_method_async(m->bus, NULL, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                             "org.freedesktop.systemd1.Manager", "StartUnit", on_unit_started, c,
                                             "ss", pik_notify_unit_name(unit, ids[i]), "replace");
                if (r < 0) {
                        free(c);
                        log_warning_errno(r, "Failed to ask systemd to start %s, ignoring: %m", unit);
                        (void) pik_notification_done(m->db, ids[i], false, "pikd could not ask systemd to start "
                                                     "the unit", now_utc());
                }
        }
}

/* Like the check's calls: only pik-notify@<id>.service may act for
 * notification id. Nothing secret is handed out, but a delivery's state is
 * the notifier's to record, no one else's. */
static int verify_notify_caller(sd_bus_message *msg, int64_t id, sd_bus_error *error) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *c = NULL;
        _cleanup_free_ char *text = NULL;
        char expected[PIK_NOTIFY_UNIT_MAX];
        const char *unit = NULL;
        int r;

        if (id <= 0)
                return bus_error_set_errno_message(error, -EINVAL, "The notification id must be a positive number.");
        pik_notify_unit_name(expected, id);
        r = sd_bus_query_sender_creds(msg, SD_BUS_CREDS_PID | SD_BUS_CREDS_UNIT | SD_BUS_CREDS_AUGMENT, &c);
        if (r >= 0)
                r = sd_bus_creds_get_unit(c, &unit);
        if (r < 0 || !unit)
                return bus_error_set_errno_message(error, -EACCES, "Only unit pik-notify@<id>.service may make "
                                                   "this call; the caller's unit could not be determined.");
        if (streq(unit, expected))
                return 0;
        if (asprintf(&text, "Only unit %s may make this call, not %.200s.", expected, unit) < 0)
                return -ENOMEM;
        return bus_error_set_errno_message(error, -EACCES, text);
}

static int reply_json(Manager *m, sd_bus_message *msg, int r, json_object *o, sd_bus_error *error) {
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        return sd_bus_reply_method_return(msg, "s", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
}

static int method_get_notification(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_json_ json_object *o = NULL;
        Manager *m = userdata;
        int64_t id;
        int r;

        r = sd_bus_message_read(msg, "x", &id);
        if (r < 0)
                return r;
        r = verify_notify_caller(msg, id, error);
        if (r < 0)
                return r;
        pik_db_clear_error(m->db);
        r = pik_notification_get(m->db, m->cfg, id, &o);
        return reply_json(m, msg, r, o, error);
}

static int method_notification_done(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *text;
        int64_t id;
        int ok, r;

        r = sd_bus_message_read(msg, "xbs", &id, &ok, &text);
        if (r < 0)
                return r;
        r = verify_notify_caller(msg, id, error);
        if (r < 0)
                return r;
        pik_db_clear_error(m->db);
        r = pik_notification_done(m->db, id, ok, text, now_utc());
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        if (ok)
                log_info("Notification %lld delivered.", (long long) id);
        else
                log_warning("Notification %lld not delivered: %s", (long long) id, text);
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_list_alerts(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_json_ json_object *o = NULL;
        Manager *m = userdata;
        int all, r;

        r = sd_bus_message_read(msg, "b", &all);
        if (r < 0)
                return r;
        pik_db_clear_error(m->db);
        r = pik_alert_list(m->db, all, &o);
        return reply_json(m, msg, r, o, error);
}

static int method_list_notifications(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_json_ json_object *o = NULL;
        Manager *m = userdata;
        int r;

        pik_db_clear_error(m->db);
        r = pik_notification_list(m->db, &o);
        return reply_json(m, msg, r, o, error);
}

const sd_bus_vtable notify_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("ListAlerts", SD_BUS_ARGS("b", all), SD_BUS_RESULT("s", json),
                                method_list_alerts, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListNotifications", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", json),
                                method_list_notifications, SD_BUS_VTABLE_UNPRIVILEGED),
        /* pik-notify@<id>.service's own calls, authenticated by its unit. */
        SD_BUS_METHOD_WITH_ARGS("GetNotification", SD_BUS_ARGS("x", id), SD_BUS_RESULT("s", json),
                                method_get_notification, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("NotificationDone", SD_BUS_ARGS("x", id, "b", ok, "s", error), SD_BUS_NO_RESULT,
                                method_notification_done, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};
