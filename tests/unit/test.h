/* ISC license. */
/* The unit test harness: one "ok - NAME" or "not ok - NAME: why" per case. */
#ifndef TEST_H
#define TEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TEST_CASE_SECONDS 10	/* a stuck case dies by SIGALRM */

static char test_name[256];
static bool test_is_failed;
static int test_n_failed;

/* Writes s[0..n) into dst (size m) C-style: \\, \" and \xNN for bytes
 * outside ' '..'~', so no input can break the one-line-per-case output. */
static inline const char *
test_escape(char *dst, size_t m, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < m; i++) {
		unsigned char c = (unsigned char)s[i];
		o += (size_t)snprintf(dst + o, m - o, c < 32 || c > 126 ?
		    "\\x%02x" : c == '\\' || c == '"' ? "\\%c" : "%c", c);
	}
	dst[o] = '\0';
	return dst;
}

/* s[0..n) escaped and in double quotes, or NULL. */
static inline const char *
test_show(char *dst, size_t m, const char *s, size_t n)
{
	if (s == NULL)
		return "NULL";
	dst[0] = '"';
	test_escape(dst + 1, m - 2, s, n);
	strcat(dst, "\"");
	return dst;
}

static inline void __attribute__((format(printf, 1, 2)))
test_begin(const char *fmt, ...)
{
	char raw[sizeof test_name];
	size_t o = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	/* Names stay one line: control and 8-bit bytes become \xNN. */
	for (const char *p = raw; *p && o + 5 < sizeof test_name; p++) {
		unsigned char c = (unsigned char)*p;
		o += (size_t)snprintf(test_name + o, sizeof test_name - o,
		    c < 32 || c > 126 ? "\\x%02x" : "%c", c);
	}
	test_name[o] = '\0';
	test_is_failed = false;
	alarm(TEST_CASE_SECONDS);
}

/* The first failure of a case is its "not ok" line; later ones follow as
 * comments, which the runner shows with the failure. */
static inline void __attribute__((format(printf, 3, 4)))
test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (test_is_failed)
		printf("#   %s:%d: ", file, line);
	else
		printf("not ok - %s: %s:%d: ", test_name, file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!test_is_failed)
		test_n_failed++;
	test_is_failed = true;
}

static inline void
test_check_mem(const char *file, int line, const char *what, const char *a,
    size_t an, const char *b, size_t bn)
{
	char qa[400], qb[400];

	if ((a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    an == bn && memcmp(a, b, an) == 0))
		return;
	test_fail(file, line, "%s: %s != %s", what,
	    test_show(qa, sizeof qa, a, an), test_show(qb, sizeof qb, b, bn));
}

#define test_assert(expr) do { if (!(expr)) \
	test_fail(__FILE__, __LINE__, "%s", #expr); } while (0)
#define test_assert_mem(a, an, b, bn) test_check_mem(__FILE__, __LINE__, \
	#a " == " #b, (a), (an), (b), (bn))
#define test_assert_str(a, b) do { const char *test_a_ = (a), \
	*test_b_ = (b); test_check_mem(__FILE__, __LINE__, #a " == " #b, \
	test_a_, test_a_ ? strlen(test_a_) : 0, \
	test_b_, test_b_ ? strlen(test_b_) : 0); } while (0)
#define test_assert_int(a, op, b) do { long long test_a_ = (long long)(a), \
	test_b_ = (long long)(b); if (!(test_a_ op test_b_)) \
	test_fail(__FILE__, __LINE__, "%s %s %s: %lld %s %lld", #a, #op, \
	#b, test_a_, #op, test_b_); } while (0)

static inline void
test_end(void)
{
	alarm(0);
	if (!test_is_failed)
		printf("ok - %s\n", test_name);
	fflush(stdout);
}

/* main()'s exit status: non-zero if any case failed. */
static inline int
test_done(void)
{
	return test_n_failed > 0 ? 1 : 0;
}

#endif
