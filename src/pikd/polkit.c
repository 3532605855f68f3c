/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-util.h"
#include "log.h"
#include "polkit.h"

#define POLKIT_FLAG_ALLOW_USER_INTERACTION 1u

typedef struct PolkitQuery PolkitQuery;

struct PolkitQuery {
        PolkitRegistry *registry;
        PolkitQuery *prev, *next;

        sd_bus_message *request;     /* the caller's message: the registry's key */
        char *action;
        sd_bus_slot *slot;           /* the question, while polkit thinks */
        sd_bus_message *reply;       /* polkit's answer, once there */

        /* What to run again with the answer. */
        sd_bus_message_handler_t handler;
        void *userdata;
};

struct PolkitRegistry {
        PolkitQuery *queries;
        size_t n;
};

int polkit_registry_new(PolkitRegistry **ret) {
        PolkitRegistry *reg = calloc(1, sizeof *reg);

        if (!reg)
                return -ENOMEM;
        *ret = reg;
        return 0;
}

static PolkitQuery *polkit_query_free(PolkitQuery *q) {
        if (!q)
                return NULL;
        if (q->registry) {
                if (q->prev)
                        q->prev->next = q->next;
                else
                        q->registry->queries = q->next;
                if (q->next)
                        q->next->prev = q->prev;
                q->registry->n--;
        }
        /* Dropping the slot of an unanswered call cancels it. */
        sd_bus_slot_unref(q->slot);
        sd_bus_message_unref(q->request);
        sd_bus_message_unref(q->reply);
        free(q->action);
        free(q);
        return NULL;
}

PolkitRegistry *polkit_registry_free(PolkitRegistry *reg) {
        if (!reg)
                return NULL;
        while (reg->queries)
                polkit_query_free(reg->queries);
        free(reg);
        return NULL;
}

size_t polkit_registry_pending(PolkitRegistry *reg) {
        return reg ? reg->n : 0;
}

static PolkitQuery *polkit_registry_find(PolkitRegistry *reg, sd_bus_message *request) {
        for (PolkitQuery *q = reg->queries; q; q = q->next)
                if (q->request == request)
                        return q;
        return NULL;
}

_printf_(2, 3)
static int deny(sd_bus_error *error, const char *fmt, ...) {
        _cleanup_free_ char *m = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&m, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return bus_error_set_errno_message(error, -EACCES, m);
}

/* polkit's answer to the question about q->action. */
static int polkit_decision(PolkitQuery *q, sd_bus_error *error) {
        int authorized, challenge, r;

        if (sd_bus_message_is_method_error(q->reply, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(q->reply);

                /* polkitd not on the bus, not answering, or refusing the
                 * question: nobody said yes, so the answer is no. */
                return deny(error, "Permission denied for %s: polkit could not be asked (%s: %s).", q->action,
                            e && e->name ? e->name : "unknown error", e && e->message ? e->message : "no message");
        }

        r = sd_bus_message_enter_container(q->reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(q->reply, "bb", &authorized, &challenge);
        if (r < 0)
                return deny(error, "Permission denied for %s: polkit's answer could not be read: %s.",
                            q->action, strerror(-r));

        if (authorized)
                return 1;
        if (challenge)
                return deny(error, "Permission denied for %s: authentication is required%s.", q->action,
                            sd_bus_message_get_allow_interactive_authorization(q->request) > 0 ?
                            ", and no authentication agent answered" :
                            " (the call did not allow interactive authentication)");
        return deny(error, "Permission denied for %s: not authorized.", q->action);
}

static int polkit_answered(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        PolkitQuery *q = userdata;
        int r;

        q->slot = sd_bus_slot_unref(q->slot);
        q->reply = sd_bus_message_ref(reply);

        /* Run the method again from its start: this time
         * polkit_verify_async() finds the answer in the registry. */
        r = sd_bus_message_rewind(q->request, true);
        if (r >= 0)
                r = q->handler(q->request, q->userdata, &error);
        if (r < 0 || sd_bus_error_is_set(&error)) {
                if (sd_bus_error_is_set(&error))
                        r = sd_bus_reply_method_error(q->request, &error);
                else
                        r = sd_bus_reply_method_errno(q->request, r, NULL);
                if (r < 0)
                        log_debug_errno(r, "Failed to send an error reply, ignoring: %m");
        }

        polkit_query_free(q);
        return 0;
}

static int polkit_ask(sd_bus_message *call, const char *action, PolkitRegistry *reg, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *pk = NULL;
        sd_bus *bus = sd_bus_message_get_bus(call);
        const char *sender = sd_bus_message_get_sender(call);
        uint32_t flags = 0;
        PolkitQuery *q;
        int r;

        if (!sender)
                return deny(error, "Permission denied for %s: the caller has no bus name to ask polkit about.", action);
        if (reg->n >= POLKIT_PENDING_MAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                         "Too many authorization requests are pending; try again later.");
        if (sd_bus_message_get_allow_interactive_authorization(call) > 0)
                flags |= POLKIT_FLAG_ALLOW_USER_INTERACTION;

        r = sd_bus_message_new_method_call(bus, &pk, "org.freedesktop.PolicyKit1",
                                           "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r < 0)
                return r;
        /* Subject: the caller's unique bus name, never its PID (racy).
         * No details, and no cancellation id. */
        r = sd_bus_message_append(pk, "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s", sender, action, 0, flags,
                                  "");
        if (r < 0)
                return r;
        /* An agent may wait for a person to type a password. */
        if (flags & POLKIT_FLAG_ALLOW_USER_INTERACTION) {
                r = sd_bus_message_set_allow_interactive_authorization(pk, true);
                if (r < 0)
                        return r;
        }

        /* Only from within a method handler: that is what is run again. */
        if (!sd_bus_get_current_handler(bus))
                return -EINVAL;

        q = calloc(1, sizeof *q);
        if (!q)
                return -ENOMEM;
        q->request = sd_bus_message_ref(call);
        q->handler = sd_bus_get_current_handler(bus);
        q->userdata = sd_bus_get_current_userdata(bus);
        q->action = strdup(action);
        if (!q->action) {
                polkit_query_free(q);
                return -ENOMEM;
        }

        r = sd_bus_call_async(bus, &q->slot, pk, polkit_answered, q, 0);
        if (r < 0) {
                polkit_query_free(q);
                return deny(error, "Permission denied for %s: polkit could not be asked (%s).", action, strerror(-r));
        }

        q->registry = reg;
        q->next = reg->queries;
        if (q->next)
                q->next->prev = q;
        reg->queries = q;
        reg->n++;
        log_debug("Asked polkit about %s for %s.", action, sender);
        return 0;
}

int polkit_verify_async(sd_bus_message *call, const char *action, PolkitRegistry *reg, sd_bus_error *error) {
        PolkitQuery *q;

        q = polkit_registry_find(reg, call);
        if (!q)
                return polkit_ask(call, action, reg, error);
        if (!q->reply)
                return 0;       /* still asking */
        if (!streq(q->action, action))
                /* A handler that asks about two actions is a bug of ours. */
                return deny(error, "Permission denied for %s: authorization was asked for %s.", action, q->action);
        return polkit_decision(q, error);
}
