/* ISC license. */
/* The greylist plugin: networks, CIDR, durations, decisions, the store. */
#include <stdlib.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include "../../plugins/greylist/greylist-internal.h"
#include "test.h"

static const struct greylist_policy pol = { 300, 3600, 86400, 600 };

static void test_net(void);
static void test_cidr(void);
static void test_duration(void);
static void test_decide(void);
static void test_store(void);
static void test_store_schedule(void);
static void test_store_errors(void);
static void test_store_forks(void);
static char *tmp_dir(void);
static void rm_dir(const char *dir);

struct net_case {
	const char *ip;
	int v4, v6;
	const char *want;	/* NULL: not an address */
};

static const struct net_case net_cases[] = {
	{ "192.0.2.7", 24, 64, "192.0.2.0/24" },
	{ "192.0.2.255", 24, 64, "192.0.2.0/24" },
	{ "192.0.3.7", 24, 64, "192.0.3.0/24" },
	{ "192.0.2.7", 32, 64, "192.0.2.7/32" },
	{ "192.0.2.7", 20, 64, "192.0.0.0/20" },
	{ "192.0.2.7", 1, 64, "128.0.0.0/1" },
	{ "2001:db8:1:2::1", 24, 64, "2001:db8:1:2::/64" },
	{ "2001:db8:1:2:ffff:ffff:ffff:ffff", 24, 64, "2001:db8:1:2::/64" },
	{ "2001:db8:1:3::1", 24, 64, "2001:db8:1:3::/64" },
	{ "2001:DB8:1:2::1", 24, 64, "2001:db8:1:2::/64" },
	{ "2001:db8:1:2::1", 24, 48, "2001:db8:1::/48" },
	{ "2001:db8:1:2::1", 24, 56, "2001:db8:1::/56" },
	{ "2001:db8:1:2ff::1", 24, 56, "2001:db8:1:200::/56" },
	{ "2001:db8::1", 24, 128, "2001:db8::1/128" },
	{ "::ffff:192.0.2.7", 24, 64, "192.0.2.0/24" },
	{ "::1", 24, 64, "::/64" },
	{ "unknown", 24, 64, NULL },
	{ "", 24, 64, NULL },
	{ "192.0.2", 24, 64, NULL },
	{ "192.0.2.7/24", 24, 64, NULL },
};

static void
test_net(void)
{
	for (size_t i = 0; i < sizeof net_cases / sizeof net_cases[0]; i++) {
		const struct net_case *c = &net_cases[i];
		char net[GREYLIST_NET_MAX];
		test_begin("net %s /%d /%d", c->ip, c->v4, c->v6);
		int rc = greylist_net(net, sizeof net, c->ip, c->v4, c->v6);
		if (c->want == NULL)
			test_assert_int(rc, ==, -1);
		else {
			test_assert_int(rc, ==, 0);
			if (rc == 0)
				test_assert_str(net, c->want);
		}
		test_end();
	}
	test_begin("net: too small a buffer is refused");
	char small[8];
	test_assert_int(greylist_net(small, sizeof small, "192.0.2.7", 24, 64),
	    ==, -1);
	test_end();
}

static void
test_cidr(void)
{
	struct greylist_cidr c;

	test_begin("cidr: IPv4 /24");
	test_assert(greylist_cidr_parse(&c, "192.0.2.0/24"));
	test_assert(greylist_cidr_match(&c, "192.0.2.1"));
	test_assert(greylist_cidr_match(&c, "192.0.2.255"));
	test_assert(!greylist_cidr_match(&c, "192.0.3.1"));
	test_assert(!greylist_cidr_match(&c, "2001:db8::1"));
	test_assert(!greylist_cidr_match(&c, "unknown"));
	test_end();

	test_begin("cidr: host bits in the pattern are ignored");
	test_assert(greylist_cidr_parse(&c, "192.0.2.77/24"));
	test_assert(greylist_cidr_match(&c, "192.0.2.1"));
	test_end();

	test_begin("cidr: bare address is /32");
	test_assert(greylist_cidr_parse(&c, "198.51.100.9"));
	test_assert(greylist_cidr_match(&c, "198.51.100.9"));
	test_assert(!greylist_cidr_match(&c, "198.51.100.8"));
	test_end();

	test_begin("cidr: IPv6 /48 and odd prefixes");
	test_assert(greylist_cidr_parse(&c, "2001:db8:aa::/48"));
	test_assert(greylist_cidr_match(&c, "2001:db8:aa:ffff::1"));
	test_assert(!greylist_cidr_match(&c, "2001:db8:ab::1"));
	test_assert(!greylist_cidr_match(&c, "192.0.2.1"));
	test_assert(greylist_cidr_parse(&c, "10.0.0.0/9"));
	test_assert(greylist_cidr_match(&c, "10.127.255.255"));
	test_assert(!greylist_cidr_match(&c, "10.128.0.0"));
	test_assert(greylist_cidr_parse(&c, "0.0.0.0/0"));
	test_assert(greylist_cidr_match(&c, "203.0.113.5"));
	test_end();

	test_begin("cidr: malformed");
	test_assert(!greylist_cidr_parse(&c, "192.0.2.0/33"));
	test_assert(!greylist_cidr_parse(&c, "2001:db8::/129"));
	test_assert(!greylist_cidr_parse(&c, "192.0.2.0/"));
	test_assert(!greylist_cidr_parse(&c, "192.0.2.0/-1"));
	test_assert(!greylist_cidr_parse(&c, "192.0.2.0/24x"));
	test_assert(!greylist_cidr_parse(&c, "example.org"));
	test_assert(!greylist_cidr_parse(&c, ""));
	test_end();
}

static void
test_duration(void)
{
	long v = -1;

	test_begin("duration: units");
	test_assert(greylist_duration("0", &v) == 0 && v == 0);
	test_assert(greylist_duration("300", &v) == 0 && v == 300);
	test_assert(greylist_duration("45s", &v) == 0 && v == 45);
	test_assert(greylist_duration("5m", &v) == 0 && v == 300);
	test_assert(greylist_duration("4h", &v) == 0 && v == 14400);
	test_assert(greylist_duration("36d", &v) == 0 && v == 3110400);
	test_end();

	test_begin("duration: malformed and too large");
	test_assert(greylist_duration("", &v) < 0);
	test_assert(greylist_duration("-1", &v) < 0);
	test_assert(greylist_duration(" 5", &v) < 0);
	test_assert(greylist_duration("5 m", &v) < 0);
	test_assert(greylist_duration("5mm", &v) < 0);
	test_assert(greylist_duration("5w", &v) < 0);
	test_assert(greylist_duration("m", &v) < 0);
	test_assert(greylist_duration("99999999999999999999", &v) < 0);
	test_assert(greylist_duration("3651d", &v) < 0);
	test_end();

	test_begin("lower: ASCII only, truncated");
	char b[8];
	greylist_lower(b, sizeof b, "A.B@EXAMPLE");
	test_assert_str(b, "a.b@exa");
	greylist_lower(b, sizeof b, "\xc3\x89x");
	test_assert_str(b, "\xc3\x89x");
	test_end();
}

struct decide_case {
	const char *name;
	bool has_old;
	struct greylist_row old;
	time_t now;
	long want_wait;
	const char *want_why;
	struct greylist_row want;
};

/* pol: delay 300, retry_window 3600, auto_allow 86400. */
static const struct decide_case decide_cases[] = {
	{ "new triplet waits the delay", false, { 0, 0, false }, 1000,
	    300, "new", { 1000, 1000, false } },
	{ "retry at once", true, { 1000, 1000, false }, 1000,
	    300, "early", { 1000, 1000, false } },
	{ "retry too early, first_seen kept", true, { 1000, 1100, false },
	    1200, 100, "early", { 1000, 1200, false } },
	{ "one second short", true, { 1000, 1000, false }, 1299,
	    1, "early", { 1000, 1299, false } },
	{ "retry exactly at the delay", true, { 1000, 1000, false }, 1300,
	    0, "retry", { 1000, 1300, true } },
	{ "retry inside the window", true, { 1000, 1200, false }, 3000,
	    0, "retry", { 1000, 3000, true } },
	{ "retry at the end of the window", true, { 1000, 1000, false },
	    4600, 0, "retry", { 1000, 4600, true } },
	{ "retry after the window starts over", true, { 1000, 1000, false },
	    4601, 300, "expired", { 4601, 4601, false } },
	{ "passed triplet passes at once", true, { 1000, 1300, true },
	    1301, 0, "allowed", { 1000, 1301, true } },
	{ "passed triplet refreshed later", true, { 1000, 1300, true },
	    1300 + 86400, 0, "allowed", { 1000, 1300 + 86400, true } },
	{ "allowlisting lapses", true, { 1000, 1300, true },
	    1301 + 86400, 300, "lapsed", { 1301 + 86400, 1301 + 86400,
	    false } },
	{ "clock stepped back", true, { 1000, 1000, false }, 900,
	    300, "early", { 1000, 900, false } },
	{ "clock stepped back on a passed one", true, { 1000, 1300, true },
	    900, 0, "allowed", { 1000, 900, true } },
};

static void
test_decide(void)
{
	for (size_t i = 0; i < sizeof decide_cases / sizeof decide_cases[0];
	    i++) {
		const struct decide_case *c = &decide_cases[i];
		struct greylist_row got = { -1, -1, false };
		const char *why = NULL;
		test_begin("decide: %s", c->name);
		long w = greylist_decide(c->has_old ? &c->old : NULL, c->now,
		    &pol, &got, &why);
		test_assert_int(w, ==, c->want_wait);
		test_assert_str(why, c->want_why);
		test_assert_int(got.first_seen, ==, c->want.first_seen);
		test_assert_int(got.last_seen, ==, c->want.last_seen);
		test_assert_int(got.is_passed, ==, c->want.is_passed);
		test_end();
	}
}

static char *
tmp_dir(void)
{
	static char dir[64];

	snprintf(dir, sizeof dir, "/tmp/test-greylist-XXXXXX");
	return mkdtemp(dir);
}

static void
rm_dir(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

/* A new state file in a new folder (*dir_r, path) for the case just
 * begun; NULL when that fails, the case then ended and failed. */
static struct greylist_store *
store_new(char **dir_r, char *path, size_t n)
{
	struct greylist_store *st = NULL;
	const char *error = NULL;

	*dir_r = tmp_dir();
	test_assert(*dir_r != NULL);
	if (*dir_r == NULL) {
		test_end();
		return NULL;
	}
	snprintf(path, n, "%s/state.db", *dir_r);
	test_assert_int(greylist_store_open(&st, path, &error), ==, 0);
	if (st == NULL) {
		test_fail(__FILE__, __LINE__, "open: %s", error);
		test_end();
		rm_dir(*dir_r);
	}
	return st;
}

static void
test_store(void)
{
	struct greylist_store *st;
	const char *error = NULL, *why = NULL;
	char *dir, path[128];
	struct greylist_triplet a = { "192.0.2.0/24", "s@example.org",
	    "r@example.test" };
	struct greylist_triplet b = { "192.0.2.0/24", "s@example.org",
	    "other@example.test" };
	struct greylist_triplet c = { "192.0.2.0/24", "", "r@example.test" };
	long w = -1;

	test_begin("store: a triplet's life");
	if ((st = store_new(&dir, path, sizeof path)) == NULL)
		return;
	test_assert_int(greylist_store_check(st, &a, 1000, &pol, &w, &why,
	    &error), ==, 0);
	test_assert_int(w, ==, 300);
	test_assert_str(why, "new");
	test_assert_int(greylist_store_check(st, &a, 1100, &pol, &w, &why,
	    &error), ==, 0);
	test_assert_int(w, ==, 200);
	test_assert_str(why, "early");
	test_assert_int(greylist_store_check(st, &b, 1100, &pol, &w, &why,
	    &error), ==, 0);
	test_assert_str(why, "new");
	test_assert_int(greylist_store_check(st, &c, 1100, &pol, &w, &why,
	    &error), ==, 0);
	test_assert_str(why, "new");
	test_assert_int(greylist_store_check(st, &a, 1300, &pol, &w, &why,
	    &error), ==, 0);
	test_assert_int(w, ==, 0);
	test_assert_str(why, "retry");
	test_assert_int(greylist_store_check(st, &a, 1301, &pol, &w, &why,
	    &error), ==, 0);
	test_assert_int(w, ==, 0);
	test_assert_str(why, "allowed");
	test_end();

	test_begin("store: state survives a reopen");
	greylist_store_close(&st);
	test_assert(st == NULL);
	test_assert_int(greylist_store_open(&st, path, &error), ==, 0);
	if (st != NULL) {
		test_assert_int(greylist_store_check(st, &a, 1400, &pol, &w,
		    &why, &error), ==, 0);
		test_assert_str(why, "allowed");
		test_assert_int(greylist_store_check(st, &b, 1401, &pol, &w,
		    &why, &error), ==, 0);
		test_assert_str(why, "retry");
	}
	test_end();

	test_begin("store: expiry keeps what still matters");
	/* At 1100 + 3601, c (unpassed, last seen 1100) is past its window;
	 * a and b (passed) are not past auto_allow. */
	if (st != NULL) {
		test_assert_int(greylist_store_expire(st, 1100 + 3601, &pol,
		    &error), ==, 1);
		test_assert_int(greylist_store_check(st, &c, 1100 + 3602, &pol,
		    &w, &why, &error), ==, 0);
		test_assert_str(why, "new");
		test_assert_int(greylist_store_check(st, &a, 1100 + 3602, &pol,
		    &w, &why, &error), ==, 0);
		test_assert_str(why, "allowed");
		/* b was last seen at 1401: gone a day after. */
		test_assert_int(greylist_store_expire(st, 1401 + 86401, &pol,
		    &error), ==, 2);
		test_assert_int(greylist_store_check(st, &b, 1401 + 86402,
		    &pol, &w, &why, &error), ==, 0);
		test_assert_str(why, "new");
	}
	greylist_store_close(&st);
	greylist_store_close(&st);
	test_end();
	rm_dir(dir);
}

/* pol.expire_every is 600. */
static void
test_store_schedule(void)
{
	struct greylist_store *st;
	const char *error = NULL, *why = NULL;
	char *dir, path[128];
	struct greylist_triplet a = { "192.0.2.0/24", "s@example.org",
	    "r@example.test" };
	long w = -1, n = -1;

	test_begin("store: expiry runs once per expire_every");
	if ((st = store_new(&dir, path, sizeof path)) == NULL)
		return;
	/* No schedule yet: due at once, next at 1600. */
	test_assert_int(greylist_store_expire_due(st, 1000, &pol, &n, &error),
	    ==, 1);
	test_assert_int(n, ==, 0);
	test_assert_int(greylist_store_check(st, &a, 1000, &pol, &w, &why,
	    &error), ==, 0);
	test_assert_str(why, "new");
	/* Due again at 1600, not before; a (last seen 1000) outlives its
	 * retry window at 4601 and goes with the expiry due then. */
	test_assert_int(greylist_store_expire_due(st, 1599, &pol, &n, &error),
	    ==, 0);
	test_assert_int(greylist_store_expire_due(st, 1600, &pol, &n, &error),
	    ==, 1);
	test_assert_int(n, ==, 0);
	test_assert_int(greylist_store_expire_due(st, 4601, &pol, &n, &error),
	    ==, 1);
	test_assert_int(n, ==, 1);
	test_assert_int(greylist_store_check(st, &a, 4602, &pol, &w, &why,
	    &error), ==, 0);
	test_assert_str(why, "new");
	/* The schedule is in the file: another opener sees 5201 next. */
	greylist_store_close(&st);
	test_assert_int(greylist_store_open(&st, path, &error), ==, 0);
	if (st != NULL) {
		test_assert_int(greylist_store_expire_due(st, 5200, &pol, &n,
		    &error), ==, 0);
		test_assert_int(greylist_store_expire_due(st, 5201, &pol, &n,
		    &error), ==, 1);
		/* The clock stepped back an hour: the schedule (5801) is
		 * further ahead than expire_every, so it runs at once. */
		test_assert_int(greylist_store_expire_due(st, 5801 - 3600,
		    &pol, &n, &error), ==, 1);
		test_assert_int(greylist_store_expire_due(st, 2202, &pol, &n,
		    &error), ==, 0);
	}
	greylist_store_close(&st);
	test_end();

	test_begin("store: a schedule that is not a time is due");
	{
		sqlite3 *db = NULL;
		test_assert_int(sqlite3_open(path, &db), ==, SQLITE_OK);
		test_assert_int(sqlite3_exec(db, "UPDATE meta SET value = -5 "
		    "WHERE key = 'next_expire'", NULL, NULL, NULL), ==,
		    SQLITE_OK);
		sqlite3_close(db);
	}
	error = NULL;
	test_assert_int(greylist_store_open(&st, path, &error), ==, 0);
	if (st != NULL) {
		test_assert_int(greylist_store_expire_due(st, 2203, &pol, &n,
		    &error), ==, 1);
		test_assert(error == NULL);
		test_assert_int(greylist_store_expire_due(st, 2204, &pol, &n,
		    &error), ==, 0);
	}
	greylist_store_close(&st);
	test_end();
	rm_dir(dir);
}

static void
test_store_errors(void)
{
	struct greylist_store *st = NULL;
	const char *error = NULL;
	char *dir = tmp_dir(), path[128];
	FILE *f;

	test_begin("store: a folder that does not exist");
	test_assert(dir != NULL);
	snprintf(path, sizeof path, "%s/missing/state.db", dir);
	test_assert_int(greylist_store_open(&st, path, &error), ==, -1);
	test_assert(st == NULL);
	test_assert(error != NULL && strstr(error, path) != NULL);
	test_end();

	test_begin("store: a file that is not a database");
	snprintf(path, sizeof path, "%s/junk.db", dir);
	if ((f = fopen(path, "w")) != NULL) {
		for (int i = 0; i < 200; i++)
			fputs("this is not an SQLite database at all\n", f);
		fclose(f);
	}
	error = NULL;
	test_assert_int(greylist_store_open(&st, path, &error), ==, -1);
	test_assert(st == NULL);
	test_assert(error != NULL && strstr(error, "not a database") != NULL);
	test_end();
	rm_dir(dir);
}

/* Processes opening a new state file at once and writing the same and
 * different triplets: no error (no "database is locked"), every attempt
 * answered, and the counts add up. */
static void
test_store_forks(void)
{
	enum { N = 16, ROUNDS = 20 };
	char *dir = tmp_dir(), path[128];
	pid_t pids[N];

	test_begin("store: %d processes on one new file", N);
	test_assert(dir != NULL);
	snprintf(path, sizeof path, "%s/state.db", dir);
	fflush(stdout);
	for (int i = 0; i < N; i++) {
		if ((pids[i] = fork()) == 0) {
			struct greylist_store *st;
			const char *error, *why;
			char rcpt[64];
			long w;
			if (greylist_store_open(&st, path, &error) < 0) {
				printf("# child %d: open: %s\n", i, error);
				fflush(stdout);
				_exit(1);
			}
			for (int r = 0; r < ROUNDS; r++) {
				struct greylist_triplet t = { "192.0.2.0/24",
				    "s@example.org", rcpt };
				snprintf(rcpt, sizeof rcpt, "r%d@example.test",
				    r % 2 ? i : r);
				if (greylist_store_check(st, &t, 1000, &pol,
				    &w, &why, &error) < 0 || w != 300) {
					printf("# child %d: check: %s\n", i,
					    w == 300 ? error : "wrong wait");
					fflush(stdout);
					_exit(1);
				}
			}
			greylist_store_close(&st);
			_exit(0);
		}
	}
	int bad = 0;
	for (int i = 0; i < N; i++) {
		int status;
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) < 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad++;
	}
	test_assert_int(bad, ==, 0);
	test_end();
	rm_dir(dir);
}

int
main(void)
{
	test_net();
	test_cidr();
	test_duration();
	test_decide();
	test_store();
	test_store_schedule();
	test_store_errors();
	test_store_forks();
	return test_done();
}
