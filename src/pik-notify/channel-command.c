/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channel.h"
#include "db.h"
#include "macro.h"

_printf_(3, 4)
static int error_text(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
        return r;
}

int run_with_input(char *const *argv, char *const *envp, const char *input, char **ret_error) {
        int pipefd[2], status;
        size_t len = strlen(input), done = 0;
        pid_t pid;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return error_text(ret_error, -errno, "%s: cannot make a pipe: %m", argv[0]);

        pid = fork();
        if (pid < 0) {
                int r = -errno;
                close(pipefd[0]);
                close(pipefd[1]);
                return error_text(ret_error, r, "%s: cannot fork: %s", argv[0], strerror(-r));
        }
        if (pid == 0) {
                if (dup2(pipefd[0], STDIN_FILENO) < 0)
                        _exit(127);
                /* Its output goes where ours goes: the unit's journal. */
                (void) signal(SIGPIPE, SIG_DFL);
                execve(argv[0], argv, envp);
                fprintf(stderr, "Failed to run %s: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        close(pipefd[0]);

        /* A program that does not read its input is not an error as such;
         * its exit status says whether it did its job. */
        (void) signal(SIGPIPE, SIG_IGN);
        while (done < len) {
                ssize_t n = write(pipefd[1], input + done, len - done);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                done += (size_t) n;
        }
        close(pipefd[1]);

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return error_text(ret_error, -errno, "%s: cannot wait for it: %m", argv[0]);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                return error_text(ret_error, -EIO, "%s could not be run (exit status 127)", argv[0]);
        if (WIFEXITED(status))
                return error_text(ret_error, -EIO, "%s exited with status %d", argv[0], WEXITSTATUS(status));
        return error_text(ret_error, -EIO, "%s was killed by signal %s", argv[0],
                          WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "?");
}

int channel_command(const Message *m, json_object *doc, char **ret_error) {
        _cleanup_strv_free_ char **env = NULL;
        char *argv[] = { (char *) m->target, NULL };
        const char *input;
        int r;

        r = message_environment(m, &env);
        if (r < 0)
                return r;
        input = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
        if (!input)
                return -ENOMEM;
        return run_with_input(argv, env, input, ret_error);
}
