/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"

/* Alert notifications: pikd starts pik-notify@<id>.service for each new
 * notification (notification.h), and serves that unit's own calls
 * (GetNotification, NotificationDone) and the listings (ListAlerts,
 * ListNotifications), all on org.pik.Manager1 next to manager.c's. */

extern const sd_bus_vtable notify_vtable[];

/* After a result was recorded, or any time: start the unit of every
 * notification not started yet. Asynchronous; a unit that cannot be
 * started is recorded as a failed delivery. Failures are logged here. */
void notify_start_pending(Manager *m);
