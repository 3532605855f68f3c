/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pik.conf (src/shared/config.c) from a buffer. Promises checked: a
 * refused file comes with a message that names the file; an accepted one
 * is a whole configuration. */

#include <errno.h>

#include "config.h"
#include "fuzz.h"

#define PATH "/etc/pik/pik.conf"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(pik_config_freep) PikConfig *c = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        r = pik_config_parse(PATH, (const char *) data, size, &c, &error);
        if (r < 0) {
                FUZZ_ASSERT(!c);
                FUZZ_ASSERT(r == -ENOMEM || (error && strncmp(error, PATH ":", STRLEN(PATH ":")) == 0));
                return 0;
        }
        FUZZ_ASSERT(c && !error);
        FUZZ_ASSERT(c->database && c->timezone && c->engine.user_agent);
        FUZZ_ASSERT(c->shard_count >= 1 && c->shard_index < c->shard_count);
        FUZZ_ASSERT(c->retry.backoff_max_sec >= c->retry.backoff_sec);
        (void) pik_config_shard_owns(c, "acme");
        return 0;
}
