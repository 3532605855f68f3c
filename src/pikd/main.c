/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pikd: org.pik.Manager1, the one writer of admin changes and reported
 * results. Started by D-Bus activation (pikd.service), exits when idle.
 * The interface is docs/DBUS.md; the handlers are in manager.c. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "build-config.h"
#include "checkjob.h"
#include "cli.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "manager.h"
#include "string-util.h"
#include "time-util.h"

static const char *arg_credentials_dir = PIK_CREDENTIALS_DIR;
static const char *arg_evidence_dir = PIK_EVIDENCE_ROOT;
static const char *arg_bus_address = NULL;
static uint64_t arg_idle_usec = PIKD_IDLE_USEC_DEFAULT;
static bool arg_check_config = false;

static void help(int argc, char **argv, void *userdata) {
        printf("Usage: pikd [OPTIONS…]\n"
               "\n"
               "The pik manager: serves org.pik.Manager1 on the system bus (see pikd(8)).\n"
               "Started by D-Bus activation; exits after a while without calls.\n"
               "\n"
               "  -h --help                 Show this help\n"
               "     --version              Show the version\n"
               "     --config FILE          Read FILE instead of " PIK_CONFIG_PATH "\n"
               "     --db PATH              Use this database instead of the configured one\n"
               "     --credentials-dir DIR  Partners' secrets (default " PIK_CREDENTIALS_DIR ")\n"
               "     --evidence-dir DIR     Failed checks' evidence (default " PIK_EVIDENCE_ROOT ")\n"
               "     --bus-address ADDRESS  Serve on this bus instead of the system bus (tests)\n"
               "     --idle-timeout TIME    Exit after TIME without calls (default 30s; 0: never)\n"
               "     --check-config         Check the configuration file and exit (systemctl reload runs it first)\n");
}

enum {
        ARG_CREDENTIALS_DIR = CLI_ARG_PROGRAM,
        ARG_EVIDENCE_DIR,
        ARG_BUS_ADDRESS,
        ARG_IDLE_TIMEOUT,
        ARG_CHECK_CONFIG,
};

static int parse_option(int c, const char *arg, void *userdata) {
        uint64_t sec;

        switch (c) {
        case ARG_CREDENTIALS_DIR:
                if (arg[0] != '/')
                        return log_error_errno(-EINVAL, "--credentials-dir %s is not an absolute path.", SNIPPET(arg));
                arg_credentials_dir = arg;
                return 0;
        case ARG_EVIDENCE_DIR:
                if (arg[0] != '/')
                        return log_error_errno(-EINVAL, "--evidence-dir %s is not an absolute path.", SNIPPET(arg));
                arg_evidence_dir = arg;
                return 0;
        case ARG_BUS_ADDRESS:
                arg_bus_address = arg;
                return 0;
        case ARG_IDLE_TIMEOUT:
                if (parse_duration(arg, 86400, &sec) < 0)
                        return log_error_errno(-EINVAL, "Invalid --idle-timeout '%s': a duration such as 30s, "
                                               "at most a day, or 0.", SNIPPET(arg));
                arg_idle_usec = sec * UINT64_C(1000000);
                return 0;
        case ARG_CHECK_CONFIG:
                arg_check_config = true;
                return 0;
        default:
                return -EINVAL;
        }
}

static const CliProgram program = {
        .name = "pikd",
        .flags = CLI_CONFIG_DB,
        .options = (const struct option[]) {
                { "credentials-dir", required_argument, NULL, ARG_CREDENTIALS_DIR },
                { "evidence-dir", required_argument, NULL, ARG_EVIDENCE_DIR },
                { "bus-address", required_argument, NULL, ARG_BUS_ADDRESS },
                { "idle-timeout", required_argument, NULL, ARG_IDLE_TIMEOUT },
                { "check-config", no_argument, NULL, ARG_CHECK_CONFIG },
                {}
        },
        .parse_option = parse_option,
        .help = help,
};

static int run(int argc, char **argv) {
        _cleanup_(pik_config_freep) PikConfig *cfg = NULL;
        _cleanup_(pik_db_closep) PikDb *db = NULL;
        _cleanup_(manager_freep) Manager *m = NULL;
        CliCommon cli;
        sigset_t mask;
        int r;

        /* pikd holds the partners' credentials: no core file, no ptrace by
         * the same uid (LimitCORE=0 in the unit covers only the unit). The
         * checks' units come from their /proc/PID/cgroup, which stays
         * readable; pikd reads nothing of its own in /proc. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                log_warning_errno(errno, "Failed to make pikd undumpable, ignoring: %m");

        r = cli_parse(&program, argc, argv, &cli);
        if (r <= 0)
                return r;
        if (arg_check_config) {
                /* ExecReload= runs this before the SIGHUP: a file pikd would
                 * refuse fails the reload itself, with file:line:key in the
                 * journal, and the running pikd is never asked. */
                r = cli_load_config(&cli, &cfg);
                if (r < 0)
                        return log_error_errno(r, "Refusing %s: the running pikd keeps its configuration.",
                                               cli.config_path ?: PIK_CONFIG_PATH);
                log_info("%s is valid.", cli.config_path ?: PIK_CONFIG_PATH);
                return 0;
        }
        /* A configuration that does not load is refused at start, file,
         * line and key in the journal (cli_load_config): pikd does not run
         * on a half-understood pik.conf. */
        r = cli_open(&cli, PIK_DB_CREATE, &cfg, &db);
        if (r < 0)
                return r;
        /* sd-event takes these signals as events. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(-errno, "Failed to block signals: %m");

        r = manager_new(cfg, db, arg_credentials_dir, arg_evidence_dir, arg_idle_usec, &m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up: %m");
        TAKE_PTR(cfg);
        TAKE_PTR(db);
        r = manager_enable_reload(m, cli.config_path);
        if (r < 0)
                return log_error_errno(r, "Failed to watch for SIGHUP: %m");

        r = manager_connect_bus(m, arg_bus_address);
        if (r < 0)
                return r;
        return manager_run(m);
}

int main(int argc, char **argv) {
        return run(argc, argv) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
