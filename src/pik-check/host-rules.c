/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-rules.h"
#include "macro.h"

/* Host names as curl takes them, or "*": no blanks, commas or anything
 * else that would change the meaning of Chromium's rule list. */
static bool valid_host(const char *h, size_t len) {
        if (len == 0 || len > 253)
                return false;
        if (h[0] == '[')
                return len > 2 && h[len - 1] == ']' && strspn(h + 1, "0123456789abcdefABCDEF:.") == len - 2;
        return strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_*") == len;
}

/* One entry as a rule, appended to buf; false when it is not an entry. */
static bool one_rule(const char *e, FILE *buf, bool first) {
        const char *host, *port, *addr, *end;
        char a[INET6_ADDRSTRLEN + 1], num[6];
        unsigned char bin[sizeof(struct in6_addr)];
        size_t hlen, alen;
        unsigned long p;
        bool v6;

        if (*e == '+')
                e++;
        host = e;
        /* An IPv6 host is in brackets: its colons are not separators. */
        if (*host == '[') {
                end = strchr(host, ']');
                if (!end)
                        return false;
                port = end + 1;
        } else
                port = strchr(host, ':');
        if (!port || *port != ':')
                return false;
        hlen = (size_t) (port - host);
        port++;
        addr = strchr(port, ':');
        if (!addr || addr == port || (size_t) (addr - port) >= sizeof num ||
            strspn(port, "0123456789") != (size_t) (addr - port))
                return false;
        snprintf(num, sizeof num, "%.*s", (int) (addr - port), port);
        p = strtoul(num, NULL, 10);   /* digits only, at most 5 of them */
        if (p < 1 || p > 65535)
                return false;
        addr++;
        alen = strcspn(addr, ",");
        if (alen > 0 && addr[0] == '[' && addr[alen - 1] == ']') {
                addr++;
                alen -= 2;
        }
        if (alen == 0 || alen >= sizeof a)
                return false;
        snprintf(a, sizeof a, "%.*s", (int) alen, addr);
        v6 = strchr(a, ':');
        if (inet_pton(v6 ? AF_INET6 : AF_INET, a, bin) != 1 || !valid_host(host, hlen))
                return false;

        fprintf(buf, "%sMAP %.*s:%s %s%s%s", first ? "" : ", ", (int) hlen, host, num, v6 ? "[" : "", a,
                v6 ? "]" : "");
        return true;
}

int host_rules_from_resolve(char *const *resolve, char **ret, char *ret_bad, size_t n) {
        _cleanup_free_ char *rules = NULL;
        size_t size = 0, count = 0;
        FILE *buf;
        bool ok = true;

        if (!resolve || !*resolve) {
                *ret = NULL;
                return 0;
        }
        buf = open_memstream(&rules, &size);
        if (!buf)
                return -ENOMEM;
        for (char *const *e = resolve; *e; e++) {
                if (++count > HOST_RULES_MAX || !one_rule(*e, buf, e == resolve)) {
                        snprintf(ret_bad, n, "%s", count > HOST_RULES_MAX ? "(more than 64 entries)" : *e);
                        ok = false;
                        break;
                }
        }
        if (fclose(buf) != 0 || !rules)
                return -ENOMEM;
        if (!ok)
                return -EINVAL;
        *ret = TAKE_PTR(rules);
        return 0;
}
