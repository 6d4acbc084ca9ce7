/* ISC license. */
/* The dnsbl filter's query names, zone lists, allowlist and settings. */
#include <stdlib.h>

/* The plugin's DNS-free half is built into this test from its source. */
#include "../../plugins/dnsbl/lists.c"
#include "test.h"

static void test_query_ip(void);
static void test_query_domain(void);
static void test_zones(void);
static void test_listed(void);
static void test_cidr(void);
static void test_allow(void);
static void test_server(void);
static void test_seconds(void);

static void
test_query_ip(void)
{
	static const struct {
		const char *ip, *zone, *want;
	} cases[] = {
		{ "192.0.2.99", "bl.test", "99.2.0.192.bl.test" },
		{ "127.0.0.2", "zen.example", "2.0.0.127.zen.example" },
		{ "0.0.0.0", "z", "0.0.0.0.z" },
		{ "255.255.255.255", "z", "255.255.255.255.z" },
		/* RFC 5782 2.4's example */
		{ "2001:db8:1:2:3:4:567:89ab", "dnsbl.example",
		  "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0."
		  "0.2.dnsbl.example" },
		{ "2001:DB8::1", "bl.test",
		  "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0."
		  "0.2.bl.test" },
		{ "::1", "z",
		  "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		  "0.0.z" },
		{ "::ffff:192.0.2.1", "bl.test", "1.2.0.192.bl.test" },
		{ "fe80::abcd:ef01", "z",
		  "1.0.f.e.d.c.b.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8."
		  "e.f.z" },
	};
	char name[QUERY_NAME_MAX + 1];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		test_begin("dnsbl query name %s", cases[i].ip);
		test_assert_int(query_name_ip(name, sizeof name, cases[i].ip,
		    cases[i].zone), ==, 0);
		test_assert_str(name, cases[i].want);
		test_end();
	}

	static const char *const bad[] = {
		"unknown", "", "1.2.3", "1.2.3.4.5", "192.0.2.256", "01.2.3.4",
		" 1.2.3.4", "1.2.3.4 ", "2001:db8::1::2", "[::1]", "::1%lo",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		test_begin("dnsbl query name refuses \"%s\"", bad[i]);
		test_assert_int(query_name_ip(name, sizeof name, bad[i], "z"),
		    ==, -1);
		test_end();
	}

	/* An IPv6 name (64 octets) and the longest zone make 252 octets. */
	char zone[ZONE_NAME_MAX + 2];
	test_begin("dnsbl query name longest");
	memset(zone, 'a', ZONE_NAME_MAX);
	for (int i = 60; i < ZONE_NAME_MAX; i += 61)
		zone[i] = '.';
	zone[ZONE_NAME_MAX] = '\0';
	test_assert_int(query_name_ip(name, sizeof name, "2001:db8::1", zone),
	    ==, 0);
	test_assert_int(strlen(name), ==, 64 + ZONE_NAME_MAX);
	test_assert_int(strlen(name), <=, QUERY_NAME_MAX);
	test_end();

	test_begin("dnsbl query name does not fit");
	char small[20];
	test_assert_int(query_name_ip(small, sizeof small, "192.0.2.99",
	    "bl.test"), ==, 0);
	test_assert_int(query_name_ip(small, sizeof small, "192.0.2.99",
	    "longer.bl.test"), ==, -1);
	test_assert_int(query_name_ip(small, sizeof small, "2001:db8::1",
	    "z"), ==, -1);
	test_end();
}

static void
test_query_domain(void)
{
	char name[QUERY_NAME_MAX + 1], big[300];

	test_begin("dnsbl rhsbl name");
	test_assert_int(query_name_domain(name, sizeof name, "spam.example",
	    "dbl.test"), ==, 0);
	test_assert_str(name, "spam.example.dbl.test");
	test_assert_int(query_name_domain(name, sizeof name, "", "dbl.test"),
	    ==, -1);
	test_assert_int(query_name_domain(name, sizeof name, "[192.0.2.1]",
	    "dbl.test"), ==, -1);
	test_assert_int(query_name_domain(name, sizeof name,
	    "[IPv6:2001:db8::1]", "dbl.test"), ==, -1);
	memset(big, 'a', 251);
	big[251] = '\0';	/* 251 + "." + "z" = 253 */
	test_assert_int(query_name_domain(name, sizeof name, big, "z"), ==,
	    0);
	test_assert_int(query_name_domain(name, sizeof name, big, "zz"), ==,
	    -1);
	test_end();
}

static void
test_zones(void)
{
	struct zones zs;
	char err[300];

	test_begin("dnsbl zones good");
	memset(&zs, 0, sizeof zs);
	test_assert_int(zones_parse(&zs, "  Zen.Example.  bl.test=127.0.0.2,"
	    "127.0.0.4\tx_y.test ", err, sizeof err), ==, 0);
	test_assert_int(zs.n, ==, 3);
	test_assert_str(zs.v[0].name, "zen.example");
	test_assert_int(zs.v[0].n_codes, ==, 0);
	test_assert_str(zs.v[1].name, "bl.test");
	test_assert_int(zs.v[1].n_codes, ==, 2);
	test_assert_int(zs.v[1].codes[0], ==, 0x7f000002);
	test_assert_int(zs.v[1].codes[1], ==, 0x7f000004);
	test_assert_str(zs.v[2].name, "x_y.test");
	test_end();

	test_begin("dnsbl zones empty");
	memset(&zs, 0, sizeof zs);
	test_assert_int(zones_parse(&zs, "   ", err, sizeof err), ==, 0);
	test_assert_int(zs.n, ==, 0);
	test_end();

	char sixty_four[100], long_zone[300], many[400];
	memset(sixty_four, 'a', 64);
	strcpy(sixty_four + 64, ".test");
	memset(long_zone, 'a', 300);
	for (int i = 50; i < 290; i += 51)
		long_zone[i] = '.';
	long_zone[ZONE_NAME_MAX + 1] = '\0';
	many[0] = '\0';
	for (int i = 0; i <= ZONES_MAX; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many),
		    "z%d.test ", i);
	const struct {
		const char *s, *why;
	} bad[] = {
		{ "bad..zone", "bad zone \"bad..zone\"" },
		{ ".zone", "bad zone" },
		{ "zo ne.test=", "no answers after ne.test=" },
		{ "a.test=1.2.3", "bad answer \"1.2.3\" for a.test" },
		{ "a.test=127.0.0.2,::1", "bad answer \"::1\"" },
		{ "a.test=1,2,3,4,5,6,7,8,9", "bad answer" },
		{ "a.test=127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5,"
		  "127.0.0.6,127.0.0.7,127.0.0.8,127.0.0.9", "8 at most" },
		{ "a/b.test", "bad zone" },
		{ "caf\xc3\xa9.test", "bad zone" },
		{ sixty_four, "bad zone" },
		{ long_zone, "bad zone" },
		{ many, "more than 16 zones" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		test_begin("dnsbl zones bad %zu", i);
		memset(&zs, 0, sizeof zs);
		test_assert_int(zones_parse(&zs, bad[i].s, err, sizeof err), ==,
		    -1);
		if (strstr(err, bad[i].why) == NULL)
			test_fail(__FILE__, __LINE__, "error \"%s\" lacks "
			    "\"%s\"", err, bad[i].why);
		test_end();
	}

	test_begin("dnsbl zones longest");
	long_zone[ZONE_NAME_MAX] = '\0';
	memset(&zs, 0, sizeof zs);
	test_assert_int(zones_parse(&zs, long_zone, err, sizeof err), ==, 0);
	test_end();
}

static void
test_listed(void)
{
	struct zone any = { .name = "a" };
	struct zone some = { .name = "b", .codes = { 0x7f000004,
	    0x7f00000b }, .n_codes = 2 };

	test_begin("dnsbl answers");
	test_assert(zone_is_listed(&any, 0x7f000002));
	test_assert(zone_is_listed(&any, 0x7f000102));
	test_assert(zone_is_listed(&any, 0x7f0000ff));
	test_assert(!zone_is_listed(&any, 0x7fffffff));
	test_assert(!zone_is_listed(&any, 0x7ffffffe));	/* open resolver */
	test_assert(!zone_is_listed(&any, 0x0a000001));
	test_assert(!zone_is_listed(&any, 0xc0000201));
	test_assert(zone_is_listed(&some, 0x7f000004));
	test_assert(zone_is_listed(&some, 0x7f00000b));
	test_assert(!zone_is_listed(&some, 0x7f000002));
	test_end();
}

static void
test_cidr(void)
{
	static const struct {
		const char *cidr, *ip;
		bool is_match;
	} cases[] = {
		{ "192.0.2.0/24", "192.0.2.99", true },
		{ "192.0.2.0/24", "192.0.3.1", false },
		{ "192.0.2.99", "192.0.2.99", true },
		{ "192.0.2.99", "192.0.2.98", false },
		{ "192.0.2.96/29", "192.0.2.103", true },
		{ "192.0.2.96/29", "192.0.2.104", false },
		{ "0.0.0.0/0", "203.0.113.5", true },
		{ "0.0.0.0/0", "2001:db8::1", false },
		{ "192.0.2.0/24", "::ffff:192.0.2.5", true },
		{ "2001:db8::/32", "2001:db8:ffff::1", true },
		{ "2001:db8::/32", "2001:db9::1", false },
		{ "2001:db8::/33", "2001:db8:8000::1", false },
		{ "::/0", "::1", true },
		{ "::/0", "192.0.2.1", false },
		{ "192.0.2.0/24", "unknown", false },
	};
	struct cidr c;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		test_begin("dnsbl cidr %s ~ %s", cases[i].cidr, cases[i].ip);
		test_assert_int(cidr_parse(&c, cases[i].cidr), ==, 0);
		test_assert_int(cidr_match(&c, cases[i].ip), ==,
		    cases[i].is_match);
		test_end();
	}
	static const char *const bad[] = {
		"192.0.2.0/33", "2001:db8::/129", "/24", "192.0.2.0/",
		"192.0.2.0/-1", "192.0.2.0/+1", "192.0.2.0/24x", "x",
		"192.0.2/24", "",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaa",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		test_begin("dnsbl cidr refuses \"%.20s\"", bad[i]);
		test_assert_int(cidr_parse(&c, bad[i]), ==, -1);
		test_end();
	}
}

static void
test_allow(void)
{
	char dir[] = "/tmp/test-dnsbl-XXXXXX", path[64], want[128], err[300];
	struct allow a = { 0 };
	FILE *f;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof path, "%s/allow", dir);

	test_begin("dnsbl allowlist good");
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs("# our networks\n192.0.2.0/28   # office\n\n  2001:db8::/48\r\n"
	    "203.0.113.9", f);
	fclose(f);
	test_assert_int(allow_load(&a, path, err, sizeof err), ==, 0);
	test_assert_int(a.n, ==, 3);
	test_assert(allow_match(&a, "192.0.2.15"));
	test_assert(!allow_match(&a, "192.0.2.16"));
	test_assert(allow_match(&a, "2001:db8:0:1::5"));
	test_assert(allow_match(&a, "203.0.113.9"));
	test_assert(!allow_match(&a, "203.0.113.10"));
	allow_free(&a);
	test_end();

	test_begin("dnsbl allowlist bad line");
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs("192.0.2.0/28\n# fine\n192.0.2.0/28 extra\n", f);
	fclose(f);
	test_assert_int(allow_load(&a, path, err, sizeof err), ==, -1);
	snprintf(want, sizeof want, "%s:3: expected ADDRESS[/PREFIX]", path);
	test_assert(strncmp(err, want, strlen(want)) == 0);
	test_assert(a.v == NULL && a.n == 0);
	test_end();

	test_begin("dnsbl allowlist missing file");
	unlink(path);
	test_assert_int(allow_load(&a, path, err, sizeof err), ==, -1);
	test_assert(strstr(err, "/allow: No such file") != NULL);
	test_end();
	rmdir(dir);
}

static void
test_server(void)
{
	static const struct {
		const char *s, *want;
	} good[] = {
		{ "127.0.0.1:5353", "127.0.0.1:5353" },
		{ "127.0.0.1", "127.0.0.1:53" },
		{ "[::1]:5353", "[::1]:5353" },
		{ "[::1]", "[::1]:53" },
		{ "[2001:db8::53]:65535", "[2001:db8::53]:65535" },
	};
	static const char *const bad[] = {
		"localhost:53", "::1:53", "::1", "127.0.0.1:0", ":53",
		"127.0.0.1:65536", "127.0.0.1:", "[::1]x", "[::1]:", "[::1",
		"[127.0.0.1]:53", "127.0.0.1:53x", "127.0.0.1:-53", "",
	};
	char csv[80];

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		test_begin("dnsbl server %s", good[i].s);
		test_assert_int(server_parse(good[i].s, csv, sizeof csv), ==,
		    0);
		test_assert_str(csv, good[i].want);
		test_end();
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		test_begin("dnsbl server refuses \"%s\"", bad[i]);
		test_assert_int(server_parse(bad[i], csv, sizeof csv), ==, -1);
		test_end();
	}
}

static void
test_seconds(void)
{
	static const struct {
		const char *s;
		int ms;
	} good[] = {
		{ "5", 5000 }, { "0.5", 500 }, { "1.25", 1250 },
		{ "0.1", 100 }, { "60", 60000 }, { "2.005", 2005 },
		{ "07", 7000 },
	};
	static const char *const bad[] = {
		"0", "0.05", "0.099", "61", "60.001", "1.", ".5", "1.2345",
		"abc", "", "100", "5s", "-1", "1e3", " 5",
	};
	int ms;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		test_begin("dnsbl seconds %s", good[i].s);
		test_assert_int(seconds_parse(good[i].s, &ms), ==, 0);
		test_assert_int(ms, ==, good[i].ms);
		test_end();
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		test_begin("dnsbl seconds refuses \"%s\"", bad[i]);
		test_assert_int(seconds_parse(bad[i], &ms), ==, -1);
		test_end();
	}
}

int
main(void)
{
	test_query_ip();
	test_query_domain();
	test_zones();
	test_listed();
	test_cidr();
	test_allow();
	test_server();
	test_seconds();
	return test_done();
}
