/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "engine.h"

/* Secrets out of whatever text leaves the engine: details (and with them
 * the journal entry and the database), the report, evidence. */

#define REDACTED "[REDACTED]"

/* A copy of text with every occurrence of each secret replaced by
 * REDACTED: as is, and as URLs and forms carry it, each byte raw or
 * percent-encoded (in either case, in any mix: libcurl encodes only some
 * bytes of a path) and a space also as '+'; and as pages and JSON spell
 * it, each character also as a numeric ("&#38;", "&#x26;") or named
 * ("&amp;") character reference or a JSON escape (backslash-u0026,
 * backslash-slash), a space also as a no-break space ("&nbsp;"). secrets: NULL-terminated;
 * NULL and empty entries are skipped. -ENOMEM. */
int redact_secrets(const char *text, const char *const *secrets, char **ret);

/* The same in a NUL-terminated buffer of size n, in place (the result is
 * cut to fit, never past a REDACTED). -ENOMEM. */
int redact_secrets_in_buffer(char *buf, size_t n, const char *const *secrets);

/* The job's secrets: password, TOTP seed, and the TOTP codes of the last
 * few minutes (a flow may have put one in a URL). list is NULL-terminated
 * and points into job and codes; redact_job_secrets_done() wipes codes. */
typedef struct RedactJobSecrets {
        char codes[4][9];
        const char *list[2 + 4 + 1];
} RedactJobSecrets;
void redact_job_secrets(const CheckJob *job, RedactJobSecrets *ret);
void redact_job_secrets_done(RedactJobSecrets *s);

/* The job's secrets (password, TOTP seed, and the TOTP codes of the last
 * few minutes: a flow may have put one in a URL) out of the result's
 * details and step names. On failure the details are withheld rather
 * than shown with a secret. */
void redact_check_result(const CheckJob *job, CheckResult *res);
