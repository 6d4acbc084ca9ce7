/* ISC license. */
/* Buffered I/O on fd 0/1 with a read timeout and a deadline; the line reader. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io-internal.h"

void
io_init(struct io *io, int fd_in, int fd_out, int timeout_sec)
{
	io->fd_in = fd_in;
	io->fd_out = fd_out;
	io->ops = NULL;
	io->ctx = NULL;
	io->in_pos = io->in_len = 0;
	io->out_len = 0;
	io->timeout_ms = timeout_sec > 0 ? timeout_sec * 1000 : -1;
	io->deadline_ms = 0;
	io->is_broken = false;
	io->is_bulk = false;
	io->is_socket = true;
}

void
io_nodelay(int fd)
{
	int one = 1;

	/* ENOTSOCK for a pipe, EOPNOTSUPP for a unix socket: both fine. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int64_t
io_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
io_deadline_set(struct io *io, int seconds)
{
	io->deadline_ms = seconds > 0 ? io_now_ms() + (int64_t)seconds * 1000 : 0;
}

/* How long a read may wait: the timeout, cut short by the deadline; -1
 * for ever, 0 when the deadline has passed. */
static int
io_wait_ms(const struct io *io)
{
	int wait = io->timeout_ms;

	if (io->deadline_ms != 0) {
		int64_t left = io->deadline_ms - io_now_ms();
		if (left <= 0)
			return 0;
		if (wait < 0 || left < wait)
			wait = (int)left;
	}
	return wait;
}

/* Waits until fd_in is readable, within the timeout and the deadline. */
static int
io_wait(struct io *io)
{
	struct pollfd p = { .fd = io->fd_in, .events = POLLIN };
	int wait = io->timeout_ms;

	for (;;) {
		if (io->deadline_ms != 0) {
			int64_t left = io->deadline_ms - io_now_ms();
			if (left <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			if (wait < 0 || left < wait)
				wait = (int)left;
		}
		int r = poll(&p, 1, wait);
		if (r > 0)
			return 0;
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}

ssize_t
io_fill(struct io *io)
{
	if (io_flush(io) < 0)
		return -1;
	if (io->in_pos == io->in_len)
		io->in_pos = io->in_len = 0;
	else if (io->in_len == sizeof io->in) {
		memmove(io->in, io->in + io->in_pos, io->in_len - io->in_pos);
		io->in_len -= io->in_pos;
		io->in_pos = 0;
	}
	size_t room = sizeof io->in - io->in_len;
	/* The last read filled the buffer: more is likely waiting, so try
	 * it before poll() (a 50 MB message: half the system calls).  Only
	 * on a socket: MSG_DONTWAIT leaves the descriptor blocking for
	 * whoever else shares it. */
	if (io->ops == NULL && io->is_bulk && io->is_socket &&
	    (io->deadline_ms == 0 || io_now_ms() < io->deadline_ms)) {
		ssize_t r = recv(io->fd_in, io->in + io->in_len, room,
		    MSG_DONTWAIT);
		if (r >= 0) {
			io->is_bulk = (size_t)r == room;
			io->in_len += (size_t)r;
			return r;
		}
		if (errno == ENOTSOCK)
			io->is_socket = false;
		else if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			return -1;
	}
	for (;;) {
		bool ready = io->ops && io->ops->pending &&
		    io->ops->pending(io->ctx) > 0;
		if (!ready && io_wait(io) < 0)
			return -1;
		/* The TLS module's read needs the time left (it may wait for
		 * the rest of a record); a plain read after poll() does not. */
		int wait = io->ops ? io_wait_ms(io) : -1;
		if (wait == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		ssize_t r = io->ops
		    ? io->ops->read(io->ctx, io->in + io->in_len,
			sizeof io->in - io->in_len, wait)
		    : read(io->fd_in, io->in + io->in_len,
			sizeof io->in - io->in_len);
		if (r >= 0) {
			io->is_bulk = (size_t)r == room;
			io->in_len += (size_t)r;
			return r;
		}
		if (errno != EINTR && errno != EAGAIN)
			return -1;
	}
}

int
io_flush(struct io *io)
{
	size_t done = 0;

	while (done < io->out_len) {
		ssize_t w = io->ops
		    ? io->ops->write(io->ctx, io->out + done, io->out_len - done)
		    : write(io->fd_out, io->out + done, io->out_len - done);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			io->is_broken = true;
			io->out_len = 0;
			return -1;
		}
		done += (size_t)w;
	}
	io->out_len = 0;
	return 0;
}

int
io_write(struct io *io, const char *p, size_t n)
{
	if (io->is_broken) {
		errno = EPIPE;
		return -1;
	}
	while (n > 0) {
		if (io->out_len == sizeof io->out && io_flush(io) < 0)
			return -1;
		size_t room = sizeof io->out - io->out_len;
		size_t k = n < room ? n : room;
		memcpy(io->out + io->out_len, p, k);
		io->out_len += k;
		p += k;
		n -= k;
	}
	return 0;
}

int
io_puts(struct io *io, const char *s)
{
	return io_write(io, s, strlen(s));
}

size_t
io_discard_input(struct io *io)
{
	size_t n = io->in_len - io->in_pos;

	io->in_pos = io->in_len = 0;
	return n;
}

/* Classifies a complete line (LF excluded) of n bytes. */
static enum line_status
line_check(char *buf, size_t n, size_t *len_r)
{
	if (n == 0 || buf[n - 1] != '\r') {
		buf[n] = '\0';
		*len_r = n;
		return LINE_BARE_LF;
	}
	n--;
	buf[n] = '\0';
	*len_r = n;
	if (memchr(buf, '\r', n) != NULL)
		return LINE_BARE_CR;
	if (memchr(buf, '\0', n) != NULL)
		return LINE_NUL;
	return LINE_OK;
}

enum line_status
line_read(struct io *io, char *buf, size_t cap, size_t *len_r)
{
	size_t n = 0;
	bool is_long = false;

	*len_r = 0;
	for (;;) {
		char *p = io->in + io->in_pos;
		size_t avail = io->in_len - io->in_pos;
		char *lf = memchr(p, '\n', avail);
		size_t take = lf ? (size_t)(lf - p) : avail;

		/* cap counts the CRLF: at most cap - 1 bytes before the LF. */
		if (!is_long && n + take + 1 > cap)
			is_long = true;
		if (!is_long) {
			memcpy(buf + n, p, take);
			n += take;
		}
		io->in_pos += take;
		if (lf) {
			io->in_pos++;
			if (is_long) {
				buf[0] = '\0';
				return LINE_TOO_LONG;
			}
			return line_check(buf, n, len_r);
		}
		ssize_t r = io_fill(io);
		if (r == 0)
			return LINE_EOF;
		if (r < 0)
			return errno == ETIMEDOUT ? LINE_TIMEOUT : LINE_ERROR;
	}
}
