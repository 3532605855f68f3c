/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "classify.h"
#include "engine.h"

/* Before a network-level failure (a name that does not resolve, a refused
 * or dropped connection, a timeout) is blamed on the partner, the control
 * probe asks the same of our own canaries (pik.conf's canary: a name our
 * resolver must resolve, a URL our egress must reach). */

/* outcome: the partner outcome the failure would be. Writes what was
 * probed, for the result's details, to ret_what. -ENOMEM only. */
int control_probe(const CheckJob *job, const char *outcome, ControlVerdict *ret, char *ret_what, size_t n);
