/* ISC license. */
/* SCRAM-SHA-256's messages, as RFC 5802 7 gives their grammar, and the
 * proof check of RFC 5802 3.  Salts and nonces come from the caller. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sasl-internal.h"
#include "scram-internal.h"

/* The length of the attribute value starting at p: up to ',' or the end. */
static size_t
scram_value_len(const char *p, const char *end)
{
	const char *comma = memchr(p, ',', (size_t)(end - p));

	return (size_t)((comma ? comma : end) - p);
}

/* saslname: "=2C" is ',' and "=3D" is '='; any other '=' fails, as do
 * NUL and an empty name.  0, or -1. */
static int
scram_saslname(char *dst, size_t cap, const char *p, size_t n)
{
	size_t o = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == '\0')
			return -1;
		if (c == '=') {
			if (i + 2 >= n)
				return -1;
			if (p[i + 1] == '2' && p[i + 2] == 'C')
				c = ',';
			else if (p[i + 1] == '3' && p[i + 2] == 'D')
				c = '=';
			else
				return -1;
			i += 2;
		}
		if (o + 1 >= cap)
			return -1;
		dst[o++] = c;
	}
	dst[o] = '\0';
	return 0;
}

/* printable = %x21-2B / %x2D-7E: a nonce */
static bool
scram_printable(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x21 || p[i] > 0x7e || p[i] == ',')
			return false;
	return n > 0;
}

int
scram_client_first(struct scram *s, const char *msg, size_t n)
{
	const char *end = msg + n, *p = msg, *bare;
	char authzid[256];
	size_t len;

	memset(s, 0, sizeof *s);
	authzid[0] = '\0';
	if (memchr(msg, '\0', n) != NULL || n < 3 ||
	    (p[0] != 'n' && p[0] != 'y') || p[1] != ',')
		return -1;
	p += 2;
	if (p < end && p[0] == 'a' && p + 1 < end && p[1] == '=') {
		len = scram_value_len(p + 2, end);
		if (scram_saslname(authzid, sizeof authzid, p + 2, len) < 0)
			return -1;
		p += 2 + len;
	}
	if (p >= end || *p != ',')
		return -1;
	bare = ++p;
	if ((size_t)(bare - msg) >= sizeof s->gs2 ||
	    (size_t)(end - bare) >= sizeof s->bare)
		return -1;
	memcpy(s->gs2, msg, (size_t)(bare - msg));
	memcpy(s->bare, bare, (size_t)(end - bare));
	/* username: "n=" saslname; a leading "m=" is a mandatory
	 * extension nobody defines: it fails (RFC 5802 5.1). */
	if (end - p < 2 || p[0] != 'n' || p[1] != '=')
		return -1;
	len = scram_value_len(p + 2, end);
	if (scram_saslname(s->user, sizeof s->user, p + 2, len) < 0)
		return -1;
	p += 2 + len;
	if (end - p < 3 || memcmp(p, ",r=", 3) != 0)
		return -1;
	p += 3;
	len = scram_value_len(p, end);
	if (len > SCRAM_NONCE_MAX || !scram_printable(p, len))
		return -1;
	memcpy(s->nonce, p, len);
	/* Extensions may follow; none is understood, none is mandatory. */
	/* An authzid may only repeat the user (RFC 5802 5.1), in any case
	 * of letters, as with PLAIN. */
	if (authzid[0] != '\0' && strcasecmp(authzid, s->user) != 0)
		return -1;
	return 0;
}

void
scram_server_first(struct scram *s, const char *snonce,
    const unsigned char *salt, size_t salt_len, unsigned iterations)
{
	char b64[64];
	size_t have = strlen(s->nonce);

	snprintf(s->nonce + have, sizeof s->nonce - have, "%s", snonce);
	sasl_b64_encode(salt, salt_len, b64, sizeof b64);
	snprintf(s->server_first, sizeof s->server_first, "r=%s,s=%s,i=%u",
	    s->nonce, b64, iterations);
}

int
scram_client_final(const struct scram *s, const char *msg, size_t n,
    const void *password, size_t pwlen, const unsigned char *salt,
    size_t salt_len, unsigned iterations,
    unsigned char server_sig[SHA256_LEN])
{
	const char *end = msg + n, *p = msg, *proof = NULL;
	unsigned char cb[300], got[SHA256_LEN + 3], salted[SHA256_LEN];
	unsigned char client_key[SHA256_LEN], stored[SHA256_LEN];
	unsigned char sig[SHA256_LEN], server_key[SHA256_LEN];
	char auth_msg[1600];
	size_t len, cblen, glen;
	unsigned diff = 0;

	if (memchr(msg, '\0', n) != NULL)
		return -1;
	/* channel-binding: base64 of the GS2 header, nothing bound */
	if (n < 2 || memcmp(p, "c=", 2) != 0)
		return -1;
	len = scram_value_len(p + 2, end);
	if (sasl_b64_decode(p + 2, len, cb, sizeof cb, &cblen) < 0 ||
	    cblen != strlen(s->gs2) || memcmp(cb, s->gs2, cblen) != 0)
		return -1;
	p += 2 + len;
	len = strlen(s->nonce);
	if (end - p < 3 || memcmp(p, ",r=", 3) != 0 ||
	    scram_value_len(p + 3, end) != len || memcmp(p + 3, s->nonce,
	    len) != 0)
		return -1;
	p += 3 + len;
	/* [extensions] then ",p=" proof, the last attribute */
	for (const char *q = p; q < end; q++)
		if (end - q >= 3 && memcmp(q, ",p=", 3) == 0)
			proof = q;
	if (proof == NULL || memchr(proof + 3, ',', (size_t)(end - proof -
	    3)) != NULL || sasl_b64_decode(proof + 3, (size_t)(end - proof -
	    3), got, sizeof got, &glen) < 0 || glen != SHA256_LEN)
		return -1;
	/* AuthMessage = client-first-bare "," server-first ","
	 *     client-final-without-proof */
	int m = snprintf(auth_msg, sizeof auth_msg, "%s,%s,%.*s", s->bare,
	    s->server_first, (int)(proof - msg), msg);
	if (m < 0 || (size_t)m >= sizeof auth_msg)
		return -1;
	pbkdf2_sha256(password, pwlen, salt, salt_len, iterations, salted);
	hmac_sha256(salted, sizeof salted, "Client Key", 10, client_key);
	sha256(client_key, sizeof client_key, stored);
	hmac_sha256(stored, sizeof stored, auth_msg, (size_t)m, sig);
	/* ClientKey = ClientProof XOR ClientSignature; H(it) = StoredKey */
	for (int i = 0; i < SHA256_LEN; i++)
		got[i] ^= sig[i];
	sha256(got, SHA256_LEN, client_key);
	for (int i = 0; i < SHA256_LEN; i++)
		diff |= client_key[i] ^ stored[i];
	hmac_sha256(salted, sizeof salted, "Server Key", 10, server_key);
	hmac_sha256(server_key, sizeof server_key, auth_msg, (size_t)m,
	    server_sig);
	explicit_bzero(salted, sizeof salted);
	explicit_bzero(client_key, sizeof client_key);
	explicit_bzero(stored, sizeof stored);
	explicit_bzero(sig, sizeof sig);
	explicit_bzero(server_key, sizeof server_key);
	explicit_bzero(got, sizeof got);
	explicit_bzero(auth_msg, sizeof auth_msg);
	return diff == 0 ? 1 : 0;
}
