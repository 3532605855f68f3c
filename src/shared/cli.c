/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "build-config.h"
#include "cli.h"
#include "log.h"
#include "string-util.h"
#include "time-util.h"

enum {
        ARG_VERSION = 0x100,
        ARG_CONFIG,
        ARG_DB,
        ARG_NOW,
};

static void log_setup(void) {
        const char *l = getenv("PIK_LOG_LEVEL");

        if (l && streq(l, "debug"))
                log_set_max_level(LOG_DEBUG);
}

/* The shared options the program takes, then its own. */
static struct option *options_new(const CliProgram *p) {
        const struct option shared[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "config", required_argument, NULL, ARG_CONFIG },
                { "db", required_argument, NULL, ARG_DB },
                { "now", required_argument, NULL, ARG_NOW },
        };
        size_t n = 0, k = 0;
        struct option *o;

        while (p->options && p->options[n].name)
                n++;
        o = calloc(ELEMENTSOF(shared) + n + 1, sizeof *o);
        if (!o)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(shared); i++) {
                if (!(p->flags & CLI_CONFIG_DB) && (shared[i].val == ARG_CONFIG || shared[i].val == ARG_DB))
                        continue;
                if (!(p->flags & CLI_NOW) && shared[i].val == ARG_NOW)
                        continue;
                o[k++] = shared[i];
        }
        for (size_t i = 0; i < n; i++)
                o[k++] = p->options[i];
        return o;
}

int cli_parse(const CliProgram *p, int argc, char **argv, CliCommon *ret) {
        _cleanup_free_ struct option *options = NULL;
        CliCommon c = {};
        bool help = false;
        int opt, r;

        log_setup();

        options = options_new(p);
        if (!options)
                return log_oom();

        /* Options may come before or after the arguments: GNU getopt permutes. */
        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (opt) {
                case 'h':
                        /* After the loop: "pikctl partner --help" wants the arguments. */
                        help = true;
                        break;
                case ARG_VERSION:
                        printf("%s %s\n", p->name, PACKAGE_VERSION);
                        return 0;
                case ARG_CONFIG:
                        c.config_path = optarg;
                        break;
                case ARG_DB:
                        c.db_path = optarg;
                        break;
                case ARG_NOW:
                        c.now = optarg;
                        break;
                default:
                        if (opt < CLI_ARG_PROGRAM || !p->parse_option)
                                return -EINVAL;   /* getopt said what was wrong */
                        r = p->parse_option(opt, optarg, p->userdata);
                        if (r < 0)
                                return r;
                }

        c.argc = argc - optind;
        c.argv = argv + optind;

        if (help) {
                p->help(c.argc, c.argv, p->userdata);
                return 0;
        }
        if (!(p->flags & CLI_ARGS) && c.argc > 0)
                return log_error_errno(-EINVAL, "%s takes no arguments; see %s --help.", p->name, p->name);

        *ret = c;
        return 1;
}

int cli_now(const CliCommon *c, int64_t *ret) {
        if (!c->now) {
                *ret = now_utc();
                return 0;
        }
        if (parse_timestamp(c->now, ret) < 0)
                return log_error_errno(-EINVAL, "Invalid --now '%s': expected an ISO 8601 time such as 2026-11-24T08:00:00Z.",
                                       SNIPPET(c->now));
        return 0;
}
