/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>

#include "sso.h"
#include "test-helpers.h"
#include "url-util.h"

static void test_origin(void) {
        char *homes[] = { (char *) "http://127.0.0.1:8080", (char *) "https://shop.test", NULL };
        _cleanup_free_ char *a = NULL, *b = NULL;

        /* Default ports and the host's case are not part of an origin. */
        ASSERT_OK(url_origin("HTTPS://Shop.TEST:443/login", &a));
        ASSERT_STREQ(a, "https://shop.test");
        ASSERT_OK(url_origin("http://127.0.0.1:8080/x?y", &b));
        ASSERT_STREQ(b, "http://127.0.0.1:8080");

        ASSERT_EQ(sso_origin_is_home(homes, "http://127.0.0.1:8080/account"), 1);
        ASSERT_EQ(sso_origin_is_home(homes, "https://SHOP.test:443/"), 1);
        /* The same host name on another port, or another scheme: another
         * origin, the identity provider's. */
        ASSERT_EQ(sso_origin_is_home(homes, "http://127.0.0.1:8081/saml/sso"), 0);
        ASSERT_EQ(sso_origin_is_home(homes, "http://shop.test/"), 0);
        ASSERT_EQ(sso_origin_is_home(homes, "https://idp.test/"), 0);
        ASSERT_ERR(sso_origin_is_home(homes, "ftp://shop.test/"), EINVAL);
        ASSERT_ERR(sso_origin_is_home(homes, "not a url"), EINVAL);

        ASSERT_TRUE(sso_is_idp_leg(homes, "http://127.0.0.1:8081/oidc/authorize"));
        ASSERT_TRUE(!sso_is_idp_leg(homes, "http://127.0.0.1:8080/account"));
        ASSERT_TRUE(!sso_is_idp_leg(homes, "chrome-error://chromewebdata/"));
        ASSERT_TRUE(!sso_is_idp_leg(NULL, "not a url"));
}

static void test_shape(void) {
        char *homes[] = { (char *) "https://shop.test", NULL };

        ASSERT_EQ(sso_shape_of_form(NULL), SSO_SHAPE_NONE);
        ASSERT_EQ(sso_shape_of_form(""), SSO_SHAPE_NONE);
        ASSERT_EQ(sso_shape_of_form("SAMLRequest=abc&RelayState=x"), SSO_SHAPE_REQUEST);
        ASSERT_EQ(sso_shape_of_form("RelayState=x&SAMLResponse=PHNhbWw%2B"), SSO_SHAPE_RESPONSE);
        ASSERT_EQ(sso_shape_of_form("response_type=code&client_id=shop&redirect_uri=https%3A%2F%2Fshop.test%2Fcb"),
                  SSO_SHAPE_REQUEST);
        ASSERT_EQ(sso_shape_of_form("code=xyz&state=abc"), SSO_SHAPE_RESPONSE);
        ASSERT_EQ(sso_shape_of_form("state=abc;code="), SSO_SHAPE_RESPONSE);
        /* Half of a shape is none: a product page's client_id, a
         * discount code. */
        ASSERT_EQ(sso_shape_of_form("client_id=shop"), SSO_SHAPE_NONE);
        ASSERT_EQ(sso_shape_of_form("code=SUMMER"), SSO_SHAPE_NONE);
        /* Whole names only. */
        ASSERT_EQ(sso_shape_of_form("xSAMLRequest=1&promo_code=1&statex=2"), SSO_SHAPE_NONE);
        ASSERT_EQ(sso_shape_of_form("samlrequest=1"), SSO_SHAPE_NONE);

        ASSERT_EQ(sso_shape_of_url("https://shop.test/auth/realms/x/protocol/openid-connect/auth"
                                   "?client_id=shop&redirect_uri=https%3A%2F%2Fshop.test%2Fcb&response_type=code"),
                  SSO_SHAPE_REQUEST);
        ASSERT_EQ(sso_shape_of_url("https://shop.test/cb?state=s&code=c#frag"), SSO_SHAPE_RESPONSE);
        ASSERT_EQ(sso_shape_of_url("https://shop.test/page#SAMLRequest=1"), SSO_SHAPE_NONE);
        ASSERT_EQ(sso_shape_of_url("https://shop.test/login"), SSO_SHAPE_NONE);
        ASSERT_EQ(sso_shape_of_url(NULL), SSO_SHAPE_NONE);

        /* An identity provider under a path of the partner's own origin:
         * known by its request. */
        ASSERT_TRUE(sso_is_idp_leg(homes, "https://shop.test/idp/saml/sso?SAMLRequest=abc&RelayState=r"));
        ASSERT_TRUE(!sso_is_idp_leg(homes, "https://shop.test/saml/acs?SAMLResponse=abc"));
}

int main(void) {
        test_origin();
        test_shape();
        return 0;
}
