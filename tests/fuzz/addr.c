/* ISC license. */
/* Fuzz target: addr_parse_path() and param_split().  Input: byte 0 has
 * the flags, the rest is a MAIL/RCPT argument (a path, then parameters).
 * Oracles: bounds and shape of a parsed path, a parse of "<full>" giving
 * the same address back, and a model of the parameter grammar. */
#include <ctype.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "../../sdk/src/addr-internal.h"
#include "fuzz.h"

static bool param_token_ok(const char *t, size_t n);
static int param_model(const char *s, const char *tok[], size_t tok_len[],
    size_t max);
static void check_path(const char *s, bool allow_null, bool allow_pm);
static void check_params(const char *s);

/* esmtp-param = esmtp-keyword ["=" esmtp-value]
 * esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
 * esmtp-value = 1*(%d33-60 / %d62-126) */
static bool
param_token_ok(const char *t, size_t n)
{
	size_t i = 0;

	if (n == 0 || (unsigned char)t[0] >= 0x80 ||
	    !isalnum((unsigned char)t[0]))
		return false;
	while (i < n && (unsigned char)t[i] < 0x80 &&
	    (isalnum((unsigned char)t[i]) || t[i] == '-'))
		i++;
	if (i == n)
		return true;
	if (t[i] != '=' || i + 1 == n)
		return false;
	for (i++; i < n; i++)
		if ((unsigned char)t[i] < 33 || (unsigned char)t[i] > 126 ||
		    t[i] == '=')
			return false;
	return true;
}

/* Tokens separated by runs of spaces; their count, or -1. */
static int
param_model(const char *s, const char *tok[], size_t tok_len[], size_t max)
{
	int n = 0;

	for (const char *p = s;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return n;
		size_t k = strcspn(p, " ");
		if ((size_t)n == max || !param_token_ok(p, k))
			return -1;
		tok[n] = p;
		tok_len[n++] = k;
		p += k;
	}
}

static void
check_params(const char *s)
{
	const char *tok[PARAM_MAX];
	size_t tok_len[PARAM_MAX];
	struct param params[PARAM_MAX];
	size_t len = strlen(s);
	char *copy = malloc(len + 1);

	FUZZ_ASSERT(copy != NULL);
	memcpy(copy, s, len + 1);
	int n = param_split(copy, params);
	int want = param_model(s, tok, tok_len, PARAM_MAX);
	if (n != want)
		fuzz_fail("param_split gave %d, model %d", n, want);
	for (int i = 0; i < n; i++) {
		const char *k = params[i].keyword, *v = params[i].value;
		size_t kl = strlen(k), vl = v ? strlen(v) : 0;
		FUZZ_ASSERT(k >= copy && k < copy + len);
		FUZZ_ASSERT(v == NULL || (v > k && v < copy + len));
		/* The same token, its keyword upper-cased. */
		if (kl + (v ? 1 + vl : 0) != tok_len[i])
			fuzz_fail("param %d: %zu octets, model %zu", i,
			    kl + (v ? 1 + vl : 0), tok_len[i]);
		for (size_t j = 0; j < kl; j++)
			FUZZ_ASSERT(k[j] == (char)toupper((unsigned char)tok[i][j]));
		FUZZ_ASSERT(v == NULL || (tok[i][kl] == '=' &&
		    memcmp(v, tok[i] + kl + 1, vl) == 0));
		FUZZ_ASSERT(v != NULL || kl == tok_len[i]);
	}
	free(copy);
}

static void
check_path(const char *s, bool allow_null, bool allow_pm)
{
	struct addr a, b;
	const char *end = NULL, *end2 = NULL;
	size_t len = strlen(s);
	enum addr_error e = addr_parse_path(s, allow_null, allow_pm, &a, &end);

	if (e != ADDR_OK)
		return;
	FUZZ_ASSERT(end > s && end <= s + len && end[-1] == '>');
	FUZZ_ASSERT(strlen(a.full) <= ADDR_PATH_MAX - 2);
	FUZZ_ASSERT(strlen(a.local) <= ADDR_PATH_MAX &&
	    strlen(a.domain) <= ADDR_DOMAIN_MAX);
	if (a.is_null) {
		FUZZ_ASSERT(allow_null && a.full[0] == '\0' &&
		    a.domain[0] == '\0' && end == s + 2);
		return;
	}
	for (const char *p = a.domain; *p; p++)
		FUZZ_ASSERT(!(*p >= 'A' && *p <= 'Z'));
	if (a.domain[0] == '\0') {
		/* Only <postmaster> has no domain. */
		FUZZ_ASSERT(allow_pm && strcasecmp(a.full, "postmaster") == 0);
	} else {
		char want[2 * ADDR_PATH_MAX + 4];
		snprintf(want, sizeof want, "%s@%s", a.local, a.domain);
		FUZZ_ASSERT(strcmp(want, a.full) == 0);
		FUZZ_ASSERT(strchr(a.domain, '@') == NULL ||
		    a.domain[0] == '[');
	}
	/* No control character can reach a header or a log through it. */
	for (const char *p = a.full; *p; p++)
		FUZZ_ASSERT((unsigned char)*p >= 32 && *p != 127);
	/* Round trip: what we keep parses to itself. */
	char again[ADDR_PATH_MAX + 4];
	snprintf(again, sizeof again, "<%s>", a.full);
	e = addr_parse_path(again, allow_null, allow_pm, &b, &end2);
	if (e != ADDR_OK)
		fuzz_fail("\"%s\" parsed, but \"%s\" does not (%d)", s, again,
		    (int)e);
	FUZZ_ASSERT(strcmp(a.full, b.full) == 0 && a.has_utf8 == b.has_utf8);
	FUZZ_ASSERT(*end2 == '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *s = malloc(size);

	FUZZ_ASSERT(s != NULL);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';	/* a C string, as the line reader gives */
	check_path(s, data[0] & 1, data[0] & 2);
	/* The parameters: after the path, or the whole input. */
	struct addr a;
	const char *end;
	if (addr_parse_path(s, true, true, &a, &end) == ADDR_OK && *end == ' ')
		check_params(end + 1);
	else
		check_params(s);
	FUZZ_ASSERT(addr_equal_ci(s, s));
	free(s);
	return 0;
}
