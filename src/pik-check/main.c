/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pik-check: one check, as pik-check@<id>.service. It fetches its job (and
 * only its partner's credentials) from pikd, authenticated by the execution
 * key systemd hands it as a credential, runs the flow with the browser's
 * engine, tells systemd how far it got (STATUS=), writes one structured
 * journal entry and reports the result to pikd.
 *
 *   pik-check ID               the check itself (ExecStart=); a check that
 *                              dies without reporting is recorded by the
 *                              dispatcher's reaper, from what systemd logged
 *   pik-check --url URL        one check without pikd, result on stdout
 *   pik-check --job FILE       a whole job document (docs/JOB.md) without
 *                              pikd, with the engine it names
 */

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "build-config.h"
#include "check-bus.h"
#include "classify.h"
#include "cli.h"
#include "engine.h"
#include "log.h"
#include "outcome-kind.h"
#include "string-util.h"
#include "time-util.h"

typedef struct Options {
        int64_t execution;
        const char *url;
        const char *job_file;
        const char *success_marker;
        const char *failure_marker;
        const char *bus_address;
} Options;

static void help(int argc, char **argv, void *userdata) {
        printf("Usage: %s [OPTIONS…] EXECUTION_ID\n"
               "       %s --url URL [--success-marker TEXT] [--failure-marker TEXT]\n"
               "       %s --job FILE\n\n"
               "Run one login check (as pik-check@EXECUTION_ID.service), or check one URL\n"
               "or job document without pikd.\n\n"
               "  -h --help                Show this help\n"
               "     --version             Show the version\n"
               "     --url URL             Check URL directly and print the result as JSON\n"
               "     --success-marker TEXT Text the final page must contain (with --url)\n"
               "     --failure-marker TEXT Text the final page must not contain (with --url)\n"
               "     --job FILE            Run the job document in FILE (JSON, as pikd hands it\n"
               "                           out) and print the result as JSON\n"
               "     --bus-address ADDR    Talk to pikd on this bus instead of the system bus\n",
               program_invocation_short_name, program_invocation_short_name, program_invocation_short_name);
}

enum { ARG_URL = CLI_ARG_PROGRAM, ARG_SUCCESS, ARG_FAILURE, ARG_BUS, ARG_JOB };

static int parse_option(int c, const char *arg, void *userdata) {
        Options *o = userdata;

        switch (c) {
        case ARG_URL:
                o->url = arg;
                return 0;
        case ARG_SUCCESS:
                o->success_marker = arg;
                return 0;
        case ARG_FAILURE:
                o->failure_marker = arg;
                return 0;
        case ARG_BUS:
                o->bus_address = arg;
                return 0;
        case ARG_JOB:
                o->job_file = arg;
                return 0;
        default:
                return -EINVAL;
        }
}

static int parse_argv(int argc, char **argv, Options *o) {
        const CliProgram program = {
                .name = "pik-check",
                .flags = CLI_ARGS,
                .options = (const struct option[]) {
                        { "url", required_argument, NULL, ARG_URL },
                        { "success-marker", required_argument, NULL, ARG_SUCCESS },
                        { "failure-marker", required_argument, NULL, ARG_FAILURE },
                        { "bus-address", required_argument, NULL, ARG_BUS },
                        { "job", required_argument, NULL, ARG_JOB },
                        {}
                },
                .parse_option = parse_option,
                .help = help,
                .userdata = o,
        };
        CliCommon cli;
        int r;

        r = cli_parse(&program, argc, argv, &cli);
        if (r <= 0)
                return r;

        if (o->url || o->job_file) {
                if (cli.argc != 0 || (o->url && o->job_file))
                        return log_error_errno(-EINVAL, "--url and --job take no execution id, and not each other.");
                return 1;
        }
        if (cli.argc != 1)
                return log_error_errno(-EINVAL, "Expected one execution id; see --help.");

        char *e;
        errno = 0;
        long long id = strtoll(cli.argv[0], &e, 10);
        if (errno != 0 || *e || e == cli.argv[0] || id <= 0)
                return log_error_errno(-EINVAL, "Invalid execution id '%s'.", SNIPPET(cli.argv[0]));
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
                .wait_sec = -1,
                .page_only = true,
        };
        CheckResult res = CHECK_RESULT_INIT;
        int r;

        r = engine_http.run(&job, progress_stdout, NULL, &res);
        check_result_done(&res);       /* no evidence without pikd or a directory */
        if (r < 0)
                return log_error_errno(r, "Check failed: %m");

        printf("{\"outcome\": \"%s\", \"kind\": \"%s\", \"http_status\": %ld, \"dns_ms\": %lld, "
               "\"connect_ms\": %lld, \"tls_ms\": %lld, \"ttfb_ms\": %lld, \"total_ms\": %lld}\n",
               res.outcome, outcome_kind_to_string(pik_outcome_builtin_kind(res.outcome)) ?: "infrastructure",
               res.http_status, (long long) res.dns_ms, (long long) res.connect_ms, (long long) res.tls_ms,
               (long long) res.ttfb_ms, (long long) res.total_ms);
        return classify_exit_status(res.outcome);
}

/* pik-check --job FILE: a whole job without pikd (tests, and operators
 * trying a configuration); the result as JSON on stdout. */
static int run_job_file(const Options *o) {
        _cleanup_(check_job_freep) CheckJob *job = NULL;
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ char *problem = NULL;
        CheckResult res = CHECK_RESULT_INIT;
        json_object *out;
        size_t n = 0;
        FILE *f;
        int r;

        f = fopen(o->job_file, "re");
        if (!f)
                return log_error_errno(-errno, "Failed to open %s: %m", o->job_file);
        r = getdelim(&text, &n, '\0', f) < 0 && ferror(f) ? -errno : 0;
        fclose(f);
        if (r < 0 || !text)
                return log_error_errno(r < 0 ? r : -ENODATA, "Failed to read %s: %m", o->job_file);
        r = check_job_from_json(text, &job, &problem);
        /* The document may hold the credentials. */
        explicit_bzero(text, strlen(text));
        if (r < 0)
                return log_error_errno(r, "%s is not a job document: %s", o->job_file, problem ?: strerror(-r));

        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (streq(job->engine, "http"))
                r = engine_http.run(job, progress_stdout, NULL, &res);
        else if (streq(job->engine, "webdriver"))
                r = engine_webdriver.run(job, progress_stdout, NULL, &res);
        else
                return log_error_errno(-EINVAL, "Unknown engine '%s'.", job->engine);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        /* An engine that failed never reports success. */
        if (r < 0 && (!res.outcome || streq(res.outcome, "success")))
                res.outcome = "internal-error";
        /* Without evidence_dir the files were for pikd, and there is none
         * here: nothing kept, nothing named. */
        if (res.evidence_in_fds) {
                check_result_done(&res);
                res.n_evidence = 0;
        }

        out = json_object_new_object();
        if (!out)
                return log_oom();
        json_object_object_add(out, "outcome", json_object_new_string(res.outcome));
        json_object_object_add(out, "kind", json_object_new_string(
                outcome_kind_to_string(pik_outcome_builtin_kind(res.outcome)) ?: "infrastructure"));
        json_object_object_add(out, "http_status", json_object_new_int64(res.http_status));
        json_object_object_add(out, "dns_ms", json_object_new_int64(res.dns_ms));
        json_object_object_add(out, "connect_ms", json_object_new_int64(res.connect_ms));
        json_object_object_add(out, "tls_ms", json_object_new_int64(res.tls_ms));
        json_object_object_add(out, "ttfb_ms", json_object_new_int64(res.ttfb_ms));
        json_object_object_add(out, "total_ms", json_object_new_int64(res.total_ms));
        json_object_object_add(out, "retry_after_sec", json_object_new_int64(res.retry_after_sec));
        json_object_object_add(out, "details", json_object_new_string(res.details));
        /* The engine's own time and the network's (the sum of its
         * transfers), in µs: what the engine adds is the difference. */
        json_object_object_add(out, "engine_us", json_object_new_int64(
                (int64_t) (t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000));
        json_object_object_add(out, "network_us", json_object_new_int64(res.network_us));
        json_object *steps = json_object_new_array();
        for (unsigned i = 0; steps && i < res.n_steps; i++) {
                const CheckStep *st = &res.steps[i];
                json_object *so = json_object_new_object();
                if (!so)
                        break;
                json_object_object_add(so, "name", json_object_new_string(st->name));
                json_object_object_add(so, "http_status", json_object_new_int64(st->http_status));
                json_object_object_add(so, "requests", json_object_new_int64(st->requests));
                json_object_object_add(so, "dns_us", json_object_new_int64(st->dns_us));
                json_object_object_add(so, "connect_us", json_object_new_int64(st->connect_us));
                json_object_object_add(so, "tls_us", json_object_new_int64(st->tls_us));
                json_object_object_add(so, "ttfb_us", json_object_new_int64(st->ttfb_us));
                json_object_object_add(so, "total_us", json_object_new_int64(st->total_us));
                json_object_array_add(steps, so);
        }
        json_object_object_add(out, "steps", steps);
        json_object *evidence = json_object_new_array();
        for (unsigned i = 0; evidence && i < res.n_evidence && i < CHECK_EVIDENCE_MAX; i++)
                json_object_array_add(evidence, json_object_new_string(res.evidence[i]));
        json_object_object_add(out, "evidence", evidence);
        puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(out);
        return classify_exit_status(res.outcome);
}

int main(int argc, char **argv) {
        Options o = {};
        int r;

        /* The check holds its partner's credentials and its execution key:
         * no core file and no ptrace by other checks (which share its uid),
         * whoever starts it. Its /proc/self stays its own to read, and pikd
         * still reads its /proc/PID/cgroup (mode 0444) to know its unit. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                log_warning_errno(errno, "Failed to make pik-check undumpable, ignoring: %m");

        r = parse_argv(argc, argv, &o);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        if (o.url) {
                r = run_url(&o);
                return r < 0 ? EXIT_FAILURE : r;
        }
        if (o.job_file) {
                r = run_job_file(&o);
                return r < 0 ? EXIT_FAILURE : r;
        }

        r = check_run(o.execution, o.bus_address);
        if (r < 0)
                return EXIT_FAILURE;
        return r;
}
