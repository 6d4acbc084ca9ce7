/* ISC license. */
/* Fuzz target: line_read() over the memory transport, against a model.
 * Input: byte 0 picks the cap, the rest is the stream, cut into reads of
 * sizes drawn from the input itself. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* Caps the servers use (POP3, SMTP, MAIL with AUTH=, a SASL response),
 * the smallest ones, and the io buffer's edges. */
static const size_t caps[] = {
	1, 2, 3, 4, 16, 255, 512, 1012, 8191, 8192, 8193, 12291, 65535, 65536,
	65537
};

struct expect {
	enum line_status st;
	const uint8_t *p;
	size_t n;
};

static struct expect model_next(const uint8_t *s, size_t n, size_t *pos,
    size_t cap);

/* What line_read must return for the line at *pos: the model is written
 * from the contract in io-internal.h, not from the reader. */
static struct expect
model_next(const uint8_t *s, size_t n, size_t *pos, size_t cap)
{
	struct expect e = { LINE_EOF, NULL, 0 };
	const uint8_t *lf = memchr(s + *pos, '\n', n - *pos);

	if (lf == NULL) {
		*pos = n;
		return e;	/* EOF, with or without part of a line */
	}
	size_t len = (size_t)(lf - (s + *pos));
	e.p = s + *pos;
	*pos += len + 1;
	if (len + 1 > cap) {	/* cap counts the line end */
		e.st = LINE_TOO_LONG;
		e.n = 0;
		return e;
	}
	if (len == 0 || e.p[len - 1] != '\r') {
		e.st = LINE_BARE_LF;
		e.n = len;
		return e;
	}
	e.n = len - 1;
	e.st = memchr(e.p, '\r', e.n) ? LINE_BARE_CR
	    : memchr(e.p, '\0', e.n) ? LINE_NUL : LINE_OK;
	return e;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct io io;
	struct fuzz_io f;

	if (size < 1)
		return 0;
	size_t cap = caps[data[0] % (sizeof caps / sizeof caps[0])];
	const uint8_t *s = data + 1;
	size_t n = size - 1, pos = 0;
	/* Exactly cap bytes: ASan sees a write one past the end. */
	char *buf = malloc(cap);

	FUZZ_ASSERT(buf != NULL);
	fuzz_io_init(&f, s, n, 1 + data[0] / 12 * 97);
	io_init(&io, -1, -1, 5);
	io.ops = &fuzz_io_ops;
	io.ctx = &f;
	for (size_t lines = 0;; lines++) {
		size_t len = 12345;
		enum line_status st = line_read(&io, buf, cap, &len);
		struct expect e = model_next(s, n, &pos, cap);
		if (st != e.st)
			fuzz_fail("line %zu: status %d, model %d", lines,
			    (int)st, (int)e.st);
		if (st == LINE_EOF) {
			FUZZ_ASSERT(len == 0);
			break;
		}
		if (st == LINE_TOO_LONG) {
			FUZZ_ASSERT(len == 0 && buf[0] == '\0');
			continue;
		}
		if (len != e.n || memcmp(buf, e.p, len) != 0)
			fuzz_fail("line %zu: %zu bytes, model %zu", lines, len,
			    e.n);
		FUZZ_ASSERT(len < cap && buf[len] == '\0');
		/* The reader takes the line and nothing after it. */
		FUZZ_ASSERT(f.in_pos - io_buffered(&io) == pos);
	}
	FUZZ_ASSERT(pos == n && io_buffered(&io) == 0);
	free(buf);
	return 0;
}
