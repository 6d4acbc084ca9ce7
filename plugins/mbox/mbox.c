/* ISC license. */
/* The mbox store: mboxrd files under dotlock and fcntl locks, appended all
 * or nothing, listed, read and compacted for POP3. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cartero/cartero.h>

#include "mboxrd.h"

#define MB_PATH_MAX 4096
#define MB_LOCK_TIMEOUT 20	/* seconds; Postfix tries 20 times, 1 s apart */
#define MB_STALE_AGE 300	/* a dotlock without a pid (liblockfile) */
#define MB_TOUCH_AGE 60		/* POP3 refreshes its dotlock this often */
#define MB_NAP_MS 50		/* between two tries of a lock */
#define MB_HEADER_MAX 65536	/* header octets a UIDL is made of */
#define MB_FROM_MAX 1024	/* From_ line octets a UIDL is made of */
#define MB_BUF 65536

struct mbox {
	const struct cartero_host *host;
	int lock_timeout;	/* [plugin mbox] lock_timeout */
	struct mb_file *files;	/* mboxes locked by deliveries under way */
};

/*
 * A held lock on one mbox: first the dotlock PATH.lock, then an fcntl
 * write lock on the whole file (the order of procmail, mutt and Dovecot).
 * The dotlock holds our pid, then a line of our own: "cartero pop3" for a
 * POP3 session, or "cartero append START END" while a delivery appends
 * octets START to END, so that whoever breaks it after a crash knows what
 * to cut (mb_recover).
 */
struct mb_lock {
	char path[MB_PATH_MAX];
	char dotlock[MB_PATH_MAX + 8];
	const char *tag;	/* "pop3", or NULL for a delivery */
	int fd;			/* the mbox, fcntl-locked; -1 */
	int lock_fd;		/* our dotlock's inode; -1 when not held */
	dev_t lock_dev;
	ino_t lock_ino;
	time_t touched;
	bool is_broken;		/* we removed a stale dotlock */
	off_t stale_start;	/* its append marker, or -1 */
	off_t stale_end;
	const char *what;	/* the step that failed */
};

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
static int mb_component(char *dst, size_t n, const char *src);
static int mb_path(struct mbox *mb, const struct cartero_conf *domain,
    const struct cartero_address *a, char *out, size_t n);
static int mb_timeout(struct mbox *mb, const struct cartero_conf *domain);
static void mb_fail(struct cartero_reply *r, int err, const char *what);
static void mb_busy(struct cartero_reply *r);
static const char *mb_q(struct mbox *mb, char *buf, size_t n,
    const char *s);
static int fsync_dir(const char *path);
static int fsync_parent(const char *path);
static int mkdir_p(char *dir);
static long long mb_ms(void);
static void mb_nap(long long deadline);
static int mb_pread_all(int fd, char *buf, size_t n, off_t off);
static int mb_pwrite_all(int fd, const char *buf, size_t n, off_t off);
static void mb_lock_init(struct mb_lock *l, const char *path,
    const char *tag);
static int mb_lock_text(const struct mb_lock *l, char *buf, size_t n,
    off_t start, off_t end);
static int mb_dotlock_try(struct mb_lock *l);
static int mb_dotlock_stale(struct mbox *mb, struct mb_lock *l);
static int mb_dotlock_take(struct mbox *mb, struct mb_lock *l,
    long long deadline);
static void mb_dotlock_mark(struct mb_lock *l, off_t start, off_t end);
static void mb_dotlock_touch(struct mb_lock *l);
static bool mb_dotlock_is_ours(const struct mb_lock *l);
static void mb_dotlock_release(struct mb_lock *l);
static int mb_lock_take(struct mbox *mb, struct mb_lock *l, int timeout,
    bool is_create);
static void mb_lock_release(struct mb_lock *l);
static off_t mb_find_from(int fd, off_t from, off_t to);
static void mb_recover(struct mbox *mb, struct mb_lock *l);
static int mb_temp_path(const struct mb_lock *l, char *out, size_t n);
static struct mb_file *mb_file_find(struct mbox *mb, const char *path);
static void mb_file_free(struct mbox *mb, struct mb_file *f);
static void mb_file_mark(struct mb_file *f);
static void mb_file_trim(struct mbox *mb, struct mb_file *f);
static int mb_sink_write(void *ctx, const char *p, size_t n);
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

/* A local part or domain usable as one path component: no "/", no
 * leading ".", no "..", only atext (and UTF-8) octets; lower-cased.  The
 * same rule as the maildir store's. */
static int
mb_component(char *dst, size_t n, const char *src)
{
	size_t i;

	if (*src == '\0' || *src == '.')
		return -1;
	for (i = 0; src[i]; i++) {
		unsigned char c = (unsigned char)src[i];
		if (i + 1 >= n)
			return -1;
		if (c >= 'A' && c <= 'Z')
			c |= 0x20;
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c >= 0x80 || strchr("!#$%&'*+-=?^_`{|}~.", c)))
			return -1;
		if (c == '.' && src[i + 1] == '.')
			return -1;
		dst[i] = (char)c;
	}
	dst[i] = '\0';
	return 0;
}

/* Expands the [domain] path template: %d domain, %u local part, %%. */
static int
mb_path(struct mbox *mb, const struct cartero_conf *domain,
    const struct cartero_address *a, char *out, size_t n)
{
	const char *tpl = mb->host->conf_path(domain, "path");
	char local[256], dom[256];
	size_t o = 0;

	if (tpl == NULL || mb_component(local, sizeof local, a->local) < 0 ||
	    mb_component(dom, sizeof dom, a->domain) < 0)
		return -1;
	for (const char *p = tpl; *p; p++) {
		const char *ins = NULL;
		char one[2] = { *p, '\0' };
		if (*p == '%' && p[1] == 'u')
			ins = local;
		else if (*p == '%' && p[1] == 'd')
			ins = dom;
		else if (*p == '%' && p[1] == '%')
			ins = "%";
		if (ins != NULL)
			p++;
		else
			ins = one;
		size_t k = strlen(ins);
		if (o + k >= n)
			return -1;
		memcpy(out + o, ins, k);
		o += k;
	}
	out[o] = '\0';
	/* The dotlock and the compaction file go beside it. */
	if (o == 0 || out[o - 1] == '/' || out[0] != '/' || o + 64 >= n)
		return -1;
	return 0;
}

/* The domain's lock_timeout, else the plugin's; -1 when malformed. */
static int
mb_timeout(struct mbox *mb, const struct cartero_conf *domain)
{
	int t = mb->lock_timeout;

	if (mb_seconds(mb->host->conf_get(domain, "lock_timeout"), &t) < 0)
		return -1;
	return t;
}

static void
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

static const char *
mb_q(struct mbox *mb, char *buf, size_t n, const char *s)
{
	return mb->host->log_quote(buf, n, s);
}

static int
fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	int r = fsync(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return r;
}

static int
fsync_parent(const char *path)
{
	char dir[MB_PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return fsync_dir(".");
	snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 :
	    (int)(slash - path), path);
	return fsync_dir(dir);
}

/* Creates dir (and its parents) with mode 0700, syncing each parent. */
static int
mkdir_p(char *dir)
{
	struct stat st;

	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : (errno = ENOTDIR, -1);
	char *slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		int r = mkdir_p(dir);
		*slash = '/';
		if (r < 0)
			return -1;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		int r = fsync_dir(dir);
		*slash = '/';
		return r;
	}
	return 0;
}

static long long
mb_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps a little, never past deadline; no alarm, no signal handler. */
static void
mb_nap(long long deadline)
{
	long long left = deadline - mb_ms();

	if (left <= 0)
		return;
	if (left > MB_NAP_MS)
		left = MB_NAP_MS;
	struct timespec ts = { 0, (long)left * 1000000L };
	nanosleep(&ts, NULL);
}

static int
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

static int
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

static void
mb_lock_init(struct mb_lock *l, const char *path, const char *tag)
{
	memset(l, 0, sizeof *l);
	snprintf(l->path, sizeof l->path, "%s", path);
	snprintf(l->dotlock, sizeof l->dotlock, "%s.lock", path);
	l->tag = tag;
	l->fd = l->lock_fd = -1;
	l->stale_start = l->stale_end = -1;
}

/* "PID\n" first, as liblockfile and dotlockfile -p read it. */
static int
mb_lock_text(const struct mb_lock *l, char *buf, size_t n, off_t start,
    off_t end)
{
	if (start >= 0)
		return snprintf(buf, n, "%ld\ncartero append %lld %lld\n",
		    (long)getpid(), (long long)start, (long long)end);
	if (l->tag != NULL)
		return snprintf(buf, n, "%ld\ncartero %s\n", (long)getpid(),
		    l->tag);
	return snprintf(buf, n, "%ld\n", (long)getpid());
}

/*
 * One try at the dotlock, the NFS-safe way of liblockfile and procmail: a
 * file of a unique name holding our pid is linked to NAME.lock, and the
 * lock is ours when both names are one inode, whatever link() answered (a
 * lost NFS reply makes it fail after it worked).  1: ours; 0: someone
 * else's; -1: error.
 */
static int
mb_dotlock_try(struct mb_lock *l)
{
	char tmp[MB_PATH_MAX + 64], text[96];
	unsigned char rnd[4];
	struct stat st, lst;
	const char *slash = strrchr(l->path, '/');
	int dirlen = (int)(slash - l->path);

	if (getentropy(rnd, sizeof rnd) < 0)
		memset(rnd, 0, sizeof rnd);
	snprintf(tmp, sizeof tmp, "%.*s/.lk%ld.%02x%02x%02x%02x.cartero",
	    dirlen > 0 ? dirlen : 1, l->path, (long)getpid(), rnd[0], rnd[1],
	    rnd[2], rnd[3]);
	int fd = open(tmp, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd < 0)
		return -1;
	int n = mb_lock_text(l, text, sizeof text, -1, -1);
	if (mb_pwrite_all(fd, text, (size_t)n, 0) < 0) {
		int err = errno;
		close(fd);
		unlink(tmp);
		errno = err;
		return -1;
	}
	int link_err = link(tmp, l->dotlock) < 0 ? errno : 0;
	bool is_ours = fstat(fd, &st) == 0 && lstat(l->dotlock, &lst) == 0 &&
	    st.st_dev == lst.st_dev && st.st_ino == lst.st_ino;
	unlink(tmp);
	if (is_ours) {
		l->lock_fd = fd;
		l->lock_dev = st.st_dev;
		l->lock_ino = st.st_ino;
		l->touched = time(NULL);
		return 1;
	}
	close(fd);
	if (link_err == 0 || link_err == EEXIST)
		return 0;
	errno = link_err;
	return -1;
}

/*
 * Someone else's dotlock, by liblockfile's rule: with a pid in it, it is
 * valid while that process lives; without one, for 5 minutes after its
 * last change.  Our own pid there is a dead process's (a lock we hold is
 * found in mb->files first).  1: it was stale and is gone (its append
 * marker, if any, noted in l): try again now; 0: valid; -1: valid and a
 * cartero POP3 session's.
 */
static int
mb_dotlock_stale(struct mbox *mb, struct mb_lock *l)
{
	char text[128], q[600];
	struct stat st, st2;
	long long start, end;

	int fd = open(l->dotlock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 1 : 0;
	ssize_t n = fstat(fd, &st) == 0 ? read(fd, text, sizeof text - 1) : -1;
	close(fd);
	if (n < 0)
		return 0;
	text[n] = '\0';
	char *p = text;
	while (*p == ' ' || *p == '\t')
		p++;
	long pid = strtol(p, NULL, 10);
	bool is_stale;
	if (pid > 0 && pid <= INT_MAX && pid == (long)getpid())
		is_stale = true;
	else if (pid > 0 && pid <= INT_MAX)
		is_stale = kill((pid_t)pid, 0) < 0 && errno == ESRCH;
	else
		is_stale = time(NULL) >= st.st_mtime + MB_STALE_AGE;
	if (!is_stale)
		return strstr(text, "\ncartero pop3\n") != NULL ? -1 : 0;
	/* Remove only the file judged: another process may have broken it
	 * and made its own since. */
	if (lstat(l->dotlock, &st2) < 0)
		return errno == ENOENT ? 1 : 0;
	if (st2.st_dev != st.st_dev || st2.st_ino != st.st_ino)
		return 1;
	if (unlink(l->dotlock) < 0 && errno != ENOENT)
		return 0;
	l->is_broken = true;
	const char *m = strstr(text, "\ncartero append ");
	if (m != NULL && sscanf(m, "\ncartero append %lld %lld", &start,
	    &end) == 2 && start >= 0 && end > start) {
		l->stale_start = (off_t)start;
		l->stale_end = (off_t)end;
	}
	mb->host->log(NULL, "mbox-stale-lock", "plugin=mbox path=%s pid=%ld",
	    mb_q(mb, q, sizeof q, l->dotlock), pid);
	return 1;
}

/* The dotlock by deadline: 0, or -1 with errno (ETIMEDOUT; EWOULDBLOCK
 * when a POP3 opener finds another POP3 session's for a second: the
 * session that just answered QUIT may not have unlocked yet). */
static int
mb_dotlock_take(struct mbox *mb, struct mb_lock *l, long long deadline)
{
	long long in_use = mb_ms() + 1000;
	int breaks = 0;

	for (;;) {
		int r = mb_dotlock_try(l);
		if (r > 0)
			return 0;
		if (r < 0) {
			l->what = "dotlock";
			return -1;
		}
		r = mb_dotlock_stale(mb, l);
		if (r > 0 && ++breaks < 8)
			continue;
		if (r < 0 && l->tag != NULL && mb_ms() >= in_use) {
			errno = EWOULDBLOCK;
			l->what = "dotlock";
			return -1;
		}
		if (mb_ms() >= deadline) {
			errno = ETIMEDOUT;
			l->what = "dotlock";
			return -1;
		}
		mb_nap(deadline);
	}
}

/* Notes in our dotlock the octets being appended (mb_recover reads it). */
static void
mb_dotlock_mark(struct mb_lock *l, off_t start, off_t end)
{
	char text[128];

	if (l->lock_fd < 0)
		return;
	int n = mb_lock_text(l, text, sizeof text, start, end);
	if (mb_pwrite_all(l->lock_fd, text, (size_t)n, 0) == 0)
		(void)ftruncate(l->lock_fd, n);
}

/* procmail breaks a dotlock that has not changed for 17 minutes, whatever
 * pid it holds: a long POP3 session keeps its own fresh. */
static void
mb_dotlock_touch(struct mb_lock *l)
{
	time_t now = time(NULL);

	if (l->lock_fd < 0 || now - l->touched < MB_TOUCH_AGE)
		return;
	if (futimens(l->lock_fd, NULL) == 0)
		l->touched = now;
}

static bool
mb_dotlock_is_ours(const struct mb_lock *l)
{
	struct stat st;

	return l->lock_fd >= 0 && lstat(l->dotlock, &st) == 0 &&
	    st.st_dev == l->lock_dev && st.st_ino == l->lock_ino;
}

static void
mb_dotlock_release(struct mb_lock *l)
{
	if (l->lock_fd < 0)
		return;
	if (mb_dotlock_is_ours(l))
		unlink(l->dotlock);
	close(l->lock_fd);
	l->lock_fd = -1;
}

/*
 * Takes both locks on l->path within timeout seconds, opening (with
 * is_create, creating, mode 0600) the mbox in l->fd.  The file is opened
 * after the dotlock and checked after the fcntl lock to be the one at the
 * path still: a POP3 compaction renames a new file over it.  0, or -1 with
 * errno and l->what (ETIMEDOUT: busy; EWOULDBLOCK: a POP3 session holds
 * it; ENOENT: no mbox and not is_create); nothing is held then.
 */
static int
mb_lock_take(struct mbox *mb, struct mb_lock *l, int timeout, bool is_create)
{
	long long deadline = mb_ms() + timeout * 1000LL;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct stat st, st2;
	int err;

	if (mb_dotlock_take(mb, l, deadline) < 0)
		return -1;
	for (;;) {
		int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
		bool is_created = false;
		int fd = -1;
		l->what = "open";
		if (is_create) {
			fd = open(l->path, flags | O_CREAT | O_EXCL, 0600);
			is_created = fd >= 0;
		}
		if (fd < 0 && (!is_create || errno == EEXIST))
			fd = open(l->path, flags);
		if (fd < 0)
			goto fail;
		if (is_created && fsync_parent(l->path) < 0) {
			l->what = "fsync";
			goto fail_fd;
		}
		if (fstat(fd, &st) < 0)
			goto fail_fd;
		if (!S_ISREG(st.st_mode)) {
			l->what = "open (not a regular file)";
			errno = EINVAL;
			goto fail_fd;
		}
		l->what = "fcntl lock";
		while (fcntl(fd, F_SETLK, &fl) < 0) {
			if (errno != EAGAIN && errno != EACCES && errno != EINTR)
				goto fail_fd;
			if (mb_ms() >= deadline) {
				errno = ETIMEDOUT;
				goto fail_fd;
			}
			mb_nap(deadline);
		}
		if (stat(l->path, &st2) == 0 && st2.st_dev == st.st_dev &&
		    st2.st_ino == st.st_ino) {
			l->fd = fd;
			break;
		}
		/* Replaced or removed while we waited: again, same lock. */
		close(fd);
		if (mb_ms() >= deadline) {
			errno = ETIMEDOUT;
			goto fail;
		}
		continue;
fail_fd:
		err = errno;
		close(fd);
		errno = err;
		goto fail;
	}
	mb_recover(mb, l);
	if (l->is_broken) {
		/* A compaction that died leaves its file; only a lock holder
		 * writes it, so now it is garbage. */
		char tmp[MB_PATH_MAX + 32];
		if (mb_temp_path(l, tmp, sizeof tmp) == 0)
			unlink(tmp);
	}
	return 0;
fail:
	err = errno;
	mb_dotlock_release(l);
	errno = err;
	return -1;
}

static void
mb_lock_release(struct mb_lock *l)
{
	mb_dotlock_release(l);
	if (l->fd >= 0)
		close(l->fd);	/* drops the fcntl lock */
	l->fd = -1;
}

/* The offset of the first "\nFrom " in [from, to) plus one (a From_ line
 * of someone else), -1 when none, -2 on a read error. */
static off_t
mb_find_from(int fd, off_t from, off_t to)
{
	char buf[MB_BUF + 8];
	size_t carry = 0;
	off_t off = from;

	while (off < to) {
		size_t n = to - off < MB_BUF ? (size_t)(to - off) : MB_BUF;
		if (mb_pread_all(fd, buf + carry, n, off) < 0)
			return -2;
		n += carry;
		for (size_t i = 0; i + 6 <= n; i++)
			if (buf[i] == '\n' && memcmp(buf + i + 1, "From ", 5) == 0)
				return off - (off_t)carry + (off_t)i + 1;
		off += (off_t)(n - carry);
		carry = n < 5 ? n : 5;
		memmove(buf, buf + n - carry, carry);
	}
	return -1;
}

/*
 * After breaking a stale dotlock that said "cartero append START END": the
 * delivery that held it died (no 250 was sent).  If the file now ends
 * inside [START, END), cut the partial message: it is ours when it starts
 * with what we write there and holds no other From_ line.  A file of END
 * octets or more keeps everything: a complete copy, perhaps acknowledged
 * if the lock's removal was lost in a power cut, is duplicated, never
 * lost.
 */
static void
mb_recover(struct mbox *mb, struct mb_lock *l)
{
	char head[8], q[600];
	struct stat st;
	off_t start = l->stale_start, end = l->stale_end;

	if (start < 0 || fstat(l->fd, &st) < 0 || st.st_size <= start ||
	    st.st_size >= end)
		return;
	off_t z = st.st_size;
	size_t n = z - start < 7 ? (size_t)(z - start) : 7;
	if (mb_pread_all(l->fd, head, n, start) < 0)
		return;
	size_t k = 0;
	while (k < n && k < 2 && head[k] == '\n')
		k++;
	bool is_ours = memcmp(head + k, "From ", n - k < 5 ? n - k : 5) == 0;
	off_t other = is_ours ? mb_find_from(l->fd, start + (off_t)k, z) : -1;
	if (!is_ours || other != -1) {
		mb->host->log(NULL, "mbox-recover", "plugin=mbox path=%s "
		    "result=kept start=%lld size=%lld reason=%s",
		    mb_q(mb, q, sizeof q, l->path), (long long)start,
		    (long long)z, other == -2 ? "read-error" : "foreign-data");
		return;
	}
	if (ftruncate(l->fd, start) < 0 || fsync(l->fd) < 0) {
		mb->host->log(NULL, "mbox-recover", "plugin=mbox path=%s "
		    "result=error error=\"%s\"", mb_q(mb, q, sizeof q,
		    l->path), strerror(errno));
		return;
	}
	mb->host->log(NULL, "mbox-recover", "plugin=mbox path=%s "
	    "result=truncated size=%lld octets=%lld",
	    mb_q(mb, q, sizeof q, l->path), (long long)start,
	    (long long)(z - start));
}

/* DIR/.BASE.cartero-tmp: where a POP3 compaction writes the new mbox. */
static int
mb_temp_path(const struct mb_lock *l, char *out, size_t n)
{
	const char *slash = strrchr(l->path, '/');
	int k = snprintf(out, n, "%.*s/.%s.cartero-tmp",
	    (int)(slash - l->path), l->path, slash + 1);

	return k < 0 || (size_t)k >= n ? -1 : 0;
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

struct mb_writer {
	int fd;
	off_t off;
};

static int
mb_sink_write(void *ctx, const char *p, size_t n)
{
	struct mb_writer *w = ctx;

	if (mb_pwrite_all(w->fd, p, n, w->off) < 0)
		return -1;
	w->off += (off_t)n;
	return 0;
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
		if (dir[0] != '\0' && mkdir_p(dir) < 0) {
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

static int
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

static size_t
mbox_count(void *maildrop)
{
	return ((struct mb_drop *)maildrop)->n;
}

static int
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
static int
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

static int
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
		if (mb_dotlock_take(d->mb, l, mb_ms() + d->timeout * 1000LL) < 0)
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
	if (fsync_parent(l->path) < 0)
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

static int
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

static void
mbox_close(void *maildrop)
{
	mb_drop_free(maildrop);
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
