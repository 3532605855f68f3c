/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "macro.h"
#include "message.h"
#include "string-util.h"

static const char *str(json_object *o, const char *key) {
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static int64_t num(json_object *o, const char *key) {
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return 0;
        return json_object_get_int64(v);
}

int message_from_json(json_object *doc, Message *ret, const char **ret_error) {
        json_object *alert = NULL, *channel = NULL, *result = NULL;
        Message m = {};

        if (!json_object_is_type(doc, json_type_object) ||
            !json_object_object_get_ex(doc, "alert", &alert) ||
            !json_object_object_get_ex(doc, "channel", &channel)) {
                *ret_error = "the notification has no alert or no channel";
                return -EINVAL;
        }
        (void) json_object_object_get_ex(doc, "result", &result);

        m.event = str(doc, "event");
        m.notification_id = num(doc, "id");
        m.channel = str(channel, "name");
        m.channel_type = str(channel, "type");
        m.target = str(channel, "to") ?: str(channel, "url") ?: str(channel, "command");
        m.alert_id = num(alert, "id");
        m.config_id = num(alert, "config_id");
        m.partner = str(alert, "partner");
        m.browser = str(alert, "browser");
        m.outcome = str(alert, "outcome");
        m.kind = str(alert, "kind");
        m.description = str(alert, "description");
        m.opened_at = str(alert, "opened_at");
        m.closed_at = str(alert, "closed_at");
        m.last_success_at = str(alert, "last_success_at");
        m.result_id = num(alert, "last_result_id");
        m.details = str(result, "details");
        m.executed_at = str(result, "executed_at");
        m.execution_id = num(result, "execution_id");
        if (result && json_object_object_get_ex(result, "steps", &m.steps) &&
            !json_object_is_type(m.steps, json_type_array))
                m.steps = NULL;

        if (!m.event || !(streq(m.event, "firing") || streq(m.event, "reminder") || streq(m.event, "resolved") ||
                          streq(m.event, "flapping"))) {
                *ret_error = "the notification's event is not firing, reminder, resolved or flapping";
                return -EINVAL;
        }
        if (!m.channel || !m.channel_type || !m.target || !m.browser || !m.outcome || !m.kind || !m.opened_at) {
                *ret_error = "the notification lacks its channel, browser, outcome, kind or opening time";
                return -EINVAL;
        }
        if (m.partner) {
                const char *name = str(alert, "config_name");

                if (name)
                        m.check = name;
                else {
                        snprintf(m.check_buf, sizeof m.check_buf, "#%lld", (long long) m.config_id);
                        m.check = m.check_buf;
                }
        }
        *ret = m;
        /* check may point into the copy's own buffer. */
        if (m.check == m.check_buf)
                ret->check = ret->check_buf;
        return 0;
}

static bool is_incident(const Message *m) {
        return !m->partner;
}

int message_subject(const Message *m, char **ret) {
        int r;

        if (is_incident(m)) {
                if (streq(m->event, "resolved"))
                        r = asprintf(ret, "pik: suspected incident in %s (%s) is over", m->browser, m->outcome);
                else
                        r = asprintf(ret, "pik: %ssuspected incident in %s: %s (%s)",
                                     streq(m->event, "reminder") ? "still a " : "", m->browser, m->outcome, m->kind);
        } else if (streq(m->event, "resolved"))
                r = asprintf(ret, "pik: %s %s in %s is back UP", m->partner, m->check, m->browser);
        else if (streq(m->event, "flapping"))
                r = asprintf(ret, "pik: %s %s in %s is FLAPPING (%s, %s)", m->partner, m->check, m->browser,
                             m->outcome, m->kind);
        else
                r = asprintf(ret, "pik: %s %s in %s is %s (%s, %s)", m->partner, m->check, m->browser,
                             streq(m->event, "reminder") ? "still DOWN" : "DOWN", m->outcome, m->kind);
        if (r < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

static void step_line(FILE *f, json_object *st) {
        static const struct {
                const char *key, *label;
        } timings[] = {
                { "dns_ms", "dns" }, { "connect_ms", "connect" }, { "tls_ms", "tls" },
                { "ttfb_ms", "first byte" }, { "total_ms", "total" },
        };
        const char *sep = "";
        json_object *v;

        fprintf(f, "  %lld. %s", (long long) num(st, "position"), str(st, "name") ?: "?");
        if (json_object_object_get_ex(st, "http_status", &v))
                fprintf(f, " (HTTP %lld)", (long long) json_object_get_int64(v));
        fputs(":", f);
        for (size_t i = 0; i < ELEMENTSOF(timings); i++)
                if (json_object_object_get_ex(st, timings[i].key, &v)) {
                        fprintf(f, "%s %s %lld ms", sep, timings[i].label, (long long) json_object_get_int64(v));
                        sep = ",";
                }
        if (!*sep)
                fputs(" no timings", f);
        fputc('\n', f);
}

int message_body(const Message *m, char **ret) {
        _cleanup_free_ char *subject = NULL;
        char *buf = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        r = message_subject(m, &subject);
        if (r < 0)
                return r;
        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;

        /* The subject without its "pik: ", as the first line. */
        fprintf(f, "%s.\n\n", subject + STRLEN("pik: "));
        if (m->partner) {
                fprintf(f, "Partner:       %s\n", m->partner);
                fprintf(f, "Check:         %s (configuration %lld)\n", m->check, (long long) m->config_id);
        }
        if (streq(m->event, "flapping"))
                fputs("It goes up and down too often to page anyone at each turn: pik says nothing\n"
                      "more about it until it settles, then whether it is down or back up.\n\n", f);
        fprintf(f, "Browser:       %s\n", m->browser);
        fprintf(f, "Outcome:       %s (%s)\n", m->outcome, m->kind);
        if (m->description)
                fprintf(f, "               %s\n", m->description);
        fprintf(f, "Failing since: %s\n", m->opened_at);
        if (m->closed_at)
                fprintf(f, "Recovered at:  %s\n", m->closed_at);
        fprintf(f, "Last success:  %s\n", m->last_success_at ?: "none recorded");
        if (m->executed_at)
                fprintf(f, "Latest result: %lld at %s\n", (long long) m->result_id, m->executed_at);
        if (m->details)
                fprintf(f, "Details:       %s\n", m->details);
        if (m->steps && json_object_array_length(m->steps) > 0) {
                fputs("Steps:\n", f);
                for (size_t i = 0; i < json_object_array_length(m->steps); i++)
                        step_line(f, json_object_array_get_idx(m->steps, i));
        }
        if (m->execution_id > 0 && !streq(m->event, "resolved"))
                fprintf(f, "Evidence:      /var/lib/pik/evidence/%lld/ (when the check kept any)\n",
                        (long long) m->execution_id);
        fprintf(f, "\nMore:          pikctl result show %lld\n", (long long) m->result_id);
        fprintf(f, "               pikctl alerts\n");

        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

int message_mail(const Message *m, char **ret) {
        _cleanup_free_ char *subject = NULL, *body = NULL;
        char date[64];
        struct tm tm;
        time_t t = time(NULL);
        int r;

        r = message_subject(m, &subject);
        if (r < 0)
                return r;
        r = message_body(m, &body);
        if (r < 0)
                return r;
        /* RFC 5322 date, in English whatever the locale: strftime's %a
         * and %b would follow LC_TIME. */
        static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
        static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
        gmtime_r(&t, &tm);
        snprintf(date, sizeof date, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);

        /* Every value here is a code, a name or a time pik validated: none
         * holds a line break that could start a header of its own. */
        if (asprintf(ret,
                     "To: %s\n"
                     "Subject: %s\n"
                     "Date: %s\n"
                     "MIME-Version: 1.0\n"
                     "Content-Type: text/plain; charset=utf-8\n"
                     "Content-Transfer-Encoding: 8bit\n"
                     "Auto-Submitted: auto-generated\n"
                     "X-Pik-Event: %s\n"
                     "X-Pik-Alert: %lld\n"
                     "\n"
                     "%s",
                     m->target, subject, date, m->event, (long long) m->alert_id, body) < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

static int add_str(json_object *o, const char *key, const char *v) {
        return pik_json_add(o, key, json_object_new_string(v ?: ""));
}

int message_alertmanager(const Message *m, json_object **ret) {
        _cleanup_(json_object_putp) json_object *o = NULL;
        _cleanup_free_ char *subject = NULL, *body = NULL, *group = NULL;
        json_object *labels, *annotations, *alert, *alerts, *group_labels;
        const char *status = streq(m->event, "resolved") ? "resolved" : "firing";
        const char *alertname = is_incident(m) ? "PikSuspectedIncident" : "PikCheckFailing";
        int r;

        r = message_subject(m, &subject);
        if (r < 0)
                return r;
        r = message_body(m, &body);
        if (r < 0)
                return r;
        if (asprintf(&group, "{}:{alertname=\"%s\", alert=\"%lld\"}", alertname, (long long) m->alert_id) < 0) {
                group = NULL;
                return -ENOMEM;
        }

        o = json_object_new_object();
        labels = json_object_new_object();
        annotations = json_object_new_object();
        alert = json_object_new_object();
        alerts = json_object_new_array();
        group_labels = json_object_new_object();
        if (!o || !labels || !annotations || !alert || !alerts || !group_labels) {
                json_object_put(labels);
                json_object_put(annotations);
                json_object_put(alert);
                json_object_put(alerts);
                json_object_put(group_labels);
                return -ENOMEM;
        }
        /* Owned by o from here on, whatever fails next. */
        if (pik_json_add(o, "alerts", alerts) < 0 || pik_json_add(o, "groupLabels", group_labels) < 0 ||
            json_object_array_add(alerts, alert) < 0 || pik_json_add(alert, "labels", labels) < 0 ||
            pik_json_add(alert, "annotations", annotations) < 0)
                return -ENOMEM;

        if (add_str(labels, "alertname", alertname) < 0 ||
            add_str(labels, "partner", m->partner) < 0 ||
            add_str(labels, "check", m->check) < 0 ||
            add_str(labels, "browser", m->browser) < 0 ||
            add_str(labels, "outcome", m->outcome) < 0 ||
            add_str(labels, "kind", m->kind) < 0 ||
            add_str(annotations, "summary", subject + STRLEN("pik: ")) < 0 ||
            add_str(annotations, "description", body) < 0 ||
            add_str(alert, "status", status) < 0 ||
            add_str(alert, "startsAt", m->opened_at) < 0 ||
            /* Alertmanager's zero time for an alert that has not ended. */
            add_str(alert, "endsAt", m->closed_at ?: "0001-01-01T00:00:00Z") < 0 ||
            add_str(alert, "generatorURL", "") < 0 ||
            add_str(group_labels, "alertname", alertname) < 0 ||
            add_str(o, "version", "4") < 0 ||
            add_str(o, "groupKey", group) < 0 ||
            pik_json_add(o, "truncatedAlerts", json_object_new_int(0)) < 0 ||
            add_str(o, "status", status) < 0 ||
            add_str(o, "receiver", m->channel) < 0 ||
            pik_json_add(o, "commonLabels", json_object_get(labels)) < 0 ||
            pik_json_add(o, "commonAnnotations", json_object_get(annotations)) < 0 ||
            add_str(o, "externalURL", "") < 0)
                return -ENOMEM;

        *ret = TAKE_PTR(o);
        return 0;
}

int message_environment(const Message *m, char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *subject = NULL;
        size_t n = 0;
        int r;

        r = message_subject(m, &subject);
        if (r < 0)
                return r;
        env = calloc(20, sizeof(char *));
        if (!env)
                return -ENOMEM;
#define PUT(fmt, ...)                                                   \
        do {                                                            \
                if (asprintf(&env[n], fmt, __VA_ARGS__) < 0) {          \
                        env[n] = NULL;                                  \
                        return -ENOMEM;                                 \
                }                                                       \
                n++;                                                    \
        } while (0)
        PUT("PIK_EVENT=%s", m->event);
        PUT("PIK_NOTIFICATION=%lld", (long long) m->notification_id);
        PUT("PIK_ALERT=%lld", (long long) m->alert_id);
        PUT("PIK_CHANNEL=%s", m->channel);
        PUT("PIK_PARTNER=%s", m->partner ?: "");
        PUT("PIK_CHECK=%s", m->check ?: "");
        PUT("PIK_CONFIG_ID=%lld", (long long) m->config_id);
        PUT("PIK_BROWSER=%s", m->browser);
        PUT("PIK_OUTCOME=%s", m->outcome);
        PUT("PIK_OUTCOME_KIND=%s", m->kind);
        PUT("PIK_SINCE=%s", m->opened_at);
        PUT("PIK_LAST_SUCCESS=%s", m->last_success_at ?: "");
        PUT("PIK_RESULT=%lld", (long long) m->result_id);
        PUT("PIK_SUBJECT=%s", subject);
        PUT("PATH=%s", "/usr/local/bin:/usr/bin:/bin");
#undef PUT
        *ret = TAKE_PTR(env);
        return 0;
}
