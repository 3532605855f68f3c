/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "sso.h"
#include "url-util.h"

/* Does form-encoded data carry a parameter called name? */
static bool has_param(const char *data, const char *name) {
        size_t n = strlen(name);

        for (const char *p = data; p && *p; ) {
                size_t len = strcspn(p, "&;");

                if ((len == n || (len > n && p[n] == '=')) && strncmp(p, name, n) == 0)
                        return true;
                p += len;
                if (*p)
                        p++;
        }
        return false;
}

SsoShape sso_shape_of_form(const char *data) {
        if (!data)
                return SSO_SHAPE_NONE;
        if (has_param(data, "SAMLRequest") || (has_param(data, "client_id") && has_param(data, "redirect_uri")))
                return SSO_SHAPE_REQUEST;
        if (has_param(data, "SAMLResponse") || (has_param(data, "code") && has_param(data, "state")))
                return SSO_SHAPE_RESPONSE;
        return SSO_SHAPE_NONE;
}

SsoShape sso_shape_of_url(const char *url) {
        _cleanup_free_ char *q = NULL;
        const char *s, *e;

        if (!url)
                return SSO_SHAPE_NONE;
        s = strchr(url, '?');
        if (!s)
                return SSO_SHAPE_NONE;
        s++;
        e = strchr(s, '#');
        q = e ? strndup(s, (size_t) (e - s)) : strdup(s);
        /* Out of memory: no shape; the origin still tells the legs apart. */
        return q ? sso_shape_of_form(q) : SSO_SHAPE_NONE;
}

int sso_origin_is_home(char *const *homes, const char *url) {
        _cleanup_free_ char *o = NULL;
        int r;

        r = url_origin(url, &o);
        if (r < 0)
                return r;
        for (char *const *h = homes; h && *h; h++)
                if (streq(*h, o))
                        return 1;
        return 0;
}

bool sso_is_idp_leg(char *const *homes, const char *url) {
        int r;

        if (sso_shape_of_url(url) == SSO_SHAPE_REQUEST)
                return true;
        r = sso_origin_is_home(homes, url);
        return r == 0;
}
