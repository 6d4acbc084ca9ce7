/* ISC license. */
/* Fuzz target: dot_decode() against a reference model of RFC 5321
 * 4.1.1.4 and 4.5.2, fed in random pieces.  They must agree byte for byte
 * on the output, on how much input each message takes, on where it ends
 * and on the bare CR/LF flag.  The rest after an end is decoded as the
 * next message, as a pipelining client would send it. */
#include <stdlib.h>
#include <string.h>

#include "../../sdk/src/dot-internal.h"
#include "fuzz.h"

struct model {
	size_t used;		/* input taken */
	bool is_done;
	bool has_bare_eol;
	uint8_t *out;
	size_t out_len;
};

static void model_run(const uint8_t *s, size_t n, struct model *m);

/*
 * The model, line by line: a line is what comes before a CRLF (a bare CR
 * or LF inside it is data, and flags the message).  The line "." ends the
 * message; any other line loses a leading "." and is copied with its
 * CRLF.  Of an unfinished last line, all but a trailing CR (which may yet
 * start a CRLF) has been given out.
 */
static void
model_run(const uint8_t *s, size_t n, struct model *m)
{
	size_t pos = 0;

	m->out_len = 0;
	m->is_done = m->has_bare_eol = false;
	for (;;) {
		size_t k = pos;
		while (k + 1 < n && !(s[k] == '\r' && s[k + 1] == '\n'))
			k++;
		bool is_whole = k + 1 < n;
		const uint8_t *line = s + pos;
		size_t len = is_whole ? k - pos : n - pos;
		if (is_whole && len == 1 && line[0] == '.') {
			m->is_done = true;
			m->used = k + 2;
			return;
		}
		if (!is_whole && len > 0 && line[len - 1] == '\r')
			len--;	/* held back */
		if (len > 0 && line[0] == '.') {
			line++;
			len--;
		}
		if (memchr(line, '\r', len) || memchr(line, '\n', len))
			m->has_bare_eol = true;
		memcpy(m->out + m->out_len, line, len);
		m->out_len += len;
		if (!is_whole) {
			m->used = n;
			return;
		}
		m->out[m->out_len++] = '\r';
		m->out[m->out_len++] = '\n';
		pos = k + 2;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rng rng;
	struct model m;
	uint8_t *got = malloc(size + 2);

	m.out = malloc(size + 2);
	FUZZ_ASSERT(got != NULL && m.out != NULL);
	fuzz_rng_seed(&rng, data, size);
	size_t max_piece = 1 + fuzz_rng_next(&rng) % (size + 1);
	for (size_t start = 0, msg = 0; start < size; msg++) {
		struct dot d = DOT_ZERO;
		size_t pos = start, got_len = 0;
		bool is_done = false;

		model_run(data + start, size - start, &m);
		while (pos < size && !is_done) {
			size_t k = 1 + fuzz_rng_next(&rng) % max_piece;
			if (k > size - pos)
				k = size - pos;
			/* Room for k + 2 exactly, as the contract says. */
			char *out = malloc(k + 2);
			size_t olen = (size_t)-1;
			FUZZ_ASSERT(out != NULL);
			size_t used = dot_decode(&d, (const char *)data + pos,
			    k, out, &olen, &is_done);
			FUZZ_ASSERT(used <= k && olen <= k + 2);
			/* Everything is taken, unless the end came. */
			FUZZ_ASSERT(is_done || used == k);
			memcpy(got + got_len, out, olen);
			got_len += olen;
			pos += used;
			free(out);
		}
		if (is_done != m.is_done || pos - start != m.used)
			fuzz_fail("message %zu at %zu: done %d used %zu, "
			    "model done %d used %zu", msg, start, is_done,
			    pos - start, m.is_done, m.used);
		if (got_len != m.out_len || memcmp(got, m.out, got_len) != 0)
			fuzz_fail("message %zu at %zu: %zu bytes out, model "
			    "%zu", msg, start, got_len, m.out_len);
		if (d.has_bare_eol != m.has_bare_eol)
			fuzz_fail("message %zu at %zu: bare EOL %d, model %d",
			    msg, start, d.has_bare_eol, m.has_bare_eol);
		if (!is_done)
			break;
		start = pos;
	}
	free(got);
	free(m.out);
	return 0;
}
