/* ISC license. */
/* The mboxrd format: From_ lines, >From quoting, message boundaries. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mboxrd.h"

static const char from_[] = "From ";

static int filter_flush(struct mboxrd_filter *f);
static int filter_put(struct mboxrd_filter *f, char c);
static int filter_puts(struct mboxrd_filter *f, const char *s, size_t n);
static int filter_prefix_end(struct mboxrd_filter *f, bool is_match);
static bool uid_is_volatile(const char *line, size_t n);

void
mboxrd_filter_init(struct mboxrd_filter *f, enum mboxrd_mode mode,
    mboxrd_sink sink, void *ctx)
{
	memset(f, 0, sizeof *f);
	f->mode = mode;
	f->sink = sink;
	f->ctx = ctx;
	f->is_prefix = true;
}

static int
filter_flush(struct mboxrd_filter *f)
{
	if (f->o > 0 && f->sink != NULL && f->sink(f->ctx, f->out, f->o) < 0)
		return -1;
	f->o = 0;
	return 0;
}

static int
filter_put(struct mboxrd_filter *f, char c)
{
	if (f->o == sizeof f->out && filter_flush(f) < 0)
		return -1;
	f->out[f->o++] = c;
	f->n_out++;
	if (c == '\n' && f->last != '\r')
		f->n_bare_lf++;
	f->last = c;
	return 0;
}

static int
filter_puts(struct mboxrd_filter *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (filter_put(f, s[i]) < 0)
			return -1;
	return 0;
}

/* The prefix ">...>From " is complete (is_match) or broken: write it out
 * with one '>' more or less, or as it came. */
static int
filter_prefix_end(struct mboxrd_filter *f, bool is_match)
{
	size_t gts = f->gts;

	if (is_match && f->mode == MBOXRD_QUOTE)
		gts++;
	else if (is_match && gts > 0)
		gts--;
	for (size_t i = 0; i < gts; i++)
		if (filter_put(f, '>') < 0)
			return -1;
	f->is_prefix = false;
	return filter_puts(f, from_, f->from);
}

int
mboxrd_filter_write(struct mboxrd_filter *f, const char *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		if (f->has_cr) {
			f->has_cr = false;
			if (c == '\n') {
				/* CRLF: the line ends here, in LF. */
				if (filter_put(f, '\n') < 0)
					return -1;
				f->is_prefix = true;
				f->gts = f->from = 0;
				continue;
			}
			if (filter_put(f, '\r') < 0)
				return -1;
		}
		if (f->is_prefix) {
			if (c == '>' && f->from == 0) {
				f->gts++;
				continue;
			}
			if (c == from_[f->from]) {
				if (++f->from == sizeof from_ - 1 &&
				    filter_prefix_end(f, true) < 0)
					return -1;
				continue;
			}
			if (filter_prefix_end(f, false) < 0)
				return -1;
		}
		if (c == '\r' && f->mode == MBOXRD_QUOTE) {
			f->has_cr = true;
			continue;
		}
		if (filter_put(f, c) < 0)
			return -1;
		if (c == '\n') {
			f->is_prefix = true;
			f->gts = f->from = 0;
		}
	}
	return 0;
}

int
mboxrd_filter_finish(struct mboxrd_filter *f)
{
	if (f->is_prefix && filter_prefix_end(f, false) < 0)
		return -1;
	if (f->has_cr) {
		f->has_cr = false;
		if (filter_put(f, '\r') < 0)
			return -1;
	}
	return filter_flush(f);
}

off_t
mboxrd_filter_crlf_size(const struct mboxrd_filter *f)
{
	off_t size = f->n_out + f->n_bare_lf;

	if (f->n_out > 0 && f->last != '\n')
		size += 2;
	return size;
}

size_t
mboxrd_from_line(char *buf, size_t n, const char *sender,
    const struct tm *tm)
{
	static const char days[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	size_t o = 5;

	if (n < 6 || tm->tm_wday < 0 || tm->tm_wday > 6 || tm->tm_mon < 0 ||
	    tm->tm_mon > 11)
		return 0;
	memcpy(buf, from_, 5);
	if (*sender == '\0')
		sender = "MAILER-DAEMON";
	for (const char *p = sender; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (o + 1 >= n)
			return 0;
		buf[o++] = c <= ' ' || c == 0x7f ? '_' : (char)c;
	}
	/* asctime(3): "Sun Sep 16 01:03:52 1973\n" */
	int k = snprintf(buf + o, n - o, " %s %s %2d %02d:%02d:%02d %d\n",
	    days[tm->tm_wday], months[tm->tm_mon], tm->tm_mday, tm->tm_hour,
	    tm->tm_min, tm->tm_sec, tm->tm_year + 1900);
	if (k < 0 || (size_t)k >= n - o)
		return 0;
	return o + (size_t)k;
}

void
mboxrd_scan_init(struct mboxrd_scan *sc,
    int (*on_from)(void *ctx, off_t from, off_t body), void *ctx)
{
	memset(sc, 0, sizeof *sc);
	sc->on_from = on_from;
	sc->ctx = ctx;
	sc->from_off = -1;
	sc->is_bol = true;
	sc->is_prev_empty = true;	/* the start of the file */
}

int
mboxrd_scan_write(struct mboxrd_scan *sc, const char *in, size_t n)
{
	for (size_t i = 0; i < n; i++, sc->off++) {
		char c = in[i];
		if (c == '\n') {
			if (sc->from_off >= 0) {
				int r = sc->on_from(sc->ctx, sc->from_off,
				    sc->off + 1);
				sc->from_off = -1;
				if (r != 0)
					return r;
			}
			sc->is_prev_empty = sc->is_bol;
			sc->is_bol = true;
			sc->from = 0;
			continue;
		}
		if (sc->is_bol) {
			sc->is_bol = false;
			sc->from = sc->is_prev_empty && c == 'F' ? 1 : 0;
			continue;
		}
		if (sc->from > 0) {
			if (c != from_[sc->from])
				sc->from = 0;
			else if (++sc->from == sizeof from_ - 1) {
				sc->from = 0;
				sc->from_off = sc->off - 4;
			}
		}
	}
	return 0;
}

int
mboxrd_scan_finish(struct mboxrd_scan *sc)
{
	if (sc->from_off < 0)
		return 0;
	off_t from = sc->from_off;
	sc->from_off = -1;
	return sc->on_from(sc->ctx, from, sc->off);
}

/* A header field that mail readers add or change in an mbox. */
static bool
uid_is_volatile(const char *line, size_t n)
{
	static const char *const names[] = {
		"Status", "X-Status", "X-Keywords", "X-UID", "X-IMAP",
		"X-IMAPbase", "Content-Length", "Lines", "X-Mozilla-Status",
		"X-Mozilla-Status2", NULL
	};
	const char *colon = memchr(line, ':', n);

	if (colon == NULL)
		return false;
	size_t k = (size_t)(colon - line);
	while (k > 0 && (line[k - 1] == ' ' || line[k - 1] == '\t'))
		k--;
	for (size_t i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == k &&
		    strncasecmp(line, names[i], k) == 0)
			return true;
	return false;
}

uint64_t
mboxrd_uid_hash(const char *from_line, size_t fn, const char *header,
    size_t hn)
{
	uint64_t h = 14695981039346656037ULL;
	bool is_skipping = false;
	size_t i = 0;

	for (size_t k = 0; k < fn; k++)
		h = (h ^ (unsigned char)from_line[k]) * 1099511628211ULL;
	while (i < hn) {
		const char *line = header + i;
		const char *nl = memchr(line, '\n', hn - i);
		size_t n = nl ? (size_t)(nl - line) + 1 : hn - i;
		/* field = name ":" value; a line that starts with WSP
		 * continues the field before it (RFC 5322 2.2.3). */
		if (n == 1 || (n == 2 && line[0] == '\r'))
			break;
		if (line[0] != ' ' && line[0] != '\t')
			is_skipping = uid_is_volatile(line, n);
		if (!is_skipping)
			for (size_t k = 0; k < n; k++)
				h = (h ^ (unsigned char)line[k]) *
				    1099511628211ULL;
		i += n;
	}
	return h;
}
