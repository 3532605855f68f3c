/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Evidence of a failed check: a screenshot and the page source, written
 * where the operator can look at them, never with a secret in them. */

#include <stddef.h>

/* Caps what we save: a page source larger than this is cut (and says so). */
#define EVIDENCE_SOURCE_MAX (8U * 1024U * 1024U)

#include "redact.h"

#define EVIDENCE_REDACTED REDACTED

/* A copy of html in which the value attribute of every
 * <input type=password> and every occurrence of each secret, in every
 * spelling redact_secrets() knows, reads EVIDENCE_REDACTED. secrets: a
 * NULL terminated list; NULL and empty entries are skipped. */
int evidence_redact(const char *html, const char *const *secrets, char **ret);

/* Where evidence goes: configured if set, else the first directory of
 * $RUNTIME_DIRECTORY (the unit's RuntimeDirectory=), else /tmp (the
 * sandbox's private one under PrivateTmp=). */
const char *evidence_directory(const char *configured);

/* Write data to dir/name, replacing an older file atomically (a temporary
 * file and rename(), so a reader never sees half a file and a planted
 * symlink is never followed). Mode 0640. *ret_path: the file's path. */
int evidence_write(const char *dir, const char *name, const void *data, size_t size, char **ret_path);
