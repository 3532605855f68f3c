/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <arpa/inet.h>
#include <netinet/in.h>

#include "internal-address.h"
#include "test-helpers.h"

static bool internal(const char *s) {
        struct sockaddr_in in = { .sin_family = AF_INET };
        struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };

        if (inet_pton(AF_INET, s, &in.sin_addr) == 1)
                return internal_address((struct sockaddr *) &in, sizeof in);
        ASSERT_TRUE(inet_pton(AF_INET6, s, &in6.sin6_addr) == 1);
        return internal_address((struct sockaddr *) &in6, sizeof in6);
}

int main(void) {
        static const char *const refused[] = {
                "127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255",
                "100.64.0.1", "100.127.255.255", "169.254.169.254", "172.16.0.1", "172.31.255.255",
                "192.168.1.1", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
                "::", "::1", "fe80::1", "febf::1", "fec0::1", "fc00::1", "fd12:3456::1", "ff02::1",
                "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.1.2.3", "::127.0.0.1", "::8.8.8.8",
        };
        static const char *const allowed[] = {
                "1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0",
                "126.255.255.255", "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255",
                "172.32.0.0", "192.167.255.255", "192.169.0.0", "223.255.255.255",
                "2001:db8::1", "2a00:1450:4001::1", "fbff::1", "fe00::1", "::ffff:8.8.8.8", "64:ff9b::808:808",
        };

        for (size_t i = 0; i < ELEMENTSOF(refused); i++)
                if (!internal(refused[i])) {
                        fprintf(stderr, "%s should be internal\n", refused[i]);
                        abort();
                }
        for (size_t i = 0; i < ELEMENTSOF(allowed); i++)
                if (internal(allowed[i])) {
                        fprintf(stderr, "%s should not be internal\n", allowed[i]);
                        abort();
                }
        /* What cannot be read is refused. */
        struct sockaddr_in in = { .sin_family = AF_INET };
        ASSERT_TRUE(internal_address((struct sockaddr *) &in, 2));
        ASSERT_TRUE(internal_address(NULL, 0));
        struct sockaddr un = { .sa_family = AF_UNIX };
        ASSERT_TRUE(internal_address(&un, sizeof un));
        return 0;
}
