/* ISC license. */
/* The SPAMC/SPAMD protocol (SpamAssassin's spamd PROTOCOL file): pure parts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spamd-internal.h"

static const char *spamc_line(const char *p, const char *end,
    const char **next_r);
static const char *spamc_skip_ws(const char *p, const char *end);
static int spamc_number(const char **pp, const char *end, double *value_r);
static int spamc_spam_field(const char *p, const char *end,
    struct spamc_result *r);
static long spamc_content_length(const char *p, const char *end);
static const char *spamc_header_end(const char *buf, size_t len,
    const char **body_r);
static void spamc_symbols(char *dst, const char *p, const char *end);

/* The end of the line at p (before CRLF or LF), or NULL when it is not
 * complete; *next_r is where the next one starts. */
static const char *
spamc_line(const char *p, const char *end, const char **next_r)
{
	const char *lf = memchr(p, '\n', (size_t)(end - p));

	if (lf == NULL)
		return NULL;
	*next_r = lf + 1;
	return lf > p && lf[-1] == '\r' ? lf - 1 : lf;
}

static const char *
spamc_skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* number = ["-" / "+"] 1*DIGIT ["." *DIGIT]; strtod would follow the
 * locale and accept more (hex, exponents, inf). */
static int
spamc_number(const char **pp, const char *end, double *value_r)
{
	const char *p = *pp;
	double v = 0, scale = 1;
	bool is_negative = false;

	if (p < end && (*p == '-' || *p == '+'))
		is_negative = *p++ == '-';
	if (p >= end || *p < '0' || *p > '9')
		return -1;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		if (v < 1e12)
			v = v * 10 + (*p - '0');
	if (p < end && *p == '.')
		for (p++; p < end && *p >= '0' && *p <= '9'; p++)
			if (scale > 1e-9) {
				scale /= 10;
				v += (*p - '0') * scale;
			}
	*value_r = is_negative ? -v : v;
	*pp = p;
	return 0;
}

int
spamd_decimal(const char *s, double *value_r)
{
	const char *end = s + strlen(s);

	if (*s == '+' || spamc_number(&s, end, value_r) < 0 || s != end ||
	    s[-1] == '.')
		return -1;
	return 0;
}

int
spamd_server_parse(struct spamd_server *srv, const char *s)
{
	const char *colon, *host = s, *port;
	size_t hl;

	memset(srv, 0, sizeof *srv);
	if (strncmp(s, "unix:", 5) == 0) {
		if (s[5] != '/' || strlen(s + 5) >= 108)
			return -1;
		srv->is_unix = true;
		strcpy(srv->host, s + 5);
		return 0;
	}
	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (close == NULL || (close[1] != ':' && close[1] != '\0'))
			return -1;
		host = s + 1;
		hl = (size_t)(close - host);
		port = close[1] == ':' ? close + 2 : "783";
	} else if ((colon = strrchr(s, ':')) != NULL) {
		if (memchr(s, ':', (size_t)(colon - s)) != NULL)
			return -1;	/* an IPv6 address needs [] */
		hl = (size_t)(colon - s);
		port = colon + 1;
	} else {
		hl = strlen(s);
		port = "783";
	}
	if (hl == 0 || hl >= sizeof srv->host || strlen(port) == 0 ||
	    strlen(port) > 5 || strspn(port, "0123456789") != strlen(port) ||
	    atoi(port) < 1 || atoi(port) > 65535)
		return -1;
	for (size_t i = 0; i < hl; i++)
		if (host[i] <= ' ' || host[i] >= 127 || host[i] == '/' ||
		    host[i] == '[' || host[i] == ']')
			return -1;
	memcpy(srv->host, host, hl);
	srv->host[hl] = '\0';
	strcpy(srv->port, port);
	return 0;
}

int
spamc_request(char *buf, size_t n, const char *command, off_t length,
    const char *user)
{
	int len;

	/* request = method SP "SPAMC/1.5" CRLF "Content-length: " n CRLF
	 *           ["User: " name CRLF] CRLF */
	len = snprintf(buf, n, "%s SPAMC/1.5\r\nContent-length: %lld\r\n"
	    "%s%s%s\r\n", command, (long long)length, user ? "User: " : "",
	    user ? user : "", user ? "\r\n" : "");
	return len < 0 || (size_t)len >= n ? -1 : len;
}

/* Content-length in the header lines from p to end, -1 when none. */
static long
spamc_content_length(const char *p, const char *end)
{
	const char *eol, *next;

	while ((eol = spamc_line(p, end, &next)) != NULL) {
		if ((size_t)(eol - p) > 15 &&
		    strncasecmp(p, "Content-length:", 15) == 0) {
			const char *v = spamc_skip_ws(p + 15, eol);
			long n = 0;
			if (v == eol)
				return -1;
			for (; v < eol && *v >= '0' && *v <= '9'; v++)
				if (n < 100000000)
					n = n * 10 + (*v - '0');
			return n;
		}
		p = next;
	}
	return -1;
}

/* The empty line that ends the header block; *body_r after it. */
static const char *
spamc_header_end(const char *buf, size_t len, const char **body_r)
{
	const char *p = buf, *end = buf + len, *eol, *next;

	while ((eol = spamc_line(p, end, &next)) != NULL) {
		if (eol == p && p != buf) {
			*body_r = next;
			return p;
		}
		p = next;
	}
	return NULL;
}

bool
spamc_is_complete(const char *buf, size_t len)
{
	const char *body, *hend = spamc_header_end(buf, len, &body);
	long clen;

	if (hend == NULL)
		return false;
	clen = spamc_content_length(buf, hend);
	return clen < 0 || (size_t)(buf + len - body) >= (size_t)clen;
}

/* spam = "Spam:" ("True" / "False" / "Yes" / "No") ";" score "/" required */
static int
spamc_spam_field(const char *p, const char *end, struct spamc_result *r)
{
	const char *w = spamc_skip_ws(p, end), *we = w;

	while (we < end && *we != ' ' && *we != '\t' && *we != ';')
		we++;
	if ((we - w == 4 && strncasecmp(w, "True", 4) == 0) ||
	    (we - w == 3 && strncasecmp(w, "Yes", 3) == 0))
		r->is_spam = true;
	else if ((we - w == 5 && strncasecmp(w, "False", 5) == 0) ||
	    (we - w == 2 && strncasecmp(w, "No", 2) == 0))
		r->is_spam = false;
	else
		return -1;
	p = spamc_skip_ws(we, end);
	if (p >= end || *p++ != ';')
		return -1;
	p = spamc_skip_ws(p, end);
	if (spamc_number(&p, end, &r->score) < 0)
		return -1;
	p = spamc_skip_ws(p, end);
	if (p >= end || *p++ != '/')
		return -1;
	p = spamc_skip_ws(p, end);
	if (spamc_number(&p, end, &r->required) < 0)
		return -1;
	return spamc_skip_ws(p, end) == end ? 0 : -1;
}

/*
 * The rule names of a SYMBOLS answer ("A,B,C" and a line end) joined with
 * ',', keeping only names made of letters, digits, '_', '-' and '.' (a
 * header field must not carry what spamd's peer put there) and as many as
 * fit in SPAMC_SYMBOLS_MAX.
 */
static void
spamc_symbols(char *dst, const char *p, const char *end)
{
	size_t o = 0;

	while (p < end) {
		const char *s = p;
		bool is_ok = true;
		while (p < end && *p != ',' && *p != '\r' && *p != '\n' &&
		    *p != ' ' && *p != '\t') {
			char c = *p++;
			if (!((c >= 'A' && c <= 'Z') ||
			    (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') ||
			    c == '_' || c == '-' || c == '.'))
				is_ok = false;
		}
		size_t n = (size_t)(p - s);
		if (n > 0 && is_ok && o + (o > 0) + n <= SPAMC_SYMBOLS_MAX) {
			if (o > 0)
				dst[o++] = ',';
			memcpy(dst + o, s, n);
			o += n;
		}
		if (p < end)
			p++;
	}
	dst[o] = '\0';
}

int
spamc_parse(const char *buf, size_t len, struct spamc_result *r,
    const char **error_r)
{
	static char error[160];
	const char *end = buf + len, *p, *eol, *next, *body, *hend;
	bool has_spam = false;
	long clen;

	memset(r, 0, sizeof *r);
	/* status = "SPAMD/" 1*DIGIT "." 1*DIGIT SP code SP text */
	if ((eol = spamc_line(buf, end, &next)) == NULL) {
		*error_r = len == 0 ? "spamd closed without answering"
		    : "spamd's answer ends within its first line";
		return -1;
	}
	if (eol - buf < 8 || strncmp(buf, "SPAMD/", 6) != 0) {
		*error_r = "not a SPAMD answer";
		return -1;
	}
	p = buf + 6;
	while (p < eol && *p != ' ')
		p++;
	p = spamc_skip_ws(p, eol);
	if (p >= eol || *p < '0' || *p > '9') {
		*error_r = "malformed SPAMD status line";
		return -1;
	}
	if (*p != '0' || (p + 1 < eol && p[1] != ' ')) {
		size_t n = (size_t)(eol - buf), o = 0;
		o = (size_t)snprintf(error, sizeof error, "spamd answered: ");
		for (size_t i = 0; i < n && o + 1 < sizeof error; i++)
			error[o++] = buf[i] >= ' ' && buf[i] < 127 ? buf[i]
			    : '?';
		error[o] = '\0';
		*error_r = error;
		return -1;
	}
	if ((hend = spamc_header_end(buf, len, &body)) == NULL) {
		*error_r = "spamd's answer ends within its header";
		return -1;
	}
	for (p = next; p < hend; p = next) {
		eol = spamc_line(p, hend, &next);
		if ((size_t)(eol - p) > 5 && strncasecmp(p, "Spam:", 5) == 0) {
			if (spamc_spam_field(p + 5, eol, r) < 0) {
				*error_r = "malformed Spam field";
				return -1;
			}
			has_spam = true;
		}
	}
	if (!has_spam) {
		*error_r = "spamd's answer has no Spam field";
		return -1;
	}
	clen = spamc_content_length(buf, hend);
	if (clen >= 0 && (size_t)clen < (size_t)(end - body))
		end = body + clen;
	spamc_symbols(r->symbols, body, end);
	return 0;
}

void
spamc_status(char *dst, size_t n, const struct spamc_result *r)
{
	/* SpamAssassin's "_YESNO_, score=_SCORE_ required=_REQD_
	 * tests=_TESTS_"; autolearn= and version= are not told over
	 * SPAMC, so they are left out rather than made up. */
	snprintf(dst, n, "%s, score=%.1f required=%.1f tests=%s",
	    r->is_spam ? "Yes" : "No", r->score, r->required,
	    r->symbols[0] != '\0' ? r->symbols : "none");
}
