/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <systemd/sd-messages.h>

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

/* A value of one of PID 1's fields: printable ASCII without blanks. */
static int copy_word(char *dst, size_t size, const char *v, size_t n) {
        if (n == 0 || n >= size)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (v[i] <= ' ' || v[i] > '~')
                        return -EINVAL;
        memcpy(dst, v, n);
        dst[n] = 0;
        return 0;
}

static bool field_is(const char *field, size_t n, const char *name, const char **ret_value, size_t *ret_n) {
        size_t k = strlen(name);

        if (n <= k || memcmp(field, name, k) != 0 || field[k] != '=')
                return false;
        *ret_value = field + k + 1;
        *ret_n = n - k - 1;
        return true;
}

int pik_unit_end_add_field(PikUnitEnd *e, const char *field, size_t n) {
        const char *v;
        size_t vn;

        if (field_is(field, n, "UNIT_RESULT", &v, &vn))
                return copy_word(e->service_result, sizeof e->service_result, v, vn);
        if (field_is(field, n, "EXIT_CODE", &v, &vn))
                return copy_word(e->exit_code, sizeof e->exit_code, v, vn);
        /* A signal's number; named once EXIT_CODE is known too
         * (exit_status_signal_name()). */
        if (field_is(field, n, "EXIT_STATUS", &v, &vn))
                return copy_word(e->exit_status, sizeof e->exit_status, v, vn);
        return 0;
}

/* EXIT_STATUS of a process killed by a signal is the signal's number. */
static void exit_status_signal_name(PikUnitEnd *e) {
        const char *name;
        char *end;
        long sig;

        if (!streq(e->exit_code, "killed") && !streq(e->exit_code, "dumped"))
                return;
        errno = 0;
        sig = strtol(e->exit_status, &end, 10);
        if (errno != 0 || end == e->exit_status || *end || sig <= 0 || sig >= 65)
                return;
        name = sigabbrev_np((int) sig);
        if (name)
                snprintf(e->exit_status, sizeof e->exit_status, "%s", name);
}

int pik_unit_end_find(int64_t execution, PikUnitEnd *ret) {
        __attribute__((cleanup(journal_closep))) sd_journal *j = NULL;
        char unit[PIK_CHECK_UNIT_MAX], m_unit[PIK_CHECK_UNIT_MAX + 8];
        PikUnitEnd e = {};
        bool found = false;
        int r;

        pik_check_unit_name(unit, execution);
        snprintf(m_unit, sizeof m_unit, "UNIT=%s", unit);

        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r < 0)
                return r;
        if ((r = sd_journal_add_match(j, "MESSAGE_ID=" SD_MESSAGE_UNIT_PROCESS_EXIT_STR, 0)) < 0 ||
            (r = sd_journal_add_match(j, "MESSAGE_ID=" SD_MESSAGE_UNIT_FAILURE_RESULT_STR, 0)) < 0 ||
            (r = sd_journal_add_match(j, "MESSAGE_ID=" SD_MESSAGE_UNIT_SUCCESS_STR, 0)) < 0 ||
            (r = sd_journal_add_conjunction(j)) < 0 ||
            (r = sd_journal_add_match(j, m_unit, 0)) < 0 ||
            (r = sd_journal_add_conjunction(j)) < 0 ||
            (r = sd_journal_add_match(j, "_PID=1", 0)) < 0)
                return r;

        /* An execution's unit runs once: its entries are the only ones. */
        SD_JOURNAL_FOREACH(j) {
                PikUnitEnd one = {};
                const void *d;
                size_t n;
                uint64_t usec;
                bool main_exit = false, success = false;

                SD_JOURNAL_FOREACH_DATA(j, d, n) {
                        const char *v;
                        size_t vn;

                        if (field_is(d, n, "COMMAND", &v, &vn))
                                /* "ExecStart" (systemd 252; "start" before) */
                                main_exit = (vn == 9 && memcmp(v, "ExecStart", 9) == 0) ||
                                            (vn == 5 && memcmp(v, "start", 5) == 0);
                        else if (field_is(d, n, "MESSAGE_ID", &v, &vn))
                                success = vn == 32 && memcmp(v, SD_MESSAGE_UNIT_SUCCESS_STR, 32) == 0;
                        else
                                (void) pik_unit_end_add_field(&one, d, n);   /* a bad value stays unknown */
                }
                if (*one.service_result)
                        memcpy(e.service_result, one.service_result, sizeof e.service_result);
                else if (success)
                        snprintf(e.service_result, sizeof e.service_result, "success");
                else if (main_exit && *one.exit_code) {
                        /* The main process's exit; later ones (ExecStopPost=) are not the check's. */
                        memcpy(e.exit_code, one.exit_code, sizeof e.exit_code);
                        memcpy(e.exit_status, one.exit_status, sizeof e.exit_status);
                } else
                        continue;
                found = true;
                if (sd_journal_get_realtime_usec(j, &usec) >= 0)
                        e.at = (int64_t) (usec / 1000000);
        }
        if (!found)
                return 0;
        exit_status_signal_name(&e);
        *ret = e;
        return 1;
}

const char *pik_unit_end_outcome(const PikUnitEnd *e, const char **ret_state) {
        *ret_state = "failure";
        if (streq(e->service_result, "timeout")) {
                /* RuntimeMaxSec= stopped it: the same end as the reaper's. */
                *ret_state = "expired";
                return "check-expired";
        }
        if (streq(e->service_result, "oom-kill"))
                return "out-of-memory";
        return "engine-crashed";
}

int pik_unit_end_details(const PikUnitEnd *e, char **ret) {
        _cleanup_free_ char *summary = NULL;
        const char *sr = e->service_result, *status = e->exit_status;
        int r;

        if (!*sr)
                r = asprintf(&summary, "unknown");
        else if (streq(sr, "timeout"))
                r = asprintf(&summary, "timed out%s%s", *status ? ", killed " : "", status);
        else if (streq(sr, "oom-kill"))
                r = asprintf(&summary, "killed by the OOM killer");
        else if (streq(sr, "signal"))
                r = asprintf(&summary, "signal %s", *status ? status : "(unknown)");
        else if (streq(sr, "core-dump"))
                r = asprintf(&summary, "core dump, signal %s", *status ? status : "(unknown)");
        else if (streq(sr, "exit-code"))
                r = asprintf(&summary, "exit code %s", *status ? status : "(unknown)");
        else if (streq(sr, "success"))
                r = asprintf(&summary, "exited with status %s without reporting a result", *status ? status : "0");
        else
                r = asprintf(&summary, "%s", sr);
        if (r < 0)
                return -ENOMEM;
        if (asprintf(ret, "unit ended: %s (SERVICE_RESULT=%s EXIT_CODE=%s EXIT_STATUS=%s)",
                     summary, sr, e->exit_code, status) < 0)
                return -ENOMEM;
        return 0;
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
