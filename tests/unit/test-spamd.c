/* ISC license. */
/* The spamd plugin's protocol: server syntax, request, answers, header. */
#include <stdlib.h>

#include "../../plugins/spamd/spamd-internal.h"
#include "test.h"

static void test_server(void);
static void test_decimal(void);
static void test_request(void);
static void test_parse(void);
static void test_complete(void);
static void test_symbols(void);
static void test_status(void);

struct server_case {
	const char *in;
	int rc;
	bool is_unix;
	const char *host, *port;
};

static const struct server_case server_cases[] = {
	{ "127.0.0.1:783", 0, false, "127.0.0.1", "783" },
	{ "spamd.example:11333", 0, false, "spamd.example", "11333" },
	{ "localhost", 0, false, "localhost", "783" },
	{ "[::1]:7830", 0, false, "::1", "7830" },
	{ "[2001:db8::5]", 0, false, "2001:db8::5", "783" },
	{ "unix:/run/spamd.sock", 0, true, "/run/spamd.sock", "" },
	{ "unix:", -1, false, NULL, NULL },
	{ "unix:run/spamd.sock", -1, false, NULL, NULL },
	{ "::1:783", -1, false, NULL, NULL },
	{ "127.0.0.1:", -1, false, NULL, NULL },
	{ ":783", -1, false, NULL, NULL },
	{ "127.0.0.1:0", -1, false, NULL, NULL },
	{ "127.0.0.1:65536", -1, false, NULL, NULL },
	{ "127.0.0.1:78x", -1, false, NULL, NULL },
	{ "127.0.0.1:-1", -1, false, NULL, NULL },
	{ "[::1]x", -1, false, NULL, NULL },
	{ "[::1", -1, false, NULL, NULL },
	{ "bad host:783", -1, false, NULL, NULL },
	{ "", -1, false, NULL, NULL },
};

static void
test_server(void)
{
	for (size_t i = 0; i < sizeof server_cases / sizeof server_cases[0];
	    i++) {
		const struct server_case *c = &server_cases[i];
		struct spamd_server srv;
		test_begin("server \"%s\"", c->in);
		int rc = spamd_server_parse(&srv, c->in);
		test_assert_int(rc, ==, c->rc);
		if (rc == 0 && c->rc == 0) {
			test_assert_int(srv.is_unix, ==, c->is_unix);
			test_assert_str(srv.host, c->host);
			test_assert_str(srv.port, c->port);
		}
		test_end();
	}
	test_begin("server: a unix path longer than sun_path");
	char longpath[200] = "unix:/";
	memset(longpath + 6, 'a', 150);
	longpath[156] = '\0';
	struct spamd_server srv;
	test_assert_int(spamd_server_parse(&srv, longpath), ==, -1);
	test_end();
}

static void
test_decimal(void)
{
	double v = -99;

	test_begin("decimal: accepted forms");
	test_assert(spamd_decimal("10", &v) == 0 && v == 10);
	test_assert(spamd_decimal("7.5", &v) == 0 && v == 7.5);
	test_assert(spamd_decimal("-0.25", &v) == 0 && v == -0.25);
	test_assert(spamd_decimal("0", &v) == 0 && v == 0);
	test_end();

	test_begin("decimal: refused forms");
	test_assert(spamd_decimal("", &v) < 0);
	test_assert(spamd_decimal("+5", &v) < 0);
	test_assert(spamd_decimal("5.", &v) < 0);
	test_assert(spamd_decimal(".5", &v) < 0);
	test_assert(spamd_decimal("5e3", &v) < 0);
	test_assert(spamd_decimal("0x10", &v) < 0);
	test_assert(spamd_decimal("inf", &v) < 0);
	test_assert(spamd_decimal("5 ", &v) < 0);
	test_assert(spamd_decimal("1,5", &v) < 0);
	test_end();
}

static void
test_request(void)
{
	char buf[256];

	test_begin("request: SYMBOLS with Content-length");
	test_assert_int(spamc_request(buf, sizeof buf, "SYMBOLS", 1234, NULL),
	    ==, 43);
	test_assert_str(buf, "SYMBOLS SPAMC/1.5\r\nContent-length: 1234\r\n"
	    "\r\n");
	test_end();

	test_begin("request: with User");
	spamc_request(buf, sizeof buf, "CHECK", 0, "mail");
	test_assert_str(buf, "CHECK SPAMC/1.5\r\nContent-length: 0\r\n"
	    "User: mail\r\n\r\n");
	test_end();

	test_begin("request: too small a buffer");
	test_assert_int(spamc_request(buf, 20, "SYMBOLS", 1234, NULL), ==, -1);
	test_end();
}

struct parse_case {
	const char *name;
	const char *in;
	int rc;
	bool is_spam;
	double score, required;
	const char *symbols;
	const char *error;	/* a part of it */
};

static const struct parse_case parse_cases[] = {
	{ "SpamAssassin SYMBOLS, ham",
	    "SPAMD/1.1 0 EX_OK\r\nContent-length: 21\r\n"
	    "Spam: False ; 0.0 / 5.0\r\n\r\nMSGID_SHORT,NO_RELAYS",
	    0, false, 0.0, 5.0, "MSGID_SHORT,NO_RELAYS", NULL },
	{ "SpamAssassin SYMBOLS, GTUBE",
	    "SPAMD/1.1 0 EX_OK\r\nContent-length: 68\r\n"
	    "Spam: True ; 1003.3 / 5.0\r\n\r\nGTUBE,MISSING_DATE,MISSING_MID,"
	    "NO_RECEIVED,NO_RELAYS,TVD_SPACE_RATIO",
	    0, true, 1003.3, 5.0, "GTUBE,MISSING_DATE,MISSING_MID,NO_RECEIVED,"
	    "NO_RELAYS,TVD_SPACE_RATIO", NULL },
	{ "CHECK: no body",
	    "SPAMD/1.1 0 EX_OK\r\nSpam: True ; 15.0 / 5.0\r\n\r\n",
	    0, true, 15.0, 5.0, "", NULL },
	{ "negative score, Yes/No words, LF only",
	    "SPAMD/1.5 0 EX_OK\nSpam: No ; -1.9 / 5.0\n\nALL_TRUSTED\n",
	    0, false, -1.9, 5.0, "ALL_TRUSTED", NULL },
	{ "rspamd style: two decimals, line end after symbols",
	    "SPAMD/1.3 0 EX_OK\r\nSpam: False ; 3.40 / 15.00\r\n\r\n"
	    "R_SPF_NA,MIME_GOOD\r\n",
	    0, false, 3.4, 15.0, "R_SPF_NA,MIME_GOOD", NULL },
	{ "no symbols",
	    "SPAMD/1.1 0 EX_OK\r\nContent-length: 0\r\n"
	    "Spam: False ; 0.0 / 5.0\r\n\r\n",
	    0, false, 0, 5.0, "", NULL },
	{ "body beyond Content-length ignored",
	    "SPAMD/1.1 0 EX_OK\r\nContent-length: 3\r\n"
	    "Spam: False ; 0.0 / 5.0\r\n\r\nA_B,EXTRA",
	    0, false, 0, 5.0, "A_B", NULL },
	{ "field names without regard to case",
	    "SPAMD/1.1 0 EX_OK\r\nspam: true;6/5\r\ncontent-LENGTH: 1\r\n"
	    "\r\nX",
	    0, true, 6, 5, "X", NULL },
	{ "unsafe symbols dropped",
	    "SPAMD/1.1 0 EX_OK\r\nSpam: False ; 1.0 / 5.0\r\n\r\n"
	    "GOOD,BAD\"ONE,A=B,UNI\xc3\xa9,LAST",
	    0, false, 1, 5, "GOOD,LAST", NULL },
	{ "error code",
	    "SPAMD/1.0 76 Bad header line: foo\r\n\r\n",
	    -1, false, 0, 0, NULL, "spamd answered: SPAMD/1.0 76 Bad header" },
	{ "error code with control characters",
	    "SPAMD/1.0 74 Bad\x1b[31m\r\n",
	    -1, false, 0, 0, NULL, "SPAMD/1.0 74 Bad?[31m" },
	{ "empty answer", "", -1, false, 0, 0, NULL, "without answering" },
	{ "first line cut", "SPAMD/1.1 0 EX", -1, false, 0, 0, NULL,
	    "first line" },
	{ "not SPAMD", "HTTP/1.1 200 OK\r\n\r\n", -1, false, 0, 0, NULL,
	    "not a SPAMD answer" },
	{ "no code", "SPAMD/1.1 EX_OK\r\n\r\n", -1, false, 0, 0, NULL,
	    "malformed" },
	{ "header cut", "SPAMD/1.1 0 EX_OK\r\nSpam: True ; 1 / 5\r\n", -1,
	    false, 0, 0, NULL, "within its header" },
	{ "no Spam field", "SPAMD/1.1 0 EX_OK\r\nContent-length: 0\r\n\r\n",
	    -1, false, 0, 0, NULL, "no Spam field" },
	{ "Spam field: unknown word",
	    "SPAMD/1.1 0 EX_OK\r\nSpam: Maybe ; 1 / 5\r\n\r\n",
	    -1, false, 0, 0, NULL, "malformed Spam" },
	{ "Spam field: no threshold",
	    "SPAMD/1.1 0 EX_OK\r\nSpam: True ; 1\r\n\r\n",
	    -1, false, 0, 0, NULL, "malformed Spam" },
	{ "Spam field: trailing junk",
	    "SPAMD/1.1 0 EX_OK\r\nSpam: True ; 1 / 5 x\r\n\r\n",
	    -1, false, 0, 0, NULL, "malformed Spam" },
	{ "Spam field: score not a number",
	    "SPAMD/1.1 0 EX_OK\r\nSpam: True ; nan / 5\r\n\r\n",
	    -1, false, 0, 0, NULL, "malformed Spam" },
};

static void
test_parse(void)
{
	for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0];
	    i++) {
		const struct parse_case *c = &parse_cases[i];
		struct spamc_result r;
		const char *error = NULL;
		test_begin("parse: %s", c->name);
		int rc = spamc_parse(c->in, strlen(c->in), &r, &error);
		test_assert_int(rc, ==, c->rc);
		if (rc == 0 && c->rc == 0) {
			test_assert_int(r.is_spam, ==, c->is_spam);
			test_assert_int((long)(r.score * 100 + (r.score < 0 ?
			    -0.5 : 0.5)), ==, (long)(c->score * 100 +
			    (c->score < 0 ? -0.5 : 0.5)));
			test_assert_int((long)(r.required * 100 + 0.5), ==,
			    (long)(c->required * 100 + 0.5));
			test_assert_str(r.symbols, c->symbols);
		}
		if (rc < 0 && c->rc < 0) {
			test_assert(error != NULL);
			if (error != NULL && strstr(error, c->error) == NULL)
				test_fail(__FILE__, __LINE__, "error \"%s\" "
				    "lacks \"%s\"", error, c->error);
		}
		test_end();
	}

	test_begin("parse: a truncated answer fails until its header is "
	    "whole");
	const char *good = parse_cases[1].in;
	for (size_t n = 0; n < strlen(good); n++) {
		struct spamc_result r;
		const char *error;
		char *copy = malloc(n + 1);
		memcpy(copy, good, n);
		copy[n] = '\0';
		/* Under ASan, a read past n is caught. */
		int rc = spamc_parse(copy, n, &r, &error);
		if (rc == 0)
			test_assert_int(n, >=, strstr(good, "\r\n\r\n") -
			    good + 4);
		free(copy);
	}
	test_end();
}

static void
test_complete(void)
{
	test_begin("complete: header and announced body");
	const char *a = "SPAMD/1.1 0 EX_OK\r\nContent-length: 5\r\n"
	    "Spam: False ; 0.0 / 5.0\r\n\r\nA,B,C";
	test_assert(spamc_is_complete(a, strlen(a)));
	test_assert(!spamc_is_complete(a, strlen(a) - 1));
	test_assert(!spamc_is_complete(a, 30));
	test_assert(!spamc_is_complete(a, 0));
	test_end();

	test_begin("complete: CHECK ends at the empty line");
	const char *b = "SPAMD/1.1 0 EX_OK\r\nSpam: False ; 0.0 / 5.0\r\n\r\n";
	test_assert(spamc_is_complete(b, strlen(b)));
	test_assert(!spamc_is_complete(b, strlen(b) - 1));
	test_end();
}

static void
test_symbols(void)
{
	char in[8192], *p;
	struct spamc_result r;
	const char *error;
	int n;

	test_begin("symbols: a long list is cut at a name, within the cap");
	n = snprintf(in, sizeof in, "SPAMD/1.1 0 EX_OK\r\n"
	    "Spam: True ; 9.0 / 5.0\r\n\r\n");
	p = in + n;
	for (int i = 0; i < 200; i++)
		p += sprintf(p, "%sRULE_NUMBER_%03d", i ? "," : "", i);
	test_assert_int(spamc_parse(in, strlen(in), &r, &error), ==, 0);
	test_assert_int(strlen(r.symbols), <=, SPAMC_SYMBOLS_MAX);
	test_assert_int(strlen(r.symbols), >, SPAMC_SYMBOLS_MAX - 16);
	test_assert(strncmp(r.symbols, "RULE_NUMBER_000,RULE_NUMBER_001,",
	    32) == 0);
	size_t len = strlen(r.symbols);
	test_assert(len >= 15 && strncmp(r.symbols + len - 15,
	    "RULE_NUMBER_", 12) == 0);
	test_end();
}

static void
test_status(void)
{
	struct spamc_result r = { false, 1.25, 5, "A,B" };
	char buf[1000];

	test_begin("status: SpamAssassin's shape");
	spamc_status(buf, sizeof buf, &r);
	test_assert_str(buf, "No, score=1.2 required=5.0 tests=A,B");
	r.is_spam = true;
	r.score = 7.25;
	r.symbols[0] = '\0';
	spamc_status(buf, sizeof buf, &r);
	test_assert_str(buf, "Yes, score=7.2 required=5.0 tests=none");
	r.score = -0.1;
	r.is_spam = false;
	spamc_status(buf, sizeof buf, &r);
	test_assert_str(buf, "No, score=-0.1 required=5.0 tests=none");
	test_end();
}

int
main(void)
{
	test_server();
	test_decimal();
	test_request();
	test_parse();
	test_complete();
	test_symbols();
	test_status();
	return test_done();
}
