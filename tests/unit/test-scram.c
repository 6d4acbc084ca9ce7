/* ISC license. */
/* SHA-256 (FIPS 180-4 examples, padding edges), HMAC-SHA-256 (RFC 4231),
 * PBKDF2 (RFC 7914 11) and SCRAM-SHA-256 (RFC 7677 3's exchange; every
 * message the grammar of RFC 5802 7 refuses). */
#include <stdlib.h>

#include "../../sdk/src/sasl-internal.h"
#include "../../sdk/src/scram-internal.h"
#include "test.h"

static void
hex32(const unsigned char d[SHA256_LEN], char out[65])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < SHA256_LEN; i++) {
		out[i * 2] = hex[d[i] >> 4];
		out[i * 2 + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
}

/* -- SHA-256 -------------------------------------------------------------- */

static const struct { const char *name, *in, *want; } sha_cases[] = {
	{ "FIPS 180-4 \"\"", "",
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "FIPS 180-4 abc", "abc",
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "FIPS 180-4 448 bits",
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
};

/* "xxx..." of lengths around the block and padding edges (hashlib). */
static const struct { size_t n; const char *want; } sha_edges[] = {
	{ 55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072" },
	{ 56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e" },
	{ 57, "ae14a2563ccf969d99aca69ce6bb74981f734bbf9f655f73b8f06db68cab5217" },
	{ 63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2" },
	{ 64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c" },
	{ 65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9" },
	{ 119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c" },
	{ 120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98" },
	{ 127, "70156a14adbabf98cff3a71c7084b417abf057a8efd27329ca36b7202c87d81f" },
	{ 128, "24da1b81d0b16df6428eee73c69fcb2a93c76bc6df706f0c6670fe6bfe800464" },
	{ 129, "0ec9eb33e74510bcdd1f2ea55206e82f21649c5c2becbf2b433eb475b34c01bd" },
};

static void
test_sha256(void)
{
	unsigned char d[SHA256_LEN];
	char got[65], buf[200];

	for (size_t i = 0; i < sizeof sha_cases / sizeof sha_cases[0]; i++) {
		test_begin("SHA-256 %s", sha_cases[i].name);
		sha256(sha_cases[i].in, strlen(sha_cases[i].in), d);
		hex32(d, got);
		test_assert_str(got, sha_cases[i].want);
		test_end();
	}
	memset(buf, 'x', sizeof buf);
	for (size_t i = 0; i < sizeof sha_edges / sizeof sha_edges[0]; i++) {
		test_begin("SHA-256 of %zu octets, whole and byte by byte",
		    sha_edges[i].n);
		sha256(buf, sha_edges[i].n, d);
		hex32(d, got);
		test_assert_str(got, sha_edges[i].want);
		struct sha256 c;
		sha256_init(&c);
		for (size_t k = 0; k < sha_edges[i].n; k++)
			sha256_update(&c, buf + k, 1);
		sha256_final(&c, d);
		hex32(d, got);
		test_assert_str(got, sha_edges[i].want);
		test_end();
	}
	test_begin("SHA-256 FIPS 180-4 one million a, in uneven pieces");
	{
		static char a[1000000];
		struct sha256 c;
		size_t off = 0, step = 1;
		memset(a, 'a', sizeof a);
		sha256_init(&c);
		while (off < sizeof a) {
			size_t k = step < sizeof a - off ? step : sizeof a - off;
			sha256_update(&c, a + off, k);
			off += k;
			step = step * 3 % 1021 + 1;
		}
		sha256_final(&c, d);
		hex32(d, got);
		test_assert_str(got, "cdc76e5c9914fb9281a1c7e284d73e67"
		    "f1809a48a497200e046d39ccc7112cd0");
	}
	test_end();
}

/* -- HMAC-SHA-256 and PBKDF2 ---------------------------------------------- */

static void
test_hmac_pbkdf2(void)
{
	unsigned char d[SHA256_LEN], key[131];
	char got[65];

	test_begin("HMAC-SHA-256 RFC 4231 test case 1");
	memset(key, 0x0b, 20);
	hmac_sha256(key, 20, "Hi There", 8, d);
	hex32(d, got);
	test_assert_str(got, "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7");
	test_end();

	test_begin("HMAC-SHA-256 RFC 4231 test case 2");
	hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, d);
	hex32(d, got);
	test_assert_str(got, "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
	test_end();

	test_begin("HMAC-SHA-256 RFC 4231 test case 6 (key over a block)");
	memset(key, 0xaa, sizeof key);
	hmac_sha256(key, sizeof key, "Test Using Larger Than Block-Size Key "
	    "- Hash Key First", 54, d);
	hex32(d, got);
	test_assert_str(got, "60e431591ee0b67f0d8a26aacbf5b77f"
	    "8e0bc6213728c5140546040f0ee37f54");
	test_end();

	static const struct {
		const char *name, *pw, *salt;
		unsigned iter;
		const char *want;
	} pb[] = {
		{ "RFC 7914 11 passwd/salt, 1", "passwd", "salt", 1,
		    "55ac046e56e3089fec1691c22544b605"
		    "f94185216dde0465e68b9d57c20dacbc" },
		{ "RFC 7914 11 Password/NaCl, 80000", "Password", "NaCl",
		    80000, "4ddcd8f60b98be21830cee5ef22701f9"
		    "641a4418d04c0414aeff08876b34ab56" },
		{ "a 100-octet password (over a block), 2",
		    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", "s",
		    2, "db29459a2aa4d79b2b31be9b22d5a0bd"
		    "4a4a6dfb249e6216b4aacc8d7724dae4" },
	};
	for (size_t i = 0; i < sizeof pb / sizeof pb[0]; i++) {
		test_begin("PBKDF2-HMAC-SHA-256 %s", pb[i].name);
		pbkdf2_sha256(pb[i].pw, strlen(pb[i].pw), pb[i].salt,
		    strlen(pb[i].salt), pb[i].iter, d);
		hex32(d, got);
		test_assert_str(got, pb[i].want);
		test_end();
	}
}

/* -- SCRAM-SHA-256 -------------------------------------------------------- */

/* RFC 7677 3: user "user", password "pencil". */
#define R_FIRST "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
#define R_SNONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
#define R_SALT "W22ZaJ0SNY7soEsUEjb6gQ=="
#define R_SERVER_FIRST "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," \
	"s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
#define R_FINAL "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," \
	"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define R_VERIFIER "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

static unsigned char r_salt[16];
static size_t r_salt_len;

/* The RFC's first two messages into s; 0 or -1. */
static int
rfc_first(struct scram *s, const char *first)
{
	if (scram_client_first(s, first, strlen(first)) < 0)
		return -1;
	scram_server_first(s, R_SNONCE, r_salt, r_salt_len, 4096);
	return 0;
}

static int
rfc_final(const char *final, const char *pw, unsigned char sig[SHA256_LEN])
{
	struct scram s;

	if (rfc_first(&s, R_FIRST) < 0)
		return -2;
	return scram_client_final(&s, final, strlen(final), pw, strlen(pw),
	    r_salt, r_salt_len, 4096, sig);
}

static void
test_scram_rfc(void)
{
	struct scram s;
	unsigned char sig[SHA256_LEN];
	char v[64];

	test_assert(sasl_b64_decode(R_SALT, strlen(R_SALT), r_salt,
	    sizeof r_salt, &r_salt_len) == 0);
	test_begin("SCRAM RFC 7677 3: client-first parsed");
	test_assert_int(scram_client_first(&s, R_FIRST, strlen(R_FIRST)), ==,
	    0);
	test_assert_str(s.gs2, "n,,");
	test_assert_str(s.bare, "n=user,r=rOprNGfwEbeRWgbNEkqO");
	test_assert_str(s.user, "user");
	test_assert_str(s.nonce, "rOprNGfwEbeRWgbNEkqO");
	test_end();

	test_begin("SCRAM RFC 7677 3: server-first as the RFC's");
	scram_server_first(&s, R_SNONCE, r_salt, r_salt_len, 4096);
	test_assert_str(s.server_first, R_SERVER_FIRST);
	test_end();

	test_begin("SCRAM RFC 7677 3: the proof matches, v= as the RFC's");
	test_assert_int(rfc_final(R_FINAL, "pencil", sig), ==, 1);
	sasl_b64_encode(sig, sizeof sig, v, sizeof v);
	test_assert_str(v, R_VERIFIER);
	test_end();

	test_begin("SCRAM: another password fails the proof");
	test_assert_int(rfc_final(R_FINAL, "pencil ", sig), ==, 0);
	test_assert_int(rfc_final(R_FINAL, "Pencil", sig), ==, 0);
	test_assert_int(rfc_final(R_FINAL, "", sig), ==, 0);
	test_end();

	test_begin("SCRAM: a proof off by one bit fails");
	test_assert_int(rfc_final("c=biws,r=rOprNGfwEbeRWgbNEkqO" R_SNONCE
	    ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVU=", "pencil", sig),
	    ==, 0);
	test_end();

	test_begin("SCRAM: an extension before the proof is signed too");
	/* a valid message shape; the RFC's proof was not made over it */
	test_assert_int(rfc_final("c=biws,r=rOprNGfwEbeRWgbNEkqO" R_SNONCE
	    ",x=1,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", "pencil",
	    sig), ==, 0);
	test_end();
}

static void
test_scram_first(void)
{
	static const struct { const char *in, *user; } good[] = {
		{ "n,,n=user,r=abc", "user" },
		{ "y,,n=user,r=abc", "user" },
		{ "n,a=user,n=user,r=abc", "user" },
		{ "n,a=User,n=user,r=abc", "user" },	/* as PLAIN: any case */
		{ "n,,n=a=2Cb=3Dc,r=abc", "a,b=c" },
		{ "n,,n=alice@example.test,r=x,ext=1", "alice@example.test" },
		{ "n,,n=\xc3\xa9l\xc3\xa8ve,r=!\"#$%&'()*+-./~", "\xc3\xa9l"
		    "\xc3\xa8ve" },
	};
	static const char *const bad[] = {
		"", "n", "n,", "n,,", "x,,n=user,r=abc",
		"p=tls-unique,,n=user,r=abc",	/* channel binding: not offered */
		"n,,m=ext,n=user,r=abc",	/* mandatory extension */
		"n,a=other,n=user,r=abc",	/* authzid is someone else */
		"n,a=,n=user,r=abc",
		"n,,n=,r=abc",			/* empty name */
		"n,,n=a=2,r=abc",		/* '=' not =2C/=3D */
		"n,,n=a=2c,r=abc",
		"n,,n=a=,r=abc",
		"n,,n=user",			/* no nonce */
		"n,,n=user,r=",			/* empty nonce */
		"n,,n=user,x=abc",
		"n,,r=abc,n=user",		/* order */
		"n,,n=user,r=a b",		/* a space in the nonce */
		"n,,n=user,r=a\x7f",
		"n,,n=user,r=\xc3\xa9",
		"n,,user,r=abc",
		"n,,N=user,r=abc",
		" n,,n=user,r=abc",
	};
	struct scram s;
	char show[300];

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		test_begin("SCRAM client-first %s taken",
		    test_show(show, sizeof show, good[i].in,
		    strlen(good[i].in)));
		test_assert_int(scram_client_first(&s, good[i].in,
		    strlen(good[i].in)), ==, 0);
		test_assert_str(s.user, good[i].user);
		test_end();
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		test_begin("SCRAM client-first %s refused",
		    test_show(show, sizeof show, bad[i], strlen(bad[i])));
		test_assert_int(scram_client_first(&s, bad[i], strlen(bad[i])),
		    ==, -1);
		test_end();
	}
	test_begin("SCRAM client-first: a NUL inside is refused");
	test_assert_int(scram_client_first(&s, "n,,n=us\0er,r=abc", 16), ==,
	    -1);
	test_end();

	test_begin("SCRAM client-first: nonce of 128 taken, 129 refused");
	{
		char m[300] = "n,,n=u,r=";
		memset(m + 9, 'N', 128);
		m[9 + 128] = '\0';
		test_assert_int(scram_client_first(&s, m, strlen(m)), ==, 0);
		m[9 + 128] = 'N';
		m[9 + 129] = '\0';
		test_assert_int(scram_client_first(&s, m, strlen(m)), ==, -1);
	}
	test_end();

	test_begin("SCRAM client-first: a name of 300 octets is refused");
	{
		char m[400] = "n,,n=";
		memset(m + 5, 'u', 300);
		strcpy(m + 305, ",r=abc");
		test_assert_int(scram_client_first(&s, m, strlen(m)), ==, -1);
	}
	test_end();
}

static void
test_scram_final(void)
{
	static const char *const bad[] = {
		"",
		"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		/* c= not the GS2 header ("y,," / "n,a=user,") */
		"c=eSws,r=rOprNGfwEbeRWgbNEkqO" R_SNONCE
		    ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		"c=biw,r=rOprNGfwEbeRWgbNEkqO" R_SNONCE
		    ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		/* the client's nonce alone, another, longer */
		"c=biws,r=rOprNGfwEbeRWgbNEkqO"
		    ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		"c=biws,r=rOprNGfwEbeRWgbNEkqO" R_SNONCE "x"
		    ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		"c=biws,r=XOprNGfwEbeRWgbNEkqO" R_SNONCE
		    ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		/* no proof, a short one, bad base64, something after it */
		"c=biws,r=rOprNGfwEbeRWgbNEkqO" R_SNONCE,
		"c=biws,r=rOprNGfwEbeRWgbNEkqO" R_SNONCE ",p=",
		"c=biws,r=rOprNGfwEbeRWgbNEkqO" R_SNONCE ",p=dHzbZapW",
		"c=biws,r=rOprNGfwEbeRWgbNEkqO" R_SNONCE
		    ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ",
		"c=biws,r=rOprNGfwEbeRWgbNEkqO" R_SNONCE
		    ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=,x=1",
		"c=biws,r=rOprNGfwEbeRWgbNEkqO" R_SNONCE
		    ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=AAAA",
		/* order */
		"r=rOprNGfwEbeRWgbNEkqO" R_SNONCE ",c=biws"
		    ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
	};
	unsigned char sig[SHA256_LEN];
	char show[300];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		test_begin("SCRAM client-final %s refused",
		    test_show(show, sizeof show, bad[i], strlen(bad[i])));
		test_assert_int(rfc_final(bad[i], "pencil", sig), ==, -1);
		test_end();
	}
	test_begin("SCRAM client-final: c= must repeat an authzid header");
	{
		struct scram s;
		const char *first = "n,a=user,n=user,r=rOprNGfwEbeRWgbNEkqO";
		test_assert_int(rfc_first(&s, first), ==, 0);
		/* "biws" is "n,,": not this header */
		test_assert_int(scram_client_final(&s, R_FINAL,
		    strlen(R_FINAL), "pencil", 6, r_salt, r_salt_len, 4096,
		    sig), ==, -1);
	}
	test_end();
}

int
main(void)
{
	test_sha256();
	test_hmac_pbkdf2();
	test_scram_rfc();
	test_scram_first();
	test_scram_final();
	return test_done();
}
