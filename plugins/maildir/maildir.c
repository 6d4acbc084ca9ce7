/* ISC license. */
/* The maildir store: delivery by the Maildir rules, all or nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cartero/cartero.h>
#include <cartero/path.h>

#define MD_PATH_MAX 4096

struct maildir {
	const struct cartero_host *host;
	char hostname[256];	/* with "/" and ":" escaped (maildir.5) */
	unsigned long deliveries;
};

/* A delivery in progress: the file in tmp/ and, once linked, in new/. */
struct md_handle {
	char dir[MD_PATH_MAX];
	char tmp[MD_PATH_MAX];
	char new[MD_PATH_MAX];
	int spool_fd;		/* >= 0: the spool, linked into new/ at commit */
	off_t size;
	int is_committed;
};

static const char *const maildir_keys[] = { "path", NULL };

static int
maildir_init(const struct cartero_host *host,
    const struct cartero_conf *section, void **state_r, const char **error_r)
{
	struct maildir *md = calloc(1, sizeof *md);
	char raw[128];

	(void)section;
	if (md == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	md->host = host;
	if (gethostname(raw, sizeof raw - 1) < 0 || raw[0] == '\0')
		strcpy(raw, "localhost");
	raw[sizeof raw - 1] = '\0';
	size_t o = 0;
	for (const char *p = raw; *p && o + 5 < sizeof md->hostname; p++) {
		if (*p == '/' || *p == ':') {
			o += (size_t)snprintf(md->hostname + o,
			    sizeof md->hostname - o, "\\%03o",
			    (unsigned char)*p);
		} else
			md->hostname[o++] = *p;
	}
	md->hostname[o] = '\0';
	*state_r = md;
	return 0;
}

static void
maildir_fini(void *state)
{
	free(state);
}

/* The maildrop of address a under [domain] path (cartero/path.h). */
static int
maildir_path(struct maildir *md, const struct cartero_conf *domain,
    const struct cartero_address *a, char *out, size_t n)
{
	return cartero_path_expand(md->host->conf_path(domain, "path"), a,
	    out, n);
}

static void
maildir_fail(struct cartero_reply *r, int err, const char *what)
{
	static char text[300];

	r->code = 451;
	r->status = "4.3.0";
	if (err == ENOSPC) {
		r->code = 452;
		r->status = "4.3.1";
	} else if (err == EDQUOT) {
		r->code = 452;
		r->status = "4.2.2";
	}
	snprintf(text, sizeof text, "Mailbox delivery failed (%s: %s)", what,
	    strerror(err));
	r->text = text;
}

static int
maildir_exists(void *state, const struct cartero_conf *domain,
    const struct cartero_address *user, struct cartero_reply *reply_r)
{
	char path[MD_PATH_MAX];
	struct stat st;

	if (maildir_path(state, domain, user, path, sizeof path) < 0)
		return 0;
	if (stat(path, &st) == 0)
		return S_ISDIR(st.st_mode) ? 1 : 0;
	if (errno == ENOENT || errno == ENOTDIR)
		return 0;
	maildir_fail(reply_r, errno, "stat");
	return -1;
}

/* The maildrop and its tmp/ new/ cur/, made on first delivery. */
static int
maildir_make(char *dir)
{
	static const char *const subs[] = { "tmp", "new", "cur" };
	char sub[MD_PATH_MAX + 8];
	bool made = false;

	for (int i = 0; i < 3; i++) {
		snprintf(sub, sizeof sub, "%s/%s", dir, subs[i]);
		if (access(sub, F_OK) == 0)
			continue;
		if (cartero_mkdir_p(sub) < 0)
			return -1;
		made = true;
	}
	return made ? cartero_fsync_dir(dir) : 0;
}

/* Copies the spool into fd: the kernel copies when it can. */
static int
maildir_copy(int from, off_t size, int to)
{
	off_t off = 0;
	char buf[65536];

	while (off < size) {
		ssize_t n = copy_file_range(from, &off, to, NULL,
		    (size_t)(size - off), 0);
		if (n > 0)
			continue;
		if (n == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
		    errno != EOPNOTSUPP)
			return -1;
		/* Fall back to read and write. */
		while (off < size) {
			ssize_t r = pread(from, buf, sizeof buf, off);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return r == 0 ? (errno = EIO, -1) : -1;
			for (ssize_t done = 0; done < r;) {
				ssize_t w = write(to, buf + done,
				    (size_t)(r - done));
				if (w < 0 && errno == EINTR)
					continue;
				if (w < 0)
					return -1;
				done += w;
			}
			off += r;
		}
	}
	if (off != size) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/*
 * The host's spool is an unnamed file (O_TMPFILE) holding exactly the
 * message.  When it is on the maildrop's file system it needs no tmp/
 * name at all: prepare fsyncs it (durable, and invisible since it has no
 * name; a crash frees it), commit links it straight into new/ through
 * /proc/self/fd, and a second recipient gets a second hard link, as
 * Dovecot's LDA does.  No octet is copied, and tmp/ is not touched.
 * Otherwise tmp/NAME is a copy, as the Maildir rules describe.
 */
/*
 * 1: link the spool; 0: copy it; -1 with errno: the maildrop could not
 * be made.  Linkable means: an O_TMPFILE (F_GETFL says so; a spool made
 * with mkostemp() and unlinked cannot be linked again) of the message's
 * size, on the maildrop's mount (statx's mount id, else the device), with
 * /proc mounted.  Decided here so that commit rarely falls back to a copy.
 */
static int
maildir_can_link(int from, off_t size, char *dir)
{
	static int has_proc = -1;
	struct statx sp, st;
	int fl = fcntl(from, F_GETFL);

	if (has_proc < 0)
		has_proc = access("/proc/self/fd", F_OK) == 0;
	if (!has_proc || fl < 0 || (fl & O_TMPFILE) != O_TMPFILE ||
	    statx(from, "", AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE |
	    STATX_MNT_ID, &sp) < 0 || !S_ISREG(sp.stx_mode) ||
	    (off_t)sp.stx_size != size)
		return 0;
	if (statx(AT_FDCWD, dir, 0, STATX_TYPE | STATX_MNT_ID, &st) < 0) {
		/* a maildrop made by its first delivery */
		if (errno != ENOENT)
			return 0;
		if (maildir_make(dir) < 0)
			return -1;
		if (statx(AT_FDCWD, dir, 0, STATX_TYPE | STATX_MNT_ID, &st) < 0)
			return 0;
	}
	if ((sp.stx_mask & st.stx_mask & STATX_MNT_ID) != 0)
		return sp.stx_mnt_id == st.stx_mnt_id;
	return sp.stx_dev_major == st.stx_dev_major &&
	    sp.stx_dev_minor == st.stx_dev_minor;
}

/* tmp/NAME: created O_EXCL, the spool copied in, fsynced and closed,
 * each checked; unlinked again on failure.  -1 with errno and *op_r. */
static int
maildir_write_tmp(struct md_handle *h, int from, off_t size,
    const char **op_r)
{
	int fd = open(h->tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);

	if (fd < 0 && errno == ENOENT) {
		/* tmp/ new/ cur/ are made on first delivery */
		if (maildir_make(h->dir) < 0) {
			*op_r = "mkdir";
			return -1;
		}
		fd = open(h->tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
		    0600);
	}
	if (fd < 0) {
		*op_r = "open";
		return -1;
	}
	*op_r = "write";
	if (maildir_copy(from, size, fd) < 0 ||
	    (*op_r = "fsync", fsync(fd) < 0)) {
		int err = errno;
		close(fd);
		unlink(h->tmp);
		errno = err;
		return -1;
	}
	if (close(fd) < 0) {
		int err = errno;
		*op_r = "close";
		unlink(h->tmp);
		errno = err;
		return -1;
	}
	return 0;
}

/* The spool made durable where it will be linked from, or a copy in
 * tmp/; either way nothing a reader sees. */
static int
maildir_prepare(void *state, const struct cartero_delivery *d,
    void **handle_r, struct cartero_reply *reply_r)
{
	struct maildir *md = state;
	struct md_handle *h = calloc(1, sizeof *h);
	struct timeval tv;
	unsigned char rnd[4];
	const char *op;

	if (h == NULL) {
		maildir_fail(reply_r, ENOMEM, "malloc");
		return -1;
	}
	h->spool_fd = -1;
	h->size = d->size;
	if (maildir_path(md, d->domain, d->rcpt, h->dir, sizeof h->dir) < 0) {
		free(h);
		reply_r->code = 550;
		reply_r->status = "5.1.1";
		reply_r->text = "No such user here";
		return -1;
	}
	gettimeofday(&tv, NULL);
	if (getentropy(rnd, sizeof rnd) < 0)
		memset(rnd, 0, sizeof rnd);
	/* time.M<usec>P<pid>Q<n>R<random>.host,S=<size>,W=<size> */
	char unique[512];
	snprintf(unique, sizeof unique,
	    "%lld.M%06ldP%ldQ%luR%02x%02x%02x%02x.%s,S=%lld,W=%lld",
	    (long long)tv.tv_sec, (long)tv.tv_usec, (long)getpid(),
	    ++md->deliveries, rnd[0], rnd[1], rnd[2], rnd[3], md->hostname,
	    (long long)d->size, (long long)d->size);
	if ((size_t)snprintf(h->tmp, sizeof h->tmp, "%s/tmp/%s", h->dir,
	    unique) >= sizeof h->tmp ||
	    (size_t)snprintf(h->new, sizeof h->new, "%s/new/%s", h->dir,
	    unique) >= sizeof h->new) {
		maildir_fail(reply_r, ENAMETOOLONG, "path");
		free(h);
		return -1;
	}
	int can = maildir_can_link(d->fd, d->size, h->dir);
	if (can < 0) {
		maildir_fail(reply_r, errno, "mkdir");
		free(h);
		return -1;
	}
	if (can > 0) {
		if (fsync(d->fd) < 0) {
			maildir_fail(reply_r, errno, "fsync");
			free(h);
			return -1;
		}
		h->spool_fd = d->fd;
		*handle_r = h;
		return 0;
	}
	if (maildir_write_tmp(h, d->fd, d->size, &op) < 0) {
		maildir_fail(reply_r, errno, op);
		free(h);
		return -1;
	}
	*handle_r = h;
	return 0;
}

/* Links the fsynced spool into new/; 1 when it cannot be linked (no
 * /proc, another mount of the same file system, a spool that had a
 * name), 0 or -1 with errno. */
static int
maildir_link_spool(struct md_handle *h)
{
	char proc[48];

	snprintf(proc, sizeof proc, "/proc/self/fd/%d", h->spool_fd);
	for (int tries = 0; tries < 2; tries++) {
		if (linkat(AT_FDCWD, proc, AT_FDCWD, h->new,
		    AT_SYMLINK_FOLLOW) == 0)
			return 0;
		if (errno != ENOENT)
			return errno == EXDEV || errno == EPERM ||
			    errno == EACCES || errno == EINVAL ||
			    errno == ELOOP || errno == ENOTDIR ? 1 : -1;
		/* new/ missing (made now), or the spool cannot be named */
		struct stat st;
		char newdir[MD_PATH_MAX + 8];
		snprintf(newdir, sizeof newdir, "%s/new", h->dir);
		if (stat(newdir, &st) == 0)
			return 1;
		if (maildir_make(h->dir) < 0)
			return -1;
	}
	return 1;
}

/* Makes the copy visible: link() into new/ (never rename: it could
 * replace a file), then fsync new/ so the entry is durable. */
static int
maildir_commit(void *state, void *handle, struct cartero_reply *reply_r)
{
	struct md_handle *h = handle;
	char newdir[MD_PATH_MAX + 8];
	const char *op = "link";
	int r = 1;

	(void)state;
	if (h->spool_fd >= 0 && (r = maildir_link_spool(h)) > 0) {
		/* cannot be linked after all: the copy, now */
		if (maildir_write_tmp(h, h->spool_fd, h->size, &op) < 0) {
			maildir_fail(reply_r, errno, op);
			return -1;
		}
		h->spool_fd = -1;
	}
	if (h->spool_fd < 0) {
		r = link(h->tmp, h->new);
		if (r < 0 && errno == ENOENT && access(h->tmp, F_OK) == 0) {
			/* new/ went missing after tmp/ was made */
			if (maildir_make(h->dir) < 0) {
				maildir_fail(reply_r, errno, "mkdir");
				return -1;
			}
			r = link(h->tmp, h->new);
		}
	}
	if (r < 0) {
		maildir_fail(reply_r, errno, "link");
		return -1;
	}
	h->is_committed = 1;
	if (h->spool_fd < 0)
		unlink(h->tmp);
	snprintf(newdir, sizeof newdir, "%s/new", h->dir);
	if (cartero_fsync_dir(newdir) < 0) {
		maildir_fail(reply_r, errno, "fsync new/");
		return -1;
	}
	return 0;
}

static void
maildir_end(void *state, void *handle, int is_kept)
{
	struct md_handle *h = handle;

	(void)state;
	if (!is_kept) {
		if (h->is_committed) {
			char newdir[MD_PATH_MAX + 8];
			unlink(h->new);
			snprintf(newdir, sizeof newdir, "%s/new", h->dir);
			cartero_fsync_dir(newdir);
		} else if (h->spool_fd < 0)
			unlink(h->tmp);
	}
	free(h);
}

/*
 * POP3 over a Maildir.  A maildrop is a snapshot of new/ and cur/ taken at
 * open under an flock on .cartero-pop3.lock (RFC 1939 4: -ERR [IN-USE]
 * for a second session).  The UIDL is the unique part of the name, before
 * the first ',' or ':', so it survives the move to cur/ and flag changes.
 */
struct md_msg {
	char *name;		/* "new/BASE" or "cur/BASE:2,FLAGS" */
	char uid[71];
	off_t size;		/* with CRLF line ends */
	bool is_deleted, is_seen;
};

struct md_drop {
	char dir[MD_PATH_MAX];
	int lock_fd;
	int read_fd;
	struct md_msg *v;
	size_t n, cap;
	char *list;		/* .cartero-list's text; names point into it */
	size_t list_len;
};

/* Names from .cartero-list live in d->list; the others were malloc'd. */
static void
md_name_free(struct md_drop *d, char *name)
{
	if (d->list == NULL || name < d->list || name >= d->list + d->list_len)
		free(name);
}

/* FNV-1a, for names too long or odd to be a UIDL themselves. */
static unsigned long long
md_hash(const char *s, size_t n)
{
	unsigned long long h = 14695981039346656037ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static void
md_uid(struct md_msg *m, const char *base)
{
	size_t n = strcspn(base, ",:");
	bool ok = n > 0 && n <= 70;

	for (size_t i = 0; ok && i < n; i++)
		if (base[i] < 0x21 || base[i] > 0x7e)
			ok = false;
	if (ok) {
		memcpy(m->uid, base, n);
		m->uid[n] = '\0';
	} else
		snprintf(m->uid, sizeof m->uid, "h%016llx", md_hash(base, n));
}

/* ",W=" (CRLF size, Dovecot's vsize) from the name, else a count. */
/*
 * Sizes of messages whose names carry no ",W=" (delivered by something
 * else) are counted once and kept in .cartero-sizes ("BASE SIZE" lines),
 * rewritten under the POP3 lock, so LIST never reads a body twice.
 */
struct md_sized {
	const char *base;
	off_t size;
};

struct md_cache {
	char *text;		/* the file, cut into lines */
	struct md_sized *v;	/* sorted by base name */
	size_t n;
	bool is_dirty;		/* a size was counted this time */
};

static int
md_cache_cmp(const void *a, const void *b)
{
	return strcmp(((const struct md_sized *)a)->base,
	    ((const struct md_sized *)b)->base);
}

static void
md_cache_load(struct md_cache *c, const char *dir)
{
	char path[MD_PATH_MAX + 32];
	struct stat st;

	memset(c, 0, sizeof *c);
	snprintf(path, sizeof path, "%s/.cartero-sizes", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > (64 << 20) ||
	    (c->text = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return;
	}
	ssize_t r = read(fd, c->text, (size_t)st.st_size);
	close(fd);
	if (r != st.st_size) {
		free(c->text);
		c->text = NULL;
		return;
	}
	c->text[r] = '\0';
	size_t lines = 0;
	for (char *p = c->text; *p; p++)
		lines += *p == '\n';
	if ((c->v = malloc((lines + 1) * sizeof *c->v)) == NULL)
		return;
	for (char *save, *l = strtok_r(c->text, "\n", &save); l;
	    l = strtok_r(NULL, "\n", &save)) {
		char *sp = strrchr(l, ' ');
		if (sp == NULL)
			continue;
		*sp = '\0';
		c->v[c->n].base = l;
		c->v[c->n].size = (off_t)strtoll(sp + 1, NULL, 10);
		c->n++;
	}
	if (c->n > 1)
		qsort(c->v, c->n, sizeof *c->v, md_cache_cmp);
}

static bool
md_cache_find(const struct md_cache *c, const char *base, off_t *size_r)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int k = strcmp(c->v[mid].base, base);
		if (k == 0) {
			*size_r = c->v[mid].size;
			return true;
		}
		if (k < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void
md_cache_free(struct md_cache *c)
{
	free(c->text);
	free(c->v);
	memset(c, 0, sizeof *c);
}

static off_t
md_size(int dirfd, const char *name, struct md_cache *c)
{
	const char *w = strstr(name, ",W=");
	const char *colon = strchr(name, ':');
	char base[512];
	off_t cached;

	if (w != NULL && (colon == NULL || w < colon) && w[3] >= '0' &&
	    w[3] <= '9')
		return (off_t)strtoll(w + 3, NULL, 10);
	snprintf(base, sizeof base, "%.*s", (int)strcspn(name, ":"), name);
	if (md_cache_find(c, base, &cached))
		return cached;
	c->is_dirty = true;
	/* A message delivered by something else: count what RETR sends. */
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char buf[65536];
	off_t size = 0;
	char prev = '\0';
	ssize_t r;
	while ((r = read(fd, buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] == '\n' && prev != '\r')
				size++;
			prev = buf[i];
		}
		size += r;
	}
	close(fd);
	if (size > 0 && prev != '\n')
		size += 2;	/* RETR ends the last line with CRLF */
	return size;
}

/* A cache file of the maildrop, written whole under a temporary name and
 * renamed over the old one: begin, fprintf, end. */
struct md_file {
	FILE *f;
	char path[MD_PATH_MAX + 32], tmp[MD_PATH_MAX + 48];
};

static bool
md_file_begin(struct md_file *mf, const struct md_drop *d, const char *name)
{
	snprintf(mf->path, sizeof mf->path, "%s/%s", d->dir, name);
	snprintf(mf->tmp, sizeof mf->tmp, "%s/%s.%ld", d->dir, name,
	    (long)getpid());
	return (mf->f = fopen(mf->tmp, "we")) != NULL;
}

/* IS_DURABLE: fsync before the rename; else a torn file must be one the
 * reader refuses. */
static void
md_file_end(struct md_file *mf, bool is_durable)
{
	bool bad = fflush(mf->f) != 0 || ferror(mf->f) != 0 ||
	    (is_durable && fsync(fileno(mf->f)) != 0);

	if (fclose(mf->f) != 0 || bad || rename(mf->tmp, mf->path) < 0)
		unlink(mf->tmp);
}

/* Rewrites .cartero-sizes for the messages that need it (no ",W="). */
static void
md_cache_save(const struct md_drop *d)
{
	struct md_file mf;

	if (!md_file_begin(&mf, d, ".cartero-sizes"))
		return;
	FILE *f = mf.f;
	for (size_t i = 0; i < d->n; i++) {
		const char *base = strchr(d->v[i].name, '/') + 1;
		size_t n = strcspn(base, ":");
		const char *w = strstr(base, ",W=");
		if (w != NULL && (size_t)(w - base) < n)
			continue;
		fprintf(f, "%.*s %lld\n", (int)n, base,
		    (long long)d->v[i].size);
	}
	md_file_end(&mf, true);
}

static int
md_scan(struct md_drop *d, const char *sub, struct md_cache *c)
{
	char path[MD_PATH_MAX + 8];
	struct dirent *e;

	snprintf(path, sizeof path, "%s/%s", d->dir, sub);
	DIR *dir = opendir(path);
	if (dir == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (d->n == d->cap) {
			size_t cap = d->cap ? d->cap * 2 : 64;
			struct md_msg *v = realloc(d->v, cap * sizeof *v);
			if (v == NULL) {
				closedir(dir);
				return -1;
			}
			d->v = v;
			d->cap = cap;
		}
		struct md_msg *m = &d->v[d->n];
		memset(m, 0, sizeof *m);
		size_t len = strlen(sub) + 1 + strlen(e->d_name) + 1;
		if ((m->name = malloc(len)) == NULL) {
			closedir(dir);
			return -1;
		}
		snprintf(m->name, len, "%s/%s", sub, e->d_name);
		md_uid(m, e->d_name);
		m->size = md_size(dirfd(dir), e->d_name, c);
		d->n++;
	}
	closedir(dir);
	return 0;
}

/* Oldest first: names start with the delivery time. */
static int
md_cmp(const void *a, const void *b)
{
	const struct md_msg *x = a, *y = b;

	return strcmp(x->name + 4, y->name + 4);
}

static void
md_drop_free(struct md_drop *d)
{
	for (size_t i = 0; i < d->n; i++)
		md_name_free(d, d->v[i].name);
	free(d->v);
	free(d->list);
	if (d->read_fd >= 0)
		close(d->read_fd);
	if (d->lock_fd >= 0)
		close(d->lock_fd);	/* releases the flock */
	free(d);
}

/*
 * The listing cache, .cartero-list: the sorted listing of the last scan
 * ("SIZE NAME" lines) under a first line naming new/ and cur/ (device,
 * inode, size, mtime and ctime to the nanosecond) as they were before
 * that scan.
 * When both are unchanged a session reads this one file instead of both
 * directories (after 10,000 messages moved to cur/, new/ is a megabyte
 * of empty directory blocks: a cold read of it alone is 30 ms), as
 * Dovecot does with its uidlist.  It is written only when both mtimes
 * were more than a second old before they were stat'ed: a change in the
 * same clock tick as the scan would leave the mtime as it was.  Anything
 * that does not match exactly means a scan, so a stale or broken file
 * costs one scan.
 */
static int
md_list_stamp_dir(char *out, size_t n, const struct stat *st)
{
	/* the ctime too: a program can set the mtime back, not the ctime */
	return snprintf(out, n, "%llu %llu %lld %lld.%09ld %lld.%09ld",
	    (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
	    (long long)st->st_size, (long long)st->st_mtim.tv_sec,
	    st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec,
	    st->st_ctim.tv_nsec);
}

static void
md_list_stamp(char *out, size_t n, const struct stat *nw,
    const struct stat *cu, size_t count)
{
	char a[160], b[160];

	md_list_stamp_dir(a, sizeof a, nw);
	md_list_stamp_dir(b, sizeof b, cu);
	snprintf(out, n, "cartero-list 2 %s %s %zu\n", a, b, count);
}

static int
md_list_load(struct md_drop *d, const struct stat *nw, const struct stat *cu)
{
	char path[MD_PATH_MAX + 32], want[400];
	struct stat st;

	snprintf(path, sizeof path, "%s/.cartero-list", d->dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 ||
	    st.st_size > (256 << 20) ||
	    (d->list = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return -1;
	}
	ssize_t r = read(fd, d->list, (size_t)st.st_size);
	close(fd);
	if (r != st.st_size)
		return -1;
	d->list[r] = '\0';
	d->list_len = (size_t)r + 1;
	char *p = d->list, *end = d->list + r;
	char *nl = memchr(p, '\n', (size_t)(end - p));
	if (nl == NULL || nl - p > 380)
		return -1;
	*nl = '\0';
	const char *last = strrchr(p, ' ');
	unsigned long long count = last ? strtoull(last + 1, NULL, 10) : 0;
	if (count > (size_t)r / 8)	/* a line is at least "0 new/x\n" */
		return -1;
	md_list_stamp(want, sizeof want, nw, cu, (size_t)count);
	want[strlen(want) - 1] = '\0';		/* the stamp's "\n" */
	if (strcmp(p, want) != 0)
		return -1;
	if (count > 0 && (d->v = malloc(count * sizeof *d->v)) == NULL)
		return -1;
	d->cap = count;
	const char *prev = NULL;	/* the last name, past "new/" */
	for (p = nl + 1; p < end && d->n < count; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		*nl = '\0';
		char *name;
		long long size = strtoll(p, &name, 10);
		if (*name != ' ' || size < 0 ||
		    (strncmp(name + 1, "new/", 4) != 0 &&
		    strncmp(name + 1, "cur/", 4) != 0) || name[5] == '\0' ||
		    name[5] == '.' || strchr(name + 5, '/') != NULL)
			break;
		/* strictly in listing order: no duplicates, nothing
		 * reordered */
		if (prev != NULL && strcmp(prev, name + 5) >= 0)
			break;
		prev = name + 5;
		struct md_msg *m = &d->v[d->n++];
		memset(m, 0, sizeof *m);
		m->name = name + 1;
		m->size = (off_t)size;
		md_uid(m, name + 5);
	}
	if (d->n != count || p != end) {
		d->n = 0;	/* the names point into d->list */
		return -1;
	}
	return 0;
}

/* NOW: the clock read before new/ and cur/ were stat'ed. */
static void
md_list_save(const struct md_drop *d, const struct stat *nw,
    const struct stat *cu, const struct timespec *now)
{
	struct md_file mf;
	char stamp[400];

	if (now->tv_sec - nw->st_mtim.tv_sec < 2 ||
	    now->tv_sec - cu->st_mtim.tv_sec < 2)
		return;		/* too recent to trust (see above) */
	for (size_t i = 0; i < d->n; i++)
		if (strchr(d->v[i].name, '\n') != NULL)
			return;
	if (!md_file_begin(&mf, d, ".cartero-list"))
		return;
	md_list_stamp(stamp, sizeof stamp, nw, cu, d->n);
	fputs(stamp, mf.f);
	for (size_t i = 0; i < d->n; i++)
		fprintf(mf.f, "%lld %s\n", (long long)d->v[i].size,
		    d->v[i].name);
	/* No fsync: a torn file fails the count and means a scan. */
	md_file_end(&mf, false);
}

static int
maildir_open(void *state, const struct cartero_conf *domain,
    const struct cartero_address *user, void **maildrop_r,
    struct cartero_reply *reply_r)
{
	struct md_drop *d = calloc(1, sizeof *d);
	char lock[MD_PATH_MAX + 32];

	if (d == NULL) {
		maildir_fail(reply_r, ENOMEM, "malloc");
		return -1;
	}
	d->lock_fd = d->read_fd = -1;
	if (maildir_path(state, domain, user, d->dir, sizeof d->dir) < 0) {
		md_drop_free(d);
		maildir_fail(reply_r, EINVAL, "no maildrop for this user");
		return -1;
	}
	snprintf(lock, sizeof lock, "%s/.cartero-pop3.lock", d->dir);
	d->lock_fd = open(lock, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	if (d->lock_fd < 0 && errno == ENOENT) {
		/* the maildrop is made on first use */
		if (maildir_make(d->dir) < 0) {
			maildir_fail(reply_r, errno, "mkdir");
			md_drop_free(d);
			return -1;
		}
		d->lock_fd = open(lock, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	}
	if (d->lock_fd < 0) {
		maildir_fail(reply_r, errno, "open lock");
		md_drop_free(d);
		return -1;
	}
	if (flock(d->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;
		md_drop_free(d);
		maildir_fail(reply_r, err, "lock");
		if (err == EWOULDBLOCK)
			reply_r->status = "IN-USE";
		return -1;
	}
	/* new/ and cur/ as they are before the listing is taken, and the
	 * clock before that */
	struct stat nw, cu;
	struct timespec now;
	char sub[MD_PATH_MAX + 8];
	clock_gettime(CLOCK_REALTIME, &now);
	for (int k = 0; k < 2; k++) {
		snprintf(sub, sizeof sub, "%s/%s", d->dir, k ? "cur" : "new");
		if (stat(sub, k ? &cu : &nw) == 0)
			continue;
		if (errno != ENOENT || maildir_make(d->dir) < 0 ||
		    stat(sub, k ? &cu : &nw) < 0) {
			maildir_fail(reply_r, errno, "mkdir");
			md_drop_free(d);
			return -1;
		}
	}
	if (md_list_load(d, &nw, &cu) == 0) {
		*maildrop_r = d;
		return 0;
	}
	free(d->list);
	d->list = NULL;
	d->list_len = 0;
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
	struct md_cache cache;
	md_cache_load(&cache, d->dir);
	if (md_scan(d, "new", &cache) < 0 || md_scan(d, "cur", &cache) < 0) {
		maildir_fail(reply_r, errno, "scan");
		md_cache_free(&cache);
		md_drop_free(d);
		return -1;
	}
	if (cache.is_dirty)
		md_cache_save(d);
	md_cache_free(&cache);
	if (d->n > 1)
		qsort(d->v, d->n, sizeof *d->v, md_cmp);
	md_list_save(d, &nw, &cu, &now);
	*maildrop_r = d;
	return 0;
}

static size_t
maildir_count(void *maildrop)
{
	return ((struct md_drop *)maildrop)->n;
}

static int
maildir_info(void *maildrop, size_t i, struct cartero_msginfo *info_r)
{
	struct md_drop *d = maildrop;

	if (i >= d->n)
		return -1;
	info_r->uid = d->v[i].uid;
	info_r->size = d->v[i].size;
	return 0;
}

/* Finds message i again when another reader moved it or changed its
 * flags since the snapshot: same unique part, in cur/ or new/. */
static int
md_relocate(struct md_drop *d, struct md_msg *m)
{
	static const char *const subs[] = { "cur", "new" };
	const char *base = strchr(m->name, '/') + 1;
	size_t n = strcspn(base, ":");
	char path[MD_PATH_MAX + 8];

	for (int k = 0; k < 2; k++) {
		snprintf(path, sizeof path, "%s/%s", d->dir, subs[k]);
		DIR *dir = opendir(path);
		struct dirent *e;
		if (dir == NULL)
			continue;
		while ((e = readdir(dir)) != NULL) {
			if (strncmp(e->d_name, base, n) != 0 ||
			    (e->d_name[n] != '\0' && e->d_name[n] != ':'))
				continue;
			size_t len = 4 + strlen(e->d_name) + 1;
			char *name = malloc(len);
			if (name == NULL)
				break;
			snprintf(name, len, "%s/%s", subs[k], e->d_name);
			md_name_free(d, m->name);
			m->name = name;
			closedir(dir);
			return 0;
		}
		closedir(dir);
	}
	errno = ENOENT;
	return -1;
}

static int
maildir_read(void *maildrop, size_t i, struct cartero_reply *reply_r)
{
	struct md_drop *d = maildrop;
	char path[MD_PATH_MAX * 2];

	if (i >= d->n) {
		maildir_fail(reply_r, EINVAL, "no such message");
		return -1;
	}
	if (d->read_fd >= 0)
		close(d->read_fd);
	snprintf(path, sizeof path, "%s/%s", d->dir, d->v[i].name);
	d->read_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->read_fd < 0 && errno == ENOENT && md_relocate(d, &d->v[i]) == 0) {
		snprintf(path, sizeof path, "%s/%s", d->dir, d->v[i].name);
		d->read_fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (d->read_fd < 0)
		maildir_fail(reply_r, errno, "open");
	return d->read_fd;
}

static int
maildir_delete(void *maildrop, size_t i)
{
	struct md_drop *d = maildrop;

	if (i >= d->n)
		return -1;
	d->v[i].is_deleted = true;
	return 0;
}

static void
maildir_seen(void *maildrop, size_t i)
{
	struct md_drop *d = maildrop;

	if (i < d->n)
		d->v[i].is_seen = true;
}

/* Moves new/BASE to cur/BASE:2,[S], or adds S to a cur/ name's flags
 * (kept in ASCII order, maildir.5); never replaces an existing file.
 * 1 when it renamed, 0 when there was nothing to do, -1 on error. */
static int
md_settle(struct md_drop *d, struct md_msg *m)
{
	const char *base = strchr(m->name, '/') + 1;
	bool is_new = strncmp(m->name, "new/", 4) == 0;
	char from[MD_PATH_MAX * 2], to[MD_PATH_MAX * 2], flags[64] = "";
	const char *info = strstr(base, ":2,");
	size_t n = strcspn(base, ":");

	if (!is_new && (!m->is_seen || (info && strchr(info + 3, 'S'))))
		return 0;
	if (info != NULL)
		snprintf(flags, sizeof flags, "%s", info + 3);
	if (m->is_seen && strchr(flags, 'S') == NULL) {
		size_t k = strlen(flags), at = 0;
		while (at < k && (unsigned char)flags[at] < 'S')
			at++;
		if (k + 1 < sizeof flags) {
			memmove(flags + at + 1, flags + at, k - at + 1);
			flags[at] = 'S';
		}
	}
	snprintf(from, sizeof from, "%s/%s", d->dir, m->name);
	snprintf(to, sizeof to, "%s/cur/%.*s:2,%s", d->dir, (int)n, base,
	    flags);
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 1;
	if (errno == EINVAL || errno == ENOSYS) {
		if (link(from, to) < 0)
			return -1;
		return unlink(from) < 0 ? -1 : 1;
	}
	return errno == ENOENT ? 0 : -1;	/* moved by another reader */
}

static int
maildir_commit_drop(void *maildrop, struct cartero_reply *reply_r)
{
	struct md_drop *d = maildrop;
	char path[MD_PATH_MAX * 2];
	int bad = 0, err = 0;
	bool is_changed[2] = { false, false };	/* new/, cur/ */

	for (size_t i = 0; i < d->n; i++) {
		struct md_msg *m = &d->v[i];
		/* Only a directory this session changed is fsynced (after
		 * an error, both): a listing-only session fsyncs none. */
		bool is_new = strncmp(m->name, "new/", 4) == 0;
		if (!m->is_deleted) {
			int r = md_settle(d, m);
			if (r != 0) {
				is_changed[1] = true;
				if (is_new || r < 0)
					is_changed[0] = true;
			}
			if (r < 0 && !bad) {
				bad = 1;
				err = errno;
			}
			continue;
		}
		is_changed[0] = is_changed[0] || is_new;
		is_changed[1] = true;	/* or moved there by another reader */
		snprintf(path, sizeof path, "%s/%s", d->dir, m->name);
		if (unlink(path) == 0 || (errno == ENOENT &&
		    (md_relocate(d, m) < 0 || (snprintf(path, sizeof path,
		    "%s/%s", d->dir, m->name), unlink(path) == 0) ||
		    errno == ENOENT)))
			continue;
		if (!bad) {
			bad = 1;
			err = errno;
		}
	}
	for (int k = 0; k < 2; k++) {
		if (!is_changed[k])
			continue;
		snprintf(path, sizeof path, "%s/%s", d->dir, k ? "cur" : "new");
		if (cartero_fsync_dir(path) < 0 && !bad) {
			bad = 1;
			err = errno;
		}
	}
	if (bad) {
		maildir_fail(reply_r, err, "update");
		return -1;
	}
	return 0;
}

static void
maildir_close(void *maildrop)
{
	md_drop_free(maildrop);
}

static const struct cartero_store maildir_store = {
	.maildrop_exists = maildir_exists,
	.deliver_prepare = maildir_prepare,
	.deliver_commit = maildir_commit,
	.deliver_end = maildir_end,
	.maildrop_open = maildir_open,
	.maildrop_count = maildir_count,
	.maildrop_info = maildir_info,
	.maildrop_read = maildir_read,
	.maildrop_delete = maildir_delete,
	.maildrop_seen = maildir_seen,
	.maildrop_commit = maildir_commit_drop,
	.maildrop_close = maildir_close,
};

CARTERO_PLUGIN(
	.name = "maildir",
	.conf_keys = maildir_keys,
	.init = maildir_init,
	.fini = maildir_fini,
	.store = &maildir_store,
);
