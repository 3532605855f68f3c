/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <systemd/sd-bus.h>

#include "macro.h"

/* Asking polkit without blocking the daemon (the idea of systemd's
 * bus-polkit.c, our own code). A method handler calls
 * polkit_verify_async() with its action:
 *
 *   < 0  refused, or polkit could not be asked: the error is set
 *        (org.pik.Error.PermissionDenied naming the action and why); the
 *        handler returns it.
 *   0    polkit was asked: the handler returns 1 at once without replying.
 *        When the answer arrives the handler is run again, from the start,
 *        on the same message, and this time the call returns the decision.
 *   1    authorized: go on.
 *
 * The pending questions are kept in a registry, keyed by the caller's
 * message, so the second run finds its answer. The handler must therefore
 * read its arguments again on each run (the message is rewound) and must not
 * have changed anything before asking. The subject is the caller's bus name,
 * never its PID; interactive authentication is allowed only when the caller
 * set ALLOW_INTERACTIVE_AUTHORIZATION on its message. There is no shortcut
 * for root: polkit's own rules decide for root as for everybody. */

typedef struct PolkitRegistry PolkitRegistry;

/* At most this many questions wait for polkit at once; more are refused
 * (org.freedesktop.DBus.Error.LimitsExceeded) rather than queued without
 * bound. */
#define POLKIT_PENDING_MAX 128

int polkit_registry_new(PolkitRegistry **ret);
/* Drops the pending questions (their callers get no reply: pikd is exiting). */
PolkitRegistry *polkit_registry_free(PolkitRegistry *reg);
DEFINE_TRIVIAL_CLEANUP_FUNC(PolkitRegistry *, polkit_registry_free);
size_t polkit_registry_pending(PolkitRegistry *reg);

int polkit_verify_async(sd_bus_message *call, const char *action, PolkitRegistry *reg, sd_bus_error *error);
