/* ISC license. */
/* Buffered I/O on the connection, with deadlines, and the command line reader. */
#ifndef IO_INTERNAL_H
#define IO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CARTERO_IO_INSIZE 65536
#define CARTERO_IO_OUTSIZE 8192

/* Transport hooks, so that TLS can slide in under the buffers. */
struct io_ops {
	ssize_t (*read)(void *ctx, void *buf, size_t n, int timeout_ms);
	ssize_t (*write)(void *ctx, const void *buf, size_t n);
	/* Bytes the transport holds already decoded (TLS records), or 0. */
	size_t (*pending)(void *ctx);
};

struct io {
	int fd_in, fd_out;
	const struct io_ops *ops;	/* NULL: plain read(2)/write(2) */
	void *ctx;
	char in[CARTERO_IO_INSIZE];
	size_t in_pos, in_len;
	char out[CARTERO_IO_OUTSIZE];
	size_t out_len;
	int timeout_ms;			/* longest silence for one read */
	int64_t deadline_ms;		/* monotonic; 0: none */
	bool is_broken;			/* write failed: the client is gone */
	bool is_bulk;			/* the last read filled the buffer */
	bool is_socket;			/* fd_in may be a socket (recv) */
};

void io_init(struct io *io, int fd_in, int fd_out, int timeout_sec);
/* Turns off Nagle's algorithm on fd when it is a TCP socket: replies are
 * already gathered in the buffer, and the tail of a large one must not
 * wait for an ACK. */
void io_nodelay(int fd);
int64_t io_now_ms(void);
/* Sets the deadline for everything read until the next call; 0: none. */
void io_deadline_set(struct io *io, int seconds);
/* Reads more input; flushes pending output first (PIPELINING needs no
 * other code).  >0 bytes added, 0 at EOF, -1 with errno (ETIMEDOUT when the
 * read timeout or the deadline passed). */
ssize_t io_fill(struct io *io);
static inline size_t
io_buffered(const struct io *io)
{
	return io->in_len - io->in_pos;
}
int io_write(struct io *io, const char *p, size_t n);
int io_puts(struct io *io, const char *s);
int io_flush(struct io *io);
/* Drops buffered input (after STARTTLS); returns how many bytes it was. */
size_t io_discard_input(struct io *io);

enum line_status {
	LINE_OK = 0,
	LINE_TOO_LONG,		/* over the cap; consumed up to its LF */
	LINE_BARE_LF,		/* ended by LF without CR */
	LINE_BARE_CR,		/* a CR not followed by LF inside the line */
	LINE_NUL,		/* a NUL byte */
	LINE_EOF,		/* EOF (maybe after part of a line) */
	LINE_TIMEOUT,
	LINE_ERROR
};

/* Reads one line ended by LF into buf (cap bytes, CRLF included in what
 * counts against cap), NUL-terminates it without its CRLF and sets *len_r.
 * A line that does not fit is consumed to its end and reported, never
 * truncated. */
enum line_status line_read(struct io *io, char *buf, size_t cap,
    size_t *len_r);

#endif
