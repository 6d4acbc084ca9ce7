/* ISC license. */
/* The mbox store's locks: dotlock and fcntl, bounded waits, and the cut of
 * a partial message a dead delivery left. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mbox.h"

#define MB_STALE_AGE 300	/* a dotlock without a pid (liblockfile) */
#define MB_TOUCH_AGE 60		/* seconds between POP3 touches of it */
#define MB_NAP_MS 50		/* between two tries of a lock */

static void mb_nap(long long deadline);
static int mb_lock_text(const struct mb_lock *l, char *buf, size_t n,
    off_t start, off_t end);
static int mb_dotlock_try(struct mb_lock *l);
static int mb_dotlock_stale(struct mbox *mb, struct mb_lock *l);
static void mb_dotlock_release(struct mb_lock *l);
static off_t mb_find_from(int fd, off_t from, off_t to);
static void mb_recover(struct mbox *mb, struct mb_lock *l);

long long
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

void
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
int
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
void
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
void
mb_dotlock_touch(struct mb_lock *l)
{
	time_t now = time(NULL);

	if (l->lock_fd < 0 || now - l->touched < MB_TOUCH_AGE)
		return;
	if (futimens(l->lock_fd, NULL) == 0)
		l->touched = now;
}

bool
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
int
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
		if (is_created && mb_fsync_parent(l->path) < 0) {
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
			if (errno != EAGAIN && errno != EACCES &&
			    errno != EINTR)
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

void
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
			if (buf[i] == '\n' &&
			    memcmp(buf + i + 1, "From ", 5) == 0)
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
int
mb_temp_path(const struct mb_lock *l, char *out, size_t n)
{
	const char *slash = strrchr(l->path, '/');
	int k = snprintf(out, n, "%.*s/.%s.cartero-tmp",
	    (int)(slash - l->path), l->path, slash + 1);

	return k < 0 || (size_t)k >= n ? -1 : 0;
}
