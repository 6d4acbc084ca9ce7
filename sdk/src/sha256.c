/* ISC license. */
/* SHA-256 as FIPS 180-4 section 6.2 states it; HMAC and PBKDF2 on top. */
#include <string.h>

#include "sha256-internal.h"

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t
ror(uint32_t x, int n)
{
	return x >> n | x << (32 - n);
}

static void
sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh;

	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
		    (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
	for (int t = 16; t < 64; t++) {
		uint32_t s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^
		    w[t - 15] >> 3;
		uint32_t s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^
		    w[t - 2] >> 10;
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	a = h[0], b = h[1], c = h[2], d = h[3];
	e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int t = 0; t < 64; t++) {
		uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
		    ((e & f) ^ (~e & g)) + sha256_k[t] + w[t];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
		    ((a & b) ^ (a & c) ^ (b & c));
		hh = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d;
	h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

void
sha256_init(struct sha256 *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->h, iv, sizeof iv);
	c->bytes = 0;
	c->used = 0;
}

void
sha256_update(struct sha256 *c, const void *data, size_t n)
{
	const unsigned char *p = data;

	c->bytes += n;
	if (c->used > 0) {
		size_t k = 64 - c->used < n ? 64 - c->used : n;
		memcpy(c->block + c->used, p, k);
		c->used += k;
		p += k;
		n -= k;
		if (c->used < 64)
			return;
		sha256_block(c->h, c->block);
		c->used = 0;
	}
	for (; n >= 64; p += 64, n -= 64)
		sha256_block(c->h, p);
	memcpy(c->block, p, n);
	c->used = n;
}

void
sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN])
{
	uint64_t bits = c->bytes * 8;

	c->block[c->used++] = 0x80;
	if (c->used > 56) {
		memset(c->block + c->used, 0, 64 - c->used);
		sha256_block(c->h, c->block);
		c->used = 0;
	}
	memset(c->block + c->used, 0, 56 - c->used);
	for (int i = 0; i < 8; i++)
		c->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_block(c->h, c->block);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
	explicit_bzero(c, sizeof *c);
}

void
sha256(const void *data, size_t n, unsigned char out[SHA256_LEN])
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, data, n);
	sha256_final(&c, out);
}

/* The states after the key's inner and outer pads, reused for every
 * message under that key (PBKDF2 signs thousands). */
struct hmac_key {
	struct sha256 inner, outer;
};

static void
hmac_key_init(struct hmac_key *k, const void *key, size_t klen)
{
	unsigned char kb[64] = { 0 }, pad[64];

	if (klen > 64)
		sha256(key, klen, kb);
	else
		memcpy(kb, key, klen);
	for (int i = 0; i < 64; i++)
		pad[i] = kb[i] ^ 0x36;
	sha256_init(&k->inner);
	sha256_update(&k->inner, pad, 64);
	for (int i = 0; i < 64; i++)
		pad[i] = kb[i] ^ 0x5c;
	sha256_init(&k->outer);
	sha256_update(&k->outer, pad, 64);
	explicit_bzero(kb, sizeof kb);
	explicit_bzero(pad, sizeof pad);
}

static void
hmac_key_sign(const struct hmac_key *k, const void *msg, size_t mlen,
    unsigned char out[SHA256_LEN])
{
	struct sha256 c = k->inner;
	unsigned char inner[SHA256_LEN];

	sha256_update(&c, msg, mlen);
	sha256_final(&c, inner);
	c = k->outer;
	sha256_update(&c, inner, sizeof inner);
	sha256_final(&c, out);
	explicit_bzero(inner, sizeof inner);
}

void
hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
    unsigned char out[SHA256_LEN])
{
	struct hmac_key k;

	hmac_key_init(&k, key, klen);
	hmac_key_sign(&k, msg, mlen, out);
	explicit_bzero(&k, sizeof k);
}

/* U1 = HMAC(pw, salt || INT(1)), Ui = HMAC(pw, Ui-1), out = U1 ^ ... ^ Un
 * (RFC 8018 5.2, one block). */
void
pbkdf2_sha256(const void *pw, size_t pwlen, const void *salt, size_t slen,
    unsigned iterations, unsigned char out[SHA256_LEN])
{
	static const unsigned char one[4] = { 0, 0, 0, 1 };
	struct hmac_key k;
	struct sha256 c;
	unsigned char u[SHA256_LEN];

	hmac_key_init(&k, pw, pwlen);
	c = k.inner;
	sha256_update(&c, salt, slen);
	sha256_update(&c, one, sizeof one);
	sha256_final(&c, u);
	c = k.outer;
	sha256_update(&c, u, sizeof u);
	sha256_final(&c, u);
	memcpy(out, u, SHA256_LEN);
	for (unsigned i = 1; i < iterations; i++) {
		hmac_key_sign(&k, u, sizeof u, u);
		for (int j = 0; j < SHA256_LEN; j++)
			out[j] ^= u[j];
	}
	explicit_bzero(&k, sizeof k);
	explicit_bzero(u, sizeof u);
}
