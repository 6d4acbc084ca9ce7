/* ISC license. */
/* The command line reader over a pipe: limits, bad ends, EOF, timeouts. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "../../sdk/src/io-internal.h"
#include "test.h"

#define MAX_WANT 6

struct want {
	enum line_status st;
	const char *text;	/* NULL: not checked (EOF, TOO_LONG) */
	size_t len;
};

struct line_case {
	const char *name;
	const char *in;
	size_t in_len;
	size_t cap;
	struct want want[MAX_WANT];	/* ends with LINE_EOF */
};

#define IN(s) s, sizeof s - 1
#define W(st, s) { st, s, sizeof s - 1 }
#define W_EOF { LINE_EOF, NULL, 0 }
#define W_LONG { LINE_TOO_LONG, "", 0 }

static const struct line_case cases[] = {
	{ "two lines", IN("HELO x\r\nQUIT\r\n"), 512,
	    { W(LINE_OK, "HELO x"), W(LINE_OK, "QUIT"), W_EOF } },
	{ "empty line", IN("\r\n\r\nA\r\n"), 512,
	    { W(LINE_OK, ""), W(LINE_OK, ""), W(LINE_OK, "A"), W_EOF } },
	{ "cap 8: 6 octets and CRLF fit", IN("123456\r\nB\r\n"), 8,
	    { W(LINE_OK, "123456"), W(LINE_OK, "B"), W_EOF } },
	{ "cap 8: 7 octets and CRLF are too long", IN("1234567\r\nB\r\n"), 8,
	    { W_LONG, W(LINE_OK, "B"), W_EOF } },
	{ "cap 8: 7 octets and bare LF fit", IN("1234567\nB\r\n"), 8,
	    { W(LINE_BARE_LF, "1234567"), W(LINE_OK, "B"), W_EOF } },
	{ "cap 8: 8 octets and bare LF are too long", IN("12345678\nB\r\n"), 8,
	    { W_LONG, W(LINE_OK, "B"), W_EOF } },
	{ "cap 8: too long twice", IN("123456789\r\n1234567890\r\n\r\n"), 8,
	    { W_LONG, W_LONG, W(LINE_OK, ""), W_EOF } },
	{ "cap 2: only CRLF fits", IN("\r\nA\r\n\r\n"), 2,
	    { W(LINE_OK, ""), W_LONG, W(LINE_OK, ""), W_EOF } },
	{ "bare LF", IN("NOOP\nRSET\r\n"), 512,
	    { W(LINE_BARE_LF, "NOOP"), W(LINE_OK, "RSET"), W_EOF } },
	{ "bare LF alone", IN("\n\r\n"), 512,
	    { W(LINE_BARE_LF, ""), W(LINE_OK, ""), W_EOF } },
	{ "bare CR inside", IN("NO\rOP\r\nRSET\r\n"), 512,
	    { W(LINE_BARE_CR, "NO\rOP"), W(LINE_OK, "RSET"), W_EOF } },
	{ "CR CR LF", IN("NOOP\r\r\nRSET\r\n"), 512,
	    { W(LINE_BARE_CR, "NOOP\r"), W(LINE_OK, "RSET"), W_EOF } },
	{ "CR at the start", IN("\rNOOP\r\n"), 512,
	    { W(LINE_BARE_CR, "\rNOOP"), W_EOF } },
	{ "bare CR only, then EOF", IN("NOOP\r"), 512, { W_EOF } },
	{ "NUL", IN("NO\0OP\r\nRSET\r\n"), 512,
	    { W(LINE_NUL, "NO\0OP"), W(LINE_OK, "RSET"), W_EOF } },
	{ "NUL first", IN("\0\r\n"), 512, { W(LINE_NUL, "\0"), W_EOF } },
	{ "EOF mid-line", IN("HELO x\r\nQUI"), 512,
	    { W(LINE_OK, "HELO x"), W_EOF } },
	{ "EOF at once", IN(""), 512, { W_EOF } },
	{ "EOF after a too long start", IN("123456789"), 8, { W_EOF } },
	{ "pipelined commands",
	    IN("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"), 512,
	    { W(LINE_OK, "MAIL FROM:<a@b>"), W(LINE_OK, "RCPT TO:<c@d>"),
	    W(LINE_OK, "DATA"), W_EOF } },
	{ "8-bit bytes pass", IN("\xc3\xa9\xff\r\n"), 512,
	    { W(LINE_OK, "\xc3\xa9\xff"), W_EOF } },
};

static int pipe_with(const char *data, size_t n);
static int trickle_start(const char *data, size_t n, size_t step,
    unsigned us, pid_t *pid_r);
static void trickle_stop(pid_t pid);
static void run_case(const struct line_case *c, int fd);
static void test_table(void);
static void test_big(void);
static void test_timeouts(void);

/* A pipe holding data, its writer closed: the reader sees EOF after. */
static int
pipe_with(const char *data, size_t n)
{
	int fds[2];

	if (pipe(fds) < 0)
		abort();
	/* Less than the 64 KiB a Linux pipe holds, so no writer is needed. */
	if (write(fds[1], data, n) != (ssize_t)n)
		abort();
	close(fds[1]);
	return fds[0];
}

/* A child writes data in pieces of step octets, us microseconds apart,
 * then exits; returns the read end. */
static int
trickle_start(const char *data, size_t n, size_t step, unsigned us,
    pid_t *pid_r)
{
	int fds[2];
	pid_t pid;

	fflush(stdout);
	if (pipe(fds) < 0 || (pid = fork()) < 0)
		abort();
	if (pid == 0) {
		close(fds[0]);
		for (size_t i = 0; i < n; i += step) {
			size_t k = n - i < step ? n - i : step;
			if (write(fds[1], data + i, k) != (ssize_t)k)
				_exit(1);
			usleep(us);
		}
		_exit(0);
	}
	close(fds[1]);
	*pid_r = pid;
	return fds[0];
}

static void
trickle_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static void
run_case(const struct line_case *c, int fd)
{
	struct io io;
	/* Exactly cap octets, so ASan sees a write past the cap. */
	char *buf = malloc(c->cap);

	if (buf == NULL)
		abort();
	io_init(&io, fd, -1, 5);
	for (size_t k = 0; k < MAX_WANT; k++) {
		const struct want *w = &c->want[k];
		size_t len = 12345;
		enum line_status st = line_read(&io, buf, c->cap, &len);
		test_assert_int(st, ==, w->st);
		if (st != w->st)
			break;
		if (w->text != NULL) {
			test_assert_mem(buf, len, w->text, w->len);
			test_assert(buf[len] == '\0');
		}
		if (st == LINE_TOO_LONG)
			test_assert_int(len, ==, 0);
		if (st == LINE_EOF)
			break;
	}
	free(buf);
	close(fd);
}

static void
test_table(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct line_case *c = &cases[i];
		pid_t pid;

		test_begin("line whole: %s", c->name);
		run_case(c, pipe_with(c->in, c->in_len));
		test_end();

		/* One octet per write: every line crosses many reads. */
		test_begin("line trickled: %s", c->name);
		run_case(c, trickle_start(c->in, c->in_len, 1, 200, &pid));
		trickle_stop(pid);
		test_end();
	}
}

/* The SMTP limit (512 octets with CRLF) and lines longer than the input
 * buffer, which must be skipped to their end, not split. */
static void
test_big(void)
{
	static const size_t sizes[] = { 510, 511, 8190, 8191, 8192, 20000,
	    65535, 65536, 65537, 70000 };	/* the io buffer is 64 KiB */
	char *in = malloc(70000 + 64), buf[512];

	if (in == NULL)
		abort();
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i], len;
		struct io io;

		test_begin("line of %zu octets and CRLF with cap 512", n);
		memset(in, 'x', n);
		memcpy(in + n, "\r\nNOOP\r\n", 8);
		pid_t pid = -1;
		/* Past what a pipe holds, a child writes it. */
		io_init(&io, n + 8 < 60000 ? pipe_with(in, n + 8) :
		    trickle_start(in, n + 8, 16384, 0, &pid), -1, 5);
		enum line_status st = line_read(&io, buf, sizeof buf, &len);
		if (n <= 510) {
			test_assert_int(st, ==, LINE_OK);
			test_assert_int(len, ==, n);
			test_assert(strspn(buf, "x") == n && buf[n] == '\0');
		} else
			test_assert_int(st, ==, LINE_TOO_LONG);
		test_assert_int(line_read(&io, buf, sizeof buf, &len), ==,
		    LINE_OK);
		test_assert_str(buf, "NOOP");
		test_assert_int(line_read(&io, buf, sizeof buf, &len), ==,
		    LINE_EOF);
		close(io.fd_in);
		if (pid > 0)
			trickle_stop(pid);
		test_end();
	}
	free(in);
}

static void
test_timeouts(void)
{
	struct io io;
	char buf[512];
	size_t len;
	int fds[2];
	pid_t pid;
	int64_t t0, ms;

	test_begin("line timeout: 1 s read timeout, writer silent");
	if (pipe(fds) < 0)
		abort();
	io_init(&io, fds[0], -1, 1);
	t0 = io_now_ms();
	test_assert_int(line_read(&io, buf, sizeof buf, &len), ==,
	    LINE_TIMEOUT);
	ms = io_now_ms() - t0;
	test_assert_int(ms, >=, 900);
	test_assert_int(ms, <, 2000);
	close(fds[0]);
	close(fds[1]);
	test_end();

	/* The deadline shortens a longer read timeout. */
	test_begin("line timeout: 1 s deadline, 5 s read timeout, "
	    "writer silent");
	if (pipe(fds) < 0)
		abort();
	io_init(&io, fds[0], -1, 5);
	io_deadline_set(&io, 1);
	t0 = io_now_ms();
	test_assert_int(line_read(&io, buf, sizeof buf, &len), ==,
	    LINE_TIMEOUT);
	ms = io_now_ms() - t0;
	test_assert_int(ms, >=, 900);
	test_assert_int(ms, <, 2000);
	close(fds[0]);
	close(fds[1]);
	test_end();

	test_begin("line timeout: 1 s deadline, one octet every 300 ms");
	int fd = trickle_start("aaaaaaaaaaaaaaaaaaaa", 20, 1, 300000, &pid);
	io_init(&io, fd, -1, 5);
	io_deadline_set(&io, 1);
	t0 = io_now_ms();
	test_assert_int(line_read(&io, buf, sizeof buf, &len), ==,
	    LINE_TIMEOUT);
	ms = io_now_ms() - t0;
	test_assert_int(ms, >=, 900);
	test_assert_int(ms, <, 2000);
	trickle_stop(pid);
	close(fd);
	test_end();

	/* The read timeout is per read: a slow but steady line gets in. */
	test_begin("line timeout: 1 s read timeout, 5 octets 300 ms apart");
	/* t0 before the fork: the child may write its first octet before
	 * this process runs again, and its last comes >= 1200 ms after the
	 * first. */
	t0 = io_now_ms();
	fd = trickle_start("abc\r\n", 5, 1, 300000, &pid);
	io_init(&io, fd, -1, 1);
	test_assert_int(line_read(&io, buf, sizeof buf, &len), ==, LINE_OK);
	ms = io_now_ms() - t0;
	test_assert_str(buf, "abc");
	test_assert_int(ms, >=, 1100);
	trickle_stop(pid);
	close(fd);
	test_end();

	test_begin("line timeout: deadline 0 means none");
	fd = trickle_start("ab\r\n", 4, 1, 1000, &pid);
	io_init(&io, fd, -1, 1);
	io_deadline_set(&io, 0);
	test_assert_int(io.deadline_ms, ==, 0);
	test_assert_int(line_read(&io, buf, sizeof buf, &len), ==, LINE_OK);
	trickle_stop(pid);
	close(fd);
	test_end();
}

int
main(void)
{
	test_table();
	test_big();
	test_timeouts();
	return test_done();
}
