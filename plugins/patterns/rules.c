/* ISC license. */
/* The patterns rules file: parse, compile, match; the header field reader. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "rules.h"

/* headers_scan()'s progress through cartero's trace fields. */
struct hscan {
	int (*fn)(void *arg, const char *field);
	void *arg;
	int trace;		/* 0: Return-Path next, 1: Received, 2: done */
	bool was_trace;		/* the last field was a trace field */
};

static const char *const field_names[FIELD_COUNT] = {
	"client", "helo", "sender", "recipient", "header"
};

static char *rules_token(char **p);
static char *rules_rest(char **p);
static bool rules_is_ascii_text(const char *s);
static int rules_parse_code(struct rule *r, const char *code,
    const char *status, char *err, size_t n);
static bool headers_is_name_char(char c);
static int headers_emit(struct hscan *h, const char *field);

const char *
rule_field_name(enum rule_field f)
{
	return (unsigned)f < FIELD_COUNT ? field_names[f] : "?";
}

/* The next blank-separated token, or NULL at the end of the line. */
static char *
rules_token(char **p)
{
	char *s = *p + strspn(*p, " \t");
	char *e;

	if (*s == '\0') {
		*p = s;
		return NULL;
	}
	e = s + strcspn(s, " \t");
	if (*e != '\0')
		*e++ = '\0';
	*p = e;
	return s;
}

/* The rest of the line without its leading and trailing blanks. */
static char *
rules_rest(char **p)
{
	char *s = *p + strspn(*p, " \t");
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	*p = s + n;
	return s;
}

/* Reply texts and header values are one line of printable ASCII. */
static bool
rules_is_ascii_text(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

/* code = ("4" / "5") 2DIGIT; status = class "." 1*3DIGIT "." 1*3DIGIT
 * (RFC 3463), its class the code's first digit. */
static int
rules_parse_code(struct rule *r, const char *code, const char *status,
    char *err, size_t n)
{
	size_t i = 0;

	if (strlen(code) != 3 || (code[0] != '4' && code[0] != '5') ||
	    strspn(code, "0123456789") != 3) {
		snprintf(err, n, "bad reply code \"%s\" (a 4xx or 5xx code)",
		    code);
		return -1;
	}
	r->code = (short)atoi(code);
	if (status == NULL) {
		snprintf(err, n, "missing status after %s (like %c.7.1)",
		    code, code[0]);
		return -1;
	}
	bool is_ok = (status[0] == '4' || status[0] == '5') &&
	    status[1] == '.';
	for (int part = 0; is_ok && part < 2; part++) {
		size_t d = strspn(status + 2 + i, "0123456789");
		is_ok = d >= 1 && d <= 3;
		i += d;
		if (part == 0)
			is_ok = is_ok && status[2 + i++] == '.';
	}
	if (!is_ok || status[2 + i] != '\0') {
		snprintf(err, n, "bad status \"%.20s\" (like %c.7.1)", status,
		    code[0]);
		return -1;
	}
	if (status[0] != code[0]) {
		snprintf(err, n, "status %s does not agree with code %s "
		    "(%cxx needs %c.x.x)", status, code, code[0], code[0]);
		return -1;
	}
	memcpy(r->status, status, strlen(status) + 1);
	return 0;
}

/*
 * rule    = FIELD 1*WSP KIND 1*WSP PATTERN 1*WSP action
 * action  = "reject" 1*WSP CODE 1*WSP STATUS 1*WSP TEXT
 *         / "tag" 1*WSP NAME 1*WSP VALUE
 * FIELD   = "client" / "helo" / "sender" / "recipient" / "header"
 * KIND    = "glob" / "regex"
 * PATTERN = 1*(VCHAR except WSP); TEXT and VALUE run to the end of the line.
 * A line whose first non-blank character is "#" is a comment.
 */
int
rule_parse(struct rule *r, char *line, char *err, size_t n)
{
	char *p = line, *tok;

	memset(r, 0, sizeof *r);
	p += strspn(p, " \t");
	if (*p == '\0' || *p == '#')
		return 0;
	tok = rules_token(&p);
	for (r->field = 0; r->field < FIELD_COUNT; r->field++)
		if (strcmp(tok, field_names[r->field]) == 0)
			break;
	if (r->field == FIELD_COUNT) {
		snprintf(err, n, "unknown field \"%.40s\" (client, helo, "
		    "sender, recipient or header)", tok);
		return -1;
	}
	if ((tok = rules_token(&p)) == NULL || (strcmp(tok, "glob") != 0 &&
	    strcmp(tok, "regex") != 0)) {
		snprintf(err, n, "%s%.40s%s (glob or regex)",
		    tok ? "unknown kind \"" : "missing kind", tok ? tok : "",
		    tok ? "\"" : "");
		return -1;
	}
	r->is_regex = strcmp(tok, "regex") == 0;
	if ((tok = rules_token(&p)) == NULL) {
		snprintf(err, n, "missing pattern");
		return -1;
	}
	const char *pattern = tok;
	if ((tok = rules_token(&p)) == NULL || (strcmp(tok, "reject") != 0 &&
	    strcmp(tok, "tag") != 0)) {
		snprintf(err, n, "%s%.40s%s (reject or tag)",
		    tok ? "unknown action \"" : "missing action after the "
		    "pattern", tok ? tok : "", tok ? "\"" : "");
		return -1;
	}
	r->action = strcmp(tok, "reject") == 0 ? ACTION_REJECT : ACTION_TAG;
	if (r->action == ACTION_REJECT) {
		const char *code = rules_token(&p), *status;
		if (code == NULL) {
			snprintf(err, n, "missing reply code after reject");
			return -1;
		}
		status = rules_token(&p);
		if (rules_parse_code(r, code, status, err, n) < 0)
			return -1;
	} else {
		if ((tok = rules_token(&p)) == NULL) {
			snprintf(err, n, "missing header field name after tag");
			return -1;
		}
		size_t len = strlen(tok);
		if (len > 1 && tok[len - 1] == ':')
			tok[--len] = '\0';
		bool is_ok = len > 0 && len <= 76;
		for (const char *c = tok; is_ok && *c; c++)
			is_ok = *c > 0x20 && *c < 0x7f && *c != ':';
		if (!is_ok) {
			snprintf(err, n, "bad header field name \"%.40s\" "
			    "(printable ASCII without ':', 76 at most)", tok);
			return -1;
		}
		if ((r->header = strdup(tok)) == NULL)
			goto nomem;
	}
	const char *text = rules_rest(&p);
	const char *what = r->action == ACTION_REJECT ? "reply text" :
	    "header field value";
	size_t max = r->action == ACTION_REJECT ? RULES_TEXT_MAX :
	    RULES_VALUE_MAX;
	if (*text == '\0') {
		snprintf(err, n, "missing %s", what);
		goto fail;
	}
	if (!rules_is_ascii_text(text) || strlen(text) > max) {
		snprintf(err, n, "bad %s (printable ASCII, %zu octets at most)",
		    what, max);
		goto fail;
	}
	if ((r->text = strdup(text)) == NULL ||
	    (r->pattern = strdup(pattern)) == NULL)
		goto nomem;
	if (r->is_regex) {
		int e = regcomp(&r->re, pattern,
		    REG_EXTENDED | REG_ICASE | REG_NOSUB);
		if (e != 0) {
			char why[200];
			regerror(e, &r->re, why, sizeof why);
			snprintf(err, n, "bad regex \"%.60s\": %s", pattern,
			    why);
			r->is_regex = false;	/* nothing to regfree */
			rule_free(r);
			return -1;
		}
	}
	return 1;
nomem:
	snprintf(err, n, "out of memory");
fail:
	r->is_regex = false;	/* not compiled yet */
	rule_free(r);
	return -1;
}

void
rule_free(struct rule *r)
{
	if (r->is_regex)
		regfree(&r->re);
	free(r->pattern);
	free(r->text);
	free(r->header);
	memset(r, 0, sizeof *r);
}

void
rules_free(struct rules *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		rule_free(&rs->v[i]);
	free(rs->v);
	free(rs->path);
	memset(rs, 0, sizeof *rs);
}

int
rules_load(struct rules *rs, const char *path, char *err, size_t n)
{
	char line[RULES_LINE_MAX + 1], why[300];
	int lineno = 0;
	FILE *f;

	if ((rs->path = strdup(path)) == NULL) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		rules_free(rs);
		return -1;
	}
	for (;;) {
		size_t len = 0;
		bool has_nul = false;
		struct rule r;
		int c, k;

		while ((c = getc(f)) != EOF && c != '\n') {
			if (len == RULES_LINE_MAX - 1) {
				snprintf(err, n, "%s:%d: line too long (%d "
				    "octets at most)", path, lineno + 1,
				    RULES_LINE_MAX - 1);
				goto fail;
			}
			has_nul = has_nul || c == '\0';
			line[len++] = (char)c;
		}
		if (c == EOF && len == 0)
			break;
		line[len] = '\0';
		lineno++;
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (has_nul) {
			snprintf(err, n, "%s:%d: NUL in line", path, lineno);
			goto fail;
		}
		if ((k = rule_parse(&r, line, why, sizeof why)) < 0) {
			snprintf(err, n, "%s:%d: %s", path, lineno, why);
			goto fail;
		}
		if (k == 0)
			continue;
		r.line = lineno;
		struct rule *v = realloc(rs->v, (rs->n + 1) * sizeof *v);
		if (v == NULL) {
			rule_free(&r);
			snprintf(err, n, "out of memory");
			goto fail;
		}
		rs->v = v;
		rs->v[rs->n++] = r;
	}
	if (ferror(f)) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	rules_free(rs);
	return -1;
}

bool
rule_match(const struct rule *r, const char *value)
{
	if (r->is_regex)
		return regexec(&r->re, value, 0, NULL, 0) == 0;
	return fnmatch(r->pattern, value, FNM_CASEFOLD) == 0;
}

/* ftext = %d33-57 / %d59-126 (RFC 5322 3.6.8) */
static bool
headers_is_name_char(char c)
{
	return c >= 33 && c <= 126 && c != ':';
}

/* Hands a complete field on, unless it is one of cartero's trace fields:
 * a Return-Path first, then one Received.  1 when fn says stop. */
static int
headers_emit(struct hscan *h, const char *field)
{
	h->was_trace = true;
	if (h->trace == 0) {
		h->trace = 1;
		if (strncasecmp(field, "Return-Path:", 12) == 0)
			return 0;
	}
	if (h->trace == 1) {
		h->trace = 2;
		if (strncasecmp(field, "Received:", 9) == 0)
			return 0;
	}
	h->was_trace = false;
	return h->fn(h->arg, field) != 0;
}

/*
 * A byte machine over the spool: fields = *(NAME ":" text CRLF
 * *(WSP text CRLF)), ended by CRLF.  The field being collected is kept
 * unfolded in buf, cut at HEADER_MATCH_MAX; it is handed on when the next
 * line does not continue it.
 */
int
headers_scan(int fd, off_t size, int (*fn)(void *arg, const char *field),
    void *arg)
{
	enum { BOL, NAME, TEXT, FOLD, SKIP_LF } st = BOL;
	struct hscan h = { .fn = fn, .arg = arg };
	char chunk[8192], buf[HEADER_MATCH_MAX + 1];
	size_t len = 0;
	bool has_field = false, is_done = false;
	off_t off = 0, client_start = 0;

	while (off < size && !is_done) {
		size_t want = sizeof chunk;
		if ((off_t)want > size - off)
			want = (size_t)(size - off);
		ssize_t got = pread(fd, chunk, want, off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		for (ssize_t i = 0; i < got && !is_done; i++) {
			char c = chunk[i];
			off_t at = off + i;
			if (at - client_start >= HEADER_MAX_OCTETS) {
				is_done = true;	/* the field so far counts */
				break;
			}
			if (st == SKIP_LF) {
				st = BOL;
				if (c == '\n')
					continue;
			}
			if (st == BOL) {
				if ((c == ' ' || c == '\t') && has_field) {
					st = FOLD;
					continue;
				}
				if (has_field) {
					buf[len] = '\0';
					has_field = false;
					if (headers_emit(&h, buf))
						return 1;
					if (h.was_trace)
						client_start = at;
				}
				if (!headers_is_name_char(c)) {
					is_done = true;	/* empty line, body */
					break;
				}
				has_field = true;
				len = 0;
				st = NAME;
			}
			if (st == FOLD) {
				if (c == ' ' || c == '\t')
					continue;
				if (len < HEADER_MATCH_MAX)
					buf[len++] = ' ';
				st = TEXT;
			}
			if (c == '\r' || c == '\n') {
				if (st == NAME) {
					/* "Name" without ':': not a field */
					has_field = false;
					is_done = true;
					break;
				}
				st = c == '\r' ? SKIP_LF : BOL;
				continue;
			}
			if (st == NAME && c == ':')
				st = TEXT;
			else if (st == NAME && !headers_is_name_char(c)) {
				has_field = false;
				is_done = true;
				break;
			}
			if (len < HEADER_MATCH_MAX)
				buf[len++] = c;
		}
		off += got;
	}
	if (has_field) {
		buf[len] = '\0';
		if (headers_emit(&h, buf))
			return 1;
	}
	return 0;
}
