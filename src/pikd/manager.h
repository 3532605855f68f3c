/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "db.h"
#include "polkit.h"

/* pikd: org.pik.Manager1 on the system bus (docs/DBUS.md). Every method
 * runs the library function pikctl --db runs offline; changes are asked of
 * polkit first, the check's own calls are tied to the caller's unit and the
 * execution key. pikd exits after idle_usec without a call, releasing its
 * name first, so that the next call activates a fresh one. */

#define PIKD_IDLE_USEC_DEFAULT (30 * UINT64_C(1000000))

typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        PikDb *db;                   /* owned */
        PikConfig *cfg;              /* owned; replaced by a reload */
        const char *config_path;     /* what a reload reads; NULL: PIK_CONFIG_PATH (missing is fine) */
        const char *credentials_dir;
        const char *evidence_dir;    /* where KeepEvidence stores files */
        PolkitRegistry *polkit;

        uint64_t idle_usec;          /* 0: never exit */
        sd_event_source *idle_timer;
        bool exiting;                /* the name is being released */
} Manager;

int manager_new(PikConfig *cfg, PikDb *db, const char *credentials_dir, const char *evidence_dir, uint64_t idle_usec,
                Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* address NULL: the system bus. Takes org.pik.Manager1 once the object is
 * in place, so no call finds it missing. */
int manager_connect_bus(Manager *m, const char *address);
/* SIGHUP (systemctl reload pikd) reads the configuration file again; a
 * file that does not load is logged and the running configuration kept.
 * The database stays open where it is: a changed database path needs a
 * restart. */
int manager_enable_reload(Manager *m, const char *config_path);
int manager_reload(Manager *m);
int manager_run(Manager *m);
