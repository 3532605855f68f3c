/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "macro.h"

/* A fetched page as libxml2's recovering HTML parser reads it, and the
 * forms on it as a browser would submit them. Real pages are the input:
 * several forms, tokens under any name, relative or absent actions,
 * <base href>, pages in other encodings than UTF-8, truncated or garbage
 * markup. Nothing here fails on bad HTML: a page that does not parse is a
 * page without forms. */

typedef enum HtmlFieldKind {
        HTML_FIELD_TEXT,        /* text, email, tel, number, search, url, untyped */
        HTML_FIELD_PASSWORD,
        HTML_FIELD_HIDDEN,
        HTML_FIELD_CHECK,       /* checkbox, radio */
        HTML_FIELD_SUBMIT,      /* submit, image, <button> */
        HTML_FIELD_SELECT,
        HTML_FIELD_TEXTAREA,
        HTML_FIELD_IGNORED,     /* reset, file, plain buttons, disabled controls */
} HtmlFieldKind;

typedef struct HtmlField {
        HtmlFieldKind kind;
        char *name;             /* NULL: not submitted */
        char *value;            /* UTF-8 */
        char *hint;             /* lower case name, id, autocomplete, placeholder, label text: for heuristics */
        bool checked;
} HtmlField;

typedef struct HtmlForm {
        char *action;           /* absolute: resolved against <base href>, the page's URL when absent */
        bool post;
        char *accept_charset;
        char *hint;             /* lower case id, name, class and action */
        HtmlField *fields;
        size_t n_fields;
} HtmlForm;

typedef struct HtmlPage HtmlPage;

/* content_type: the response's Content-Type (its charset wins over the
 * page's <meta>), or NULL. Only -ENOMEM. */
int html_page_parse(const char *data, size_t size, const char *url, const char *content_type, HtmlPage **ret);
HtmlPage *html_page_free(HtmlPage *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(HtmlPage *, html_page_free);

const char *html_page_url(const HtmlPage *p);
/* Where relative URLs of the page point from: <base href>, else the URL. */
const char *html_page_base(const HtmlPage *p);
/* The encoding the page was read in ("UTF-8" unless it said otherwise). */
const char *html_page_charset(const HtmlPage *p);
size_t html_page_n_forms(const HtmlPage *p);
const HtmlForm *html_page_form(const HtmlPage *p, size_t i);

/* The page's text (outside <script> and <style>) contains text, blanks
 * compared as one space. A marker holding '<' is looked for in the raw
 * markup instead. */
bool html_page_contains(HtmlPage *p, const char *text);

/* XPath 1.0 on the page: -EINVAL for an expression that does not compile.
 * match: a non-empty node set, true, a non-zero number or a non-empty
 * string. string: the first node's string value (or the result as a
 * string); *ret NULL when nothing matched. */
int html_page_xpath_match(HtmlPage *p, const char *xpath, bool *ret);
int html_page_xpath_string(HtmlPage *p, const char *xpath, char **ret);
/* The form selected by xpath (an element inside a form selects that form):
 * -EINVAL for a bad expression, -ENOENT when it selects no form. */
int html_page_form_by_xpath(HtmlPage *p, const char *xpath, const HtmlForm **ret);

/* <meta name=NAME content=…> (name compared case-insensitively); NULL if none. */
const char *html_page_meta(const HtmlPage *p, const char *name);
/* <meta http-equiv=refresh content="N; url=…"> with N <= max_delay_sec,
 * resolved; NULL if none. */
int html_page_meta_refresh(const HtmlPage *p, unsigned max_delay_sec, char **ret);

/* The heuristics. Each returns NULL when the page has no such form. */

/* The form holding a password input (the one named password_field, when
 * set). Several: the one with one password input over those with two
 * (registration, password change), then the one whose id, class or action
 * speaks of logging in, then the first. */
const HtmlForm *html_page_login_form(const HtmlPage *p, const char *password_field);
/* The first step of a login split over pages: a form without a password
 * input whose text input is the configured username field, or is marked as
 * a user name (autocomplete=username, or named like user, login, email,
 * identifier in a form whose id, class or action speaks of logging in),
 * with a button to go on (a form cut short by a truncated page has none). */
const HtmlForm *html_page_username_form(const HtmlPage *p, const char *username_field);
/* A second-factor form: a visible input named like otp, totp, mfa, 2fa,
 * one-time-code or code, and no password input. */
const HtmlForm *html_page_otp_form(const HtmlPage *p, const HtmlField **ret_field);
/* A form that submits itself (the SAML HTTP-POST binding, WS-Federation,
 * OIDC form_post): only hidden inputs (and buttons), and either SAML/OIDC
 * names, or a page whose only form it is (and not a logout) that calls
 * submit() from a script or onload. */
const HtmlForm *html_page_autopost_form(const HtmlPage *p);
/* An express-checkout form: its id, class, action or button speaks of
 * checkout, buying, ordering or paying. */
const HtmlForm *html_page_checkout_form(const HtmlPage *p);

/* The index of the form's password field (by name when set, else the
 * first password input) and of its username field (by name when set, else
 * the last text input before the password field, else the first text
 * input); -ENOENT when there is none. */
ssize_t html_form_password_field(const HtmlForm *f, const char *name);
ssize_t html_form_username_field(const HtmlForm *f, const char *name, ssize_t password_index);
bool html_form_has_field(const HtmlForm *f, const char *name);

/* The form's data set as a browser submits it (application/x-www-form-
 * urlencoded, in the encoding form-encode.h picks from the form's
 * accept-charset and the page's charset): hidden inputs and other controls
 * with their values, checked boxes, the first named submit button; `set`
 * replaces the value of the field of that name, or is added. -ENOMEM,
 * -E2BIG past FORM_BODY_MAX, -EIO when iconv cannot open a WHATWG
 * encoding. */
typedef struct FormValue {
        const char *name;
        const char *value;
} FormValue;
int html_form_encode(const HtmlForm *f, const char *charset, const FormValue *set, size_t n_set, char **ret);
/* The URL a GET form goes to with that data as its query. */
int html_form_get_url(const HtmlForm *f, const char *data, char **ret);
