/* ISC license. */
/* The SASL pieces: strict base64 (RFC 4648, RFC 4954 4), PLAIN (RFC 4616),
 * HMAC-MD5 (RFC 2104, RFC 2195), MD5 (RFC 1321, RFC 1939 APOP), the
 * constant-time compare and CIDR lists for auth_cleartext_from. */
#include <stdlib.h>

#include "../../sdk/src/md5-internal.h"
#include "../../sdk/src/sasl-internal.h"
#include "test.h"

#define CANARY 0x5a

/* -- base64 decode ------------------------------------------------------ */

struct b64_case {
	const char *in;
	size_t n;		/* 0: strlen(in) */
	const char *want;	/* NULL: must be refused */
	size_t want_len;
};

#define OK(in, out) { in, 0, out, sizeof out - 1 }
#define BAD(in) { in, 0, NULL, 0 }
#define BADN(in) { in, sizeof in - 1, NULL, 0 }

static const struct b64_case b64_cases[] = {
	/* RFC 4648 10 */
	OK("", ""),
	OK("Zg==", "f"),
	OK("Zm8=", "fo"),
	OK("Zm9v", "foo"),
	OK("Zm9vYg==", "foob"),
	OK("Zm9vYmE=", "fooba"),
	OK("Zm9vYmFy", "foobar"),
	/* RFC 4954 4: "=" alone is the empty initial response */
	OK("=", ""),
	/* every alphabet corner, binary output */
	OK("AAAA", "\0\0\0"),
	OK("////", "\xff\xff\xff"),
	OK("+/+/", "\xfb\xff\xbf"),
	OK("AP8A", "\0\xff\0"),
	OK("AGFsaWNlAHB3", "\0alice\0pw"),
	OK("azAK", "k0\n"),
	OK("QUJDRA==", "ABCD"),
	/* misplaced "=" (RFC 4954 4: "=AAA", "AAA=BBB") */
	BAD("=AAA"),
	BAD("AAA=BBB"),
	BAD("AAA=BBBB"),
	BAD("AB=C"),
	BAD("A==="),
	BAD("===="),
	BAD("=="),
	BAD("Zg==Zg=="),
	BAD("Zm9v===="),
	BAD("Zg=A"),
	BAD("=Zg="),
	/* length not a multiple of 4 */
	BAD("A"),
	BAD("AB"),
	BAD("ABC"),
	BAD("Zg="),
	BAD("Zg"),
	BAD("Zm9vY"),
	BAD("Zm9vYmFy="),
	/* outside the alphabet: refused, never skipped */
	BAD("!!!!"),
	BAD("Zm9v\r\n"),
	BAD("Zm9v Zm9v"),
	BAD(" Zm9"),
	BAD("Zm9-"),		/* base64url */
	BAD("Zm9_"),
	BAD("Zm.v"),
	BAD("Zm9\xc3"),
	BAD("Zm\t9"),
	BADN("Zm\0v"),
	BADN("\0\0\0\0"),
	BAD("====Zm9v"),
	/* only n octets count: valid base64 after them is not read */
	{ "Zm9vYmFy", 4, "foo", 3 },
	{ "Zg==Zm9v", 4, "f", 1 },
	{ "Zm9vYmFy", 1, NULL, 0 },
	{ "Zm9vYmFy", 2, NULL, 0 },
	{ "Zm9vYmFy", 3, NULL, 0 },
	{ "Zm9vYmFy", 5, NULL, 0 },
	{ "Zm9vYmFy", 7, NULL, 0 },
	{ "=Zm9", 1, "", 0 },
};

static void
test_b64_decode(void)
{
	for (size_t i = 0; i < sizeof b64_cases / sizeof b64_cases[0]; i++) {
		const struct b64_case *c = &b64_cases[i];
		size_t n = c->n ? c->n : strlen(c->in), len = 12345;
		unsigned char out[64];
		char q[200];

		test_begin("b64 decode %s %s", c->want ? "accepts" : "refuses",
		    test_show(q, sizeof q, c->in, n));
		memset(out, CANARY, sizeof out);
		int r = sasl_b64_decode(c->in, n, out, 32, &len);
		if (c->want != NULL) {
			test_assert_int(r, ==, 0);
			test_assert_mem((const char *)out, len, c->want,
			    c->want_len);
		} else
			test_assert_int(r, ==, -1);
		for (size_t k = 32; k < sizeof out; k++)
			if (out[k] != CANARY) {
				test_fail(__FILE__, __LINE__, "octet %zu "
				    "written past cap", k);
				break;
			}
		test_end();
	}
}

/* The output bound: exactly enough room works, one octet less fails, and
 * nothing is written past cap either way. */
static void
test_b64_decode_cap(void)
{
	static const struct { const char *in, *out; } v[] = {
		{ "Zg==", "f" }, { "Zm8=", "fo" }, { "Zm9v", "foo" },
		{ "Zm9vYg==", "foob" }, { "Zm9vYmFy", "foobar" },
		{ "AAAAAAAAAAAA", "\0\0\0\0\0\0\0\0\0" },
	};

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		size_t want = strlen(v[i].in) / 4 * 3 -
		    (strchr(v[i].in, '=') ? strlen(strchr(v[i].in, '=')) : 0);
		for (size_t cap = 0; cap <= want; cap++) {
			unsigned char out[32];
			size_t len;

			test_begin("b64 decode %s into cap %zu", v[i].in, cap);
			memset(out, CANARY, sizeof out);
			int r = sasl_b64_decode(v[i].in, strlen(v[i].in), out,
			    cap, &len);
			if (cap < want)
				test_assert_int(r, ==, -1);
			else {
				test_assert_int(r, ==, 0);
				test_assert_int(len, ==, want);
				test_assert_mem((const char *)out, len,
				    v[i].out, want);
			}
			for (size_t k = cap; k < sizeof out; k++)
				if (out[k] != CANARY) {
					test_fail(__FILE__, __LINE__, "octet "
					    "%zu written, cap %zu", k, cap);
					break;
				}
			test_end();
		}
	}
}

/* -- base64 encode ------------------------------------------------------ */

static void
test_b64_encode(void)
{
	static const struct { const char *in, *out; } v[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
		{ "Username:", "VXNlcm5hbWU6" },
		{ "Password:", "UGFzc3dvcmQ6" },
		{ "\xff\xff\xff", "////" }, { "\xfb\xff\xbf", "+/+/" },
	};

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		size_t n = strlen(v[i].in);
		size_t cap = 4 * ((n + 2) / 3) + 1;	/* the documented room */
		char out[64], q[100];

		test_begin("b64 encode %s", test_show(q, sizeof q, v[i].in, n));
		memset(out, CANARY, sizeof out);
		size_t len = sasl_b64_encode((const unsigned char *)v[i].in, n,
		    out, cap);
		test_assert_int(len, ==, strlen(v[i].out));
		test_assert_str(out, v[i].out);
		for (size_t k = cap; k < sizeof out; k++)
			if ((unsigned char)out[k] != CANARY) {
				test_fail(__FILE__, __LINE__, "octet %zu "
				    "written, cap %zu", k, cap);
				break;
			}
		test_end();
	}
}

/* encode then decode gives the bytes back, for every length up to 300
 * and every byte value. */
static void
test_b64_round_trip(void)
{
	unsigned char in[300], back[300];
	char enc[420];

	for (size_t i = 0; i < sizeof in; i++)
		in[i] = (unsigned char)(i * 167 + 13);
	test_begin("b64 round trip, lengths 0..300, all byte values");
	for (size_t n = 0; n <= sizeof in && !test_is_failed; n++) {
		size_t len = sasl_b64_encode(in, n, enc, sizeof enc), blen;
		if (len != 4 * ((n + 2) / 3) || strlen(enc) != len) {
			test_fail(__FILE__, __LINE__, "length %zu: encoded "
			    "to %zu octets", n, len);
			break;
		}
		if (sasl_b64_decode(enc, len, back, sizeof back, &blen) < 0 ||
		    blen != n || memcmp(in, back, n) != 0)
			test_fail(__FILE__, __LINE__, "length %zu: %s did not "
			    "decode back", n, enc);
	}
	test_end();
	test_begin("b64 round trip, 256 byte values in one string");
	for (size_t i = 0; i < 256; i++)
		in[i] = (unsigned char)i;
	size_t len = sasl_b64_encode(in, 256, enc, sizeof enc), blen;
	test_assert_int(sasl_b64_decode(enc, len, back, sizeof back, &blen),
	    ==, 0);
	test_assert_mem((const char *)back, blen, (const char *)in, 256);
	test_end();
}

/* -- PLAIN ---------------------------------------------------------------- */

struct plain_case {
	const char *name;
	const char *msg;
	size_t n;
	const char *authz, *authc, *pw;	/* NULL authc: refused */
};

#define P_OK(name, msg, z, c, p) { name, msg, sizeof msg - 1, z, c, p }
#define P_BAD(name, msg) { name, msg, sizeof msg - 1, NULL, NULL, NULL }

static const struct plain_case plain_cases[] = {
	P_OK("no authzid", "\0alice@example.test\0secret", "",
	    "alice@example.test", "secret"),
	P_OK("authzid present", "admin\0alice\0secret", "admin", "alice",
	    "secret"),
	P_OK("authzid equal to authcid", "alice\0alice\0pw", "alice",
	    "alice", "pw"),
	P_OK("spaces and 8-bit octets kept", "\0al ice\0p\xc3\xa4ss word",
	    "", "al ice", "p\xc3\xa4ss word"),
	P_OK("one-octet fields", "z\0c\0p", "z", "c", "p"),
	P_BAD("empty message", ""),
	P_BAD("no NUL", "alicesecret"),
	P_BAD("one NUL (missing authzid separator)", "alice\0secret"),
	P_BAD("only the first NUL", "\0alice"),
	P_BAD("extra NUL at the end", "\0alice\0secret\0"),
	P_BAD("extra NUL inside the password", "\0alice\0sec\0ret"),
	P_BAD("four fields", "a\0b\0c\0d"),
	P_BAD("empty authcid", "\0\0secret"),
	P_BAD("empty password", "\0alice\0"),
	P_BAD("empty authcid and password", "\0\0"),
	P_BAD("two NULs only, authzid", "admin\0\0"),
	P_BAD("NUL at start only", "\0"),
};

static void
test_plain_table(void)
{
	for (size_t i = 0; i < sizeof plain_cases / sizeof plain_cases[0];
	    i++) {
		const struct plain_case *c = &plain_cases[i];
		char buf[64];
		const char *z = NULL, *a = NULL, *p = NULL;

		test_begin("PLAIN %s: %s", c->name, c->authc ? "parsed"
							     : "refused");
		memset(buf, 'X', sizeof buf);	/* stale bytes after n */
		memcpy(buf, c->msg, c->n);
		int r = sasl_plain_parse(buf, c->n, &z, &a, &p);
		if (c->authc == NULL)
			test_assert_int(r, ==, -1);
		else {
			test_assert_int(r, ==, 0);
			test_assert_str(z, c->authz);
			test_assert_str(a, c->authc);
			test_assert_str(p, c->pw);	/* ends at n */
		}
		test_end();
	}
}

/* RFC 4616 2: each field may be up to 255 octets; 256 is refused. */
static void
test_plain_lengths(void)
{
	static const char *const field[] = { "authzid", "authcid",
	    "password" };

	for (int f = 0; f < 3; f++)
		for (size_t len = 254; len <= 257; len++) {
			char buf[1000], want[300];
			const char *z, *a, *p, *got[3];
			size_t n = 0;

			test_begin("PLAIN %s of %zu octets: %s", field[f], len,
			    len <= 255 ? "parsed" : "refused");
			memset(want, 'a' + f, len);
			want[len] = '\0';
			for (int k = 0; k < 3; k++) {
				if (k == f) {
					memcpy(buf + n, want, len);
					n += len;
				} else
					buf[n++] = (char)('x' + k);
				if (k < 2)
					buf[n++] = '\0';
			}
			int r = sasl_plain_parse(buf, n, &z, &a, &p);
			if (len > 255)
				test_assert_int(r, ==, -1);
			else {
				test_assert_int(r, ==, 0);
				got[0] = z;
				got[1] = a;
				got[2] = p;
				if (r == 0)
					test_assert_str(got[f], want);
			}
			test_end();
		}
}

/* -- HMAC-MD5 ------------------------------------------------------------- */

struct hmac_case {
	const char *name;
	const char *key;
	size_t klen;
	const char *msg;
	size_t mlen;
	const char *want;
};

#define KEY16(c) c c c c c c c c c c c c c c c c
#define KEY80(c) KEY16(c) KEY16(c) KEY16(c) KEY16(c) KEY16(c)
#define DATA50(c) c c c c c c c c c c c c c c c c c c c c c c c c c \
	c c c c c c c c c c c c c c c c c c c c c c c c c
#define H(name, k, m, want) { name, k, sizeof k - 1, m, sizeof m - 1, want }

static const struct hmac_case hmac_cases[] = {
	/* RFC 2195 2: the worked CRAM-MD5 example */
	H("RFC 2195 example", "tanstaaftanstaaf",
	    "<1896.697170952@postoffice.reston.mci.net>",
	    "b913a602c7eda7a495b4e6e7334d3890"),
	/* RFC 2104 appendix (and RFC 2202 2, test cases 1-3) */
	H("RFC 2104 #1", KEY16("\x0b"), "Hi There",
	    "9294727a3638bb1c13f48ef8158bfc9d"),
	H("RFC 2104 #2", "Jefe", "what do ya want for nothing?",
	    "750c783e6ab0b503eaa86e310a5db738"),
	H("RFC 2104 #3", KEY16("\xaa"), DATA50("\xdd"),
	    "56be34521d144c88dbb8c733f0e8b3f6"),
	/* RFC 2202 2, test cases 4-7: keys longer than a block are hashed */
	H("RFC 2202 #4", "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c"
	    "\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19",
	    DATA50("\xcd"), "697eaf0aca3a3aea3a75164746ffaa79"),
	H("RFC 2202 #5", KEY16("\x0c"), "Test With Truncation",
	    "56461ef2342edc00f9bab995690efd4c"),
	H("RFC 2202 #6", KEY80("\xaa"),
	    "Test Using Larger Than Block-Size Key - Hash Key First",
	    "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"),
	H("RFC 2202 #7", KEY80("\xaa"), "Test Using Larger Than Block-Size "
	    "Key and Larger Than One Block-Size Data",
	    "6f630fad67cda0ee1fb1f562db3aa53e"),
	/* block-size edges (values from Python's hmac module) */
	H("63-octet key", KEY16("ZZZ") "ZZZZZZZZZZZZZZZ", "cartero",
	    "9529fae32ad62c8a2c1f6de272f178af"),
	H("64-octet key", KEY16("ZZZZ"), "cartero",
	    "b9ce03cb6724d1a14b60488e591f4b39"),
	H("65-octet key (hashed first)", KEY16("ZZZZ") "Z", "cartero",
	    "0d5560dec9547fdef599b8db119aa773"),
	H("empty key (no secret: same work)", "", "<1.2@h>",
	    "ff25d16f829d322a8ed77df2363edcd5"),
};

static void
test_hmac(void)
{
	for (size_t i = 0; i < sizeof hmac_cases / sizeof hmac_cases[0]; i++) {
		const struct hmac_case *c = &hmac_cases[i];
		char out[40];

		test_begin("HMAC-MD5 %s", c->name);
		memset(out, CANARY, sizeof out);
		sasl_hmac_md5_hex((const unsigned char *)c->key, c->klen,
		    c->msg, c->mlen, out);
		test_assert_str(out, c->want);
		for (size_t k = 33; k < sizeof out; k++)
			test_assert_int((unsigned char)out[k], ==, CANARY);
		test_end();
	}
}

/* -- MD5 ------------------------------------------------------------------ */

static const struct { const char *name, *in, *want; } md5_cases[] = {
	/* RFC 1321 A.5 */
	{ "RFC 1321 \"\"", "", "d41d8cd98f00b204e9800998ecf8427e" },
	{ "RFC 1321 a", "a", "0cc175b9c0f1b6a831c399e269772661" },
	{ "RFC 1321 abc", "abc", "900150983cd24fb0d6963f7d28e17f72" },
	{ "RFC 1321 message digest", "message digest",
	    "f96b697d7cb7938d525a2f31aaf161d0" },
	{ "RFC 1321 a-z", "abcdefghijklmnopqrstuvwxyz",
	    "c3fcd3d76192e4007dfb496cca67e13b" },
	{ "RFC 1321 A-Za-z0-9",
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
	    "d174ab98d277d9f5a5611c2c9f419d9f" },
	{ "RFC 1321 8 x 1234567890", "1234567890123456789012345678901234567890"
	    "1234567890123456789012345678901234567890",
	    "57edf4a22be3c955ac49da2e2107b67a" },
	/* RFC 1939 7: the APOP example */
	{ "RFC 1939 APOP", "<1896.697170952@dbc.mtview.ca.us>tanstaaf",
	    "c4c9334bac560ecc979e58001b3e22fb" },
};

/* Lengths around the 64-octet block and the 56-octet padding edge, of
 * "xxx...", from Python's hashlib. */
static const struct { size_t n; const char *want; } md5_edges[] = {
	{ 55, "04364420e25c512fd958a70738aa8f72" },
	{ 56, "668a72d5ba17f08e62dabcafad6db14b" },
	{ 57, "693037871c4a9d3d8685018905cb530a" },
	{ 63, "7dc2ca208106a2f703567bdff99d8981" },
	{ 64, "c1bb4f81d892b2d57947682aeb252456" },
	{ 65, "1bc932052302d074bdec39795fe00cf6" },
	{ 127, "a0b28c1da68705c2ff883fe279b72753" },
	{ 128, "d69cb61a6ee87200676eb0d4b90edbcb" },
	{ 129, "3926841d393c00c3f36260e5ace10dc1" },
};

static void
hex16(const unsigned char d[16], char out[33])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 16; i++) {
		out[i * 2] = hex[d[i] >> 4];
		out[i * 2 + 1] = hex[d[i] & 15];
	}
	out[32] = '\0';
}

static void
test_md5(void)
{
	char out[33], x[130];

	for (size_t i = 0; i < sizeof md5_cases / sizeof md5_cases[0]; i++) {
		test_begin("MD5 %s", md5_cases[i].name);
		md5_hex(md5_cases[i].in, strlen(md5_cases[i].in), out);
		test_assert_str(out, md5_cases[i].want);
		test_end();
	}
	memset(x, 'x', sizeof x);
	for (size_t i = 0; i < sizeof md5_edges / sizeof md5_edges[0]; i++) {
		test_begin("MD5 of %zu octets", md5_edges[i].n);
		md5_hex(x, md5_edges[i].n, out);
		test_assert_str(out, md5_edges[i].want);
		test_end();
	}
	/* md5_update in pieces of every size gives the one-shot digest. */
	const char *s = md5_cases[6].in;
	size_t n = strlen(s);
	for (size_t step = 1; step <= n; step++) {
		struct md5 m;
		unsigned char d[16];

		test_begin("MD5 of 80 octets fed %zu at a time", step);
		md5_init(&m);
		for (size_t o = 0; o < n; o += step)
			md5_update(&m, s + o, o + step <= n ? step : n - o);
		md5_final(&m, d);
		hex16(d, out);
		test_assert_str(out, md5_cases[6].want);
		test_end();
	}
	test_begin("MD5 of a million a (FIPS 180 style long input)");
	{
		struct md5 m;
		unsigned char d[16];
		char a[1000];

		memset(a, 'a', sizeof a);
		md5_init(&m);
		for (int i = 0; i < 1000; i++)
			md5_update(&m, a, sizeof a);
		md5_final(&m, d);
		hex16(d, out);
		test_assert_str(out, "7707d6ae4e027c70eea2a935c2296f21");
	}
	test_end();
}

/* -- sasl_equal ----------------------------------------------------------- */

static void
test_equal(void)
{
	static const struct { const char *a, *b; bool want; } v[] = {
		{ "", "", true },
		{ "a", "a", true },
		{ "b913a602c7eda7a495b4e6e7334d3890",
		    "b913a602c7eda7a495b4e6e7334d3890", true },
		{ "b913a602c7eda7a495b4e6e7334d3890",
		    "c913a602c7eda7a495b4e6e7334d3890", false },
		{ "b913a602c7eda7a495b4e6e7334d3890",
		    "b913a602c7eda7a495b4e6e7334d3891", false },
		{ "b913a602c7eda7a495b4e6e7334d3890",
		    "b913a602c7eda7a4", false },
		{ "b913a602c7eda7a4",
		    "b913a602c7eda7a495b4e6e7334d3890", false },
		{ "abc", "ABC", false },
		{ "", "a", false },
		{ "a", "", false },
		{ "abc", "abd", false },
		{ "abc", "abcd", false },
		{ "abcd", "abc", false },
		{ "a\x80", "a\x81", false },
		{ "aaaa", "aaa", false },	/* b[0] == a[3]: still unequal */
	};

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char qa[80], qb[80];

		test_begin("sasl_equal(%s, %s) is %s",
		    test_show(qa, sizeof qa, v[i].a, strlen(v[i].a)),
		    test_show(qb, sizeof qb, v[i].b, strlen(v[i].b)),
		    v[i].want ? "true" : "false");
		test_assert(sasl_equal(v[i].a, v[i].b) == v[i].want);
		test_end();
	}
}

/* -- CIDR lists ----------------------------------------------------------- */

static const struct { const char *list, *ip; bool want; } cidr_cases[] = {
	/* IPv4 prefixes 0, 8, 24, 32 and a few in between */
	{ "192.0.2.0/24", "192.0.2.7", true },
	{ "192.0.2.0/24", "192.0.2.255", true },
	{ "192.0.2.0/24", "192.0.3.7", false },
	{ "192.0.2.0/24", "192.0.1.255", false },
	{ "192.0.2.7/24", "192.0.2.99", true },	/* host bits ignored */
	{ "10.0.0.0/8", "10.255.1.2", true },
	{ "10.0.0.0/8", "11.0.0.1", false },
	{ "10.0.0.0/8", "9.255.255.255", false },
	{ "192.0.2.7/32", "192.0.2.7", true },
	{ "192.0.2.7/32", "192.0.2.8", false },
	{ "192.0.2.7", "192.0.2.7", true },	/* no prefix: the host */
	{ "192.0.2.7", "192.0.2.70", false },
	{ "192.0.2.7", "192.0.2.6", false },
	{ "0.0.0.0/0", "203.0.113.9", true },
	{ "0.0.0.0/0", "0.0.0.0", true },
	{ "0.0.0.0/0", "255.255.255.255", true },
	{ "192.0.2.128/25", "192.0.2.200", true },
	{ "192.0.2.128/25", "192.0.2.127", false },
	{ "192.0.2.0/23", "192.0.3.255", true },
	{ "192.0.2.0/23", "192.0.4.0", false },
	{ "192.0.2.6/31", "192.0.2.7", true },
	{ "192.0.2.6/31", "192.0.2.8", false },
	{ "128.0.0.0/1", "200.1.1.1", true },
	{ "128.0.0.0/1", "100.1.1.1", false },
	/* IPv6 prefixes 0, 32, 48, 127, 128 */
	{ "2001:db8::/32", "2001:db8:1::5", true },
	{ "2001:db8::/32", "2001:db9::1", false },
	{ "2001:db8::/48", "2001:db8:0:ffff::1", true },
	{ "2001:db8::/48", "2001:db8:1::1", false },
	{ "::1/128", "::1", true },
	{ "::1/128", "::2", false },
	{ "::1", "::1", true },
	{ "::1", "::", false },
	{ "::/0", "2001:db8::1", true },
	{ "::/0", "::", true },
	{ "2001:db8::/127", "2001:db8::1", true },
	{ "2001:db8::/127", "2001:db8::2", false },
	{ "2001:DB8::/32", "2001:db8::9", true },
	{ "2001:db8:0:0:0:0:0:1", "2001:db8::1", true },
	/* families never mix */
	{ "0.0.0.0/0", "::1", false },
	{ "0.0.0.0/0", "::ffff:192.0.2.7", false },
	{ "::/0", "192.0.2.7", false },
	{ "192.0.2.0/24", "2001:db8::c000:207", false },
	/* separators: commas, spaces, tabs, runs of them */
	{ "10.0.0.0/8,192.0.2.7", "192.0.2.7", true },
	{ "10.0.0.0/8 192.0.2.7", "192.0.2.7", true },
	{ "10.0.0.0/8\t192.0.2.7", "192.0.2.7", true },
	{ "10.0.0.0/8, 2001:db8::/32 ,192.0.2.0/24", "2001:db8::5", true },
	{ " , ,192.0.2.7 , ", "192.0.2.7", true },
	{ "10.0.0.0/8, 172.16.0.0/12", "192.0.2.7", false },
	/* bad items are ignored, the good ones still count */
	{ "bogus, 192.0.2.0/24", "192.0.2.7", true },
	{ "192.0.2.0/33", "192.0.2.7", false },
	{ "192.0.2.0/33 192.0.2.7", "192.0.2.7", true },
	{ "192.0.2.0/", "192.0.2.7", false },
	{ "192.0.2.0/x", "192.0.2.7", false },
	{ "192.0.2.0/24x", "192.0.2.7", false },
	{ "192.0.2.0/-1", "192.0.2.7", false },
	{ "192.0.2.0/+24", "192.0.2.7", false },
	{ "192.0.2.0/24/24", "192.0.2.7", false },
	{ "192.0.2.0/99999999999999999999", "192.0.2.7", false },
	{ "/24", "192.0.2.7", false },
	{ "192.0.2/24", "192.0.2.7", false },
	{ "192.0.2.0.0/24", "192.0.2.7", false },
	{ "::/129", "::1", false },
	{ "*", "192.0.2.7", false },
	{ "all", "192.0.2.7", false },
	{ "192.0.2.0;24", "192.0.2.7", false },
	{ "2001:db8:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000/0",
	    "2001:db8::1", false },
	/* empty lists and unusable client addresses */
	{ "", "192.0.2.7", false },
	{ " , ", "192.0.2.7", false },
	{ "0.0.0.0/0", "unknown", false },
	{ "::/0", "unknown", false },
	{ "0.0.0.0/0", "", false },
	{ "192.0.2.0/24", "192.0.2.7 ", false },
	{ "192.0.2.0/24", "192.0.2.7/24", false },
};

static void
test_cidr(void)
{
	for (size_t i = 0; i < sizeof cidr_cases / sizeof cidr_cases[0]; i++) {
		char ql[200], qi[80];

		test_begin("cidr_list_match(%s, %s) is %s",
		    test_show(ql, sizeof ql, cidr_cases[i].list,
		    strlen(cidr_cases[i].list)),
		    test_show(qi, sizeof qi, cidr_cases[i].ip,
		    strlen(cidr_cases[i].ip)),
		    cidr_cases[i].want ? "true" : "false");
		test_assert(cidr_list_match(cidr_cases[i].list,
		    cidr_cases[i].ip) == cidr_cases[i].want);
		test_end();
	}
	test_begin("cidr_list_match(NULL, ...) is false");
	test_assert(!cidr_list_match(NULL, "192.0.2.7"));
	test_end();
}

int
main(void)
{
	test_b64_decode();
	test_b64_decode_cap();
	test_b64_encode();
	test_b64_round_trip();
	test_plain_table();
	test_plain_lengths();
	test_hmac();
	test_md5();
	test_equal();
	test_cidr();
	return test_done();
}
