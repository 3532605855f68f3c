/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "macro.h"

/* A partner's credentials file, /etc/pik/credentials/<partner code>, in the
 * libconfig syntax of pik.conf (see data/credentials.example):
 *
 *     username = "monitor@example.com";
 *     password = "correct horse battery staple";
 *     totp_seed = "JBSWY3DPEHPK3PXP";    # optional, base32
 *
 * Parsed here rather than by libconfig, over buffers this module owns, so
 * that every copy of a secret is wiped before its memory is freed (libconfig
 * and json-c leave copies in freed blocks, and libconfig's scanner leaks one
 * on a syntax error). The grammar is libconfig's: settings "name = value"
 * or "name : value" with an optional ';' or ','; values are strings
 * (adjacent literals concatenated; escapes \" \\ \n \r \t \f \xHH), integers,
 * floats, booleans, groups, arrays and lists; comments '#', '//', C-style.
 * Only the three string settings above are accepted at the top level.
 *
 * The file must be a regular file (not a symlink), owned by root or by
 * pikd's own user, with no permission bits for group or others (0600 or
 * 0400), and at most PIK_CREDENTIALS_FILE_MAX bytes. */
#define PIK_CREDENTIALS_DIR "/etc/pik/credentials"
#define PIK_CREDENTIALS_FILE_MAX (64 * 1024)
#define PIK_CREDENTIAL_MAX 1024

typedef struct PikCredentials {
        char *username;
        char *password;
        char *totp_seed;        /* NULL when the file has none */
} PikCredentials;

/* Wipes every string before freeing it. */
PikCredentials *pik_credentials_free(PikCredentials *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(PikCredentials *, pik_credentials_free);

/* Parse text (NUL-terminated) of the file named path (for messages). 0 with
 * either *ret or *ret_problem set: the problem names the file and line and
 * never quotes a value. Negative only for -ENOMEM. */
int pik_credentials_parse(const char *text, const char *path, PikCredentials **ret, char **ret_problem);

/* Open, check and parse dir/partner, as pik_credentials_parse(). */
int pik_credentials_read(const char *dir, const char *partner, PikCredentials **ret, char **ret_problem);
