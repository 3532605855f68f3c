/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/socket.h>

/* Addresses a partner's page must not send a check to: a redirect or a form
 * aimed at them would carry the partner's credentials into our own network
 * (loopback services, the cloud's metadata endpoint at 169.254.169.254,
 * private ranges). IPv4: 0/8, 10/8, 100.64/10, 127/8, 169.254/16,
 * 172.16/12, 192.168/16, multicast 224/4 and the reserved 240/4 (with the
 * broadcast address). IPv6: ::, ::1, fe80::/10, the old site-local
 * fec0::/10, fc00::/7, multicast ff00::/8, IPv4-mapped addresses by the
 * IPv4 address they hold, and the deprecated IPv4-compatible ::/96 as a
 * whole. Other families and short lengths count as internal: refusing is
 * the safe answer. */
bool internal_address(const struct sockaddr *sa, socklen_t len);
