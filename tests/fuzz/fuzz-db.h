/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "db.h"

/* One database for the whole run, in a private temporary directory that
 * is removed at exit: the validators and parsers that take a PikDb only
 * leave their messages in it. Aborts when it cannot be made. */
PikDb *fuzz_db(void);
