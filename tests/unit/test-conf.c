/* ISC license. */
/* cartero.conf(5) parsing on temporary files: every error names file:line. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../../sdk/src/conf-internal.h"
#include "test.h"

static char tmp_dir[64];
static char root_cwd[PATH_MAX];

static const char *conf_file(const char *name, const char *text, size_t n);
static void conf_free(struct conf *c);
static bool has_where(const char *msg, const char *path, int line);
static void test_good(void);
static void test_bad(void);
static void test_keys(void);
static void test_uint(void);
static void test_bool(void);
static void test_path(void);
static void cleanup(void);

/* Writes text into tmp_dir/name; returns the path (static). */
static const char *
conf_file(const char *name, const char *text, size_t n)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
	if ((f = fopen(path, "w")) == NULL || fwrite(text, 1, n, f) != n ||
	    fclose(f) != 0)
		abort();
	return path;
}

/* The runtime never frees a configuration; the test does, so that the
 * leak checker sees real leaks only. */
static void
conf_free(struct conf *c)
{
	struct cartero_conf *s = c->first;

	while (s != NULL) {
		struct cartero_conf *next = s->next;
		free(s->entries);
		free(s);
		s = next;
	}
	free(c->path);
	free(c->dir);
	free(c->text);
	memset(c, 0, sizeof *c);
}

/* Does msg start with "path:line:"? */
static bool
has_where(const char *msg, const char *path, int line)
{
	char want[300];

	snprintf(want, sizeof want, "%s:%d:", path, line);
	return msg != NULL && strncmp(msg, want, strlen(want)) == 0;
}

static const char good_text[] =
	"# cartero test\n"				/* 1 */
	"hostname = mx.example.org   # trailing\n"	/* 2 */
	"plugin_dir=plugins\n"				/* 3 */
	"  # indented comment\n"			/* 4 */
	"[smtpd]\n"					/* 5 */
	"filters = limits\n"				/* 6 */
	"\trelay = yes\t\t\n"				/* 7 */
	"auth = a#b\n"					/* 8 */
	"timeout=30\r\n"				/* 9 */
	"empty =\n"					/* 10 */
	"\n"						/* 11 */
	"[plugin limits]\n"				/* 12 */
	"max = 5 #\tc\n"				/* 13 */
	"[ domain   example.org ]\n"			/* 14 */
	"store = maildir\n"				/* 15 */
	"path = /var/mail/%d/%u\n"			/* 16 */
	"[domain example.net]\n"			/* 17 */
	"store = maildir\n"				/* 18 */
	"[relay]\n"					/* 19 */
	"hostname = other\n";				/* 20 */

static void
test_good(void)
{
	struct conf c;
	const char *err = NULL, *path = conf_file("good.conf", good_text,
	    sizeof good_text - 1);
	const struct cartero_conf *top, *smtpd, *plugin, *dom;
	char where[300];

	test_begin("conf good file loads");
	test_assert_int(conf_load(&c, path, &err), ==, 0);
	test_assert(err == NULL);
	test_end();

	test_begin("conf top level keys, comment after value cut");
	top = conf_section(&c, "", "");
	test_assert(top != NULL && top == c.first);
	test_assert_str(conf_get(top, "hostname"), "mx.example.org");
	test_assert_str(conf_get(top, "plugin_dir"), "plugins");
	test_assert(conf_get(top, "filters") == NULL);
	test_assert(conf_get(NULL, "hostname") == NULL);
	test_end();

	test_begin("conf [smtpd]: trimming, a#b kept, CRLF, empty value");
	smtpd = conf_section(&c, "smtpd", "");
	test_assert(smtpd != NULL);
	test_assert_str(conf_get(smtpd, "filters"), "limits");
	test_assert_str(conf_get(smtpd, "relay"), "yes");
	test_assert_str(conf_get(smtpd, "auth"), "a#b");
	test_assert_str(conf_get(smtpd, "timeout"), "30");
	test_assert_str(conf_get(smtpd, "empty"), "");
	test_assert(conf_get(smtpd, "hostname") == NULL);
	test_assert_int(smtpd ? smtpd->n_entries : 0, ==, 5);
	test_end();

	test_begin("conf [kind name] sections");
	plugin = conf_section(&c, "plugin", "limits");
	test_assert(plugin != NULL);
	test_assert_str(conf_get(plugin, "max"), "5");
	test_assert(conf_section(&c, "plugin", "") == NULL);
	test_assert(conf_section(&c, "plugin", "limit") == NULL);
	dom = conf_section(&c, "domain", "example.org");
	test_assert(dom != NULL);
	test_assert_str(conf_get(dom, "path"), "/var/mail/%d/%u");
	test_assert(conf_section(&c, "domain", "example.net") != NULL);
	test_assert(conf_section(&c, "domain", "example.com") == NULL);
	test_assert_str(conf_get(conf_section(&c, "relay", ""), "hostname"),
	    "other");
	test_end();

	test_begin("conf lines: conf_where and section lines");
	test_assert_int(smtpd ? smtpd->line : 0, ==, 5);
	test_assert_int(dom ? dom->line : 0, ==, 14);
	snprintf(where, sizeof where, "%s:9", path);
	test_assert_str(conf_where(smtpd, "timeout"), where);
	snprintf(where, sizeof where, "%s:13", path);
	test_assert_str(conf_where(plugin, "max"), where);
	/* A key that is not there: the section's own line. */
	snprintf(where, sizeof where, "%s:12", path);
	test_assert_str(conf_where(plugin, "nokey"), where);
	test_end();
	conf_free(&c);
}

struct bad_case {
	const char *name;
	const char *text;
	int line;
	const char *what;
};

static const struct bad_case bad[] = {
	{ "duplicate key", "a = 1\nb = 2\na = 3\n", 3, "duplicate key" },
	{ "duplicate key, other value spelling", "a=1\n\n  a =  1  \n", 3,
	    "duplicate key" },
	{ "duplicate key in a later section",
	    "a = 1\n[smtpd]\na = 1\nb = 1\n# c\na = 2\n", 6, "duplicate key" },
	{ "duplicate section", "[smtpd]\n[pop3d]\n[smtpd]\n", 3,
	    "duplicate section" },
	{ "duplicate named section", "[domain a]\nx = 1\n[domain b]\n"
	    "[domain  a ]\n", 4, "duplicate section" },
	{ "line without =", "hostname = x\njunk\n", 2, "expected key = value" },
	{ "line without = after comments", "# a\n  # b\nbad line # c\n", 3,
	    "expected key = value" },
	{ "CRLF file, line without =", "a = 1\r\nb\r\n", 2,
	    "expected key = value" },
	{ "unclosed header", "\n\n[smtpd\n", 3, "malformed section header" },
	{ "empty header", "[]\n", 1, "malformed section header" },
	{ "blank header", "[ ]\n", 1, "malformed section header" },
	{ "upper-case header", "[SMTPD]\n", 1, "malformed section header" },
	{ "text after header", "[smtpd] x\n", 1, "malformed section header" },
	{ "header with a dot", "a=1\n[smt.pd]\n", 2,
	    "malformed section header" },
	{ "header of three words", "[plugin a b]\n", 1,
	    "malformed section name" },
	{ "bracket in section name", "[plugin a]b]\n", 1,
	    "malformed section name" },
	{ "space in key", "max errors = 3\n", 1, "malformed key" },
	{ "empty key", "x = 1\n = 3\n", 2, "malformed key" },
	{ "upper-case key", "Hostname = x\n", 1, "malformed key" },
	{ "key a#b is not a comment", "a#b = 1\n", 1, "malformed key" },
};

static void
test_bad(void)
{
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct conf c;
		const char *err = NULL, *path = conf_file("bad.conf",
		    bad[i].text, strlen(bad[i].text));

		test_begin("conf error: %s", bad[i].name);
		test_assert_int(conf_load(&c, path, &err), ==, -1);
		test_assert(has_where(err, path, bad[i].line));
		test_assert(err != NULL && strstr(err, bad[i].what) != NULL);
		if (err != NULL && !has_where(err, path, bad[i].line))
			printf("#   got \"%s\"\n", err);
		conf_free(&c);
		test_end();
	}

	struct conf c;
	const char *err = NULL;
	char missing[128];

	test_begin("conf error: missing file names the file");
	snprintf(missing, sizeof missing, "%s/none/cartero.conf", tmp_dir);
	test_assert_int(conf_load(&c, missing, &err), ==, -1);
	test_assert(err != NULL && strncmp(err, missing, strlen(missing)) == 0);
	conf_free(&c);
	test_end();

	static const char nul_text[] = "a = 1\nb = \0\n";
	static const char ok_text[] = "timeout = 1\n[smtpd]\ntimeout = 2\n"
	    "[pop3d]\ntimeout = 3\n[plugin a]\n[domain a]\n";

	test_begin("conf error: NUL byte in the file");
	const char *path = conf_file("nul.conf", nul_text,
	    sizeof nul_text - 1);
	err = NULL;
	test_assert_int(conf_load(&c, path, &err), ==, -1);
	test_assert(err != NULL && strncmp(err, path, strlen(path)) == 0);
	test_assert(err != NULL && strstr(err, "NUL") != NULL);
	conf_free(&c);
	test_end();

	test_begin("conf same key in two sections is fine");
	path = conf_file("ok.conf", ok_text, sizeof ok_text - 1);
	err = NULL;
	test_assert_int(conf_load(&c, path, &err), ==, 0);
	test_assert_str(conf_get(conf_section(&c, "pop3d", ""), "timeout"),
	    "3");
	test_assert(conf_section(&c, "domain", "a") != NULL);
	conf_free(&c);
	test_end();

	test_begin("conf empty file loads");
	path = conf_file("empty.conf", "", 0);
	err = NULL;
	test_assert_int(conf_load(&c, path, &err), ==, 0);
	test_assert(c.first != NULL && c.first->n_entries == 0 &&
	    c.first->next == NULL);
	conf_free(&c);
	test_end();
}

static void
test_keys(void)
{
	static const char *const top_keys[] = { "hostname", "plugin_dir",
	    "user", NULL };
	static const char *const smtpd_keys[] = { "filters", "relay", "auth",
	    "timeout", NULL };
	static const char *const more[] = { "empty", NULL };
	struct conf c;
	const char *err = NULL, *path = conf_file("good.conf", good_text,
	    sizeof good_text - 1);
	const struct cartero_conf *smtpd;

	test_assert_int(conf_load(&c, path, &err), ==, 0);
	smtpd = conf_section(&c, "smtpd", "");

	test_begin("conf_check_keys: all known");
	err = NULL;
	test_assert_int(conf_check_keys(c.first, top_keys, NULL, &err), ==, 0);
	test_assert_int(conf_check_keys(smtpd, smtpd_keys, more, &err), ==, 0);
	test_assert_int(conf_check_keys(smtpd, more, smtpd_keys, &err), ==, 0);
	test_assert(err == NULL);
	test_end();

	test_begin("conf_check_keys: unknown key names file:line and key");
	err = NULL;
	test_assert_int(conf_check_keys(smtpd, smtpd_keys, NULL, &err), ==,
	    -1);
	test_assert(has_where(err, path, 10));
	test_assert(err != NULL &&
	    strstr(err, "unknown key \"empty\"") != NULL);
	test_assert(err != NULL && strstr(err, "[smtpd]") != NULL);
	test_end();

	test_begin("conf_check_keys: no key list at all");
	err = NULL;
	test_assert_int(conf_check_keys(conf_section(&c, "plugin", "limits"),
	    NULL, NULL, &err), ==, -1);
	test_assert(has_where(err, path, 13));
	test_assert(err != NULL && strstr(err, "\"max\"") != NULL);
	test_assert(err != NULL && strstr(err, "[plugin limits]") != NULL);
	test_end();

	test_begin("conf_check_keys: top level");
	err = NULL;
	test_assert_int(conf_check_keys(c.first, smtpd_keys, NULL, &err), ==,
	    -1);
	test_assert(has_where(err, path, 2));
	test_assert(err != NULL && strstr(err, "\"hostname\"") != NULL);
	test_end();
	conf_free(&c);
}

static const char uint_text[] =
	"zero = 0\n"			/* 1 */
	"n = 123\n"			/* 2 */
	"seven = 7\n"			/* 3 */
	"nineteen = 19\n"		/* 4 */
	"twenty = 20\n"			/* 5 */
	"lead = 007\n"			/* 6 */
	"junk = 12a\n"			/* 7 */
	"neg = -1\n"			/* 8 */
	"plus = +1\n"			/* 9 */
	"space = 1 2\n"			/* 10 */
	"empty =\n"			/* 11 */
	"hex = 0x10\n"			/* 12 */
	"ullmax = 18446744073709551615\n"	/* 13 */
	"ullover = 18446744073709551616\n"	/* 14 */
	"huge = 99999999999999999999999999\n"	/* 15 */
	"big = 1099511627776\n"		/* 16 */
	"yes = yes\n"			/* 17 */
	"no = no\n";			/* 18 */

static void
test_uint(void)
{
	static const struct {
		const char *key;
		unsigned long long def, max;
		int want;
		unsigned long long value;
		int line;
	} cases[] = {
		{ "absent", 42, 100, 0, 42, 0 },
		{ "zero", 5, 0, 0, 0, 1 },
		{ "n", 0, 1000, 0, 123, 2 },
		{ "n", 0, 123, 0, 123, 2 },
		{ "n", 0, 122, -1, 0, 2 },
		{ "seven", 0, 7, 0, 7, 3 },
		{ "seven", 0, 6, -1, 0, 3 },
		{ "seven", 0, 5, -1, 0, 3 },
		{ "seven", 0, 0, -1, 0, 3 },
		{ "nineteen", 0, 19, 0, 19, 4 },
		{ "nineteen", 0, 18, -1, 0, 4 },
		{ "twenty", 0, 19, -1, 0, 5 },
		{ "twenty", 0, 20, 0, 20, 5 },
		{ "lead", 0, 10, 0, 7, 6 },
		{ "junk", 0, 1000, -1, 0, 7 },
		{ "neg", 0, 1000, -1, 0, 8 },
		{ "plus", 0, 1000, -1, 0, 9 },
		{ "space", 0, 1000, -1, 0, 10 },
		{ "empty", 0, 1000, -1, 0, 11 },
		{ "hex", 0, 1000, -1, 0, 12 },
		{ "ullmax", 0, ULLONG_MAX, 0, ULLONG_MAX, 13 },
		{ "ullmax", 0, ULLONG_MAX - 1, -1, 0, 13 },
		{ "ullover", 0, ULLONG_MAX, -1, 0, 14 },
		{ "huge", 0, ULLONG_MAX, -1, 0, 15 },
		{ "big", 0, 1ULL << 40, 0, 1ULL << 40, 16 },
		{ "big", 0, (1ULL << 40) - 1, -1, 0, 16 },
	};
	struct conf c;
	const char *err = NULL, *path = conf_file("uint.conf", uint_text,
	    sizeof uint_text - 1);

	if (conf_load(&c, path, &err) < 0)
		abort();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unsigned long long v = 99;
		test_begin("conf_get_uint %s max %llu", cases[i].key,
		    cases[i].max);
		err = NULL;
		int r = conf_get_uint(c.first, cases[i].key, cases[i].def,
		    cases[i].max, &v, &err);
		test_assert_int(r, ==, cases[i].want);
		if (cases[i].want == 0) {
			test_assert(v == cases[i].value);
			if (v != cases[i].value)
				printf("#   got %llu\n", v);
		} else {
			test_assert(has_where(err, path, cases[i].line));
			test_assert(err != NULL &&
			    strstr(err, cases[i].key) != NULL);
		}
		test_end();
	}
	conf_free(&c);
}

static void
test_bool(void)
{
	static const char text[] = "y = yes\nn = no\nbig = Yes\none = 1\n"
	    "true = true\nempty =\n";
	static const struct {
		const char *key;
		bool def;
		int want;
		bool value;
		int line;
	} cases[] = {
		{ "y", false, 0, true, 1 },
		{ "n", true, 0, false, 2 },
		{ "absent", true, 0, true, 0 },
		{ "absent", false, 0, false, 0 },
		{ "big", false, -1, false, 3 },
		{ "one", false, -1, false, 4 },
		{ "true", false, -1, false, 5 },
		{ "empty", false, -1, false, 6 },
	};
	struct conf c;
	const char *err = NULL, *path = conf_file("bool.conf", text,
	    sizeof text - 1);

	if (conf_load(&c, path, &err) < 0)
		abort();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool v = !cases[i].value;
		test_begin("conf_get_bool %s default %s", cases[i].key,
		    cases[i].def ? "yes" : "no");
		err = NULL;
		test_assert_int(conf_get_bool(c.first, cases[i].key,
		    cases[i].def, &v, &err), ==, cases[i].want);
		if (cases[i].want == 0)
			test_assert_int(v, ==, cases[i].value);
		else {
			test_assert(has_where(err, path, cases[i].line));
			test_assert(err != NULL &&
			    strstr(err, "yes or no") != NULL);
		}
		test_end();
	}
	conf_free(&c);
}

/* Relative paths resolve against the configuration's folder, made absolute
 * at load time, whatever the working folder was or becomes. */
static void
test_path(void)
{
	static const char text[] = "rel = maildir\nabs = /var/mail\n"
	    "up = ../x\nempty =\n";
	char sub[128], want[PATH_MAX + 16], real[PATH_MAX];
	static const struct {
		const char *name, *cwd, *conf;
	} loads[] = {
		{ "absolute config path", NULL, "" },
		{ "config path relative to cwd", "", "sub/c.conf" },
		{ "config name only", "sub", "c.conf" },
		{ "config path with ./ and ..", "sub", "./../sub/c.conf" },
	};

	snprintf(sub, sizeof sub, "%s/sub", tmp_dir);
	if (mkdir(sub, 0700) < 0 || realpath(sub, real) == NULL)
		abort();
	conf_file("sub/c.conf", text, sizeof text - 1);
	for (size_t i = 0; i < sizeof loads / sizeof loads[0]; i++) {
		struct conf c;
		const char *err = NULL, *p;
		char dir[256], conf_path_buf[256];

		test_begin("conf_path: %s", loads[i].name);
		if (loads[i].cwd != NULL) {
			snprintf(dir, sizeof dir, "%s/%s", tmp_dir,
			    loads[i].cwd);
			if (chdir(dir) < 0)
				abort();
			snprintf(conf_path_buf, sizeof conf_path_buf, "%s",
			    loads[i].conf);
		} else
			snprintf(conf_path_buf, sizeof conf_path_buf,
			    "%s/c.conf", sub);
		test_assert_int(conf_load(&c, conf_path_buf, &err), ==, 0);
		/* Moving away after the load changes nothing. */
		if (chdir("/") < 0)
			abort();
		const struct cartero_conf *top = c.first;
		snprintf(want, sizeof want, "%s/maildir", real);
		p = conf_path(top, "rel");
		test_assert_str(p, want);
		test_assert(p != NULL && p[0] == '/');
		free((char *)(uintptr_t)p);
		snprintf(want, sizeof want, "%s/../x", real);
		p = conf_path(top, "up");
		test_assert_str(p, want);
		free((char *)(uintptr_t)p);
		test_assert_str(conf_path(top, "abs"), "/var/mail");
		test_assert_str(conf_path(top, "empty"), "");
		test_assert(conf_path(top, "absent") == NULL);
		conf_free(&c);
		test_end();
	}
	if (chdir(root_cwd) < 0)
		abort();
}

static void
cleanup(void)
{
	static const char *const names[] = { "good.conf", "bad.conf",
	    "nul.conf", "ok.conf", "empty.conf", "uint.conf", "bool.conf",
	    "sub/c.conf", "sub" };
	char path[256];

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", tmp_dir, names[i]);
		if (unlink(path) < 0)
			rmdir(path);
	}
	rmdir(tmp_dir);
}

int
main(void)
{
	snprintf(tmp_dir, sizeof tmp_dir, "/tmp/cartero-test-conf.XXXXXX");
	if (mkdtemp(tmp_dir) == NULL || getcwd(root_cwd, sizeof root_cwd) ==
	    NULL)
		abort();
	test_good();
	test_bad();
	test_keys();
	test_uint();
	test_bool();
	test_path();
	cleanup();
	return test_done();
}
