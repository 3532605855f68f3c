/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Where a failed check's evidence lives, a contract (DESIGN.md):
 * PIK_EVIDENCE_ROOT/<execution id>/<file>, one directory per execution,
 * created for the check by its unit (pik-check@.service) and made
 * root's when the check ends. The result names the files; removing the
 * result removes the directory with pik_evidence_remove(). */

/* At most this many files per execution, each name at most this long. */
#define PIK_EVIDENCE_FILES_MAX 8
#define PIK_EVIDENCE_NAME_MAX 64

/* A file name the result may carry: [A-Za-z0-9._-], not starting with a
 * dot, at most PIK_EVIDENCE_NAME_MAX bytes. */
bool pik_evidence_name_is_valid(const char *name);

/* root/<execution>, malloc'd; root NULL: PIK_EVIDENCE_ROOT. -ENOMEM. */
int pik_evidence_directory(const char *root, int64_t execution, char **ret);

/* Remove root/<execution> and the plain files in it (root NULL:
 * PIK_EVIDENCE_ROOT), never following a symlink. 0 also when there was
 * none; -ENOTEMPTY when it holds something else than files (left as is). */
int pik_evidence_remove_at(const char *root, int64_t execution);
int pik_evidence_remove(int64_t execution);
