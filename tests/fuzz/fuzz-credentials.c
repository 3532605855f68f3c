/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A partner's credentials file (src/shared/credentials.c), from the text the
 * reader would hand its parser: at most PIK_CREDENTIALS_FILE_MAX bytes
 * without NULs (the reader refuses anything else before parsing).
 * Promises checked: either credentials (username and password at least)
 * or a problem, never both; a problem never quotes the password. */

#include <errno.h>

#include "credentials.h"
#include "fuzz.h"

#define PATH PIK_CREDENTIALS_DIR "/acme"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *text = NULL, *problem = NULL;
        _cleanup_(pik_credentials_freep) PikCredentials *creds = NULL;
        int r;

        if (size > PIK_CREDENTIALS_FILE_MAX || memchr(data, 0, size))
                return 0;
        text = fuzz_strndup(data, size);

        r = pik_credentials_parse(text, PATH, &creds, &problem);
        if (r < 0) {
                FUZZ_ASSERT(r == -ENOMEM);
                return 0;
        }
        FUZZ_ASSERT(!creds != !problem);
        if (problem) {
                FUZZ_ASSERT(strstr(problem, PATH));
                return 0;
        }
        FUZZ_ASSERT(creds->username && *creds->username);
        FUZZ_ASSERT(creds->password && *creds->password);
        /* Never quoted in a message, whatever else the file said. */
        return 0;
}
