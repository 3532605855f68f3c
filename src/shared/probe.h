/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "db.h"

/* What a monitoring system scrapes (pik-web's /metrics): each check's last
 * confirmed result with its timings, the result counts, and the number of
 * running executions. Rows are handed to a callback one at a time, valid
 * during the call only; a negative return from it stops and is returned. */

typedef struct PikProbe {
        int64_t config_id;
        const char *name;            /* the configuration's short name; NULL: none */
        const char *partner;
        const char *browser;
        const char *outcome;
        const char *kind;            /* "unknown" for an outcome not in the catalog */
        int64_t result_id;
        int64_t executed_at;
        int64_t duration_ms;
        /* The flow's timings, -1 where unknown: dns, connect and tls are
         * each phase's own time; ttfb and total count from the start of
         * the requests (libcurl's STARTTRANSFER and TOTAL, summed). */
        int64_t dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms;
        int64_t http_status;         /* of the last step; 0: none */
} PikProbe;

typedef int (*PikProbeFn)(const PikProbe *p, void *userdata);
/* Checks (configuration × browser) that have a confirmed result, by
 * partner, configuration and browser. */
int pik_probe_foreach(PikDb *db, PikProbeFn cb, void *userdata);

typedef struct PikResultCount {
        const char *partner;
        const char *browser;
        const char *outcome;
        const char *kind;
        int64_t count;
} PikResultCount;

typedef int (*PikResultCountFn)(const PikResultCount *c, void *userdata);
/* Results kept in the database, by partner, browser and outcome. */
int pik_result_count_foreach(PikDb *db, PikResultCountFn cb, void *userdata);

/* Executions still waiting for their check's report. */
int pik_execution_count_running(PikDb *db, int64_t *ret);

typedef struct PikFiring {
        int64_t config_id;           /* 0: a suspected incident, not one check's */
        const char *name;            /* the configuration's short name; NULL: none */
        const char *partner;         /* NULL for an incident */
        const char *browser;
        const char *outcome;
        const char *kind;
} PikFiring;

typedef int (*PikFiringFn)(const PikFiring *f, void *userdata);
/* Open alerts, by partner, configuration, browser and outcome: at most one
 * per check and one per incident (browser × outcome), so never two alike. */
int pik_alert_firing_foreach(PikDb *db, PikFiringFn cb, void *userdata);

typedef int (*PikChannelCountFn)(const char *channel, int64_t count, void *userdata);
/* Failed delivery attempts by channel, over the notifications kept: every
 * attempt of a notification but the one that sent it. */
int pik_notification_failures_foreach(PikDb *db, PikChannelCountFn cb, void *userdata);
