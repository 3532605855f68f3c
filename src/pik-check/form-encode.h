/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "macro.h"

/* A form's data set as browsers put it on the wire: the encoding picked as
 * HTML's "picking an encoding for the form" says, through the WHATWG
 * Encoding Standard's label list (and only the encodings it has: no EBCDIC,
 * UTF-7, ISO-2022-CN-EXT or whatever else glibc's iconv would open), and
 * application/x-www-form-urlencoded serialization, byte by byte and never
 * as a C string (UTF-16 holds NULs). Input that is not valid UTF-8 is read
 * as the WHATWG UTF-8 decoder does (U+FFFD for each bad sequence);
 * characters the encoding lacks go as "&#N;", as browsers send them. */

/* The canonical name ("windows-1252", "UTF-8", "Shift_JIS", …) of a WHATWG
 * label (ASCII case-insensitive, surrounding ASCII whitespace ignored), or
 * NULL when the label is not in the list. */
const char *form_encoding_from_label(const char *label);

/* The encoding a form submits in. accept_charset (the form's attribute, or
 * NULL when it has none): the first of its blank-separated labels that
 * names an encoding; when none does, UTF-8 (as browsers do). Without the
 * attribute, the page's charset; a page charset that is no WHATWG label,
 * UTF-8. Then the output encoding: UTF-16BE/LE and "replacement" submit as
 * UTF-8. Never NULL. */
const char *form_encoding_pick(const char *accept_charset, const char *page_charset);

/* Caps the body: a value may grow 14 times ("%26%2365533%3B" for a stray
 * byte), and the page it came from is capped already, but not by that. */
#define FORM_BODY_MAX (16U * 1024U * 1024U)

typedef struct FormEncoder FormEncoder;

/* encoding: a canonical name as form_encoding_pick() returns. -EINVAL for
 * any other name, -ENOMEM, -EIO when iconv has no converter for it. */
int form_encoder_new(const char *encoding, FormEncoder **ret);
/* Wipes what was encoded (values may be the partner's password). */
FormEncoder *form_encoder_free(FormEncoder *e);
DEFINE_TRIVIAL_CLEANUP_FUNC(FormEncoder *, form_encoder_free);

/* Appends "name=value" (joined to earlier pairs with '&'). -ENOMEM, or
 * -E2BIG past FORM_BODY_MAX; after a failure the encoder only fails. */
int form_encoder_add(FormEncoder *e, const char *name, size_t name_len, const char *value, size_t value_len);
/* The body so far, NUL-terminated (the serialization is ASCII), handed
 * over to the caller, who wipes and frees it. */
int form_encoder_steal(FormEncoder *e, char **ret);
