/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>

#include "dispatcher.h"
#include "logged-result.h"
#include "macro.h"
#include "message-ids.h"
#include "string-util.h"

/* A timing the check wrote with "%lld": digits, an optional minus sign (-1
 * for unknown), no more than an hour of milliseconds. */
static int parse_ms(const char *v, size_t n, int64_t *ret) {
        char buf[24], *end;
        long long x;

        if (n == 0 || n >= sizeof buf || memchr(v, 0, n) || !(v[0] == '-' || (v[0] >= '0' && v[0] <= '9')))
                return -EINVAL;
        memcpy(buf, v, n);
        buf[n] = 0;
        errno = 0;
        x = strtoll(buf, &end, 10);
        if (errno != 0 || *end || x < -1 || x > 3600 * 1000)
                return -EINVAL;
        *ret = x;
        return 0;
}

int pik_logged_result_add_field(PikLoggedResult *l, const char *field, size_t n) {
        static const struct {
                const char *name;
                size_t offset;
        } timings[] = {
                { "PIK_DURATION_MS=", offsetof(PikLoggedResult, duration_ms) },
                { "PIK_DNS_MS=",      offsetof(PikLoggedResult, dns_ms) },
                { "PIK_CONNECT_MS=",  offsetof(PikLoggedResult, connect_ms) },
                { "PIK_TLS_MS=",      offsetof(PikLoggedResult, tls_ms) },
                { "PIK_TTFB_MS=",     offsetof(PikLoggedResult, ttfb_ms) },
                { "PIK_TOTAL_MS=",    offsetof(PikLoggedResult, total_ms) },
        };
        const char *eq = memchr(field, '=', n);
        size_t name_n, value_n;

        if (!eq)
                return -EINVAL;
        name_n = (size_t) (eq - field) + 1;
        value_n = n - name_n;

        if (name_n == strlen("PIK_OUTCOME=") && memcmp(field, "PIK_OUTCOME=", name_n) == 0) {
                /* The catalog decides later whether it is an outcome;
                 * here only that it is a code. */
                if (value_n == 0 || value_n >= sizeof l->outcome || memchr(eq + 1, 0, value_n))
                        return -EINVAL;
                memcpy(l->outcome, eq + 1, value_n);
                l->outcome[value_n] = 0;
                return code_is_valid(l->outcome) ? 0 : -EINVAL;
        }
        for (size_t i = 0; i < ELEMENTSOF(timings); i++)
                if (name_n == strlen(timings[i].name) && memcmp(field, timings[i].name, name_n) == 0) {
                        int64_t *p = (int64_t *) ((char *) l + timings[i].offset);
                        int r = parse_ms(eq + 1, value_n, p);

                        if (r < 0)
                                return r;
                        if (p == &l->duration_ms && *p < 0)
                                return -EINVAL;
                        return 0;
                }
        return 0;
}

static void journal_closep(sd_journal **j) {
        if (*j)
                sd_journal_close(*j);
}

int pik_logged_result_find(int64_t execution, PikLoggedResult *ret) {
        __attribute__((cleanup(journal_closep))) sd_journal *j = NULL;
        char unit[PIK_CHECK_UNIT_MAX], m_unit[PIK_CHECK_UNIT_MAX + 32], m_exec[64];
        PikLoggedResult l = PIK_LOGGED_RESULT_INIT;
        const void *d;
        size_t n;
        int r;

        pik_check_unit_name(unit, execution);
        snprintf(m_unit, sizeof m_unit, "_SYSTEMD_UNIT=%s", unit);
        snprintf(m_exec, sizeof m_exec, "PIK_EXECUTION=%" PRId64, execution);

        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r < 0)
                return r;
        if ((r = sd_journal_add_match(j, "MESSAGE_ID=" PIK_MESSAGE_SUCCESS_STR, 0)) < 0 ||
            (r = sd_journal_add_match(j, "MESSAGE_ID=" PIK_MESSAGE_FAILURE_STR, 0)) < 0 ||
            (r = sd_journal_add_conjunction(j)) < 0 ||
            (r = sd_journal_add_match(j, m_unit, 0)) < 0 ||
            (r = sd_journal_add_conjunction(j)) < 0 ||
            (r = sd_journal_add_match(j, m_exec, 0)) < 0)
                return r;
        r = sd_journal_seek_tail(j);
        if (r < 0)
                return r;
        r = sd_journal_previous(j);
        if (r <= 0)
                return r;

        SD_JOURNAL_FOREACH_DATA(j, d, n) {
                r = pik_logged_result_add_field(&l, d, n);
                if (r < 0)
                        return r;
        }
        if (!*l.outcome)
                return -EINVAL;
        *ret = l;
        return 1;
}

void pik_logged_result_to_report(const PikLoggedResult *l, int64_t execution, const char *details,
                                 PikResultReport *rep) {
        *rep = (PikResultReport) PIK_RESULT_REPORT_INIT;
        rep->execution_id = execution;
        rep->outcome = l->outcome;
        rep->duration_ms = l->duration_ms;
        rep->dns_ms = l->dns_ms;
        rep->connect_ms = l->connect_ms;
        rep->tls_ms = l->tls_ms;
        rep->ttfb_ms = l->ttfb_ms;
        rep->total_ms = l->total_ms;
        rep->details = details;
}
