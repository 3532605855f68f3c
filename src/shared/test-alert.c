/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Alert state per check: ok → failing → ok with fail_after and
 * recover_after, unconfirmed failures ignored, infrastructure failures as
 * one incident alert, routing of notifications by kind and partner,
 * reminders, and the notification rows pik-notify works from. */

#include "alert.h"
#include "browser.h"
#include "jobconfig.h"
#include "notification.h"
#include "partner.h"
#include "result.h"
#include "string-util.h"
#include "test-helpers.h"

static PikDb *db;
static PikConfig *cfg;
static int64_t acme, globex, initech;   /* configuration ids */

#define q(...) test_query_int64(db, __VA_ARGS__)

static const int64_t T0 = 1780000000;

/* A check's result, the way pikd records it: an execution, then its report. */
static PikResultRecorded report(int64_t config_id, const char *partner, const char *browser, const char *outcome,
                                int64_t now) {
        PikResultReport rep = PIK_RESULT_REPORT_INIT;
        PikResultRecorded rec = {};
        _cleanup_free_ char *sql = NULL;

        ASSERT_TRUE(asprintf(&sql, "INSERT INTO execution (config_id, partner, browser, key, state, created_at) "
                                   "VALUES (%lld, '%s', '%s', 'k', 'started', %lld)",
                             (long long) config_id, partner, browser, (long long) now) > 0);
        ASSERT_OK(pik_db_exec(db, sql));
        rep.execution_id = sqlite3_last_insert_rowid(pik_db_handle(db));
        rep.outcome = outcome;
        rep.duration_ms = 800;
        rep.details = "from the test";
        ASSERT_OK(pik_result_record(db, cfg, &rep, now, &rec));
        return rec;
}

static void add_channel(const char *name, PikChannelType type, const char *target, unsigned kinds,
                        const char *partner) {
        PikChannel *ch;

        cfg->channels = reallocarray(cfg->channels, cfg->n_channels + 1, sizeof(PikChannel));
        ASSERT_TRUE(cfg->channels);
        ch = &cfg->channels[cfg->n_channels++];
        *ch = (PikChannel) { .name = strdup(name), .type = type, .target = strdup(target), .kinds = kinds };
        if (partner) {
                ch->partners = calloc(2, sizeof(char *));
                ASSERT_TRUE(ch->partners);
                ch->partners[0] = strdup(partner);
        }
}

static void setup(void) {
        static char *ff[] = { (char *) "ff", NULL };
        const char *codes[] = { "acme", "globex", "initech" };
        int64_t *ids[] = { &acme, &globex, &initech };

        ASSERT_OK(pik_browser_add(db, &(PikBrowserSpec) { .name = "ff", .engine = "http" }, 0));
        for (size_t i = 0; i < 3; i++) {
                PikJobConfigSpec spec = {
                        .partner = codes[i], .name = "sso-login", .browsers = ff,
                        .entry_url = "https://partner.test/", .schedule_type = SCHEDULE_INTERVAL,
                        .schedule = "5m", .wait_sec = -1,
                };
                ASSERT_OK(pik_partner_add(db, codes[i], codes[i], 0));
                ASSERT_OK(pik_jobconfig_add(db, &spec, "UTC", 0, ids[i]));
        }
        /* ops: everything; acme-only: acme's partner failures; infra: incidents. */
        add_channel("ops", PIK_CHANNEL_MAIL, "ops@example.com", 0, NULL);
        add_channel("acme-only", PIK_CHANNEL_WEBHOOK, "http://127.0.0.1:1/", 1u << OUTCOME_KIND_PARTNER, "acme");
        add_channel("infra", PIK_CHANNEL_COMMAND, "/bin/true", 1u << OUTCOME_KIND_INFRASTRUCTURE, NULL);
}

static void test_routing(void) {
        const PikChannel *ops = &cfg->channels[0], *acme_only = &cfg->channels[1], *infra = &cfg->channels[2];

        ASSERT_TRUE(pik_channel_routes(ops, OUTCOME_KIND_PARTNER, "globex"));
        ASSERT_TRUE(pik_channel_routes(ops, OUTCOME_KIND_INFRASTRUCTURE, NULL));
        ASSERT_TRUE(pik_channel_routes(acme_only, OUTCOME_KIND_PARTNER, "acme"));
        ASSERT_TRUE(!pik_channel_routes(acme_only, OUTCOME_KIND_PARTNER, "globex"));
        ASSERT_TRUE(!pik_channel_routes(acme_only, OUTCOME_KIND_CONFIGURATION, "acme"));
        /* An incident has no partner: a channel for some partners does not get it. */
        ASSERT_TRUE(!pik_channel_routes(acme_only, OUTCOME_KIND_PARTNER, NULL));
        ASSERT_TRUE(pik_channel_routes(infra, OUTCOME_KIND_INFRASTRUCTURE, NULL));
        ASSERT_TRUE(!pik_channel_routes(infra, OUTCOME_KIND_PARTNER, "acme"));
}

static void test_open_and_close(void) {
        PikResultRecorded rec;
        int64_t first, alert;

        /* ok, then one failure: below fail_after (2), no alert. */
        rec = report(acme, "acme", "ff", "success", T0);
        ASSERT_EQ(rec.notifications, 0);
        first = report(acme, "acme", "ff", "login-rejected", T0 + 300).result_id;
        ASSERT_EQ(q("SELECT count(*) FROM alert"), 0);
        ASSERT_EQ(q("SELECT failures FROM alert_state WHERE config_id = %lld", (long long) acme), 1);

        /* The second in a row opens it: firing to ops and acme-only, not infra. */
        rec = report(acme, "acme", "ff", "login-rejected", T0 + 600);
        ASSERT_EQ(rec.notifications, 2);
        ASSERT_EQ(q("SELECT count(*) FROM alert WHERE closed_at IS NULL"), 1);
        alert = q("SELECT id FROM alert");
        ASSERT_EQ(q("SELECT first_result_id FROM alert"), first);
        ASSERT_EQ(q("SELECT last_result_id FROM alert"), rec.result_id);
        ASSERT_EQ(q("SELECT last_success_at FROM alert"), T0);
        ASSERT_EQ(q("SELECT opened_at FROM alert"), T0 + 600);
        ASSERT_EQ(q("SELECT count(*) FROM alert WHERE kind = 'partner' AND outcome = 'login-rejected' "
                    "AND partner = 'acme' AND browser = 'ff'"), 1);
        ASSERT_EQ(q("SELECT count(*) FROM notification WHERE event = 'firing' AND state = 'pending' "
                    "AND channel IN ('ops', 'acme-only')"), 2);

        /* Still failing: no new alert, no new notification, the alert follows. */
        rec = report(acme, "acme", "ff", "login-rejected", T0 + 900);
        ASSERT_EQ(rec.notifications, 0);
        ASSERT_EQ(q("SELECT count(*) FROM alert"), 1);
        ASSERT_EQ(q("SELECT last_result_id FROM alert"), rec.result_id);

        /* recover_after = 2: one success is not enough, a failure restarts the count. */
        cfg->alerts.recover_after = 2;
        ASSERT_EQ(report(acme, "acme", "ff", "success", T0 + 1200).notifications, 0);
        ASSERT_EQ(report(acme, "acme", "ff", "login-rejected", T0 + 1500).notifications, 0);
        ASSERT_EQ(report(acme, "acme", "ff", "success", T0 + 1800).notifications, 0);
        ASSERT_EQ(q("SELECT count(*) FROM alert WHERE closed_at IS NULL"), 1);
        rec = report(acme, "acme", "ff", "success", T0 + 2100);
        ASSERT_EQ(rec.notifications, 2);
        ASSERT_EQ(q("SELECT closed_at FROM alert WHERE id = %lld", (long long) alert), T0 + 2100);
        ASSERT_EQ(q("SELECT count(*) FROM notification WHERE event = 'resolved'"), 2);
        ASSERT_EQ(q("SELECT count(*) FROM alert_state WHERE alert_id IS NOT NULL"), 0);
        cfg->alerts.recover_after = 1;

        /* A fresh failure streak opens a new alert, of the configuration kind. */
        report(acme, "acme", "ff", "invalid-config", T0 + 2400);
        rec = report(acme, "acme", "ff", "invalid-config", T0 + 2700);
        /* ops takes every kind; acme-only only partner failures. */
        ASSERT_EQ(rec.notifications, 1);
        ASSERT_EQ(q("SELECT count(*) FROM alert WHERE closed_at IS NULL AND kind = 'configuration'"), 1);
        ASSERT_EQ(report(acme, "acme", "ff", "success", T0 + 3000).notifications, 1);
        ASSERT_EQ(q("SELECT count(*) FROM alert WHERE closed_at IS NULL"), 0);
}

static void test_unconfirmed_ignored(void) {
        PikOutcome o = { .name = "login-rejected", .kind = OUTCOME_KIND_PARTNER };
        PikAlertInput in = {
                .result_id = 1, .config_id = globex, .partner = "globex", .browser = "ff", .outcome = &o,
                .unconfirmed = true,
        };
        _cleanup_free_ char *before = test_db_dump(db), *after = NULL;

        /* Unconfirmed failures, however many, change nothing. */
        for (int i = 0; i < 5; i++)
                ASSERT_EQ(pik_alert_record_result(db, cfg, &in, T0 + i), 0);
        after = test_db_dump(db);
        ASSERT_STREQ(before, after);

        /* Nor do results without a configuration. */
        in.unconfirmed = false;
        in.config_id = 0;
        ASSERT_EQ(pik_alert_record_result(db, cfg, &in, T0), 0);
        free(after);
        after = test_db_dump(db);
        ASSERT_STREQ(before, after);
}

static void test_infrastructure_incident(void) {
        PikResultRecorded rec;
        int64_t infra_alerts;


        /* Infrastructure failures with retries spent: one alert for the
         * browser × outcome, whichever partners it hits, to ops and infra. */
        ASSERT_OK(pik_db_exec(db, "DELETE FROM notification"));
        cfg->retry.max_attempts = 1;
        rec = report(globex, "globex", "ff", "egress-down", T0 + 4000);
        ASSERT_TRUE(!rec.retry_scheduled);
        ASSERT_EQ(rec.notifications, 2);
        ASSERT_EQ(report(initech, "initech", "ff", "egress-down", T0 + 4010).notifications, 0);
        ASSERT_EQ(report(acme, "acme", "ff", "egress-down", T0 + 4020).notifications, 0);
        infra_alerts = q("SELECT count(*) FROM alert WHERE config_id IS NULL AND kind = 'infrastructure' "
                         "AND outcome = 'egress-down' AND browser = 'ff' AND closed_at IS NULL");
        ASSERT_EQ(infra_alerts, 1);
        /* They do not count against the checks. */
        ASSERT_EQ(q("SELECT count(*) FROM alert WHERE config_id IS NOT NULL AND closed_at IS NULL"), 0);
        ASSERT_EQ(q("SELECT coalesce(sum(failures), 0) FROM alert_state"), 0);

        /* Network-level partner failures across more than incident.partners
         * partners: the incident's alert, not one per partner. */
        cfg->incident.partners = 1;
        report(globex, "globex", "ff", "partner-timeout", T0 + 4100);
        report(initech, "initech", "ff", "partner-timeout", T0 + 4110);
        report(globex, "globex", "ff", "partner-timeout", T0 + 4120);
        report(initech, "initech", "ff", "partner-timeout", T0 + 4130);
        ASSERT_EQ(q("SELECT count(*) FROM alert WHERE config_id IS NULL AND outcome = 'partner-timeout' "
                    "AND closed_at IS NULL"), 1);
        ASSERT_EQ(q("SELECT count(*) FROM alert WHERE config_id IS NOT NULL AND closed_at IS NULL"), 0);

        /* A success in the browser ends the infrastructure incident; the
         * partners' incident lasts while they still fail that way within
         * incident.window, however often another partner succeeds. */
        rec = report(acme, "acme", "ff", "success", T0 + 4200);
        ASSERT_EQ(rec.notifications, 2);
        ASSERT_EQ(report(acme, "acme", "ff", "success", T0 + 4210).notifications, 0);
        ASSERT_EQ(q("SELECT count(*) FROM alert WHERE closed_at IS NULL AND outcome = 'partner-timeout'"), 1);
        rec = report(acme, "acme", "ff", "success", T0 + 4130 + (int64_t) cfg->incident.window_sec);
        ASSERT_EQ(rec.notifications, 2);
        ASSERT_EQ(q("SELECT count(*) FROM alert WHERE closed_at IS NULL"), 0);
        ASSERT_EQ(q("SELECT count(*) FROM notification WHERE event = 'resolved' AND channel = 'infra'"), 2);
        ASSERT_EQ(q("SELECT count(*) FROM alert WHERE config_id IS NULL"), 2);
        cfg->incident.partners = 3;
        cfg->retry.max_attempts = 3;

        /* An infrastructure failure that will be retried opens nothing. */
        {
                PikOutcome o = { .name = "webdriver-session-failed", .kind = OUTCOME_KIND_INFRASTRUCTURE };
                PikAlertInput in = {
                        .result_id = 1, .config_id = globex, .partner = "globex", .browser = "ff", .outcome = &o,
                        .retry_scheduled = true,
                };
                _cleanup_free_ char *before = test_db_dump(db), *after = NULL;

                ASSERT_EQ(pik_alert_record_result(db, cfg, &in, T0 + 4300), 0);
                after = test_db_dump(db);
                ASSERT_STREQ(before, after);
        }
}

static void test_reminders_and_delivery(void) {
        _cleanup_free_ int64_t *ids = NULL;
        _cleanup_json_ json_object *n = NULL, *list = NULL, *alerts = NULL;
        json_object *v, *a;
        size_t count = 0;
        int64_t id;

        ASSERT_OK(pik_db_exec(db, "DELETE FROM notification"));
        cfg->alerts.remind_every_sec = 3600;
        /* globex's partner-timeouts before the incident was recognised
         * counted: a success ends that streak. */
        report(globex, "globex", "ff", "success", T0 + 4900);
        report(globex, "globex", "ff", "http-5xx", T0 + 5000);
        report(globex, "globex", "ff", "http-5xx", T0 + 5300);
        ASSERT_EQ(q("SELECT count(*) FROM notification WHERE event = 'firing'"), 1);

        /* Not yet due; due an hour after the firing; then an hour later again. */
        ASSERT_EQ(pik_alert_remind(db, cfg, T0 + 5300 + 3599), 0);
        ASSERT_EQ(pik_alert_remind(db, cfg, T0 + 5300 + 3600), 1);
        ASSERT_EQ(pik_alert_remind(db, cfg, T0 + 5300 + 3601), 0);
        ASSERT_EQ(pik_alert_remind(db, cfg, T0 + 5300 + 7200), 1);
        ASSERT_EQ(q("SELECT count(*) FROM notification WHERE event = 'reminder' AND channel = 'ops'"), 2);
        cfg->alerts.remind_every_sec = 0;
        ASSERT_EQ(pik_alert_remind(db, cfg, T0 + 5300 + 99999), 0);

        /* Each pending notification is claimed once. */
        ASSERT_OK(pik_notification_claim(db, T0 + 5400, 0, &ids, &count));
        ASSERT_EQ(count, 3);
        free(ids);
        ids = NULL;
        ASSERT_OK(pik_notification_claim(db, T0 + 5401, 0, &ids, &count));
        ASSERT_EQ(count, 0);

        /* What pik-notify gets. */
        id = q("SELECT min(id) FROM notification");
        ASSERT_OK(pik_notification_get(db, cfg, id, &n));
        ASSERT_TRUE(json_object_object_get_ex(n, "event", &v));
        ASSERT_STREQ(json_object_get_string(v), "firing");
        ASSERT_TRUE(json_object_object_get_ex(n, "channel", &v));
        ASSERT_TRUE(json_object_object_get_ex(v, "to", &v));
        ASSERT_STREQ(json_object_get_string(v), "ops@example.com");
        ASSERT_TRUE(json_object_object_get_ex(n, "alert", &a));
        ASSERT_TRUE(json_object_object_get_ex(a, "config_name", &v));
        ASSERT_STREQ(json_object_get_string(v), "sso-login");
        ASSERT_TRUE(json_object_object_get_ex(a, "description", &v));
        ASSERT_TRUE(strstr(json_object_get_string(v), "server error"));
        ASSERT_TRUE(json_object_object_get_ex(a, "opened_at", &v));
        ASSERT_TRUE(json_object_object_get_ex(n, "result", &v));
        ASSERT_TRUE(json_object_object_get_ex(v, "details", &v));
        ASSERT_STREQ(json_object_get_string(v), "from the test");
        ASSERT_TRUE(json_object_object_get_ex(n, "more", &v));
        ASSERT_TRUE(startswith(json_object_get_string(v), "pikctl result show "));
        ASSERT_ERR(pik_notification_get(db, cfg, 9999, &list), ENOENT);
        ASSERT_TRUE(strstr(pik_db_error(db), "9999"));

        /* Delivery: failed with its error, retried, then sent; a late
         * failure does not undo it. */
        ASSERT_OK(pik_notification_done(db, id, false, "sendmail exited with status 75\n", T0 + 5500));
        ASSERT_EQ(q("SELECT count(*) FROM notification WHERE id = %lld AND state = 'failed' AND attempts = 1 "
                    "AND error = 'sendmail exited with status 75 '", (long long) id), 1);
        ASSERT_OK(pik_notification_done(db, id, true, NULL, T0 + 5600));
        ASSERT_OK(pik_notification_done(db, id, false, "late", T0 + 5700));
        ASSERT_EQ(q("SELECT count(*) FROM notification WHERE id = %lld AND state = 'sent' AND attempts = 3 "
                    "AND sent_at = %lld", (long long) id, (long long) (T0 + 5600)), 1);
        ASSERT_ERR(pik_notification_done(db, id, false, "", T0), EINVAL);
        ASSERT_ERR(pik_notification_done(db, 9999, true, NULL, T0), ENOENT);

        ASSERT_OK(pik_notification_list(db, &list));
        ASSERT_EQ(json_object_array_length(list), 3);
        ASSERT_OK(pik_alert_list(db, false, &alerts));
        ASSERT_EQ(json_object_array_length(alerts), 1);
        json_object_put(alerts);
        ASSERT_OK(pik_alert_list(db, true, &alerts));
        ASSERT_TRUE(json_object_array_length(alerts) > 1);

        /* A channel removed from pik.conf: the notification names it. */
        free(cfg->channels[0].name);
        cfg->channels[0].name = strdup("renamed");
        ASSERT_ERR(pik_notification_get(db, cfg, id, &list), ENOENT);
        ASSERT_TRUE(strstr(pik_db_error(db), "'ops'"));
}

/* Up and down too often: said once, then quiet until it settles. */
static void test_flapping(void) {
        int64_t t = T0 + 100000, alert;
        unsigned n = 0;

        ASSERT_EQ(cfg->alerts.flap_window, 20);
        ASSERT_EQ(cfg->alerts.flap_changes, 6);
#define R(outcome) report(initech, "initech", "ff", (outcome), t += 300).notifications
        /* F S F S F S F: six changes, not more; no two failures in a row, no alert. */
        for (int i = 0; i < 3; i++) {
                n += R("login-rejected");
                n += R("success");
        }
        n += R("login-rejected");
        ASSERT_EQ(n, 0);
        ASSERT_EQ(q("SELECT count(*) FROM alert WHERE partner = 'initech'"), 0);
        /* The eighth change, at a failure: an alert opens to say it flaps, once. */
        ASSERT_EQ(R("success"), 0);
        ASSERT_EQ(R("login-rejected"), 1);
        alert = q("SELECT id FROM alert WHERE partner = 'initech' AND closed_at IS NULL");
        ASSERT_TRUE(alert > 0);
        ASSERT_EQ(q("SELECT flapping_since FROM alert WHERE id = %lld", (long long) alert), t);
        ASSERT_EQ(q("SELECT count(*) FROM notification WHERE alert_id = %lld AND event = 'flapping'",
                    (long long) alert), 1);

        /* Still up and down: nothing, not even a closing or a reminder. */
        for (int i = 0; i < 3; i++) {
                ASSERT_EQ(R("success"), 0);
                ASSERT_EQ(R("login-rejected"), 0);
        }
        ASSERT_EQ(q("SELECT closed_at IS NULL FROM alert WHERE id = %lld", (long long) alert), 1);
        ASSERT_EQ(pik_alert_remind(db, cfg, t + 30 * 86400), 0);

        /* Steadily down: once the changes are at half, it is DOWN, said once. */
        n = 0;
        for (int i = 0; i < 30; i++)
                n += R("login-rejected");
        ASSERT_EQ(n, 1);
        ASSERT_TRUE(q("SELECT flapping_since IS NULL FROM alert WHERE id = %lld", (long long) alert));
        ASSERT_EQ(q("SELECT count(*) FROM notification WHERE alert_id = %lld AND event = 'firing'", (long long) alert),
                  1);
        /* Then as usual: back up closes it. */
        ASSERT_EQ(R("success"), 1);
        ASSERT_EQ(q("SELECT count(*) FROM notification WHERE alert_id = %lld", (long long) alert), 3);
        ASSERT_TRUE(q("SELECT closed_at IS NOT NULL FROM alert WHERE id = %lld", (long long) alert));

        /* flap_window 0: never said to flap; an alternating check opens nothing. */
        cfg->alerts.flap_window = 0;
        n = 0;
        for (int i = 0; i < 12; i++) {
                n += R("login-rejected");
                n += R("success");
        }
        ASSERT_EQ(n, 0);
        ASSERT_EQ(q("SELECT count(*) FROM alert WHERE partner = 'initech' AND closed_at IS NULL"), 0);
        cfg->alerts.flap_window = 20;
#undef R
}

int main(void) {
        char *dir = NULL;

        db = test_db_new(&dir);
        cfg = test_config_new();
        cfg->retry.confirm_after_sec = 0;
        setup();

        test_routing();
        test_open_and_close();
        test_unconfirmed_ignored();
        test_infrastructure_incident();
        test_reminders_and_delivery();
        test_flapping();

        pik_config_free(cfg);
        pik_db_close(db);
        test_tmpdir_cleanup(dir);
        return 0;
}
