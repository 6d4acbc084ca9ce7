/* ISC license. */
/* MD5 (RFC 1321), for APOP and CRAM-MD5 only: never for storing secrets. */
#ifndef MD5_INTERNAL_H
#define MD5_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

struct md5 {
	uint32_t h[4];
	uint64_t len;
	unsigned char buf[64];
};

void md5_init(struct md5 *m);
void md5_update(struct md5 *m, const void *p, size_t n);
void md5_final(struct md5 *m, unsigned char out[16]);
/* Lower-case hex of MD5(p[0..n)) into out (33 bytes). */
void md5_hex(const void *p, size_t n, char out[33]);

#endif
