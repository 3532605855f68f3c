/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What a WebDriver endpoint answers (src/pik-check/webdriver.c): replies
 * to commands, the capabilities a job merges over ours, base64
 * screenshots, and XPath literals of page text.
 * Input: two bytes of HTTP status (big-endian, modulo 600), then the body.
 * Promises checked: a reply is a value, a W3C error with its code, or
 * -EBADMSG; the error strings are terminated within their fields. */

#include <errno.h>

#include "fuzz.h"
#include "webdriver.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(json_object_putp) json_object *value = NULL, *caps = NULL;
        _cleanup_free_ char *text = NULL, *literal = NULL;
        _cleanup_free_ void *png = NULL;
        WebDriverError err = {};
        size_t png_size = 0;
        long status;
        int r;

        if (size < 2 || size > 1024 * 1024)
                return 0;
        status = (long) ((data[0] << 8 | data[1]) % 600);
        data += 2;
        size -= 2;

        r = webdriver_parse_reply((const char *) data, size, status, &value, &err);
        FUZZ_ASSERT(memchr(err.error, 0, sizeof err.error) && memchr(err.message, 0, sizeof err.message));
        if (r >= 0) {
                const char *id = webdriver_element_id(value);

                FUZZ_ASSERT(!id || value);
        } else {
                FUZZ_ASSERT(!value);
                FUZZ_ASSERT(r == -EIO || r == -ENOENT || r == -EBADMSG || r == -ENOMEM);
                FUZZ_ASSERT(r != -EIO || err.error[0]);
        }

        text = fuzz_strndup(data, size);
        r = webdriver_capabilities("pik/fuzz", text, &caps);
        if (r >= 0)
                FUZZ_ASSERT(json_object_to_json_string(caps));
        else
                FUZZ_ASSERT(r == -EINVAL || r == -ENOMEM);

        r = webdriver_unbase64((const char *) data, size, &png, &png_size);
        FUZZ_ASSERT(r >= 0 || r == -EINVAL || r == -ENOMEM);
        FUZZ_ASSERT(r < 0 || png_size <= size);

        literal = xpath_literal(text);
        FUZZ_ASSERT(literal);
        return 0;
}
