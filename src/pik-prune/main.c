/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pik-prune: the daily prune, started by pik-prune.timer. Folds old results
 * into daily aggregates and removes old evidence; the library does the
 * work (prune.h), a batch per transaction. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "build-config.h"
#include "cli.h"
#include "log.h"
#include "prune.h"
#include "string-util.h"

typedef struct Options {
        CliCommon cli;
        const char *evidence_dir;
        unsigned batch;
} Options;

static void help(int argc, char **argv, void *userdata) {
        printf("Usage: %s [OPTIONS…]\n\n"
               "Fold results older than results.keep_days into daily aggregates and delete\n"
               "them, delete aggregates older than results.keep_daily_days, and remove\n"
               "evidence older than evidence_days.\n\n"
               "  -h --help             Show this help\n"
               "     --version          Show the version\n"
               "     --config FILE      Read FILE instead of " PIK_CONFIG_PATH "\n"
               "     --db PATH          Use this database instead of the configured one\n"
               "     --now TIME         Act as if it were TIME (ISO 8601)\n"
               "     --evidence-dir DIR Prune this directory instead of " PIK_EVIDENCE_DIR "\n"
               "     --batch N          About N results per transaction (default %u)\n",
               program_invocation_short_name, PIK_PRUNE_BATCH_DEFAULT);
}

enum {
        ARG_EVIDENCE_DIR = CLI_ARG_PROGRAM,
        ARG_BATCH,
};

static int parse_option(int c, const char *arg, void *userdata) {
        Options *o = userdata;
        char *end;
        unsigned long v;

        switch (c) {
        case ARG_EVIDENCE_DIR:
                if (arg[0] != '/')
                        return log_error_errno(-EINVAL, "--evidence-dir: '%s' is not an absolute path.", arg);
                o->evidence_dir = arg;
                return 0;
        case ARG_BATCH:
                errno = 0;
                v = strtoul(arg, &end, 10);
                if (errno != 0 || end == arg || *end || arg[0] == '-' || v < 1 || v > 10000000)
                        return log_error_errno(-EINVAL, "--batch: '%s' is not a number in 1..10000000.", arg);
                o->batch = (unsigned) v;
                return 0;
        default:
                return -EINVAL;
        }
}

static int run(int argc, char **argv) {
        _cleanup_(pik_config_freep) PikConfig *cfg = NULL;
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        Options o = { .evidence_dir = PIK_EVIDENCE_DIR };
        const CliProgram program = {
                .name = "pik-prune",
                .flags = CLI_CONFIG_DB | CLI_NOW,
                .options = (const struct option[]) {
                        { "evidence-dir", required_argument, NULL, ARG_EVIDENCE_DIR },
                        { "batch", required_argument, NULL, ARG_BATCH },
                        {}
                },
                .parse_option = parse_option,
                .help = help,
                .userdata = &o,
        };
        PikPruneStats st;
        unsigned evidence = 0;
        int64_t now;
        int r;

        r = cli_parse(&program, argc, argv, &o.cli);
        if (r <= 0)
                return r;
        r = cli_now(&o.cli, &now);
        if (r < 0)
                return r;
        r = cli_open(&o.cli, PIK_DB_CREATE, &cfg, &db);
        if (r < 0)
                return r;

        r = pik_prune_results(db, cfg, now, &(const PikPruneLimits) { .batch = o.batch }, &st);
        if (r < 0)
                /* Batches committed before stay done; the next run goes on. */
                return log_error_errno(r, "Failed to prune results: %s", pik_db_error(db));

        /* After the results: evidence that outlives them is never wanted. */
        r = pik_prune_evidence(o.evidence_dir, cfg, now, &evidence);
        if (r < 0)
                return log_error_errno(r, "Failed to prune evidence in %s: %m", o.evidence_dir);

        log_full(st.results + st.aggregates + evidence > 0 ? LOG_INFO : LOG_DEBUG,
                 "Pruned %llu result(s) into daily aggregates in %u batch(es), %llu aggregate(s) older than "
                 "%u days, %u evidence entr%s.",
                 (unsigned long long) st.results, st.batches, (unsigned long long) st.aggregates,
                 cfg->results.keep_daily_days, evidence, evidence == 1 ? "y" : "ies");
        return 0;
}

int main(int argc, char **argv) {
        return run(argc, argv) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
