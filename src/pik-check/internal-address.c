/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "internal-address.h"
#include "macro.h"

static bool internal_ipv4(uint32_t a) {
        static const struct {
                uint32_t net;
                unsigned bits;
        } ranges[] = {
                { 0x00000000, 8 },      /* "this network" */
                { 0x0a000000, 8 },      /* private */
                { 0x64400000, 10 },     /* carrier-grade NAT */
                { 0x7f000000, 8 },      /* loopback */
                { 0xa9fe0000, 16 },     /* link-local, cloud metadata */
                { 0xac100000, 12 },     /* private */
                { 0xc0a80000, 16 },     /* private */
                { 0xe0000000, 4 },      /* multicast */
                { 0xf0000000, 4 },      /* reserved, broadcast */
        };

        for (size_t i = 0; i < ELEMENTSOF(ranges); i++)
                if ((a >> (32 - ranges[i].bits)) == (ranges[i].net >> (32 - ranges[i].bits)))
                        return true;
        return false;
}

static bool internal_ipv6(const uint8_t b[static 16]) {
        static const uint8_t zero[12] = {}, mapped[12] = { [10] = 0xff, [11] = 0xff };

        /* ::/96 holds ::, ::1 and the deprecated ::a.b.c.d: nothing a
         * public site lives at. */
        if (memcmp(b, zero, 12) == 0)
                return true;
        if (memcmp(b, mapped, 12) == 0)
                return internal_ipv4((uint32_t) b[12] << 24 | (uint32_t) b[13] << 16 | (uint32_t) b[14] << 8 | b[15]);
        return (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||      /* fe80::/10 link-local */
               (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) ||      /* fec0::/10 site-local */
               (b[0] & 0xfe) == 0xfc ||                        /* fc00::/7 unique local */
               b[0] == 0xff;                                   /* ff00::/8 multicast */
}

bool internal_address(const struct sockaddr *sa, socklen_t len) {
        if (!sa)
                return true;
        if (sa->sa_family == AF_INET && len >= (socklen_t) sizeof(struct sockaddr_in)) {
                const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
                return internal_ipv4(ntohl(in->sin_addr.s_addr));
        }
        if (sa->sa_family == AF_INET6 && len >= (socklen_t) sizeof(struct sockaddr_in6)) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
                return internal_ipv6(in6->sin6_addr.s6_addr);
        }
        return true;
}
