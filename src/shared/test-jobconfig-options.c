/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The table of a job configuration's options is the one definition: each
 * row is complete, every field has its rows, every keyed row round-trips
 * through the a{sv} encoder and decoder, each rule refuses with one message
 * naming the option, and pikctl(1) and the shell completions list exactly
 * the table's options of pikctl, and docs/DBUS.md names every a{sv} key.
 *
 *   test-jobconfig-options PIKCTL_1_SCD PIKCTL_BASH _PIKCTL_ZSH DBUS_MD */

#include <ctype.h>
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jobconfig-options.h"
#include "string-util.h"
#include "test-helpers.h"

static void test_rows(void) {
        uint64_t fields = 0;

        for (size_t i = 0; i < pik_config_options_count; i++) {
                const PikConfigOption *o = &pik_config_options[i];

                /* A row is an a{sv} key, an option of pikctl, or both. */
                ASSERT_TRUE(o->key || o->cli);
                ASSERT_TRUE(o->what && *o->what);
                ASSERT_TRUE(o->help && *o->help);
                ASSERT_TRUE(o->field != 0 && (o->field & (o->field - 1)) == 0);
                ASSERT_TRUE((o->field & ~PIK_CONFIG_FIELDS_ALL) == 0);
                /* A switch has no argument; everything else names its own. */
                if (o->cli)
                        ASSERT_TRUE((o->type == PIK_CONFIG_OPTION_BOOL) == !o->metavar);
                /* pikctl-only rows are the schedule's three spellings, and
                 * the schedule's type is D-Bus only. */
                ASSERT_TRUE((o->type == PIK_CONFIG_OPTION_SCHEDULE) == !o->key);
                if (o->type == PIK_CONFIG_OPTION_SCHEDULE_TYPE)
                        ASSERT_TRUE(!o->cli);
                for (size_t j = 0; j < i; j++) {
                        const PikConfigOption *p = &pik_config_options[j];
                        ASSERT_TRUE(!o->key || !streq_ptr(o->key, p->key));
                        ASSERT_TRUE(!o->cli || !streq_ptr(o->cli, p->cli));
                }
                ASSERT_TRUE(!o->cli || pik_config_option_by_cli(o->cli) == o);
                fields |= o->field;
        }
        /* Every field that config set can change has a row. */
        ASSERT_EQ(fields, PIK_CONFIG_FIELDS_ALL);
        ASSERT_TRUE(!pik_config_option_by_cli("no-such-option"));
        ASSERT_EQ(pik_config_option_by_cli("url") - pik_config_options, PIK_CONFIG_OPT_ENTRY_URL);
}

/* A message as pikd gets it, from a bus that needs no daemon: the encoder's
 * a{sv} sealed and read back by the decoder. */
static void test_round_trip(void) {
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_strv_free_ char **got_browsers = NULL;
        _cleanup_free_ char *error = NULL;
        char *browsers[] = { (char *) "ff", (char *) "chrome", NULL };
        PikJobConfigSpec in = {
                .name = "n", .browsers = browsers, .entry_url = "https://e.test/", .schedule_type = SCHEDULE_CRON,
                .schedule = "0 8 * * *", .schedule_name = "office", .timezone = "Europe/Berlin", .sso = true,
                .express_checkout = true, .product_url = "https://e.test/p", .wait_sec = 42, .success_marker = "s",
                .failure_marker = "f", .success_xpath = "//s", .failure_xpath = "//f", .login_form = "//form",
                .username_field = "u", .password_field = "p", .csrf_meta = "c", .checkout_url = "https://e.test/c",
                .flow = "[]",
        }, out = { .wait_sec = -1 };
        uint64_t fields = 0;
        int fds[2];

        ASSERT_OK(RET_NERRNO(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds)));
        ASSERT_OK(sd_bus_new(&bus));
        ASSERT_OK(sd_bus_set_fd(bus, fds[0], fds[0]));
        ASSERT_OK(sd_bus_start(bus));
        ASSERT_OK(sd_bus_message_new_method_call(bus, &m, "org.pik.Manager1", "/org/pik/Manager1",
                                                 "org.pik.Manager1", "SetConfig"));
        ASSERT_OK(pik_config_options_append(m, &in, PIK_CONFIG_FIELDS_ALL));
        ASSERT_OK(sd_bus_message_seal(m, 1, 0));
        ASSERT_OK(sd_bus_message_rewind(m, true));
        ASSERT_OK(pik_config_options_read(m, PIK_CONFIG_FIELDS_ALL, &out, &fields, &got_browsers, &error));
        ASSERT_EQ(fields, PIK_CONFIG_FIELDS_ALL);

        for (size_t i = 0; i < pik_config_options_count; i++) {
                const PikConfigOption *o = &pik_config_options[i];
                const void *a = pik_config_option_member(&in, o), *b = pik_config_option_member(&out, o);

                switch (o->type) {
                case PIK_CONFIG_OPTION_TEXT:
                case PIK_CONFIG_OPTION_SCHEDULE:
                        ASSERT_STREQ(*(const char **) a, *(const char **) b);
                        break;
                case PIK_CONFIG_OPTION_BOOL:
                        ASSERT_EQ(*(const bool *) a, *(const bool *) b);
                        break;
                case PIK_CONFIG_OPTION_WAIT:
                        ASSERT_EQ(*(const int *) a, *(const int *) b);
                        break;
                case PIK_CONFIG_OPTION_SCHEDULE_TYPE:
                        ASSERT_EQ(*(const ScheduleType *) a, *(const ScheduleType *) b);
                        break;
                case PIK_CONFIG_OPTION_BROWSERS:
                        ASSERT_EQ(strv_length(*(char ***) b), 2);
                        ASSERT_STREQ((*(char ***) b)[1], "chrome");
                        break;
                }
        }
        close(fds[1]);
}

/* The columns the table names are job_config's, and the SQL built from
 * them has one parameter per column. */
static void test_columns(PikDb *db) {
        _cleanup_free_ char *names = pik_config_options_columns(PIK_CONFIG_COLUMNS_NAMES),
                *assign = pik_config_options_columns(PIK_CONFIG_COLUMNS_ASSIGN),
                *params = pik_config_options_columns(PIK_CONFIG_COLUMNS_PLACEHOLDERS), *sql = NULL;
        _cleanup_stmt_ sqlite3_stmt *s = NULL, *u = NULL;
        size_t n = 0;

        for (size_t i = 0; i < pik_config_options_count; i++)
                n += pik_config_option_column(&pik_config_options[i]) != NULL;
        ASSERT_TRUE(names && assign && params);
        ASSERT_TRUE(asprintf(&sql, "SELECT %s FROM job_config", names) >= 0);
        ASSERT_OK(pik_db_prepare(db, sql, &s));
        ASSERT_EQ((size_t) sqlite3_column_count(s), n);
        free(sql);
        ASSERT_TRUE(asprintf(&sql, "UPDATE job_config SET %s WHERE id = ?", assign) >= 0);
        ASSERT_OK(pik_db_prepare(db, sql, &u));
        ASSERT_EQ((size_t) sqlite3_bind_parameter_count(u), n + 1);
        ASSERT_EQ(strlen(params), n * 3 - 2);
        ASSERT_EQ(pik_config_options_bind(u, 1, &(PikJobConfigSpec) { .wait_sec = -1 }, "UTC"), (int) n + 1);
}

/* Each rule, once: pik_config_options_check() over a good specification,
 * then with one value broken at a time. */
static void test_rules(void) {
        char *browsers[] = { (char *) "ff", NULL }, *none[] = { NULL }, *dir = NULL;
        PikDb *db = test_db_new(&dir);
        const PikJobConfigSpec good = {
                .browsers = browsers, .entry_url = "https://e.test/", .schedule_type = SCHEDULE_INTERVAL,
                .schedule = "5m", .timezone = "UTC", .wait_sec = -1,
        };
        PikJobConfigSpec s;
        char *err = NULL;

        ASSERT_OK(pik_config_options_check(db, &good));

        s = good, s.wait_sec = PIK_CONFIG_WAIT_MAX;
        ASSERT_OK(pik_config_options_check(db, &s));
        s = good, s.wait_sec = 0;
        ASSERT_OK(pik_config_options_check(db, &s));
        s = good, s.wait_sec = PIK_CONFIG_WAIT_MAX + 1;
        ASSERT_ERR(pik_config_options_check(db, &s), EINVAL);
        ASSERT_STREQ(pik_db_error(db), "wait must be between 0 and 3600 seconds");
        s = good, s.wait_sec = -2;
        ASSERT_ERR(pik_config_options_check(db, &s), EINVAL);
        ASSERT_STREQ(pik_db_error(db), "wait must be between 0 and 3600 seconds");

        s = good, s.entry_url = NULL;
        ASSERT_ERR(pik_config_options_check(db, &s), EINVAL);
        ASSERT_STREQ(pik_db_error(db), "an entry URL is needed (--url ENTRY_URL)");
        s = good, s.product_url = "ftp://e.test/";
        ASSERT_ERR(pik_config_options_check(db, &s), EINVAL);
        ASSERT_TRUE(strstr(pik_db_error(db), "product URL 'ftp://e.test/'"));
        s = good, s.login_form = "//form[";
        ASSERT_ERR(pik_config_options_check(db, &s), EINVAL);
        ASSERT_TRUE(strstr(pik_db_error(db), "login form '//form['"));
        s = good, s.schedule = NULL;
        ASSERT_ERR(pik_config_options_check(db, &s), EINVAL);
        ASSERT_TRUE(strstr(pik_db_error(db), "a schedule is needed"));

        /* The browsers' rule is the same words from pikd's early check. */
        s = good, s.browsers = none;
        ASSERT_ERR(pik_config_options_check(db, &s), EINVAL);
        ASSERT_ERR(pik_config_check_browsers(none, &err), EINVAL);
        ASSERT_STREQ(pik_db_error(db), err);
        free(err);
        err = NULL;
        ASSERT_OK(pik_config_check_browsers(browsers, &err));
        ASSERT_TRUE(!err);

        test_columns(db);
        pik_db_close(db);
        test_tmpdir_cleanup(dir);
}

/* The options named "--NAME" in text[begin, end), by bold *--NAME* (scdoc)
 * or as they follow a quote or a paren (completions). */
static bool mentions(const char *begin, const char *end, const char *prefix, const char *cli) {
        size_t pl = strlen(prefix), cl = strlen(cli);

        for (const char *p = begin; p && p < end; p++) {
                p = strstr(p, prefix);
                if (!p || p >= end)
                        return false;
                if (strncmp(p + pl, cli, cl) == 0 && !isalnum((unsigned char) p[pl + cl]) && p[pl + cl] != '-')
                        return true;
        }
        return false;
}

/* Each *--NAME in [begin, end) must be a row's pikctl option. */
static void assert_only_table_options(const char *what, const char *begin, const char *end, const char *prefix) {
        size_t pl = strlen(prefix);

        for (const char *p = strstr(begin, prefix); p && p < end; p = strstr(p + 1, prefix)) {
                char name[64];
                size_t n = strspn(p + pl, "abcdefghijklmnopqrstuvwxyz-");

                if (n == 0 || n >= sizeof name)
                        continue;
                snprintf(name, sizeof name, "%.*s", (int) n, p + pl);
                if (!pik_config_option_by_cli(name)) {
                        fprintf(stderr, "%s names --%s, which is no option of the table\n", what, name);
                        abort();
                }
        }
}

/* scdoc's text as read: no bold or underline marks, "..." as "…". */
static char *man_plain(const char *s) {
        char *out = malloc(strlen(s) * 3 + 1), *o = out;

        ASSERT_TRUE(out);
        for (const char *p = s; *p; p++) {
                if (*p == '\\' && p[1] == '_') {
                        *o++ = '_';
                        p++;
                } else if (*p == '*')
                        continue;
                else if (*p == '_' && (p == s || !isalnum((unsigned char) p[-1]) || !isalnum((unsigned char) p[1])))
                        continue;
                else if (strncmp(p, "...", 3) == 0) {
                        o = stpcpy(o, "…");
                        p += 2;
                } else
                        *o++ = *p;
        }
        *o = 0;
        return out;
}

static void test_man(const char *path) {
        _cleanup_free_ char *page = test_read_file(path), *section = NULL, *plain = NULL;
        const char *begin, *end;

        ASSERT_TRUE(page);
        /* The configuration's options are documented from *config set* to
         * *config remove*. */
        begin = strstr(page, "\n*config set*");
        end = begin ? strstr(begin, "\n*config remove*") : NULL;
        ASSERT_TRUE(begin && end);
        section = strndup(begin, (size_t) (end - begin));
        ASSERT_TRUE(section);
        plain = man_plain(section);

        for (size_t i = 0; i < pik_config_options_count; i++) {
                const PikConfigOption *o = &pik_config_options[i];
                _cleanup_free_ char *synopsis = NULL;

                if (!o->cli)
                        continue;
                /* "--url ENTRY_URL" as the table spells it; a switch alone. */
                if (o->metavar)
                        ASSERT_TRUE(asprintf(&synopsis, "--%s %s", o->cli, o->metavar) >= 0);
                if (!mentions(section, section + strlen(section), "*--", o->cli) ||
                    (synopsis && !strstr(plain, synopsis))) {
                        fprintf(stderr, "pikctl(1) does not document --%s%s%s under config add\n", o->cli,
                                synopsis ? " as " : "", synopsis ? synopsis : "");
                        abort();
                }
        }
        assert_only_table_options("pikctl(1)'s config add and set", section, section + strlen(section), "*--");
}

/* The text of `start` up to the next `stop` after it. */
static void block(const char *text, const char *start, const char *stop, const char **ret_begin, const char **ret_end) {
        *ret_begin = strstr(text, start);
        ASSERT_TRUE(*ret_begin);
        *ret_end = strstr(*ret_begin + strlen(start), stop);
        ASSERT_TRUE(*ret_end);
}

static void test_completions(const char *bash_path, const char *zsh_path) {
        _cleanup_free_ char *bash = test_read_file(bash_path), *zsh = test_read_file(zsh_path);
        const char *verbs[] = { "config add", "config set" };
        const char *b, *e;

        ASSERT_TRUE(bash && zsh);
        for (size_t v = 0; v < ELEMENTSOF(verbs); v++) {
                char start[64];

                snprintf(start, sizeof start, "[%s]=\"", verbs[v]);
                block(bash, start, "\"", &b, &e);
                for (size_t i = 0; i < pik_config_options_count; i++)
                        if (pik_config_options[i].cli && !mentions(b, e, "--", pik_config_options[i].cli)) {
                                fprintf(stderr, "bash completion lacks --%s for %s\n", pik_config_options[i].cli,
                                        verbs[v]);
                                abort();
                        }
                assert_only_table_options("bash completion's config options", b + strlen(start), e, "--");

                snprintf(start, sizeof start, "\"%s\") o=(", verbs[v]);
                block(zsh, start, ";;", &b, &e);
                for (size_t i = 0; i < pik_config_options_count; i++)
                        if (pik_config_options[i].cli && !mentions(b, e, "--", pik_config_options[i].cli)) {
                                fprintf(stderr, "zsh completion lacks --%s for %s\n", pik_config_options[i].cli,
                                        verbs[v]);
                                abort();
                        }
        }

        /* The options whose next word is their value, and only those. */
        block(bash, "_pikctl_arg_opts=\"", "\"", &b, &e);
        for (size_t i = 0; i < pik_config_options_count; i++) {
                const PikConfigOption *o = &pik_config_options[i];

                if (o->cli && mentions(b, e, "--", o->cli) != (o->type != PIK_CONFIG_OPTION_BOOL)) {
                        fprintf(stderr, "bash completion's _pikctl_arg_opts is wrong about --%s\n", o->cli);
                        abort();
                }
        }
}

static void test_dbus_doc(const char *path) {
        _cleanup_free_ char *doc = test_read_file(path);

        ASSERT_TRUE(doc);
        for (size_t i = 0; i < pik_config_options_count; i++) {
                _cleanup_free_ char *quoted = NULL;

                if (!pik_config_options[i].key)
                        continue;
                ASSERT_TRUE(asprintf(&quoted, "`%s`", pik_config_options[i].key) >= 0);
                if (!strstr(doc, quoted)) {
                        fprintf(stderr, "docs/DBUS.md does not name the key %s\n", quoted);
                        abort();
                }
        }
}

int main(int argc, char **argv) {
        test_rows();
        test_round_trip();
        test_rules();
        if (argc >= 5) {
                test_man(argv[1]);
                test_completions(argv[2], argv[3]);
                test_dbus_doc(argv[4]);
        } else
                fprintf(stderr, "no pikctl(1), completions or docs/DBUS.md given: those checks skipped\n");
        printf("%zu options checked\n", pik_config_options_count);
        return 0;
}
