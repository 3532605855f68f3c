/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pik-web: the status pages, the JSON API and /metrics over HTTP, from the
 * database opened read-only. Started by pik-web.socket on the first
 * connection and gone again after --idle-timeout without a request; with
 * --listen it binds its own socket (tests, demos, no systemd). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

#include "build-config.h"
#include "cli.h"
#include "log.h"
#include "server.h"
#include "string-util.h"
#include "time-util.h"

enum {
        ARG_LISTEN = CLI_ARG_PROGRAM,
        ARG_IDLE_TIMEOUT,
};

#define IDLE_TIMEOUT_DEFAULT_SEC 60
#define IDLE_TIMEOUT_MAX_SEC (7 * 86400)

static const char *arg_listen = NULL;
static uint64_t arg_idle_timeout = IDLE_TIMEOUT_DEFAULT_SEC;

static const struct option options[] = {
        { "listen", required_argument, NULL, ARG_LISTEN },
        { "idle-timeout", required_argument, NULL, ARG_IDLE_TIMEOUT },
        {}
};

static int parse_option(int c, const char *arg, void *userdata) {
        switch (c) {
        case ARG_LISTEN:
                arg_listen = arg;
                return 0;
        case ARG_IDLE_TIMEOUT:
                if (parse_duration(arg, IDLE_TIMEOUT_MAX_SEC, &arg_idle_timeout) < 0)
                        return log_error_errno(-EINVAL, "Invalid --idle-timeout '%s': expected a duration such as "
                                               "60s or 5m (0: never exit), at most 7d.", SNIPPET(arg));
                return 0;
        }
        return -EINVAL;
}

static void help(int argc, char **argv, void *userdata) {
        printf("Usage: %s [OPTIONS…]\n\n"
               "Serve pik's status pages, JSON API (/api/v1/) and Prometheus metrics\n"
               "(/metrics) over HTTP, reading the database read-only. Takes its listening\n"
               "socket from systemd (pik-web.socket) unless --listen is given.\n\n"
               "  -h --help               Show this help\n"
               "     --version            Show the version\n"
               "     --config FILE        Read FILE instead of " PIK_CONFIG_PATH "\n"
               "     --db PATH            Use this database instead of the configured one\n"
               "     --listen ADDR:PORT   Listen here (127.0.0.1:8377, [::1]:8377) instead of\n"
               "                          on the socket systemd passes\n"
               "     --idle-timeout TIME  Exit after TIME without a request (default 60s; 0: never)\n",
               program_invocation_short_name);
}

static const CliProgram program = {
        .name = "pik-web",
        .flags = CLI_CONFIG_DB,
        .options = options,
        .parse_option = parse_option,
        .help = help,
};

static int listening_socket(int *ret) {
        int n, r;

        if (arg_listen) {
                r = server_listen(arg_listen, ret);
                if (r == -EINVAL)
                        return log_error_errno(r, "Invalid --listen '%s': expected ADDRESS:PORT with a numeric "
                                               "address, such as 127.0.0.1:8377 or [::1]:8377.", SNIPPET(arg_listen));
                if (r < 0)
                        return log_error_errno(r, "Failed to listen on %s: %m", SNIPPET(arg_listen));
                return 0;
        }

        n = sd_listen_fds(true);
        if (n < 0)
                return log_error_errno(n, "Failed to take the sockets passed by systemd: %m");
        if (n == 0)
                return log_error_errno(-EINVAL, "No socket was passed (start pik-web.socket) and no --listen "
                                       "ADDR:PORT was given.");
        if (n > 1)
                return log_error_errno(-EINVAL, "%d sockets were passed; pik-web.socket has exactly one "
                                       "ListenStream=.", n);
        if (sd_is_socket(SD_LISTEN_FDS_START, AF_UNSPEC, SOCK_STREAM, 1) <= 0)
                return log_error_errno(-EINVAL, "The socket systemd passed is not a listening stream socket.");
        *ret = SD_LISTEN_FDS_START;
        return 0;
}

static int run(int argc, char **argv) {
        _cleanup_(pik_config_freep) PikConfig *cfg = NULL;
        CliCommon cli = {};
        Web w;
        int fd, r;

        r = cli_parse(&program, argc, argv, &cli);
        if (r <= 0)
                return r;
        /* The socket first: should the database be missing, the error is
         * logged once and systemd does not start us again for every
         * connection still queued. */
        r = listening_socket(&fd);
        if (r < 0)
                return r;
        r = cli_load_config(&cli, &cfg);
        if (r < 0)
                return r;

        /* The database is opened by the first request that needs it (the
         * server keeps it open then): on a fresh installation it does not
         * exist before the first pikctl change, and a page saying so beats
         * a unit that fails at every connection until systemd's start
         * limit stops the socket. */
        w = (Web) { .db_path = cli.db_path ?: cfg->database, .cfg = cfg };
        r = server_run(&w, fd, arg_idle_timeout);
        pik_db_close(w.db);
        return r;
}

int main(int argc, char **argv) {
        return run(argc, argv) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
