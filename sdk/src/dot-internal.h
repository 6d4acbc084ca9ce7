/* ISC license. */
/* The DATA decoder: CRLF.CRLF and dot-unstuffing as a byte state machine. */
#ifndef DOT_INTERNAL_H
#define DOT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

struct dot {
	int state;
	bool has_bare_eol;	/* a CR or LF not part of a CRLF was seen */
};

#define DOT_ZERO { 0, false }

/*
 * Decodes in[0..n) into out, which must have room for n + 2 bytes.  Stops
 * after the terminating CRLF.CRLF (only that sequence, or ".CRLF" as the
 * first line, ends the data; a bare LF or CR never starts or ends a line).
 * Returns the number of input bytes consumed, sets *out_len_r to the bytes
 * written and *is_done_r when the end was reached.  The CRLF before the dot
 * belongs to the message.
 */
size_t dot_decode(struct dot *d, const char *in, size_t n, char *out,
    size_t *out_len_r, bool *is_done_r);

#endif
