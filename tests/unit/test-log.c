/* ISC license. */
/* log_quote: escapes, truncation, and the buffer bound, for every size. */
#include <stdlib.h>
#include <time.h>

#include "../../sdk/src/log-internal.h"
#include "test.h"

struct quote_case {
	const char *name;
	const char *src;
	size_t n;
	const char *want;
};

static const struct quote_case cases[] = {
	{ "plain", "plain", 64, "\"plain\"" },
	{ "empty", "", 4, "\"\"" },
	{ "CR and LF", "a\r\nb", 64, "\"a\\x0d\\x0ab\"" },
	{ "control characters", "\x01\x08\t\x1f", 64,
	    "\"\\x01\\x08\\x09\\x1f\"" },
	{ "terminal escape", "\x1b[31mred", 64, "\"\\x1b[31mred\"" },
	{ "DEL", "a\x7f", 64, "\"a\\x7f\"" },
	{ "double quote", "say \"hi\"", 64, "\"say \\\"hi\\\"\"" },
	{ "backslash", "a\\b\\", 64, "\"a\\\\b\\\\\"" },
	{ "fake key=value", "x\" event=forged", 64,
	    "\"x\\\" event=forged\"" },
	{ "8-bit bytes pass", "\xc3\xa9 \x80\xff", 64,
	    "\"\xc3\xa9 \x80\xff\"" },
	{ "printable edges", " ~", 64, "\" ~\"" },
	{ "truncated", "abcdefghijklmnopqrstuvwxyz", 16, "\"abcdefghij...\"" },
	{ "truncated before an escape", "abcdefgh\nxyz", 16,
	    "\"abcdefgh...\"" },
	{ "truncated before a quote", "abcdefghi\"xyz", 16,
	    "\"abcdefghi...\"" },
	{ "fits exactly", "abcd", 7, "\"abcd\"" },
	{ "one octet too many", "abcde", 7, "\"a...\"" },
	{ "escape fits exactly", "abcdefghi\n", 16, "\"abcdefghi\\x0a\"" },
	{ "smallest buffer, empty", "", 4, "\"\"" },
	{ "smallest buffer, one octet", "a", 4, "\"a\"" },
	{ "smallest buffer, two octets", "ab", 4, "\"\"" },
	{ "room for dots only", "abcdef", 6, "\"...\"" },
};

static size_t escape(const char *src, char *dst);
static void check_shape(const char *src, size_t n, const char *got);
static void test_table(void);
static void test_sweep(void);

/* The reference: every octet's escaped form, without quotes. */
static size_t
escape(const char *src, char *dst)
{
	size_t o = 0;

	for (; *src; src++) {
		unsigned char c = (unsigned char)*src;
		if (c < 0x20 || c == 0x7f)
			o += (size_t)sprintf(dst + o, "\\x%02x", c);
		else if (c == '"' || c == '\\')
			o += (size_t)sprintf(dst + o, "\\%c", c);
		else
			dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return o;
}

/* got must be the whole quoted src if that fits in n, else the longest
 * run of whole escapes that leaves room for "...", then "...". */
static void
check_shape(const char *src, size_t n, const char *got)
{
	char full[1024], want[1040];
	size_t len = escape(src, full), cut = 0;

	if (len + 3 <= n)
		snprintf(want, sizeof want, "\"%s\"", full);
	else {
		/* Add whole escapes while '"' + prefix + '..."' + NUL fits. */
		for (const char *p = src; *p; p++) {
			char one[2] = { *p, '\0' }, e[8];
			size_t k = escape(one, e);
			if (1 + cut + k + 5 > n)
				break;
			cut += k;
		}
		if (n >= 6)
			snprintf(want, sizeof want, "\"%.*s...\"", (int)cut,
			    full);
		else
			snprintf(want, sizeof want, "\"\"");
	}
	test_assert_str(got, want);
}

static void
test_table(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct quote_case *c = &cases[i];
		/* Exactly n octets, so ASan sees any write past them. */
		char *dst = malloc(c->n);

		if (dst == NULL)
			abort();
		test_begin("log_quote %s (size %zu)", c->name, c->n);
		const char *r = log_quote(dst, c->n, c->src);
		test_assert(r == dst);
		test_assert_str(dst, c->want);
		test_assert_int(strlen(dst), <, c->n);
		check_shape(c->src, c->n, dst);
		free(dst);
		test_end();
	}
}

/* Every buffer size from 4 to 80 for a few sources: NUL-terminated,
 * inside the buffer, never cutting an escape, never longer than needed. */
static void
test_sweep(void)
{
	static const char *const srcs[] = {
		"", "a", "hello world", "\r\n\r\n\r\n", "\"\\\"\\\"\\",
		"mixed \x01 \"q\" \\ \x7f \xc3\xa9 end",
		"0123456789012345678901234567890123456789012345678901234567890",
	};

	for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
		char q[200];
		test_begin("log_quote sweep sizes 4..80: \"%s\"",
		    test_escape(q, sizeof q, srcs[i], strlen(srcs[i])));
		for (size_t n = 4; n <= 80; n++) {
			char buf[96];
			memset(buf, 0x5a, sizeof buf);
			log_quote(buf, n, srcs[i]);
			size_t len = strnlen(buf, n);
			test_assert_int(len, <, n);
			for (size_t k = n; k < sizeof buf; k++)
				if (buf[k] != 0x5a) {
					test_fail(__FILE__, __LINE__,
					    "octet %zu written, size %zu",
					    k, n);
					break;
				}
			if (len < n) {
				test_assert(buf[0] == '"' && buf[len - 1] == '"'
				    && len >= 2);
				check_shape(srcs[i], n, buf);
			}
			if (test_is_failed) {
				printf("#   at size %zu\n", n);
				break;
			}
		}
		test_end();
	}
}

/* log_date against gmtime_r + strftime (C locale) over 600 years, every
 * day's edges, leap days, and the epoch's neighbours. */
static void
test_date(void)
{
	static const long long starts[] = { -86400LL * 365 * 200, -1, 0, 1,
	    951782400LL /* 2000-02-29 */, 4107542400LL /* 2100-03-01 */,
	    1795315365LL };
	char got[64], want[64];
	struct tm tm;

	test_begin("log_date matches gmtime_r and strftime, 1770-2370");
	for (long long t = -86400LL * 365 * 200; t < 86400LL * 365 * 400;
	    t += 86400 * 7 + 3601) {
		for (int k = -1; k <= 1; k++) {
			time_t x = (time_t)(t - t % 86400 + k);
			log_date(x, got, sizeof got);
			gmtime_r(&x, &tm);
			strftime(want, sizeof want,
			    "%a, %d %b %Y %H:%M:%S +0000", &tm);
			if (strcmp(got, want) != 0) {
				test_assert_str(got, want);
				break;
			}
		}
	}
	for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
		time_t x = (time_t)starts[i];
		log_date(x, got, sizeof got);
		gmtime_r(&x, &tm);
		strftime(want, sizeof want, "%a, %d %b %Y %H:%M:%S +0000", &tm);
		test_assert_str(got, want);
	}
	test_end();
}

int
main(void)
{
	test_table();
	test_sweep();
	test_date();
	return test_done();
}
