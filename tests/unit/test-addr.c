/* ISC license. */
/* Paths (RFC 5321 4.1.2) and ESMTP parameters: valid and hostile tables. */
#include <stdlib.h>

#include "../../sdk/src/addr-internal.h"
#include "test.h"

/* MAIL allows <>; RCPT allows <postmaster>; BOTH allows both. */
enum mode { MAIL, RCPT, BOTH, NEITHER };

struct path_case {
	enum mode mode;
	const char *in;
	enum addr_error want;
	const char *local, *domain;	/* on ADDR_OK; full is local@domain */
	const char *rest;		/* where *end_r points */
	size_t len;			/* for the name; 0: strlen(in) */
};

#define OK(m, in, l, d, rest) { m, in, ADDR_OK, l, d, rest, 0 }
#define BAD(m, in, e) { m, in, e, NULL, NULL, NULL, 0 }
/* With a NUL inside: the name shows what follows it. */
#define BADN(m, in, e) { m, in, e, NULL, NULL, NULL, sizeof in - 1 }

static const struct path_case paths[] = {
	/* The null path */
	OK(MAIL, "<>", "", "", ""),
	OK(MAIL, "<> SIZE=10", "", "", " SIZE=10"),
	BAD(RCPT, "<>", ADDR_SYNTAX),
	BAD(MAIL, "<", ADDR_SYNTAX),
	BAD(MAIL, "", ADDR_SYNTAX),
	BAD(MAIL, "<<>>", ADDR_SYNTAX),
	/* Plain mailboxes */
	OK(MAIL, "<a@b>", "a", "b", ""),
	OK(RCPT, "<a@b>", "a", "b", ""),
	OK(MAIL, "<A.B@Example.ORG>", "A.B", "example.org", ""),
	OK(MAIL, "<a@b> SIZE=100 BODY=8BITMIME", "a", "b",
	    " SIZE=100 BODY=8BITMIME"),
	OK(MAIL, "<a@b>>", "a", "b", ">"),
	OK(MAIL, "<!#$%&'*+-/=?^_`{|}~@b>", "!#$%&'*+-/=?^_`{|}~", "b", ""),
	OK(MAIL, "<a@b-c.d9>", "a", "b-c.d9", ""),
	OK(MAIL, "<a@1.2>", "a", "1.2", ""),
	BAD(MAIL, "a@b", ADDR_SYNTAX),
	BAD(MAIL, "<a@b", ADDR_SYNTAX),
	BAD(MAIL, " <a@b>", ADDR_SYNTAX),
	BAD(MAIL, "<a@b >", ADDR_SYNTAX),
	BAD(MAIL, "< a@b>", ADDR_SYNTAX),
	BAD(MAIL, "<a b@c>", ADDR_SYNTAX),
	BAD(MAIL, "<a>", ADDR_SYNTAX),
	BAD(MAIL, "<a@>", ADDR_SYNTAX),
	BAD(MAIL, "<@b>", ADDR_SYNTAX),
	BAD(MAIL, "<a@@b>", ADDR_SYNTAX),
	BAD(MAIL, "<a@b@c>", ADDR_SYNTAX),
	BAD(MAIL, "<a(b)@c>", ADDR_SYNTAX),
	BAD(MAIL, "<a,b@c>", ADDR_SYNTAX),
	BAD(MAIL, "<a;sleep 66;@b>", ADDR_SYNTAX),
	BAD(MAIL, "<;sleep 66;>", ADDR_SYNTAX),
	/* The string ends at NUL: stale bytes after it are not the path. */
	BADN(MAIL, "<x\0yy@evil>", ADDR_SYNTAX),
	BADN(MAIL, "<x.y\0@evil>", ADDR_SYNTAX),
	BADN(RCPT, "<postmaster\0@b>", ADDR_SYNTAX),
	BADN(RCPT, "<postmaster\0>", ADDR_SYNTAX),
	BADN(MAIL, "<a@b\0>", ADDR_SYNTAX),
	BADN(MAIL, "<\"a\0\"@b>", ADDR_SYNTAX),
	BAD(MAIL, "<abc", ADDR_SYNTAX),
	/* Dot-string */
	OK(MAIL, "<a.b.c@d>", "a.b.c", "d", ""),
	BAD(MAIL, "<.a@b>", ADDR_SYNTAX),
	BAD(MAIL, "<a.@b>", ADDR_SYNTAX),
	BAD(MAIL, "<a..b@c>", ADDR_SYNTAX),
	/* Quoted-string */
	OK(MAIL, "<\"a b\"@c>", "\"a b\"", "c", ""),
	OK(MAIL, "<\"\"@c>", "\"\"", "c", ""),
	OK(MAIL, "<\"a\\\"b\"@c>", "\"a\\\"b\"", "c", ""),
	OK(MAIL, "<\"a\\\\b\"@c>", "\"a\\\\b\"", "c", ""),
	OK(MAIL, "<\"a@b>\"@c>", "\"a@b>\"", "c", ""),
	OK(MAIL, "<\"\\ \"@c>", "\"\\ \"", "c", ""),
	BAD(MAIL, "<\"a\"b@c>", ADDR_SYNTAX),
	BAD(MAIL, "<\"abc@d>", ADDR_SYNTAX),
	BAD(MAIL, "<\"a\x01\"@c>", ADDR_SYNTAX),
	BAD(MAIL, "<\"a\tb\"@c>", ADDR_SYNTAX),
	BAD(MAIL, "<\"a\\\x01\"@c>", ADDR_SYNTAX),
	BAD(MAIL, "<\"a\\\x7f\"@c>", ADDR_SYNTAX),
	BAD(MAIL, "<\"a\\", ADDR_SYNTAX),
	BAD(MAIL, "<\"a\x7f\"@c>", ADDR_SYNTAX),
	/* Source routes: accepted and dropped */
	OK(RCPT, "<@r1:a@b>", "a", "b", ""),
	OK(RCPT, "<@r1.example,@R2.example:a@b>", "a", "b", ""),
	OK(MAIL, "<@r1,@r2,@r3:a@b> X", "a", "b", " X"),
	BAD(RCPT, "<@r1,r2:a@b>", ADDR_SYNTAX),
	BAD(RCPT, "<@:a@b>", ADDR_SYNTAX),
	BAD(RCPT, "<@r1a@b>", ADDR_SYNTAX),
	BAD(RCPT, "<@r1,:a@b>", ADDR_SYNTAX),
	BAD(RCPT, "<@r1:>", ADDR_SYNTAX),
	BAD(RCPT, "<@-r:a@b>", ADDR_SYNTAX),
	BAD(RCPT, "<@[1.2.3.4]:a@b>", ADDR_SYNTAX),
	/* Address literals */
	OK(MAIL, "<a@[1.2.3.4]>", "a", "[1.2.3.4]", ""),
	OK(MAIL, "<a@[IPv6:::1]>", "a", "[ipv6:::1]", ""),
	OK(MAIL, "<a@[IPv6:2001:db8::1]> X", "a", "[ipv6:2001:db8::1]", " X"),
	BAD(MAIL, "<a@[]>", ADDR_SYNTAX),
	BAD(MAIL, "<a@[1.2.3.4>", ADDR_SYNTAX),
	BAD(MAIL, "<a@[1.2.3.4]x>", ADDR_SYNTAX),
	BAD(MAIL, "<a@[1 2]>", ADDR_SYNTAX),
	BAD(MAIL, "<a@[1[2]>", ADDR_SYNTAX),
	BAD(MAIL, "<a@[1\\]>", ADDR_SYNTAX),
	BAD(MAIL, "<a@b.[1.2.3.4]>", ADDR_SYNTAX),
	/* Labels */
	BAD(MAIL, "<a@-b>", ADDR_SYNTAX),
	BAD(MAIL, "<a@b->", ADDR_SYNTAX),
	BAD(MAIL, "<a@b.-c>", ADDR_SYNTAX),
	BAD(MAIL, "<a@b-.c>", ADDR_SYNTAX),
	BAD(MAIL, "<a@b..c>", ADDR_SYNTAX),
	BAD(MAIL, "<a@.b>", ADDR_SYNTAX),
	BAD(MAIL, "<a@b.>", ADDR_SYNTAX),
	BAD(MAIL, "<a@b_c>", ADDR_SYNTAX),
	/* UTF-8 (RFC 6531) */
	OK(MAIL, "<jos\xc3\xa9@b>", "jos\xc3\xa9", "b", ""),
	OK(MAIL, "<a@\xc3\xa9t\xc3\xa9.example>", "a",
	    "\xc3\xa9t\xc3\xa9.example", ""),
	OK(MAIL, "<\xe2\x82\xac\xf0\x9f\x98\x80@b>",
	    "\xe2\x82\xac\xf0\x9f\x98\x80", "b", ""),
	OK(MAIL, "<\"\xc3\xa9 x\"@b>", "\"\xc3\xa9 x\"", "b", ""),
	OK(MAIL, "<\xf4\x8f\xbf\xbf@b>", "\xf4\x8f\xbf\xbf", "b", ""),
	BAD(MAIL, "<\xc0\xaf@b>", ADDR_BAD_UTF8),
	BAD(MAIL, "<\xc1\xbf@b>", ADDR_BAD_UTF8),
	BAD(MAIL, "<\xe0\x80\xaf@b>", ADDR_BAD_UTF8),
	BAD(MAIL, "<\xf0\x80\x80\xaf@b>", ADDR_BAD_UTF8),
	BAD(MAIL, "<\xed\xa0\x80@b>", ADDR_BAD_UTF8),
	BAD(MAIL, "<\xed\xbf\xbf@b>", ADDR_BAD_UTF8),
	BAD(MAIL, "<\xf4\x90\x80\x80@b>", ADDR_BAD_UTF8),
	BAD(MAIL, "<\xf5\x80\x80\x80@b>", ADDR_BAD_UTF8),
	BAD(MAIL, "<\xff@b>", ADDR_BAD_UTF8),
	BAD(MAIL, "<\x80@b>", ADDR_BAD_UTF8),
	BAD(MAIL, "<\xc3@b>", ADDR_BAD_UTF8),
	BAD(MAIL, "<\xe2\x82@b>", ADDR_BAD_UTF8),
	BAD(MAIL, "<\xf0\x9f\x98@b>", ADDR_BAD_UTF8),
	BAD(MAIL, "<ab\xc3x@b>", ADDR_BAD_UTF8),
	BAD(MAIL, "<a@b\xc3>", ADDR_BAD_UTF8),
	BAD(MAIL, "<a@\xe2\x82.b>", ADDR_BAD_UTF8),
	BAD(MAIL, "<\"\xc3\"@b>", ADDR_BAD_UTF8),
	/* Postmaster (RFC 5321 4.1.1.3) */
	OK(RCPT, "<postmaster>", "postmaster", "", ""),
	OK(RCPT, "<PostMaster>", "PostMaster", "", ""),
	OK(RCPT, "<POSTMASTER> NOTIFY=NEVER", "POSTMASTER", "",
	    " NOTIFY=NEVER"),
	OK(BOTH, "<postmaster>", "postmaster", "", ""),
	OK(RCPT, "<postmaster@Example.org>", "postmaster", "example.org", ""),
	OK(MAIL, "<postmaster@b>", "postmaster", "b", ""),
	BAD(MAIL, "<postmaster>", ADDR_SYNTAX),
	BAD(NEITHER, "<Postmaster>", ADDR_SYNTAX),
	BAD(RCPT, "<postmaste>", ADDR_SYNTAX),
	BAD(RCPT, "<postmasterx>", ADDR_SYNTAX),
	BAD(RCPT, "<\"postmaster\">", ADDR_SYNTAX),
	BAD(RCPT, "<postmaster", ADDR_SYNTAX),
	BAD(RCPT, "<postmaster.x>", ADDR_SYNTAX),
};

static char *rep(char c, size_t n);
static char *cat(const char *a, const char *b, const char *c, const char *d,
    const char *e);
static char *domain_of(size_t n);
static void check_path(const char *name, const struct path_case *pc);
static void test_paths(void);
static void test_lengths(void);
static void test_params(void);
static void test_equal_ci(void);

static void
check_path(const char *name, const struct path_case *pc)
{
	struct addr a;
	const char *end = NULL;
	bool allow_null = pc->mode == MAIL || pc->mode == BOTH;
	bool allow_pm = pc->mode == RCPT || pc->mode == BOTH;
	bool has_8bit = false;

	test_begin("%s", name);
	for (const char *p = pc->in; *p; p++)
		has_8bit |= (unsigned char)*p >= 0x80;
	enum addr_error e = addr_parse_path(pc->in, allow_null, allow_pm, &a,
	    &end);
	test_assert_int(e, ==, pc->want);
	if (e == ADDR_OK && pc->want == ADDR_OK) {
		char full[2 * ADDR_PATH_MAX];
		snprintf(full, sizeof full, "%s%s%s", pc->local,
		    *pc->domain ? "@" : "", pc->domain);
		test_assert_str(a.local, pc->local);
		test_assert_str(a.domain, pc->domain);
		test_assert_str(a.full, full);
		test_assert(end != NULL);
		test_assert_str(end, pc->rest);
		test_assert_int(a.is_null, ==, strncmp(pc->in, "<>", 2) == 0);
		test_assert_int(a.has_utf8, ==, has_8bit);
	}
	test_end();
}

static void
test_paths(void)
{
	static const char *const mode_name[] = { "MAIL", "RCPT", "BOTH",
	    "NEITHER" };

	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		const struct path_case *pc = &paths[i];
		char name[200], q[160];
		snprintf(name, sizeof name, "addr %s %s %s",
		    mode_name[pc->mode], pc->want == ADDR_OK ? "valid" :
		    "invalid", test_escape(q, sizeof q, pc->in,
		    pc->len ? pc->len : strlen(pc->in)));
		check_path(name, &paths[i]);
	}
}

/* A string of n copies of c; freed by the caller. */
static char *
rep(char c, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static char *
cat(const char *a, const char *b, const char *c, const char *d,
    const char *e)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + strlen(d) + strlen(e);
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	snprintf(s, n + 1, "%s%s%s%s%s", a, b, c, d, e);
	return s;
}

/* A domain of exactly n octets: 63-octet labels and a shorter last one. */
static char *
domain_of(size_t n)
{
	char *s = rep('d', n);

	for (size_t i = 63; i < n; i += 64)
		s[i] = '.';
	if (s[n - 1] == '.')
		s[n - 2] = '.', s[n - 1] = 'e';
	return s;
}

static void
test_lengths(void)
{
	struct {
		const char *name;
		size_t local, domain;	/* octets */
		const char *unit;	/* the local part's repeated unit */
		const char *domain_unit;
		enum addr_error want;
	} cases[] = {
		{ "local part of 64 octets", 64, 10, "a", "", ADDR_OK },
		{ "local part of 65 octets", 65, 10, "a", "", ADDR_TOO_LONG },
		{ "local part of 65 octets, UTF-8 domain", 65, 10, "a",
		    "\xc3\xa9", ADDR_TOO_LONG },
		{ "UTF-8 local part of 64 characters", 64, 10, "\xc3\xa9", "",
		    ADDR_OK },
		{ "UTF-8 local part of 65 characters", 65, 10, "\xc3\xa9", "",
		    ADDR_TOO_LONG },
		{ "path of 256 octets", 64, 189, "a", "", ADDR_OK },
		{ "path of 257 octets", 64, 190, "a", "", ADDR_TOO_LONG },
		{ "domain of 252 octets, path 256", 1, 252, "a", "", ADDR_OK },
		{ "domain of 253 octets, path 257", 1, 253, "a", "",
		    ADDR_TOO_LONG },
		{ "domain of 255 octets", 1, 255, "a", "", ADDR_TOO_LONG },
		{ "domain of 256 octets", 1, 256, "a", "", ADDR_TOO_LONG },
		{ "path of 5000 octets", 64, 4900, "a", "", ADDR_TOO_LONG },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t ul = strlen(cases[i].unit);
		char *local = malloc(cases[i].local * ul + 1), *domain;
		struct addr a;
		const char *end = NULL;

		if (local == NULL)
			abort();
		for (size_t k = 0; k < cases[i].local; k++)
			memcpy(local + k * ul, cases[i].unit, ul);
		local[cases[i].local * ul] = '\0';
		domain = domain_of(cases[i].domain);
		if (*cases[i].domain_unit)
			memcpy(domain, cases[i].domain_unit,
			    strlen(cases[i].domain_unit));
		char *in = cat("<", local, "@", domain, ">");
		test_begin("addr length: %s", cases[i].name);
		test_assert_int(strlen(domain), ==, cases[i].domain);
		enum addr_error e = addr_parse_path(in, true, true, &a, &end);
		test_assert_int(e, ==, cases[i].want);
		if (e == ADDR_OK) {
			test_assert_str(a.local, local);
			test_assert_str(a.domain, domain);
			test_assert_int(strlen(a.full), ==, strlen(in) - 2);
			test_assert_str(end, "");
		}
		test_end();
		free(in);
		free(local);
		free(domain);
	}

	test_begin("addr length: label of 63 octets");
	char *label = rep('l', 63), *in = cat("<a@", label, ".b>", "", "");
	struct addr a;
	const char *end;
	test_assert_int(addr_parse_path(in, true, true, &a, &end), ==,
	    ADDR_OK);
	free(in);
	test_end();

	test_begin("addr length: label of 64 octets");
	in = cat("<a@", label, "l.b>", "", "");
	test_assert_int(addr_parse_path(in, true, true, &a, &end), !=,
	    ADDR_OK);
	free(in);
	free(label);
	test_end();
}

struct param_case {
	const char *in;
	int want;			/* count, or -1 */
	const char *kv[PARAM_MAX + 1][2];	/* keyword, value or NULL */
};

static const struct param_case params[] = {
	{ "", 0, { { NULL, NULL } } },
	{ "   ", 0, { { NULL, NULL } } },
	{ " SIZE=100", 1, { { "SIZE", "100" } } },
	{ "SIZE=100", 1, { { "SIZE", "100" } } },
	{ " size=100 body=8bitMIME", 2,
	    { { "SIZE", "100" }, { "BODY", "8bitMIME" } } },
	{ " SMTPUTF8", 1, { { "SMTPUTF8", NULL } } },
	{ "  SMTPUTF8   Size=1  ", 2,
	    { { "SMTPUTF8", NULL }, { "SIZE", "1" } } },
	{ " x-Vendor-1=a!b~", 1, { { "X-VENDOR-1", "a!b~" } } },
	{ " 8BIT", 1, { { "8BIT", NULL } } },
	{ " AUTH=<>", 1, { { "AUTH", "<>" } } },
	{ " ENVID=a+2Bb", 1, { { "ENVID", "a+2Bb" } } },
	{ " A=b c", 2, { { "A", "b" }, { "C", NULL } } },
	{ " A B C D E F G H", 8, { { "A", NULL }, { "B", NULL }, { "C", NULL },
	    { "D", NULL }, { "E", NULL }, { "F", NULL }, { "G", NULL },
	    { "H", NULL } } },
	{ " A B C D E F G H I", -1, { { NULL, NULL } } },
	{ " A=1 B=2 C=3 D=4 E=5 F=6 G=7 H=8 I=9", -1, { { NULL, NULL } } },
	{ " SIZE=", -1, { { NULL, NULL } } },
	{ " SIZE= BODY=7BIT", -1, { { NULL, NULL } } },
	{ " SIZE==1", -1, { { NULL, NULL } } },
	{ " SIZE=1=2", -1, { { NULL, NULL } } },
	{ " =1", -1, { { NULL, NULL } } },
	{ " -A", -1, { { NULL, NULL } } },
	{ " SI_ZE=1", -1, { { NULL, NULL } } },
	{ " SI.ZE=1", -1, { { NULL, NULL } } },
	{ " SIZE:1", -1, { { NULL, NULL } } },
	{ " SIZE\t=1", -1, { { NULL, NULL } } },
	{ " A=b\tc", -1, { { NULL, NULL } } },
	{ "\tA=1", -1, { { NULL, NULL } } },
	{ " A=\x7f", -1, { { NULL, NULL } } },
	{ " A=b\x80", -1, { { NULL, NULL } } },
	{ " A=\x01", -1, { { NULL, NULL } } },
	{ " \xc3\xa9=1", -1, { { NULL, NULL } } },
	{ " A\r", -1, { { NULL, NULL } } },
};

static void
test_params(void)
{
	for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
		const struct param_case *pc = &params[i];
		struct param got[PARAM_MAX + 1];
		char *s = strdup(pc->in);

		if (s == NULL)
			abort();
		memset(got, 0, sizeof got);
		test_begin("param_split %s \"%s\"", pc->want < 0 ? "invalid" :
		    "valid", pc->in);
		int n = param_split(s, got);
		test_assert_int(n, ==, pc->want);
		for (int k = 0; n == pc->want && k < n; k++) {
			test_assert_str(got[k].keyword, pc->kv[k][0]);
			test_assert_str(got[k].value, pc->kv[k][1]);
		}
		/* Nothing is written past PARAM_MAX entries. */
		test_assert(got[PARAM_MAX].keyword == NULL);
		free(s);
		test_end();
	}
}

static void
test_equal_ci(void)
{
	static const struct {
		const char *a, *b;
		bool want;
	} cases[] = {
		{ "", "", true },
		{ "a", "A", true },
		{ "PostMaster", "postmaster", true },
		{ "example.ORG", "EXAMPLE.org", true },
		{ "abc", "abd", false },
		{ "abc", "ab", false },
		{ "ab", "abc", false },
		{ "", "a", false },
		{ "@", "`", false },
		{ "[", "{", false },
		{ "Z", "z", true },
		{ "\xc3\xa9", "\xc3\x89", false },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		test_begin("addr_equal_ci \"%s\" \"%s\"", cases[i].a,
		    cases[i].b);
		test_assert_int(addr_equal_ci(cases[i].a, cases[i].b), ==,
		    cases[i].want);
		test_assert_int(addr_equal_ci(cases[i].b, cases[i].a), ==,
		    cases[i].want);
		test_end();
	}
}

int
main(void)
{
	test_paths();
	test_lengths();
	test_params();
	test_equal_ci();
	return test_done();
}
