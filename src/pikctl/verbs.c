/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "browser.h"
#include "bus-util.h"
#include "execution.h"
#include "job.h"
#include "jobconfig.h"
#include "jobconfig-options.h"
#include "outcome.h"
#include "partner.h"
#include "result.h"
#include "status.h"
#include "string-util.h"
#include "time-util.h"
#include "validate.h"
#include "verbs.h"

/* Every verb calls one library function and shows what it returns. On
 * failure the reason is in pik_db_error() (set by the library, or here for
 * the command line's own mistakes) and main reports it once. */

int fail(Context *c, int r, const char *fmt, ...) {
        va_list ap;

        free(c->error);
        va_start(ap, fmt);
        if (vasprintf(&c->error, fmt, ap) < 0)
                c->error = NULL;
        va_end(ap);
        return r;
}

/* Over the bus: call one of pikd's methods (docs/DBUS.md). pikd's error
 * message is the library's own, so the operator reads the same words as
 * offline. */
static int bus_callv(Context *c, const char *method, sd_bus_message **reply, const char *types, va_list ap) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_methodv(c->bus, PIK_BUS_NAME, PIK_BUS_PATH, PIK_BUS_INTERFACE, method, &error, reply, types, ap);
        if (r < 0) {
                /* pikd did not start or did not answer: its journal says
                 * why (a pik.conf it refuses, among others). */
                if (sd_bus_error_has_names(&error, SD_BUS_ERROR_NO_REPLY, SD_BUS_ERROR_TIMEOUT,
                                           SD_BUS_ERROR_SERVICE_UNKNOWN, "org.freedesktop.DBus.Error.Spawn.ChildExited",
                                           "org.freedesktop.DBus.Error.Spawn.Failed", "org.freedesktop.systemd1.UnitFailed"))
                        return fail(c, -EIO, "pikd did not answer %s: %s (see journalctl -u pikd)", method,
                                    error.message ?: error.name);
                if (sd_bus_error_is_set(&error))
                        return fail(c, bus_error_to_errno(&error), "%s", error.message ?: error.name);
                return fail(c, r, "Failed to call %s on pikd: %s", method, strerror(-r));
        }
        return 0;
}

int bus_call(Context *c, const char *method, sd_bus_message **reply, const char *types, ...) {
        va_list ap;
        int r;

        va_start(ap, types);
        r = bus_callv(c, method, reply, types, ap);
        va_end(ap);
        return r;
}

int bus_call_json(Context *c, const char *method, json_object **ret, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *json;
        va_list ap;
        int r;

        va_start(ap, types);
        r = bus_callv(c, method, &reply, types, ap);
        va_end(ap);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "s", &json);
        if (r < 0)
                return fail(c, r, "Failed to read pikd's reply to %s: %s", method, strerror(-r));
        *ret = json_tokener_parse(json);
        if (!*ret)
                return fail(c, -EBADMSG, "pikd's reply to %s is not JSON", method);
        return 0;
}

int parse_id(Context *c, const char *s, int64_t *ret) {
        char *e;
        long long v;

        errno = 0;
        v = strtoll(s, &e, 10);
        if (errno != 0 || e == s || *e || v <= 0)
                return fail(c, -EINVAL, "Invalid id '%s': expected a positive number.", SNIPPET(s));
        *ret = v;
        return 0;
}

static int parse_limit(Context *c, const char *s, size_t def, size_t *ret) {
        int64_t v;

        if (!s) {
                *ret = def;
                return 0;
        }
        /* The same cap as pikd's, so offline and over the bus agree. */
        if (parse_id(c, s, &v) < 0 || v > 10000)
                return fail(c, -EINVAL, "Invalid --limit '%s': expected 1..10000.", SNIPPET(s));
        *ret = (size_t) v;
        return 0;
}

int say_done(Context *c, const char *fmt, ...) {
        va_list ap;

        /* Changes print one confirmation line; with --json, an object. */
        va_start(ap, fmt);
        if (c->out.json) {
                _cleanup_free_ char *m = NULL;
                _cleanup_json_ json_object *o = NULL;

                if (vasprintf(&m, fmt, ap) < 0) {
                        va_end(ap);
                        return -ENOMEM;
                }
                o = json_object_new_object();
                if (!o || json_object_object_add(o, "ok", json_object_new_boolean(true)) < 0 ||
                    json_object_object_add(o, "message", json_object_new_string(m)) < 0) {
                        va_end(ap);
                        return -ENOMEM;
                }
                output_json(&c->out, o);
        } else {
                vfprintf(c->out.f, fmt, ap);
                fputc('\n', c->out.f);
        }
        va_end(ap);
        return 0;
}

/* ---- status ---- */

static const Column status_columns[] = {
        { "partner", "PARTNER", COLUMN_TEXT, NULL },
        { "check", "CHECK", COLUMN_TEXT, NULL },
        { "browser", "BROWSER", COLUMN_TEXT, NULL },
        { "state", "STATE", COLUMN_TEXT, NULL },
        { "outcome", "LAST OUTCOME", COLUMN_TEXT, "kind" },
        { "kind", "KIND", COLUMN_KIND, "kind" },
        { "age_sec", "AGE", COLUMN_AGE, NULL },
        { "success_ratio_24h", "24H OK", COLUMN_RATIO, NULL },
        { "results_24h", "24H RUNS", COLUMN_TEXT, NULL },
};

typedef struct StatusPrinter {
        Context *c;
        size_t widths[ELEMENTSOF(status_columns)];
        size_t n;
} StatusPrinter;

/* One table row from a status row, whether it came from the database or
 * from pikd's JSON: the same cells either way. A newer partner failure
 * waiting for its re-check is shown in the outcome cell, next to the last
 * confirmed outcome it may yet replace. */
static void print_status_cells(StatusPrinter *p, const PikStatusRow *row, int64_t now) {
        char check[PIK_CHECK_LABEL_MAX], age[FORMAT_AGE_MAX] = "-", ratio[16] = "-", runs[24], outcome[160];
        const char *kind = row->outcome ? row->kind ?: "-" : "-";

        if (row->unconfirmed) {
                char in[FORMAT_AGE_MAX];

                if (row->recheck_at > now)
                        snprintf(outcome, sizeof outcome, "%s (unconfirmed, re-check in %s)", row->unconfirmed,
                                 format_age(in, row->recheck_at - now));
                else
                        snprintf(outcome, sizeof outcome, "%s (unconfirmed, re-check due)", row->unconfirmed);
        } else if (row->enabled && row->held) {
                char until[FORMAT_TIMESTAMP_MAX];

                /* What a held row waits for matters more than its last outcome. */
                snprintf(outcome, sizeof outcome, "held%s%s%s%s", row->held_until > 0 ? " until " : "",
                         row->held_until > 0 ? format_timestamp(until, row->held_until) : "",
                         row->held_reason ? ", " : "", row->held_reason ?: "");
        } else if (row->enabled && row->maintenance_until > 0) {
                char until[FORMAT_TIMESTAMP_MAX];

                snprintf(outcome, sizeof outcome, "maintenance until %s", format_timestamp(until, row->maintenance_until));
        } else
                snprintf(outcome, sizeof outcome, "%s", row->outcome ?: "-");
        if (row->outcome)
                format_age(age, now - row->executed_at);
        if (row->results_24h > 0)
                snprintf(ratio, sizeof ratio, "%.1f%%", 100.0 * (double) row->success_24h / (double) row->results_24h);
        snprintf(runs, sizeof runs, "%lld", (long long) row->results_24h);

        const char *cells[ELEMENTSOF(status_columns)] = {
                row->partner, pik_status_check_label(check, row->config_id, row->name), row->browser,
                pik_status_row_state(row), outcome, kind, age, ratio, runs,
        };
        if (p->n == 0)
                output_table_header(&p->c->out, status_columns, ELEMENTSOF(status_columns), p->widths);
        /* A check that does not run is not coloured as failing. */
        output_table_cells(&p->c->out, cells,
                           row->outcome && row->enabled && !row->held && row->maintenance_until == 0 ? row->kind : NULL,
                           status_columns, ELEMENTSOF(status_columns), p->widths);
        p->n++;
}

/* Offline, rows go to stdout as they come from the database: a status of
 * 50,000 checks must not be built up in memory first. */
static int print_status_row(const PikStatusRow *row, int64_t now, void *userdata) {
        StatusPrinter *p = userdata;

        if (p->c->out.json) {
                _cleanup_json_ json_object *o = NULL;
                int r = pik_status_row_to_json(row, now, &o);
                if (r < 0)
                        return r;
                fprintf(p->c->out.f, "%s%s", p->n > 0 ? ",\n    " : "\n    ",
                        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
                p->n++;
        } else
                print_status_cells(p, row, now);
        return 0;
}

static const char *json_str(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
                ? json_object_get_string(v) : NULL;
}

static int64_t json_int(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static int64_t json_time(json_object *o, const char *key) {
        const char *t = json_str(o, key);
        int64_t v;
        return t && parse_timestamp(t, &v) >= 0 ? v : 0;
}

/* pikd's rows back into the library's, for print_status_cells(). */
static void status_row_from_json(json_object *o, PikStatusRow *ret) {
        *ret = (PikStatusRow) {
                .config_id = json_int(o, "config_id"),
                .name = json_str(o, "name"),
                .partner = json_str(o, "partner") ?: "?",
                .browser = json_str(o, "browser") ?: "?",
                .enabled = json_int(o, "enabled"),
                .disabled_by = json_str(o, "disabled_by"),
                .disabled_reason = json_str(o, "disabled_reason"),
                .held = json_int(o, "held"),
                .held_reason = json_str(o, "held_reason"),
                .held_until = json_time(o, "held_until"),
                .maintenance_until = json_time(o, "maintenance_until"),
                .outcome = json_str(o, "outcome"),
                .kind = json_str(o, "kind"),
                .result_id = json_int(o, "result_id"),
                .executed_at = json_time(o, "executed_at"),
                .details = json_str(o, "details"),
                .unconfirmed = json_str(o, "unconfirmed"),
                .unconfirmed_at = json_time(o, "unconfirmed_at"),
                .recheck_at = json_time(o, "recheck_at"),
                .partner_kind = json_str(o, "partner_kind"),
                .results_24h = json_int(o, "results_24h"),
                .success_24h = json_int(o, "success_24h"),
        };
}

/* Above the table: what concerns every row. */
static void print_status_banners(Context *c, bool held, const char *reason, const char *until, bool canary,
                                 json_object *incidents) {
        if (held)
                fprintf(c->out.f, "All checks are held%s%s%s%s (pikctl release to resume).\n",
                        until ? " until " : "", until ?: "", reason ? ", " : "", reason ?: "");
        /* Without the control probe a failure of our own resolver or egress
         * looks like the partner's: say so where the verdicts are read. */
        if (!canary)
                fprintf(c->out.f, "No canary is configured: network failures are judged on the partners' answers "
                        "alone (see canary in pik.conf(5)).\n");
        for (size_t i = 0; incidents && i < json_object_array_length(incidents); i++) {
                json_object *inc = json_object_array_get_idx(incidents, i), *b, *o, *n, *since;

                if (!json_object_object_get_ex(inc, "browser", &b) || !json_object_object_get_ex(inc, "outcome", &o) ||
                    !json_object_object_get_ex(inc, "partners", &n) || !json_object_object_get_ex(inc, "since_at", &since))
                        continue;
                fprintf(c->out.f, "%sSuspected infrastructure incident:%s %d partners with %s in %s since %s — "
                        "more likely ours than theirs.\n",
                        c->out.color ? "\033[1;33m" : "", c->out.color ? "\033[0m" : "",
                        json_object_get_int(n), json_object_get_string(o), json_object_get_string(b),
                        json_object_get_string(since));
        }
        fputc('\n', c->out.f);
}

static int status_offline(Context *c) {
        _cleanup_json_ json_object *incidents = NULL;
        StatusPrinter p = { .c = c };
        _cleanup_(pik_hold_done) PikHold hold = {};
        char buf[FORMAT_TIMESTAMP_MAX], until[FORMAT_TIMESTAMP_MAX];
        int r;

        r = pik_job_get_hold(c->db, 0, c->now, &hold);
        if (r < 0)
                return r;
        r = pik_status_widths(c->db, &p.widths[0], &p.widths[1], &p.widths[2]);
        if (r < 0)
                return r;
        p.widths[3] = STRLEN("unconfirmed");
        p.widths[4] = STRLEN("webdriver-session-failed");   /* the longest outcome name */
        output_table_widths(status_columns, ELEMENTSOF(status_columns), p.widths);

        r = pik_status_incidents(c->db, c->cfg, c->now, &incidents);
        if (r < 0)
                return r;

        if (c->out.json) {
                _cleanup_json_ json_object *reason = hold.reason ? json_object_new_string(hold.reason) : NULL;

                fprintf(c->out.f, "{\n  \"now\": \"%s\",\n  \"held\": %s,\n  \"held_reason\": %s,\n"
                        "  \"held_until\": %s%s%s,\n  \"canary\": %s,\n  \"incidents\": %s,\n  \"rows\": [",
                        format_timestamp(buf, c->now), hold.held ? "true" : "false",
                        reason ? json_object_to_json_string_ext(reason, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
                               : "null",
                        hold.until > 0 ? "\"" : "", hold.until > 0 ? format_timestamp(until, hold.until) : "null",
                        hold.until > 0 ? "\"" : "",
                        c->cfg->canary.dns || c->cfg->canary.url ? "true" : "false",
                        json_object_to_json_string_ext(incidents, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        } else
                print_status_banners(c, hold.held, hold.reason, hold.until > 0 ? format_timestamp(until, hold.until) : NULL,
                                     c->cfg->canary.dns || c->cfg->canary.url, incidents);

        r = pik_status_foreach(c->db, c->now, print_status_row, &p);
        if (r < 0)
                return r;

        if (c->out.json)
                fprintf(c->out.f, "%s]\n}\n", p.n > 0 ? "\n  " : "");
        else if (p.n == 0)
                fprintf(c->out.f, "No partner is configured yet (pikctl partner add, pikctl config add).\n");
        return 0;
}

static int verb_status(Context *c, int argc, char **argv) {
        _cleanup_json_ json_object *st = NULL;
        json_object *rows, *held, *canary, *incidents = NULL;
        StatusPrinter p = { .c = c };
        size_t n;
        int r;

        if (!c->bus)
                return status_offline(c);

        r = bus_call_json(c, "Status", &st, "");
        if (r < 0)
                return r;
        if (c->out.json)
                return output_json(&c->out, st);

        json_object_object_get_ex(st, "incidents", &incidents);
        print_status_banners(c, json_object_object_get_ex(st, "held", &held) && json_object_get_boolean(held),
                             json_str(st, "held_reason"), json_str(st, "held_until"),
                             !json_object_object_get_ex(st, "canary", &canary) || json_object_get_boolean(canary),
                             incidents);
        if (!json_object_object_get_ex(st, "rows", &rows) || json_object_array_length(rows) == 0) {
                fprintf(c->out.f, "No partner is configured yet (pikctl partner add, pikctl config add).\n");
                return 0;
        }

        n = json_object_array_length(rows);
        p.widths[3] = STRLEN("unconfirmed");
        p.widths[4] = STRLEN("webdriver-session-failed");
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(rows, i);
                const char *name = json_str(o, "name");
                char check[PIK_CHECK_LABEL_MAX];

                p.widths[0] = MAX(p.widths[0], strlen(json_str(o, "partner") ?: "?"));
                p.widths[1] = MAX(p.widths[1], strlen(pik_status_check_label(check, json_int(o, "config_id"), name)));
                p.widths[2] = MAX(p.widths[2], strlen(json_str(o, "browser") ?: "?"));
        }
        output_table_widths(status_columns, ELEMENTSOF(status_columns), p.widths);
        for (size_t i = 0; i < n; i++) {
                PikStatusRow row;

                status_row_from_json(json_object_array_get_idx(rows, i), &row);
                print_status_cells(&p, &row, c->now);
        }
        return 0;
}

/* ---- partner ---- */

static int verb_partner_list(Context *c, int argc, char **argv) {
        _cleanup_json_ json_object *a = NULL;
        static const Column cols[] = {
                { "code", "CODE", COLUMN_TEXT, NULL },
                { "name", "NAME", COLUMN_TEXT, NULL },
                { "enabled", "ENABLED", COLUMN_BOOL_YESNO, NULL },
                { "configs", "CONFIGS", COLUMN_TEXT, NULL },
                { "disabled_reason", "REASON", COLUMN_TEXT, NULL },
        };
        int r = c->bus ? bus_call_json(c, "ListPartners", &a, "") : pik_partner_list(c->db, &a);
        if (r < 0)
                return r;
        return output_table(&c->out, a, cols, ELEMENTSOF(cols));
}

static int verb_partner_show(Context *c, int argc, char **argv) {
        _cleanup_json_ json_object *o = NULL;
        int r = c->bus ? bus_call_json(c, "ShowPartner", &o, "s", argv[0]) : pik_partner_show(c->db, argv[0], &o);
        if (r < 0)
                return r;
        return output_object(&c->out, o);
}

static int verb_partner_add(Context *c, int argc, char **argv) {
        int r;

        const char *name = c->args->config[PIK_CONFIG_OPT_NAME];

        if (!name)
                return fail(c, -EINVAL, "partner add needs --name TEXT.");
        r = c->bus ? bus_call(c, "AddPartner", NULL, "ss", argv[0], name)
                   : pik_partner_add(c->db, argv[0], name, c->now);
        if (r < 0)
                return r;
        return say_done(c, "Added partner %s.", argv[0]);
}

static int verb_partner_remove(Context *c, int argc, char **argv) {
        int r = c->bus ? bus_call(c, "RemovePartner", NULL, "sb", argv[0], (int) c->args->force)
                       : pik_partner_remove(c->db, argv[0], c->args->force);
        if (r < 0)
                return r;
        return say_done(c, "Removed partner %s.", argv[0]);
}

static int verb_partner_enable(Context *c, int argc, char **argv) {
        int r = c->bus ? bus_call(c, "SetPartnerEnabled", NULL, "sbs", argv[0], 1, "")
                       : pik_partner_set_enabled(c->db, argv[0], true, NULL);
        if (r < 0)
                return r;
        return say_done(c, "Enabled partner %s.", argv[0]);
}

static int verb_partner_disable(Context *c, int argc, char **argv) {
        int r = c->bus ? bus_call(c, "SetPartnerEnabled", NULL, "sbs", argv[0], 0, c->args->reason ?: "")
                       : pik_partner_set_enabled(c->db, argv[0], false, c->args->reason);
        if (r < 0)
                return r;
        return say_done(c, "Disabled partner %s.", argv[0]);
}

/* ---- browser ---- */

static int verb_browser_list(Context *c, int argc, char **argv) {
        _cleanup_json_ json_object *a = NULL;
        static const Column cols[] = {
                { "name", "NAME", COLUMN_TEXT, NULL },
                { "engine", "ENGINE", COLUMN_TEXT, NULL },
                { "enabled", "ENABLED", COLUMN_BOOL_YESNO, NULL },
                { "user_agent", "USER AGENT", COLUMN_TEXT, NULL },
                { "webdriver_url", "WEBDRIVER URL", COLUMN_TEXT, NULL },
        };
        int r = c->bus ? bus_call_json(c, "ListBrowsers", &a, "") : pik_browser_list(c->db, &a);
        if (r < 0)
                return r;
        return output_table(&c->out, a, cols, ELEMENTSOF(cols));
}

static int verb_browser_show(Context *c, int argc, char **argv) {
        _cleanup_json_ json_object *o = NULL;
        int r = c->bus ? bus_call_json(c, "ShowBrowser", &o, "s", argv[0]) : pik_browser_show(c->db, argv[0], &o);
        if (r < 0)
                return r;
        return output_object(&c->out, o);
}

static int verb_browser_add(Context *c, int argc, char **argv) {
        PikBrowserSpec spec = {
                .name = argv[0],
                .engine = c->args->engine,
                .user_agent = c->args->user_agent,
                .webdriver_url = c->args->webdriver_url,
                .http_version = c->args->http_version,
                .headers = c->args->headers,
                .ca_file = c->args->ca_file,
                .resolve = c->args->resolve,
        };
        int r;

        if (!spec.engine)
                return fail(c, -EINVAL, "browser add needs --engine http|webdriver.");
        if (c->bus)
                /* Empty strings stand for "not set". */
                r = bus_call(c, "AddBrowser", NULL, "ssa{sv}", spec.name, spec.engine, 6,
                             "user_agent", "s", spec.user_agent ?: "",
                             "webdriver_url", "s", spec.webdriver_url ?: "",
                             "http_version", "s", spec.http_version ?: "",
                             "headers", "s", spec.headers ?: "",
                             "ca_file", "s", spec.ca_file ?: "",
                             "resolve", "s", spec.resolve ?: "");
        else
                r = pik_browser_add(c->db, &spec, c->now);
        if (r < 0)
                return r;
        return say_done(c, "Added browser %s.", argv[0]);
}

static int verb_browser_remove(Context *c, int argc, char **argv) {
        int r = c->bus ? bus_call(c, "RemoveBrowser", NULL, "sb", argv[0], (int) c->args->force)
                       : pik_browser_remove(c->db, argv[0], c->args->force);
        if (r < 0)
                return r;
        return say_done(c, "Removed browser %s.", argv[0]);
}

static int verb_browser_enable(Context *c, int argc, char **argv) {
        int r = c->bus ? bus_call(c, "SetBrowserEnabled", NULL, "sbs", argv[0], 1, "")
                       : pik_browser_set_enabled(c->db, argv[0], true, NULL);
        if (r < 0)
                return r;
        return say_done(c, "Enabled browser %s.", argv[0]);
}

static int verb_browser_disable(Context *c, int argc, char **argv) {
        int r = c->bus ? bus_call(c, "SetBrowserEnabled", NULL, "sbs", argv[0], 0, c->args->reason ?: "")
                       : pik_browser_set_enabled(c->db, argv[0], false, c->args->reason);
        if (r < 0)
                return r;
        return say_done(c, "Disabled browser %s.", argv[0]);
}

/* ---- config ---- */

static int verb_config_list(Context *c, int argc, char **argv) {
        _cleanup_json_ json_object *a = NULL;
        static const Column cols[] = {
                { "id", "ID", COLUMN_TEXT, NULL },
                { "partner", "PARTNER", COLUMN_TEXT, NULL },
                { "browsers", "BROWSERS", COLUMN_TEXT, NULL },
                { "schedule_type", "TYPE", COLUMN_TEXT, NULL },
                { "schedule", "SCHEDULE", COLUMN_TEXT, NULL },
                { "timezone", "ZONE", COLUMN_TEXT, NULL },
                { "enabled", "ENABLED", COLUMN_BOOL_YESNO, NULL },
                { "held", "HELD", COLUMN_BOOL_YESNO, NULL },
                { "entry_url", "URL", COLUMN_TEXT, NULL },
        };
        int r = c->bus ? bus_call_json(c, "ListConfigs", &a, "") : pik_jobconfig_list(c->db, &a);
        if (r < 0)
                return r;
        return output_table(&c->out, a, cols, ELEMENTSOF(cols));
}

static int verb_config_show(Context *c, int argc, char **argv) {
        _cleanup_json_ json_object *o = NULL;
        int64_t id;
        int r;

        r = parse_id(c, argv[0], &id);
        if (r < 0)
                return r;
        r = c->bus ? bus_call_json(c, "ShowConfig", &o, "x", id) : pik_jobconfig_show(c->db, id, &o);
        if (r < 0)
                return r;
        return output_object(&c->out, o);
}

static int read_flow_file(Context *c, const char *path, char **ret) {
        _cleanup_free_ char *buf = NULL;
        FILE *f;
        size_t n;

        f = fopen(path, "re");
        if (!f)
                return fail(c, -errno == -ENOENT ? -EINVAL : -errno, "Cannot read --flow %s: %s", SNIPPET(path), strerror(errno));
        buf = malloc(PIK_FLOW_MAX + 2);
        if (!buf) {
                fclose(f);
                return -ENOMEM;
        }
        n = fread(buf, 1, PIK_FLOW_MAX + 1, f);
        fclose(f);
        if (n > PIK_FLOW_MAX)
                return fail(c, -EINVAL, "--flow %s is larger than %d bytes", SNIPPET(path), PIK_FLOW_MAX);
        buf[n] = 0;
        if (strlen(buf) != n)
                return fail(c, -EINVAL, "--flow %s contains a NUL byte", SNIPPET(path));
        *ret = TAKE_PTR(buf);
        return 0;
}

/* A specification from the options given, for config add and set alike:
 * a loop over the table of options (src/shared/jobconfig-options.c), each
 * value parsed by its type; *ret_fields says which fields they set.
 * browsers and flow own what spec points to. Only the form of a value is
 * checked here: its rule is the library's (in pikd, or here with --db),
 * so that both say the same. */
static int config_spec_from_args(Context *c, const char *verb, PikJobConfigSpec *spec, uint64_t *ret_fields,
                                 char ***browsers, char **flow) {
        const Args *a = c->args;
        const PikConfigOption *schedule = NULL;
        uint64_t fields = 0;
        int r;

        *spec = (PikJobConfigSpec) { .wait_sec = -1 };
        for (size_t i = 0; i < pik_config_options_count; i++) {
                const PikConfigOption *o = &pik_config_options[i];
                const char *v = a->config[i];
                void *m = pik_config_option_member(spec, o);

                if (!(a->config_seen & PIK_CONFIG_OPT_BIT(i)))
                        continue;
                fields |= o->field;
                switch (o->type) {
                case PIK_CONFIG_OPTION_TEXT:
                        /* --flow '' clears the flow (config set); otherwise it names a file. */
                        if (o->flags & PIK_CONFIG_OPTION_CLI_FILE) {
                                if (!*v)
                                        break;
                                r = read_flow_file(c, v, flow);
                                if (r < 0)
                                        return r;
                                v = *flow;
                        }
                        *(const char **) m = v;
                        break;
                case PIK_CONFIG_OPTION_BOOL:
                        *(bool *) m = streq(v, "yes");
                        break;
                case PIK_CONFIG_OPTION_WAIT: {
                        uint64_t w;

                        /* '' is the engine's default again (config set). */
                        if (!*v)
                                break;
                        r = parse_duration(v, INT_MAX, &w);
                        if (r == -ERANGE)
                                w = INT_MAX;    /* out of range: the library says so */
                        else if (r < 0)
                                return fail(c, -EINVAL, "Invalid --%s '%s': seconds, or a duration such as 30s.",
                                            o->cli, SNIPPET(v));
                        *(int *) m = (int) w;
                        break;
                }
                case PIK_CONFIG_OPTION_BROWSERS:
                        /* An empty list, or a long one: the library says why that
                         * cannot be. The cap here only bounds memory. */
                        if (*v)
                                r = strv_split_comma(v, 1024, browsers);
                        else {
                                *browsers = calloc(1, sizeof(char *));
                                r = *browsers ? 0 : -ENOMEM;
                        }
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                return fail(c, -EINVAL, "Invalid --%s '%s': a comma-separated list of names.",
                                            o->cli, SNIPPET(v));
                        *(char ***) m = *browsers;
                        break;
                case PIK_CONFIG_OPTION_SCHEDULE:
                        if (schedule)
                                return fail(c, -EINVAL, "config %s takes only one of --%s and --%s.", verb,
                                            schedule->cli, o->cli);
                        schedule = o;
                        spec->schedule_type = o->schedule_type;
                        *(const char **) m = v;
                        break;
                case PIK_CONFIG_OPTION_SCHEDULE_TYPE:
                        break;          /* D-Bus only */
                }
        }
        *ret_fields = fields;
        return 0;
}

/* AddConfig or SetConfig: the options through the table's one encoder
 * (src/shared/jobconfig-options.c), the same that pikd decodes with. */
static int config_call(Context *c, const char *method, const PikJobConfigSpec *spec, int64_t id, uint64_t fields,
                       sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_message_new_method_call(c->bus, &m, PIK_BUS_NAME, PIK_BUS_PATH, PIK_BUS_INTERFACE, method);
        if (r < 0)
                return fail(c, r, "Failed to build the %s call: %s", method, strerror(-r));
        if (id > 0)
                r = sd_bus_message_append(m, "x", id);
        else {
                r = sd_bus_message_append(m, "s", spec->partner);
                if (r >= 0)
                        r = sd_bus_message_append_strv(m, spec->browsers);
                /* No schedule of its own: it follows the named one (--schedule). */
                if (r >= 0)
                        r = sd_bus_message_append(m, "sss", spec->entry_url,
                                                  fields & PIK_CONFIG_FIELD_SCHEDULE ?
                                                  schedule_type_to_string(spec->schedule_type) : "",
                                                  fields & PIK_CONFIG_FIELD_SCHEDULE ? spec->schedule : "");
                fields &= ~PIK_CONFIG_FIELDS_ADD_FIXED;
        }
        if (r >= 0)
                r = pik_config_options_append(m, spec, fields);
        if (r < 0)
                return fail(c, r, "Failed to build the %s call: %s", method, strerror(-r));

        r = sd_bus_call(c->bus, m, 0, &error, ret_reply);
        if (r < 0)
                return fail(c, sd_bus_error_is_set(&error) ? bus_error_to_errno(&error) : r, "%s",
                            error.message ?: strerror(-r));
        return 0;
}

static int verb_config_add(Context *c, int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **browsers = NULL;
        _cleanup_free_ char *flow = NULL;
        PikJobConfigSpec spec;
        uint64_t fields;
        int64_t id;
        int r;

        r = config_spec_from_args(c, "add", &spec, &fields, &browsers, &flow);
        if (r < 0)
                return r;
        spec.partner = argv[0];

        if (c->bus) {
                r = config_call(c, "AddConfig", &spec, 0, fields, &reply);
                if (r < 0)
                        return r;
                r = sd_bus_message_read(reply, "x", &id);
                if (r < 0)
                        return fail(c, r, "Failed to read pikd's reply to AddConfig: %s", strerror(-r));
        } else {
                r = pik_jobconfig_resolve_schedule(c->db, c->cfg, &spec, &fields);
                if (r >= 0)
                        r = pik_jobconfig_add(c->db, &spec, c->cfg->timezone, c->now, &id);
                if (r < 0)
                        return r;
        }
        if (c->out.json) {
                _cleanup_json_ json_object *o = NULL;
                r = c->bus ? bus_call_json(c, "ShowConfig", &o, "x", id) : pik_jobconfig_show(c->db, id, &o);
                if (r < 0)
                        return r;
                return output_json(&c->out, o);
        }
        return say_done(c, "Added configuration %lld for partner %s.", (long long) id, argv[0]);
}

static int verb_config_set(Context *c, int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **browsers = NULL;
        _cleanup_free_ char *flow = NULL, *changes = NULL;
        PikJobConfigSpec spec;
        uint64_t fields;
        int64_t id;
        int r;

        r = parse_id(c, argv[0], &id);
        if (r < 0)
                return r;
        r = config_spec_from_args(c, "set", &spec, &fields, &browsers, &flow);
        if (r < 0)
                return r;
        if (fields == 0)
                return fail(c, -EINVAL, "config set needs at least one option to change; see pikctl config --help.");

        if (c->bus) {
                const char *s;

                r = config_call(c, "SetConfig", &spec, id, fields, &reply);
                if (r < 0)
                        return r;
                r = sd_bus_message_read(reply, "s", &s);
                if (r < 0)
                        return fail(c, r, "Failed to read pikd's reply to SetConfig: %s", strerror(-r));
                changes = strdup(s);
                if (!changes)
                        return -ENOMEM;
        } else {
                r = pik_jobconfig_resolve_schedule(c->db, c->cfg, &spec, &fields);
                if (r >= 0)
                        r = pik_jobconfig_set(c->db, id, &spec, fields, c->cfg->timezone, c->now, &changes);
                if (r < 0)
                        return r;
        }
        if (!*changes)
                return say_done(c, "Configuration %lld unchanged.", (long long) id);
        return say_done(c, "Changed configuration %lld: %s.", (long long) id, changes);
}

static int verb_config_remove(Context *c, int argc, char **argv) {
        int64_t id;
        int r = parse_id(c, argv[0], &id);
        if (r < 0)
                return r;
        r = c->bus ? bus_call(c, "RemoveConfig", NULL, "x", id) : pik_jobconfig_remove(c->db, id);
        if (r < 0)
                return r;
        return say_done(c, "Removed configuration %lld.", (long long) id);
}

static int verb_config_enable(Context *c, int argc, char **argv) {
        int64_t id;
        int r = parse_id(c, argv[0], &id);
        if (r < 0)
                return r;
        r = c->bus ? bus_call(c, "SetConfigEnabled", NULL, "xbs", id, 1, "")
                   : pik_jobconfig_set_enabled(c->db, id, true, NULL);
        if (r < 0)
                return r;
        return say_done(c, "Enabled configuration %lld.", (long long) id);
}

static int verb_config_disable(Context *c, int argc, char **argv) {
        int64_t id;
        int r = parse_id(c, argv[0], &id);
        if (r < 0)
                return r;
        r = c->bus ? bus_call(c, "SetConfigEnabled", NULL, "xbs", id, 0, c->args->reason ?: "")
                   : pik_jobconfig_set_enabled(c->db, id, false, c->args->reason);
        if (r < 0)
                return r;
        return say_done(c, "Disabled configuration %lld.", (long long) id);
}

/* ---- jobs, executions, results, outcomes ---- */

static int verb_jobs(Context *c, int argc, char **argv) {
        _cleanup_json_ json_object *a = NULL;
        static const Column cols[] = {
                { "id", "JOB", COLUMN_TEXT, NULL },
                { "config_id", "CONFIG", COLUMN_TEXT, NULL },
                { "partner", "PARTNER", COLUMN_TEXT, NULL },
                { "browser", "BROWSER", COLUMN_TEXT, NULL },
                { "run_after", "RUN AFTER", COLUMN_TIME, NULL },
                { "dispatched", "DISPATCHED", COLUMN_BOOL_YESNO, NULL },
                { "held", "HELD", COLUMN_BOOL_YESNO, NULL },
                { "attempt", "ATTEMPT", COLUMN_TEXT, NULL },
        };
        PikJobFilter f = PIK_JOBS_ALL;
        int r;

        if (c->args->overdue && c->args->upcoming)
                return fail(c, -EINVAL, "--overdue and --upcoming exclude each other.");
        if (c->args->overdue)
                f = PIK_JOBS_OVERDUE;
        else if (c->args->upcoming)
                f = PIK_JOBS_UPCOMING;

        r = c->bus ? bus_call_json(c, "ListJobs", &a, "s",
                                   f == PIK_JOBS_OVERDUE ? "overdue" : f == PIK_JOBS_UPCOMING ? "upcoming" : "")
                   : pik_job_list(c->db, f, c->now, &a);
        if (r < 0)
                return r;
        return output_table(&c->out, a, cols, ELEMENTSOF(cols));
}

static int verb_executions(Context *c, int argc, char **argv) {
        _cleanup_json_ json_object *a = NULL;
        static const Column cols[] = {
                { "id", "ID", COLUMN_TEXT, NULL },
                { "partner", "PARTNER", COLUMN_TEXT, NULL },
                { "browser", "BROWSER", COLUMN_TEXT, NULL },
                { "state", "STATE", COLUMN_TEXT, NULL },
                { "attempt", "ATTEMPT", COLUMN_TEXT, NULL },
                { "outcome", "OUTCOME", COLUMN_TEXT, "kind" },
                { "created_at", "CREATED", COLUMN_TIME, NULL },
                { "unit", "UNIT", COLUMN_TEXT, NULL },
        };
        size_t limit = 0;
        int r;

        r = parse_limit(c, c->args->limit, 100, &limit);
        if (r < 0)
                return r;
        r = c->bus ? bus_call_json(c, "ListExecutions", &a, "st", c->args->partner ?: "", (uint64_t) limit)
                   : pik_execution_list(c->db, c->args->partner, limit, &a);
        if (r < 0)
                return r;
        return output_table(&c->out, a, cols, ELEMENTSOF(cols));
}

static int verb_execution_show(Context *c, int argc, char **argv) {
        _cleanup_json_ json_object *o = NULL;
        int64_t id;
        int r = parse_id(c, argv[0], &id);
        if (r < 0)
                return r;
        r = c->bus ? bus_call_json(c, "ShowExecution", &o, "x", id) : pik_execution_show(c->db, id, &o);
        if (r < 0)
                return r;
        return output_object(&c->out, o);
}

/* A result as "key: value" lines, then its steps as a table with their
 * timings: what happened, step by step, and where the time went. */
static int verb_result_show(Context *c, int argc, char **argv) {
        static const Column cols[] = {
                { "position", "#", COLUMN_TEXT, NULL },
                { "name", "STEP", COLUMN_TEXT, NULL },
                { "http_status", "HTTP", COLUMN_TEXT, NULL },
                { "requests", "REQUESTS", COLUMN_TEXT, NULL },
                { "dns_ms", "DNS MS", COLUMN_TEXT, NULL },
                { "connect_ms", "CONNECT MS", COLUMN_TEXT, NULL },
                { "tls_ms", "TLS MS", COLUMN_TEXT, NULL },
                { "ttfb_ms", "FIRST BYTE MS", COLUMN_TEXT, NULL },
                { "total_ms", "TOTAL MS", COLUMN_TEXT, NULL },
        };
        _cleanup_json_ json_object *o = NULL;
        json_object *steps = NULL;
        int64_t id;
        int r = parse_id(c, argv[0], &id);
        if (r < 0)
                return r;
        r = c->bus ? bus_call_json(c, "ShowResult", &o, "x", id) : pik_result_show(c->db, id, &o);
        if (r < 0)
                return r;
        if (c->out.json)
                return output_json(&c->out, o);

        steps = json_object_get(json_object_object_get_ex(o, "steps", &steps) ? steps : NULL);
        json_object_object_del(o, "steps");
        r = output_object(&c->out, o);
        if (r >= 0 && steps && json_object_array_length(steps) > 0) {
                fputc('\n', c->out.f);
                r = output_table(&c->out, steps, cols, ELEMENTSOF(cols));
        }
        json_object_put(steps);
        return r;
}

static int parse_since(Context *c, const char *s, int64_t *ret) {
        uint64_t d;

        /* Either a time, or a duration back from now ("24h"). */
        if (parse_timestamp(s, ret) >= 0)
                return 0;
        if (parse_duration(s, UINT64_C(100) * 365 * 86400, &d) >= 0) {
                *ret = c->now - (int64_t) d;
                return 0;
        }
        return fail(c, -EINVAL, "Invalid --since '%s': an ISO 8601 time or a duration such as 24h.", SNIPPET(s));
}

static int verb_results(Context *c, int argc, char **argv) {
        _cleanup_json_ json_object *a = NULL;
        static const Column cols[] = {
                { "id", "ID", COLUMN_TEXT, NULL },
                { "executed_at", "TIME", COLUMN_TIME, NULL },
                { "partner", "PARTNER", COLUMN_TEXT, NULL },
                { "config_id", "CONFIG", COLUMN_TEXT, NULL },
                { "config_name", "CHECK", COLUMN_TEXT, NULL },
                { "browser", "BROWSER", COLUMN_TEXT, NULL },
                { "outcome", "OUTCOME", COLUMN_TEXT, "kind" },
                { "kind", "KIND", COLUMN_KIND, "kind" },
                { "duration_ms", "MS", COLUMN_TEXT, NULL },
                { "details", "DETAILS", COLUMN_TEXT, NULL },
        };
        PikResultFilter f = {
                .partner = c->args->partner,
                .browser = c->args->browser,
                .kind = c->args->kind,
        };
        int r;

        r = parse_limit(c, c->args->limit, 100, &f.limit);
        if (r < 0)
                return r;
        if (c->args->since) {
                r = parse_since(c, c->args->since, &f.since);
                if (r < 0)
                        return r;
        }
        r = c->bus ? bus_call_json(c, "ListResults", &a, "sssxt", f.partner ?: "", f.browser ?: "", f.kind ?: "",
                                   f.since, (uint64_t) f.limit)
                   : pik_result_list(c->db, &f, &a);
        if (r < 0)
                return r;
        return output_table(&c->out, a, cols, ELEMENTSOF(cols));
}

static int verb_outcomes(Context *c, int argc, char **argv) {
        _cleanup_json_ json_object *a = NULL;
        static const Column cols[] = {
                { "name", "OUTCOME", COLUMN_TEXT, "kind" },
                { "kind", "KIND", COLUMN_KIND, "kind" },
                { "retried", "RETRIED", COLUMN_BOOL_YESNO, NULL },
                { "description", "MEANING", COLUMN_TEXT, NULL },
        };
        int r = c->bus ? bus_call_json(c, "ListOutcomes", &a, "") : pik_outcome_list(c->db, &a);
        if (r < 0)
                return r;
        return output_table(&c->out, a, cols, ELEMENTSOF(cols));
}

const Verb pikctl_verbs[] = {
        { NULL, "status", 0, 0, 0, 0, verb_status },
        { "partner", "list", 0, 0, 0, 0, verb_partner_list },
        { "partner", "show", 1, 1, 0, 0, verb_partner_show },
        { "partner", "add", 1, 1, VERB_WRITES, 0, verb_partner_add, PIK_CONFIG_OPT_BIT(PIK_CONFIG_OPT_NAME) },
        { "partner", "remove", 1, 1, VERB_WRITES, OPT_FORCE, verb_partner_remove },
        { "partner", "enable", 1, 1, VERB_WRITES, 0, verb_partner_enable },
        { "partner", "disable", 1, 1, VERB_WRITES, OPT_REASON, verb_partner_disable },
        { "browser", "list", 0, 0, 0, 0, verb_browser_list },
        { "browser", "show", 1, 1, 0, 0, verb_browser_show },
        { "browser", "add", 1, 1, VERB_WRITES,
          OPT_ENGINE | OPT_USER_AGENT | OPT_WEBDRIVER_URL | OPT_HTTP_VERSION | OPT_HEADER | OPT_CA_FILE | OPT_RESOLVE,
          verb_browser_add },
        { "browser", "remove", 1, 1, VERB_WRITES, OPT_FORCE, verb_browser_remove },
        { "browser", "enable", 1, 1, VERB_WRITES, 0, verb_browser_enable },
        { "browser", "disable", 1, 1, VERB_WRITES, OPT_REASON, verb_browser_disable },
        { "config", "list", 0, 0, 0, 0, verb_config_list },
        { "config", "show", 1, 1, 0, 0, verb_config_show },
        { "config", "add", 1, 1, VERB_WRITES, 0, verb_config_add, PIK_CONFIG_OPTS_CLI_ALL },
        { "config", "set", 1, 1, VERB_WRITES, 0, verb_config_set, PIK_CONFIG_OPTS_CLI_ALL },
        { "config", "remove", 1, 1, VERB_WRITES, 0, verb_config_remove },
        { "config", "enable", 1, 1, VERB_WRITES, 0, verb_config_enable },
        { "config", "disable", 1, 1, VERB_WRITES, OPT_REASON, verb_config_disable },
        { NULL, "jobs", 0, 0, 0, OPT_OVERDUE | OPT_UPCOMING, verb_jobs },
        { NULL, "executions", 0, 0, 0, OPT_PARTNER | OPT_LIMIT, verb_executions },
        { "execution", "show", 1, 1, 0, 0, verb_execution_show },
        { NULL, "results", 0, 0, 0, OPT_PARTNER | OPT_BROWSER | OPT_KIND | OPT_SINCE | OPT_LIMIT, verb_results },
        { "result", "show", 1, 1, 0, 0, verb_result_show },
        { NULL, "outcomes", 0, 0, 0, 0, verb_outcomes },
        { NULL, "alerts", 0, 0, 0, OPT_ALL, verb_alerts },
        { NULL, "notifications", 0, 0, 0, 0, verb_notifications },
        { NULL, "history", 0, 1, 0, OPT_DAYS, verb_history },
        { NULL, "run-now", 1, 1, VERB_WRITES, OPT_BROWSER, verb_run_now },
        { NULL, "hold", 0, 1, VERB_WRITES, OPT_REASON | OPT_UNTIL, verb_hold },
        { NULL, "release", 0, 1, VERB_WRITES, 0, verb_release },
        { "maintenance", "add", 0, 0, VERB_WRITES, OPT_PARTNER | OPT_CONFIG_ID | OPT_ALL | OPT_DURATION | OPT_REASON,
          verb_maintenance_add, PIK_CONFIG_OPT_BIT(PIK_CONFIG_OPT_CRON) | PIK_CONFIG_OPT_BIT(PIK_CONFIG_OPT_TIMEZONE) },
        { "maintenance", "list", 0, 0, 0, 0, verb_maintenance_list },
        { "maintenance", "remove", 1, 1, VERB_WRITES, 0, verb_maintenance_remove },
};

const size_t pikctl_verbs_count = ELEMENTSOF(pikctl_verbs);
