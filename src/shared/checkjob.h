/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "config.h"
#include "credentials.h"
#include "db.h"
#include "result.h"

/* The check's own calls (docs/DBUS.md, "The check's own calls"), as pikd
 * runs them once it has made sure the caller is unit pik-check@<id>.service.
 * Each one first proves the caller holds the execution's key; a wrong key
 * changes nothing and says nothing about the execution but "key does not
 * match". Error conventions as in partner.h, plus:
 *   -ENOENT  no such execution
 *   -EACCES  "execution N: key does not match" (also for an empty or
 *            oversized key)
 *   -ESTALE  the execution already ended (it has its result) */

/* Credentials files: see credentials.h. */
#define PIK_PROGRESS_MAX 256


int pik_check_authenticate(PikDb *db, int64_t execution, const char *key);

/* Authenticate; mark the execution started (started_at = now) if it was
 * dispatched; and return what the check needs, as the text of one JSON
 * object (docs/JOB.md), which may hold secrets: free it with
 * erase_and_free(). Its members:
 *
 *   execution, attempt, partner, partner_name, browser, engine,
 *   user_agent       the browser's, else the engine default from pik.conf
 *   http_version, webdriver_url, headers, capabilities   (when the browser sets them)
 *   config_id, entry_url, sso, express_checkout,
 *   product_url, wait_sec, success_marker, failure_marker (when set)
 *   timeout_sec, max_redirects                            (pik.conf's engine defaults)
 *   credentials      { username, password, totp_seed (when set) }
 *   credentials_missing  true when there are none to hand over, with
 *   credentials_problem  why, in words fit for a result's details
 *                        ("no credentials file /etc/pik/credentials/acme")
 *
 * A missing or refused credentials file is not an error here: the check
 * reports it as missing-credentials, a configuration problem the operator
 * sees next to the partner. -ENOENT (with the reason) when the execution's
 * configuration or browser has been removed since it was dispatched.
 * *ret_credentials_problem (if not NULL) gets a copy of that reason, or NULL.
 * This text is the only place credentials ever leave pikd; no copy of them
 * is left in memory that is freed. */
int pik_check_get_job(PikDb *db, const PikConfig *cfg, int64_t execution, const char *key,
                      const char *credentials_dir, int64_t now, char **ret_json, char **ret_credentials_problem);

/* Authenticate and set the execution's progress (what `pikctl execution
 * show` prints while it runs): non-empty text, at most PIK_PROGRESS_MAX
 * bytes. */
int pik_execution_set_progress(PikDb *db, int64_t execution, const char *key, const char *progress);

/* Authenticate and record the check's report, the JSON document of
 * ReportResult: { "outcome": s (required), "duration_ms": n (required),
 * "dns_ms", "connect_ms", "tls_ms", "ttfb_ms", "total_ms": n (-1 or absent:
 * unknown), "details": s, "retry_after_sec": n (0..86400, 0: none),
 * "steps": [ { "name": s (required), "http_status": n (0: none), "requests": n,
 * "dns_ms"…"total_ms": n } ] (at most PIK_RESULT_STEPS_MAX),
 * "evidence": [ s ] (file names in the execution's evidence directory, at
 * most PIK_EVIDENCE_FILES_MAX) }.
 * Unknown keys and wrong types are -EINVAL. Retries follow the policy
 * (pik_result_record()). */
#define PIK_REPORT_JSON_MAX (16 * 1024)
/* The parse alone, as pik_check_report_result() does it: rep's strings
 * point into *ret_owner (put it when done) and its steps are *ret_steps
 * (free it; a previous value is freed). -EINVAL with pik_db_error(db)
 * naming what was wrong, -ENOMEM. */
int pik_check_report_parse(PikDb *db, const char *json, int64_t now, PikResultReport *rep, json_object **ret_owner,
                           PikResultStep **ret_steps);
int pik_check_report_result(PikDb *db, const PikConfig *cfg, int64_t execution, const char *key, const char *json,
                            int64_t now, PikResultRecorded *ret);

/* After a result whose retry was scheduled: the attempt number the next
 * execution of the same job will carry and the seconds from now until it
 * is due (for the operator's journal entry). -ENOENT when the job is gone. */
int pik_check_next_attempt(PikDb *db, int64_t execution, int64_t now, unsigned *ret_attempt, int64_t *ret_delay_sec);
