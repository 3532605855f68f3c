/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "web.h"

/* Serve HTTP on the listening socket fd (taken over) with libmicrohttpd,
 * driven from this thread, until no request came for idle_sec seconds and
 * no connection is open (idle_sec 0: never). */
int server_run(Web *w, int fd, uint64_t idle_sec);

/* A listening TCP socket on "ADDRESS:PORT" ("127.0.0.1:8377",
 * "[::1]:8377"). -EINVAL for a malformed address. */
int server_listen(const char *address, int *ret_fd);
