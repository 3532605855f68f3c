/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "db.h"

/* Input checks shared by every entity, each setting pik_db_error() to a
 * message that names the argument ("partner code 'Acme!': ..."). */
int pik_validate_code(PikDb *db, const char *what, const char *code);
int pik_validate_text(PikDb *db, const char *what, const char *text, size_t max, bool optional);
/* http(s) URL with a host, at most PIK_URL_MAX bytes. */
int pik_validate_url(PikDb *db, const char *what, const char *url, bool optional);
int pik_validate_reason(PikDb *db, bool enabled, const char *reason);
