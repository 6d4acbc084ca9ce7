/* ISC license. */
/* The mbox store's POP3 side: list, read, and compact at QUIT. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mbox.h"
#include "mboxrd.h"

#define MB_HEADER_MAX 65536	/* header octets a UIDL is made of */

/*
 * POP3.  A session holds both locks from login to the end, as qpopper and
 * Dovecot (pop3_lock_session) do: a delivery meanwhile waits lock_timeout
 * and is answered 451, and the client retries.  The listing is parsed at
 * open: a message runs from the line after its From_ line to the empty
 * line before the next From_ line (or the end of the file), read with
 * mboxrd unquoting.  Deletions are applied at QUIT by writing the kept
 * octets to a new file, fsync, rename over the mbox, fsync of the folder.
 */
struct mb_msg {
	off_t from;		/* its From_ line */
	off_t body;		/* the message */
	off_t end;		/* the message's end */
	off_t next;		/* the next From_ line, or the file's size */
	off_t size;		/* as RETR sends it */
	uint64_t hash;
	char uid[40];
	bool is_deleted;
};

struct mb_drop {
	struct mbox *mb;
	struct mb_lock lock;	/* lock.fd < 0: there is no mbox yet */
	int timeout;
	struct mb_msg *v;
	size_t n, cap;
	off_t size;		/* the mbox's size when parsed */
	int read_fd;
};

struct mb_uid_sort {
	uint64_t hash;
	size_t i;
};

static int mb_scan_from(void *ctx, off_t from, off_t body);
static int mb_parse(struct mb_drop *d);
static int mb_message(struct mb_drop *d, struct mb_msg *m, char *buf);
static int mb_uid_cmp(const void *a, const void *b);
static int mb_uids(struct mb_drop *d);
static void mb_drop_free(struct mb_drop *d);
static int mb_tmpfile(void);
static int mb_copy(int from, off_t off, off_t len, int to, off_t *to_off);
static int mb_compact(struct mb_drop *d, struct cartero_reply *reply_r);

static int
mb_scan_from(void *ctx, off_t from, off_t body)
{
	struct mb_drop *d = ctx;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct mb_msg *v = realloc(d->v, cap * sizeof *v);
		if (v == NULL)
			return -1;
		d->v = v;
		d->cap = cap;
	}
	memset(&d->v[d->n], 0, sizeof d->v[d->n]);
	d->v[d->n].from = from;
	d->v[d->n].body = body;
	d->n++;
	return 0;
}

/* Size and UIDL hash of m, whose octets are [body, end). */
static int
mb_message(struct mb_drop *d, struct mb_msg *m, char *buf)
{
	static struct mboxrd_filter fl;
	static char header[MB_HEADER_MAX];
	char from[MB_FROM_MAX];
	int fd = d->lock.fd;

	size_t fn = m->body - m->from < MB_FROM_MAX ?
	    (size_t)(m->body - m->from) : MB_FROM_MAX;
	size_t hn = m->end - m->body < MB_HEADER_MAX ?
	    (size_t)(m->end - m->body) : MB_HEADER_MAX;
	if (mb_pread_all(fd, from, fn, m->from) < 0 ||
	    mb_pread_all(fd, header, hn, m->body) < 0)
		return -1;
	/* A From_ line's end may be CRLF in a file from elsewhere. */
	while (fn > 0 && (from[fn - 1] == '\n' || from[fn - 1] == '\r'))
		fn--;
	m->hash = mboxrd_uid_hash(from, fn, header, hn);
	mboxrd_filter_init(&fl, MBOXRD_UNQUOTE, NULL, NULL);
	for (off_t off = m->body; off < m->end;) {
		size_t n = m->end - off < MB_BUF ? (size_t)(m->end - off) :
		    MB_BUF;
		if (mb_pread_all(fd, buf, n, off) < 0 ||
		    mboxrd_filter_write(&fl, buf, n) < 0)
			return -1;
		off += (off_t)n;
	}
	if (mboxrd_filter_finish(&fl) < 0)
		return -1;
	m->size = mboxrd_filter_crlf_size(&fl);
	return 0;
}

static int
mb_uid_cmp(const void *a, const void *b)
{
	const struct mb_uid_sort *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* UIDL: the hash in hex; the second and later of equal hashes (one
 * message stored twice) get "-2", "-3", ... in file order. */
static int
mb_uids(struct mb_drop *d)
{
	struct mb_uid_sort *s = malloc((d->n ? d->n : 1) * sizeof *s);
	size_t dup = 1;

	if (s == NULL)
		return -1;
	for (size_t i = 0; i < d->n; i++)
		s[i] = (struct mb_uid_sort){ d->v[i].hash, i };
	qsort(s, d->n, sizeof *s, mb_uid_cmp);
	for (size_t k = 0; k < d->n; k++) {
		struct mb_msg *m = &d->v[s[k].i];
		dup = k > 0 && s[k - 1].hash == s[k].hash ? dup + 1 : 1;
		if (dup == 1)
			snprintf(m->uid, sizeof m->uid, "%016llx",
			    (unsigned long long)m->hash);
		else
			snprintf(m->uid, sizeof m->uid, "%016llx-%zu",
			    (unsigned long long)m->hash, dup);
	}
	free(s);
	return 0;
}

static int
mb_parse(struct mb_drop *d)
{
	struct mboxrd_scan sc;
	struct stat st;
	char *buf = malloc(MB_BUF);
	char tail[2];
	int r = -1;

	if (buf == NULL)
		return -1;
	if (fstat(d->lock.fd, &st) < 0)
		goto out;
	d->size = st.st_size;
	mboxrd_scan_init(&sc, mb_scan_from, d);
	for (off_t off = 0; off < d->size;) {
		size_t n = d->size - off < MB_BUF ? (size_t)(d->size - off) :
		    MB_BUF;
		if (mb_pread_all(d->lock.fd, buf, n, off) < 0 ||
		    mboxrd_scan_write(&sc, buf, n) != 0)
			goto out;
		off += (off_t)n;
	}
	if (mboxrd_scan_finish(&sc) != 0)
		goto out;
	for (size_t i = 0; i < d->n; i++) {
		struct mb_msg *m = &d->v[i];
		if (i + 1 < d->n) {
			/* The empty line before a From_ line ends the
			 * message before it, and is not part of it. */
			m->next = d->v[i + 1].from;
			m->end = m->next - 1;
		} else {
			m->next = m->end = d->size;
			if (d->size - m->body >= 1 && d->size >= 2) {
				if (mb_pread_all(d->lock.fd, tail, 2,
				    d->size - 2) < 0)
					goto out;
				if (tail[0] == '\n' && tail[1] == '\n')
					m->end--;
			}
		}
		if (mb_message(d, m, buf) < 0)
			goto out;
	}
	r = mb_uids(d);
out:
	free(buf);
	return r;
}

static void
mb_drop_free(struct mb_drop *d)
{
	if (d->read_fd >= 0)
		close(d->read_fd);
	mb_lock_release(&d->lock);
	free(d->v);
	free(d);
}

int
mbox_open(void *state, const struct cartero_conf *domain,
    const struct cartero_address *user, void **maildrop_r,
    struct cartero_reply *reply_r)
{
	struct mbox *mb = state;
	struct mb_drop *d = calloc(1, sizeof *d);
	char path[MB_PATH_MAX];
	struct stat st;

	if (d == NULL) {
		mb_fail(reply_r, ENOMEM, "malloc");
		return -1;
	}
	d->mb = mb;
	d->read_fd = -1;
	mb_lock_init(&d->lock, "/", "pop3");
	if (mb_path(mb, domain, user, path, sizeof path) < 0) {
		mb_drop_free(d);
		mb_fail(reply_r, EINVAL, "no maildrop for this user");
		return -1;
	}
	if ((d->timeout = mb_timeout(mb, domain)) < 0) {
		mb_drop_free(d);
		mb_fail(reply_r, EINVAL, "lock_timeout");
		return -1;
	}
	mb_lock_init(&d->lock, path, "pop3");
	/* No mbox yet: an empty maildrop, nothing to lock or change. */
	if (lstat(path, &st) < 0 && errno == ENOENT) {
		*maildrop_r = d;
		return 0;
	}
	if (mb_lock_take(mb, &d->lock, d->timeout, false) < 0) {
		int err = errno;
		if (err == ENOENT) {
			*maildrop_r = d;
			return 0;
		}
		mb_fail(reply_r, err, d->lock.what);
		if (err == ETIMEDOUT || err == EWOULDBLOCK)
			reply_r->status = "IN-USE";
		mb_drop_free(d);
		return -1;
	}
	if (mb_parse(d) < 0) {
		mb_fail(reply_r, errno, "read");
		mb_drop_free(d);
		return -1;
	}
	*maildrop_r = d;
	return 0;
}

size_t
mbox_count(void *maildrop)
{
	return ((struct mb_drop *)maildrop)->n;
}

int
mbox_info(void *maildrop, size_t i, struct cartero_msginfo *info_r)
{
	struct mb_drop *d = maildrop;

	if (i >= d->n)
		return -1;
	mb_dotlock_touch(&d->lock);
	info_r->uid = d->v[i].uid;
	info_r->size = d->v[i].size;
	return 0;
}

/* An unlinked file in $TMPDIR (or /tmp), as the spool is made. */
static int
mb_tmpfile(void)
{
	const char *dir = getenv("TMPDIR");
	char tmpl[MB_PATH_MAX];

	if (dir == NULL || *dir != '/')
		dir = "/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	if ((size_t)snprintf(tmpl, sizeof tmpl, "%s/cartero-mbox.XXXXXX",
	    dir) >= sizeof tmpl)
		return (errno = ENAMETOOLONG, -1);
	if ((fd = mkostemp(tmpl, O_CLOEXEC)) < 0)
		return -1;
	unlink(tmpl);
	return fd;
}

/* The message unquoted, in a file of its own the host reads from 0. */
int
mbox_read(void *maildrop, size_t i, struct cartero_reply *reply_r)
{
	static struct mboxrd_filter fl;
	struct mb_drop *d = maildrop;
	char *buf;

	if (i >= d->n) {
		mb_fail(reply_r, EINVAL, "no such message");
		return -1;
	}
	if (d->read_fd >= 0)
		close(d->read_fd);
	d->read_fd = -1;
	mb_dotlock_touch(&d->lock);
	struct mb_msg *m = &d->v[i];
	int fd = mb_tmpfile();
	if (fd < 0 || (buf = malloc(MB_BUF)) == NULL) {
		mb_fail(reply_r, errno, "temporary file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct mb_writer w = { fd, 0 };
	const char *what = "read";
	mboxrd_filter_init(&fl, MBOXRD_UNQUOTE, mb_sink_write, &w);
	for (off_t off = m->body; off < m->end;) {
		size_t n = m->end - off < MB_BUF ? (size_t)(m->end - off) :
		    MB_BUF;
		if (mb_pread_all(d->lock.fd, buf, n, off) < 0 ||
		    (what = "temporary file",
		    mboxrd_filter_write(&fl, buf, n) < 0))
			goto fail;
		what = "read";
		off += (off_t)n;
	}
	what = "temporary file";
	if (mboxrd_filter_finish(&fl) < 0)
		goto fail;
	free(buf);
	d->read_fd = fd;
	return fd;
fail:
	mb_fail(reply_r, errno, what);
	free(buf);
	close(fd);
	return -1;
}

int
mbox_delete(void *maildrop, size_t i)
{
	struct mb_drop *d = maildrop;

	if (i >= d->n)
		return -1;
	d->v[i].is_deleted = true;
	return 0;
}

/* Copies [off, off+len) of from to to at *to_off; the kernel copies when
 * it can. */
static int
mb_copy(int from, off_t off, off_t len, int to, off_t *to_off)
{
	static char buf[MB_BUF];
	off_t end = off + len;

	while (off < end) {
		ssize_t n = copy_file_range(from, &off, to, to_off,
		    (size_t)(end - off), 0);
		if (n > 0)
			continue;
		if (n == 0)
			return (errno = EIO, -1);
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
		    errno != EOPNOTSUPP)
			return -1;
		while (off < end) {
			size_t k = end - off < MB_BUF ? (size_t)(end - off) :
			    MB_BUF;
			if (mb_pread_all(from, buf, k, off) < 0 ||
			    mb_pwrite_all(to, buf, k, *to_off) < 0)
				return -1;
			off += (off_t)k;
			*to_off += (off_t)k;
		}
	}
	return 0;
}

/*
 * Writes the mbox without the deleted messages to DIR/.BASE.cartero-tmp
 * (same mode, fcntl-locked), fsync, rename over the mbox, fsync of the
 * folder.  A crash before the rename leaves the old mbox whole (the
 * leftover is removed by the next lock holder that breaks our stale
 * lock, or by the next compaction); after it, the new one.  Octets that
 * came after the parse (someone ignoring both locks) are kept.
 */
static int
mb_compact(struct mb_drop *d, struct cartero_reply *reply_r)
{
	struct mb_lock *l = &d->lock;
	char tmp[MB_PATH_MAX + 32];
	struct stat st;
	const char *what = "lock";
	int tfd = -1;

	/* A session idle for long may have lost its dotlock to someone
	 * who judged it stale; take it again before rewriting. */
	if (!mb_dotlock_is_ours(l)) {
		if (l->lock_fd >= 0)
			close(l->lock_fd);
		l->lock_fd = -1;
		long long deadline = mb_ms() + d->timeout * 1000LL;
		if (mb_dotlock_take(d->mb, l, deadline) < 0)
			goto fail;
	}
	what = "fstat";
	if (fstat(l->fd, &st) < 0)
		goto fail;
	if (st.st_size < d->size) {
		errno = ESTALE;
		what = "mbox shrank while locked";
		goto fail;
	}
	what = "create";
	if (mb_temp_path(l, tmp, sizeof tmp) < 0) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	for (int k = 0; k < 2 && tfd < 0; k++) {
		tfd = open(tmp, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
		if (tfd < 0 && (errno != EEXIST || k > 0 || unlink(tmp) < 0))
			goto fail;
	}
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	(void)fcntl(tfd, F_SETLK, &fl);
	what = "fchmod";
	if (fchmod(tfd, st.st_mode & 07777) < 0)
		goto fail_tmp;
	what = "write";
	off_t off = 0, to = 0;
	for (size_t i = 0; i < d->n; i++) {
		struct mb_msg *m = &d->v[i];
		if (!m->is_deleted)
			continue;
		if (mb_copy(l->fd, off, m->from - off, tfd, &to) < 0)
			goto fail_tmp;
		off = m->next;
	}
	if (mb_copy(l->fd, off, st.st_size - off, tfd, &to) < 0)
		goto fail_tmp;
	what = "fsync";
	if (fsync(tfd) < 0)
		goto fail_tmp;
	what = "rename";
	if (rename(tmp, l->path) < 0)
		goto fail_tmp;
	close(l->fd);
	l->fd = tfd;
	what = "fsync folder";
	if (mb_fsync_parent(l->path) < 0)
		goto fail;
	return 0;
fail_tmp:
	{
		int err = errno;
		close(tfd);
		unlink(tmp);
		errno = err;
	}
fail:
	mb_fail(reply_r, errno, what);
	return -1;
}

int
mbox_commit_drop(void *maildrop, struct cartero_reply *reply_r)
{
	struct mb_drop *d = maildrop;
	bool has_deleted = false;

	for (size_t i = 0; i < d->n; i++)
		has_deleted |= d->v[i].is_deleted;
	if (!has_deleted || d->lock.fd < 0)
		return 0;
	return mb_compact(d, reply_r);
}

void
mbox_close(void *maildrop)
{
	mb_drop_free(maildrop);
}
