/* ISC license. */
/* DATA decoding (RFC 5321 4.1.1.4, 4.5.2): strict CRLF.CRLF, dot-unstuffing. */
#include <string.h>

#include "dot-internal.h"

/* Where we are: at the start of a line, inside one, after a CR, after a
 * dot that starts a line, after that dot and a CR. */
enum { DOT_BOL = 0, DOT_MID, DOT_CR, DOT_DOT, DOT_DOTCR };

size_t
dot_decode(struct dot *d, const char *in, size_t n, char *out,
    size_t *out_len_r, bool *is_done_r)
{
	size_t i = 0, o = 0;
	int st = d->state;

	*is_done_r = false;
	while (i < n) {
		/* Inside a line, the bytes up to the next CR or LF are data as
		 * they are: copy them in one go (most of a message). */
		if (st == DOT_MID) {
			const char *p = in + i, *cr = memchr(p, '\r', n - i);
			size_t k = cr ? (size_t)(cr - p) : n - i;
			const char *lf = memchr(p, '\n', k);
			if (lf != NULL)
				k = (size_t)(lf - p);
			memcpy(out + o, p, k);
			o += k;
			i += k;
			if (i == n)
				break;
		}
		char c = in[i++];
		switch (st) {
		case DOT_BOL:
			if (c == '.') {
				st = DOT_DOT;
				continue;
			}
			break;
		case DOT_DOT:
			/* A line starting with "." loses that dot. */
			if (c == '\r') {
				st = DOT_DOTCR;
				continue;
			}
			break;
		case DOT_DOTCR:
			if (c == '\n') {
				d->state = DOT_BOL;
				*out_len_r = o;
				*is_done_r = true;
				return i;
			}
			st = DOT_CR;	/* ".<CR>x": the CR is data */
			break;
		default:
			break;
		}
		if (st == DOT_CR) {
			if (c == '\n') {
				out[o++] = '\r';
				out[o++] = '\n';
				st = DOT_BOL;
				continue;
			}
			out[o++] = '\r';
			d->has_bare_eol = true;
		}
		/* Inside a line. */
		if (c == '\r') {
			st = DOT_CR;
			continue;
		}
		if (c == '\n')
			d->has_bare_eol = true;
		out[o++] = c;
		st = DOT_MID;
	}
	d->state = st;
	*out_len_r = o;
	return i;
}
