/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Where a failed check's evidence lives, a contract (DESIGN.md):
 * PIK_EVIDENCE_ROOT/<execution id>/<file>, one directory per execution,
 * root's (0700, files 0600). The check cannot write on the host: it hands
 * each file to pikd (KeepEvidence, a file descriptor over the bus), which
 * stores it with pik_evidence_store(). The result names the files;
 * removing the result removes the directory with pik_evidence_remove(). */

/* At most this many files per execution, each name at most this long. */
#define PIK_EVIDENCE_FILES_MAX 8
#define PIK_EVIDENCE_NAME_MAX 64
/* A saved page is cut at 8 MiB (pik-check); a screenshot stays well under. */
#define PIK_EVIDENCE_FILE_SIZE_MAX (16U * 1024U * 1024U)

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

/* Copy the regular file open as fd (from its start, whatever its offset)
 * to root/<execution>/name, made 0700 and 0600, never replacing a file or
 * following a symlink (root NULL: PIK_EVIDENCE_ROOT). -EINVAL for a bad
 * name, -EBADFD for what is not a regular file, -EFBIG past
 * PIK_EVIDENCE_FILE_SIZE_MAX, -E2BIG past PIK_EVIDENCE_FILES_MAX files,
 * -EEXIST for a name kept already. */
int pik_evidence_store(const char *root, int64_t execution, const char *name, int fd);
