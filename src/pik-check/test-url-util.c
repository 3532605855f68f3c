/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "test-helpers.h"
#include "url-util.h"

static void referrer_is(const char *from, const char *to, const char *want) {
        _cleanup_free_ char *got = NULL;

        ASSERT_OK(url_referrer(from, to, &got));
        if (!want != !got || (want && !streq(want, got))) {
                fprintf(stderr, "Referer from %s to %s: \"%s\", not \"%s\"\n", from, to, got ?: "(none)",
                        want ?: "(none)");
                abort();
        }
}

static void test_referrer(void) {
        /* Same origin: the whole URL, query included, without fragment. */
        referrer_is("https://shop.test/login?next=/a#top", "https://shop.test/session",
                    "https://shop.test/login?next=/a");
        referrer_is("https://shop.test/a", "https://SHOP.test:443/b", "https://shop.test/a");
        referrer_is("https://user:pw@shop.test/a?x=1", "https://shop.test/b", "https://shop.test/a?x=1");
        /* Another origin (host, port or scheme): the origin only. A GET
         * login form's fields and OAuth's code stay behind. */
        referrer_is("https://shop.test/login?username=u&password=p", "https://idp.test/authorize",
                    "https://shop.test/");
        referrer_is("https://idp.test/cb?code=c&state=s", "https://shop.test/", "https://idp.test/");
        referrer_is("http://shop.test:8080/a?q=1", "http://shop.test:8081/b", "http://shop.test:8080/");
        referrer_is("http://shop.test/a?q=1", "https://shop.test/a", "http://shop.test/");
        /* From https to http: nothing at all. */
        referrer_is("https://shop.test/a?q=1", "http://shop.test/a", NULL);
        referrer_is("https://shop.test/a", "http://other.test/", NULL);
        /* No page before, or none that is http(s). */
        referrer_is(NULL, "https://shop.test/", NULL);
        referrer_is("about:blank", "https://shop.test/", NULL);
        referrer_is("not a url", "https://shop.test/", NULL);
}

int main(void) {
        test_referrer();
        return 0;
}
