/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* An XPath 1.0 expression libxml2 compiles. Apart from validate.h, whose
 * checks report through the database handle: pik-check parses flows with
 * this and links no sqlite. */
bool pik_xpath_compiles(const char *xpath);
