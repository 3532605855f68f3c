/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Evidence of a failed check (the final page, the steps, a screenshot),
 * kept where the operator can look at them, never with a secret in them:
 * the execution's own directory (evidence-store.h), written by pikd from
 * the memory files the check hands it. */

#include <stddef.h>

#include "engine.h"

/* Caps what we save: a page source larger than this is cut (and says so). */
#define EVIDENCE_SOURCE_MAX (8U * 1024U * 1024U)

#include "redact.h"

#define EVIDENCE_REDACTED REDACTED

/* A copy of html in which the value attribute of every
 * <input type=password> and every occurrence of each secret, in every
 * spelling redact_secrets() knows, reads EVIDENCE_REDACTED. secrets: a
 * NULL terminated list; NULL and empty entries are skipped. */
int evidence_redact(const char *html, const char *const *secrets, char **ret);

/* Keep data as name and name it in res (at most CHECK_EVIDENCE_MAX
 * files): in the job's evidence_dir (pik-check --job), or else in a memory
 * file (res->evidence_fd) that the check hands to pikd, which stores it in
 * the execution's directory (evidence-store.h). evidence_keep_page() first
 * redacts the job's secrets (evidence_redact()); raw data (a screenshot)
 * must have been masked before it was taken. Best effort for the caller:
 * a failure leaves the file unnamed and the outcome as it was. */
int evidence_keep(const CheckJob *job, CheckResult *res, const char *name, const void *data, size_t size);
int evidence_keep_page(const CheckJob *job, CheckResult *res, const char *name, const char *text);

/* Write data to dir/name, replacing an older file atomically (a temporary
 * file and rename(), so a reader never sees half a file and a planted
 * symlink is never followed). Mode 0600. *ret_path: the file's path. */
int evidence_write(const char *dir, const char *name, const void *data, size_t size, char **ret_path);
