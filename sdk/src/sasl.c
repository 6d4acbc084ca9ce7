/* ISC license. */
/* Strict base64, SASL PLAIN, HMAC-MD5 and CIDR lists. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md5-internal.h"
#include "sasl-internal.h"

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
sasl_b64_decode(const char *in, size_t n, unsigned char *out, size_t cap,
    size_t *len_r)
{
	size_t o = 0;

	*len_r = 0;
	if (n == 1 && in[0] == '=')
		return 0;
	if (n % 4 != 0)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		int v[4], pad = 0;
		for (int k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)in[i + (size_t)k];
			if (c == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad > 0 || (v[k] = b64_value(c)) < 0)
				return -1;
		}
		unsigned bits = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 |
		    (unsigned)v[2] << 6 | (unsigned)v[3];
		size_t k = (size_t)(3 - pad);
		if (o + k > cap)
			return -1;
		out[o++] = (unsigned char)(bits >> 16);
		if (k > 1)
			out[o++] = (unsigned char)(bits >> 8);
		if (k > 2)
			out[o++] = (unsigned char)bits;
	}
	*len_r = o;
	return 0;
}

size_t
sasl_b64_encode(const unsigned char *in, size_t n, char *out, size_t cap)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 <= cap; i += 3) {
		unsigned bits = (unsigned)in[i] << 16;
		if (i + 1 < n)
			bits |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			bits |= in[i + 2];
		out[o++] = tab[bits >> 18 & 63];
		out[o++] = tab[bits >> 12 & 63];
		out[o++] = i + 1 < n ? tab[bits >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? tab[bits & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

int
sasl_plain_parse(char *buf, size_t n, const char **authzid_r,
    const char **authcid_r, const char **passwd_r)
{
	char *nul1 = memchr(buf, '\0', n);
	char *nul2 = nul1 ? memchr(nul1 + 1, '\0', n - (size_t)(nul1 + 1 -
	    buf)) : NULL;

	if (nul2 == NULL || memchr(nul2 + 1, '\0', n - (size_t)(nul2 + 1 -
	    buf)) != NULL)
		return -1;
	size_t la = (size_t)(nul1 - buf), lc = (size_t)(nul2 - nul1 - 1);
	size_t lp = n - (size_t)(nul2 + 1 - buf);
	if (la > 255 || lc == 0 || lc > 255 || lp == 0 || lp > 255)
		return -1;
	buf[n] = '\0';	/* the caller leaves room */
	*authzid_r = buf;
	*authcid_r = nul1 + 1;
	*passwd_r = nul2 + 1;
	return 0;
}

void
sasl_hmac_md5_hex(const unsigned char *key, size_t klen, const char *msg,
    size_t mlen, char out[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char k[64] = { 0 }, pad[64], inner[16], d[16];
	struct md5 m;

	if (klen > 64) {
		md5_init(&m);
		md5_update(&m, key, klen);
		md5_final(&m, k);
	} else
		memcpy(k, key, klen);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	md5_init(&m);
	md5_update(&m, pad, 64);
	md5_update(&m, msg, mlen);
	md5_final(&m, inner);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	md5_init(&m);
	md5_update(&m, pad, 64);
	md5_update(&m, inner, 16);
	md5_final(&m, d);
	for (int i = 0; i < 16; i++) {
		out[i * 2] = hex[d[i] >> 4];
		out[i * 2 + 1] = hex[d[i] & 15];
	}
	out[32] = '\0';
	explicit_bzero(k, sizeof k);
	explicit_bzero(pad, sizeof pad);
}

bool
sasl_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned diff = la != lb;

	for (size_t i = 0; i < la; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)b[i < lb ? i : 0];
	return diff == 0;
}

static bool
cidr_match(const char *item, size_t n, const char *ip)
{
	char addr[64];
	unsigned char net[16], a[16];
	const char *slash = memchr(item, '/', n);
	size_t al = slash ? (size_t)(slash - item) : n;
	int family, prefix;

	if (al >= sizeof addr)
		return false;
	memcpy(addr, item, al);
	addr[al] = '\0';
	if (inet_pton(AF_INET, addr, net) == 1) {
		family = AF_INET;
		prefix = 32;
	} else if (inet_pton(AF_INET6, addr, net) == 1) {
		family = AF_INET6;
		prefix = 128;
	} else
		return false;
	if (slash != NULL) {
		int p = 0;
		for (const char *q = slash + 1; q < item + n; q++) {
			if (*q < '0' || *q > '9' || p > 128)
				return false;
			p = p * 10 + (*q - '0');
		}
		if (p > prefix || slash + 1 == item + n)
			return false;
		prefix = p;
	}
	if (inet_pton(family, ip, a) != 1)
		return false;
	int i = 0;
	for (; prefix >= 8; prefix -= 8, i++)
		if (a[i] != net[i])
			return false;
	unsigned char mask = (unsigned char)(0xff << (8 - prefix));
	return prefix == 0 || (a[i] & mask) == (net[i] & mask);
}

bool
cidr_list_match(const char *list, const char *ip)
{
	while (list != NULL && *list) {
		size_t skip = strspn(list, " ,\t");
		list += skip;
		size_t n = strcspn(list, " ,\t");
		if (n > 0 && cidr_match(list, n, ip))
			return true;
		list += n;
	}
	return false;
}
