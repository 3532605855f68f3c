/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "browser.h"
#include "build-config.h"
#include "bus-util.h"
#include "checkjob.h"
#include "dispatcher.h"
#include "evidence-store.h"
#include "execution.h"
#include "history.h"
#include "job.h"
#include "jobconfig.h"
#include "jobconfig-options.h"
#include "maintenance.h"
#include "log.h"
#include "manager.h"
#include "message-ids.h"
#include "notify.h"
#include "outcome.h"
#include "partner.h"
#include "result.h"
#include "result-journal.h"
#include "status.h"
#include "string-util.h"
#include "time-util.h"

/* polkit actions (polkit/org.pik.policy). */
#define ACTION_MANAGE_PARTNERS "org.pik.manage-partners"
#define ACTION_MANAGE_BROWSERS "org.pik.manage-browsers"
#define ACTION_MANAGE_CONFIGS  "org.pik.manage-configs"
#define ACTION_RUN_NOW         "org.pik.run-now"
#define ACTION_HOLD            "org.pik.hold"
#define ACTION_MAINTENANCE     "org.pik.maintenance"

/* Rows one listing may ask for: a bigger reply would not fit the system
 * bus's message size limit anyway. */
#define LIST_LIMIT_DEFAULT 100
#define LIST_LIMIT_MAX 10000
/* Entries of an a{sv} of options. */
#define OPTIONS_MAX 16

/* When idle time is up but polkit has not answered everyone yet, look again
 * this much later. */
#define EXIT_RECHECK_USEC (1 * UINT64_C(1000000))

/* The library keeps its last error until the next one: clear it before
 * each call so that a reply never carries an old explanation. */
static PikDb *manager_db(Manager *m) {
        pik_db_clear_error(m->db);
        return m->db;
}

_printf_(2, 3)
static int invalid(sd_bus_error *error, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return bus_error_set_errno_message(error, -EINVAL, msg);
}

/* o by reference: it is read only after r's call has filled it in (the
 * order in which arguments are evaluated is unspecified). */
static int reply_json(Manager *m, sd_bus_message *msg, int r, json_object **o, sd_bus_error *error) {
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        return sd_bus_reply_method_return(msg, "s", json_object_to_json_string_ext(*o, JSON_C_TO_STRING_PLAIN));
}

/* ---- journal ---- */

/* Fields of one journal entry, "KEY=value" each. */
typedef struct Fields {
        char *v[16];
        size_t n;
} Fields;

_printf_(2, 3)
static void fields_add(Fields *f, const char *fmt, ...) {
        va_list ap;

        if (f->n >= ELEMENTSOF(f->v))
                return;
        va_start(ap, fmt);
        if (vasprintf(&f->v[f->n], fmt, ap) >= 0)
                f->n++;
        va_end(ap);
}

static void fields_done(Fields *f) {
        for (size_t i = 0; i < f->n; i++)
                free(f->v[i]);
        f->n = 0;
}

/* One entry per event: structured (MESSAGE_ID and PIK_* fields) to the
 * journal; and the plain message to stderr when stderr is not the journal
 * already (a terminal, a test), so that nothing is said twice. */
_printf_(4, 5)
static void log_event(int priority, const char *message_id, Fields *f, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        bool to_journal = getenv("JOURNAL_STREAM");
        struct iovec iov[ELEMENTSOF(f->v) + 4];
        Fields head = {};
        size_t n = 0;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0) {
                fields_done(f);
                return;
        }

        if (!to_journal)
                log_full(priority, "%s", msg);

        fields_add(&head, "MESSAGE=%s", msg);
        fields_add(&head, "MESSAGE_ID=%s", message_id);
        fields_add(&head, "PRIORITY=%d", priority);
        fields_add(&head, "SYSLOG_IDENTIFIER=pikd");
        for (size_t i = 0; i < head.n; i++)
                iov[n++] = (struct iovec) { head.v[i], strlen(head.v[i]) };
        for (size_t i = 0; i < f->n; i++)
                iov[n++] = (struct iovec) { f->v[i], strlen(f->v[i]) };
        r = sd_journal_sendv(iov, (int) n);
        if (r < 0 && to_journal)
                log_full(priority, "%s", msg);

        fields_done(&head);
        fields_done(f);
}

static uid_t caller_uid(sd_bus_message *msg) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *c = NULL;
        uid_t uid;

        /* The uid the bus itself vouches for (the peer's at connect time),
         * not one augmented from /proc: fit for the record. */
        if (sd_bus_query_sender_creds(msg, SD_BUS_CREDS_EUID, &c) < 0 || sd_bus_creds_get_euid(c, &uid) < 0)
                return (uid_t) -1;
        return uid;
}

typedef struct Change {
        const char *change;          /* PIK_CHANGE: "partner-add", ... */
        const char *object;          /* PIK_OBJECT: the code, name or id changed */
        const char *partner;         /* PIK_PARTNER, where one applies */
        const char *browser;         /* PIK_BROWSER, where one applies */
        int64_t config_id;           /* PIK_CONFIG, where one applies (>= 0) */
        const char *message_id;      /* default: CONFIG_CHANGED */
        const char *changes;         /* PIK_CHANGES: "what: old → new; …", where one applies */
} Change;

_printf_(3, 4)
static void log_change(sd_bus_message *msg, const Change *c, const char *fmt, ...) {
        _cleanup_free_ char *what = NULL;
        uid_t uid = caller_uid(msg);
        char who[32];
        Fields f = {};
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&what, fmt, ap);
        va_end(ap);
        if (r < 0)
                return;

        if (uid == (uid_t) -1)
                snprintf(who, sizeof who, "unknown");
        else
                snprintf(who, sizeof who, "%u", (unsigned) uid);

        fields_add(&f, "PIK_CHANGE=%s", c->change);
        fields_add(&f, "PIK_OBJECT=%s", c->object);
        fields_add(&f, "PIK_CALLER_UID=%s", who);
        if (c->partner)
                fields_add(&f, "PIK_PARTNER=%s", c->partner);
        if (c->browser)
                fields_add(&f, "PIK_BROWSER=%s", c->browser);
        if (c->config_id >= 0)
                fields_add(&f, "PIK_CONFIG=%lld", (long long) c->config_id);
        if (c->changes)
                fields_add(&f, "PIK_CHANGES=%s", c->changes);
        log_event(LOG_INFO, c->message_id ?: PIK_MESSAGE_CONFIG_CHANGED_STR, &f, "%s (by uid %s).", what, who);
}

/* ---- reads: open to everyone ---- */

static int method_status(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_json_ json_object *o = NULL;
        Manager *m = userdata;

        return reply_json(m, msg, pik_status(manager_db(m), m->cfg, now_utc(), &o), &o, error);
}

static int method_list_partners(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_json_ json_object *o = NULL;
        Manager *m = userdata;

        return reply_json(m, msg, pik_partner_list(manager_db(m), &o), &o, error);
}

static int method_show_partner(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_json_ json_object *o = NULL;
        Manager *m = userdata;
        const char *code;
        int r;

        r = sd_bus_message_read(msg, "s", &code);
        if (r < 0)
                return r;
        return reply_json(m, msg, pik_partner_show(manager_db(m), code, &o), &o, error);
}

/* Header values may be secrets (Authorization: Bearer …): only root reads
 * them over the bus; everybody else gets the names, the values redacted
 * (docs/DBUS.md). Not a polkit question: a read must never prompt, and the
 * operators who set headers do it as root or read the database offline. */
static int redact_headers_unless_root(sd_bus_message *msg, int r, json_object **browsers) {
        if (r < 0 || caller_uid(msg) == 0)
                return r;
        return pik_browser_redact_headers(*browsers);
}

static int method_list_browsers(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_json_ json_object *o = NULL;
        Manager *m = userdata;

        return reply_json(m, msg, redact_headers_unless_root(msg, pik_browser_list(manager_db(m), &o), &o), &o, error);
}

static int method_show_browser(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_json_ json_object *o = NULL;
        Manager *m = userdata;
        const char *name;
        int r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        return reply_json(m, msg, redact_headers_unless_root(msg, pik_browser_show(manager_db(m), name, &o), &o), &o, error);
}

static int method_list_configs(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_json_ json_object *o = NULL;
        Manager *m = userdata;

        return reply_json(m, msg, pik_jobconfig_list(manager_db(m), &o), &o, error);
}

/* ShowConfig, ShowExecution, ShowResult: one positive id in, one JSON
 * object out. */
typedef int (*ShowByIdFn)(PikDb *db, int64_t id, json_object **ret);

static int show_by_id(sd_bus_message *msg, Manager *m, const char *what, ShowByIdFn show, sd_bus_error *error) {
        _cleanup_json_ json_object *o = NULL;
        int64_t id;
        int r;

        r = sd_bus_message_read(msg, "x", &id);
        if (r < 0)
                return r;
        if (id <= 0)
                return invalid(error, "%s id %lld is invalid: expected a positive number", what, (long long) id);
        return reply_json(m, msg, show(manager_db(m), id, &o), &o, error);
}

static int method_show_config(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return show_by_id(msg, userdata, "configuration", pik_jobconfig_show, error);
}

static int method_list_jobs(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_json_ json_object *o = NULL;
        Manager *m = userdata;
        PikJobFilter f;
        const char *filter;
        int r;

        r = sd_bus_message_read(msg, "s", &filter);
        if (r < 0)
                return r;
        if (streq(filter, ""))
                f = PIK_JOBS_ALL;
        else if (streq(filter, "overdue"))
                f = PIK_JOBS_OVERDUE;
        else if (streq(filter, "upcoming"))
                f = PIK_JOBS_UPCOMING;
        else
                return invalid(error, "job filter '%.64s' is invalid: expected '', 'overdue' or 'upcoming'", filter);
        return reply_json(m, msg, pik_job_list(manager_db(m), f, now_utc(), &o), &o, error);
}

static int read_limit(uint64_t limit, sd_bus_error *error, size_t *ret) {
        if (limit > LIST_LIMIT_MAX)
                return invalid(error, "limit %llu is too large: at most %d rows (0 for the default, %d)",
                               (unsigned long long) limit, LIST_LIMIT_MAX, LIST_LIMIT_DEFAULT);
        *ret = limit == 0 ? LIST_LIMIT_DEFAULT : (size_t) limit;
        return 0;
}

static int method_list_executions(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_json_ json_object *o = NULL;
        Manager *m = userdata;
        const char *partner;
        uint64_t limit;
        size_t n = 0;
        int r;

        r = sd_bus_message_read(msg, "st", &partner, &limit);
        if (r < 0)
                return r;
        r = read_limit(limit, error, &n);
        if (r < 0)
                return r;
        return reply_json(m, msg, pik_execution_list(manager_db(m), *partner ? partner : NULL, n, &o), &o, error);
}

static int method_show_result(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return show_by_id(msg, userdata, "result", pik_result_show, error);
}

static int method_show_execution(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return show_by_id(msg, userdata, "execution", pik_execution_show, error);
}

static int method_list_results(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_json_ json_object *o = NULL;
        Manager *m = userdata;
        const char *partner, *browser, *kind;
        PikResultFilter f = {};
        uint64_t limit;
        int r;

        r = sd_bus_message_read(msg, "sssxt", &partner, &browser, &kind, &f.since, &limit);
        if (r < 0)
                return r;
        if (f.since < 0)
                return invalid(error, "since must not be negative");
        r = read_limit(limit, error, &f.limit);
        if (r < 0)
                return r;
        f.partner = *partner ? partner : NULL;
        f.browser = *browser ? browser : NULL;
        f.kind = *kind ? kind : NULL;
        return reply_json(m, msg, pik_result_list(manager_db(m), &f, &o), &o, error);
}

static int method_history(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_json_ json_object *o = NULL;
        Manager *m = userdata;
        const char *partner;
        uint32_t days;
        int r;

        r = sd_bus_message_read(msg, "su", &partner, &days);
        if (r < 0)
                return r;
        /* The library checks the partner code and the range of days. */
        return reply_json(m, msg, pik_history(manager_db(m), *partner ? partner : NULL, days, now_utc(), &o), &o,
                          error);
}

static int method_list_outcomes(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_json_ json_object *o = NULL;
        Manager *m = userdata;

        return reply_json(m, msg, pik_outcome_list(manager_db(m), &o), &o, error);
}

/* ---- options in a{sv} ---- */

typedef struct BusOption {
        const char *name;
        const char *signature;       /* "s", "b" or "i" */
        void *value;                 /* const char **, bool *, int32_t * */
} BusOption;

static int read_options(sd_bus_message *msg, const char *what, const BusOption *opts, size_t n_opts,
                        sd_bus_error *error) {
        unsigned count = 0;
        uint64_t seen = 0;
        int r;

        r = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (r < 0)
                return r;
        for (;;) {
                const char *key, *contents;
                size_t i;

                r = sd_bus_message_enter_container(msg, 'e', "sv");
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (++count > OPTIONS_MAX)
                        return invalid(error, "too many %ss: at most %d", what, OPTIONS_MAX);

                r = sd_bus_message_read(msg, "s", &key);
                if (r < 0)
                        return r;
                for (i = 0; i < n_opts; i++)
                        if (streq(opts[i].name, key))
                                break;
                if (i == n_opts)
                        return invalid(error, "unknown %s '%.64s'", what, key);
                if (seen & (UINT64_C(1) << i))
                        return invalid(error, "%s '%s' given twice", what, key);
                seen |= UINT64_C(1) << i;

                r = sd_bus_message_peek_type(msg, NULL, &contents);
                if (r < 0)
                        return r;
                if (!streq(contents, opts[i].signature))
                        return invalid(error, "%s '%s' must be of type '%s', not '%.16s'", what, key,
                                       opts[i].signature, contents);
                r = sd_bus_message_enter_container(msg, 'v', contents);
                if (r < 0)
                        return r;
                switch (opts[i].signature[0]) {
                case 's': {
                        const char **v = opts[i].value;
                        r = sd_bus_message_read(msg, "s", v);
                        /* An empty string is the key left out (pikctl sends
                         * one for each setting not given). */
                        if (r >= 0 && !**v)
                                *v = NULL;
                        break;
                }
                case 'b': {
                        int b;
                        r = sd_bus_message_read(msg, "b", &b);
                        *(bool *) opts[i].value = b;
                        break;
                }
                default:
                        r = sd_bus_message_read(msg, "i", (int32_t *) opts[i].value);
                }
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_exit_container(msg);
}

/* ---- changes: each asked of polkit ---- */

/* Each change handler reads and checks its arguments, asks polkit (which
 * may mean returning now and being run again with the answer: see
 * polkit.h), acts through the library, records who did it, replies. */
#define VERIFY_POLKIT(msg, action, m, error)                                    \
        do {                                                                    \
                int _r = polkit_verify_async((msg), (action), (m)->polkit, (error)); \
                if (_r < 0)                                                     \
                        return _r;                                              \
                if (_r == 0)                                                    \
                        return 1;       /* polkit's answer runs us again */     \
        } while (0)

static int method_add_partner(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *code, *name;
        int r;

        r = sd_bus_message_read(msg, "ss", &code, &name);
        if (r < 0)
                return r;
        VERIFY_POLKIT(msg, ACTION_MANAGE_PARTNERS, m, error);

        r = pik_partner_add(manager_db(m), code, name, now_utc());
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        log_change(msg, &(Change) { "partner-add", code, .partner = code, .config_id = -1 },
                   "Added partner %s", code);
        return sd_bus_reply_method_return(msg, NULL);
}

/* Partners and browsers are removed and enabled alike: one handler each,
 * told which of the two by this. */
typedef struct NamedKind {
        const char *what;            /* "partner", "browser": messages and PIK_CHANGE */
        const char *action;          /* the polkit action */
        int (*remove)(PikDb *db, const char *name, bool force);
        int (*set_enabled)(PikDb *db, const char *name, bool enabled, const char *reason);
} NamedKind;

static const NamedKind partner_kind = {
        "partner", ACTION_MANAGE_PARTNERS, pik_partner_remove, pik_partner_set_enabled,
};
static const NamedKind browser_kind = {
        "browser", ACTION_MANAGE_BROWSERS, pik_browser_remove, pik_browser_set_enabled,
};

static Change named_change(const NamedKind *k, char *buf, size_t size, const char *verb, const char *name) {
        bool partner = k == &partner_kind;

        snprintf(buf, size, "%s-%s", k->what, verb);
        return (Change) { buf, name, .partner = partner ? name : NULL, .browser = partner ? NULL : name,
                          .config_id = -1 };
}

static int remove_named(sd_bus_message *msg, Manager *m, sd_bus_error *error, const NamedKind *k) {
        const char *name;
        char change[32];
        int force, r;

        r = sd_bus_message_read(msg, "sb", &name, &force);
        if (r < 0)
                return r;
        VERIFY_POLKIT(msg, k->action, m, error);

        r = k->remove(manager_db(m), name, force);
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        Change c = named_change(k, change, sizeof change, "remove", name);
        log_change(msg, &c, "Removed %s %s%s", k->what, name, force ? " (forced)" : "");
        return sd_bus_reply_method_return(msg, NULL);
}

static int set_named_enabled(sd_bus_message *msg, Manager *m, sd_bus_error *error, const NamedKind *k) {
        const char *name, *reason;
        char change[32];
        int enabled, r;

        r = sd_bus_message_read(msg, "sbs", &name, &enabled, &reason);
        if (r < 0)
                return r;
        VERIFY_POLKIT(msg, k->action, m, error);

        r = k->set_enabled(manager_db(m), name, enabled, enabled ? NULL : reason);
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        Change c = named_change(k, change, sizeof change, enabled ? "enable" : "disable", name);
        if (enabled)
                log_change(msg, &c, "Enabled %s %s", k->what, name);
        else
                log_change(msg, &c, "Disabled %s %s: %s", k->what, name, reason);
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_remove_partner(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return remove_named(msg, userdata, error, &partner_kind);
}

static int method_set_partner_enabled(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return set_named_enabled(msg, userdata, error, &partner_kind);
}

static int method_remove_browser(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return remove_named(msg, userdata, error, &browser_kind);
}

static int method_set_browser_enabled(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return set_named_enabled(msg, userdata, error, &browser_kind);
}

static int method_add_browser(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        PikBrowserSpec spec = {};
        const BusOption opts[] = {
                { "user_agent", "s", &spec.user_agent },
                { "webdriver_url", "s", &spec.webdriver_url },
                { "http_version", "s", &spec.http_version },
                { "headers", "s", &spec.headers },
                { "ca_file", "s", &spec.ca_file },
                { "resolve", "s", &spec.resolve },
        };
        int r;

        r = sd_bus_message_read(msg, "ss", &spec.name, &spec.engine);
        if (r < 0)
                return r;
        r = read_options(msg, "browser setting", opts, ELEMENTSOF(opts), error);
        if (r < 0)
                return r;
        VERIFY_POLKIT(msg, ACTION_MANAGE_BROWSERS, m, error);

        r = pik_browser_add(manager_db(m), &spec, now_utc());
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        log_change(msg, &(Change) { "browser-add", spec.name, .browser = spec.name, .config_id = -1 },
                   "Added browser %s (%s)", spec.name, spec.engine);
        return sd_bus_reply_method_return(msg, NULL);
}

static int read_config_options(sd_bus_message *msg, uint64_t allowed, PikJobConfigSpec *spec, uint64_t *ret_fields,
                               char ***ret_browsers, sd_bus_error *error) {
        _cleanup_free_ char *why = NULL;
        int r;

        r = pik_config_options_read(msg, allowed, spec, ret_fields, ret_browsers, &why);
        if (r == -EINVAL && why)
                return invalid(error, "%s", why);
        return r;
}

static int method_add_config(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_strv_free_ char **browsers = NULL, **none = NULL;
        _cleanup_free_ char *why = NULL;
        Manager *m = userdata;
        const char *schedule_type;
        PikJobConfigSpec spec = { .wait_sec = -1 };
        char object[32];
        uint64_t fields;
        int64_t id;
        int r;

        r = sd_bus_message_read(msg, "s", &spec.partner);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(msg, &browsers);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "sss", &spec.entry_url, &schedule_type, &spec.schedule);
        if (r < 0)
                return r;
        r = read_config_options(msg, PIK_CONFIG_FIELDS_ALL & ~PIK_CONFIG_FIELDS_ADD_FIXED, &spec, &fields, &none,
                                error);
        if (r < 0)
                return r;

        /* The fixed arguments' rules, from the table's module: one message
         * each, whether pikd or the library refuses. */
        r = pik_config_check_browsers(browsers, &why);
        if (r < 0)
                return why ? invalid(error, "%s", why) : r;
        spec.browsers = browsers;
        /* An empty type and schedule: it follows a named one (schedule_name). */
        if (*schedule_type || *spec.schedule) {
                r = pik_config_schedule_type_from_string(schedule_type, &spec.schedule_type, &why);
                if (r < 0)
                        return why ? invalid(error, "%s", why) : r;
                fields |= PIK_CONFIG_FIELD_SCHEDULE;
        } else
                spec.schedule = NULL;
        r = pik_jobconfig_resolve_schedule(manager_db(m), m->cfg, &spec, &fields);
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        VERIFY_POLKIT(msg, ACTION_MANAGE_CONFIGS, m, error);

        r = pik_jobconfig_add(manager_db(m), &spec, m->cfg->timezone, now_utc(), &id);
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        snprintf(object, sizeof object, "%lld", (long long) id);
        log_change(msg, &(Change) { "config-add", object, .partner = spec.partner, .config_id = id },
                   "Added configuration %lld for partner %s", (long long) id, spec.partner);
        return sd_bus_reply_method_return(msg, "x", id);
}

static int method_set_config(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_strv_free_ char **browsers = NULL;
        _cleanup_free_ char *changes = NULL;
        Manager *m = userdata;
        PikJobConfigSpec spec = { .wait_sec = -1 };
        char object[32];
        uint64_t fields;
        int64_t id;
        int r;

        r = sd_bus_message_read(msg, "x", &id);
        if (r < 0)
                return r;
        if (id <= 0)
                return invalid(error, "configuration id %lld is invalid: expected a positive number", (long long) id);
        r = read_config_options(msg, PIK_CONFIG_FIELDS_ALL, &spec, &fields, &browsers, error);
        if (r < 0)
                return r;
        if (fields == 0)
                return invalid(error, "nothing to change: no configuration option given");
        r = pik_jobconfig_resolve_schedule(manager_db(m), m->cfg, &spec, &fields);
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        VERIFY_POLKIT(msg, ACTION_MANAGE_CONFIGS, m, error);

        r = pik_jobconfig_set(manager_db(m), id, &spec, fields, m->cfg->timezone, now_utc(), &changes);
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        snprintf(object, sizeof object, "%lld", (long long) id);
        log_change(msg, &(Change) { "config-set", object, .config_id = id, .changes = changes,
                                    .message_id = PIK_MESSAGE_CONFIG_EDITED_STR },
                   "Changed configuration %lld: %s", (long long) id, *changes ? changes : "nothing changed");
        return sd_bus_reply_method_return(msg, "s", changes);
}

static int method_remove_config(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        char object[32];
        int64_t id;
        int r;

        r = sd_bus_message_read(msg, "x", &id);
        if (r < 0)
                return r;
        if (id <= 0)
                return invalid(error, "configuration id %lld is invalid: expected a positive number", (long long) id);
        VERIFY_POLKIT(msg, ACTION_MANAGE_CONFIGS, m, error);

        r = pik_jobconfig_remove(manager_db(m), id);
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        snprintf(object, sizeof object, "%lld", (long long) id);
        log_change(msg, &(Change) { "config-remove", object, .config_id = id },
                   "Removed configuration %lld", (long long) id);
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_set_config_enabled(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *reason;
        char object[32];
        int64_t id;
        int enabled, r;

        r = sd_bus_message_read(msg, "xbs", &id, &enabled, &reason);
        if (r < 0)
                return r;
        if (id <= 0)
                return invalid(error, "configuration id %lld is invalid: expected a positive number", (long long) id);
        VERIFY_POLKIT(msg, ACTION_MANAGE_CONFIGS, m, error);

        r = pik_jobconfig_set_enabled(manager_db(m), id, enabled, enabled ? NULL : reason);
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        snprintf(object, sizeof object, "%lld", (long long) id);
        if (enabled)
                log_change(msg, &(Change) { "config-enable", object, .config_id = id },
                           "Enabled configuration %lld", (long long) id);
        else
                log_change(msg, &(Change) { "config-disable", object, .config_id = id },
                           "Disabled configuration %lld: %s", (long long) id, reason);
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_run_now(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *partner, *browser;
        int r;

        r = sd_bus_message_read(msg, "ss", &partner, &browser);
        if (r < 0)
                return r;
        VERIFY_POLKIT(msg, ACTION_RUN_NOW, m, error);

        r = pik_job_run_now(manager_db(m), partner, *browser ? browser : NULL, now_utc());
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        log_change(msg, &(Change) { "run-now", partner, .partner = partner, .browser = *browser ? browser : NULL,
                                    .config_id = -1 },
                   "Queued %d job%s of partner %s%s%s", r, r == 1 ? "" : "s", partner,
                   *browser ? " in browser " : "", browser);
        return sd_bus_reply_method_return(msg, "u", (uint32_t) r);
}

/* Hold (x), HoldWith (xsx: with a reason, "" for none, and an end, 0 for
 * none) and Release (x). */
static int hold_or_release(sd_bus_message *msg, Manager *m, bool held, bool with, sd_bus_error *error) {
        const char *reason = "";
        char object[32], end[FORMAT_TIMESTAMP_MAX];
        int64_t id, until = 0, now = now_utc();
        int r;

        r = with ? sd_bus_message_read(msg, "xsx", &id, &reason, &until) : sd_bus_message_read(msg, "x", &id);
        if (r < 0)
                return r;
        if (id < 0)
                return invalid(error, "configuration id %lld is invalid: expected 0 (everything) or a positive number",
                               (long long) id);
        if (until < 0 || (until > 0 && until <= now))
                return invalid(error, "hold end %lld is invalid: expected 0 (until released) or a time in the future",
                               (long long) until);
        VERIFY_POLKIT(msg, ACTION_HOLD, m, error);

        r = held ? pik_job_hold(manager_db(m), id, *reason ? reason : NULL, until, now) : pik_job_release(manager_db(m), id);
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        snprintf(object, sizeof object, "%lld", (long long) id);
        log_change(msg, &(Change) { held ? "hold" : "release", object, .config_id = id,
                                    .message_id = held ? PIK_MESSAGE_HELD_STR : PIK_MESSAGE_RELEASED_STR },
                   "%s %s%s%s%s%s%s", held ? "Holding" : "Released", id == 0 ? "all checks" : "configuration ",
                   id == 0 ? "" : object, until > 0 ? " until " : "", until > 0 ? format_timestamp(end, until) : "",
                   *reason ? ": " : "", reason);
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_hold(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return hold_or_release(msg, userdata, true, false, error);
}

static int method_hold_with(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return hold_or_release(msg, userdata, true, true, error);
}

static int method_release(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return hold_or_release(msg, userdata, false, false, error);
}

static int method_list_maintenance(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_json_ json_object *o = NULL;
        Manager *m = userdata;

        return reply_json(m, msg, pik_maintenance_list(manager_db(m), now_utc(), &o), &o, error);
}

static int method_add_maintenance(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *scope, *target, *cron, *tz, *reason;
        Manager *m = userdata;
        PikMaintenanceSpec spec;
        char object[32];
        int64_t duration, id;
        int r;

        r = sd_bus_message_read(msg, "ssssxs", &scope, &target, &cron, &tz, &duration, &reason);
        if (r < 0)
                return r;
        spec = (PikMaintenanceSpec) {
                .scope = pik_maintenance_scope_from_string(scope),
                .target = target, .cron = cron, .timezone = *tz ? tz : m->cfg->timezone,
                .duration_sec = duration, .reason = reason,
        };
        if (spec.scope < 0)
                return invalid(error, "maintenance scope '%.32s' is invalid: expected all, partner or config", scope);
        VERIFY_POLKIT(msg, ACTION_MAINTENANCE, m, error);

        r = pik_maintenance_add(manager_db(m), &spec, now_utc(), &id);
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        snprintf(object, sizeof object, "%lld", (long long) id);
        log_change(msg, &(Change) { "maintenance-add", object,
                                    .partner = spec.scope == PIK_MAINTENANCE_PARTNER ? target : NULL },
                   "Added maintenance window %lld for %s%s%s: '%s' in %s for %llds: %s", (long long) id,
                   spec.scope == PIK_MAINTENANCE_ALL ? "all checks" : scope, spec.scope == PIK_MAINTENANCE_ALL ? "" : " ",
                   spec.scope == PIK_MAINTENANCE_ALL ? "" : target, cron, spec.timezone, (long long) duration, reason);
        return sd_bus_reply_method_return(msg, "x", id);
}

static int method_remove_maintenance(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        char object[32];
        int64_t id;
        int r;

        r = sd_bus_message_read(msg, "x", &id);
        if (r < 0)
                return r;
        if (id <= 0)
                return invalid(error, "maintenance window id %lld is invalid: expected a positive number", (long long) id);
        VERIFY_POLKIT(msg, ACTION_MAINTENANCE, m, error);

        r = pik_maintenance_remove(manager_db(m), id);
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        snprintf(object, sizeof object, "%lld", (long long) id);
        log_change(msg, &(Change) { "maintenance-remove", object }, "Removed maintenance window %lld", (long long) id);
        return sd_bus_reply_method_return(msg, NULL);
}

/* ---- the check's own calls ---- */

/* The caller must be the very unit the dispatcher started for this
 * execution. The unit comes from the caller's cgroup (augmented from /proc,
 * so only as good as the PID): it narrows who may try, and the key, checked
 * next by the library, is what proves it. */
static int verify_check_caller(sd_bus_message *msg, int64_t execution, sd_bus_error *error) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *c = NULL;
        char expected[PIK_CHECK_UNIT_MAX];
        const char *unit = NULL;
        int r;

        if (execution <= 0)
                return invalid(error, "execution id %lld is invalid: expected a positive number",
                               (long long) execution);
        pik_check_unit_name(expected, execution);

        r = sd_bus_query_sender_creds(msg, SD_BUS_CREDS_PID | SD_BUS_CREDS_UNIT | SD_BUS_CREDS_AUGMENT, &c);
        if (r >= 0)
                r = sd_bus_creds_get_unit(c, &unit);
        if (r < 0 || !unit) {
                log_debug_errno(r, "%s() for execution %lld: the caller's unit is unknown: %m",
                                sd_bus_message_get_member(msg), (long long) execution);
                return bus_error_set_errno_message(error, -EACCES, "Only unit pik-check@<execution>.service may "
                                                   "make this call; the caller's unit could not be determined.");
        }
        if (!streq(unit, expected)) {
                _cleanup_free_ char *text = NULL;

                log_debug("%s() for execution %lld refused: caller is %s.", sd_bus_message_get_member(msg),
                          (long long) execution, unit);
                if (asprintf(&text, "Only unit %s may make this call, not %.200s.", expected, unit) < 0)
                        return -ENOMEM;
                return bus_error_set_errno_message(error, -EACCES, text);
        }
        return 0;
}

static void emit_result_recorded(Manager *m, int64_t execution, const PikResultRecorded *rec) {
        const char *kind = outcome_kind_to_string(rec->outcome.kind) ?: "infrastructure";
        int r;

        r = sd_bus_emit_signal(m->bus, PIK_BUS_PATH, PIK_BUS_INTERFACE, "ResultRecorded", "xssss", execution,
                               rec->partner, rec->browser, rec->outcome.name, kind);
        if (r < 0)
                log_warning_errno(r, "Failed to emit ResultRecorded for execution %lld, ignoring: %m",
                                  (long long) execution);
}

static int method_get_job(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(erase_and_freep) char *text = NULL;
        _cleanup_free_ char *why = NULL;
        Manager *m = userdata;
        const char *key;
        int64_t execution;
        int r;

        r = sd_bus_message_read(msg, "xs", &execution, &key);
        if (r < 0)
                return r;
        r = verify_check_caller(msg, execution, error);
        if (r < 0)
                return r;

        r = pik_check_get_job(manager_db(m), m->cfg, execution, key, m->credentials_dir, now_utc(), &text, &why);
        if (r < 0) {
                log_debug("GetJob(%lld) refused: %s", (long long) execution, pik_db_error(m->db));
                return bus_error_set_from_db(error, m->db, r);
        }
        if (why)
                log_warning("Execution %lld gets no credentials: %s", (long long) execution, why);
        else
                log_debug("Handed execution %lld its job.", (long long) execution);
        /* The one reply that carries a partner's secret, to the one check
         * that proved who it is. The method is SENSITIVE, so sd-bus erases
         * both messages; text is erased when it goes out of scope. */
        return sd_bus_reply_method_return(msg, "s", text);
}

static int method_report_progress(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *key, *progress;
        int64_t execution;
        int r;

        r = sd_bus_message_read(msg, "xss", &execution, &key, &progress);
        if (r < 0)
                return r;
        r = verify_check_caller(msg, execution, error);
        if (r < 0)
                return r;

        r = pik_execution_set_progress(manager_db(m), execution, key, progress);
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);
        return sd_bus_reply_method_return(msg, NULL);
}

/* A file of a failed check's evidence, handed over as a file descriptor:
 * the check writes nothing on the host, pikd keeps the file as root's in
 * the execution's evidence directory (evidence-store.h). */
static int method_keep_evidence(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *key, *name;
        int64_t execution;
        int fd, r;

        r = sd_bus_message_read(msg, "xssh", &execution, &key, &name, &fd);
        if (r < 0)
                return r;
        r = verify_check_caller(msg, execution, error);
        if (r < 0)
                return r;
        r = pik_check_authenticate(manager_db(m), execution, key);
        if (r < 0)
                return bus_error_set_from_db(error, m->db, r);

        r = pik_evidence_store(m->evidence_dir, execution, name, fd);
        switch (r) {
        case 0:
                log_debug("Kept %s of execution %lld.", name, (long long) execution);
                return sd_bus_reply_method_return(msg, NULL);
        case -EINVAL:
                return sd_bus_error_setf(error, PIK_BUS_ERROR_INVALID_ARGUMENT,
                                         "'%s' is not an evidence file name ([A-Za-z0-9._-], no leading dot, "
                                         "at most %d bytes).", SNIPPET(name), PIK_EVIDENCE_NAME_MAX);
        case -EBADFD:
                return sd_bus_error_setf(error, PIK_BUS_ERROR_INVALID_ARGUMENT, "Evidence must be a regular file.");
        case -EFBIG:
                return sd_bus_error_setf(error, PIK_BUS_ERROR_INVALID_ARGUMENT, "Evidence file %s is larger than %u bytes.",
                                         name, PIK_EVIDENCE_FILE_SIZE_MAX);
        case -E2BIG:
                return sd_bus_error_setf(error, PIK_BUS_ERROR_INVALID_ARGUMENT,
                                         "Execution %lld already has %d evidence files.", (long long) execution,
                                         PIK_EVIDENCE_FILES_MAX);
        case -EEXIST:
                return sd_bus_error_setf(error, PIK_BUS_ERROR_ALREADY_EXISTS, "Execution %lld already has %s.",
                                         (long long) execution, name);
        default:
                log_warning_errno(r, "Failed to keep %s of execution %lld in %s: %m", name, (long long) execution,
                                  m->evidence_dir);
                return sd_bus_error_setf(error, PIK_BUS_ERROR_FAILED, "Failed to keep %s: %s", name, strerror(-r));
        }
}

static int method_report_result(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *key, *json;
        PikResultRecorded rec;
        int64_t execution;
        int r;

        r = sd_bus_message_read(msg, "xss", &execution, &key, &json);
        if (r < 0)
                return r;
        r = verify_check_caller(msg, execution, error);
        if (r < 0)
                return r;

        r = pik_check_report_result(manager_db(m), m->cfg, execution, key, json, now_utc(), &rec);
        if (r < 0) {
                log_debug("ReportResult(%lld) refused: %s", (long long) execution, pik_db_error(m->db));
                return bus_error_set_from_db(error, m->db, r);
        }
        /* The check logs its outcome itself (PIK_MESSAGE_SUCCESS/FAILURE). */
        log_debug("Execution %lld reported %s.", (long long) execution, rec.outcome.name);
        pik_journal_retry(manager_db(m), execution, &rec, now_utc());
        emit_result_recorded(m, execution, &rec);
        if (rec.notifications > 0)
                notify_start_pending(m);
        return sd_bus_reply_method_return(msg, NULL);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),

        /* Reads. UNPRIVILEGED everywhere: sd-bus would otherwise demand
         * CAP_SYS_ADMIN; pikd decides itself (polkit, or the check's unit
         * and key). */
        SD_BUS_METHOD_WITH_ARGS("Status", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", json),
                                method_status, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListPartners", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", json),
                                method_list_partners, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ShowPartner", SD_BUS_ARGS("s", code), SD_BUS_RESULT("s", json),
                                method_show_partner, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListBrowsers", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", json),
                                method_list_browsers, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ShowBrowser", SD_BUS_ARGS("s", name), SD_BUS_RESULT("s", json),
                                method_show_browser, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListConfigs", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", json),
                                method_list_configs, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ShowConfig", SD_BUS_ARGS("x", id), SD_BUS_RESULT("s", json),
                                method_show_config, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListJobs", SD_BUS_ARGS("s", filter), SD_BUS_RESULT("s", json),
                                method_list_jobs, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListExecutions", SD_BUS_ARGS("s", partner, "t", limit), SD_BUS_RESULT("s", json),
                                method_list_executions, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ShowExecution", SD_BUS_ARGS("x", id), SD_BUS_RESULT("s", json),
                                method_show_execution, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListResults",
                                SD_BUS_ARGS("s", partner, "s", browser, "s", kind, "x", since, "t", limit),
                                SD_BUS_RESULT("s", json),
                                method_list_results, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ShowResult", SD_BUS_ARGS("x", id), SD_BUS_RESULT("s", json),
                                method_show_result, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListOutcomes", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", json),
                                method_list_outcomes, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("History", SD_BUS_ARGS("s", partner, "u", days), SD_BUS_RESULT("s", json),
                                method_history, SD_BUS_VTABLE_UNPRIVILEGED),

        /* Changes. */
        SD_BUS_METHOD_WITH_ARGS("AddPartner", SD_BUS_ARGS("s", code, "s", name), SD_BUS_NO_RESULT,
                                method_add_partner, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RemovePartner", SD_BUS_ARGS("s", code, "b", force), SD_BUS_NO_RESULT,
                                method_remove_partner, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetPartnerEnabled", SD_BUS_ARGS("s", code, "b", enabled, "s", reason),
                                SD_BUS_NO_RESULT, method_set_partner_enabled, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("AddBrowser", SD_BUS_ARGS("s", name, "s", engine, "a{sv}", settings),
                                SD_BUS_NO_RESULT, method_add_browser, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RemoveBrowser", SD_BUS_ARGS("s", name, "b", force), SD_BUS_NO_RESULT,
                                method_remove_browser, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetBrowserEnabled", SD_BUS_ARGS("s", name, "b", enabled, "s", reason),
                                SD_BUS_NO_RESULT, method_set_browser_enabled, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("AddConfig",
                                SD_BUS_ARGS("s", partner, "as", browsers, "s", entry_url, "s", schedule_type,
                                            "s", schedule, "a{sv}", options),
                                SD_BUS_RESULT("x", id), method_add_config, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetConfig", SD_BUS_ARGS("x", id, "a{sv}", options), SD_BUS_RESULT("s", changes),
                                method_set_config, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RemoveConfig", SD_BUS_ARGS("x", id), SD_BUS_NO_RESULT,
                                method_remove_config, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetConfigEnabled", SD_BUS_ARGS("x", id, "b", enabled, "s", reason),
                                SD_BUS_NO_RESULT, method_set_config_enabled, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RunNow", SD_BUS_ARGS("s", partner, "s", browser), SD_BUS_RESULT("u", queued),
                                method_run_now, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Hold", SD_BUS_ARGS("x", config_id), SD_BUS_NO_RESULT,
                                method_hold, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("HoldWith", SD_BUS_ARGS("x", config_id, "s", reason, "x", until), SD_BUS_NO_RESULT,
                                method_hold_with, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Release", SD_BUS_ARGS("x", config_id), SD_BUS_NO_RESULT,
                                method_release, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListMaintenance", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", json),
                                method_list_maintenance, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("AddMaintenance",
                                SD_BUS_ARGS("s", scope, "s", target, "s", cron, "s", timezone, "x", duration,
                                            "s", reason),
                                SD_BUS_RESULT("x", id), method_add_maintenance, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RemoveMaintenance", SD_BUS_ARGS("x", id), SD_BUS_NO_RESULT,
                                method_remove_maintenance, SD_BUS_VTABLE_UNPRIVILEGED),

        /* The check's own. */
        SD_BUS_METHOD_WITH_ARGS("GetJob", SD_BUS_ARGS("x", execution, "s", key), SD_BUS_RESULT("s", json),
                                method_get_job, SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
        SD_BUS_METHOD_WITH_ARGS("ReportProgress", SD_BUS_ARGS("x", execution, "s", key, "s", progress),
                                SD_BUS_NO_RESULT, method_report_progress,
                                SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
        SD_BUS_METHOD_WITH_ARGS("KeepEvidence", SD_BUS_ARGS("x", execution, "s", key, "s", name, "h", file),
                                SD_BUS_NO_RESULT, method_keep_evidence,
                                SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
        SD_BUS_METHOD_WITH_ARGS("ReportResult", SD_BUS_ARGS("x", execution, "s", key, "s", result),
                                SD_BUS_NO_RESULT, method_report_result,
                                SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),

        SD_BUS_SIGNAL_WITH_ARGS("ResultRecorded",
                                SD_BUS_ARGS("x", execution, "s", partner, "s", browser, "s", outcome, "s", kind), 0),

        SD_BUS_VTABLE_END
};

/* ---- exit on idle ---- */

static int idle_arm(Manager *m, uint64_t usec) {
        uint64_t now;
        int r;

        if (!m->idle_timer)
                return 0;
        r = sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return r;
        r = sd_event_source_set_time(m->idle_timer, now + usec);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(m->idle_timer, SD_EVENT_ONESHOT);
}

static int on_name_released(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;

        /* Calls routed to us before the name went were delivered before
         * this reply, and have been dispatched: what may remain is polkit's
         * answers to some of them, which on_idle waits for. */
        if (sd_bus_message_is_method_error(reply, NULL))
                log_debug("Releasing %s failed, exiting anyway: %s", PIK_BUS_NAME,
                          sd_bus_message_get_error(reply)->message);
        return idle_arm(m, 0);
}

static int on_idle(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        int r;

        if (polkit_registry_pending(m->polkit) > 0)
                /* Someone waits for polkit (maybe for a person to type a
                 * password): their answer is due first. */
                return idle_arm(m, m->exiting ? EXIT_RECHECK_USEC : m->idle_usec);

        if (m->exiting)
                return sd_event_exit(m->event, 0);

        /* Give up the name first, so that the bus activates a new pikd for
         * the next call instead of handing it to one about to exit. */
        log_debug("Idle for %llu s, exiting.", (unsigned long long) (m->idle_usec / UINT64_C(1000000)));
        m->exiting = true;
        r = sd_bus_release_name_async(m->bus, NULL, PIK_BUS_NAME, on_name_released, m);
        if (r < 0) {
                log_warning_errno(r, "Failed to release %s, exiting anyway: %m", PIK_BUS_NAME);
                return sd_event_exit(m->event, 0);
        }
        return 0;
}

static int on_message(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;
        uint8_t type;

        /* Every call counts as activity; replies and signals do not. */
        if (!m->exiting && sd_bus_message_get_type(msg, &type) >= 0 && type == SD_BUS_MESSAGE_METHOD_CALL)
                (void) idle_arm(m, m->idle_usec);
        return 0;
}

/* ---- setup ---- */

int manager_new(PikConfig *cfg, PikDb *db, const char *credentials_dir, const char *evidence_dir, uint64_t idle_usec,
                Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        m->idle_usec = idle_usec;
        m->credentials_dir = credentials_dir;
        m->evidence_dir = evidence_dir;

        r = polkit_registry_new(&m->polkit);
        if (r < 0)
                return r;
        r = sd_event_default(&m->event);
        if (r < 0)
                return r;
        r = sd_event_set_watchdog(m->event, true);
        if (r < 0)
                return r;
        /* SIGTERM and SIGINT end the loop (sd-event's default handler);
         * they are blocked by main so that sd-event gets them. */
        r = sd_event_add_signal(m->event, NULL, SIGTERM, NULL, NULL);
        if (r < 0)
                return r;
        r = sd_event_add_signal(m->event, NULL, SIGINT, NULL, NULL);
        if (r < 0)
                return r;

        /* Taken over only on success: the caller still owns them otherwise. */
        m->cfg = cfg;
        m->db = db;
        *ret = TAKE_PTR(m);
        return 0;
}

int manager_reload(Manager *m) {
        _cleanup_(pik_config_freep) PikConfig *cfg = NULL;
        _cleanup_free_ char *error = NULL;
        const char *path = m->config_path ?: PIK_CONFIG_PATH;
        int r;

        r = pik_config_load(path, !m->config_path, &cfg, &error);
        if (r < 0)
                return log_error_errno(r, "Failed to reload %s, keeping the running configuration: %s",
                                       path, error ?: strerror(-r));
        if (!streq_ptr(cfg->database, m->cfg->database))
                log_warning("The database moved to %s in %s; pikd keeps using %s until it is restarted.",
                            cfg->database, path, m->cfg->database);
        pik_config_free(m->cfg);
        m->cfg = TAKE_PTR(cfg);
        log_info("Reloaded the configuration from %s.", path);
        return 0;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        (void) manager_reload(userdata);
        return 0;
}

int manager_enable_reload(Manager *m, const char *config_path) {
        m->config_path = config_path;
        return sd_event_add_signal(m->event, NULL, SIGHUP, on_sighup, m);
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        /* Pending polkit questions hold slots on the bus: drop them first. */
        polkit_registry_free(m->polkit);
        sd_event_source_unref(m->idle_timer);
        sd_bus_flush_close_unref(m->bus);
        sd_event_unref(m->event);
        pik_db_close(m->db);
        pik_config_free(m->cfg);
        free(m);
        return NULL;
}

int manager_connect_bus(Manager *m, const char *address) {
        int r;

        if (address) {
                /* A private bus (tests): the same as the system bus but for
                 * where it is. */
                r = sd_bus_new(&m->bus);
                if (r < 0)
                        return log_error_errno(r, "Failed to allocate a bus connection: %m");
                r = sd_bus_set_address(m->bus, address);
                if (r < 0)
                        return log_error_errno(r, "Invalid bus address %s: %m", address);
                r = sd_bus_set_bus_client(m->bus, true);
                if (r < 0)
                        return log_error_errno(r, "Failed to set up the bus connection: %m");
                r = sd_bus_start(m->bus);
                if (r < 0)
                        return log_error_errno(r, "Failed to connect to the bus at %s: %m", address);
        } else {
                r = sd_bus_open_system(&m->bus);
                if (r < 0)
                        return log_error_errno(r, "Failed to connect to the system bus: %m");
        }

        /* Without the bus there is nothing to serve: end with it. */
        r = sd_bus_set_exit_on_disconnect(m->bus, true);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the bus connection: %m");

        r = sd_bus_add_object_vtable(m->bus, NULL, PIK_BUS_PATH, PIK_BUS_INTERFACE, manager_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to add the %s object: %m", PIK_BUS_PATH);
        r = sd_bus_add_object_vtable(m->bus, NULL, PIK_BUS_PATH, PIK_BUS_INTERFACE, notify_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to add the notification methods to %s: %m", PIK_BUS_PATH);
        r = sd_bus_add_filter(m->bus, NULL, on_message, m);
        if (r < 0)
                return log_error_errno(r, "Failed to add the bus filter: %m");
        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");

        /* Last: from here on calls arrive, and everything is in place. */
        r = sd_bus_request_name(m->bus, PIK_BUS_NAME, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire the bus name %s: %m", PIK_BUS_NAME);
        return 0;
}

int manager_run(Manager *m) {
        uint64_t now;
        int r;

        if (m->idle_usec > 0) {
                r = sd_event_now(m->event, CLOCK_MONOTONIC, &now);
                if (r < 0)
                        return log_error_errno(r, "Failed to read the clock: %m");
                r = sd_event_add_time(m->event, &m->idle_timer, CLOCK_MONOTONIC, now + m->idle_usec, 0, on_idle, m);
                if (r < 0)
                        return log_error_errno(r, "Failed to set up the idle timer: %m");
        }

        log_debug("Serving %s on %s.", PIK_BUS_NAME, pik_db_path(m->db));
        r = sd_event_loop(m->event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        /* Replies still queued go out before the connection closes. */
        (void) sd_bus_flush(m->bus);
        return 0;
}
