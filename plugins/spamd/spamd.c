/* ISC license. */
/* The spamd filter: SpamAssassin's verdict on each message at end of data. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cartero/cartero.h>

#include "spamd-internal.h"

#define SPAMD_CHUNK 65536	/* octets of the message per send */
#define SPAMD_ANSWER_MAX 16384	/* a SYMBOLS answer is far smaller */

struct spamd {
	const struct cartero_host *host;
	const char *server_text;	/* as configured, for the log */
	struct spamd_server server;
	bool has_reject;
	double reject_score;
	long timeout_ms;
	bool is_accept_on_error;	/* on_error = accept */
	unsigned long long max_size;	/* 0: no cap */
	const char *user;
	char error[300];		/* the last I/O error */
	char text[80];			/* the 554 text the host sends */
	char answer[SPAMD_ANSWER_MAX];
	char chunk[SPAMD_CHUNK];
};

static const char *const spamd_keys[] = {
	"server", "reject_score", "timeout", "on_error", "max_size", "user",
	NULL
};

static char spamd_conf_error[300];

static long spamd_ms_left(const struct timespec *deadline);
static int spamd_poll(int fd, short events, const struct timespec *deadline);
static int spamd_fail(struct spamd *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int spamd_connect(struct spamd *d, const struct timespec *deadline);
static int spamd_send(struct spamd *d, int fd, const char *buf, size_t n,
    const struct timespec *deadline);
static int spamd_send_message(struct spamd *d, int fd,
    const struct cartero_session *s, off_t size,
    const struct timespec *deadline);
static ssize_t spamd_receive(struct spamd *d, int fd,
    const struct timespec *deadline);
static int spamd_check(struct spamd *d, const struct cartero_session *s,
    off_t size, const struct timespec *deadline, struct spamc_result *r,
    const char **error_r);

/* Milliseconds until deadline, 0 once it is past. */
static long
spamd_ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}

/* 1 when fd is ready (or has an error to report), 0 at the deadline, -1
 * when poll itself fails. */
static int
spamd_poll(int fd, short events, const struct timespec *deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		long ms = spamd_ms_left(deadline);
		int rc;

		if (ms <= 0)
			return 0;
		rc = poll(&p, 1, (int)ms);
		if (rc > 0)
			return 1;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

static int
spamd_fail(struct spamd *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->error, sizeof d->error, fmt, ap);
	va_end(ap);
	return -1;
}

/* A connected non-blocking socket, or -1 with d->error. */
static int
spamd_connect(struct spamd *d, const struct timespec *deadline)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_NUMERICSERV }, *ai = NULL, *a;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct addrinfo unix_ai = { .ai_family = AF_UNIX,
	    .ai_socktype = SOCK_STREAM, .ai_addr = (struct sockaddr *)&sun,
	    .ai_addrlen = sizeof sun };
	int rc, fd = -1;

	if (d->server.is_unix) {
		strcpy(sun.sun_path, d->server.host);
		a = &unix_ai;
	} else {
		/* An address literal costs nothing here; a name is looked
		 * up now, outside the budget (cartero.conf(5) says so). */
		if ((rc = getaddrinfo(d->server.host, d->server.port, &hints,
		    &ai)) != 0)
			return spamd_fail(d, "cannot resolve %s: %s",
			    d->server.host, gai_strerror(rc));
		a = ai;
	}
	spamd_fail(d, "no address for %s", d->server_text);
	for (; a != NULL; a = a->ai_next) {
		int error = 0;
		socklen_t len = sizeof error;

		fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd < 0) {
			spamd_fail(d, "socket: %s", strerror(errno));
			continue;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		if (errno != EINPROGRESS) {
			spamd_fail(d, "connect to %s: %s", d->server_text,
			    strerror(errno));
			close(fd);
			fd = -1;
			continue;
		}
		if ((rc = spamd_poll(fd, POLLOUT, deadline)) <= 0) {
			spamd_fail(d, rc == 0 ? "timed out connecting to %s" :
			    "poll: connecting to %s", d->server_text);
			close(fd);
			fd = -1;
			break;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 &&
		    error == 0)
			break;
		spamd_fail(d, "connect to %s: %s", d->server_text,
		    strerror(error != 0 ? error : errno));
		close(fd);
		fd = -1;
	}
	if (ai != NULL)
		freeaddrinfo(ai);
	return fd;
}

static int
spamd_send(struct spamd *d, int fd, const char *buf, size_t n,
    const struct timespec *deadline)
{
	while (n > 0) {
		ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);
		int rc;

		if (w > 0) {
			buf += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			return spamd_fail(d, "send to %s: %s", d->server_text,
			    strerror(errno));
		if ((rc = spamd_poll(fd, POLLOUT, deadline)) <= 0)
			return spamd_fail(d, rc == 0 ? "timed out sending to "
			    "%s" : "poll: sending to %s", d->server_text);
	}
	return 0;
}

/* The spooled message, as it is (trace fields and CRLF line ends). */
static int
spamd_send_message(struct spamd *d, int fd, const struct cartero_session *s,
    off_t size, const struct timespec *deadline)
{
	int mfd = d->host->message_fd(s);

	for (off_t off = 0; off < size;) {
		size_t want = size - off < (off_t)sizeof d->chunk
		    ? (size_t)(size - off) : sizeof d->chunk;
		ssize_t r = pread(mfd, d->chunk, want, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return spamd_fail(d, "read the spool: %s",
			    strerror(errno));
		if (r == 0)
			return spamd_fail(d, "the spool is shorter than its "
			    "size");
		if (spamd_send(d, fd, d->chunk, (size_t)r, deadline) < 0)
			return -1;
		off += r;
	}
	return 0;
}

/* Reads the answer into d->answer (NUL-terminated): until spamd closes,
 * or the answer is whole, or the buffer is full.  Its length, or -1. */
static ssize_t
spamd_receive(struct spamd *d, int fd, const struct timespec *deadline)
{
	size_t len = 0;

	while (len + 1 < sizeof d->answer &&
	    !spamc_is_complete(d->answer, len)) {
		ssize_t r = recv(fd, d->answer + len,
		    sizeof d->answer - 1 - len, 0);
		int rc;

		if (r == 0)
			break;
		if (r > 0) {
			len += (size_t)r;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return spamd_fail(d, "receive from %s: %s",
			    d->server_text, strerror(errno));
		if ((rc = spamd_poll(fd, POLLIN, deadline)) <= 0)
			return spamd_fail(d, rc == 0 ? "timed out waiting for "
			    "%s to answer" : "poll: receiving from %s",
			    d->server_text);
	}
	d->answer[len] = '\0';
	return (ssize_t)len;
}

/* One SYMBOLS exchange within the deadline: 0 with *r, or -1. */
static int
spamd_check(struct spamd *d, const struct cartero_session *s, off_t size,
    const struct timespec *deadline, struct spamc_result *r,
    const char **error_r)
{
	char req[512];
	int fd, len;
	ssize_t n;

	*error_r = d->error;
	if ((len = spamc_request(req, sizeof req, "SYMBOLS", size,
	    d->user)) < 0)
		return spamd_fail(d, "request too long");
	if ((fd = spamd_connect(d, deadline)) < 0)
		return -1;
	if (spamd_send(d, fd, req, (size_t)len, deadline) < 0 ||
	    spamd_send_message(d, fd, s, size, deadline) < 0) {
		close(fd);
		return -1;
	}
	/* spamd reads Content-length octets; the end of file tells a
	 * slower implementation the same. */
	shutdown(fd, SHUT_WR);
	n = spamd_receive(d, fd, deadline);
	close(fd);
	if (n < 0)
		return -1;
	return spamc_parse(d->answer, (size_t)n, r, error_r);
}

static void
spamd_fini(void *state)
{
	free(state);
}

static int
spamd_init(const struct cartero_host *host, const struct cartero_conf *sec,
    void **state_r, const char **error_r)
{
	struct spamd *d = calloc(1, sizeof *d);
	const char *v;
	double t;

	if (d == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	d->host = host;
	d->server_text = host->conf_get(sec, "server");
	if (d->server_text == NULL ||
	    spamd_server_parse(&d->server, d->server_text) < 0) {
		*error_r = "[plugin spamd] needs server = HOST:PORT, "
		    "[IPV6]:PORT or unix:PATH";
		goto fail;
	}
	if ((v = host->conf_get(sec, "reject_score")) != NULL) {
		if (spamd_decimal(v, &d->reject_score) < 0) {
			*error_r = "reject_score must be a number such as 10 "
			    "or 7.5";
			goto fail;
		}
		d->has_reject = true;
	}
	t = 30;
	if ((v = host->conf_get(sec, "timeout")) != NULL &&
	    (spamd_decimal(v, &t) < 0 || t < 0.01 || t > 3600)) {
		*error_r = "timeout must be a number of seconds from 0.01 to "
		    "3600";
		goto fail;
	}
	d->timeout_ms = (long)(t * 1000 + 0.5);
	if ((v = host->conf_get(sec, "on_error")) != NULL &&
	    strcmp(v, "defer") != 0) {
		if (strcmp(v, "accept") != 0) {
			*error_r = "on_error must be defer or accept";
			goto fail;
		}
		d->is_accept_on_error = true;
	}
	d->max_size = 512000;
	if ((v = host->conf_get(sec, "max_size")) != NULL) {
		char *end;
		errno = 0;
		d->max_size = strtoull(v, &end, 10);
		if (*v < '0' || *v > '9' || *end != '\0' || errno != 0) {
			*error_r = "max_size must be a whole number of octets";
			goto fail;
		}
	}
	if ((d->user = host->conf_get(sec, "user")) != NULL) {
		if (d->user[0] == '\0' || strlen(d->user) > 128) {
			*error_r = "user must be a name of 1 to 128 characters";
			goto fail;
		}
		for (const char *p = d->user; *p; p++)
			if (*p <= ' ' || *p >= 127) {
				*error_r = "user must be printable ASCII "
				    "without spaces";
				goto fail;
			}
	}
	*state_r = d;
	return 0;
fail:
	snprintf(spamd_conf_error, sizeof spamd_conf_error, "%s", *error_r);
	*error_r = spamd_conf_error;
	free(d);
	return -1;
}

static enum cartero_verdict
spamd_data(void *state, struct cartero_session *s,
    struct cartero_reply *reply_r)
{
	struct spamd *d = state;
	const struct cartero_host *host = d->host;
	off_t size = host->message_size(s);
	struct timespec start, deadline;
	struct spamc_result r;
	const char *error;
	char status[SPAMC_SYMBOLS_MAX + 100], score[32], q[400];
	long ms;
	int rc;

	if (d->max_size > 0 && (unsigned long long)size > d->max_size) {
		host->log(s, "spamd", "plugin=spamd verdict=skip reason=size "
		    "size=%lld max_size=%llu", (long long)size, d->max_size);
		return CARTERO_CONTINUE;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	deadline.tv_sec = start.tv_sec + d->timeout_ms / 1000;
	deadline.tv_nsec = start.tv_nsec + d->timeout_ms % 1000 * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	rc = spamd_check(d, s, size, &deadline, &r, &error);
	ms = d->timeout_ms - spamd_ms_left(&deadline);
	if (rc < 0) {
		host->log(s, "spamd", "plugin=spamd verdict=error action=%s "
		    "ms=%ld error=%s", d->is_accept_on_error ? "accept" :
		    "defer", ms, host->log_quote(q, sizeof q, error));
		if (d->is_accept_on_error)
			return CARTERO_CONTINUE;
		*reply_r = (struct cartero_reply){ 451, "4.3.0",
		    "Spam check unavailable; try again later" };
		return CARTERO_DEFER;
	}
	if (d->has_reject && r.score >= d->reject_score) {
		host->log(s, "spamd", "plugin=spamd score=%.1f required=%.1f "
		    "verdict=reject ms=%ld", r.score, r.required, ms);
		snprintf(d->text, sizeof d->text, "Message rejected as spam "
		    "(score %.1f)", r.score);
		*reply_r = (struct cartero_reply){ 554, "5.7.1", d->text };
		return CARTERO_REJECT;
	}
	spamc_status(status, sizeof status, &r);
	snprintf(score, sizeof score, "%.1f", r.score);
	if ((r.is_spam && host->header_add(s, "X-Spam-Flag", "YES") < 0) ||
	    host->header_add(s, "X-Spam-Score", score) < 0 ||
	    host->header_add(s, "X-Spam-Status", status) < 0)
		host->log(s, "spamd", "plugin=spamd error=\"header_add "
		    "refused\"");
	host->log(s, "spamd", "plugin=spamd score=%.1f required=%.1f "
	    "verdict=%s ms=%ld", r.score, r.required, r.is_spam ? "spam" :
	    "ham", ms);
	return CARTERO_CONTINUE;
}

static const struct cartero_filter spamd_filter = {
	.on_data = spamd_data,
};

CARTERO_PLUGIN(
	.name = "spamd",
	.conf_keys = spamd_keys,
	.init = spamd_init,
	.fini = spamd_fini,
	.filter = &spamd_filter,
);
