/* ISC license. */
/* SHA-256 (FIPS 180-4), HMAC-SHA-256 (RFC 2104) and PBKDF2 (RFC 8018) for
 * SCRAM-SHA-256, in the handlers themselves: they link no crypto library
 * (libsodium and GnuTLS live in plugins). */
#ifndef SHA256_INTERNAL_H
#define SHA256_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;			/* message length so far */
	unsigned char block[64];
	size_t used;			/* bytes waiting in block */
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t n);
void sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN]);
void sha256(const void *data, size_t n, unsigned char out[SHA256_LEN]);

void hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
    unsigned char out[SHA256_LEN]);
/* PBKDF2-HMAC-SHA-256 with one output block: SCRAM's Hi() (RFC 5802 2.2). */
void pbkdf2_sha256(const void *pw, size_t pwlen, const void *salt,
    size_t slen, unsigned iterations, unsigned char out[SHA256_LEN]);

#endif
