/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "test-helpers.h"
int main(void) { return 77; }
