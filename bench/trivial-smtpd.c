/* ISC license. */
/*
 * trivial-smtpd: the reference handlers of bench/bench, not part of cartero.
 *
 *   trivial-smtpd            the floor of an inetd-style SMTP handler: greets,
 *                            answers 250 to every line (354 to DATA), reads
 *                            each message to its CRLF.CRLF and throws it
 *                            away, answers QUIT with 221 and exits.
 *   trivial-smtpd MAILDIR    the same, but every message is written to
 *                            MAILDIR/tmp/NAME (O_EXCL), fsynced, closed,
 *                            linked into MAILDIR/new/, and new/ is fsynced,
 *                            all before the 250: the durability cartero's
 *                            maildir store gives, with nothing else.
 *
 * No parsing, no limits, no unstuffing, no trace fields: what is left is the
 * cost of the process (fork, exec, the dynamic linker), the socket and, with
 * MAILDIR, the file system.  Reads fd 0, writes fd 1; a read waits 60 s at
 * most.  Exit 0 after QUIT or EOF, 111 on an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>

#define TIMEOUT_MS 60000

static char in[65536];
static size_t in_pos, in_len;

static void __attribute__((noreturn))
fail(const char *what)
{
	fprintf(stderr, "trivial-smtpd: %s: %s\n", what, strerror(errno));
	_exit(111);
}

static void
say(const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = write(1, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			fail("write");
		s += w;
		n -= (size_t)w;
	}
}

/* Refills the input buffer; 0 at EOF. */
static size_t
fill(void)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };

	for (;;) {
		int r = poll(&p, 1, TIMEOUT_MS);
		if (r == 0) {
			errno = ETIMEDOUT;
			fail("read");
		}
		if (r < 0 && errno == EINTR)
			continue;
		ssize_t n = read(0, in, sizeof in);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			fail("read");
		in_pos = 0;
		in_len = (size_t)n;
		return in_len;
	}
}

static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			fail("write message");
		p += w;
		n -= (size_t)w;
	}
}

/* Reads a message to its CRLF.CRLF, writing it to fd (-1: nowhere).
 * Returns 0, or -1 at EOF. */
static int
read_message(int fd)
{
	static const char end[] = "\r\n.\r\n";
	int m = 2;		/* DATA's own CRLF counts */

	for (;;) {
		if (in_pos == in_len && fill() == 0)
			return -1;
		size_t start = in_pos;
		while (in_pos < in_len) {
			if (m == 0) {
				char *cr = memchr(in + in_pos, '\r',
				    in_len - in_pos);
				if (cr == NULL) {
					in_pos = in_len;
					break;
				}
				in_pos = (size_t)(cr - in);
			}
			char c = in[in_pos++];
			if (c == end[m])
				m++;
			else
				m = c == '\r';
			if (m == 5) {
				if (fd >= 0)
					write_all(fd, in + start,
					    in_pos - start);
				return 0;
			}
		}
		if (fd >= 0)
			write_all(fd, in + start, in_pos - start);
	}
}

/* One line into buf (without CRLF, truncated at cap); -1 at EOF. */
static int
read_line(char *buf, size_t cap)
{
	size_t n = 0;

	for (;;) {
		if (in_pos == in_len && fill() == 0)
			return -1;
		char c = in[in_pos++];
		if (c == '\n')
			break;
		if (n + 1 < cap)
			buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return 0;
}

static void
deliver(const char *maildir, int newdir_fd, unsigned long seq)
{
	char tmp[4096], new[4096];
	struct timeval tv;

	gettimeofday(&tv, NULL);
	snprintf(tmp, sizeof tmp, "%s/tmp/%lld.M%06ldP%ldQ%lu.trivial",
	    maildir, (long long)tv.tv_sec, (long)tv.tv_usec, (long)getpid(),
	    seq);
	snprintf(new, sizeof new, "%s/new/%s", maildir,
	    strrchr(tmp, '/') + 1);
	int fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		fail("open");
	if (read_message(fd) < 0)
		_exit(0);
	if (fsync(fd) < 0)
		fail("fsync");
	if (close(fd) < 0)
		fail("close");
	if (link(tmp, new) < 0)
		fail("link");
	unlink(tmp);
	if (fsync(newdir_fd) < 0)
		fail("fsync new/");
}

int
main(int argc, char **argv)
{
	const char *maildir = argc > 1 ? argv[1] : NULL;
	int newdir_fd = -1;
	unsigned long seq = 0;
	char line[1024];

	if (maildir != NULL) {
		char p[4096];
		snprintf(p, sizeof p, "%s/new", maildir);
		if ((newdir_fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			fail(p);
	}
	say("220 trivial ESMTP\r\n");
	while (read_line(line, sizeof line) == 0) {
		if (strncasecmp(line, "DATA", 4) == 0) {
			say("354 go ahead\r\n");
			if (maildir != NULL)
				deliver(maildir, newdir_fd, ++seq);
			else if (read_message(-1) < 0)
				break;
			say("250 2.0.0 Ok\r\n");
		} else if (strncasecmp(line, "QUIT", 4) == 0) {
			say("221 2.0.0 Bye\r\n");
			break;
		} else
			say("250 Ok\r\n");
	}
	return 0;
}
