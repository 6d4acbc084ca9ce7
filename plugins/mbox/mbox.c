/* ISC license. */
/* The mbox store: mboxrd files under dotlock and fcntl locks; here the
 * configuration and delivery, appended all or nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mbox.h"
#include "mboxrd.h"

#define MB_LOCK_TIMEOUT 20	/* seconds; Postfix: 20 tries 1 s apart */

/* One delivery's octets [start, end) in an mbox. */
struct mb_seg {
	off_t start, end;
	bool is_dropped;
};

/* An mbox locked by this process for the deliveries under way: several
 * recipients of one message may share one file (two domains, one path),
 * and a second lock of our own would wait for ourselves. */
struct mb_file {
	struct mb_file *next;
	struct mb_lock lock;
	dev_t dev;
	ino_t ino;
	size_t n_live;		/* handles not ended yet */
	struct mb_seg *segs;	/* in file order */
	size_t n_segs, cap;
	off_t end;		/* the file's size as we made it */
};

struct mb_handle {
	struct mb_file *file;
	size_t seg;
};

static const char *const mbox_keys[] = { "path", "lock_timeout", NULL };

static int mb_seconds(const char *v, int *out);
static void mb_busy(struct cartero_reply *r);
static struct mb_file *mb_file_find(struct mbox *mb, const char *path);
static void mb_file_free(struct mbox *mb, struct mb_file *f);
static void mb_file_mark(struct mb_file *f);
static void mb_file_trim(struct mbox *mb, struct mb_file *f);
static int mb_convert(int from, off_t size, struct mboxrd_filter *fl);
static int mb_append(struct mbox *mb, struct mb_file *f,
    const struct cartero_delivery *d, off_t *start_r,
    struct cartero_reply *reply_r);

static int
mb_seconds(const char *v, int *out)
{
	char *end;

	if (v == NULL)
		return 0;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0' || errno != 0 || n > 3600)
		return -1;
	*out = (int)n;
	return 0;
}

static int
mbox_init(const struct cartero_host *host,
    const struct cartero_conf *section, void **state_r, const char **error_r)
{
	struct mbox *mb = calloc(1, sizeof *mb);

	if (mb == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	mb->host = host;
	mb->lock_timeout = MB_LOCK_TIMEOUT;
	if (mb_seconds(host->conf_get(section, "lock_timeout"),
	    &mb->lock_timeout) < 0) {
		free(mb);
		*error_r = "[plugin mbox] lock_timeout must be 0 to 3600 "
		    "seconds";
		return -1;
	}
	*state_r = mb;
	return 0;
}

static void
mbox_fini(void *state)
{
	struct mbox *mb = state;

	/* deliver_end() frees every file; these would be a host bug. */
	while (mb->files != NULL)
		mb_file_free(mb, mb->files);
	free(mb);
}

/* Expands the [domain] path template: %d domain, %u local part, %%. */
int
mb_path(struct mbox *mb, const struct cartero_conf *domain,
    const struct cartero_address *a, char *out, size_t n)
{
	const char *tpl = mb->host->conf_path(domain, "path");

	if (cartero_path_expand(tpl, a, out, n) < 0)
		return -1;
	size_t o = strlen(out);
	/* The dotlock and the compaction file go beside it. */
	if (o == 0 || out[o - 1] == '/' || out[0] != '/' || o + 64 >= n)
		return -1;
	return 0;
}

/* The domain's lock_timeout, else the plugin's; -1 when malformed. */
int
mb_timeout(struct mbox *mb, const struct cartero_conf *domain)
{
	int t = mb->lock_timeout;

	if (mb_seconds(mb->host->conf_get(domain, "lock_timeout"), &t) < 0)
		return -1;
	return t;
}

void
mb_fail(struct cartero_reply *r, int err, const char *what)
{
	static char text[300];

	r->code = 451;
	r->status = "4.3.0";
	if (err == ENOSPC) {
		r->code = 452;
		r->status = "4.3.1";
	} else if (err == EDQUOT || err == EFBIG) {
		r->code = 452;
		r->status = "4.2.2";
	}
	snprintf(text, sizeof text, "Mailbox delivery failed (%s: %s)", what,
	    strerror(err));
	r->text = text;
}

static void
mb_busy(struct cartero_reply *r)
{
	r->code = 451;
	r->status = "4.2.0";
	r->text = "Mailbox is locked by another program; try again later";
}

const char *
mb_q(struct mbox *mb, char *buf, size_t n, const char *s)
{
	return mb->host->log_quote(buf, n, s);
}

int
mb_fsync_parent(const char *path)
{
	char dir[MB_PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return cartero_fsync_dir(".");
	snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 :
	    (int)(slash - path), path);
	return cartero_fsync_dir(dir);
}

int
mb_pread_all(int fd, char *buf, size_t n, off_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, buf + done, n - done, off + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? (errno = EIO, -1) : -1;
		done += (size_t)r;
	}
	return 0;
}

int
mb_pwrite_all(int fd, const char *buf, size_t n, off_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = pwrite(fd, buf + done, n - done,
		    off + (off_t)done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

int
mb_sink_write(void *ctx, const char *p, size_t n)
{
	struct mb_writer *w = ctx;

	if (mb_pwrite_all(w->fd, p, n, w->off) < 0)
		return -1;
	w->off += (off_t)n;
	return 0;
}

/* Delivery. */

static struct mb_file *
mb_file_find(struct mbox *mb, const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return NULL;
	for (struct mb_file *f = mb->files; f != NULL; f = f->next)
		if (f->dev == st.st_dev && f->ino == st.st_ino)
			return f;
	return NULL;
}

static void
mb_file_free(struct mbox *mb, struct mb_file *f)
{
	for (struct mb_file **p = &mb->files; *p != NULL; p = &(*p)->next)
		if (*p == f) {
			*p = f->next;
			break;
		}
	mb_lock_release(&f->lock);
	free(f->segs);
	free(f);
}

/* The marker covers every copy not yet released: all of them were made
 * for replies not yet sent. */
static void
mb_file_mark(struct mb_file *f)
{
	if (f->n_segs > 0)
		mb_dotlock_mark(&f->lock, f->segs[0].start, f->end);
}

/* Cuts the dropped copies at the end of the file.  A dropped copy with a
 * kept one after it stays (logged when the file is released). */
static void
mb_file_trim(struct mbox *mb, struct mb_file *f)
{
	char q[600];
	bool is_cut = false;

	while (f->n_segs > 0 && f->segs[f->n_segs - 1].is_dropped &&
	    f->segs[f->n_segs - 1].end == f->end) {
		off_t start = f->segs[f->n_segs - 1].start;
		if (ftruncate(f->lock.fd, start) < 0) {
			mb->host->log(NULL, "mbox-rollback", "plugin=mbox "
			    "path=%s result=error error=\"%s\"",
			    mb_q(mb, q, sizeof q, f->lock.path),
			    strerror(errno));
			break;
		}
		f->end = start;
		f->n_segs--;
		is_cut = true;
	}
	if (!is_cut)
		return;
	if (fsync(f->lock.fd) < 0)
		mb->host->log(NULL, "mbox-rollback", "plugin=mbox path=%s "
		    "result=error op=fsync error=\"%s\"",
		    mb_q(mb, q, sizeof q, f->lock.path), strerror(errno));
	mb_file_mark(f);
}

/* Runs size octets of from (read with pread from 0) through fl. */
static int
mb_convert(int from, off_t size, struct mboxrd_filter *fl)
{
	static char buf[MB_BUF];
	off_t off = 0;

	while (off < size) {
		size_t n = size - off < MB_BUF ? (size_t)(size - off) : MB_BUF;
		if (mb_pread_all(from, buf, n, off) < 0 ||
		    mboxrd_filter_write(fl, buf, n) < 0)
			return -1;
		off += (off_t)n;
	}
	return mboxrd_filter_finish(fl);
}

/*
 * Appends one copy at the end of f: a blank line first if the file does
 * not end with one (another program's last message), the From_ line, the
 * message in LF with mboxrd quoting, and the empty line that ends it, then
 * fsync.  The marker in the dotlock says what is appended before the first
 * octet is.  On failure the file is cut back to its size before.
 */
static int
mb_append(struct mbox *mb, struct mb_file *f,
    const struct cartero_delivery *d, off_t *start_r,
    struct cartero_reply *reply_r)
{
	static struct mboxrd_filter fl;
	char from[MB_FROM_MAX + 64], tail[2];
	const char *sep = "";
	struct stat st;
	struct tm tm;
	int fd = f->lock.fd;
	const char *what = "fstat";

	if (fstat(fd, &st) < 0) {
		mb_fail(reply_r, errno, what);
		return -1;
	}
	off_t z = st.st_size;
	*start_r = z;
	if (z > 0) {
		size_t k = z >= 2 ? 2 : 1;
		if (mb_pread_all(fd, tail, k, z - (off_t)k) < 0) {
			mb_fail(reply_r, errno, "read");
			return -1;
		}
		if (tail[k - 1] != '\n')
			sep = "\n\n";
		else if (k == 1 || tail[0] != '\n')
			sep = "\n";
	}
	const char *sender = mb->host->session_get(d->session, CARTERO_SENDER);
	time_t now = time(NULL);
	localtime_r(&now, &tm);
	size_t from_len = mboxrd_from_line(from, sizeof from,
	    sender ? sender : "", &tm);
	if (from_len == 0) {
		mb_fail(reply_r, ENAMETOOLONG, "From_ line");
		return -1;
	}
	/* First pass: the exact size, for the marker. */
	mboxrd_filter_init(&fl, MBOXRD_QUOTE, NULL, NULL);
	if (mb_convert(d->fd, d->size, &fl) < 0) {
		mb_fail(reply_r, errno, "read spool");
		return -1;
	}
	bool needs_lf = fl.n_out > 0 && fl.last != '\n';
	off_t end = z + (off_t)strlen(sep) + (off_t)from_len + fl.n_out +
	    (needs_lf ? 1 : 0) + 1;
	f->end = z;
	if (f->n_segs > 0)
		mb_dotlock_mark(&f->lock, f->segs[0].start, end);
	else
		mb_dotlock_mark(&f->lock, z, end);
	struct mb_writer w = { fd, z };
	mboxrd_filter_init(&fl, MBOXRD_QUOTE, mb_sink_write, &w);
	what = "write";
	if (mb_sink_write(&w, sep, strlen(sep)) < 0 ||
	    mb_sink_write(&w, from, from_len) < 0 ||
	    mb_convert(d->fd, d->size, &fl) < 0 ||
	    (needs_lf && mb_sink_write(&w, "\n", 1) < 0) ||
	    mb_sink_write(&w, "\n", 1) < 0)
		goto fail;
	if (w.off != end) {
		errno = EIO;	/* the spool changed under us */
		goto fail;
	}
	what = "fsync";
	if (fsync(fd) < 0)
		goto fail;
	f->end = end;
	return 0;
fail:
	mb_fail(reply_r, errno, what);
	if (ftruncate(fd, z) < 0 || fsync(fd) < 0) {
		char q[600];
		mb->host->log(d->session, "mbox-rollback", "plugin=mbox "
		    "path=%s result=error error=\"%s\"",
		    mb_q(mb, q, sizeof q, f->lock.path), strerror(errno));
	}
	mb_file_mark(f);
	return -1;
}

static int
mbox_exists(void *state, const struct cartero_conf *domain,
    const struct cartero_address *user, struct cartero_reply *reply_r)
{
	char path[MB_PATH_MAX];
	struct stat st;

	if (mb_path(state, domain, user, path, sizeof path) < 0)
		return 0;
	if (lstat(path, &st) == 0) {
		if (S_ISREG(st.st_mode))
			return 1;
		mb_fail(reply_r, EINVAL, "not a regular file");
		return -1;
	}
	if (errno == ENOENT || errno == ENOTDIR)
		return 0;
	mb_fail(reply_r, errno, "stat");
	return -1;
}

/*
 * Takes the locks (or shares them with another recipient of this message
 * in the same file) and appends the copy, durably.  The locks are kept
 * until deliver_end(): a reader that locks sees the copy only once the
 * handler has decided to keep it, and undoing it is an exact truncation.
 */
static int
mbox_prepare(void *state, const struct cartero_delivery *d,
    void **handle_r, struct cartero_reply *reply_r)
{
	struct mbox *mb = state;
	char path[MB_PATH_MAX], q[600];
	struct stat st;

	if (mb_path(mb, d->domain, d->rcpt, path, sizeof path) < 0) {
		reply_r->code = 550;
		reply_r->status = "5.1.1";
		reply_r->text = "No such user here";
		return -1;
	}
	int timeout = mb_timeout(mb, d->domain);
	if (timeout < 0) {
		mb->host->log(d->session, "mbox-config", "plugin=mbox "
		    "error=\"lock_timeout must be 0 to 3600 seconds\"");
		mb_fail(reply_r, EINVAL, "lock_timeout");
		return -1;
	}
	struct mb_handle *h = calloc(1, sizeof *h);
	struct mb_file *f = h ? mb_file_find(mb, path) : NULL;
	if (h == NULL) {
		mb_fail(reply_r, ENOMEM, "malloc");
		return -1;
	}
	if (f == NULL) {
		char dir[MB_PATH_MAX];
		snprintf(dir, sizeof dir, "%s", path);
		*strrchr(dir, '/') = '\0';
		if (dir[0] != '\0' && cartero_mkdir_p(dir) < 0) {
			mb_fail(reply_r, errno, "mkdir");
			free(h);
			return -1;
		}
		if ((f = calloc(1, sizeof *f)) == NULL) {
			mb_fail(reply_r, ENOMEM, "malloc");
			free(h);
			return -1;
		}
		mb_lock_init(&f->lock, path, NULL);
		if (mb_lock_take(mb, &f->lock, timeout, true) < 0) {
			int err = errno;
			if (err == ETIMEDOUT)
				mb_busy(reply_r);
			else
				mb_fail(reply_r, err, f->lock.what);
			mb->host->log(d->session, "mbox-lock", "plugin=mbox "
			    "path=%s op=\"%s\" error=\"%s\"",
			    mb_q(mb, q, sizeof q, path), f->lock.what,
			    strerror(err));
			free(f);
			free(h);
			return -1;
		}
		if (fstat(f->lock.fd, &st) < 0) {
			mb_fail(reply_r, errno, "fstat");
			mb_lock_release(&f->lock);
			free(f);
			free(h);
			return -1;
		}
		f->dev = st.st_dev;
		f->ino = st.st_ino;
		f->end = st.st_size;
		f->next = mb->files;
		mb->files = f;
	}
	if (f->n_segs == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 4;
		struct mb_seg *v = realloc(f->segs, cap * sizeof *v);
		if (v == NULL) {
			mb_fail(reply_r, ENOMEM, "malloc");
			goto fail;
		}
		f->segs = v;
		f->cap = cap;
	}
	off_t start;
	if (mb_append(mb, f, d, &start, reply_r) < 0)
		goto fail;
	f->segs[f->n_segs] = (struct mb_seg){ start, f->end, false };
	h->file = f;
	h->seg = f->n_segs++;
	f->n_live++;
	*handle_r = h;
	return 0;
fail:
	free(h);
	if (f->n_live == 0)
		mb_file_free(mb, f);
	return -1;
}

/* The copy is durable and in place since prepare: nothing to do.  The
 * locks go in deliver_end(), which the handler calls before it answers,
 * so that undoing a copy after a later recipient failed needs no second
 * lock and no guess whether someone appended meanwhile. */
static int
mbox_commit(void *state, void *handle, struct cartero_reply *reply_r)
{
	(void)state;
	(void)handle;
	(void)reply_r;
	return 0;
}

static void
mbox_end(void *state, void *handle, int is_kept)
{
	struct mbox *mb = state;
	struct mb_handle *h = handle;
	struct mb_file *f = h->file;
	char q[600];

	if (!is_kept) {
		f->segs[h->seg].is_dropped = true;
		mb_file_trim(mb, f);
	}
	free(h);
	if (--f->n_live > 0)
		return;
	for (size_t i = 0; i < f->n_segs; i++)
		if (f->segs[i].is_dropped)
			mb->host->log(NULL, "mbox-rollback", "plugin=mbox "
			    "path=%s result=kept start=%lld reason="
			    "\"a later copy was kept\"",
			    mb_q(mb, q, sizeof q, f->lock.path),
			    (long long)f->segs[i].start);
	mb_file_free(mb, f);
}

static const struct cartero_store mbox_store = {
	.maildrop_exists = mbox_exists,
	.deliver_prepare = mbox_prepare,
	.deliver_commit = mbox_commit,
	.deliver_end = mbox_end,
	.maildrop_open = mbox_open,
	.maildrop_count = mbox_count,
	.maildrop_info = mbox_info,
	.maildrop_read = mbox_read,
	.maildrop_delete = mbox_delete,
	.maildrop_seen = NULL,
	.maildrop_commit = mbox_commit_drop,
	.maildrop_close = mbox_close,
};

CARTERO_PLUGIN(
	.name = "mbox",
	.conf_keys = mbox_keys,
	.init = mbox_init,
	.fini = mbox_fini,
	.store = &mbox_store,
);
