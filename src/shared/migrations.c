/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "macro.h"
#include "migrations.h"

/* All times are INTEGER seconds since the epoch, UTC. Results keep the
 * partner code and browser name as text rather than a foreign key: history
 * must outlive the partner or browser it was about (removing one with
 * --force never deletes results). */

static const char v1[] =
        "CREATE TABLE partner ("
        "  id INTEGER PRIMARY KEY,"
        "  code TEXT NOT NULL UNIQUE,"
        "  name TEXT NOT NULL,"
        "  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),"
        "  disabled_reason TEXT,"
        "  created_at INTEGER NOT NULL);"

        "CREATE TABLE browser ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL UNIQUE,"
        "  icon TEXT,"
        "  engine TEXT NOT NULL CHECK (engine IN ('http', 'webdriver')),"
        "  user_agent TEXT,"
        "  headers TEXT,"
        "  http_version TEXT,"
        "  webdriver_url TEXT,"
        "  capabilities TEXT,"
        "  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),"
        "  disabled_reason TEXT,"
        "  created_at INTEGER NOT NULL);"

        "CREATE TABLE job_config ("
        "  id INTEGER PRIMARY KEY,"
        "  partner_id INTEGER NOT NULL REFERENCES partner(id) ON DELETE CASCADE,"
        "  entry_url TEXT NOT NULL,"
        "  schedule_type TEXT NOT NULL CHECK (schedule_type IN ('interval', 'daily', 'cron')),"
        "  schedule TEXT NOT NULL,"
        "  timezone TEXT NOT NULL,"
        "  sso INTEGER NOT NULL DEFAULT 0,"
        "  express_checkout INTEGER NOT NULL DEFAULT 0,"
        "  product_url TEXT,"
        "  wait_sec INTEGER,"
        "  success_marker TEXT,"
        "  failure_marker TEXT,"
        "  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),"
        "  disabled_reason TEXT,"
        "  held INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1)),"
        "  created_at INTEGER NOT NULL);"
        "CREATE INDEX job_config_partner ON job_config(partner_id);"

        "CREATE TABLE job_config_browser ("
        "  config_id INTEGER NOT NULL REFERENCES job_config(id) ON DELETE CASCADE,"
        "  browser_id INTEGER NOT NULL REFERENCES browser(id) ON DELETE CASCADE,"
        "  PRIMARY KEY (config_id, browser_id));"
        "CREATE INDEX job_config_browser_browser ON job_config_browser(browser_id);"

        "CREATE TABLE scheduled_job ("
        "  id INTEGER PRIMARY KEY,"
        "  config_id INTEGER NOT NULL REFERENCES job_config(id) ON DELETE CASCADE,"
        "  browser_id INTEGER NOT NULL REFERENCES browser(id) ON DELETE CASCADE,"
        "  run_after INTEGER NOT NULL,"
        "  dispatched INTEGER NOT NULL DEFAULT 0 CHECK (dispatched IN (0, 1)),"
        "  attempt INTEGER NOT NULL DEFAULT 1,"
        "  UNIQUE (config_id, browser_id));"
        "CREATE INDEX scheduled_job_due ON scheduled_job(dispatched, run_after);"
        "CREATE INDEX scheduled_job_browser ON scheduled_job(browser_id);"

        "CREATE TABLE execution ("
        "  id INTEGER PRIMARY KEY,"
        "  job_id INTEGER REFERENCES scheduled_job(id) ON DELETE SET NULL,"
        "  config_id INTEGER,"
        "  partner TEXT NOT NULL,"
        "  browser TEXT NOT NULL,"
        "  key TEXT NOT NULL,"
        "  state TEXT NOT NULL CHECK (state IN ('pending', 'dispatched', 'started', 'success',"
        "                                        'failure', 'retry', 'expired', 'skipped', 'cancelled')),"
        "  progress TEXT,"
        "  unit TEXT,"
        "  attempt INTEGER NOT NULL DEFAULT 1,"
        "  created_at INTEGER NOT NULL,"
        "  started_at INTEGER,"
        "  finished_at INTEGER);"
        "CREATE INDEX execution_state ON execution(state);"
        "CREATE INDEX execution_job ON execution(job_id);"
        "CREATE INDEX execution_partner ON execution(partner, id);"

        "CREATE TABLE result ("
        "  id INTEGER PRIMARY KEY,"
        "  execution_id INTEGER UNIQUE,"
        "  config_id INTEGER,"
        "  partner TEXT NOT NULL,"
        "  browser TEXT NOT NULL,"
        "  executed_at INTEGER NOT NULL,"
        "  duration_ms INTEGER NOT NULL,"
        "  outcome TEXT NOT NULL,"
        "  dns_ms INTEGER, connect_ms INTEGER, tls_ms INTEGER, ttfb_ms INTEGER, total_ms INTEGER,"
        "  details TEXT);"
        "CREATE INDEX result_partner_browser ON result(partner, browser, executed_at, outcome);"
        "CREATE INDEX result_executed ON result(executed_at);"

        "CREATE TABLE setting ("
        "  key TEXT PRIMARY KEY,"
        "  value TEXT NOT NULL);";

/* The outcome catalog: what each discrete outcome means, whose problem it
 * is, and whether pik retries it. Infrastructure outcomes are retried (it is
 * our machinery that failed, the partner deserves a fair second try);
 * partner outcomes are not, except throttling, which is retried after the
 * partner's Retry-After. */
static const char v2[] =
        "CREATE TABLE outcome ("
        "  name TEXT PRIMARY KEY,"
        "  kind TEXT NOT NULL CHECK (kind IN ('success', 'partner', 'infrastructure', 'configuration')),"
        "  retried INTEGER NOT NULL CHECK (retried IN (0, 1)),"
        "  description TEXT NOT NULL);"
        "INSERT INTO outcome (name, kind, retried, description) VALUES"
        " ('success', 'success', 0, 'The flow completed and the success marker was found.'),"
        " ('login-rejected', 'partner', 0, 'The partner''s site refused the credentials: the login form came back or said the login failed.'),"
        " ('success-marker-missing', 'partner', 0, 'The flow completed but the final page lacks the success marker.'),"
        " ('failure-marker-present', 'partner', 0, 'The final page shows the configured failure marker.'),"
        " ('login-form-missing', 'partner', 0, 'The entry page has no login form any more: the partner''s site changed.'),"
        " ('sso-failed', 'partner', 0, 'The login through the partner''s identity provider failed.'),"
        " ('http-4xx', 'partner', 0, 'The partner''s site answered with a client error (4xx other than 429).'),"
        " ('http-5xx', 'partner', 0, 'The partner''s site answered with a server error (5xx).'),"
        " ('partner-throttled', 'partner', 1, 'The partner''s site asked us to slow down (429); retried after its Retry-After.'),"
        " ('redirect-loop', 'partner', 0, 'The partner''s site redirected more often than the configured cap.'),"
        " ('tls-certificate-invalid', 'partner', 0, 'The partner''s TLS certificate is expired, self-signed or for another name.'),"
        " ('partner-dns-not-found', 'partner', 0, 'The partner''s host name does not resolve while our resolver answers for the canary.'),"
        " ('partner-unreachable', 'partner', 0, 'The partner''s site refused or dropped the connection while our egress works.'),"
        " ('partner-timeout', 'partner', 0, 'The partner''s site did not answer within the timeout while our egress works.'),"
        " ('local-dns-failure', 'infrastructure', 1, 'Our resolver failed: the canary name did not resolve either.'),"
        " ('egress-down', 'infrastructure', 1, 'Our outbound network is down: the canary was unreachable too.'),"
        " ('webdriver-session-failed', 'infrastructure', 1, 'The WebDriver endpoint could not create a browser session.'),"
        " ('engine-crashed', 'infrastructure', 1, 'The check''s process ended without reporting a result (crash, signal or abort).'),"
        " ('check-expired', 'infrastructure', 1, 'The check ran longer than job_expiry and was stopped.'),"
        " ('out-of-memory', 'infrastructure', 1, 'The check was killed for lack of memory (pik.slice MemoryMax or the kernel).'),"
        " ('unit-start-failed', 'infrastructure', 1, 'systemd refused to start the check''s unit.'),"
        " ('internal-error', 'infrastructure', 1, 'pik itself failed in a way it does not classify further; see the journal.'),"
        " ('missing-credentials', 'configuration', 0, 'No credentials for the partner in /etc/pik/credentials.'),"
        " ('invalid-config', 'configuration', 0, 'The job configuration cannot be run as it stands (bad selector, URL or setting).');";

/* The latest result of each partner × browser, kept by a trigger as
 * results arrive, with what status shows of it: `pikctl status` then reads
 * one row per pair instead of searching each pair's history (50,000 pairs
 * over a million results). */
static const char v3[] =
        "CREATE TABLE result_last ("
        "  partner TEXT NOT NULL,"
        "  browser TEXT NOT NULL,"
        "  result_id INTEGER NOT NULL,"
        "  executed_at INTEGER NOT NULL,"
        "  outcome TEXT NOT NULL,"
        "  details TEXT,"
        "  PRIMARY KEY (partner, browser)) WITHOUT ROWID;"
        "INSERT INTO result_last (partner, browser, result_id, executed_at, outcome, details) "
        "  SELECT partner, browser, max(id), executed_at, outcome, details FROM ("
        "    SELECT r.* FROM result r WHERE r.executed_at = "
        "      (SELECT max(executed_at) FROM result x WHERE x.partner = r.partner AND x.browser = r.browser)) "
        "  GROUP BY partner, browser;"
        "CREATE TRIGGER result_last_update AFTER INSERT ON result BEGIN "
        "  INSERT INTO result_last (partner, browser, result_id, executed_at, outcome, details) "
        "    VALUES (NEW.partner, NEW.browser, NEW.id, NEW.executed_at, NEW.outcome, NEW.details) "
        "    ON CONFLICT (partner, browser) DO UPDATE SET result_id = excluded.result_id, "
        "      executed_at = excluded.executed_at, outcome = excluded.outcome, details = excluded.details "
        "    WHERE excluded.executed_at >= result_last.executed_at; "
        "END;";

/* What a login flow needs beyond the entry page and markers (docs/JOB.md):
 * XPath markers, the login form and its fields, a CSRF <meta> token, the
 * express-checkout page, explicit steps (JSON); and for browsers a CA
 * bundle and name resolution overrides. headers and resolve hold JSON
 * arrays of strings. */
static const char v4[] =
        "ALTER TABLE job_config ADD COLUMN success_xpath TEXT;"
        "ALTER TABLE job_config ADD COLUMN failure_xpath TEXT;"
        "ALTER TABLE job_config ADD COLUMN login_form TEXT;"
        "ALTER TABLE job_config ADD COLUMN username_field TEXT;"
        "ALTER TABLE job_config ADD COLUMN password_field TEXT;"
        "ALTER TABLE job_config ADD COLUMN csrf_meta TEXT;"
        "ALTER TABLE job_config ADD COLUMN checkout_url TEXT;"
        "ALTER TABLE job_config ADD COLUMN flow TEXT;"
        "ALTER TABLE browser ADD COLUMN ca_file TEXT;"
        "ALTER TABLE browser ADD COLUMN resolve TEXT;";

/* A partner failure that follows a success is recorded as unconfirmed and
 * checked once more; status (result_last) moves only with confirmed
 * results, so one dropped request does not show a partner as down. */
static const char v5[] =
        "ALTER TABLE result ADD COLUMN unconfirmed INTEGER NOT NULL DEFAULT 0;"
        "DROP TRIGGER result_last_update;"
        "CREATE TRIGGER result_last_update AFTER INSERT ON result WHEN NOT NEW.unconfirmed BEGIN "
        "  INSERT INTO result_last (partner, browser, result_id, executed_at, outcome, details) "
        "    VALUES (NEW.partner, NEW.browser, NEW.id, NEW.executed_at, NEW.outcome, NEW.details) "
        "    ON CONFLICT (partner, browser) DO UPDATE SET result_id = excluded.result_id, "
        "      executed_at = excluded.executed_at, outcome = excluded.outcome, details = excluded.details "
        "    WHERE excluded.executed_at >= result_last.executed_at; "
        "END;";

/* A partner's page that redirects or posts a form to loopback, link-local,
 * private or multicast addresses the configuration does not name is refused
 * (pik-check's http-session.c): an outcome of its own, the partner's. */
static const char v6[] =
        "INSERT INTO outcome (name, kind, retried, description) VALUES"
        " ('address-refused', 'partner', 0, 'The partner''s site sent the check (a redirect or a form) to a "
        "loopback, link-local, private or multicast address that the configuration does not name.');";

/* Every check stands on its own: status keeps the latest confirmed result
 * of each configuration × browser (two checks of one partner never hide
 * each other), configurations get an optional short name, and the steps of
 * a check with their timings are kept next to its result. The partner ×
 * browser table goes: nothing reads it any more. */
static const char v7[] =
        "ALTER TABLE job_config ADD COLUMN name TEXT;"
        "CREATE UNIQUE INDEX job_config_name ON job_config(partner_id, name) WHERE name IS NOT NULL;"
        "CREATE INDEX result_check ON result(config_id, browser, executed_at, outcome);"
        "CREATE TABLE result_check_last ("
        "  config_id INTEGER NOT NULL,"
        "  browser TEXT NOT NULL,"
        "  result_id INTEGER NOT NULL,"
        "  executed_at INTEGER NOT NULL,"
        "  outcome TEXT NOT NULL,"
        "  details TEXT,"
        "  PRIMARY KEY (config_id, browser)) WITHOUT ROWID;"
        "INSERT INTO result_check_last (config_id, browser, result_id, executed_at, outcome, details) "
        "  SELECT config_id, browser, id, executed_at, outcome, details FROM result r "
        "  WHERE config_id IS NOT NULL AND NOT unconfirmed AND id = "
        "    (SELECT x.id FROM result x WHERE x.config_id = r.config_id AND x.browser = r.browser "
        "       AND NOT x.unconfirmed ORDER BY x.executed_at DESC, x.id DESC LIMIT 1);"
        "DROP TRIGGER result_last_update;"
        "DROP TABLE result_last;"
        "CREATE TRIGGER result_check_last_update AFTER INSERT ON result "
        "  WHEN NOT NEW.unconfirmed AND NEW.config_id IS NOT NULL BEGIN "
        "  INSERT INTO result_check_last (config_id, browser, result_id, executed_at, outcome, details) "
        "    VALUES (NEW.config_id, NEW.browser, NEW.id, NEW.executed_at, NEW.outcome, NEW.details) "
        "    ON CONFLICT (config_id, browser) DO UPDATE SET result_id = excluded.result_id, "
        "      executed_at = excluded.executed_at, outcome = excluded.outcome, details = excluded.details "
        "    WHERE excluded.executed_at >= result_check_last.executed_at; "
        "END;"
        /* A removed configuration's history stays in result; its status row goes. */
        "CREATE TRIGGER result_check_last_config_gone AFTER DELETE ON job_config BEGIN "
        "  DELETE FROM result_check_last WHERE config_id = OLD.id; "
        "END;"
        "CREATE TABLE result_step ("
        "  result_id INTEGER NOT NULL REFERENCES result(id) ON DELETE CASCADE,"
        "  position INTEGER NOT NULL,"
        "  name TEXT NOT NULL,"
        "  http_status INTEGER,"
        "  requests INTEGER NOT NULL DEFAULT 1,"
        "  dns_ms INTEGER, connect_ms INTEGER, tls_ms INTEGER, ttfb_ms INTEGER, total_ms INTEGER,"
        "  PRIMARY KEY (result_id, position)) WITHOUT ROWID;";

/* Alerts (alert.c): the streak of each check (configuration × browser),
 * its alerts with when they opened and closed, and one notification per
 * alert event and channel, delivered by pik-notify@<id>.service. An alert
 * without a configuration is a suspected infrastructure incident: one per
 * browser and outcome, never one per partner. */
static const char v8[] =
        "CREATE TABLE alert ("
        "  id INTEGER PRIMARY KEY,"
        "  config_id INTEGER,"
        "  partner TEXT,"
        "  browser TEXT NOT NULL,"
        "  kind TEXT NOT NULL CHECK (kind IN ('partner', 'infrastructure', 'configuration')),"
        "  outcome TEXT NOT NULL,"
        "  opened_at INTEGER NOT NULL,"
        "  closed_at INTEGER,"
        "  first_result_id INTEGER NOT NULL,"
        "  last_result_id INTEGER NOT NULL,"
        "  last_success_at INTEGER,"
        "  successes INTEGER NOT NULL DEFAULT 0,"
        "  notified_at INTEGER NOT NULL);"
        "CREATE UNIQUE INDEX alert_open_check ON alert(config_id, browser) "
        "  WHERE closed_at IS NULL AND config_id IS NOT NULL;"
        "CREATE UNIQUE INDEX alert_open_incident ON alert(browser, outcome) "
        "  WHERE closed_at IS NULL AND config_id IS NULL;"
        "CREATE INDEX alert_open ON alert(notified_at) WHERE closed_at IS NULL;"
        "CREATE TABLE alert_state ("
        "  config_id INTEGER NOT NULL REFERENCES job_config(id) ON DELETE CASCADE,"
        "  browser TEXT NOT NULL,"
        "  failures INTEGER NOT NULL DEFAULT 0,"
        "  successes INTEGER NOT NULL DEFAULT 0,"
        "  first_failure_id INTEGER,"
        "  last_success_at INTEGER,"
        "  alert_id INTEGER REFERENCES alert(id) ON DELETE SET NULL,"
        "  PRIMARY KEY (config_id, browser)) WITHOUT ROWID;"
        /* A removed configuration's open alert ends with it, quietly. */
        "CREATE TRIGGER alert_config_gone AFTER DELETE ON job_config BEGIN "
        "  UPDATE alert SET closed_at = CAST(strftime('%s', 'now') AS INTEGER) "
        "    WHERE config_id = OLD.id AND closed_at IS NULL; "
        "END;"
        "CREATE TABLE notification ("
        "  id INTEGER PRIMARY KEY,"
        "  alert_id INTEGER NOT NULL REFERENCES alert(id) ON DELETE CASCADE,"
        "  channel TEXT NOT NULL,"
        "  event TEXT NOT NULL CHECK (event IN ('firing', 'resolved', 'reminder')),"
        "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),"
        "  attempts INTEGER NOT NULL DEFAULT 0,"
        "  error TEXT,"
        "  created_at INTEGER NOT NULL,"
        "  started_at INTEGER,"
        "  sent_at INTEGER);"
        "CREATE INDEX notification_unstarted ON notification(id) WHERE started_at IS NULL;";

/* Holds with a reason and an end (job.c): a hold whose held_until has
 * passed reads as released, so nothing has to wake up to end it. The
 * global hold keeps its reason and end in setting rows next to "hold". */
static const char v9[] =
        "ALTER TABLE job_config ADD COLUMN held_reason TEXT;"
        "ALTER TABLE job_config ADD COLUMN held_until INTEGER;";

/* Named schedules (config-schedules.c): a configuration follows the
 * schedule of pik.conf named schedule_name, copied into schedule_type and
 * schedule by the scheduler when pik.conf changes it, unless its own
 * schedule overrides it (schedule_override). */
static const char v10[] =
        "ALTER TABLE job_config ADD COLUMN schedule_name TEXT;"
        "ALTER TABLE job_config ADD COLUMN schedule_override INTEGER NOT NULL DEFAULT 0;"
        "CREATE INDEX job_config_schedule_name ON job_config(schedule_name) WHERE schedule_name IS NOT NULL;";

/* Scheduled maintenance windows (maintenance.c): whether one is open is
 * computed from its cron expression and duration at the reader's now,
 * never stored. A window of everything has neither partner nor
 * configuration; one goes with the partner or configuration it covers. */
static const char v11[] =
        "CREATE TABLE maintenance_window ("
        /* AUTOINCREMENT: a removed window's id never names another. */
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  partner_id INTEGER REFERENCES partner(id) ON DELETE CASCADE,"
        "  config_id INTEGER REFERENCES job_config(id) ON DELETE CASCADE,"
        "  cron TEXT NOT NULL,"
        "  timezone TEXT NOT NULL,"
        "  duration INTEGER NOT NULL CHECK (duration > 0),"
        "  reason TEXT NOT NULL,"
        "  created_at INTEGER NOT NULL,"
        "  CHECK (partner_id IS NULL OR config_id IS NULL));";

/* The files a failed check kept as evidence, by name: the directory is
 * the execution's (evidence-store.h), and the files go with the result. */
static const char v12[] =
        "CREATE TABLE result_evidence ("
        "  result_id INTEGER NOT NULL REFERENCES result(id) ON DELETE CASCADE,"
        "  name TEXT NOT NULL,"
        "  PRIMARY KEY (result_id, name)) WITHOUT ROWID;";

/* History that lasts (prune.c, history.c): results older than
 * results.keep_days are folded into one row per UTC day and check
 * (configuration × browser) before they are deleted, kept
 * results.keep_daily_days. config_id 0 stands for results without a
 * configuration (recorded before checks had one). The percentiles are
 * nearest-rank over that day's durations, computed while the day's results
 * are still there: a day is always folded whole. */
static const char v13[] =
        "CREATE TABLE result_daily ("
        "  config_id INTEGER NOT NULL,"
        "  browser TEXT NOT NULL,"
        "  partner TEXT NOT NULL,"
        "  day INTEGER NOT NULL,"
        "  runs INTEGER NOT NULL,"
        "  successes INTEGER NOT NULL,"
        "  partner_failures INTEGER NOT NULL,"
        "  infrastructure_failures INTEGER NOT NULL,"
        "  configuration_failures INTEGER NOT NULL,"
        "  p50_ms INTEGER NOT NULL,"
        "  p95_ms INTEGER NOT NULL,"
        "  PRIMARY KEY (config_id, browser, partner, day)) WITHOUT ROWID;"
        "CREATE INDEX result_daily_day ON result_daily(day);"
        "CREATE INDEX result_daily_partner ON result_daily(partner, day);";

/* Whether a network-level failure is part of an incident asks, for every
 * partner failure, how many partners failed that way in one browser over
 * the last incident.window: with result_executed alone that walks every
 * result of the window (100,000 at 50,000 checks every 5 minutes). This
 * index answers it from the matching rows only, without the table. */
static const char v14[] =
        "CREATE INDEX result_incident ON result(outcome, browser, executed_at, partner);";

/* Flapping (alert.c): the last results' up/down bits per check, when an
 * alert went flapping, and a notification event to say so; SQLite cannot
 * change a CHECK constraint, so the notification table is built anew. */
static const char v15[] =
        "ALTER TABLE alert ADD COLUMN flapping_since INTEGER;"
        "ALTER TABLE alert_state ADD COLUMN recent INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE alert_state ADD COLUMN recent_n INTEGER NOT NULL DEFAULT 0;"
        "CREATE TABLE notification_v15 ("
        "  id INTEGER PRIMARY KEY,"
        "  alert_id INTEGER NOT NULL REFERENCES alert(id) ON DELETE CASCADE,"
        "  channel TEXT NOT NULL,"
        "  event TEXT NOT NULL CHECK (event IN ('firing', 'resolved', 'reminder', 'flapping')),"
        "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),"
        "  attempts INTEGER NOT NULL DEFAULT 0,"
        "  error TEXT,"
        "  created_at INTEGER NOT NULL,"
        "  started_at INTEGER,"
        "  sent_at INTEGER);"
        "INSERT INTO notification_v15 (id, alert_id, channel, event, state, attempts, error, created_at, "
        "  started_at, sent_at) "
        "SELECT id, alert_id, channel, event, state, attempts, error, created_at, started_at, sent_at "
        "FROM notification;"
        "DROP TABLE notification;"
        "ALTER TABLE notification_v15 RENAME TO notification;"
        "CREATE INDEX notification_unstarted ON notification(id) WHERE started_at IS NULL;";

const char *const pik_migrations[] = {
        v1,
        v2,
        v3,
        v4,
        v5,
        v6,
        v7,
        v8,
        v9,
        v10,
        v11,
        v12,
        v13,
        v14,
        v15,
};

const size_t pik_migrations_count = ELEMENTSOF(pik_migrations);
