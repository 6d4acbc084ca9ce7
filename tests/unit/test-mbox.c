/* ISC license. */
/* The mbox store's format code: mboxrd quoting both ways, From_ lines,
 * message boundaries and UIDL hashes, whole and cut at every octet. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* The plugin's format code has no host calls: compile it in. */
#include "../../plugins/mbox/mboxrd.c"
#include "test.h"

#define S(s) s, sizeof s - 1
/* buf[0..n) is the string literal lit, NULs and all. */
#define assert_lit(buf, n, lit) test_assert_mem(buf, n, lit, sizeof lit - 1)

struct outbuf {
	char b[4096];
	size_t n;
};

struct quote_case {
	const char *name;
	enum mboxrd_mode mode;
	const char *in;
	size_t in_len;
	const char *out;
	size_t out_len;
};

struct scan_case {
	const char *name;
	const char *in;
	size_t in_len;
	size_t n;		/* From_ lines */
	long from[4];		/* their offsets */
	long body[4];		/* where each message starts */
};

static int sink_buf(void *ctx, const char *p, size_t n);
static size_t run_filter(enum mboxrd_mode mode, const char *in, size_t n,
    size_t cut, struct outbuf *out, struct mboxrd_filter *f);
static void test_quote_table(void);
static void test_round_trip(void);
static void test_crlf_size(void);
static void test_long_prefix(void);
static void test_sink_error(void);
static int sink_fail(void *ctx, const char *p, size_t n);
static void test_from_line(void);
static int scan_note(void *ctx, off_t from, off_t body);
static void test_scan_table(void);
static void test_uid_hash(void);

static const struct quote_case quote_cases[] = {
	{ "quote: From at the start", MBOXRD_QUOTE,
	    S("From x\r\n"), S(">From x\n") },
	{ "quote: >From gets another", MBOXRD_QUOTE,
	    S("a\r\n>From x\r\n"), S("a\n>>From x\n") },
	{ "quote: >>>From gets another", MBOXRD_QUOTE,
	    S(">>>From \r\n"), S(">>>>From \n") },
	{ "quote: From without a space is left", MBOXRD_QUOTE,
	    S("From\r\nFromage\r\nFrom:x\r\n"), S("From\nFromage\nFrom:x\n") },
	{ "quote: > alone and >> F are left", MBOXRD_QUOTE,
	    S(">\r\n>> From\r\n> From x\r\n"), S(">\n>> From\n> From x\n") },
	{ "quote: From in mid-line is left", MBOXRD_QUOTE,
	    S("x From y\r\n"), S("x From y\n") },
	{ "quote: lower-case from is left", MBOXRD_QUOTE,
	    S("from x\r\nFROM x\r\n"), S("from x\nFROM x\n") },
	{ "quote: empty lines and CRLF to LF", MBOXRD_QUOTE,
	    S("\r\n\r\nFrom \r\n"), S("\n\n>From \n") },
	{ "quote: a bare CR is kept", MBOXRD_QUOTE,
	    S("a\rb\r\r\n"), S("a\rb\r\n") },
	{ "quote: a CR at the end is kept", MBOXRD_QUOTE,
	    S("a\r"), S("a\r") },
	{ "quote: a From prefix at the end", MBOXRD_QUOTE,
	    S(">>Fro"), S(">>Fro") },
	{ "quote: From at the very end", MBOXRD_QUOTE,
	    S("x\r\nFrom "), S("x\n>From ") },
	{ "quote: CR inside the prefix", MBOXRD_QUOTE,
	    S(">Fr\r\nFrom\r\r\n"), S(">Fr\nFrom\r\n") },
	{ "quote: LF alone is a line end too", MBOXRD_QUOTE,
	    S("a\nFrom x\n"), S("a\n>From x\n") },
	{ "quote: 8-bit and NUL pass", MBOXRD_QUOTE,
	    S("\xe9\0From\xff\r\n"), S("\xe9\0From\xff\n") },
	{ "unquote: >From loses one", MBOXRD_UNQUOTE,
	    S(">From x\n>>From y\n"), S("From x\n>From y\n") },
	{ "unquote: plain From is left", MBOXRD_UNQUOTE,
	    S("From x\n"), S("From x\n") },
	{ "unquote: > lines not before From are left", MBOXRD_UNQUOTE,
	    S(">\n>>x\n> From\n>Fromage\n"), S(">\n>>x\n> From\n>Fromage\n") },
	{ "unquote: CRLF is not touched", MBOXRD_UNQUOTE,
	    S(">From x\r\n\r\n"), S("From x\r\n\r\n") },
	{ "unquote: in mid-line is left", MBOXRD_UNQUOTE,
	    S("a >From\n"), S("a >From\n") },
	{ "unquote: no final newline", MBOXRD_UNQUOTE,
	    S("a\n>>From "), S("a\n>From ") },
};

static int
sink_buf(void *ctx, const char *p, size_t n)
{
	struct outbuf *o = ctx;

	if (o->n + n > sizeof o->b)
		return -1;
	memcpy(o->b + o->n, p, n);
	o->n += n;
	return 0;
}

/* Feeds in[0..n) cut at cut (and again, so three pieces when it can). */
static size_t
run_filter(enum mboxrd_mode mode, const char *in, size_t n, size_t cut,
    struct outbuf *out, struct mboxrd_filter *f)
{
	size_t cut2 = cut + (n - cut) / 2;

	out->n = 0;
	mboxrd_filter_init(f, mode, sink_buf, out);
	if (mboxrd_filter_write(f, in, cut) < 0 ||
	    mboxrd_filter_write(f, in + cut, cut2 - cut) < 0 ||
	    mboxrd_filter_write(f, in + cut2, n - cut2) < 0 ||
	    mboxrd_filter_finish(f) < 0)
		return (size_t)-1;
	return out->n;
}

static void
test_quote_table(void)
{
	static struct mboxrd_filter f;
	struct outbuf out;

	for (size_t i = 0; i < sizeof quote_cases / sizeof quote_cases[0];
	    i++) {
		const struct quote_case *c = &quote_cases[i];
		test_begin("%s", c->name);
		for (size_t cut = 0; cut <= c->in_len; cut++) {
			size_t n = run_filter(c->mode, c->in, c->in_len, cut,
			    &out, &f);
			test_assert_mem(out.b, n, c->out, c->out_len);
			test_assert_int(f.n_out, ==, c->out_len);
		}
		test_end();
	}
}

/* Quoting then unquoting gives back the LF form of any message. */
static void
test_round_trip(void)
{
	static struct mboxrd_filter f;
	static const char *const alphabet[] = {
		"From ", ">", "\r\n", "x", "F", "rom", " ", ">From ", "\n"
	};
	struct outbuf q, u;
	char in[256], lf[256];
	uint64_t x = 88172645463325252ULL;

	test_begin("quote then unquote is the identity (random lines)");
	for (int t = 0; t < 3000; t++) {
		size_t n = 0, m = 0;
		int parts = 1 + (int)(x % 20);
		for (int k = 0; k < parts; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			const char *a = alphabet[x % 9];
			size_t al = strlen(a);
			if (n + al >= sizeof in)
				break;
			memcpy(in + n, a, al);
			n += al;
		}
		/* What the store should hold once unquoted: LF line ends. */
		for (size_t k = 0; k < n; k++)
			if (!(in[k] == '\r' && k + 1 < n && in[k + 1] == '\n'))
				lf[m++] = in[k];
		size_t qn = run_filter(MBOXRD_QUOTE, in, n, (size_t)(x % (n +
		    1)), &q, &f);
		if (qn == (size_t)-1) {
			test_assert(qn != (size_t)-1);
			break;
		}
		/* No line of the quoted form starts with "From ". */
		for (size_t k = 0; k + 5 <= qn; k++)
			if ((k == 0 || q.b[k - 1] == '\n') &&
			    memcmp(q.b + k, "From ", 5) == 0) {
				test_assert(!"a From line survived quoting");
				k = qn;
			}
		size_t un = run_filter(MBOXRD_UNQUOTE, q.b, qn,
		    (size_t)((x >> 8) % (qn + 1)), &u, &f);
		test_assert_mem(u.b, un, lf, m);
		if (test_is_failed)
			break;
	}
	test_end();
}

/* LIST's size: LF counts two, a last line without LF gets CRLF. */
static void
test_crlf_size(void)
{
	static const struct {
		const char *in;
		off_t size;
	} cases[] = {
		{ "", 0 },
		{ "a\n", 3 },
		{ "a\r\n", 3 },
		{ "a", 3 },
		{ "a\nb", 6 },
		{ "\n\n", 4 },
		{ ">From x\n", 8 },
	};
	static struct mboxrd_filter f;

	test_begin("CRLF size of unquoted output");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		mboxrd_filter_init(&f, MBOXRD_UNQUOTE, NULL, NULL);
		test_assert_int(mboxrd_filter_write(&f, cases[i].in,
		    strlen(cases[i].in)), ==, 0);
		test_assert_int(mboxrd_filter_finish(&f), ==, 0);
		test_assert_int(mboxrd_filter_crlf_size(&f), ==, cases[i].size);
	}
	test_end();
}

/* A line of a million '>' is counted, not buffered. */
static void
test_long_prefix(void)
{
	static struct mboxrd_filter f;
	static char in[1000006];
	off_t n;

	test_begin("a million '>' then From: one more, nothing buffered");
	memset(in, '>', 1000000);
	memcpy(in + 1000000, "From \n", 6);
	mboxrd_filter_init(&f, MBOXRD_QUOTE, NULL, NULL);
	test_assert_int(mboxrd_filter_write(&f, in, sizeof in), ==, 0);
	test_assert_int(mboxrd_filter_finish(&f), ==, 0);
	n = f.n_out;
	test_assert_int(n, ==, sizeof in + 1);
	mboxrd_filter_init(&f, MBOXRD_UNQUOTE, NULL, NULL);
	test_assert_int(mboxrd_filter_write(&f, in, sizeof in), ==, 0);
	test_assert_int(mboxrd_filter_finish(&f), ==, 0);
	test_assert_int(f.n_out, ==, sizeof in - 1);
	test_end();
}

static int
sink_fail(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	errno = ENOSPC;
	return -1;
}

static void
test_sink_error(void)
{
	static struct mboxrd_filter f;
	static char in[40000];

	test_begin("a sink error stops the filter with its errno");
	memset(in, 'x', sizeof in);
	mboxrd_filter_init(&f, MBOXRD_QUOTE, sink_fail, NULL);
	errno = 0;
	int r = mboxrd_filter_write(&f, in, sizeof in);
	test_assert_int(r, ==, -1);
	test_assert_int(errno, ==, ENOSPC);
	mboxrd_filter_init(&f, MBOXRD_QUOTE, sink_fail, NULL);
	test_assert_int(mboxrd_filter_write(&f, "a", 1), ==, 0);
	test_assert_int(mboxrd_filter_finish(&f), ==, -1);
	test_end();
}

static void
test_from_line(void)
{
	struct tm tm = { .tm_year = 2026 - 1900, .tm_mon = 10, .tm_mday = 3,
	    .tm_hour = 7, .tm_min = 5, .tm_sec = 9, .tm_wday = 2 };
	char buf[128];
	size_t n;

	test_begin("From_ line: asctime date, day padded with a space");
	n = mboxrd_from_line(buf, sizeof buf, "bob@example.net", &tm);
	assert_lit(buf, n, "From bob@example.net Tue Nov  3 07:05:09 "
	    "2026\n");
	tm.tm_mday = 23;
	tm.tm_wday = 1;
	tm.tm_mon = 0;
	n = mboxrd_from_line(buf, sizeof buf, "a@b", &tm);
	assert_lit(buf, n, "From a@b Mon Jan 23 07:05:09 2026\n");
	test_end();

	test_begin("From_ line: the null sender is MAILER-DAEMON");
	n = mboxrd_from_line(buf, sizeof buf, "", &tm);
	assert_lit(buf, n, "From MAILER-DAEMON Mon Jan 23 07:05:09 "
	    "2026\n");
	test_end();

	test_begin("From_ line: spaces and controls in the sender become _");
	n = mboxrd_from_line(buf, sizeof buf, "\"a b\"\t\x7f@x", &tm);
	assert_lit(buf, n, "From \"a_b\"__@x Mon Jan 23 07:05:09 "
	    "2026\n");
	test_end();

	test_begin("From_ line: too long for the buffer is 0");
	test_assert_int(mboxrd_from_line(buf, 20, "bob@example.net", &tm), ==,
	    0);
	test_assert_int(mboxrd_from_line(buf, 46, "bob@example.net", &tm), ==,
	    0);
	test_assert_int(mboxrd_from_line(buf, 47, "bob@example.net", &tm), ==,
	    46);
	tm.tm_wday = 7;
	test_assert_int(mboxrd_from_line(buf, sizeof buf, "a", &tm), ==, 0);
	test_end();
}

struct scan_got {
	size_t n;
	long from[8], body[8];
};

static int
scan_note(void *ctx, off_t from, off_t body)
{
	struct scan_got *g = ctx;

	if (g->n < 8) {
		g->from[g->n] = (long)from;
		g->body[g->n] = (long)body;
	}
	g->n++;
	return 0;
}

static const struct scan_case scan_cases[] = {
	{ "scan: empty file", S(""), 0, { 0 }, { 0 } },
	{ "scan: one message", S("From a\nx\n\n"), 1, { 0 }, { 7 } },
	{ "scan: two messages", S("From a\nx\n\nFrom b\ny\n\n"), 2,
	    { 0, 10 }, { 7, 17 } },
	{ "scan: From not after an empty line is body",
	    S("From a\nx\nFrom b\n"), 1, { 0 }, { 7 } },
	{ "scan: >From is body", S("From a\n\n>From b\n"), 1, { 0 }, { 7 } },
	{ "scan: empty messages", S("From a\n\nFrom b\n\n"), 2, { 0, 8 },
	    { 7, 15 } },
	{ "scan: junk before the first", S("junk\n\nFrom a\n"), 1, { 6 },
	    { 13 } },
	{ "scan: From_ line without LF at the end", S("From a\n\nFrom b"), 2,
	    { 0, 8 }, { 7, 14 } },
	{ "scan: From without space is no separator", S("From\n\nFromage\n"),
	    0, { 0 }, { 0 } },
	{ "scan: CRLF empty line is not empty", S("From a\n\r\nFrom b\n"), 1,
	    { 0 }, { 7 } },
};

static void
test_scan_table(void)
{
	struct mboxrd_scan sc;
	struct scan_got g;

	for (size_t i = 0; i < sizeof scan_cases / sizeof scan_cases[0]; i++) {
		const struct scan_case *c = &scan_cases[i];
		test_begin("%s", c->name);
		for (size_t cut = 0; cut <= c->in_len; cut++) {
			memset(&g, 0, sizeof g);
			mboxrd_scan_init(&sc, scan_note, &g);
			test_assert_int(mboxrd_scan_write(&sc, c->in, cut), ==,
			    0);
			test_assert_int(mboxrd_scan_write(&sc, c->in + cut,
			    c->in_len - cut), ==, 0);
			test_assert_int(mboxrd_scan_finish(&sc), ==, 0);
			test_assert_int(g.n, ==, c->n);
			for (size_t k = 0; k < c->n && k < g.n; k++) {
				test_assert_int(g.from[k], ==, c->from[k]);
				test_assert_int(g.body[k], ==, c->body[k]);
			}
			if (test_is_failed)
				break;
		}
		test_end();
	}
}

static void
test_uid_hash(void)
{
	static const char from[] = "From a@b Mon Jan 23 07:05:09 2026";
	uint64_t h = mboxrd_uid_hash(S(from), S("Subject: x\nTo: y\n\nbody\n"));

	test_begin("UIDL hash: Status and friends do not count");
	test_assert(h == mboxrd_uid_hash(S(from),
	    S("Subject: x\nStatus: RO\nTo: y\nX-Status: A\n\nbody\n")));
	test_assert(h == mboxrd_uid_hash(S(from),
	    S("Subject: x\nTo: y\nx-uid: 7\nContent-Length: 5\nX-Keywords:\n"
	    " $x\n\nbody\n")));
	test_end();

	test_begin("UIDL hash: the body does not count, the header does");
	test_assert(h == mboxrd_uid_hash(S(from), S("Subject: x\nTo: y\n\n")));
	test_assert(h == mboxrd_uid_hash(S(from),
	    S("Subject: x\nTo: y\n\nother\n")));
	test_assert(h != mboxrd_uid_hash(S(from), S("Subject: z\nTo: y\n\n")));
	test_assert(h != mboxrd_uid_hash(S(from),
	    S("Subject: x\nTo: y\nStatusx: 1\n\n")));
	test_assert(h != mboxrd_uid_hash(S("From a@b Mon Jan 23 07:05:10 2026"),
	    S("Subject: x\nTo: y\n\n")));
	test_end();
}

int
main(void)
{
	test_quote_table();
	test_round_trip();
	test_crlf_size();
	test_long_prefix();
	test_sink_error();
	test_from_line();
	test_scan_table();
	test_uid_hash();
	return test_done();
}
