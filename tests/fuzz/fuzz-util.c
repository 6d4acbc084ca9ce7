/* ISC license. */
/* Shared pieces of the fuzz targets: failure, generator, memory io. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

/* stderr as it was at start: libFuzzer -close_fd_mask=2 sends fd 2 to
 * /dev/null later, with the log lines of the code under test. */
static int saved_stderr = -1;

static void __attribute__((constructor))
fuzz_save_stderr(void)
{
	saved_stderr = fcntl(2, F_DUPFD_CLOEXEC, 3);
}

void
fuzz_fail(const char *fmt, ...)
{
	char msg[2048];
	struct stat a, b;
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof msg - 2)
		n = sizeof msg - 2;
	msg[n++] = '\n';
	dprintf(2, "fuzz: oracle failed: %.*s", n, msg);
	if (saved_stderr >= 0 && (fstat(saved_stderr, &a) < 0 ||
	    fstat(2, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino))
		dprintf(saved_stderr, "fuzz: oracle failed: %.*s", n, msg);
	abort();
}

void
fuzz_rng_seed(struct fuzz_rng *r, const uint8_t *data, size_t size)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211ULL;
	r->x = h | 1;
}

uint32_t
fuzz_rng_next(struct fuzz_rng *r)
{
	/* xorshift64* */
	r->x ^= r->x >> 12;
	r->x ^= r->x << 25;
	r->x ^= r->x >> 27;
	return (uint32_t)((r->x * 2685821657736338717ULL) >> 32);
}

static ssize_t
fuzz_io_read(void *ctx, void *buf, size_t n, int timeout_ms)
{
	struct fuzz_io *f = ctx;
	size_t left = f->in_len - f->in_pos;

	(void)timeout_ms;
	f->n_reads++;
	if (left == 0)
		return 0;
	/* Mostly small and odd pieces, sometimes all that fits. */
	size_t k = fuzz_rng_next(&f->rng) % 4 == 0 ? left
	    : 1 + fuzz_rng_next(&f->rng) % f->max_read;
	if (k > left)
		k = left;
	if (k > n)
		k = n;
	memcpy(buf, f->in + f->in_pos, k);
	f->in_pos += k;
	return (ssize_t)k;
}

static ssize_t
fuzz_io_write(void *ctx, const void *buf, size_t n)
{
	struct fuzz_io *f = ctx;
	size_t room = FUZZ_OUT_MAX - f->out_len;

	memcpy(f->out + f->out_len, buf, n < room ? n : room);
	f->out_len += n < room ? n : room;
	f->out_total += n;
	return (ssize_t)n;
}

static size_t
fuzz_io_pending(void *ctx)
{
	(void)ctx;
	return 1;	/* never poll: a read answers at once, EOF included */
}

const struct io_ops fuzz_io_ops = {
	fuzz_io_read, fuzz_io_write, fuzz_io_pending
};

void
fuzz_io_init(struct fuzz_io *f, const uint8_t *in, size_t n, size_t max_read)
{
	static char *out;

	if (out == NULL && (out = malloc(FUZZ_OUT_MAX)) == NULL)
		fuzz_fail("out of memory");
	memset(f, 0, sizeof *f);
	f->in = in;
	f->in_len = n;
	f->max_read = max_read ? max_read : 1;
	fuzz_rng_seed(&f->rng, in, n);
	f->out = out;
}

int
fuzz_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* The scratch folders, removed at exit by the process that made them
 * (not by replay.c's children, which exit too). */
static char tmpdirs[4][4096];
static size_t n_tmpdirs;
static pid_t tmpdir_owner;

static void
fuzz_tmpdir_cleanup(void)
{
	if (getpid() != tmpdir_owner)
		return;
	for (size_t i = 0; i < n_tmpdirs; i++)
		fuzz_rm_r(tmpdirs[i], false);
}

const char *
fuzz_tmpdir(const char *tag)
{
	static char path[4096];
	struct stat st;
	const char *base = getenv("TMPDIR");

	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
	    access("/dev/shm", W_OK) == 0)
		base = "/dev/shm";
	else if (base == NULL || *base != '/')
		base = "/tmp";
	snprintf(path, sizeof path, "%s/cartero-fuzz-%s.XXXXXX", base, tag);
	if (mkdtemp(path) == NULL) {
		fprintf(stderr, "fuzz: mkdtemp %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
	if (n_tmpdirs < sizeof tmpdirs / sizeof tmpdirs[0]) {
		if (n_tmpdirs == 0) {
			tmpdir_owner = getpid();
			atexit(fuzz_tmpdir_cleanup);
		}
		memcpy(tmpdirs[n_tmpdirs++], path, sizeof path);
	}
	return path;
}

void
fuzz_mkdirs(const char *dir, const char *sub)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	for (char *p = path + strlen(dir) + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			fprintf(stderr, "fuzz: mkdir %s: %s\n", path,
			    strerror(errno));
			exit(1);
		}
		*p = c;
		if (c == '\0')
			break;
	}
}

void
fuzz_write_file(const char *dir, const char *name, const char *s, size_t n,
    mode_t mode)
{
	char path[4096];
	const char *slash = strrchr(name, '/');

	if (slash != NULL) {
		char sub[4096];
		snprintf(sub, sizeof sub, "%.*s", (int)(slash - name), name);
		fuzz_mkdirs(dir, sub);
	}
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || write(fd, s, n) != (ssize_t)n || fchmod(fd, mode) < 0 ||
	    close(fd) < 0) {
		fprintf(stderr, "fuzz: write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static int
fuzz_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

void
fuzz_rm_r(const char *dir, bool keep_top)
{
	nftw(dir, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (!keep_top)
		rmdir(dir);
}

int
fuzz_count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}
