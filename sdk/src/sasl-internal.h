/* ISC license. */
/* SASL pieces shared by SMTP AUTH and POP3 AUTH: strict base64, PLAIN,
 * CRAM-MD5's HMAC-MD5, and CIDR lists for auth_cleartext_from. */
#ifndef SASL_INTERNAL_H
#define SASL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#define SASL_LINE_MAX 12288	/* RFC 4954 4: "considered sufficient" */

/* Decodes base64 (RFC 4648, padded); any character outside the alphabet
 * or a misplaced "=" is an error (RFC 4954 4).  "=" alone is empty.
 * 0 with *len_r, or -1. */
int sasl_b64_decode(const char *in, size_t n, unsigned char *out, size_t cap,
    size_t *len_r);
/* Encodes into out (cap >= 4 * ceil(n / 3) + 1); returns the length. */
size_t sasl_b64_encode(const unsigned char *in, size_t n, char *out,
    size_t cap);
/* message = [authzid] UTF8NUL authcid UTF8NUL passwd (RFC 4616 2); each
 * field at most 255 octets, no NUL inside; splits buf in place. */
int sasl_plain_parse(char *buf, size_t n, const char **authzid_r,
    const char **authcid_r, const char **passwd_r);
/* Lower-case hex of HMAC-MD5(key, msg) (RFC 2104), for CRAM-MD5. */
void sasl_hmac_md5_hex(const unsigned char *key, size_t klen,
    const char *msg, size_t mlen, char out[33]);
/* Compares two strings in time that depends only on their lengths. */
bool sasl_equal(const char *a, const char *b);
/* True when ip is in the list of ADDRESS[/PREFIX] items separated by
 * spaces or commas. */
bool cidr_list_match(const char *list, const char *ip);

#endif
