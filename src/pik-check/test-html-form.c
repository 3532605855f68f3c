/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>

#include "html-form.h"
#include "test-helpers.h"
#include "url-util.h"

static HtmlPage *parse(const char *html, const char *url, const char *content_type) {
        HtmlPage *p = NULL;
        ASSERT_OK(html_page_parse(html, strlen(html), url, content_type, &p));
        ASSERT_TRUE(p);
        return p;
}

static char *encode(const HtmlForm *f, const HtmlPage *p, const FormValue *set, size_t n) {
        char *s = NULL;
        ASSERT_OK(html_form_encode(f, html_page_charset(p), set, n, &s));
        return s;
}

static void test_url(void) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *h = NULL, *o = NULL;
        char red[128];

        ASSERT_OK(url_resolve("http://x.test/a/b/c?q=1", "d", &a));
        ASSERT_STREQ(a, "http://x.test/a/b/d");
        ASSERT_OK(url_resolve("http://x.test/a/b/c", "../e?f=g#frag", &b));
        ASSERT_STREQ(b, "http://x.test/a/e?f=g");
        ASSERT_OK(url_resolve("http://x.test/a", "  //y.test:81/z \n", &c));
        ASSERT_STREQ(c, "http://y.test:81/z");
        ASSERT_OK(url_resolve("https://x.test/a?b", "", &d));
        ASSERT_STREQ(d, "https://x.test/a?b");
        ASSERT_OK(url_resolve("https://x.test/", "/with space", &e));
        ASSERT_STREQ(e, "https://x.test/with%20space");
        _cleanup_free_ char *j = NULL;
        ASSERT_ERR(url_resolve("https://x.test/", "javascript:void(0)", &j), EINVAL);
        ASSERT_ERR(url_resolve("not a url", "x", &j), EINVAL);

        ASSERT_OK(url_host("https://IdP.Example.TEST:8443/sso?x", &h));
        ASSERT_STREQ(h, "idp.example.test");
        ASSERT_OK(url_origin("https://idp.test:8443/sso?x=1#y", &o));
        ASSERT_STREQ(o, "https://idp.test:8443");

        url_redact("http://u:secret@x.test/login?user=me&pass=secret#f", red, sizeof red);
        ASSERT_STREQ(red, "http://x.test/login");
        url_redact("::", red, sizeof red);
        ASSERT_STREQ(red, "(invalid URL)");
}

/* A page as real sites make them: a search box, a newsletter, a
 * registration form with two password inputs, and the login form, whose
 * token is named nothing in particular. */
static void test_several_forms(void) {
        _cleanup_(html_page_freep) HtmlPage *p = parse(
                "<html><head><title>Shop</title></head><body>"
                "<form action=/search><input name=q><button>Search</button></form>"
                "<form id=newsletter action=/subscribe method=post><input type=email name=email></form>"
                "<form id=register action=/register method=post><input name=email><input type=password name=p1>"
                "<input type=password name=p2><input type=hidden name=t value=reg></form>"
                "<form id=login-form action='session?x=1' method=POST>"
                "<input type=hidden name=__RequestVerificationToken value='tok 1&2'>"
                "<label for=who>Your e-mail</label><input id=who type=email name=login_email value=''>"
                "<input type=password name=secret>"
                "<input type=checkbox name=remember value=yes>"
                "<input type=checkbox name=terms checked>"
                "<select name=lang><option value=en>English<option value=de selected>Deutsch</select>"
                "<input type=submit name=go value='Log in'><input type=submit name=other value=Other>"
                "<input name=disabled disabled value=x>"
                "</form></body></html>",
                "http://shop.test/account/login", "text/html");
        const HtmlForm *f;
        ssize_t pw, user;

        ASSERT_EQ(html_page_n_forms(p), 4);
        f = html_page_login_form(p, NULL);
        ASSERT_TRUE(f == html_page_form(p, 3));
        ASSERT_TRUE(f->post);
        ASSERT_STREQ(f->action, "http://shop.test/account/session?x=1");
        pw = html_form_password_field(f, NULL);
        user = html_form_username_field(f, NULL, pw);
        ASSERT_STREQ(f->fields[pw].name, "secret");
        ASSERT_STREQ(f->fields[user].name, "login_email");

        FormValue set[] = { { "login_email", "me@x.test" }, { "secret", "p w&d" } };
        _cleanup_free_ char *body = encode(f, p, set, ELEMENTSOF(set));
        ASSERT_STREQ(body, "__RequestVerificationToken=tok+1%262&login_email=me%40x.test&secret=p+w%26d"
                           "&terms=on&lang=de&go=Log+in");

        /* Configured names win over heuristics. */
        ASSERT_TRUE(html_page_login_form(p, "p2") == html_page_form(p, 2));
        ASSERT_TRUE(html_page_login_form(p, "nothing") == NULL);
        ASSERT_EQ(html_form_username_field(f, "nothing", pw), -ENOENT);

        /* No other heuristic mistakes these forms for something else. */
        const HtmlField *otp;
        ASSERT_TRUE(html_page_username_form(p, NULL) == NULL);
        ASSERT_TRUE(html_page_otp_form(p, &otp) == NULL);
        ASSERT_TRUE(html_page_autopost_form(p) == NULL);

        /* XPath selection, also through an element inside the form. */
        const HtmlForm *x;
        ASSERT_OK(html_page_form_by_xpath(p, "//form[@id='register']", &x));
        ASSERT_TRUE(x == html_page_form(p, 2));
        ASSERT_OK(html_page_form_by_xpath(p, "//input[@name='secret']", &x));
        ASSERT_TRUE(x == f);
        ASSERT_ERR(html_page_form_by_xpath(p, "//form[@id='nope']", &x), ENOENT);
        ASSERT_ERR(html_page_form_by_xpath(p, "//form[", &x), EINVAL);
}

static void test_actions(void) {
        /* Absent action: the page itself (not <base>); relative: against <base>. */
        _cleanup_(html_page_freep) HtmlPage *p = parse(
                "<html><head><base href='https://cdn.test/app/'></head><body>"
                "<form method=post><input name=u><input type=password name=p></form>"
                "<form action='do-login' method=post><input name=u><input type=password name=p></form>"
                "<form action='javascript:void(0)'><input name=u><input type=password name=p></form>"
                "<form action=''><input type=password name=p></form>"
                "</body></html>",
                "https://shop.test/login?next=%2F", NULL);

        ASSERT_STREQ(html_page_base(p), "https://cdn.test/app/");
        ASSERT_STREQ(html_page_form(p, 0)->action, "https://shop.test/login?next=%2F");
        ASSERT_TRUE(html_page_form(p, 0)->post);
        ASSERT_TRUE(!html_page_form(p, 2)->post);
        ASSERT_STREQ(html_page_form(p, 1)->action, "https://cdn.test/app/do-login");
        ASSERT_STREQ(html_page_form(p, 2)->action, "https://shop.test/login?next=%2F");
        ASSERT_STREQ(html_page_form(p, 3)->action, "https://shop.test/login?next=%2F");

        _cleanup_free_ char *get = NULL;
        ASSERT_OK(html_form_get_url(html_page_form(p, 2), "u=a&p=b", &get));
        ASSERT_STREQ(get, "https://shop.test/login?u=a&p=b");

        /* A <base> after the form still counts. */
        _cleanup_(html_page_freep) HtmlPage *late = parse(
                "<form action=x><input type=password name=p></form><base href='http://b.test/d/'>",
                "http://a.test/", NULL);
        ASSERT_STREQ(html_page_form(late, 0)->action, "http://b.test/d/x");
}

static void test_encodings(void) {
        /* Latin-1 by <meta>, and by Content-Type (which wins). */
        const char *latin1 = "<html><head><meta http-equiv='Content-Type' content='text/html; charset=iso-8859-1'>"
                             "</head><body><p>Willkommen zur\xfc" "ck, M\xfcller</p>"
                             "<form method=post><input name=user value='J\xfcrgen'><input type=password name=pw>"
                             "</form></body></html>";
        _cleanup_(html_page_freep) HtmlPage *p = parse(latin1, "http://de.test/", NULL);
        ASSERT_TRUE(html_page_contains(p, "Willkommen zurück"));
        ASSERT_TRUE(html_page_contains(p, "zurück,   Müller"));
        const HtmlForm *f = html_page_login_form(p, NULL);
        ASSERT_TRUE(f);
        ASSERT_STREQ(f->fields[0].value, "Jürgen");
        FormValue set[] = { { "user", "müller €" }, { "pw", "ö" } };
        _cleanup_free_ char *body = encode(f, p, set, ELEMENTSOF(set));
        /* A page labelled ISO-8859-1 submits in windows-1252 (the WHATWG
         * label list), as browsers do: ü is 0xFC and € is 0x80 there; Ā is
         * in neither and goes as &#256;. */
        ASSERT_STREQ(body, "user=m%FCller+%80&pw=%F6");
        FormValue set2[] = { { "user", "Ā" } };
        _cleanup_free_ char *body2 = encode(f, p, set2, ELEMENTSOF(set2));
        ASSERT_STREQ(body2, "user=%26%23256%3B&pw=");

        const char *html5 = "<html><head><meta charset=\"windows-1252\"></head><body>Gr\xfc\xdf" "e</body></html>";
        _cleanup_(html_page_freep) HtmlPage *q = parse(html5, "http://de.test/", NULL);
        ASSERT_TRUE(html_page_contains(q, "Grüße"));

        _cleanup_(html_page_freep) HtmlPage *r = parse("<p>Gr\xfc\xdf" "e</p>", "http://de.test/",
                                                       "text/html; charset=\"ISO-8859-1\"");
        ASSERT_TRUE(html_page_contains(r, "Grüße"));
        _cleanup_(html_page_freep) HtmlPage *u = parse("<p>Grüße</p>", "http://de.test/", "text/html; charset=utf-8");
        ASSERT_TRUE(html_page_contains(u, "Grüße"));
        /* An unknown charset is ignored, not fatal. */
        _cleanup_(html_page_freep) HtmlPage *v = parse("<p>Hi</p>", "http://de.test/", "text/html; charset=x-nonsense");
        ASSERT_TRUE(html_page_contains(v, "Hi"));
}

static void test_broken(void) {
        /* Truncated in the middle of the password input: no login form. */
        _cleanup_(html_page_freep) HtmlPage *t = parse(
                "<html><body><form method=post action=/login><input name=user><input type=pass",
                "http://t.test/", NULL);
        ASSERT_EQ(html_page_n_forms(t), 1);
        ASSERT_TRUE(html_page_login_form(t, NULL) == NULL);

        /* Truncated after it: the form is usable. */
        _cleanup_(html_page_freep) HtmlPage *t2 = parse(
                "<html><body><form method=post action=/login><input name=user><input type=password name=pw><inp",
                "http://t.test/", NULL);
        ASSERT_TRUE(html_page_login_form(t2, NULL) != NULL);

        /* Garbage, NULs and an empty page: nothing, and no crash. */
        char garbage[4096];
        unsigned x = 12345;
        for (size_t i = 0; i < sizeof garbage; i++) {
                x = x * 1103515245 + 12345;
                garbage[i] = (char) (x >> 16);
        }
        HtmlPage *g = NULL;
        ASSERT_OK(html_page_parse(garbage, sizeof garbage, "http://g.test/", NULL, &g));
        ASSERT_TRUE(html_page_login_form(g, NULL) == NULL);
        ASSERT_TRUE(!html_page_contains(g, "Welcome"));
        g = html_page_free(g);

        ASSERT_OK(html_page_parse("", 0, "http://g.test/", NULL, &g));
        ASSERT_EQ(html_page_n_forms(g), 0);
        ASSERT_TRUE(!html_page_contains(g, "x"));
        bool m = true;
        ASSERT_OK(html_page_xpath_match(g, "//form", &m));
        ASSERT_TRUE(!m);
        ASSERT_ERR(html_page_xpath_match(g, "//[", &m), EINVAL);
        g = html_page_free(g);

        /* Deep nesting and a table layout from the last century. */
        char deep[20000] = "";
        for (int i = 0; i < 2000; i++)
                strcat(deep, "<div>");
        strcat(deep, "<form><table><tr><td><input name=u></td></tr><tr><td><input type=password name=p>"
                     "</td></tr></table></form>");
        ASSERT_OK(html_page_parse(deep, strlen(deep), "http://g.test/", NULL, &g));
        g = html_page_free(g);

        /* Inputs outside their form, joined by form=. */
        _cleanup_(html_page_freep) HtmlPage *o = parse(
                "<form id=f action=/go method=post></form><input form=f name=u><input form=f type=password name=p>",
                "http://o.test/", NULL);
        ASSERT_TRUE(html_page_login_form(o, NULL) == html_page_form(o, 0));
}

static void test_multi_step(void) {
        /* The first page of a login split over pages. */
        _cleanup_(html_page_freep) HtmlPage *u = parse(
                "<form action=/search><input name=q></form>"
                "<form id=signin action=/identify method=post><input type=hidden name=flow value=1>"
                "<input type=email name=identifier autocomplete=username><button type=submit>Next</button></form>",
                "http://m.test/", NULL);
        ASSERT_TRUE(html_page_login_form(u, NULL) == NULL);
        ASSERT_TRUE(html_page_username_form(u, NULL) == html_page_form(u, 1));
        ASSERT_TRUE(html_page_username_form(u, "q") == html_page_form(u, 0));

        /* A second factor. */
        _cleanup_(html_page_freep) HtmlPage *m = parse(
                "<form action=/mfa method=post><input type=hidden name=state value=s>"
                "<label for=c>Verification code</label><input id=c name=c inputmode=numeric></form>",
                "http://m.test/", NULL);
        const HtmlField *fl = NULL;
        ASSERT_TRUE(html_page_otp_form(m, &fl) == html_page_form(m, 0));
        ASSERT_STREQ(fl->name, "c");

        /* SAML's auto-post, with the button for browsers without scripts. */
        _cleanup_(html_page_freep) HtmlPage *s = parse(
                "<html><body onload='document.forms[0].submit()'>"
                "<form method=post action='https://sp.test/acs'><input type=hidden name=SAMLResponse value=PHNh>"
                "<input type=hidden name=RelayState value=/account><noscript><button>Continue</button></noscript>"
                "</form></body></html>",
                "https://idp.test/sso", NULL);
        ASSERT_TRUE(html_page_autopost_form(s) == html_page_form(s, 0));
        /* A logout form is hidden inputs and a button, but nothing submits it. */
        _cleanup_(html_page_freep) HtmlPage *l = parse(
                "<form method=post action=/logout><input type=hidden name=t value=1><button>Log out</button></form>",
                "https://sp.test/", NULL);
        ASSERT_TRUE(html_page_autopost_form(l) == NULL);
        /* …even when some script on the page calls submit(). */
        _cleanup_(html_page_freep) HtmlPage *l2 = parse(
                "<script>function go(f) { f.submit(); }</script><form method=post action=/logout>"
                "<input type=hidden name=t value=1></form>", "https://sp.test/", NULL);
        ASSERT_TRUE(html_page_autopost_form(l2) == NULL);
        /* A WS-Federation-like page: hidden inputs of no known name, a script. */
        _cleanup_(html_page_freep) HtmlPage *w = parse(
                "<body><form method=post action=https://sp.test/wsfed><input type=hidden name=wa value=signin1.0>"
                "<input type=hidden name=ctx value=x></form><script>document.forms[0].submit()</script></body>",
                "https://idp.test/", NULL);
        ASSERT_TRUE(html_page_autopost_form(w) == html_page_form(w, 0));

        _cleanup_(html_page_freep) HtmlPage *c = parse(
                "<form action=/logout method=post><input type=hidden name=t value=1><button>Log out</button></form>"
                "<form action=/cart/add method=post><input type=hidden name=sku value=42>"
                "<button type=submit>Buy now</button></form>",
                "https://sp.test/product/42", NULL);
        ASSERT_TRUE(html_page_checkout_form(c) == html_page_form(c, 1));
}

static void test_markers_meta_xpath(void) {
        _cleanup_(html_page_freep) HtmlPage *p = parse(
                "<html><head><meta name=csrf-token content='abc123'>"
                "<meta http-equiv=refresh content=\"0; URL='/next?a=1'\">"
                "<script>var msg = 'Invalid password';</script><style>.x{}</style></head>"
                "<body><h1>Welcome\n   <b>back</b>,&nbsp;Ann</h1><div class=account id=acct>Order 42</div></body></html>",
                "http://x.test/dir/page", NULL);
        _cleanup_free_ char *refresh = NULL, *s = NULL, *none = NULL, *num = NULL;
        bool m;

        ASSERT_TRUE(html_page_contains(p, "Welcome back, Ann"));
        ASSERT_TRUE(html_page_contains(p, "Welcome back"));
        ASSERT_TRUE(!html_page_contains(p, "Invalid password"));    /* script text is not page text */
        ASSERT_TRUE(html_page_contains(p, "<b>back</b>"));           /* markup markers: the raw page */
        ASSERT_STREQ(html_page_meta(p, "CSRF-Token"), "abc123");
        ASSERT_TRUE(html_page_meta(p, "nothing") == NULL);
        ASSERT_OK(html_page_meta_refresh(p, 5, &refresh));
        ASSERT_STREQ(refresh, "http://x.test/next?a=1");

        ASSERT_OK(html_page_xpath_match(p, "//div[@class='account']", &m));
        ASSERT_TRUE(m);
        ASSERT_OK(html_page_xpath_match(p, "count(//div) = 2", &m));
        ASSERT_TRUE(!m);
        ASSERT_OK(html_page_xpath_string(p, "//div[@id='acct']", &s));
        ASSERT_STREQ(s, "Order 42");
        ASSERT_OK(html_page_xpath_string(p, "//meta[@name='csrf-token']/@content", &none));
        ASSERT_STREQ(none, "abc123");
        ASSERT_OK(html_page_xpath_string(p, "count(//h1)", &num));
        ASSERT_STREQ(num, "1");
        char *missing = (char *) 1;
        ASSERT_OK(html_page_xpath_string(p, "//table", &missing));
        ASSERT_TRUE(missing == NULL);
        ASSERT_ERR(html_page_xpath_string(p, "//div[", &missing), EINVAL);
        ASSERT_ERR(html_page_xpath_match(p, "nosuchfunction(1)", &m), EINVAL);
}

/* A value that is not UTF-8 (a Latin-1 site served as UTF-8, or a password
 * with stray bytes) submitted in a legacy charset: each stray byte becomes
 * U+FFFD, which windows-1252 lacks, so &#65533; — more bytes out than in.
 * 23 stray bytes and 10 ASCII ones once filled the 4×+16 conversion buffer
 * to its last byte, and the terminator went past it (ASan). */
static void test_invalid_utf8_legacy_charset(void) {
        char html[512], value[64], want[1024], *w = want;
        size_t n = 0;

        for (size_t i = 0; i < 23; i++)
                value[n++] = (char) 0xbb;
        memcpy(value + n, "abcdefghij", 11);
        snprintf(html, sizeof html,
                 "<form method=post accept-charset=iso-8859-1><textarea name=t>%s</textarea>"
                 "<input type=password name=p></form>", value);
        _cleanup_(html_page_freep) HtmlPage *p = parse(html, "http://l.test/", "text/html; charset=utf-8");
        const HtmlForm *f = html_page_login_form(p, NULL);
        ASSERT_TRUE(f);
        /* libxml2 leaves the stray bytes as they are. */
        ASSERT_STREQ(f->fields[0].value, value);

        FormValue set[] = { { "p", value } };
        _cleanup_free_ char *body = encode(f, p, set, ELEMENTSOF(set));
        for (int field = 0; field < 2; field++) {
                w = stpcpy(w, field == 0 ? "t=" : "&p=");
                for (size_t i = 0; i < 23; i++)
                        w = stpcpy(w, "%26%2365533%3B");
                w = stpcpy(w, "abcdefghij");
        }
        ASSERT_STREQ(body, want);
}

/* A UTF-16 page submits in UTF-8, every value whole (each was once cut
 * after its first character: UTF-16 holds NULs); a form's accept-charset
 * cannot open a converter the web does not have. */
static void test_utf16_and_foreign_charsets(void) {
        const char *src = "\xff\xfe";   /* BOM, then UTF-16LE */
        const char *html = "<form method=post><input name=user value='J\xfcrgen'><input type=password name=pw></form>";
        char page[512];
        size_t n = 0;

        memcpy(page, src, 2);
        n = 2;
        for (const char *c = html; *c; c++) {
                page[n++] = *c;
                page[n++] = 0;
        }
        HtmlPage *p = NULL;
        ASSERT_OK(html_page_parse(page, n, "http://w.test/", "text/html; charset=utf-16le", &p));
        const HtmlForm *f = html_page_login_form(p, NULL);
        ASSERT_TRUE(f);
        ASSERT_STREQ(f->fields[0].value, "Jürgen");
        FormValue set[] = { { "pw", "pässwort" } };
        _cleanup_free_ char *body = encode(f, p, set, ELEMENTSOF(set));
        ASSERT_STREQ(body, "user=J%C3%BCrgen&pw=p%C3%A4sswort");
        p = html_page_free(p);

        /* EBCDIC and UTF-7 are skipped; none left: UTF-8, not the page's. */
        _cleanup_(html_page_freep) HtmlPage *q = parse(
                "<form method=post accept-charset='ebcdic-us utf-7'><input name=user><input type=password name=pw>"
                "</form><form method=post accept-charset='IBM037 koi8-r'><input name=user><input type=password name=pw></form>",
                "http://w.test/", "text/html; charset=iso-8859-2");
        FormValue e[] = { { "user", "Żx" }, { "pw", "Ж" } };
        _cleanup_free_ char *b1 = encode(html_page_form(q, 0), q, e, ELEMENTSOF(e));
        ASSERT_STREQ(b1, "user=%C5%BBx&pw=%D0%96");
        _cleanup_free_ char *b2 = encode(html_page_form(q, 1), q, e, ELEMENTSOF(e));
        ASSERT_STREQ(b2, "user=%26%23379%3Bx&pw=%F6");
}

/* A page of thousands of labels and inputs (the 729 KB page that took
 * seconds per parse): the page's fields and the labels read are capped,
 * so matching them is bounded work, and a label names its control by id,
 * not by a substring of its hint ("i1" is not "i10"). */
static void test_many_labels_and_fields(void) {
        const size_t n_labels = 3000, n_forms = 10, per_form = 400;
        size_t size = 1 << 20, n = 0, total = 0;
        _cleanup_free_ char *html = malloc(size);

        ASSERT_TRUE(html);
        for (size_t l = 0; l < n_labels; l++)
                n += (size_t) snprintf(html + n, size - n, "<label for=i%zu>lbl%zu</label>", l, l);
        for (size_t f = 0, i = 0; f < n_forms; f++) {
                n += (size_t) snprintf(html + n, size - n, "<form method=post>");
                for (size_t k = 0; k < per_form; k++, i++)
                        n += (size_t) snprintf(html + n, size - n, "<input id=i%zu name=n%zu>", i, i);
                n += (size_t) snprintf(html + n, size - n, "</form>");
        }
        ASSERT_TRUE(n < size - 1);

        _cleanup_(html_page_freep) HtmlPage *p = parse(html, "http://big.test/", NULL);
        ASSERT_EQ(html_page_n_forms(p), n_forms);
        for (size_t f = 0; f < n_forms; f++)
                total += html_page_form(p, f)->n_fields;
        ASSERT_EQ(total, 1024);                                 /* PAGE_FIELDS_MAX */
        ASSERT_EQ(html_page_form(p, 0)->n_fields, per_form);
        ASSERT_EQ(html_page_form(p, 2)->n_fields, 1024 - 2 * per_form);
        ASSERT_EQ(html_page_form(p, 3)->n_fields, 0);

        const HtmlForm *f0 = html_page_form(p, 0);
        ASSERT_STREQ(f0->fields[1].hint, "n1 i1 lbl1");
        ASSERT_STREQ(f0->fields[10].hint, "n10 i10 lbl10");
        ASSERT_STREQ(f0->fields[255].hint, "n255 i255 lbl255");
        /* Labels past LABELS_MAX (256) are not read. */
        ASSERT_STREQ(f0->fields[256].hint, "n256 i256");
}

int main(void) {
        test_url();
        test_several_forms();
        test_actions();
        test_encodings();
        test_invalid_utf8_legacy_charset();
        test_utf16_and_foreign_charsets();
        test_broken();
        test_many_labels_and_fields();
        test_multi_step();
        test_markers_meta_xpath();
        return 0;
}
