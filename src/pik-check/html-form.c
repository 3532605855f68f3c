/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "form-encode.h"
#include "html-form.h"
#include "url-util.h"

/* Caps on what a page can make us hold (curl's "toobig" habit). */
#define FORMS_MAX 64
#define FIELDS_MAX 512          /* per form */
#define PAGE_FIELDS_MAX 1024    /* all forms' together */
#define LABELS_MAX 256          /* labels × fields bounds the matching work */
#define METAS_MAX 64
#define HINT_MAX 256

typedef struct Meta {
        char *name;
        char *content;
} Meta;

typedef struct Label {
        char *for_id;
        char *text;
} Label;

struct HtmlPage {
        xmlDoc *doc;
        char *url;
        char *base;
        char *charset;
        char *raw;
        size_t raw_size;
        char *text;             /* lazily, blanks folded */
        HtmlForm forms[FORMS_MAX];
        xmlNode *form_nodes[FORMS_MAX];
        size_t n_forms;
        Meta metas[METAS_MAX];
        size_t n_metas;
        char *refresh;          /* <meta http-equiv=refresh> content */
        bool script_submits;
};

static void quiet(void);

DEFINE_TRIVIAL_CLEANUP_FUNC(xmlXPathContext *, xmlXPathFreeContext);
DEFINE_TRIVIAL_CLEANUP_FUNC(xmlXPathObject *, xmlXPathFreeObject);
DEFINE_TRIVIAL_CLEANUP_FUNC(xmlXPathCompExpr *, xmlXPathFreeCompExpr);

static void xml_freep(xmlChar **p) {
        xmlFree(*p);
}
#define _cleanup_xml_ _cleanup_(xml_freep)

static void field_done(HtmlField *f) {
        free(f->name);
        free(f->value);
        free(f->hint);
}

static void form_done(HtmlForm *f) {
        free(f->action);
        free(f->accept_charset);
        free(f->hint);
        for (size_t i = 0; i < f->n_fields; i++)
                field_done(&f->fields[i]);
        free(f->fields);
}

HtmlPage *html_page_free(HtmlPage *p) {
        if (!p)
                return NULL;
        if (p->doc)
                xmlFreeDoc(p->doc);
        for (size_t i = 0; i < p->n_forms; i++)
                form_done(&p->forms[i]);
        for (size_t i = 0; i < p->n_metas; i++) {
                free(p->metas[i].name);
                free(p->metas[i].content);
        }
        free(p->url);
        free(p->base);
        free(p->charset);
        free(p->raw);
        free(p->text);
        free(p->refresh);
        free(p);
        return NULL;
}

static char *ascii_lower(char *s) {
        for (char *q = s; q && *q; q++)
                if (*q >= 'A' && *q <= 'Z')
                        *q = (char) (*q - 'A' + 'a');
        return s;
}

static bool is_element(const xmlNode *n, const char *name) {
        return n->type == XML_ELEMENT_NODE && n->name && strcasecmp((const char *) n->name, name) == 0;
}

/* An attribute's value as a malloc'ed string; NULL when absent. -ENOMEM
 * only through *oom. */
static char *attr(const xmlNode *n, const char *name, bool *oom) {
        _cleanup_xml_ xmlChar *v = xmlGetProp(n, (const xmlChar *) name);
        char *s;

        if (!v)
                return NULL;
        s = strdup((const char *) v);
        if (!s)
                *oom = true;
        return s;
}

static bool attr_eq(const xmlNode *n, const char *name, const char *value) {
        _cleanup_xml_ xmlChar *v = xmlGetProp(n, (const xmlChar *) name);
        return v && strcasecmp((const char *) v, value) == 0;
}

static bool attr_has(const xmlNode *n, const char *name) {
        return xmlHasProp(n, (const xmlChar *) name) != NULL;
}

static char *text_of(const xmlNode *n, bool *oom) {
        _cleanup_xml_ xmlChar *v = xmlNodeGetContent(n);
        char *s = strdup(v ? (const char *) v : "");
        if (!s)
                *oom = true;
        return s;
}

/* Appends " word" to a hint, lower case, within HINT_MAX. */
static void hint_add(char **hint, const char *word, bool *oom) {
        size_t have = *hint ? strlen(*hint) : 0, n;
        char *h;

        if (!word || !*word || have >= HINT_MAX)
                return;
        n = strnlen(word, HINT_MAX - have);
        h = realloc(*hint, have + n + 2);
        if (!h) {
                *oom = true;
                return;
        }
        if (have > 0)
                h[have++] = ' ';
        memcpy(h + have, word, n);
        h[have + n] = 0;
        ascii_lower(h + have);
        *hint = h;
}

static void hint_add_attr(char **hint, const xmlNode *n, const char *name, bool *oom) {
        _cleanup_xml_ xmlChar *v = xmlGetProp(n, (const xmlChar *) name);
        hint_add(hint, (const char *) v, oom);
}

static int charset_from_content_type(const char *ct, char **ret) {
        const char *p;
        size_t n;

        *ret = NULL;
        if (!ct)
                return 0;
        for (p = ct; *p; p++)
                if (strncasecmp(p, "charset=", 8) == 0)
                        break;
        if (!*p)
                return 0;
        p += 8;
        if (*p == '"' || *p == '\'')
                p++;
        n = strcspn(p, "\"'; \t");
        if (n == 0 || n > 40)
                return 0;
        *ret = strndup(p, n);
        if (!*ret)
                return -ENOMEM;
        /* An encoding libxml2 does not know is as good as none: it then
         * reads the page's own <meta>. */
        xmlCharEncodingHandler *h = xmlFindCharEncodingHandler(*ret);
        if (!h) {
                *ret = mfree(*ret);
                return 0;
        }
        xmlCharEncCloseFunc(h);
        return 0;
}

typedef struct Walk {
        HtmlPage *page;
        Label labels[LABELS_MAX];
        size_t n_labels;
        size_t n_fields;        /* on the page, against PAGE_FIELDS_MAX */
        bool oom;
} Walk;

static HtmlForm *form_of(Walk *w, xmlNode *n) {
        _cleanup_xml_ xmlChar *owner = xmlGetProp(n, (const xmlChar *) "form");

        /* HTML5's form= attribute names the form by id, wherever it is. */
        if (owner) {
                for (size_t i = 0; i < w->page->n_forms; i++)
                        if (attr_eq(w->page->form_nodes[i], "id", (const char *) owner))
                                return &w->page->forms[i];
                return NULL;
        }
        for (xmlNode *a = n->parent; a; a = a->parent)
                if (is_element(a, "form"))
                        for (size_t i = 0; i < w->page->n_forms; i++)
                                if (w->page->form_nodes[i] == a)
                                        return &w->page->forms[i];
        return NULL;
}

static HtmlField *field_new(Walk *w, HtmlForm *f) {
        HtmlField *a;

        if (f->n_fields >= FIELDS_MAX || w->n_fields >= PAGE_FIELDS_MAX)
                return NULL;
        a = realloc(f->fields, (f->n_fields + 1) * sizeof *a);
        if (!a) {
                w->oom = true;
                return NULL;
        }
        f->fields = a;
        a[f->n_fields] = (HtmlField) {};
        w->n_fields++;
        return &a[f->n_fields++];
}

/* The text of the labels whose for= is the control's id (labels were all
 * read in the first pass, wherever they are). No copies: at most
 * LABELS_MAX comparisons per control, PAGE_FIELDS_MAX controls. */
static void add_labels(Walk *w, const xmlNode *n, HtmlField *fl) {
        _cleanup_xml_ xmlChar *id = xmlGetProp(n, (const xmlChar *) "id");

        if (!id || !*id)
                return;
        for (size_t l = 0; l < w->n_labels; l++)
                if (w->labels[l].for_id && strcasecmp(w->labels[l].for_id, (const char *) id) == 0)
                        hint_add(&fl->hint, w->labels[l].text, &w->oom);
}

static void add_control(Walk *w, xmlNode *n) {
        _cleanup_free_ char *type = NULL;
        HtmlForm *f = form_of(w, n);
        HtmlField *fl;

        if (!f)
                return;
        fl = field_new(w, f);
        if (!fl)
                return;

        fl->name = attr(n, "name", &w->oom);
        if (fl->name && !*fl->name)
                fl->name = mfree(fl->name);
        type = ascii_lower(attr(n, "type", &w->oom));

        if (is_element(n, "input")) {
                if (!type || !*type || streq(type, "text") || streq(type, "email") || streq(type, "tel") ||
                    streq(type, "number") || streq(type, "search") || streq(type, "url"))
                        fl->kind = HTML_FIELD_TEXT;
                else if (streq(type, "password"))
                        fl->kind = HTML_FIELD_PASSWORD;
                else if (streq(type, "hidden"))
                        fl->kind = HTML_FIELD_HIDDEN;
                else if (streq(type, "checkbox") || streq(type, "radio"))
                        fl->kind = HTML_FIELD_CHECK;
                else if (streq(type, "submit") || streq(type, "image"))
                        fl->kind = HTML_FIELD_SUBMIT;
                else if (streq(type, "reset") || streq(type, "file") || streq(type, "button"))
                        fl->kind = HTML_FIELD_IGNORED;
                else
                        fl->kind = HTML_FIELD_TEXT;     /* date, color, …: a value like text */
                fl->value = attr(n, "value", &w->oom);
                if (!fl->value && fl->kind == HTML_FIELD_CHECK)
                        fl->value = strdup("on");
                fl->checked = attr_has(n, "checked");
        } else if (is_element(n, "button")) {
                fl->kind = !type || streq(type, "submit") ? HTML_FIELD_SUBMIT : HTML_FIELD_IGNORED;
                fl->value = attr(n, "value", &w->oom);
                _cleanup_free_ char *t = text_of(n, &w->oom);
                hint_add(&fl->hint, t, &w->oom);
        } else if (is_element(n, "textarea")) {
                fl->kind = HTML_FIELD_TEXTAREA;
                fl->value = text_of(n, &w->oom);
        } else {        /* select: the selected option, else the first */
                xmlNode *first = NULL, *chosen = NULL;
                xmlXPathContext *ctx;

                fl->kind = HTML_FIELD_SELECT;
                ctx = xmlXPathNewContext(n->doc);
                if (ctx) {
                        xmlXPathObject *o = xmlXPathNodeEval(n, (const xmlChar *) ".//option", ctx);
                        if (o && o->nodesetval)
                                for (int i = 0; i < o->nodesetval->nodeNr; i++) {
                                        xmlNode *opt = o->nodesetval->nodeTab[i];
                                        if (!first)
                                                first = opt;
                                        if (!chosen && attr_has(opt, "selected"))
                                                chosen = opt;
                                }
                        xmlXPathFreeObject(o);
                        xmlXPathFreeContext(ctx);
                }
                chosen = chosen ?: first;
                if (chosen) {
                        fl->value = attr(chosen, "value", &w->oom);
                        if (!fl->value)
                                fl->value = text_of(chosen, &w->oom);
                }
        }
        if (attr_has(n, "disabled"))
                fl->kind = HTML_FIELD_IGNORED;
        if (!fl->value)
                fl->value = strdup("");
        if (!fl->value)
                w->oom = true;

        hint_add_attr(&fl->hint, n, "name", &w->oom);
        hint_add_attr(&fl->hint, n, "id", &w->oom);
        hint_add_attr(&fl->hint, n, "autocomplete", &w->oom);
        hint_add_attr(&fl->hint, n, "placeholder", &w->oom);
        hint_add_attr(&fl->hint, n, "aria-label", &w->oom);
        hint_add_attr(&fl->hint, n, "inputmode", &w->oom);
        if (fl->kind == HTML_FIELD_SUBMIT)
                hint_add(&fl->hint, fl->value, &w->oom);
        add_labels(w, n, fl);
}

static void add_form(Walk *w, xmlNode *n) {
        HtmlPage *p = w->page;
        _cleanup_free_ char *action = NULL, *method = NULL;
        HtmlForm *f;
        int r;

        if (p->n_forms >= FORMS_MAX)
                return;
        f = &p->forms[p->n_forms];
        *f = (HtmlForm) {};
        p->form_nodes[p->n_forms++] = n;

        /* An absent or empty action is the page's own URL (not the base). */
        action = attr(n, "action", &w->oom);
        if (action && *action) {
                r = url_resolve(p->base ?: p->url, action, &f->action);
                if (r == -ENOMEM)
                        w->oom = true;
        }
        if (!f->action) {
                /* Unusable (javascript:…, another scheme): stay on the page. */
                f->action = strdup(p->url);
                if (!f->action)
                        w->oom = true;
        }
        method = attr(n, "method", &w->oom);
        f->post = method && strcasecmp(method, "post") == 0;
        f->accept_charset = attr(n, "accept-charset", &w->oom);
        hint_add_attr(&f->hint, n, "id", &w->oom);
        hint_add_attr(&f->hint, n, "name", &w->oom);
        hint_add_attr(&f->hint, n, "class", &w->oom);
        hint_add(&f->hint, action, &w->oom);
}

static void add_meta(Walk *w, xmlNode *n) {
        HtmlPage *p = w->page;

        if (attr_eq(n, "http-equiv", "refresh")) {
                if (!p->refresh)
                        p->refresh = attr(n, "content", &w->oom);
                return;
        }
        if (!attr_has(n, "name") || p->n_metas >= METAS_MAX)
                return;
        p->metas[p->n_metas].name = attr(n, "name", &w->oom);
        p->metas[p->n_metas].content = attr(n, "content", &w->oom);
        if (!p->metas[p->n_metas].content)
                p->metas[p->n_metas].content = strdup("");
        if (!p->metas[p->n_metas].name || !p->metas[p->n_metas].content)
                w->oom = true;
        p->n_metas++;
}

/* First pass: forms, <base>, <meta>, labels, auto-submitting scripts.
 * Iterative, so that a page nested thousands deep cannot exhaust the
 * stack (libxml2 caps the depth too). */
static void walk_structure(Walk *w, xmlNode *root) {
        for (xmlNode *n = root; n; ) {
                if (n->type == XML_ELEMENT_NODE) {
                        if (is_element(n, "form"))
                                add_form(w, n);
                        else if (is_element(n, "base") && !w->page->base) {
                                _cleanup_free_ char *href = attr(n, "href", &w->oom);
                                if (href && url_resolve(w->page->url, href, &w->page->base) == -ENOMEM)
                                        w->oom = true;
                        } else if (is_element(n, "meta"))
                                add_meta(w, n);
                        else if (is_element(n, "label") && attr_has(n, "for") && w->n_labels < LABELS_MAX) {
                                w->labels[w->n_labels].for_id = attr(n, "for", &w->oom);
                                w->labels[w->n_labels].text = text_of(n, &w->oom);
                                w->n_labels++;
                        } else if (is_element(n, "script")) {
                                _cleanup_xml_ xmlChar *t = xmlNodeGetContent(n);
                                if (t && strstr((const char *) t, "submit()"))
                                        w->page->script_submits = true;
                        } else if (is_element(n, "body")) {
                                _cleanup_xml_ xmlChar *t = xmlGetProp(n, (const xmlChar *) "onload");
                                if (t && strstr((const char *) t, "submit"))
                                        w->page->script_submits = true;
                        }
                        if (n->children) {
                                n = n->children;
                                continue;
                        }
                }
                while (n && !n->next && n != root)
                        n = n->parent;
                if (!n || n == root)
                        break;
                n = n->next;
        }
}

static void walk_controls(Walk *w, xmlNode *root) {
        for (xmlNode *n = root; n; ) {
                if (n->type == XML_ELEMENT_NODE) {
                        if (is_element(n, "input") || is_element(n, "button") || is_element(n, "select") ||
                            is_element(n, "textarea"))
                                add_control(w, n);
                        /* Options and button content were read with their control. */
                        if (n->children && !is_element(n, "select") && !is_element(n, "textarea")) {
                                n = n->children;
                                continue;
                        }
                }
                while (n && !n->next && n != root)
                        n = n->parent;
                if (!n || n == root)
                        break;
                n = n->next;
        }
}

int html_page_parse(const char *data, size_t size, const char *url, const char *content_type, HtmlPage **ret) {
        _cleanup_(html_page_freep) HtmlPage *p = NULL;
        _cleanup_free_ char *encoding = NULL;
        Walk *w;
        int r;

        p = calloc(1, sizeof *p);
        if (!p)
                return -ENOMEM;
        p->url = strdup(url);
        p->raw = malloc(size + 1);
        if (!p->url || !p->raw)
                return -ENOMEM;
        memcpy(p->raw, data, size);
        p->raw[size] = 0;
        p->raw_size = size;

        quiet();
        r = charset_from_content_type(content_type, &encoding);
        if (r < 0)
                return r;

        if (size > 0 && size <= INT32_MAX)
                p->doc = htmlReadMemory(data, (int) size, url, encoding,
                                        HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                        HTML_PARSE_NONET);
        /* A page libxml2 cannot make anything of is a page without forms. */

        if (p->doc && p->doc->encoding)
                p->charset = strdup((const char *) p->doc->encoding);
        else
                p->charset = strdup(encoding ?: "UTF-8");
        if (!p->charset)
                return -ENOMEM;

        w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        w->page = p;
        if (p->doc && xmlDocGetRootElement(p->doc)) {
                xmlNode *root = xmlDocGetRootElement(p->doc);
                walk_structure(w, root);
                if (!p->base)
                        p->base = strdup(p->url);
                /* Forms were found before their actions could see <base>
                 * if it came late; resolve them again against it. */
                for (size_t i = 0; i < p->n_forms && p->base; i++) {
                        _cleanup_free_ char *action = attr(p->form_nodes[i], "action", &w->oom);
                        if (action && *action) {
                                char *a = NULL;
                                if (url_resolve(p->base, action, &a) == 0) {
                                        free(p->forms[i].action);
                                        p->forms[i].action = a;
                                }
                        }
                }
                walk_controls(w, root);
        }
        if (!p->base)
                p->base = strdup(p->url);
        for (size_t l = 0; l < w->n_labels; l++) {
                free(w->labels[l].for_id);
                free(w->labels[l].text);
        }
        bool oom = w->oom;
        free(w);
        if (oom || !p->base)
                return -ENOMEM;

        *ret = TAKE_PTR(p);
        return 0;
}

const char *html_page_url(const HtmlPage *p) {
        return p->url;
}

const char *html_page_base(const HtmlPage *p) {
        return p->base;
}

const char *html_page_charset(const HtmlPage *p) {
        return p->charset;
}

size_t html_page_n_forms(const HtmlPage *p) {
        return p->n_forms;
}

const HtmlForm *html_page_form(const HtmlPage *p, size_t i) {
        return i < p->n_forms ? &p->forms[i] : NULL;
}

static bool is_blank(const char *s, size_t *len) {
        unsigned char c = (unsigned char) *s;

        *len = 1;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
                return true;
        /* U+00A0, &nbsp; */
        if (c == 0xc2 && (unsigned char) s[1] == 0xa0) {
                *len = 2;
                return true;
        }
        return false;
}

/* Blank runs become one space; leading and trailing ones go. */
static char *fold_blanks(const char *s) {
        char *r = malloc(strlen(s) + 1), *o = r;
        bool blank = false;
        size_t n;

        if (!r)
                return NULL;
        while (*s) {
                if (is_blank(s, &n)) {
                        blank = true;
                        s += n;
                        continue;
                }
                if (blank && o != r)
                        *o++ = ' ';
                blank = false;
                *o++ = *s++;
        }
        *o = 0;
        return r;
}

typedef struct Buf {
        char *data;
        size_t size, alloc;
        bool oom;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n) {
        if (b->oom)
                return;
        if (b->size + n + 1 > b->alloc) {
                size_t a = MAX(b->alloc * 2, b->size + n + 1);
                char *d = realloc(b->data, a);
                if (!d) {
                        b->oom = true;
                        return;
                }
                b->data = d;
                b->alloc = a;
        }
        memcpy(b->data + b->size, s, n);
        b->size += n;
        b->data[b->size] = 0;
}

static bool is_inline(const xmlNode *n) {
        static const char *const names[] = {
                "a", "abbr", "b", "bdi", "bdo", "cite", "code", "em", "font", "i", "kbd", "label", "mark", "q",
                "s", "small", "span", "strong", "sub", "sup", "time", "u", "var", NULL,
        };
        for (size_t i = 0; names[i]; i++)
                if (is_element(n, names[i]))
                        return true;
        return false;
}

/* The text a reader sees: text nodes outside <script> and <style>, block
 * elements apart, inline ones ("Welcome <b>back</b>") joined. */
static void collect_text(xmlNode *root, Buf *b) {
        xmlNode *n = root;

        while (n) {
                if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
                        if (n->content)
                                buf_add(b, (const char *) n->content, strlen((const char *) n->content));
                } else if (n->type == XML_ELEMENT_NODE && !is_element(n, "script") && !is_element(n, "style")) {
                        if (!is_inline(n))
                                buf_add(b, " ", 1);
                        if (n->children) {
                                n = n->children;
                                continue;
                        }
                }
                for (;;) {
                        if (n->type == XML_ELEMENT_NODE && !is_inline(n))
                                buf_add(b, " ", 1);
                        if (n == root)
                                return;
                        if (n->next) {
                                n = n->next;
                                break;
                        }
                        n = n->parent;
                }
        }
}

bool html_page_contains(HtmlPage *p, const char *text) {
        _cleanup_free_ char *want = NULL;

        if (!text || !*text)
                return true;
        if (strchr(text, '<'))
                return memmem(p->raw, p->raw_size, text, strlen(text)) != NULL;
        if (!p->text) {
                Buf b = {};
                xmlNode *root = p->doc ? xmlDocGetRootElement(p->doc) : NULL;

                if (root)
                        collect_text(root, &b);
                p->text = fold_blanks(b.data ?: "");
                free(b.data);
                if (!p->text || b.oom)
                        return false;   /* the allocation guard reports it */
        }
        want = fold_blanks(text);
        return want && strstr(p->text, want);
}

/* libxml2 prints its errors on stderr by default; ours are results. */
static void silent(void *userdata, xmlError *error) {
}

static void silent_generic(void *userdata, const char *format, ...) {
}

static void quiet(void) {
        xmlSetStructuredErrorFunc(NULL, silent);
        xmlSetGenericErrorFunc(NULL, silent_generic);
}

static int xpath_eval(HtmlPage *p, const char *xpath, xmlXPathObject **ret) {
        _cleanup_(xmlXPathFreeCompExprp) xmlXPathCompExpr *comp = NULL;
        _cleanup_(xmlXPathFreeContextp) xmlXPathContext *ctx = NULL;

        quiet();
        comp = xmlXPathCompile((const xmlChar *) xpath);
        if (!comp)
                return -EINVAL;
        *ret = NULL;
        if (!p->doc)
                return 0;
        ctx = xmlXPathNewContext(p->doc);
        if (!ctx)
                return -ENOMEM;
        *ret = xmlXPathCompiledEval(comp, ctx);
        /* A compiled expression can still be wrong at run time (an unknown
         * function): the configuration's fault as well. */
        return *ret ? 0 : -EINVAL;
}

int html_page_xpath_match(HtmlPage *p, const char *xpath, bool *ret) {
        _cleanup_(xmlXPathFreeObjectp) xmlXPathObject *o = NULL;
        int r;

        r = xpath_eval(p, xpath, &o);
        if (r < 0)
                return r;
        *ret = o && xmlXPathCastToBoolean(o);
        return 0;
}

int html_page_xpath_string(HtmlPage *p, const char *xpath, char **ret) {
        _cleanup_(xmlXPathFreeObjectp) xmlXPathObject *o = NULL;
        _cleanup_xml_ xmlChar *s = NULL;
        int r;

        r = xpath_eval(p, xpath, &o);
        if (r < 0)
                return r;
        *ret = NULL;
        if (!o)
                return 0;
        if (o->type == XPATH_NODESET) {
                if (!o->nodesetval || o->nodesetval->nodeNr == 0)
                        return 0;
                s = xmlXPathCastNodeToString(o->nodesetval->nodeTab[0]);
        } else
                s = xmlXPathCastToString(o);
        if (!s)
                return -ENOMEM;
        if (!*s && o->type != XPATH_NODESET)
                return 0;
        *ret = strdup((const char *) s);
        return *ret ? 0 : -ENOMEM;
}

int html_page_form_by_xpath(HtmlPage *p, const char *xpath, const HtmlForm **ret) {
        _cleanup_(xmlXPathFreeObjectp) xmlXPathObject *o = NULL;
        int r;

        r = xpath_eval(p, xpath, &o);
        if (r < 0)
                return r;
        if (!o || o->type != XPATH_NODESET || !o->nodesetval)
                return -ENOENT;
        for (int i = 0; i < o->nodesetval->nodeNr; i++)
                for (xmlNode *n = o->nodesetval->nodeTab[i]; n; n = n->parent)
                        if (is_element(n, "form"))
                                for (size_t k = 0; k < p->n_forms; k++)
                                        if (p->form_nodes[k] == n) {
                                                *ret = &p->forms[k];
                                                return 0;
                                        }
        return -ENOENT;
}

const char *html_page_meta(const HtmlPage *p, const char *name) {
        for (size_t i = 0; i < p->n_metas; i++)
                if (strcasecmp(p->metas[i].name, name) == 0)
                        return p->metas[i].content;
        return NULL;
}

int html_page_meta_refresh(const HtmlPage *p, unsigned max_delay_sec, char **ret) {
        const char *s = p->refresh, *u;
        char *e;

        *ret = NULL;
        if (!s)
                return 0;
        unsigned long delay = strtoul(s, &e, 10);
        if (e == s || delay > max_delay_sec)
                return 0;
        u = strcasestr(e, "url");
        if (!u)
                return 0;       /* a refresh of the page itself: not a step */
        u += 3;
        while (*u == ' ')
                u++;
        if (*u != '=')
                return 0;
        u++;
        while (*u == ' ' || *u == '\'' || *u == '"')
                u++;
        _cleanup_free_ char *target = strndup(u, strcspn(u, "'\""));
        if (!target)
                return -ENOMEM;
        int r = url_resolve(p->base, target, ret);
        return r == -ENOMEM ? r : 0;
}

static bool hint_has(const char *hint, const char *const *words) {
        if (!hint)
                return false;
        for (size_t i = 0; words[i]; i++)
                if (strstr(hint, words[i]))
                        return true;
        return false;
}

static const char *const login_words[] = {
        "login", "log-in", "log_in", "logon", "signin", "sign-in", "sign_in", "auth", "session", "anmeld", NULL,
};
static const char *const register_words[] = {
        "register", "signup", "sign-up", "sign_up", "join", "create", "reset", "forgot", "change", "newsletter",
        "subscribe", "search", NULL,
};
static const char *const user_words[] = {
        "user", "login", "email", "e-mail", "mail", "identifier", "account", "benutzer", NULL,
};
static const char *const otp_words[] = {
        "otp", "one-time", "mfa", "2fa", "two-factor", "twofactor", "second factor", "verification",
        "authenticator", "token", NULL,
};
static const char *const logout_words[] = {
        "logout", "log-out", "log_out", "signout", "sign-out", "sign_out", "logoff", NULL,
};
static const char *const checkout_words[] = {
        "checkout", "check-out", "check_out", "buy", "purchase", "order", "pay", "express", "kaufen", NULL,
};

static size_t count_kind(const HtmlForm *f, HtmlFieldKind k) {
        size_t n = 0;
        for (size_t i = 0; i < f->n_fields; i++)
                if (f->fields[i].kind == k)
                        n++;
        return n;
}

static bool field_named(const HtmlField *fl, const char *name) {
        return fl->name && name && streq(fl->name, name);
}

ssize_t html_form_password_field(const HtmlForm *f, const char *name) {
        for (size_t i = 0; i < f->n_fields; i++) {
                if (name ? field_named(&f->fields[i], name) :
                           f->fields[i].kind == HTML_FIELD_PASSWORD && f->fields[i].name)
                        return (ssize_t) i;
        }
        return -ENOENT;
}

static bool is_text(const HtmlField *fl) {
        return fl->kind == HTML_FIELD_TEXT && fl->name;
}

ssize_t html_form_username_field(const HtmlForm *f, const char *name, ssize_t password_index) {
        if (name) {
                for (size_t i = 0; i < f->n_fields; i++)
                        if (field_named(&f->fields[i], name))
                                return (ssize_t) i;
                return -ENOENT;
        }
        for (ssize_t i = password_index - 1; i >= 0; i--)
                if (is_text(&f->fields[i]))
                        return i;
        for (size_t i = 0; i < f->n_fields; i++)
                if (is_text(&f->fields[i]))
                        return (ssize_t) i;
        return -ENOENT;
}

bool html_form_has_field(const HtmlForm *f, const char *name) {
        for (size_t i = 0; i < f->n_fields; i++)
                if (field_named(&f->fields[i], name))
                        return true;
        return false;
}

const HtmlForm *html_page_login_form(const HtmlPage *p, const char *password_field) {
        const HtmlForm *best = NULL;
        int best_score = 0;

        for (size_t i = 0; i < p->n_forms; i++) {
                const HtmlForm *f = &p->forms[i];
                size_t n = count_kind(f, HTML_FIELD_PASSWORD);
                int score;

                if (password_field) {
                        if (html_form_password_field(f, password_field) >= 0)
                                return f;
                        continue;
                }
                if (n == 0)
                        continue;
                score = n == 1 ? 10 : 5;
                if (hint_has(f->hint, login_words))
                        score += 3;
                if (hint_has(f->hint, register_words))
                        score -= 3;
                if (score > best_score) {
                        best = f;
                        best_score = score;
                }
        }
        return best;
}

const HtmlForm *html_page_username_form(const HtmlPage *p, const char *username_field) {
        for (size_t i = 0; i < p->n_forms; i++) {
                const HtmlForm *f = &p->forms[i];

                if (count_kind(f, HTML_FIELD_PASSWORD) > 0)
                        continue;
                if (username_field) {
                        if (html_form_has_field(f, username_field))
                                return f;
                        continue;
                }
                /* A form cut short (a truncated page) has lost its button:
                 * not a page to go on from. */
                if (hint_has(f->hint, register_words) || count_kind(f, HTML_FIELD_SUBMIT) == 0)
                        continue;
                for (size_t j = 0; j < f->n_fields; j++) {
                        const HtmlField *fl = &f->fields[j];
                        if (!is_text(fl))
                                continue;
                        if (strstr(fl->hint ?: "", "username") ||
                            (hint_has(fl->hint, user_words) && hint_has(f->hint, login_words)))
                                return f;
                }
        }
        return NULL;
}

const HtmlForm *html_page_otp_form(const HtmlPage *p, const HtmlField **ret_field) {
        for (size_t i = 0; i < p->n_forms; i++) {
                const HtmlForm *f = &p->forms[i];

                if (count_kind(f, HTML_FIELD_PASSWORD) > 0)
                        continue;
                for (size_t j = 0; j < f->n_fields; j++) {
                        const HtmlField *fl = &f->fields[j];
                        if (!is_text(fl))
                                continue;
                        if (hint_has(fl->hint, otp_words) || streq(fl->name, "code") ||
                            strstr(fl->hint ?: "", "one-time-code")) {
                                *ret_field = fl;
                                return f;
                        }
                }
        }
        return NULL;
}

const HtmlForm *html_page_autopost_form(const HtmlPage *p) {
        static const char *const names[] = {
                "SAMLResponse", "SAMLRequest", "RelayState", "wresult", "id_token", NULL,
        };

        for (size_t i = 0; i < p->n_forms; i++) {
                const HtmlForm *f = &p->forms[i];
                bool hidden = false, visible = false, protocol = false;

                for (size_t j = 0; j < f->n_fields; j++) {
                        const HtmlField *fl = &f->fields[j];
                        if (fl->kind == HTML_FIELD_HIDDEN) {
                                hidden = true;
                                for (size_t k = 0; names[k]; k++)
                                        if (fl->name && strcasecmp(fl->name, names[k]) == 0)
                                                protocol = true;
                        } else if (fl->kind != HTML_FIELD_SUBMIT && fl->kind != HTML_FIELD_IGNORED)
                                visible = true;
                }
                /* A script that submits something, on a page with one form
                 * that is not a logout: the way the HTTP-POST bindings look
                 * (a page with a logout form among others is a page after
                 * a login, whose scripts submit other things). */
                if (hidden && !visible &&
                    (protocol || (p->script_submits && p->n_forms == 1 && !hint_has(f->hint, logout_words))))
                        return f;
        }
        return NULL;
}

const HtmlForm *html_page_checkout_form(const HtmlPage *p) {
        for (size_t i = 0; i < p->n_forms; i++) {
                const HtmlForm *f = &p->forms[i];

                if (count_kind(f, HTML_FIELD_PASSWORD) > 0)
                        continue;
                if (hint_has(f->hint, checkout_words))
                        return f;
                for (size_t j = 0; j < f->n_fields; j++)
                        if (f->fields[j].kind == HTML_FIELD_SUBMIT && hint_has(f->fields[j].hint, checkout_words))
                                return f;
        }
        return NULL;
}

static int add_pair(FormEncoder *e, const char *name, const char *value) {
        return form_encoder_add(e, name, strlen(name), value, strlen(value));
}

int html_form_encode(const HtmlForm *f, const char *charset, const FormValue *set, size_t n_set, char **ret) {
        _cleanup_(form_encoder_freep) FormEncoder *e = NULL;
        _cleanup_free_ bool *used = NULL;
        bool submit_done = false;
        int r;

        r = form_encoder_new(form_encoding_pick(f->accept_charset, charset), &e);
        if (r < 0)
                return r;
        used = calloc(n_set + 1, sizeof *used);
        if (!used)
                return -ENOMEM;

        for (size_t i = 0; i < f->n_fields; i++) {
                const HtmlField *fl = &f->fields[i];
                const char *value = fl->value;

                if (!fl->name)
                        continue;
                switch (fl->kind) {
                case HTML_FIELD_IGNORED:
                        continue;
                case HTML_FIELD_CHECK:
                        if (!fl->checked)
                                continue;
                        break;
                case HTML_FIELD_SUBMIT:
                        /* The button a user would press: the first. */
                        if (submit_done)
                                continue;
                        submit_done = true;
                        break;
                default:
                        break;
                }
                for (size_t k = 0; k < n_set; k++)
                        if (!used[k] && streq_ptr(set[k].name, fl->name)) {
                                value = set[k].value;
                                used[k] = true;
                                break;
                        }
                r = add_pair(e, fl->name, value);
                if (r < 0)
                        return r;
        }
        for (size_t k = 0; k < n_set; k++)
                if (!used[k] && set[k].name && set[k].value && !html_form_has_field(f, set[k].name)) {
                        r = add_pair(e, set[k].name, set[k].value);
                        if (r < 0)
                                return r;
                }

        return form_encoder_steal(e, ret);
}

int html_form_get_url(const HtmlForm *f, const char *data, char **ret) {
        size_t n = strcspn(f->action, "?#");
        char *u = malloc(n + 1 + strlen(data) + 1);

        if (!u)
                return -ENOMEM;
        memcpy(u, f->action, n);
        u[n] = '?';
        memcpy(u + n + 1, data, strlen(data) + 1);
        *ret = u;
        return 0;
}
