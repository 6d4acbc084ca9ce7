/* ISC license. */
/* The maildir store: delivery by the Maildir rules, all or nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cartero/cartero.h>

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

/* A local part or domain usable as one path component: no "/", no
 * leading ".", no "..", only atext (and UTF-8) bytes. */
static int
maildir_component(char *dst, size_t n, const char *src)
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
maildir_path(struct maildir *md, const struct cartero_conf *domain,
    const struct cartero_address *a, char *out, size_t n)
{
	const char *tpl = md->host->conf_path(domain, "path");
	char local[256], dom[256];
	size_t o = 0;

	if (tpl == NULL || maildir_component(local, sizeof local, a->local) < 0 ||
	    maildir_component(dom, sizeof dom, a->domain) < 0)
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
	return 0;
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
		if (mkdir_p(sub) < 0)
			return -1;
		made = true;
	}
	return made ? fsync_dir(dir) : 0;
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

/* tmp/UNIQUE: created O_EXCL, written, fsynced and closed, each checked. */
static int
maildir_prepare(void *state, const struct cartero_delivery *d,
    void **handle_r, struct cartero_reply *reply_r)
{
	struct maildir *md = state;
	struct md_handle *h = calloc(1, sizeof *h);
	struct timeval tv;
	unsigned char rnd[4];
	int fd = -1;

	if (h == NULL) {
		maildir_fail(reply_r, ENOMEM, "malloc");
		return -1;
	}
	if (maildir_path(md, d->domain, d->rcpt, h->dir, sizeof h->dir) < 0) {
		free(h);
		reply_r->code = 550;
		reply_r->status = "5.1.1";
		reply_r->text = "No such user here";
		return -1;
	}
	if (maildir_make(h->dir) < 0) {
		maildir_fail(reply_r, errno, "mkdir");
		free(h);
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
	fd = open(h->tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0) {
		maildir_fail(reply_r, errno, "open");
		free(h);
		return -1;
	}
	const char *op = "write";
	if (maildir_copy(d->fd, d->size, fd) < 0 ||
	    (op = "fsync", fsync(fd) < 0)) {
		maildir_fail(reply_r, errno, op);
		close(fd);
		unlink(h->tmp);
		free(h);
		return -1;
	}
	if (close(fd) < 0) {
		maildir_fail(reply_r, errno, "close");
		unlink(h->tmp);
		free(h);
		return -1;
	}
	*handle_r = h;
	return 0;
}

/* link() into new/ (never rename: it could replace a file), then make the
 * new directory entry durable. */
static int
maildir_commit(void *state, void *handle, struct cartero_reply *reply_r)
{
	struct md_handle *h = handle;
	char newdir[MD_PATH_MAX + 8];

	(void)state;
	if (link(h->tmp, h->new) < 0) {
		maildir_fail(reply_r, errno, "link");
		return -1;
	}
	h->is_committed = 1;
	unlink(h->tmp);
	snprintf(newdir, sizeof newdir, "%s/new", h->dir);
	if (fsync_dir(newdir) < 0) {
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
			fsync_dir(newdir);
		} else
			unlink(h->tmp);
	}
	free(h);
}

static const struct cartero_store maildir_store = {
	.maildrop_exists = maildir_exists,
	.deliver_prepare = maildir_prepare,
	.deliver_commit = maildir_commit,
	.deliver_end = maildir_end,
};

CARTERO_PLUGIN(
	.name = "maildir",
	.conf_keys = maildir_keys,
	.init = maildir_init,
	.fini = maildir_fini,
	.store = &maildir_store,
);
