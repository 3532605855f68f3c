/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

/* POSIX extended regexes from configuration (a flow's extractions),
 * compiled with glibc's regcomp() only when what it would build is small.
 *
 * glibc copies a repeated subexpression once per repetition ("x+" is
 * "xx*", "x{3,5}" five copies) and then computes closures over the copies:
 * 16 nested '+' already take 550 MB and 7 s, 24 over 2 GB. So a pattern is
 * measured before regcomp() sees it: its cost is the number of nodes after
 * those copies, and a pattern whose cost passes REGEX_COST_MAX is refused.
 * Measured (bench in test-regex-util.c's comment): the worst shapes within
 * the bound take a few MB and milliseconds. */
#define REGEX_LENGTH_MAX 512
#define REGEX_COST_MAX 256
#define REGEX_GROUP_DEPTH_MAX 16

/* The pattern's cost as above, saturated at REGEX_COST_MAX + 1. Lenient
 * about syntax: regcomp() judges that. */
uint64_t regex_cost(const char *pattern);

/* regcomp(REG_EXTENDED) of a bounded pattern. -EINVAL with the reason in
 * error (a syntax error, or a pattern too long, too deeply nested or too
 * costly), -ENOMEM. re is set only on success. */
int regex_compile_bounded(regex_t *re, const char *pattern, char *error, size_t n);
