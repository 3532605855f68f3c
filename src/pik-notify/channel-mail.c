/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>

#include "channel.h"
#include "macro.h"

int channel_mail(const Message *m, const char *sendmail, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        /* -t: the recipients are the To: header's; -oi: a line with a lone
         * "." does not end the message. Every MTA's sendmail knows both. */
        char *argv[] = { (char *) sendmail, (char *) "-t", (char *) "-oi", NULL };
        char *envp[] = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
        int r;

        r = message_mail(m, &text);
        if (r < 0)
                return r;
        return run_with_input(argv, envp, text, ret_error);
}
