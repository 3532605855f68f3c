/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build-config.h"
#include "cli.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "string-util.h"
#include "verbs.h"

/* pikctl's exit codes are a contract (DESIGN.md). */
#define EXIT_USAGE 2
#define EXIT_NOT_FOUND 4
#define EXIT_PERMISSION 77

static const char usage_text[] =
        "Usage: pikctl [OPTIONS…] COMMAND …\n"
        "\n"
        "Check that people can log in to partner sites, and see whose problem a failure is.\n"
        "\n"
        "Commands:\n"
        "  status                             partner × browser: last outcome, kind, age, 24 h success ratio\n"
        "  partner list | show CODE | remove CODE [--force]\n"
        "  partner add CODE --name TEXT\n"
        "  partner enable CODE | disable CODE --reason TEXT\n"
        "  browser list | show NAME | remove NAME [--force]\n"
        "  browser add NAME --engine http|webdriver [--user-agent S] [--webdriver-url URL] [--http-version 1.1|2]\n"
        "         [--header 'Name: value']… [--ca-file PEM] [--resolve host:port:address]…\n"
        "  browser enable NAME | disable NAME --reason TEXT\n"
        "  config list | show ID | remove ID | enable ID | disable ID --reason TEXT\n"
        "  config add PARTNER [--name NAME] --browsers NAME[,NAME…] --url ENTRY_URL\n"
        "         (--every 5m | --at 08:00,12:30 | --cron '*/5 * * * *' | --schedule NAME) [--tz ZONE]\n"
        "         [--sso] [--express-checkout] [--product-url URL] [--wait SECONDS]\n"
        "         [--success-marker TEXT] [--failure-marker TEXT] [--success-xpath X] [--failure-xpath X]\n"
        "         [--login-form XPATH] [--username-field NAME] [--password-field NAME] [--csrf-meta NAME]\n"
        "         [--checkout-url URL] [--flow FILE]   (see docs/JOB.md for flows)\n"
        "  config set ID [any option of config add]   change only what is given, live at the next pass;\n"
        "         an empty value clears an optional setting (--name '', --tz ''), --sso=no turns a switch off;\n"
        "         --every/--at/--cron override a named --schedule, --schedule NAME alone follows it again\n"
        "  jobs [--overdue | --upcoming]      scheduled jobs\n"
        "  executions [--partner P] [--limit N]\n"
        "  execution show ID\n"
        "  results [--partner P] [--browser B] [--kind K] [--since TIME] [--limit N]\n"
        "  result show ID                     a result's steps with their timings, and its details\n"
        "  outcomes                           the outcome catalog\n"
        "  alerts [--all]                     open alerts (--all: closed ones too)\n"
        "  notifications                      alert notifications: pending, sent, failed\n"
        "  history [PARTNER] [--days N]       day by day per check: runs, success ratio, p50/p95 (default 30 days)\n"
        "  run-now PARTNER [--browser NAME]   queue a partner's checks for the next dispatcher pass\n"
        "  hold [CONFIG_ID] [--reason TEXT] [--until TIME] | release [CONFIG_ID]\n"
        "                                     without an id: everything; --until 2h or an ISO 8601 time\n"
        "  maintenance add (--partner CODE | --config ID | --all) --cron EXPR --duration TIME\n"
        "         [--tz ZONE] --reason TEXT   a window opening at each cron start, e.g. --duration 2h\n"
        "  maintenance list | remove ID       scheduled maintenance windows\n"
        "\n"
        "Options:\n"
        "  -h --help             Show this help (also: pikctl COMMAND --help)\n"
        "     --version          Show the version\n"
        "     --json             Print one JSON document\n"
        "     --db PATH          Work offline on this database\n"
        "     --config FILE      Read FILE instead of " PIK_CONFIG_PATH "\n"
        "     --now TIME         Act as if it were TIME (ISO 8601), for replay and tests\n"
        "\n"
        "Exit status: 0 ok, 1 failure, 2 usage error, 4 not found, 77 permission denied.\n"
        "See pikctl(1).\n";

enum {
        ARG_JSON = CLI_ARG_PROGRAM,
        ARG_OPT_BASE,           /* + index into option_defs */
};

typedef struct OptionDef {
        const char *name;
        int has_arg;
        uint64_t bit;
        size_t offset;          /* into Args: a const char *, a bool, or an owned char * to append to */
        bool repeatable;
} OptionDef;

#define STR_OPT(n, b, field) { n, required_argument, b, offsetof(Args, field), false }
#define BOOL_OPT(n, b, field) { n, no_argument, b, offsetof(Args, field), false }
/* A switch that config set can also turn off: --sso, --sso=no. */
#define YESNO_OPT(n, b, field) { n, optional_argument, b, offsetof(Args, field), false }
#define LIST_OPT(n, b, field) { n, required_argument, b, offsetof(Args, field), true }

static const OptionDef option_defs[] = {
        STR_OPT("name", OPT_NAME, name),
        STR_OPT("engine", OPT_ENGINE, engine),
        STR_OPT("user-agent", OPT_USER_AGENT, user_agent),
        STR_OPT("webdriver-url", OPT_WEBDRIVER_URL, webdriver_url),
        STR_OPT("http-version", OPT_HTTP_VERSION, http_version),
        STR_OPT("browsers", OPT_BROWSERS, browsers),
        STR_OPT("url", OPT_URL, url),
        STR_OPT("every", OPT_EVERY, every),
        STR_OPT("at", OPT_AT, at),
        STR_OPT("cron", OPT_CRON, cron),
        STR_OPT("schedule", OPT_SCHEDULE, schedule),
        STR_OPT("tz", OPT_TZ, tz),
        YESNO_OPT("sso", OPT_SSO, sso),
        YESNO_OPT("express-checkout", OPT_EXPRESS, express_checkout),
        STR_OPT("product-url", OPT_PRODUCT_URL, product_url),
        STR_OPT("wait", OPT_WAIT, wait),
        STR_OPT("success-marker", OPT_SUCCESS_MARKER, success_marker),
        STR_OPT("failure-marker", OPT_FAILURE_MARKER, failure_marker),
        STR_OPT("reason", OPT_REASON, reason),
        STR_OPT("partner", OPT_PARTNER, partner),
        STR_OPT("browser", OPT_BROWSER, browser),
        STR_OPT("kind", OPT_KIND, kind),
        STR_OPT("since", OPT_SINCE, since),
        STR_OPT("limit", OPT_LIMIT, limit),
        STR_OPT("until", OPT_UNTIL, until),
        STR_OPT("duration", OPT_DURATION, duration),
        STR_OPT("days", OPT_DAYS, days),
        BOOL_OPT("force", OPT_FORCE, force),
        BOOL_OPT("overdue", OPT_OVERDUE, overdue),
        BOOL_OPT("upcoming", OPT_UPCOMING, upcoming),
        BOOL_OPT("all", OPT_ALL, all),
        STR_OPT("success-xpath", OPT_SUCCESS_XPATH, success_xpath),
        STR_OPT("failure-xpath", OPT_FAILURE_XPATH, failure_xpath),
        STR_OPT("login-form", OPT_LOGIN_FORM, login_form),
        STR_OPT("username-field", OPT_USERNAME_FIELD, username_field),
        STR_OPT("password-field", OPT_PASSWORD_FIELD, password_field),
        STR_OPT("csrf-meta", OPT_CSRF_META, csrf_meta),
        STR_OPT("checkout-url", OPT_CHECKOUT_URL, checkout_url),
        STR_OPT("flow", OPT_FLOW, flow_file),
        STR_OPT("ca-file", OPT_CA_FILE, ca_file),
        LIST_OPT("header", OPT_HEADER, headers),
        LIST_OPT("resolve", OPT_RESOLVE, resolve),
};

static int exit_code(int r) {
        switch (r) {
        case 0:
                return EXIT_SUCCESS;
        case -ENOENT:
        case -ENXIO:
                return EXIT_NOT_FOUND;
        case -EACCES:
        case -EPERM:
                return EXIT_PERMISSION;
        case -EINVAL:
        case -E2BIG:
        case -EDOM:
        case -ERANGE:
                return EXIT_USAGE;
        default:
                return EXIT_FAILURE;
        }
}

static const Verb *find_verb(int argc, char **argv, int *ret_consumed) {
        if (argc < 1)
                return NULL;
        for (size_t i = 0; i < pikctl_verbs_count; i++) {
                const Verb *v = &pikctl_verbs[i];
                if (!v->group && streq(v->name, argv[0])) {
                        *ret_consumed = 1;
                        return v;
                }
                if (v->group && streq(v->group, argv[0]) && argc >= 2 && streq(v->name, argv[1])) {
                        *ret_consumed = 2;
                        return v;
                }
        }
        return NULL;
}

static bool is_group(const char *s) {
        for (size_t i = 0; i < pikctl_verbs_count; i++)
                if (pikctl_verbs[i].group && streq(pikctl_verbs[i].group, s))
                        return true;
        return false;
}

/* "pikctl partner --help": the usage lines that concern that command. */
static void help_for(const char *word) {
        const char *p = usage_text;
        bool any = false, continuing = false;

        while (p && *p) {
                const char *e = strchr(p, '\n');
                size_t n = e ? (size_t) (e - p) : strlen(p);
                char cmd[64];

                snprintf(cmd, sizeof cmd, "  %s ", word);
                if (n >= strlen(cmd) && strncmp(p, cmd, strlen(cmd)) == 0) {
                        if (!any)
                                printf("Usage: pikctl [OPTIONS…] COMMAND …\n\n");
                        printf("%.*s\n", (int) n, p);
                        any = continuing = true;
                } else if (continuing && n > 9 && strncmp(p, "         ", 9) == 0)
                        printf("%.*s\n", (int) n, p);
                else
                        continuing = false;
                p = e ? e + 1 : NULL;
        }
        if (!any)
                fputs(usage_text, stdout);
        else
                printf("\nGlobal options: --json --db PATH --config FILE --now TIME. See pikctl --help.\n");
}

static void help(int argc, char **argv, void *userdata) {
        if (argc > 0)
                help_for(argv[0]);
        else
                fputs(usage_text, stdout);
}

typedef struct ParseState {
        Args *args;
        uint64_t seen;          /* OPT_* bits of the options given */
} ParseState;

static int parse_option(int c, const char *arg, void *userdata) {
        ParseState *st = userdata;
        const OptionDef *d;

        if (c == ARG_JSON) {
                st->args->json = true;
                return 0;
        }
        if (c < ARG_OPT_BASE || (size_t) (c - ARG_OPT_BASE) >= ELEMENTSOF(option_defs))
                return -EINVAL;
        d = &option_defs[c - ARG_OPT_BASE];
        if (d->repeatable) {
                /* Repeated options collect into one newline-separated list,
                 * the form the library and pikd take. */
                char **list = (char **) ((char *) st->args + d->offset), *n;
                if (strchr(arg, '\n')) {
                        log_error("--%s: a value may not contain a newline.", d->name);
                        return -EINVAL;
                }
                if (asprintf(&n, "%s%s%s", *list ?: "", *list ? "\n" : "", arg) < 0)
                        return log_oom();
                free(*list);
                *list = n;
        } else if (d->has_arg == required_argument)
                *(const char **) ((char *) st->args + d->offset) = arg;
        else if (d->has_arg == optional_argument && arg) {
                bool *b = (bool *) ((char *) st->args + d->offset);
                if (streq(arg, "yes") || streq(arg, "true") || streq(arg, "1"))
                        *b = true;
                else if (streq(arg, "no") || streq(arg, "false") || streq(arg, "0"))
                        *b = false;
                else {
                        log_error("Invalid --%s=%s: expected yes or no.", d->name, SNIPPET(arg));
                        return -EINVAL;
                }
        } else
                *(bool *) ((char *) st->args + d->offset) = true;
        st->seen |= d->bit;
        return 0;
}

static void args_done(Args *a) {
        free(a->headers);
        free(a->resolve);
}

static int open_offline(const CliCommon *cli, const Verb *verb, PikConfig **ret_cfg, PikDb **ret_db) {
        int r;

        r = cli_load_config(cli, ret_cfg);
        if (r < 0)
                /* Whatever was wrong with the file, it is a failure (1), not
                 * a usage error nor a "not found" of what was asked. */
                return -EIO;

        r = cli_open_db(cli, *ret_cfg, (verb->flags & VERB_WRITES) ? PIK_DB_CREATE : PIK_DB_READONLY, ret_db);
        if (r < 0)
                /* A missing database is not a "not found" of what was asked. */
                return r == -ENOENT ? -EIO : r;
        return 0;
}

/* pikd refuses a pik.conf that does not load: at start (so D-Bus
 * activation fails, or waits for a pikd that never comes) and at reload
 * (keeping the old one). Say so with file, line and key before calling
 * it. A file this user may not read is left for pikd to judge. */
static int check_pikd_config(void) {
        _cleanup_(pik_config_freep) PikConfig *cfg = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        r = pik_config_load(PIK_CONFIG_PATH, true, &cfg, &error);
        if (r == -EACCES || r == -EPERM)
                return 0;
        if (r < 0) {
                log_error("%s", error ?: strerror(-r));
                log_error("pikd refuses this configuration (at start; at reload it keeps the one it runs): "
                          "fix " PIK_CONFIG_PATH ", then systemctl reload pikd.");
                return -EIO;
        }
        return 0;
}

static bool is_id(const char *s) {
        if (!s || !*s || *s == '0' || strlen(s) > 18)
                return false;
        return strspn(s, "0123456789") == strlen(s);
}

/* "maintenance add --config ID" spells the configuration with the same
 * option as the global --config FILE: take a numeric --config after
 * "maintenance add" out of argv before the options are parsed, so that
 * both can be given (a file is never a bare number here). */
static int take_config_id(int *argc, char **argv, int64_t *ret) {
        int verb = -1;

        for (int i = 1; i + 1 < *argc; i++)
                if (streq(argv[i], "maintenance") && streq(argv[i + 1], "add")) {
                        verb = i + 2;
                        break;
                }
        if (verb < 0)
                return 0;
        for (int i = verb; i < *argc; i++) {
                const char *v = NULL;
                int n = 0;

                if (streq(argv[i], "--config") && i + 1 < *argc && is_id(argv[i + 1]))
                        v = argv[i + 1], n = 2;
                else if (startswith(argv[i], "--config=") && is_id(argv[i] + STRLEN("--config=")))
                        v = argv[i] + STRLEN("--config="), n = 1;
                if (!v)
                        continue;
                *ret = strtoll(v, NULL, 10);
                memmove(argv + i, argv + i + n, (size_t) (*argc - i - n + 1) * sizeof *argv);
                *argc -= n;
                return 1;
        }
        return 0;
}

static int run(int argc, char **argv) {
        _cleanup_(pik_config_freep) PikConfig *cfg = NULL;
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ struct option *longopts = NULL;
        size_t n_defs = ELEMENTSOF(option_defs);
        _cleanup_(args_done) Args args = {};
        ParseState st = { .args = &args };
        const Verb *verb;
        CliCommon cli;
        int consumed = 0, r;

        longopts = calloc(n_defs + 2, sizeof *longopts);
        if (!longopts)
                return log_oom();
        for (size_t i = 0; i < n_defs; i++)
                longopts[i] = (struct option) { option_defs[i].name, option_defs[i].has_arg, NULL, ARG_OPT_BASE + (int) i };
        longopts[n_defs] = (struct option) { "json", no_argument, NULL, ARG_JSON };

        const CliProgram program = {
                .name = "pikctl",
                .flags = CLI_CONFIG_DB | CLI_NOW | CLI_ARGS,
                .options = longopts,
                .parse_option = parse_option,
                .help = help,
                .userdata = &st,
        };
        if (take_config_id(&argc, argv, &args.config_id) > 0)
                st.seen |= OPT_CONFIG_ID;
        r = cli_parse(&program, argc, argv, &cli);
        if (r <= 0)
                return r;
        argc = cli.argc;
        argv = cli.argv;
        args.db_path = cli.db_path;
        args.config_path = cli.config_path;
        args.now = cli.now;

        if (argc == 0) {
                fputs(usage_text, stderr);
                return -EINVAL;
        }

        verb = find_verb(argc, argv, &consumed);
        if (!verb) {
                if (is_group(argv[0]))
                        log_error("Unknown or missing '%s' command%s%s; see pikctl %s --help.",
                                  argv[0], argc > 1 ? ": " : "", argc > 1 ? SNIPPET(argv[1]) : "", argv[0]);
                else
                        log_error("Unknown command '%s'; see pikctl --help.", SNIPPET(argv[0]));
                return -EINVAL;
        }
        argc -= consumed;
        argv += consumed;

        if ((unsigned) argc < verb->min_args || (unsigned) argc > verb->max_args) {
                log_error("Wrong number of arguments for '%s%s%s'; see pikctl %s --help.",
                          verb->group ?: "", verb->group ? " " : "", verb->name, verb->group ?: verb->name);
                return -EINVAL;
        }
        if (st.seen & ~verb->options) {
                for (size_t i = 0; i < n_defs; i++)
                        if (st.seen & ~verb->options & option_defs[i].bit) {
                                log_error("Option --%s does not apply to '%s%s%s'.", option_defs[i].name,
                                          verb->group ?: "", verb->group ? " " : "", verb->name);
                                break;
                        }
                return -EINVAL;
        }

        args.seen = st.seen;
        Context ctx = { .args = &args };

        r = cli_now(&cli, &ctx.now);
        if (r < 0)
                return r;

        output_init(&ctx.out, stdout, args.json);

        if (args.db_path) {
                r = open_offline(&cli, verb, &cfg, &db);
                if (r < 0)
                        return r;
                ctx.cfg = cfg;
                ctx.db = db;
        } else {
                if (args.now || args.config_path) {
                        log_error("--now and --config apply to offline use only (with --db PATH).");
                        return -EINVAL;
                }
                r = check_pikd_config();
                if (r < 0)
                        return r;
                r = sd_bus_open_system(&bus);
                if (r < 0) {
                        log_error_errno(r, "Failed to connect to the system bus: %m (use --db PATH to work offline)");
                        return -EIO;
                }
                /* A polkit agent on this terminal may ask for a password. */
                (void) sd_bus_set_allow_interactive_authorization(bus, isatty(STDIN_FILENO));
                ctx.bus = bus;
        }

        r = verb->run(&ctx, argc, argv);
        if (r < 0) {
                if (ctx.error)
                        log_error("%s", ctx.error);
                else if (db && pik_db_has_error(db))
                        log_error("%s", pik_db_error(db));
                else
                        log_error_errno(r, "%s%s%s failed: %m", verb->group ?: "", verb->group ? " " : "", verb->name);
        }
        free(ctx.error);
        if (fflush(stdout) != 0 && r >= 0)
                return log_error_errno(-errno, "Failed to write output: %m");
        return r;
}

int main(int argc, char **argv) {
        return exit_code(run(argc, argv));
}
