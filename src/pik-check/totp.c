/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "totp.h"

static uint32_t rol(uint32_t x, unsigned n) {
        return (x << n) | (x >> (32 - n));
}

static void sha1_block(Sha1 *s, const uint8_t *p) {
        uint32_t w[80], a, b, c, d, e;

        for (unsigned i = 0; i < 16; i++)
                w[i] = (uint32_t) p[4 * i] << 24 | (uint32_t) p[4 * i + 1] << 16 |
                       (uint32_t) p[4 * i + 2] << 8 | (uint32_t) p[4 * i + 3];
        for (unsigned i = 16; i < 80; i++)
                w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);

        a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
        for (unsigned i = 0; i < 80; i++) {
                uint32_t f, k, t;

                if (i < 20)
                        f = (b & c) | (~b & d), k = 0x5a827999;
                else if (i < 40)
                        f = b ^ c ^ d, k = 0x6ed9eba1;
                else if (i < 60)
                        f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdc;
                else
                        f = b ^ c ^ d, k = 0xca62c1d6;
                t = rol(a, 5) + f + e + k + w[i];
                e = d, d = c, c = rol(b, 30), b = a, a = t;
        }
        s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d, s->h[4] += e;
}

void sha1_init(Sha1 *s) {
        *s = (Sha1) { .h = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 } };
}

void sha1_update(Sha1 *s, const void *data, size_t n) {
        const uint8_t *p = data;

        s->length += n;
        while (n > 0) {
                size_t k = sizeof s->block - s->used;

                if (k > n)
                        k = n;
                memcpy(s->block + s->used, p, k);
                s->used += k, p += k, n -= k;
                if (s->used == sizeof s->block) {
                        sha1_block(s, s->block);
                        s->used = 0;
                }
        }
}

void sha1_final(Sha1 *s, uint8_t ret[SHA1_DIGEST_SIZE]) {
        uint64_t bits = s->length * 8;
        uint8_t pad = 0x80, len[8];

        sha1_update(s, &pad, 1);
        pad = 0;
        while (s->used != 56)
                sha1_update(s, &pad, 1);
        for (unsigned i = 0; i < 8; i++)
                len[i] = (uint8_t) (bits >> (56 - 8 * i));
        sha1_update(s, len, sizeof len);
        for (unsigned i = 0; i < 5; i++) {
                ret[4 * i] = (uint8_t) (s->h[i] >> 24);
                ret[4 * i + 1] = (uint8_t) (s->h[i] >> 16);
                ret[4 * i + 2] = (uint8_t) (s->h[i] >> 8);
                ret[4 * i + 3] = (uint8_t) s->h[i];
        }
        explicit_bzero(s, sizeof *s);
}

void hmac_sha1(const void *key, size_t key_size, const void *data, size_t n, uint8_t ret[SHA1_DIGEST_SIZE]) {
        uint8_t k[64] = {}, pad[64], inner[SHA1_DIGEST_SIZE];
        Sha1 s;

        if (key_size > sizeof k) {
                sha1_init(&s);
                sha1_update(&s, key, key_size);
                sha1_final(&s, k);
        } else
                memcpy(k, key, key_size);

        for (unsigned i = 0; i < sizeof pad; i++)
                pad[i] = k[i] ^ 0x36;
        sha1_init(&s);
        sha1_update(&s, pad, sizeof pad);
        sha1_update(&s, data, n);
        sha1_final(&s, inner);

        for (unsigned i = 0; i < sizeof pad; i++)
                pad[i] = k[i] ^ 0x5c;
        sha1_init(&s);
        sha1_update(&s, pad, sizeof pad);
        sha1_update(&s, inner, sizeof inner);
        sha1_final(&s, ret);

        /* The key is the partner's TOTP seed. */
        explicit_bzero(k, sizeof k);
        explicit_bzero(pad, sizeof pad);
        explicit_bzero(inner, sizeof inner);
}

int base32_decode(const char *s, uint8_t *ret, size_t max, size_t *ret_size) {
        uint32_t acc = 0;
        unsigned bits = 0;
        size_t n = 0;

        for (; *s; s++) {
                char c = *s;
                unsigned v;

                if (c == ' ' || c == '\t' || c == '-' || c == '=')
                        continue;
                if (c >= 'a' && c <= 'z')
                        c = (char) (c - 'a' + 'A');
                if (c >= 'A' && c <= 'Z')
                        v = (unsigned) (c - 'A');
                else if (c >= '2' && c <= '7')
                        v = (unsigned) (c - '2' + 26);
                else
                        return -EINVAL;
                acc = (acc << 5) | v;
                bits += 5;
                if (bits >= 8) {
                        if (n >= max)
                                return -E2BIG;
                        ret[n++] = (uint8_t) (acc >> (bits - 8));
                        bits -= 8;
                        acc &= (1U << bits) - 1;
                }
        }
        if (n == 0)
                return -EINVAL;
        *ret_size = n;
        return 0;
}

uint32_t hotp(const uint8_t *key, size_t key_size, uint64_t counter, unsigned digits) {
        uint8_t msg[8], mac[SHA1_DIGEST_SIZE];
        uint32_t code, mod = 1;
        unsigned off;

        for (unsigned i = 0; i < 8; i++)
                msg[i] = (uint8_t) (counter >> (56 - 8 * i));
        hmac_sha1(key, key_size, msg, sizeof msg, mac);

        /* RFC 4226 §5.3, dynamic truncation. */
        off = mac[SHA1_DIGEST_SIZE - 1] & 0x0f;
        code = ((uint32_t) (mac[off] & 0x7f) << 24) | ((uint32_t) mac[off + 1] << 16) |
               ((uint32_t) mac[off + 2] << 8) | (uint32_t) mac[off + 3];
        for (unsigned i = 0; i < digits; i++)
                mod *= 10;
        explicit_bzero(mac, sizeof mac);
        return code % mod;
}

int totp_code(const char *seed_base32, time_t t, char ret[static TOTP_DIGITS + 1]) {
        uint8_t key[TOTP_SEED_MAX];
        size_t n;
        int r;

        r = base32_decode(seed_base32, key, sizeof key, &n);
        if (r < 0) {
                explicit_bzero(key, sizeof key);
                return r;
        }
        uint32_t code = hotp(key, n, (uint64_t) (t < 0 ? 0 : t) / TOTP_STEP_SEC, TOTP_DIGITS);
        explicit_bzero(key, sizeof key);
        snprintf(ret, TOTP_DIGITS + 1, "%0*u", TOTP_DIGITS, (unsigned) code);
        return 0;
}
