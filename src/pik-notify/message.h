/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>

/* What a notification says, made from the document pikd's GetNotification
 * returns (notification.h): pure functions, no I/O, so every channel says
 * the same and the tests read exactly what an operator would. */

typedef struct Message {
        const char *event;          /* firing, reminder, resolved */
        const char *channel;        /* the channel's name */
        const char *channel_type;
        const char *target;         /* to, url or command */
        int64_t notification_id, alert_id, config_id, result_id, execution_id;
        const char *partner;        /* NULL: an incident */
        const char *check;          /* the configuration's name, or "#ID" */
        const char *browser, *outcome, *kind, *description, *details;
        const char *opened_at, *closed_at, *last_success_at, *executed_at;
        json_object *steps;         /* may be NULL */
        char check_buf[32];
} Message;

/* The message's fields point into doc, which must outlive it. -EINVAL
 * (with *ret_error) when the document lacks what every message needs. */
int message_from_json(json_object *doc, Message *ret, const char **ret_error);

/* "pik: acme sso-login in chrome is DOWN (login-rejected, partner)",
 * "… is still DOWN (…)", "… is back UP"; an incident: "pik: suspected
 * incident in chrome: egress-down (infrastructure)", "… is over". */
int message_subject(const Message *m, char **ret);
/* The plain-text body: what, since when, the last success, the
 * explanation, details, steps with timings, evidence, the command to see more. */
int message_body(const Message *m, char **ret);
/* A whole RFC 5322 message for sendmail -t: To, Subject, headers, body. */
int message_mail(const Message *m, char **ret);
/* Prometheus Alertmanager's webhook payload, version 4. */
int message_alertmanager(const Message *m, json_object **ret);
/* PIK_EVENT=… and friends for a command, a NULL-terminated strv. */
int message_environment(const Message *m, char ***ret);
