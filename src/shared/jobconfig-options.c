/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "jobconfig-options.h"
#include "string-util.h"

#define OPT(k, t, f, member, c, h) { k, PIK_CONFIG_OPTION_##t, PIK_CONFIG_FIELD_##f, offsetof(PikJobConfigSpec, member), c, h }

const PikConfigOption pik_config_options[] = {
        OPT("name", TEXT, NAME, name, "--name", "short name of the check, unique per partner"),
        OPT("browsers", BROWSERS, BROWSERS, browsers, "--browsers", "browsers to check in (the set is replaced)"),
        OPT("entry_url", TEXT, ENTRY_URL, entry_url, "--url", "where the login starts"),
        OPT("schedule_type", SCHEDULE_TYPE, SCHEDULE, schedule_type, "--every --at --cron",
            "interval, daily or cron; with schedule"),
        OPT("schedule", TEXT, SCHEDULE, schedule, "--every --at --cron", "the schedule's text (5m, 08:00, a cron line)"),
        OPT("schedule_name", TEXT, SCHEDULE_NAME, schedule_name, "--schedule",
            "a schedule named in pik.conf, followed as the default; empty: none"),
        OPT("timezone", TEXT, TIMEZONE, timezone, "--tz", "time zone the schedule is read in"),
        OPT("sso", BOOL, SSO, sso, "--sso", "log in through the identity provider"),
        OPT("express_checkout", BOOL, EXPRESS, express_checkout, "--express-checkout", "run the express checkout"),
        OPT("product_url", TEXT, PRODUCT_URL, product_url, "--product-url", "a custom product page to open"),
        OPT("wait", WAIT, WAIT, wait_sec, "--wait", "seconds to wait for the page, 0..3600"),
        OPT("success_marker", TEXT, SUCCESS_MARKER, success_marker, "--success-marker", "text seen after a login"),
        OPT("failure_marker", TEXT, FAILURE_MARKER, failure_marker, "--failure-marker", "text of a refused login"),
        OPT("success_xpath", TEXT, SUCCESS_XPATH, success_xpath, "--success-xpath", "XPath present after a login"),
        OPT("failure_xpath", TEXT, FAILURE_XPATH, failure_xpath, "--failure-xpath", "XPath of a refused login"),
        OPT("login_form", TEXT, LOGIN_FORM, login_form, "--login-form", "XPath of the login form"),
        OPT("username_field", TEXT, USERNAME_FIELD, username_field, "--username-field", "the form's user name field"),
        OPT("password_field", TEXT, PASSWORD_FIELD, password_field, "--password-field", "the form's password field"),
        OPT("csrf_meta", TEXT, CSRF_META, csrf_meta, "--csrf-meta", "meta tag holding the CSRF token"),
        OPT("checkout_url", TEXT, CHECKOUT_URL, checkout_url, "--checkout-url", "the express checkout's page"),
        OPT("flow", TEXT, FLOW, flow, "--flow", "explicit login steps (docs/JOB.md)"),
};

const size_t pik_config_options_count = ELEMENTSOF(pik_config_options);

static void *member(const PikJobConfigSpec *spec, const PikConfigOption *o) {
        return (char *) spec + o->offset;
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
                void *v = member(spec, o);

                if (!(fields & o->field))
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

static int read_value(sd_bus_message *m, const PikConfigOption *o, PikJobConfigSpec *spec, char ***browsers,
                      char **ret_error) {
        void *v = member(spec, o);
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
                *(ScheduleType *) v = schedule_type_from_string(s);
                if (*(ScheduleType *) v < 0)
                        return refuse(ret_error, "schedule type '%s' is invalid: expected interval, daily or cron",
                                      SNIPPET(s));
                return 0;
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
                        if (streq(pik_config_options[i].key, key))
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
        if (browsers && strv_length(browsers) > PIK_CONFIG_BROWSERS_MAX)
                return refuse(ret_error, "at most %d browsers per configuration", PIK_CONFIG_BROWSERS_MAX);
        *ret_fields = fields;
        *ret_browsers = TAKE_PTR(browsers);
        return 0;
}
