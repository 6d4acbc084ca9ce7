/* ISC license. */
/* The patterns filter's rules parser, matcher and header reader. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

/* The plugin's parser is built into this test from its own source file. */
#include "../../plugins/patterns/rules.c"
#include "test.h"

static char tmp_dir[64];

static const char *tmp_file(const char *name, const char *text, size_t n);
static void test_parse_good(void);
static void test_parse_bad(void);
static void test_match(void);
static void test_load(void);
static void test_headers(void);
static void test_headers_limits(void);
static void cleanup(void);

static const char *
tmp_file(const char *name, const char *text, size_t n)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
	if ((f = fopen(path, "w")) == NULL || fwrite(text, 1, n, f) != n ||
	    fclose(f) != 0)
		abort();
	return path;
}

static void
test_parse_good(void)
{
	static const struct {
		const char *line;
		enum rule_field field;
		bool is_regex;
		enum rule_action action;
		short code;
		const char *status, *text, *header, *pattern;
	} cases[] = {
		{ "client glob 192.0.2.* reject 554 5.7.1 Go away",
		  FIELD_CLIENT, false, ACTION_REJECT, 554, "5.7.1", "Go away",
		  NULL, "192.0.2.*" },
		{ "  helo\tregex ^[0-9.]+$  reject 450 4.7.1   Bad HELO  \t",
		  FIELD_HELO, true, ACTION_REJECT, 450, "4.7.1", "Bad HELO",
		  NULL, "^[0-9.]+$" },
		{ "sender regex ^$ reject 550 5.7.1 No bounces here",
		  FIELD_SENDER, true, ACTION_REJECT, 550, "5.7.1",
		  "No bounces here", NULL, "^$" },
		{ "recipient glob *@old.example reject 551 5.1.6 Moved; "
		  "ticket #42", FIELD_RECIPIENT, false, ACTION_REJECT, 551,
		  "5.1.6", "Moved; ticket #42", NULL, "*@old.example" },
		{ "header regex ^Subject:.*viagra reject 554 5.7.123 No",
		  FIELD_HEADER, true, ACTION_REJECT, 554, "5.7.123", "No",
		  NULL, "^Subject:.*viagra" },
		{ "header glob X-Mailer:*bulk* tag X-Bulk yes, by rule",
		  FIELD_HEADER, false, ACTION_TAG, 0, "", "yes, by rule",
		  "X-Bulk", "X-Mailer:*bulk*" },
		{ "client glob 10.* tag X-Internal: 1", FIELD_CLIENT, false,
		  ACTION_TAG, 0, "", "1", "X-Internal", "10.*" },
		{ "sender glob # reject 550 5.7.1 a pattern may be #",
		  FIELD_SENDER, false, ACTION_REJECT, 550, "5.7.1",
		  "a pattern may be #", NULL, "#" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char line[512], err[300] = "";
		struct rule r;

		test_begin("patterns parse good %zu: %s", i, cases[i].line);
		snprintf(line, sizeof line, "%s", cases[i].line);
		test_assert_int(rule_parse(&r, line, err, sizeof err), ==, 1);
		test_assert_str(err, "");
		test_assert_int(r.field, ==, cases[i].field);
		test_assert_int(r.is_regex, ==, cases[i].is_regex);
		test_assert_int(r.action, ==, cases[i].action);
		test_assert_int(r.code, ==, cases[i].code);
		test_assert_str(r.status, cases[i].status);
		test_assert_str(r.text, cases[i].text);
		test_assert_str(r.header, cases[i].header);
		test_assert_str(r.pattern, cases[i].pattern);
		rule_free(&r);
		test_end();
	}

	static const char *const blank[] = {
		"", "   ", "\t", "# a comment", "   # indented comment",
		"#client glob * reject 554 5.7.1 commented out",
	};
	for (size_t i = 0; i < sizeof blank / sizeof blank[0]; i++) {
		char line[128], err[300] = "";
		struct rule r;

		test_begin("patterns parse blank %zu", i);
		snprintf(line, sizeof line, "%s", blank[i]);
		test_assert_int(rule_parse(&r, line, err, sizeof err), ==, 0);
		test_end();
	}
}

static void
test_parse_bad(void)
{
	static const struct {
		const char *line, *why;
	} cases[] = {
		{ "host glob * reject 554 5.7.1 x", "unknown field \"host\"" },
		{ "Client glob * reject 554 5.7.1 x", "unknown field" },
		{ "client", "missing kind" },
		{ "client wildcard * reject 554 5.7.1 x",
		  "unknown kind \"wildcard\"" },
		{ "client glob", "missing pattern" },
		{ "client glob *", "missing action" },
		{ "client glob * refuse 554 5.7.1 x",
		  "unknown action \"refuse\"" },
		{ "client glob * reject", "missing reply code" },
		{ "client glob * reject 250 2.0.0 fine",
		  "bad reply code \"250\"" },
		{ "client glob * reject 354 3.0.0 x", "bad reply code" },
		{ "client glob * reject 55 5.7.1 x", "bad reply code" },
		{ "client glob * reject 5500 5.7.1 x", "bad reply code" },
		{ "client glob * reject 5x0 5.7.1 x", "bad reply code" },
		{ "client glob * reject 554", "missing status" },
		{ "client glob * reject 554 5.7 x", "bad status" },
		{ "client glob * reject 554 5..1 x", "bad status" },
		{ "client glob * reject 554 5.7.1a x", "bad status" },
		{ "client glob * reject 554 5.1234.1 x", "bad status" },
		{ "client glob * reject 554 2.7.1 x", "bad status" },
		{ "client glob * reject 554 4.7.1 x",
		  "status 4.7.1 does not agree with code 554" },
		{ "client glob * reject 450 5.7.1 x",
		  "status 5.7.1 does not agree with code 450" },
		{ "client glob * reject 554 5.7.1", "missing reply text" },
		{ "client glob * reject 554 5.7.1    ", "missing reply text" },
		{ "client glob * reject 554 5.7.1 tab\there",
		  "bad reply text" },
		{ "client glob * reject 554 5.7.1 caf\xc3\xa9",
		  "bad reply text" },
		{ "header regex ( reject 554 5.7.1 x", "bad regex \"(\": " },
		{ "header regex a{2,1} reject 554 5.7.1 x", "bad regex" },
		{ "header regex [[:nope:]] reject 554 5.7.1 x", "bad regex" },
		{ "header glob * tag", "missing header field name" },
		{ "header glob * tag X-Foo", "missing header field value" },
		{ "header glob * tag X:Foo v", "bad header field name" },
		{ "header glob * tag : v", "bad header field name" },
		{ "header glob * tag X-\xc3\xa9 v", "bad header field name" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char line[512], err[300] = "";
		struct rule r;

		test_begin("patterns parse bad %zu", i);
		snprintf(line, sizeof line, "%s", cases[i].line);
		test_assert_int(rule_parse(&r, line, err, sizeof err), ==, -1);
		if (strstr(err, cases[i].why) == NULL)
			test_fail(__FILE__, __LINE__, "error \"%s\" lacks "
			    "\"%s\"", err, cases[i].why);
		test_end();
	}

	char line[RULES_LINE_MAX], err[300];
	struct rule r;
	test_begin("patterns parse text too long");
	snprintf(line, sizeof line, "client glob * reject 554 5.7.1 ");
	memset(line + strlen(line), 'x', RULES_TEXT_MAX + 1);
	line[31 + RULES_TEXT_MAX + 1] = '\0';
	test_assert_int(rule_parse(&r, line, err, sizeof err), ==, -1);
	test_assert(strstr(err, "bad reply text") != NULL);
	test_end();
}

static void
test_match(void)
{
	static const struct {
		const char *rule, *value;
		bool is_match;
	} cases[] = {
		{ "sender glob *@SPAM.example", "joe@spam.EXAMPLE", true },
		{ "sender glob *@spam.example", "joe@spam.example.org", false },
		{ "sender glob *@*.example", "a/b@x.example", true },
		{ "helo glob ?*.example", ".example", false },
		{ "helo glob [0-9]*", "192.0.2.1", true },
		{ "client glob 192.0.2.?", "192.0.2.7", true },
		{ "client glob 192.0.2.?", "192.0.2.77", false },
		{ "client glob 2001:db8::*", "2001:DB8::1", true },
		{ "header regex ^subject:.*VIAGRA", "Subject: cheap viagra",
		  true },
		{ "header regex ^subject:.*viagra", "X-Subject: viagra",
		  false },
		{ "header regex viagra", "X-Subject: viagra", true },
		{ "header regex ^Subject:[[:space:]]+hi$", "Subject: hi",
		  true },
		{ "header regex ^Subject:[[:space:]]+hi$", "Subject:hi",
		  false },
		{ "header glob Subject:[[:space:]]hi", "Subject: hi", true },
		{ "header glob Subject:?hi", "Subject: hi", true },
		{ "sender regex ^$", "", true },
		{ "sender regex ^$", "a@b", false },
		{ "sender regex (a|b)+@x\\.example", "abba@x.example", true },
		{ "sender regex (a|b)+@x\\.example", "c@xyexample", false },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char line[512], err[300] = "";
		struct rule r;

		test_begin("patterns match %zu: %s ~ %s", i, cases[i].rule,
		    cases[i].value);
		snprintf(line, sizeof line, "%s reject 550 5.7.1 x",
		    cases[i].rule);
		test_assert_int(rule_parse(&r, line, err, sizeof err), ==, 1);
		test_assert_int(rule_match(&r, cases[i].value), ==,
		    cases[i].is_match);
		rule_free(&r);
		test_end();
	}
}

static void
test_load(void)
{
	struct rules rs;
	char err[700];
	const char *path;

	test_begin("patterns load good file");
	static const char good[] =
	    "# rules\r\n"
	    "\n"
	    "client glob 192.0.2.* reject 554 5.7.1 Go away\r\n"
	    "   # indented comment\n"
	    "header regex ^Subject:.*x tag X-Flag yes\n"
	    "sender glob *@spam.example reject 450 4.7.1 Later";
	path = tmp_file("good", good, sizeof good - 1);
	memset(&rs, 0, sizeof rs);
	test_assert_int(rules_load(&rs, path, err, sizeof err), ==, 0);
	test_assert_int(rs.n, ==, 3);
	if (rs.n == 3) {
		test_assert_int(rs.v[0].line, ==, 3);
		test_assert_str(rs.v[0].text, "Go away");
		test_assert_int(rs.v[1].line, ==, 5);
		test_assert_str(rs.v[1].header, "X-Flag");
		test_assert_int(rs.v[2].line, ==, 6);
		test_assert_str(rs.v[2].text, "Later");
	}
	test_assert_str(rs.path, path);
	rules_free(&rs);
	test_end();

	test_begin("patterns load names file and line");
	static const char bad[] =
	    "client glob * reject 554 5.7.1 ok\n"
	    "# fine\n"
	    "header regex a(b reject 554 5.7.1 broken\n";
	path = tmp_file("bad", bad, sizeof bad - 1);
	memset(&rs, 0, sizeof rs);
	test_assert_int(rules_load(&rs, path, err, sizeof err), ==, -1);
	char want[300];
	snprintf(want, sizeof want, "%s:3: bad regex \"a(b\": ", path);
	test_assert(strncmp(err, want, strlen(want)) == 0);
	test_assert_int(rs.n, ==, 0);
	test_assert(rs.v == NULL && rs.path == NULL);
	test_end();

	test_begin("patterns load missing file");
	memset(&rs, 0, sizeof rs);
	snprintf(want, sizeof want, "%s/nonexistent", tmp_dir);
	test_assert_int(rules_load(&rs, want, err, sizeof err), ==, -1);
	test_assert(strstr(err, "nonexistent: No such file") != NULL);
	test_end();

	test_begin("patterns load line too long");
	char *big = malloc(RULES_LINE_MAX + 100);
	memset(big, 'x', RULES_LINE_MAX + 50);
	memcpy(big, "# ok\n", 5);
	big[RULES_LINE_MAX + 50] = '\n';
	path = tmp_file("long", big, RULES_LINE_MAX + 51);
	free(big);
	memset(&rs, 0, sizeof rs);
	test_assert_int(rules_load(&rs, path, err, sizeof err), ==, -1);
	snprintf(want, sizeof want, "%s:2: line too long", path);
	test_assert(strncmp(err, want, strlen(want)) == 0);
	test_end();

	test_begin("patterns load NUL in line");
	path = tmp_file("nul", "client glob *\0 reject\n", 22);
	memset(&rs, 0, sizeof rs);
	test_assert_int(rules_load(&rs, path, err, sizeof err), ==, -1);
	snprintf(want, sizeof want, "%s:1: NUL", path);
	test_assert(strncmp(err, want, strlen(want)) == 0);
	test_end();
}

/* Collects the fields headers_scan() hands on, "|"-separated. */
struct collect {
	char out[20000];
	int n, stop_at;
};

static int
collect_field(void *arg, const char *field)
{
	struct collect *c = arg;
	size_t o = strlen(c->out);

	snprintf(c->out + o, sizeof c->out - o, "%s%s", c->n ? "|" : "",
	    field);
	return ++c->n == c->stop_at;
}

static int
scan_text(const char *name, const char *text, size_t n, struct collect *c)
{
	const char *path = tmp_file(name, text, n);
	int fd = open(path, O_RDONLY);
	int k;

	memset(c->out, 0, sizeof c->out);
	c->n = 0;
	if (fd < 0)
		abort();
	k = headers_scan(fd, (off_t)n, collect_field, c);
	close(fd);
	return k;
}

#define TRACE "Return-Path: <a@example.net>\r\n" \
	"Received: from x (x [192.0.2.7])\r\n\tby mx (cartero) with ESMTP " \
	"id 1;\r\n\tMon, 1 Jan 2024 00:00:00 +0000\r\n"

static void
test_headers(void)
{
	static const struct {
		const char *name, *text, *want;
		int stop_at, result;
	} cases[] = {
		{ "plain", TRACE "Subject: hi\r\nFrom: a@b\r\n\r\nbody: no\r\n",
		  "Subject: hi|From: a@b", 0, 0 },
		{ "folded", TRACE "Subject: one\r\n  two\r\n\tthree\r\nX: y"
		  "\r\n\r\n", "Subject: one two three|X: y", 0, 0 },
		{ "client received kept", TRACE "Received: from elsewhere\r\n"
		  "\tby relay\r\nSubject: s\r\n\r\n",
		  "Received: from elsewhere by relay|Subject: s", 0, 0 },
		{ "no trace", "Subject: s\r\nReceived: r\r\n\r\n",
		  "Subject: s|Received: r", 0, 0 },
		{ "no body", TRACE "Subject: s\r\nTo: t", "Subject: s|To: t",
		  0, 0 },
		{ "empty header", TRACE "\r\nSubject: body\r\n", "", 0, 0 },
		{ "not a field ends header", TRACE "Subject: s\r\nhello there"
		  "\r\nX: y\r\n", "Subject: s", 0, 0 },
		{ "space before colon ends header", TRACE "Subject : s\r\n",
		  "", 0, 0 },
		{ "bare LF", TRACE "Subject: s\n\tmore\nX: y\n\nZ: z\n",
		  "Subject: s more|X: y", 0, 0 },
		{ "stop", TRACE "A: 1\r\nB: 2\r\nC: 3\r\n\r\n", "A: 1|B: 2",
		  2, 1 },
		{ "empty value", TRACE "X-Empty:\r\nY: \r\n\r\n",
		  "X-Empty:|Y: ", 0, 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct collect c = { .stop_at = cases[i].stop_at };

		test_begin("patterns headers %s", cases[i].name);
		test_assert_int(scan_text("msg", cases[i].text,
		    strlen(cases[i].text), &c), ==, cases[i].result);
		test_assert_str(c.out, cases[i].want);
		test_end();
	}

	test_begin("patterns headers pread error");
	struct collect c = { .stop_at = 0 };
	errno = 0;
	test_assert_int(headers_scan(-1, 100, collect_field, &c), ==, -1);
	test_assert_int(errno, ==, EBADF);
	test_end();
}

static void
test_headers_limits(void)
{
	struct collect *c = calloc(1, sizeof *c);
	size_t cap = 200000, o;
	char *m = malloc(cap);

	/* A 10000-octet field is matched on its first HEADER_MATCH_MAX. */
	test_begin("patterns headers long field cut at %d", HEADER_MATCH_MAX);
	o = (size_t)snprintf(m, cap, TRACE "X-Long: ");
	memset(m + o, 'a', 10000);
	o += 10000;
	o += (size_t)snprintf(m + o, cap - o, "\r\nSubject: after\r\n\r\n");
	test_assert_int(scan_text("long", m, o, c), ==, 0);
	test_assert_int(c->n, ==, 2);
	test_assert_int(strlen(c->out), ==,
	    HEADER_MATCH_MAX + strlen("|Subject: after"));
	test_assert(strncmp(c->out, "X-Long: aaa", 11) == 0);
	test_assert_str(c->out + HEADER_MATCH_MAX, "|Subject: after");
	test_end();

	/* Folds of a long field are cut too, not only its first line. */
	test_begin("patterns headers long folded field");
	o = (size_t)snprintf(m, cap, TRACE "X-Fold: a");
	for (int i = 0; i < 1000; i++)
		o += (size_t)snprintf(m + o, cap - o, "\r\n bcdefghij");
	o += (size_t)snprintf(m + o, cap - o, "\r\nZ: z\r\n\r\n");
	test_assert_int(scan_text("fold", m, o, c), ==, 0);
	test_assert_int(c->n, ==, 2);
	test_assert_int(strlen(c->out), ==, HEADER_MATCH_MAX + 5);
	test_assert(strncmp(c->out, "X-Fold: a bcdefghij bcd", 23) == 0);
	test_end();

	/* Past HEADER_MAX_OCTETS of the client's header nothing is read. */
	test_begin("patterns headers stop after %d octets", HEADER_MAX_OCTETS);
	o = (size_t)snprintf(m, cap, TRACE);
	int fields = 0;
	while (o < 100000) {
		o += (size_t)snprintf(m + o, cap - o, "X-%05d: %089d\r\n",
		    fields++, 0);
	}
	o += (size_t)snprintf(m + o, cap - o, "\r\n");
	test_assert_int(scan_text("many", m, o, c), ==, 0);
	/* Each field is 100 octets: 655 whole ones, then the 656th cut. */
	test_assert_int(c->n, ==, HEADER_MAX_OCTETS / 100 + 1);
	test_assert(c->n < fields);
	test_end();

	free(m);
	free(c);
}

static void
cleanup(void)
{
	static const char *const names[] = {
		"good", "bad", "long", "nul", "msg", "fold", "many"
	};
	char path[128];

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", tmp_dir, names[i]);
		unlink(path);
	}
	rmdir(tmp_dir);
}

int
main(void)
{
	snprintf(tmp_dir, sizeof tmp_dir, "/tmp/test-patterns-XXXXXX");
	if (mkdtemp(tmp_dir) == NULL)
		return 2;
	test_parse_good();
	test_parse_bad();
	test_match();
	test_load();
	test_headers();
	test_headers_limits();
	cleanup();
	return test_done();
}
