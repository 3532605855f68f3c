/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>

#include "host-rules.h"
#include "test-helpers.h"

static void good(char **resolve, const char *want) {
        _cleanup_free_ char *rules = NULL;
        char bad[64] = "";

        ASSERT_OK(host_rules_from_resolve(resolve, &rules, bad, sizeof bad));
        ASSERT_STREQ(rules, want);
}

static void refused(const char *entry) {
        char *resolve[] = { (char *) "ok.test:80:127.0.0.1", (char *) entry, NULL };
        _cleanup_free_ char *rules = NULL;
        char bad[64] = "";

        ASSERT_ERR(host_rules_from_resolve(resolve, &rules, bad, sizeof bad), EINVAL);
        /* The error names the entry that is wrong. */
        ASSERT_STREQ(bad, entry);
        ASSERT_TRUE(rules == NULL);
}

int main(void) {
        _cleanup_free_ char *none = (char *) 1;
        char bad[8];

        ASSERT_OK(host_rules_from_resolve(NULL, &none, bad, sizeof bad));
        ASSERT_TRUE(none == NULL);

        good((char *[]) { (char *) "partner.test:443:127.0.0.1", NULL }, "MAP partner.test:443 127.0.0.1");
        good((char *[]) { (char *) "partner.test:8443:127.0.0.1", (char *) "+idp.test:80:10.0.0.1,10.0.0.2", NULL },
             "MAP partner.test:8443 127.0.0.1, MAP idp.test:80 10.0.0.1");
        /* IPv6 addresses go in brackets, with or without them in the entry. */
        good((char *[]) { (char *) "a.test:443:::1", (char *) "b.test:443:[2001:db8::1]", NULL },
             "MAP a.test:443 [::1], MAP b.test:443 [2001:db8::1]");
        good((char *[]) { (char *) "[::1]:8080:127.0.0.1", NULL }, "MAP [::1]:8080 127.0.0.1");
        good((char *[]) { (char *) "*:443:127.0.0.1", NULL }, "MAP *:443 127.0.0.1");

        refused("no-port.test");
        refused("partner.test:443");
        refused("partner.test::127.0.0.1");
        refused("partner.test:0:127.0.0.1");
        refused("partner.test:65536:127.0.0.1");
        refused("partner.test:44x:127.0.0.1");
        refused("partner.test:443:");
        refused("partner.test:443:not-an-address");
        refused("partner.test:443:127.0.0.1.5");
        /* Nothing that would change the rule list's meaning. */
        refused("a.test, MAP * 10.0.0.1:443:127.0.0.1");
        refused("a b.test:443:127.0.0.1");
        /* A removal has no meaning for a browser started afresh. */
        refused("-partner.test:443");
        refused("[::1:443:127.0.0.1");
        return 0;
}
