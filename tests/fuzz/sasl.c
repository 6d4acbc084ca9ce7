/* ISC license. */
/* Fuzz target: strict base64 both ways, SASL PLAIN, HMAC-MD5, the
 * constant-time compare and CIDR lists.  Input: byte 0 picks what to
 * test and a buffer size, the rest is the data. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sdk/src/md5-internal.h"
#include "../../sdk/src/sasl-internal.h"
#include "fuzz.h"

static void fuzz_b64(const uint8_t *s, size_t n, unsigned sel);
static void fuzz_plain(const uint8_t *s, size_t n);
static void fuzz_hmac(const uint8_t *s, size_t n);
static void fuzz_cidr(const uint8_t *s, size_t n);
static size_t b64_len(size_t n);
static void ref_hmac_md5(const unsigned char *key, size_t klen,
    const char *msg, size_t mlen, char out[33]);

static size_t
b64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

static void
fuzz_b64(const uint8_t *s, size_t n, unsigned sel)
{
	/* Bytes -> base64 -> bytes is the identity. */
	size_t elen = b64_len(n);
	char *enc = malloc(elen + 1);
	unsigned char *dec = malloc(n ? n : 1);
	size_t dlen = 0;

	FUZZ_ASSERT(enc != NULL && dec != NULL);
	FUZZ_ASSERT(sasl_b64_encode(s, n, enc, elen + 1) == elen);
	FUZZ_ASSERT(enc[elen] == '\0' && strlen(enc) == elen);
	FUZZ_ASSERT(sasl_b64_decode(enc, elen, dec, n, &dlen) == 0 ||
	    elen == 0);
	FUZZ_ASSERT(dlen == n && memcmp(dec, s, n) == 0);
	if (n > 0) {
		/* One byte short of room: refused, never overrun. */
		FUZZ_ASSERT(sasl_b64_decode(enc, elen, dec, n - 1, &dlen) < 0);
	}
	free(enc);
	free(dec);

	/* Text -> bytes: within cap; what decodes re-encodes to the same
	 * text, but for the spare bits of a padded last group, which a
	 * decoder may ignore (RFC 4648 3.5). */
	size_t cap = sel % 2 ? n : n * 3 / 4 + (sel / 2) % 3;
	dec = malloc(cap ? cap : 1);
	FUZZ_ASSERT(dec != NULL);
	if (sasl_b64_decode((const char *)s, n, dec, cap, &dlen) < 0) {
		free(dec);
		return;
	}
	FUZZ_ASSERT(dlen <= cap);
	if (n == 1) {
		FUZZ_ASSERT(s[0] == '=' && dlen == 0);
		free(dec);
		return;
	}
	size_t pad = n >= 1 && s[n - 1] == '=' ? (n >= 2 && s[n - 2] == '='
	    ? 2 : 1) : 0;
	FUZZ_ASSERT(n % 4 == 0 && dlen == n / 4 * 3 - pad);
	elen = b64_len(dlen);
	enc = malloc(elen + 1);
	unsigned char *again = malloc(dlen ? dlen : 1);
	size_t alen = 0;
	FUZZ_ASSERT(enc != NULL && again != NULL);
	sasl_b64_encode(dec, dlen, enc, elen + 1);
	FUZZ_ASSERT(elen == n);
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT(enc[i] == (char)s[i] || (pad > 0 &&
		    i == n - 1 - pad));
	FUZZ_ASSERT(sasl_b64_decode(enc, elen, again, dlen, &alen) == 0);
	FUZZ_ASSERT(alen == dlen && memcmp(again, dec, dlen) == 0);
	free(enc);
	free(again);
	free(dec);
}

/* message = [authzid] UTF8NUL authcid UTF8NUL passwd (RFC 4616 2) */
static void
fuzz_plain(const uint8_t *s, size_t n)
{
	char *buf = malloc(n + 1);	/* n + 1: the caller leaves room */
	const char *z, *c, *p;

	FUZZ_ASSERT(buf != NULL);
	memcpy(buf, s, n);
	const uint8_t *n1 = memchr(s, 0, n);
	const uint8_t *n2 = n1 ? memchr(n1 + 1, 0, n - (size_t)(n1 + 1 - s))
			       : NULL;
	bool want = n2 != NULL &&
	    memchr(n2 + 1, 0, n - (size_t)(n2 + 1 - s)) == NULL &&
	    n1 - s <= 255 && n2 - n1 - 1 >= 1 && n2 - n1 - 1 <= 255 &&
	    s + n - n2 - 1 >= 1 && s + n - n2 - 1 <= 255;
	int r = sasl_plain_parse(buf, n, &z, &c, &p);
	if ((r == 0) != want)
		fuzz_fail("sasl_plain_parse %d, model %d", r, want);
	if (r == 0) {
		FUZZ_ASSERT(z == buf && (size_t)(c - buf) == (size_t)(n1 - s) + 1);
		FUZZ_ASSERT((size_t)(p - buf) == (size_t)(n2 - s) + 1);
		FUZZ_ASSERT(strlen(z) == (size_t)(n1 - s));
		FUZZ_ASSERT(strlen(c) == (size_t)(n2 - n1 - 1));
		FUZZ_ASSERT(strlen(p) == (size_t)(s + n - n2 - 1));
	}
	free(buf);
}

/* HMAC (RFC 2104): H(K ^ opad, H(K ^ ipad, text)), K = H(key) if the key
 * is longer than a block; written here from the RFC. */
static void
ref_hmac_md5(const unsigned char *key, size_t klen, const char *msg,
    size_t mlen, char out[33])
{
	unsigned char k[64] = { 0 }, ipad[64], opad[64], inner[16], d[16];
	struct md5 m;

	if (klen > 64) {
		md5_init(&m);
		md5_update(&m, key, klen);
		md5_final(&m, k);
	} else
		memcpy(k, key, klen);
	for (int i = 0; i < 64; i++) {
		ipad[i] = k[i] ^ 0x36;
		opad[i] = k[i] ^ 0x5c;
	}
	md5_init(&m);
	md5_update(&m, ipad, 64);
	md5_update(&m, msg, mlen);
	md5_final(&m, inner);
	md5_init(&m);
	md5_update(&m, opad, 64);
	md5_update(&m, inner, 16);
	md5_final(&m, d);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void
fuzz_hmac(const uint8_t *s, size_t n)
{
	size_t klen = n ? s[0] % (n + 1) : 0;
	char got[33], want[33];

	if (klen > n - (n ? 1 : 0))
		klen = n ? n - 1 : 0;
	const unsigned char *key = n ? s + 1 : s;
	const char *msg = (const char *)key + klen;
	size_t mlen = n ? n - 1 - klen : 0;
	got[32] = 'x';
	sasl_hmac_md5_hex(key, klen, msg, mlen, got);
	ref_hmac_md5(key, klen, msg, mlen, want);
	FUZZ_ASSERT(got[32] == '\0' && strcmp(got, want) == 0);
	/* sasl_equal is strcmp() == 0, in constant time. */
	char *a = malloc(klen + 1), *b = malloc(mlen + 1);
	FUZZ_ASSERT(a != NULL && b != NULL);
	memcpy(a, key, klen);
	a[klen] = '\0';
	memcpy(b, msg, mlen);
	b[mlen] = '\0';
	FUZZ_ASSERT(sasl_equal(a, b) == (strcmp(a, b) == 0));
	FUZZ_ASSERT(sasl_equal(a, a) && sasl_equal(b, b));
	free(a);
	free(b);
}

static void
fuzz_cidr(const uint8_t *s, size_t n)
{
	char *list = malloc(n + 1);
	unsigned char tmp[16];

	FUZZ_ASSERT(list != NULL);
	memcpy(list, s, n);
	list[n] = '\0';
	/* The address is the text after the last "|", else a fixed one. */
	char *bar = strrchr(list, '|');
	const char *ip = "192.0.2.1";
	if (bar != NULL) {
		*bar = '\0';
		ip = bar + 1;
	}
	if (cidr_list_match(list, ip))
		FUZZ_ASSERT(*list != '\0');
	(void)cidr_list_match(list, "2001:db8::1");
	/* An address matches itself, and /0 of its family matches it. */
	bool is_v4 = inet_pton(AF_INET, ip, tmp) == 1;
	bool is_v6 = !is_v4 && inet_pton(AF_INET6, ip, tmp) == 1;
	if ((is_v4 || is_v6) && strlen(ip) < 64) {
		FUZZ_ASSERT(cidr_list_match(ip, ip));
		FUZZ_ASSERT(cidr_list_match(is_v4 ? "::/0, 0.0.0.0/0"
		    : "0.0.0.0/0 ::/0", ip));
	}
	free(list);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char out[33];

	(void)argc;
	(void)argv;
	/* RFC 2202 test case 2: the HMAC itself against a known answer. */
	sasl_hmac_md5_hex((const unsigned char *)"Jefe", 4,
	    "what do ya want for nothing?", 28, out);
	if (strcmp(out, "750c783e6ab0b503eaa86e310a5db738") != 0)
		fuzz_fail("HMAC-MD5 test vector: %s", out);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *s = data + 1;
	size_t n = size - 1;
	switch (data[0] % 5) {
	case 0:
	case 1:
		fuzz_b64(s, n, data[0] / 5);
		break;
	case 2:
		fuzz_plain(s, n);
		break;
	case 3:
		fuzz_hmac(s, n);
		break;
	case 4:
		fuzz_cidr(s, n);
		break;
	}
	return 0;
}
