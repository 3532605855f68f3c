/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <libxml/xpath.h>

#include "xpath.h"

static void xml_error_silent(void *ctx, const char *msg, ...) {
}

bool pik_xpath_compiles(const char *xpath) {
        xmlXPathCompExprPtr e;

        /* libxml2 would print the syntax error on stderr too; the caller
         * reports the refusal in its own words. */
        xmlSetGenericErrorFunc(NULL, xml_error_silent);
        e = xmlXPathCompile((const xmlChar *) xpath);
        if (!e)
                return false;
        xmlXPathFreeCompExpr(e);
        return true;
}
