/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pikctl alerts, pikctl notifications: over D-Bus or offline with --db,
 * the same library calls either way. */

#include "alert.h"
#include "notification.h"
#include "verbs.h"

int verb_alerts(Context *c, int argc, char **argv) {
        _cleanup_json_ json_object *a = NULL;
        static const Column cols[] = {
                { "id", "ALERT", COLUMN_TEXT, NULL },
                { "partner", "PARTNER", COLUMN_TEXT, NULL },
                { "config_id", "CONFIG", COLUMN_TEXT, NULL },
                { "config_name", "CHECK", COLUMN_TEXT, NULL },
                { "browser", "BROWSER", COLUMN_TEXT, NULL },
                { "outcome", "OUTCOME", COLUMN_TEXT, "kind" },
                { "kind", "KIND", COLUMN_KIND, "kind" },
                { "opened_at", "SINCE", COLUMN_TIME, NULL },
                { "last_success_at", "LAST SUCCESS", COLUMN_TIME, NULL },
                { "flapping_since", "FLAPPING SINCE", COLUMN_TIME, NULL },
                { "last_result_id", "RESULT", COLUMN_TEXT, NULL },
                /* Last: left out without --all, where every row is open. */
                { "closed_at", "CLOSED", COLUMN_TIME, NULL },
        };
        bool all = c->args->all;
        int r;

        r = c->bus ? bus_call_json(c, "ListAlerts", &a, "b", all) : pik_alert_list(c->db, all, &a);
        if (r < 0)
                return r;
        return output_table(&c->out, a, cols, ELEMENTSOF(cols) - !all);
}

int verb_notifications(Context *c, int argc, char **argv) {
        _cleanup_json_ json_object *a = NULL;
        static const Column cols[] = {
                { "id", "ID", COLUMN_TEXT, NULL },
                { "alert_id", "ALERT", COLUMN_TEXT, NULL },
                { "event", "EVENT", COLUMN_TEXT, NULL },
                { "channel", "CHANNEL", COLUMN_TEXT, NULL },
                { "partner", "PARTNER", COLUMN_TEXT, NULL },
                { "browser", "BROWSER", COLUMN_TEXT, NULL },
                { "state", "STATE", COLUMN_TEXT, NULL },
                { "attempts", "ATTEMPTS", COLUMN_TEXT, NULL },
                { "created_at", "CREATED", COLUMN_TIME, NULL },
                { "error", "ERROR", COLUMN_TEXT, NULL },
        };
        int r;

        r = c->bus ? bus_call_json(c, "ListNotifications", &a, "") : pik_notification_list(c->db, &a);
        if (r < 0)
                return r;
        return output_table(&c->out, a, cols, ELEMENTSOF(cols));
}
