/* ISC license. */
/* Address and ESMTP parameter parsing: one strict parser, errors returned. */
#include <string.h>

#include "addr-internal.h"

static bool
is_alpha(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* atext = ALPHA / DIGIT / "!#$%&'*+-/=?^_`{|}~" (RFC 5322), plus UTF-8.
 * strchr() finds the terminating NUL too, so NUL is ruled out first. */
static bool
is_atext(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c >= 0x80 ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Length of one well-formed UTF-8 sequence at s, 0 if not one. */
static size_t
utf8_len(const unsigned char *s)
{
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) ||
		    (s[0] == 0xed && s[1] > 0x9f))
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) ||
		    (s[0] == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/* Checks that every non-ASCII byte in s[0..n) is well-formed UTF-8. */
static bool
utf8_valid(const char *s, size_t n, bool *has_utf8)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;

	while (p < e) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		size_t k = (size_t)(e - p) >= 4 ? utf8_len(p) : 0;
		if (k == 0) {
			/* Near the end: copy so the lookahead stays inside. */
			unsigned char tmp[4] = { 0, 0, 0, 0 };
			memcpy(tmp, p, (size_t)(e - p) < 4 ? (size_t)(e - p) : 4);
			k = utf8_len(tmp);
			if (k == 0 || k > (size_t)(e - p))
				return false;
		}
		*has_utf8 = true;
		p += k;
	}
	return true;
}

/* Dot-string = Atom *("." Atom) */
static const char *
parse_dot_string(const char *s)
{
	const char *p = s;

	for (;;) {
		const char *atom = p;
		while (is_atext((unsigned char)*p))
			p++;
		if (p == atom)
			return NULL;
		if (*p != '.')
			return p;
		p++;
	}
}

/* Quoted-string = DQUOTE *QcontentSMTP DQUOTE
 * qtextSMTP = %d32-33 / %d35-91 / %d93-126; quoted-pairSMTP = "\" %d32-126 */
static const char *
parse_quoted_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s + 1;

	for (;;) {
		if (*p == '"')
			return (const char *)p + 1;
		if (*p == '\\') {
			if (p[1] < 32 || p[1] > 126)
				return NULL;
			p += 2;
		} else if ((*p >= 32 && *p <= 126) || *p >= 0x80)
			p++;
		else
			return NULL;
	}
}

/* sub-domain = Let-dig [Ldh-str]; Domain = sub-domain *("." sub-domain) */
static const char *
parse_domain(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (;;) {
		const unsigned char *label = p;
		while (is_alpha(*p) || is_digit(*p) || *p == '-' || *p >= 0x80)
			p++;
		if (p == label || *label == '-' || p[-1] == '-' || p - label > 63)
			return NULL;
		if (*p != '.')
			return (const char *)p;
		p++;
	}
}

/* address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
 * General-address-literal ) "]"; checked loosely: printable, no "[]\". */
static const char *
parse_address_literal(const char *s)
{
	const char *p = s + 1;

	while (*p > 32 && *p < 127 && *p != '[' && *p != ']' && *p != '\\')
		p++;
	if (*p != ']' || p == s + 1)
		return NULL;
	return p + 1;
}

bool
addr_equal_ci(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
		if (x >= 'A' && x <= 'Z')
			x |= 0x20;
		if (y >= 'A' && y <= 'Z')
			y |= 0x20;
		if (x != y)
			return false;
	}
	return *a == *b;
}

/* Path = "<" [ A-d-l ":" ] Mailbox ">"
 * A-d-l = At-domain *( "," At-domain ); At-domain = "@" Domain
 * Mailbox = Local-part "@" ( Domain / address-literal ) */
enum addr_error
addr_parse_path(const char *s, bool allow_null, bool allow_postmaster,
    struct addr *a, const char **end_r)
{
	const char *p = s, *local, *local_end, *dom, *dom_end;

	memset(a, 0, sizeof *a);
	if (*p++ != '<')
		return ADDR_SYNTAX;
	if (*p == '>') {
		if (!allow_null)
			return ADDR_SYNTAX;
		a->is_null = true;
		*end_r = p + 1;
		return ADDR_OK;
	}
	if (*p == '@') {
		do {
			if ((p = parse_domain(p + 1)) == NULL)
				return ADDR_SYNTAX;
		} while (*p == ',' && p[1] == '@' && p++);
		if (*p++ != ':')
			return ADDR_SYNTAX;
	}
	local = p;
	local_end = *p == '"' ? parse_quoted_string(p) : parse_dot_string(p);
	if (local_end == NULL)
		return ADDR_SYNTAX;
	if (*local_end == '>' && allow_postmaster &&
	    local_end - local == 10 && strncasecmp(local, "postmaster", 10) == 0) {
		memcpy(a->local, local, 10);
		memcpy(a->full, local, 10);
		*end_r = local_end + 1;
		return ADDR_OK;
	}
	if (*local_end != '@')
		return ADDR_SYNTAX;
	dom = local_end + 1;
	dom_end = *dom == '[' ? parse_address_literal(dom) : parse_domain(dom);
	if (dom_end == NULL || *dom_end != '>')
		return ADDR_SYNTAX;
	size_t nl = (size_t)(local_end - local), nd = (size_t)(dom_end - dom);
	if (nl > ADDR_LOCAL_MAX * 4 || nd > ADDR_DOMAIN_MAX ||
	    nl + nd + 3 > ADDR_PATH_MAX)
		return ADDR_TOO_LONG;
	if (!utf8_valid(local, nl, &a->has_utf8) ||
	    !utf8_valid(dom, nd, &a->has_utf8))
		return ADDR_BAD_UTF8;
	/* 64 octets for an ASCII local part; UTF-8 ones count characters
	 * (a UTF-8 domain does not lift the limit on an ASCII local part). */
	size_t n_chars = 0;
	for (size_t i = 0; i < nl; i++)
		n_chars += ((unsigned char)local[i] & 0xc0) != 0x80;
	if (n_chars > ADDR_LOCAL_MAX)
		return ADDR_TOO_LONG;
	memcpy(a->local, local, nl);
	for (size_t i = 0; i < nd; i++) {
		char c = dom[i];
		a->domain[i] = (c >= 'A' && c <= 'Z') ? (char)(c | 0x20) : c;
	}
	memcpy(a->full, local, nl);
	a->full[nl] = '@';
	memcpy(a->full + nl + 1, a->domain, nd);
	*end_r = dom_end + 1;
	return ADDR_OK;
}

int
param_split(char *s, struct param *params)
{
	int n = 0;

	for (;;) {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			return n;
		if (n == PARAM_MAX)
			return -1;
		char *kw = s;
		if (!is_alpha((unsigned char)*s) && !is_digit((unsigned char)*s))
			return -1;
		for (; is_alpha((unsigned char)*s) || is_digit((unsigned char)*s) ||
		    *s == '-'; s++)
			if (*s >= 'a' && *s <= 'z')
				*s = (char)(*s - 32);
		char *value = NULL;
		if (*s == '=') {
			*s++ = '\0';
			value = s;
			while (*s >= 33 && *s <= 126 && *s != '=')
				s++;
			if (s == value)
				return -1;
		}
		if (*s != ' ' && *s != '\0')
			return -1;
		if (*s == ' ')
			*s++ = '\0';
		params[n].keyword = kw;
		params[n].value = value;
		n++;
	}
}
