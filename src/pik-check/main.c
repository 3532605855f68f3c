/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pik-check: one check, as pik-check@<id>.service. It fetches its job (and
 * only its partner's credentials) from pikd, authenticated by the execution
 * key systemd hands it as a credential, runs the flow with the browser's
 * engine, tells systemd how far it got (STATUS=), writes one structured
 * journal entry and reports the result to pikd.
 *
 *   pik-check ID               the check itself (ExecStart=)
 *   pik-check --report-end ID  after the check (ExecStopPost=): tells pikd
 *                              how the unit ended, so that a check that died
 *                              without reporting is recorded at once
 *   pik-check --url URL        one check without pikd, result on stdout
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build-config.h"
#include "check-bus.h"
#include "classify.h"
#include "engine.h"
#include "log.h"
#include "outcome.h"
#include "time-util.h"

typedef struct Options {
        int64_t execution;
        bool report_end;
        const char *url;
        const char *success_marker;
        const char *failure_marker;
        const char *bus_address;
} Options;

static int help(void) {
        printf("Usage: %s [OPTIONS…] EXECUTION_ID\n"
               "       %s --report-end EXECUTION_ID\n"
               "       %s --url URL [--success-marker TEXT] [--failure-marker TEXT]\n\n"
               "Run one login check (as pik-check@EXECUTION_ID.service), or report how\n"
               "its unit ended, or check one URL without pikd.\n\n"
               "  -h --help                Show this help\n"
               "     --version             Show the version\n"
               "     --report-end          Report $SERVICE_RESULT/$EXIT_CODE/$EXIT_STATUS\n"
               "     --url URL             Check URL directly and print the result as JSON\n"
               "     --success-marker TEXT Text the final page must contain (with --url)\n"
               "     --failure-marker TEXT Text the final page must not contain (with --url)\n"
               "     --bus-address ADDR    Talk to pikd on this bus instead of the system bus\n",
               program_invocation_short_name, program_invocation_short_name, program_invocation_short_name);
        return 0;
}

static int parse_argv(int argc, char **argv, Options *o) {
        enum { ARG_VERSION = 0x100, ARG_REPORT_END, ARG_URL, ARG_SUCCESS, ARG_FAILURE, ARG_BUS };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "report-end", no_argument, NULL, ARG_REPORT_END },
                { "url", required_argument, NULL, ARG_URL },
                { "success-marker", required_argument, NULL, ARG_SUCCESS },
                { "failure-marker", required_argument, NULL, ARG_FAILURE },
                { "bus-address", required_argument, NULL, ARG_BUS },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        puts("pik-check " PACKAGE_VERSION);
                        return 0;
                case ARG_REPORT_END:
                        o->report_end = true;
                        break;
                case ARG_URL:
                        o->url = optarg;
                        break;
                case ARG_SUCCESS:
                        o->success_marker = optarg;
                        break;
                case ARG_FAILURE:
                        o->failure_marker = optarg;
                        break;
                case ARG_BUS:
                        o->bus_address = optarg;
                        break;
                default:
                        return -EINVAL;
                }

        if (o->url) {
                if (optind != argc || o->report_end)
                        return log_error_errno(-EINVAL, "--url takes no execution id.");
                return 1;
        }
        if (optind + 1 != argc)
                return log_error_errno(-EINVAL, "Expected one execution id; see --help.");

        char *e;
        errno = 0;
        long long id = strtoll(argv[optind], &e, 10);
        if (errno != 0 || *e || e == argv[optind] || id <= 0)
                return log_error_errno(-EINVAL, "Invalid execution id '%s'.", argv[optind]);
        o->execution = id;
        return 1;
}

static void progress_stdout(void *userdata, unsigned step, unsigned steps, const char *what) {
        log_debug("step %u/%u: %s", step, steps, what);
}

/* pik-check --url: the engine alone, for operators and benchmarks. */
static int run_url(const Options *o) {
        CheckJob job = {
                .partner = (char *) "-",
                .browser = (char *) "-",
                .engine = (char *) "http",
                .entry_url = (char *) o->url,
                .success_marker = (char *) o->success_marker,
                .failure_marker = (char *) o->failure_marker,
                .timeout_sec = 30,
                .max_redirects = 10,
        };
        CheckResult res = CHECK_RESULT_INIT;
        int r;

        r = engine_http.run(&job, progress_stdout, NULL, &res);
        if (r < 0)
                return log_error_errno(r, "Check failed: %m");

        printf("{\"outcome\": \"%s\", \"kind\": \"%s\", \"http_status\": %ld, \"dns_ms\": %lld, "
               "\"connect_ms\": %lld, \"tls_ms\": %lld, \"ttfb_ms\": %lld, \"total_ms\": %lld}\n",
               res.outcome, outcome_kind_to_string(pik_outcome_builtin_kind(res.outcome)) ?: "infrastructure",
               res.http_status, (long long) res.dns_ms, (long long) res.connect_ms, (long long) res.tls_ms,
               (long long) res.ttfb_ms, (long long) res.total_ms);
        return classify_exit_status(res.outcome);
}

int main(int argc, char **argv) {
        Options o = {};
        int r;

        r = parse_argv(argc, argv, &o);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        if (o.url) {
                r = run_url(&o);
                return r < 0 ? EXIT_FAILURE : r;
        }
        if (o.report_end)
                return check_report_end(o.execution, o.bus_address) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        r = check_run(o.execution, o.bus_address);
        if (r < 0)
                return EXIT_FAILURE;
        return r;
}
