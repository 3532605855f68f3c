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

/* The usage text around the configuration commands, whose lines come from
 * the table of their options (usage() below). */
static const char usage_head[] =
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
        "  browser enable NAME | disable NAME --reason TEXT\n";

static const char usage_tail[] =
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
        ARG_CONFIG_BASE,                                /* + row of pik_config_options[] */
        ARG_OPT_BASE = ARG_CONFIG_BASE + _PIK_CONFIG_OPT_MAX,   /* + index into option_defs */
};

/* pikctl's own options; those of a job configuration come from its table. */
typedef struct OptionDef {
        const char *name;
        int has_arg;
        uint64_t bit;
        size_t offset;          /* into Args: a const char *, a bool, or an owned char * to append to */
        bool repeatable;
} OptionDef;

#define STR_OPT(n, b, field) { n, required_argument, b, offsetof(Args, field), false }
#define BOOL_OPT(n, b, field) { n, no_argument, b, offsetof(Args, field), false }
#define LIST_OPT(n, b, field) { n, required_argument, b, offsetof(Args, field), true }

static const OptionDef option_defs[] = {
        STR_OPT("engine", OPT_ENGINE, engine),
        STR_OPT("user-agent", OPT_USER_AGENT, user_agent),
        STR_OPT("webdriver-url", OPT_WEBDRIVER_URL, webdriver_url),
        STR_OPT("http-version", OPT_HTTP_VERSION, http_version),
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
        STR_OPT("ca-file", OPT_CA_FILE, ca_file),
        LIST_OPT("header", OPT_HEADER, headers),
        LIST_OPT("resolve", OPT_RESOLVE, resolve),
};

/* A configuration option's getopt argument: a yes/no switch (config set
 * turns one off with --sso=no), or a value. */
static int config_has_arg(const PikConfigOption *o) {
        return o->type == PIK_CONFIG_OPTION_BOOL ? optional_argument : required_argument;
}

/* "--url ENTRY_URL", "--sso[=yes|no]"; returns the columns it takes. */
static size_t print_config_option(FILE *f, const PikConfigOption *o) {
        char buf[128];
        size_t cols = 0;

        if (o->type == PIK_CONFIG_OPTION_BOOL)
                snprintf(buf, sizeof buf, "--%s[=yes|no]", o->cli);
        else
                snprintf(buf, sizeof buf, "--%s %s", o->cli, o->metavar);
        fputs(buf, f);
        /* One column per character: UTF-8 continuation bytes take none. */
        for (const char *p = buf; *p; p++)
                cols += ((unsigned char) *p & 0xC0) != 0x80;
        return cols;
}

/* The whole usage text: the configuration commands' lines, their options
 * with their help among them, are the table's. */
static char *usage(void) {
        const PikConfigOption *t = pik_config_options;
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        fputs(usage_head, f);
        fputs("  config list | show ID | remove ID | enable ID | disable ID --reason TEXT\n  config add PARTNER ", f);
        print_config_option(f, &t[PIK_CONFIG_OPT_BROWSERS]);
        fputc(' ', f);
        print_config_option(f, &t[PIK_CONFIG_OPT_ENTRY_URL]);
        /* The schedule, one of these (their arguments are in the list below). */
        fputs(" (", f);
        for (size_t i = 0; i < pik_config_options_count; i++)
                if (t[i].type == PIK_CONFIG_OPTION_SCHEDULE)
                        fprintf(f, "--%s | ", t[i].cli);
        fprintf(f, "--%s) [OPTIONS…]\n", t[PIK_CONFIG_OPT_SCHEDULE_NAME].cli);
        fputs("  config set ID [OPTIONS…]           change only what is given, live at the next pass;\n"
              "         an empty value clears an optional setting (--name '', --tz ''), --sso=no turns a switch off;\n"
              "         --every/--at/--cron override a named --schedule, --schedule NAME alone follows it again\n"
              "         OPTIONS of config add and set:\n", f);
        for (size_t i = 0; i < pik_config_options_count; i++) {
                size_t cols;

                if (!t[i].cli)
                        continue;
                fputs("           ", f);
                cols = print_config_option(f, &t[i]);
                fprintf(f, "%*s%s\n", (int) (cols < 28 ? 30 - cols : 2), "", t[i].help);
        }
        fputs(usage_tail, f);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

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
static void help_for(const char *usage_text, const char *word) {
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
        _cleanup_free_ char *text = usage();

        if (!text) {
                log_oom();
                return;
        }
        if (argc > 0)
                help_for(text, argv[0]);
        else
                fputs(text, stdout);
}

typedef struct ParseState {
        Args *args;
        uint64_t seen;          /* OPT_* bits of the options given */
} ParseState;

static int parse_config_option(ParseState *st, const PikConfigOption *o, const char *arg) {
        size_t row = (size_t) (o - pik_config_options);

        if (o->type != PIK_CONFIG_OPTION_BOOL)
                st->args->config[row] = arg;
        else if (!arg || streq(arg, "yes") || streq(arg, "true") || streq(arg, "1"))
                st->args->config[row] = "yes";
        else if (streq(arg, "no") || streq(arg, "false") || streq(arg, "0"))
                st->args->config[row] = "no";
        else {
                log_error("Invalid --%s=%s: expected yes or no.", o->cli, SNIPPET(arg));
                return -EINVAL;
        }
        st->args->config_seen |= PIK_CONFIG_OPT_BIT(row);
        return 0;
}

static int parse_option(int c, const char *arg, void *userdata) {
        ParseState *st = userdata;
        const OptionDef *d;

        if (c == ARG_JSON) {
                st->args->json = true;
                return 0;
        }
        if (c >= ARG_CONFIG_BASE && c < ARG_OPT_BASE)
                return parse_config_option(st, &pik_config_options[c - ARG_CONFIG_BASE], arg);
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
        else
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
        size_t n_defs = ELEMENTSOF(option_defs), n_longopts = 0;
        _cleanup_(args_done) Args args = {};
        ParseState st = { .args = &args };
        const Verb *verb;
        CliCommon cli;
        int consumed = 0, r;

        longopts = calloc(pik_config_options_count + n_defs + 2, sizeof *longopts);
        if (!longopts)
                return log_oom();
        for (size_t i = 0; i < pik_config_options_count; i++) {
                const PikConfigOption *o = &pik_config_options[i];
                if (o->cli)
                        longopts[n_longopts++] = (struct option) { o->cli, config_has_arg(o), NULL,
                                                                   ARG_CONFIG_BASE + (int) i };
        }
        for (size_t i = 0; i < n_defs; i++)
                longopts[n_longopts++] = (struct option) { option_defs[i].name, option_defs[i].has_arg, NULL,
                                                           ARG_OPT_BASE + (int) i };
        longopts[n_longopts] = (struct option) { "json", no_argument, NULL, ARG_JSON };

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
                _cleanup_free_ char *text = usage();
                fputs(text ?: "Usage: pikctl [OPTIONS…] COMMAND …\n", stderr);
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
        for (size_t i = 0; i < n_longopts; i++) {
                int v = longopts[i].val;
                bool misplaced = v >= ARG_OPT_BASE ? st.seen & ~verb->options & option_defs[v - ARG_OPT_BASE].bit
                                                   : args.config_seen & ~verb->config_options &
                                                     PIK_CONFIG_OPT_BIT(v - ARG_CONFIG_BASE);
                if (misplaced) {
                        log_error("Option --%s does not apply to '%s%s%s'.", longopts[i].name,
                                  verb->group ?: "", verb->group ? " " : "", verb->name);
                        return -EINVAL;
                }
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
