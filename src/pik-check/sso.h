/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Where an SSO login is, told from a URL or a posted form, for both
 * engines. The identity provider is another origin (scheme, host or port:
 * the web's boundary, not the host name alone); and an SSO leg is also
 * known by what it carries, so that an identity provider on the partner's
 * own host (another port, or under a path) is seen too. */

typedef enum SsoShape {
        SSO_SHAPE_NONE,
        /* On the way to the identity provider: a SAMLRequest, or an
         * OAuth 2.0 / OIDC authorization request (client_id and
         * redirect_uri). */
        SSO_SHAPE_REQUEST,
        /* Back from it: a SAMLResponse, or an authorization code
         * callback (code and state). */
        SSO_SHAPE_RESPONSE,
} SsoShape;

/* The shape of form-encoded data ("a=1&b=2": a query, or a posted form's
 * body). Names are compared as sent (percent-encoded names are not SSO
 * parameters of any binding). NULL: none. */
SsoShape sso_shape_of_form(const char *data);
/* …of a URL's query. Not a URL, or no query: none. */
SsoShape sso_shape_of_url(const char *url);

/* url's origin is one of homes ("scheme://host[:port]" as url_origin()
 * writes them, NULL-terminated): 1 yes, 0 no, -EINVAL when url is not an
 * http(s) URL, -ENOMEM. */
int sso_origin_is_home(char *const *homes, const char *url);

/* Whether a page at url is the identity provider's leg: another origin
 * than the partner's, or a request on its way there. A URL that does not
 * parse is nobody's leg. */
bool sso_is_idp_leg(char *const *homes, const char *url);
