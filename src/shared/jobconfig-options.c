/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "jobconfig-options.h"
#include "string-util.h"
#include "validate.h"

/* Each rule once: the row's `what` names the value in its message. */

static int check_name(PikDb *db, const PikConfigOption *o, const PikJobConfigSpec *spec) {
        return spec->name ? pik_validate_code(db, o->what, spec->name) : 0;
}

static int check_browsers(PikDb *db, const PikConfigOption *o, const PikJobConfigSpec *spec) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = pik_config_check_browsers(spec->browsers, &error);
        if (r < 0)
                return pik_db_set_error(db, r, "%s", error ?: "invalid browsers");
        return 0;
}

static int check_url(PikDb *db, const PikConfigOption *o, const PikJobConfigSpec *spec) {
        const char *v = *(const char **) pik_config_option_member(spec, o);

        /* Only the entry URL is required: the others are optional settings. */
        if (o->field == PIK_CONFIG_FIELD_ENTRY_URL && (!v || !*v))
                return pik_db_set_error(db, -EINVAL, "an %s is needed (--%s %s)", o->what, o->cli, o->metavar);
        return pik_validate_url(db, o->what, v, true);
}

static int check_schedule(PikDb *db, const PikConfigOption *o, const PikJobConfigSpec *spec) {
        /* Whether it parses, in its zone, is pik_jobconfig_validate()'s:
         * that rule spans two rows. */
        if (!schedule_type_to_string(spec->schedule_type) || !spec->schedule)
                return pik_db_set_error(db, -EINVAL,
                                        "a schedule is needed (--every, --at, --cron or --schedule NAME)");
        return pik_validate_text(db, o->what, spec->schedule, 256, false);
}

static int check_timezone(PikDb *db, const PikConfigOption *o, const PikJobConfigSpec *spec) {
        return pik_validate_text(db, o->what, spec->timezone, 64, false);
}

static int check_wait(PikDb *db, const PikConfigOption *o, const PikJobConfigSpec *spec) {
        if (spec->wait_sec < -1 || spec->wait_sec > PIK_CONFIG_WAIT_MAX)
                return pik_db_set_error(db, -EINVAL, "%s must be between 0 and %d seconds", o->what,
                                        PIK_CONFIG_WAIT_MAX);
        return 0;
}

static int check_marker(PikDb *db, const PikConfigOption *o, const PikJobConfigSpec *spec) {
        return pik_validate_text(db, o->what, *(const char **) pik_config_option_member(spec, o), PIK_TEXT_MAX, true);
}

static int check_xpath(PikDb *db, const PikConfigOption *o, const PikJobConfigSpec *spec) {
        const char *v = *(const char **) pik_config_option_member(spec, o);
        return v ? pik_validate_xpath(db, o->what, v) : 0;
}

static int check_field_name(PikDb *db, const PikConfigOption *o, const PikJobConfigSpec *spec) {
        const char *v = *(const char **) pik_config_option_member(spec, o);
        return v ? pik_validate_field_name(db, o->what, v) : 0;
}

static int check_flow(PikDb *db, const PikConfigOption *o, const PikJobConfigSpec *spec) {
        return pik_validate_flow(db, spec->flow);
}

#define ROW_FLAGS(id, fl, k, c, mv, t, f, member, w, chk, h) \
        [PIK_CONFIG_OPT_##id] = { .key = k, .cli = c, .metavar = mv, .type = PIK_CONFIG_OPTION_##t, .flags = fl, \
                                  .field = PIK_CONFIG_FIELD_##f, .offset = offsetof(PikJobConfigSpec, member), \
                                  .what = w, .check = chk, .help = h }
#define ROW(id, ...) ROW_FLAGS(id, 0, __VA_ARGS__)
/* The three ways pikctl spells a schedule: both schedule_type and schedule. */
#define SCHEDULE_ROW(id, c, mv, st, h) \
        [PIK_CONFIG_OPT_##id] = { .cli = c, .metavar = mv, .type = PIK_CONFIG_OPTION_SCHEDULE, \
                                  .field = PIK_CONFIG_FIELD_SCHEDULE, .offset = offsetof(PikJobConfigSpec, schedule), \
                                  .schedule_type = st, .what = "schedule", .help = h }

const PikConfigOption pik_config_options[_PIK_CONFIG_OPT_MAX] = {
        ROW(NAME, "name", "name", "NAME", TEXT, NAME, name, "name", check_name,
            "short name of the check, unique per partner"),
        ROW(BROWSERS, "browsers", "browsers", "NAME[,NAME…]", BROWSERS, BROWSERS, browsers, "browsers", check_browsers,
            "browsers to check in (config set: the new set)"),
        ROW(ENTRY_URL, "entry_url", "url", "ENTRY_URL", TEXT, ENTRY_URL, entry_url, "entry URL", check_url,
            "where the login starts"),
        SCHEDULE_ROW(EVERY, "every", "DURATION", SCHEDULE_INTERVAL, "run at this interval (5m, 1h30m)"),
        SCHEDULE_ROW(AT, "at", "HH:MM[,HH:MM…]", SCHEDULE_DAILY, "run daily at these local times"),
        SCHEDULE_ROW(CRON, "cron", "'MIN HOUR DAY MONTH WEEKDAY'", SCHEDULE_CRON,
                     "run when this cron expression says ('*/5 * * * *')"),
        ROW(SCHEDULE_TYPE, "schedule_type", NULL, NULL, SCHEDULE_TYPE, SCHEDULE, schedule_type, "schedule type", NULL,
            "interval, daily or cron; with schedule"),
        ROW(SCHEDULE, "schedule", NULL, NULL, TEXT, SCHEDULE, schedule, "schedule", check_schedule,
            "the schedule's text (5m, 08:00, a cron line)"),
        ROW(SCHEDULE_NAME, "schedule_name", "schedule", "NAME", TEXT, SCHEDULE_NAME, schedule_name, "default schedule",
            NULL, "follow a schedule named in pik.conf (config set: '' stops following it)"),
        ROW(TIMEZONE, "timezone", "tz", "ZONE", TEXT, TIMEZONE, timezone, "time zone", check_timezone,
            "time zone the schedule is read in (default: pik.conf's)"),
        ROW(SSO, "sso", "sso", NULL, BOOL, SSO, sso, "SSO", NULL, "log in through the identity provider"),
        ROW(EXPRESS, "express_checkout", "express-checkout", NULL, BOOL, EXPRESS, express_checkout, "express checkout",
            NULL, "run the express checkout after the login"),
        ROW(PRODUCT_URL, "product_url", "product-url", "URL", TEXT, PRODUCT_URL, product_url, "product URL", check_url,
            "a custom product page to open after the login"),
        ROW(WAIT, "wait", "wait", "SECONDS", WAIT, WAIT, wait_sec, "wait", check_wait,
            "extra wait for late pages, 0.." STRINGIFY(PIK_CONFIG_WAIT_MAX) " s (config set: '' is the engine's default)"),
        ROW(SUCCESS_MARKER, "success_marker", "success-marker", "TEXT", TEXT, SUCCESS_MARKER, success_marker,
            "success marker", check_marker, "text the page shows after a login"),
        ROW(FAILURE_MARKER, "failure_marker", "failure-marker", "TEXT", TEXT, FAILURE_MARKER, failure_marker,
            "failure marker", check_marker, "text of a refused login"),
        ROW(SUCCESS_XPATH, "success_xpath", "success-xpath", "XPATH", TEXT, SUCCESS_XPATH, success_xpath,
            "success XPath", check_xpath, "XPath present after a login"),
        ROW(FAILURE_XPATH, "failure_xpath", "failure-xpath", "XPATH", TEXT, FAILURE_XPATH, failure_xpath,
            "failure XPath", check_xpath, "XPath of a refused login"),
        ROW(LOGIN_FORM, "login_form", "login-form", "XPATH", TEXT, LOGIN_FORM, login_form, "login form", check_xpath,
            "XPath of the login form"),
        ROW(USERNAME_FIELD, "username_field", "username-field", "NAME", TEXT, USERNAME_FIELD, username_field,
            "username field", check_field_name, "the form's user name field"),
        ROW(PASSWORD_FIELD, "password_field", "password-field", "NAME", TEXT, PASSWORD_FIELD, password_field,
            "password field", check_field_name, "the form's password field"),
        ROW(CSRF_META, "csrf_meta", "csrf-meta", "NAME", TEXT, CSRF_META, csrf_meta, "CSRF meta", check_field_name,
            "meta tag holding the CSRF token"),
        ROW(CHECKOUT_URL, "checkout_url", "checkout-url", "URL", TEXT, CHECKOUT_URL, checkout_url, "checkout URL",
            check_url, "the express checkout's page"),
        ROW_FLAGS(FLOW, PIK_CONFIG_OPTION_CLI_FILE, "flow", "flow", "FILE", TEXT, FLOW, flow, "flow", check_flow,
                  "explicit login steps, a JSON file (docs/JOB.md; config set: '' clears)"),
};

/* One bit per row in pikctl's and the decoder's masks. */
_Static_assert(_PIK_CONFIG_OPT_MAX <= 64, "one bit per row");

const PikConfigOption *pik_config_option_by_cli(const char *cli) {
        for (size_t i = 0; i < pik_config_options_count; i++)
                if (streq_ptr(pik_config_options[i].cli, cli))
                        return &pik_config_options[i];
        return NULL;
}

const char *pik_config_option_column(const PikConfigOption *o) {
        switch (o->type) {
        case PIK_CONFIG_OPTION_WAIT:
                return "wait_sec";      /* the column says its unit */
        case PIK_CONFIG_OPTION_BROWSERS:
        case PIK_CONFIG_OPTION_SCHEDULE:
                return NULL;
        default:
                return o->key;
        }
}

char *pik_config_options_columns(PikConfigColumnsAs as) {
        char *buf = NULL;
        size_t size = 0;
        bool first = true;
        FILE *f;

        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        for (size_t i = 0; i < pik_config_options_count; i++) {
                const char *col = pik_config_option_column(&pik_config_options[i]);

                if (!col)
                        continue;
                fputs(first ? "" : ", ", f);
                first = false;
                switch (as) {
                case PIK_CONFIG_COLUMNS_NAMES:
                        fputs(col, f);
                        break;
                case PIK_CONFIG_COLUMNS_QUALIFIED:
                        fprintf(f, "c.%s", col);
                        break;
                case PIK_CONFIG_COLUMNS_ASSIGN:
                        fprintf(f, "%s = ?", col);
                        break;
                case PIK_CONFIG_COLUMNS_PLACEHOLDERS:
                        fputc('?', f);
                        break;
                }
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

int pik_config_options_bind(sqlite3_stmt *s, int first, const PikJobConfigSpec *spec, const char *tz) {
        int i = first;

        for (size_t row = 0; row < pik_config_options_count; row++) {
                const PikConfigOption *o = &pik_config_options[row];
                const void *v = pik_config_option_member(spec, o);

                if (!pik_config_option_column(o))
                        continue;
                switch (o->type) {
                case PIK_CONFIG_OPTION_TEXT:
                        pik_db_bind_text_optional(s, i, row == PIK_CONFIG_OPT_TIMEZONE ? tz : *(const char * const *) v);
                        break;
                case PIK_CONFIG_OPTION_BOOL:
                        sqlite3_bind_int(s, i, *(const bool *) v);
                        break;
                case PIK_CONFIG_OPTION_WAIT:
                        if (*(const int *) v >= 0)
                                sqlite3_bind_int(s, i, *(const int *) v);
                        else
                                sqlite3_bind_null(s, i);
                        break;
                case PIK_CONFIG_OPTION_SCHEDULE_TYPE:
                        sqlite3_bind_text(s, i, schedule_type_to_string(*(const ScheduleType *) v), -1, SQLITE_STATIC);
                        break;
                case PIK_CONFIG_OPTION_BROWSERS:
                case PIK_CONFIG_OPTION_SCHEDULE:
                        break;          /* no column */
                }
                i++;
        }
        return i;
}

int pik_config_options_check(PikDb *db, const PikJobConfigSpec *spec) {
        int r;

        for (size_t i = 0; i < pik_config_options_count; i++) {
                const PikConfigOption *o = &pik_config_options[i];

                if (!o->check)
                        continue;
                r = o->check(db, o, spec);
                if (r < 0)
                        return r;
        }
        return 0;
}

_printf_(2, 3)
static int refuse(char **ret_error, const char *fmt, ...) {
        va_list ap;

        if (ret_error) {
                va_start(ap, fmt);
                if (vasprintf(ret_error, fmt, ap) < 0)
                        *ret_error = NULL;
                va_end(ap);
        }
        return -EINVAL;
}

int pik_config_check_browsers(char * const *browsers, char **ret_error) {
        size_t n = strv_length((char **) browsers);

        if (n == 0)
                return refuse(ret_error, "at least one browser is needed (--browsers NAME[,NAME…])");
        if (n > PIK_CONFIG_BROWSERS_MAX)
                return refuse(ret_error, "at most %d browsers per configuration", PIK_CONFIG_BROWSERS_MAX);
        return 0;
}

int pik_config_schedule_type_from_string(const char *s, ScheduleType *ret, char **ret_error) {
        ScheduleType t = schedule_type_from_string(s);

        if (t < 0)
                return refuse(ret_error, "schedule type '%s' is invalid: expected interval, daily or cron", SNIPPET(s));
        *ret = t;
        return 0;
}

static const char *signature(PikConfigOptionType t) {
        switch (t) {
        case PIK_CONFIG_OPTION_BOOL:
                return "b";
        case PIK_CONFIG_OPTION_WAIT:
                return "i";
        case PIK_CONFIG_OPTION_BROWSERS:
                return "as";
        default:
                return "s";
        }
}

int pik_config_options_append(sd_bus_message *m, const PikJobConfigSpec *spec, uint64_t fields) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "{sv}");
        for (size_t i = 0; r >= 0 && i < pik_config_options_count; i++) {
                const PikConfigOption *o = &pik_config_options[i];
                void *v = pik_config_option_member(spec, o);

                if (!o->key || !(fields & o->field))
                        continue;
                r = sd_bus_message_open_container(m, 'e', "sv");
                if (r >= 0)
                        r = sd_bus_message_append(m, "s", o->key);
                if (r >= 0)
                        r = sd_bus_message_open_container(m, 'v', signature(o->type));
                if (r < 0)
                        break;
                switch (o->type) {
                case PIK_CONFIG_OPTION_TEXT:
                        r = sd_bus_message_append(m, "s", *(const char **) v ?: "");
                        break;
                case PIK_CONFIG_OPTION_BOOL:
                        r = sd_bus_message_append(m, "b", (int) *(bool *) v);
                        break;
                case PIK_CONFIG_OPTION_WAIT:
                        r = sd_bus_message_append(m, "i", (int32_t) *(int *) v);
                        break;
                case PIK_CONFIG_OPTION_BROWSERS:
                        r = sd_bus_message_append_strv(m, *(char ***) v);
                        break;
                case PIK_CONFIG_OPTION_SCHEDULE_TYPE:
                        r = sd_bus_message_append(m, "s", schedule_type_to_string(*(ScheduleType *) v) ?: "");
                        break;
                case PIK_CONFIG_OPTION_SCHEDULE:
                        break;          /* no key of its own: skipped above */
                }
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static int read_value(sd_bus_message *m, const PikConfigOption *o, PikJobConfigSpec *spec, char ***browsers,
                      char **ret_error) {
        void *v = pik_config_option_member(spec, o);
        const char *s;
        int32_t i;
        int b, r;

        switch (o->type) {
        case PIK_CONFIG_OPTION_TEXT:
                r = sd_bus_message_read(m, "s", &s);
                if (r >= 0)
                        *(const char **) v = *s ? s : NULL;
                return r;
        case PIK_CONFIG_OPTION_BOOL:
                r = sd_bus_message_read(m, "b", &b);
                if (r >= 0)
                        *(bool *) v = b;
                return r;
        case PIK_CONFIG_OPTION_WAIT:
                r = sd_bus_message_read(m, "i", &i);
                if (r >= 0)
                        *(int *) v = i;
                return r;
        case PIK_CONFIG_OPTION_BROWSERS:
                r = sd_bus_message_read_strv(m, browsers);
                if (r >= 0)
                        *(char ***) v = *browsers;
                return r;
        case PIK_CONFIG_OPTION_SCHEDULE_TYPE:
                r = sd_bus_message_read(m, "s", &s);
                if (r < 0)
                        return r;
                return pik_config_schedule_type_from_string(s, (ScheduleType *) v, ret_error);
        case PIK_CONFIG_OPTION_SCHEDULE:
                break;
        }
        return -EINVAL;
}

int pik_config_options_read(sd_bus_message *m, uint64_t allowed, PikJobConfigSpec *spec, uint64_t *ret_fields,
                            char ***ret_browsers, char **ret_error) {
        _cleanup_strv_free_ char **browsers = NULL;
        uint64_t seen_rows = 0, fields = 0;
        bool have_type = false, have_schedule = false;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        for (;;) {
                const char *key, *contents;
                size_t i;

                r = sd_bus_message_enter_container(m, 'e', "sv");
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                for (i = 0; i < pik_config_options_count; i++)
                        if (streq_ptr(pik_config_options[i].key, key))
                                break;
                if (i == pik_config_options_count || !(allowed & pik_config_options[i].field))
                        return refuse(ret_error, "unknown configuration option '%s'", SNIPPET(key));
                /* One bit per row: the table is well under 64 rows. */
                if (seen_rows & (UINT64_C(1) << i))
                        return refuse(ret_error, "configuration option '%s' given twice", key);
                seen_rows |= UINT64_C(1) << i;

                r = sd_bus_message_peek_type(m, NULL, &contents);
                if (r < 0)
                        return r;
                if (!streq(contents, signature(pik_config_options[i].type)))
                        return refuse(ret_error, "configuration option '%s' must be of type '%s', not '%s'", key,
                                      signature(pik_config_options[i].type), SNIPPET(contents));
                r = sd_bus_message_enter_container(m, 'v', contents);
                if (r < 0)
                        return r;
                r = read_value(m, &pik_config_options[i], spec, &browsers, ret_error);
                if (r < 0)
                        return r;
                if (pik_config_options[i].type == PIK_CONFIG_OPTION_SCHEDULE_TYPE)
                        have_type = true;
                else if (pik_config_options[i].field == PIK_CONFIG_FIELD_SCHEDULE)
                        have_schedule = true;
                fields |= pik_config_options[i].field;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        if (have_type != have_schedule)
                return refuse(ret_error, "configuration options 'schedule_type' and 'schedule' go together");
        if (browsers) {
                r = pik_config_check_browsers(browsers, ret_error);
                if (r < 0)
                        return r;
        }
        *ret_fields = fields;
        *ret_browsers = TAKE_PTR(browsers);
        return 0;
}
