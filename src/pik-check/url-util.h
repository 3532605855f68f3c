/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* URLs as a browser treats them, on libcurl's URL parser. */

/* rel resolved against base (RFC 3986; blanks around rel are dropped, as
 * browsers do; the fragment is dropped). -EINVAL when either is not an
 * http(s) URL. */
int url_resolve(const char *base, const char *rel, char **ret);

/* The host name (lower case) of an absolute URL, and "scheme://host[:port]"
 * as an Origin header wants it (lower case, no default port: two URLs are
 * of one origin when these are equal). -EINVAL for anything else. */
int url_host(const char *url, char **ret);
int url_origin(const char *url, char **ret);

/* url without its query and fragment, cut to n bytes: what results and
 * logs may show of a URL (a GET form, an OAuth redirect or a token link
 * carries secrets in the query). Never fails: "(invalid URL)" otherwise. */
void url_redact(const char *url, char *ret, size_t n);
/* A URL template ("{{entry_url}}/login/{{password}}?a={{totp}}") as
 * details show it: cut at its query or fragment, to n bytes. */
void url_redact_template(const char *template, char *ret, size_t n);

/* The Referer a browser sends from page `from` to `to` under its default
 * policy, strict-origin-when-cross-origin: the whole URL (without
 * fragment and user info) to the same origin, only "scheme://host[:port]/"
 * to another, nothing from https to http. *ret NULL: send none (also when
 * from is NULL or not an http(s) URL). Only -ENOMEM fails. */
int url_referrer(const char *from, const char *to, char **ret);
