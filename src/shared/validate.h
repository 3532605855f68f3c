/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "db.h"
#include "xpath.h"

/* Input checks shared by every entity, each setting pik_db_error() to a
 * message that names the argument ("partner code 'Acme!': ..."). */
int pik_validate_code(PikDb *db, const char *what, const char *code);
int pik_validate_text(PikDb *db, const char *what, const char *text, size_t max, bool optional);
/* http(s) URL with a host, at most PIK_URL_MAX bytes. */
int pik_validate_url(PikDb *db, const char *what, const char *url, bool optional);
int pik_validate_reason(PikDb *db, bool enabled, const char *reason);

int pik_validate_xpath(PikDb *db, const char *what, const char *xpath);
/* An HTML form field name: 1..128 bytes, no blanks or control characters. */
int pik_validate_field_name(PikDb *db, const char *what, const char *name);
/* A flow (docs/JOB.md): at most 64 KiB of JSON that flow_parse() (the
 * parser pik-check runs it with) accepts: its message names the step. */
#define PIK_FLOW_MAX (64 * 1024)
int pik_validate_flow(PikDb *db, const char *flow);
/* Newline-separated lists as pikctl and pikd take them, turned into the
 * JSON array text the database keeps. "Name: value" headers (at most 32),
 * curl --resolve entries "host:port:address" (at most 16). */
int pik_headers_to_json(PikDb *db, const char *lines, char **ret);
int pik_resolve_to_json(PikDb *db, const char *lines, char **ret);
/* An absolute path, at most 4096 bytes. */
int pik_validate_path(PikDb *db, const char *what, const char *path);
