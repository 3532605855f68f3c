/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A partner's page as pik-check reads it (src/pik-check/html-form.c and
 * form-encode.c): parsed with a Content-Type, its forms found by every
 * heuristic, encoded as a browser submits them (charsets included: the
 * page's, its forms' accept-charset, and a label from the input), and the
 * XPath and marker helpers run on it.
 * Input, one part a line: the Content-Type (empty: none), a value (given
 * as the password, the OTP code and a marker, and tried as an
 * accept-charset label), then the page. Promises checked: an encoded body
 * is ASCII (the serialization percent-encodes every other byte). */

#include <errno.h>

#include "form-encode.h"
#include "fuzz.h"
#include "html-form.h"

#define URL "https://partner.example/account/login?next=%2Fhome"

static void check_body(const char *body) {
        for (const char *p = body; *p; p++)
                FUZZ_ASSERT((unsigned char) *p >= 0x20 && (unsigned char) *p < 0x7f);
}

static void encode(const HtmlPage *page, const HtmlForm *f, const char *value) {
        FormValue set[] = {
                { "username", "monitor@example.com" },
                { "password", value },
                { "otp", "123456" },
        };
        _cleanup_free_ char *body = NULL, *url = NULL;
        ssize_t pw, user;
        int r;

        if (!f)
                return;
        pw = html_form_password_field(f, NULL);
        user = html_form_username_field(f, NULL, pw);
        FUZZ_ASSERT(pw < 0 || (size_t) pw < f->n_fields);
        FUZZ_ASSERT(user < 0 || (size_t) user < f->n_fields);
        if (pw >= 0 && f->fields[pw].name)
                set[1].name = f->fields[pw].name;
        if (user >= 0 && f->fields[user].name)
                set[0].name = f->fields[user].name;

        r = html_form_encode(f, html_page_charset(page), set, ELEMENTSOF(set), &body);
        if (r < 0) {
                FUZZ_ASSERT(r == -ENOMEM || r == -E2BIG || r == -EIO);
                return;
        }
        check_body(body);
        if (!f->post && html_form_get_url(f, body, &url) >= 0)
                FUZZ_ASSERT(url);
        explicit_bzero(body, strlen(body));
}

/* The value in the encoding an accept-charset of that label picks. */
static void encode_label(const HtmlPage *page, const char *value) {
        _cleanup_(form_encoder_freep) FormEncoder *e = NULL;
        _cleanup_free_ char *body = NULL;
        const char *encoding = form_encoding_pick(value, html_page_charset(page));

        (void) form_encoding_from_label(value);
        FUZZ_ASSERT(encoding);
        if (form_encoder_new(encoding, &e) < 0)
                return;
        if (form_encoder_add(e, "v", 1, value, strlen(value)) < 0 ||
            form_encoder_add(e, value, strlen(value), "", 0) < 0 ||
            form_encoder_steal(e, &body) < 0)
                return;
        check_body(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *content_type = NULL, *value = NULL, *s = NULL, *refresh = NULL;
        _cleanup_(html_page_freep) HtmlPage *page = NULL;
        const HtmlField *otp = NULL;
        const HtmlForm *f = NULL;
        bool match;

        if (size > 256 * 1024)
                return 0;
        content_type = fuzz_line(&data, &size);
        value = fuzz_line(&data, &size);

        if (html_page_parse((const char *) data, size, URL, content_type[0] ? content_type : NULL, &page) < 0)
                return 0;
        FUZZ_ASSERT(html_page_url(page) && html_page_base(page) && html_page_charset(page));

        for (size_t i = 0; i < html_page_n_forms(page); i++) {
                f = html_page_form(page, i);
                FUZZ_ASSERT(f && f->action);
                encode(page, f, value);
        }
        encode(page, html_page_login_form(page, NULL), value);
        encode(page, html_page_login_form(page, "password"), value);
        encode(page, html_page_username_form(page, NULL), value);
        encode(page, html_page_username_form(page, "email"), value);
        encode(page, html_page_otp_form(page, &otp), value);
        encode(page, html_page_autopost_form(page), value);
        encode(page, html_page_checkout_form(page), value);
        encode_label(page, value);

        (void) html_page_contains(page, value);
        (void) html_page_contains(page, "<form");
        (void) html_page_meta(page, "csrf-token");
        if (html_page_meta_refresh(page, 5, &refresh) >= 0 && refresh)
                FUZZ_ASSERT(refresh[0]);
        (void) html_page_xpath_match(page, "//form[.//input[@type='password']]", &match);
        (void) html_page_xpath_match(page, "count(//input) > 2", &match);
        (void) html_page_xpath_string(page, "//title", &s);
        if (html_page_form_by_xpath(page, "//input[@name='username']", &f) >= 0)
                FUZZ_ASSERT(f);
        return 0;
}
