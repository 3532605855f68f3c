/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * MESSAGE_ID of each operator-facing event pik logs, mirrored one to one by
 * data/catalog/pik.catalog (journalctl -x explains each entry; the unit test
 * data/catalog/test-catalog.sh keeps the two in step). Never change an id
 * once released: journal queries and alerts match on it.
 *
 * As in systemd's <systemd/sd-messages.h>: PIK_MESSAGE_X is an sd_id128_t,
 * PIK_MESSAGE_X_STR the same id as a string literal:
 *
 *     sd_journal_send("MESSAGE=...",
 *                     "MESSAGE_ID=" PIK_MESSAGE_SUCCESS_STR,
 *                     "PIK_PARTNER=%s", partner,
 *                     ...,
 *                     NULL);
 *
 * Each id lists the fields its entry carries: the catalog text substitutes
 * them (@PIK_PARTNER@). Fields are those of DESIGN.md plus PIK_CONFIG (job
 * configuration id), PIK_ATTEMPT, PIK_RUN_AFTER, PIK_RETRY_AFTER_SEC,
 * PIK_CHANGE, PIK_OBJECT and PIK_CALLER_UID. A new id: `systemd-id128 new`,
 * a pair of lines here and an entry in the catalog.
 */

#include <systemd/sd-id128.h>

/* pik-scheduler gave a job its next run.
 * PIK_PARTNER, PIK_BROWSER, PIK_CONFIG, PIK_RUN_AFTER (ISO 8601, UTC) */
#define PIK_MESSAGE_SCHEDULED          SD_ID128_MAKE(15,a2,31,4e,7b,53,42,59,ba,fc,10,c4,59,03,c8,d0)
#define PIK_MESSAGE_SCHEDULED_STR      SD_ID128_MAKE_STR(15,a2,31,4e,7b,53,42,59,ba,fc,10,c4,59,03,c8,d0)

/* pik-dispatcher started pik-check@<PIK_EXECUTION>.service.
 * PIK_PARTNER, PIK_BROWSER, PIK_CONFIG, PIK_EXECUTION, PIK_ATTEMPT */
#define PIK_MESSAGE_DISPATCHED         SD_ID128_MAKE(7f,7b,ec,29,54,6b,44,31,85,e3,f9,75,16,f7,22,c4)
#define PIK_MESSAGE_DISPATCHED_STR     SD_ID128_MAKE_STR(7f,7b,ec,29,54,6b,44,31,85,e3,f9,75,16,f7,22,c4)

/* pik-check got its job from pikd and begins the login flow.
 * PIK_PARTNER, PIK_BROWSER, PIK_EXECUTION, PIK_ATTEMPT */
#define PIK_MESSAGE_STARTED            SD_ID128_MAKE(e6,69,84,a4,6a,cb,47,9a,90,d3,5a,23,bc,43,63,f1)
#define PIK_MESSAGE_STARTED_STR        SD_ID128_MAKE_STR(e6,69,84,a4,6a,cb,47,9a,90,d3,5a,23,bc,43,63,f1)

/* A check succeeded.
 * PIK_PARTNER, PIK_BROWSER, PIK_EXECUTION, PIK_OUTCOME, PIK_OUTCOME_KIND
 * (success), PIK_DURATION_MS */
#define PIK_MESSAGE_SUCCESS            SD_ID128_MAKE(3a,ed,61,d9,1d,14,4c,aa,b4,12,aa,e2,46,f7,94,98)
#define PIK_MESSAGE_SUCCESS_STR        SD_ID128_MAKE_STR(3a,ed,61,d9,1d,14,4c,aa,b4,12,aa,e2,46,f7,94,98)

/* A check failed.
 * PIK_PARTNER, PIK_BROWSER, PIK_EXECUTION, PIK_OUTCOME, PIK_OUTCOME_KIND
 * (partner, infrastructure or configuration), PIK_DURATION_MS */
#define PIK_MESSAGE_FAILURE            SD_ID128_MAKE(5e,95,df,04,d3,8c,48,9c,a3,09,d8,68,90,59,e0,b8)
#define PIK_MESSAGE_FAILURE_STR        SD_ID128_MAKE_STR(5e,95,df,04,d3,8c,48,9c,a3,09,d8,68,90,59,e0,b8)

/* An infrastructure failure will be retried as a new execution.
 * PIK_PARTNER, PIK_BROWSER, PIK_EXECUTION (the failed one), PIK_OUTCOME,
 * PIK_ATTEMPT (the next one), PIK_RETRY_AFTER_SEC */
#define PIK_MESSAGE_RETRY              SD_ID128_MAKE(40,fb,e9,0c,09,8f,45,ef,a1,2b,e9,e5,5c,aa,35,ca)
#define PIK_MESSAGE_RETRY_STR          SD_ID128_MAKE_STR(40,fb,e9,0c,09,8f,45,ef,a1,2b,e9,e5,5c,aa,35,ca)

/* An execution ended without a result of its own: its unit died without
 * reporting (engine-crashed) or was stopped at RuntimeMaxSec= / outlived
 * job_expiry (check-expired).
 * PIK_PARTNER, PIK_BROWSER, PIK_EXECUTION, PIK_OUTCOME, PIK_OUTCOME_KIND
 * (infrastructure) */
#define PIK_MESSAGE_EXPIRED            SD_ID128_MAKE(de,d1,1e,3b,35,43,42,bc,96,f5,d8,2d,fb,08,7c,ff)
#define PIK_MESSAGE_EXPIRED_STR        SD_ID128_MAKE_STR(de,d1,1e,3b,35,43,42,bc,96,f5,d8,2d,fb,08,7c,ff)

/* Checks were held (pikctl hold). PIK_CONFIG (0: everything) */
#define PIK_MESSAGE_HELD               SD_ID128_MAKE(14,98,51,f2,df,de,4b,35,af,e4,3a,3a,70,59,08,2f)
#define PIK_MESSAGE_HELD_STR           SD_ID128_MAKE_STR(14,98,51,f2,df,de,4b,35,af,e4,3a,3a,70,59,08,2f)

/* Held checks were released (pikctl release). PIK_CONFIG (0: everything) */
#define PIK_MESSAGE_RELEASED           SD_ID128_MAKE(0e,e5,48,e7,56,30,4f,93,97,a6,9b,d9,f7,61,3a,0a)
#define PIK_MESSAGE_RELEASED_STR       SD_ID128_MAKE_STR(0e,e5,48,e7,56,30,4f,93,97,a6,9b,d9,f7,61,3a,0a)

/* An administrative change of partners, browsers or configurations.
 * PIK_CHANGE (e.g. "partner-add", "config-disable"), PIK_OBJECT (the code,
 * name or id changed), PIK_PARTNER where one applies, PIK_CALLER_UID */
#define PIK_MESSAGE_CONFIG_CHANGED     SD_ID128_MAKE(ac,2b,5b,4d,a5,e2,4e,5f,a8,8b,ed,26,68,12,f9,06)
#define PIK_MESSAGE_CONFIG_CHANGED_STR SD_ID128_MAKE_STR(ac,2b,5b,4d,a5,e2,4e,5f,a8,8b,ed,26,68,12,f9,06)

/* A job configuration was changed in place (pikctl config set, SetConfig).
 * PIK_CHANGE ("config-set"), PIK_OBJECT and PIK_CONFIG (the id),
 * PIK_CHANGES ("what: old → new; …"), PIK_CALLER_UID */
#define PIK_MESSAGE_CONFIG_EDITED      SD_ID128_MAKE(09,b3,3f,38,d5,bd,45,53,b2,59,4a,a3,c3,2d,45,49)
#define PIK_MESSAGE_CONFIG_EDITED_STR  SD_ID128_MAKE_STR(09,b3,3f,38,d5,bd,45,53,b2,59,4a,a3,c3,2d,45,49)
