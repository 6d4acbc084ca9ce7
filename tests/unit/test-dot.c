/* ISC license. */
/* The DATA decoder against a plain reference model, whole and in pieces. */
#include <stdint.h>
#include <stdlib.h>

#include "../../sdk/src/dot-internal.h"
#include "test.h"

#define MAX_IN 256

struct result {
	char out[MAX_IN + 2];
	size_t out_len;
	size_t consumed;
	bool is_done;
	bool has_bare_eol;
};

struct dot_case {
	const char *name;
	const char *in;
	const char *out;	/* what the decoder must write */
	size_t consumed;
	bool is_done;
	bool has_bare_eol;
};

#define S(s) s, sizeof s - 1

static void ref_decode(const char *in, size_t n, struct result *r);
static void run_pieces(const char *in, size_t n, const size_t *cuts,
    size_t n_cuts, struct result *r);
static bool result_equal(const struct result *a, const struct result *b);
static void check_same(const struct result *want, const struct result *got,
    const char *how);
static void test_table(void);
static bool random_try(const char *in, size_t n, const size_t *cuts,
    size_t n_cuts, const struct result *want, int t);
static void test_random(void);
static uint64_t rng_next(uint64_t *x);

static const struct dot_case cases[] = {
	{ "LF dot CRLF: a bare LF starts no line", "\n.\r\n", "\n.\r\n", 4,
	    false, true },
	{ "CRLF dot LF: a bare LF ends no data", "\r\n.\n", "\r\n\n", 4,
	    false, true },
	{ "CR dot CRLF: a bare CR starts no line", "\r.\r\n", "\r.\r\n", 4,
	    false, true },
	{ "dot CRLF as the first line ends the data", ".\r\n", "", 3, true,
	    false },
	{ "dot CRLF first, trailing bytes left", ".\r\nQUIT\r\n", "", 3, true,
	    false },
	{ "two dots lose one", "..\r\n.\r\n", ".\r\n", 7, true, false },
	{ "three dots lose one", "...\r\n.\r\n", "..\r\n", 8, true, false },
	{ "dot then text loses the dot", "a\r\n.b\r\n.\r\n", "a\r\nb\r\n",
	    10, true, false },
	{ "CR CRLF is a bare CR", "\r\r\n.\r\n", "\r\r\n", 6, true, true },
	{ "text CR CRLF is a bare CR", "a\r\r\n.\r\n", "a\r\r\n", 7, true,
	    true },
	{ "dot CR CRLF is data", ".\r\r\n.\r\n", "\r\r\n", 7, true, true },
	{ "dot CR text is data", "a\r\n.\rb\r\n.\r\n", "a\r\n\rb\r\n", 11,
	    true, true },
	{ "end then trailing bytes not consumed",
	    "a\r\n.\r\nMAIL FROM:<x>\r\n", "a\r\n", 6, true, false },
	{ "end then a second end", "a\r\n.\r\n.\r\n", "a\r\n", 6, true,
	    false },
	{ "LF dot LF is all data", "a\n.\n", "a\n.\n", 4, false, true },
	{ "CRLF LF dot CRLF does not end", "a\r\n\n.\r\n", "a\r\n\n.\r\n", 7,
	    false, true },
	{ "dot inside a line stays", "x.\r\n.\r\n", "x.\r\n", 7, true, false },
	{ "empty first line then end", "\r\n.\r\n", "\r\n", 5, true, false },
	{ "empty input", "", "", 0, false, false },
	{ "stops after a lone dot", "a\r\n.", "a\r\n", 4, false, false },
	{ "stops after dot CR", "a\r\n.\r", "a\r\n", 5, false, false },
	{ "stops after CR", "ab\r", "ab", 3, false, false },
	{ "dot LF at the start", ".\n.\r\n", "\n.\r\n", 5, false, true },
	{ "bare LF after the end is not seen", ".\r\n\n", "", 3, true, false },
	{ "LF CR", "\n\r\n.\r\n", "\n\r\n", 6, true, true },
};

/*
 * The reference: split on CRLF only; a line "." ends; a leading dot is
 * dropped; a CR or LF left inside a line is bare.  An unfinished last line
 * is written as far as it is known: without its leading dot and without a
 * final CR, which may yet start a CRLF.
 */
static void
ref_decode(const char *in, size_t n, struct result *r)
{
	size_t i = 0;

	memset(r, 0, sizeof *r);
	for (;;) {
		size_t j = i;
		while (j + 1 < n && !(in[j] == '\r' && in[j + 1] == '\n'))
			j++;
		bool is_whole = j + 1 < n;
		size_t s = i, e = is_whole ? j : n;
		if (is_whole && e - s == 1 && in[s] == '.') {
			r->is_done = true;
			r->consumed = j + 2;
			return;
		}
		if (s < e && in[s] == '.')
			s++;
		if (!is_whole && e > s && in[e - 1] == '\r')
			e--;
		for (size_t k = s; k < e; k++) {
			if (in[k] == '\r' || in[k] == '\n')
				r->has_bare_eol = true;
			r->out[r->out_len++] = in[k];
		}
		if (!is_whole) {
			r->consumed = n;
			return;
		}
		r->out[r->out_len++] = '\r';
		r->out[r->out_len++] = '\n';
		i = j + 2;
	}
}

/* Feeds in[0..n) to dot_decode in pieces ending at cuts[], as a reader
 * would: it stops at the end and never offers what follows. */
static void
run_pieces(const char *in, size_t n, const size_t *cuts, size_t n_cuts,
    struct result *r)
{
	struct dot d = DOT_ZERO;
	size_t from = 0;

	memset(r, 0, sizeof *r);
	for (size_t c = 0; c <= n_cuts && !r->is_done; c++) {
		size_t to = c < n_cuts ? cuts[c] : n;
		size_t len = to - from, got;
		/* Exactly the documented room, so ASan sees any overrun. */
		char *in_copy = malloc(len ? len : 1), *out = malloc(len + 2);
		bool is_done;
		if (in_copy == NULL || out == NULL)
			abort();
		memcpy(in_copy, in + from, len);
		size_t used = dot_decode(&d, in_copy, len, out, &got, &is_done);
		if (used > len || got > len + 2 ||
		    r->out_len + got > sizeof r->out) {
			/* Cannot be honest: make it a visible mismatch. */
			r->consumed = (size_t)-1;
			free(in_copy);
			free(out);
			return;
		}
		memcpy(r->out + r->out_len, out, got);
		r->out_len += got;
		r->consumed += used;
		r->is_done = is_done;
		if (!is_done && used != len)
			r->consumed = (size_t)-2;	/* stopped early */
		free(in_copy);
		free(out);
		from = to;
	}
	r->has_bare_eol = d.has_bare_eol;
}

static bool
result_equal(const struct result *a, const struct result *b)
{
	return a->out_len == b->out_len &&
	    memcmp(a->out, b->out, a->out_len) == 0 &&
	    a->consumed == b->consumed && a->is_done == b->is_done &&
	    a->has_bare_eol == b->has_bare_eol;
}

static void
check_same(const struct result *want, const struct result *got,
    const char *how)
{
	if (result_equal(want, got))
		return;
	test_assert_mem(got->out, got->out_len, want->out, want->out_len);
	test_assert_int(got->consumed, ==, want->consumed);
	test_assert_int(got->is_done, ==, want->is_done);
	test_assert_int(got->has_bare_eol, ==, want->has_bare_eol);
	printf("#   fed %s\n", how);
}

static void
test_table(void)
{
	for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
		const struct dot_case *c = &cases[t];
		size_t n = strlen(c->in), cuts[MAX_IN];
		struct result want, got;

		/* The model first, so that a wrong model cannot hide a bug. */
		test_begin("dot model: %s", c->name);
		ref_decode(c->in, n, &want);
		test_assert_mem(want.out, want.out_len, c->out, strlen(c->out));
		test_assert_int(want.consumed, ==, c->consumed);
		test_assert_int(want.is_done, ==, c->is_done);
		test_assert_int(want.has_bare_eol, ==, c->has_bare_eol);
		test_end();

		test_begin("dot whole: %s", c->name);
		run_pieces(c->in, n, NULL, 0, &got);
		test_assert_mem(got.out, got.out_len, c->out, strlen(c->out));
		test_assert_int(got.consumed, ==, c->consumed);
		test_assert_int(got.is_done, ==, c->is_done);
		test_assert_int(got.has_bare_eol, ==, c->has_bare_eol);
		test_end();

		test_begin("dot byte by byte: %s", c->name);
		for (size_t i = 0; i + 1 < n; i++)
			cuts[i] = i + 1;
		run_pieces(c->in, n, cuts, n > 0 ? n - 1 : 0, &got);
		check_same(&want, &got, "byte by byte");
		test_end();

		test_begin("dot every 2-way split: %s", c->name);
		for (size_t i = 0; i <= n; i++) {
			char how[32];
			cuts[0] = i;
			run_pieces(c->in, n, cuts, 1, &got);
			snprintf(how, sizeof how, "split at %zu", i);
			check_same(&want, &got, how);
		}
		test_end();
	}
}

/* xorshift64: fixed seed, same inputs on every run. */
static uint64_t
rng_next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Runs one way of cutting in[]; on the first disagreement, says how. */
static bool
random_try(const char *in, size_t n, const size_t *cuts, size_t n_cuts,
    const struct result *want, int t)
{
	struct result got;
	char how[400], q[300];

	run_pieces(in, n, cuts, n_cuts, &got);
	if (result_equal(want, &got))
		return true;
	snprintf(how, sizeof how, "input %d \"%s\" in %zu pieces", t,
	    test_escape(q, sizeof q, in, n), n_cuts + 1);
	check_same(want, &got, how);
	return false;
}

static void
test_random(void)
{
	/* {CR, LF, ".", "a"}, with CRLF as a fifth token so that ends and
	 * stuffed lines come often enough. */
	static const char *const tokens[] = { "\r", "\n", ".", "a", "\r\n" };
	uint64_t seed = 0x636172746572ULL;
	int n_done = 0, n_bare = 0, n_bad = 0;

	test_begin("dot random inputs agree with the model (5000, seed fixed)");
	for (int t = 0; t < 5000 && n_bad < 5; t++) {
		char in[64];
		size_t cuts[sizeof in];
		size_t n = (size_t)(rng_next(&seed) % sizeof in);
		struct result want;
		bool is_ok;

		for (size_t i = 0; i < n; ) {
			const char *tok = tokens[rng_next(&seed) % 5];
			for (; *tok && i < n; tok++)
				in[i++] = *tok;
		}
		ref_decode(in, n, &want);
		n_done += want.is_done;
		n_bare += want.has_bare_eol;
		is_ok = random_try(in, n, NULL, 0, &want, t);
		for (size_t i = 0; i + 1 < n; i++)
			cuts[i] = i + 1;
		is_ok = is_ok && random_try(in, n, cuts, n > 0 ? n - 1 : 0,
		    &want, t);
		for (size_t i = 0; i <= n && is_ok; i++) {
			cuts[0] = i;
			is_ok = random_try(in, n, cuts, 1, &want, t);
		}
		if (is_ok && n >= 2) {
			cuts[0] = (size_t)(rng_next(&seed) % n);
			cuts[1] = cuts[0] + (size_t)(rng_next(&seed) %
			    (n - cuts[0]));
			is_ok = random_try(in, n, cuts, 2, &want, t);
		}
		n_bad += !is_ok;
	}
	/* The inputs must reach both outcomes, or they prove little. */
	test_assert_int(n_done, >, 1000);
	test_assert_int(n_done, <, 4000);
	test_assert_int(n_bare, >, 1000);
	test_assert_int(n_bare, <, 4900);
	test_end();
}

int
main(void)
{
	test_table();
	test_random();
	return test_done();
}
