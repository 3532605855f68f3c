/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "message.h"

/* One function per channel type: deliver m, or fail with a one-line error
 * for the notification's record (*ret_error, malloc'd). */

#define SENDMAIL_PATH "/usr/sbin/sendmail"
/* A delivery that takes longer has failed; systemd retries it. */
#define CHANNEL_TIMEOUT_SEC 30

int channel_mail(const Message *m, const char *sendmail, char **ret_error);
int channel_webhook(const Message *m, char **ret_error);
int channel_command(const Message *m, json_object *doc, char **ret_error);

/* Runs argv[0] (an absolute path, no shell) with envp, input on its
 * standard input, its output to ours (the journal), and waits: 0 when it
 * exits 0, else -EIO with what happened in *ret_error. */
int run_with_input(char *const *argv, char *const *envp, const char *input, char **ret_error);
