/* ISC license. */
/* The mboxrd format: From_ lines, >From quoting, message boundaries. */
#ifndef MBOXRD_H
#define MBOXRD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Takes n output octets; 0, or -1 with errno (the filter stops). */
typedef int (*mboxrd_sink)(void *ctx, const char *p, size_t n);

enum mboxrd_mode {
	MBOXRD_QUOTE,		/* CRLF -> LF; ^>*From  gets a '>' more */
	MBOXRD_UNQUOTE		/* ^>+From  loses one '>'; nothing else */
};

/*
 * A streaming quoter: feed it any cut of the input, in order.  The line
 * prefix it is matching (">>>From") is kept as counts, never buffered,
 * so no line is too long.  With a NULL sink it only counts.
 */
struct mboxrd_filter {
	enum mboxrd_mode mode;
	mboxrd_sink sink;
	void *ctx;
	bool is_prefix;		/* matching ">*From " at a line start */
	bool has_cr;		/* QUOTE: a CR held until the next octet */
	size_t gts;		/* '>' in the prefix so far */
	size_t from;		/* octets of "From " matched after them */
	off_t n_out;		/* octets produced */
	off_t n_bare_lf;	/* produced LFs without a CR before them */
	char last;		/* the last octet produced, '\0' before any */
	size_t o;
	char out[16384];
};

void mboxrd_filter_init(struct mboxrd_filter *f, enum mboxrd_mode mode,
    mboxrd_sink sink, void *ctx);
/* 0, or -1 with errno from the sink. */
int mboxrd_filter_write(struct mboxrd_filter *f, const char *in, size_t n);
/* Ends the input: flushes a pending prefix or CR and the buffer. */
int mboxrd_filter_finish(struct mboxrd_filter *f);
/* What POP3 sends for the output so far: LF as CRLF, and a CRLF after a
 * last line without one (bin/pop3.c pop3_send_message). */
off_t mboxrd_filter_crlf_size(const struct mboxrd_filter *f);

/* "From SENDER Www Mmm dd hh:mm:ss yyyy\n" (asctime's date, C locale)
 * into buf; SENDER is "MAILER-DAEMON" for "" and has every octet below
 * 0x21 and 0x7f made '_' (a From_ line is split at spaces).  The length,
 * or 0 when it does not fit. */
size_t mboxrd_from_line(char *buf, size_t n, const char *sender,
    const struct tm *tm);

/*
 * Finds the From_ lines of an mbox fed in order: a line that starts with
 * "From " at the start of the file or right after an empty line.  For
 * each, on_from gets the offset of the line and of the octet after it
 * (where the message starts); at the end of the input inside a From_
 * line, both are reported by mboxrd_scan_finish.
 */
struct mboxrd_scan {
	int (*on_from)(void *ctx, off_t from, off_t body);
	void *ctx;
	off_t off;		/* octets fed so far */
	off_t from_off;		/* the From_ line being read, or -1 */
	bool is_bol;
	bool is_prev_empty;	/* the line before this one was empty */
	size_t from;		/* octets of "From " matched at this line */
};

void mboxrd_scan_init(struct mboxrd_scan *sc,
    int (*on_from)(void *ctx, off_t from, off_t body), void *ctx);
/* 0, or what on_from returned when it was not 0. */
int mboxrd_scan_write(struct mboxrd_scan *sc, const char *in, size_t n);
int mboxrd_scan_finish(struct mboxrd_scan *sc);

/* A stable id for a message: FNV-1a 64 over its From_ line and its header
 * (up to the first empty line, or all of header[0..hn)), leaving out the
 * fields mail readers rewrite in place (Status, X-Status, X-Keywords,
 * X-UID, X-IMAP, X-IMAPbase, Content-Length, Lines, X-Mozilla-Status,
 * X-Mozilla-Status2), so that reading the mbox elsewhere keeps the id. */
uint64_t mboxrd_uid_hash(const char *from_line, size_t fn,
    const char *header, size_t hn);

#endif
