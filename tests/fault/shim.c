/* ISC license. */
/*
 * A fault-injection shim for the tests (LD_PRELOAD), deterministic where
 * libfiu is random: it makes the N-th call of a chosen libc function fail
 * with a chosen errno, counting only the calls whose path (or, for calls
 * on a descriptor, the file the descriptor refers to) contains a chosen
 * string.  libfiu's POSIX preload wraps write, fsync, open, rename and
 * unlink but not link, mkdir, copy_file_range or renameat2, which the
 * maildir store uses; this shim wraps them all.
 *
 * Environment:
 *   FAULT_SPEC  rules "FUNC@N:ERR", "FUNC@N-M:ERR" or "FUNC@N-:ERR"
 *               (calls N to M, or N and after), comma-separated.
 *               ERR is an errno name (ENOSPC, EIO, EDQUOT, EXDEV, ...) or
 *               "short": write and copy_file_range then do half the work.
 *               N = 0 fails nothing (only counts, for FAULT_LOG).
 *   FAULT_PATH  only calls on paths containing this string count
 *               (default: every call).
 *   FAULT_LOG   a file each counted call is appended to, as
 *               "pid FUNC N PATH ok|ERR".
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

enum {
	F_OPEN, F_OPENAT, F_WRITE, F_PWRITE, F_COPY, F_FSYNC, F_FDATASYNC,
	F_LINK, F_LINKAT, F_RENAME, F_RENAMEAT, F_RENAMEAT2, F_UNLINK,
	F_UNLINKAT, F_MKDIR, F_MKDIRAT, F_CLOSE, F_FTRUNCATE, F_N
};

static const char *const names[F_N] = {
	"open", "openat", "write", "pwrite", "copy_file_range", "fsync",
	"fdatasync", "link", "linkat", "rename", "renameat", "renameat2",
	"unlink", "unlinkat", "mkdir", "mkdirat", "close", "ftruncate",
};

#define ERR_SHORT (-1)

struct rule {
	unsigned long from, to;	/* to == 0: no end */
	int func;
	int err;
};

static struct rule rules[16];
static int n_rules = -1;
static unsigned long counts[F_N];
static const char *want_path;
static int in_shim;

static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "ENOSPC", ENOSPC }, { "EIO", EIO }, { "EDQUOT", EDQUOT },
	{ "EXDEV", EXDEV }, { "EACCES", EACCES }, { "EPERM", EPERM },
	{ "EEXIST", EEXIST }, { "ENOENT", ENOENT }, { "EMLINK", EMLINK },
	{ "EROFS", EROFS }, { "EINTR", EINTR }, { "EINVAL", EINVAL },
	{ "ENOSYS", ENOSYS }, { "EMFILE", EMFILE }, { "ENOMEM", ENOMEM },
	{ "EFBIG", EFBIG }, { "ENAMETOOLONG", ENAMETOOLONG },
	{ "short", ERR_SHORT },
};

static void
parse_rules(void)
{
	const char *spec = getenv("FAULT_SPEC");
	char buf[1024];

	n_rules = 0;
	want_path = getenv("FAULT_PATH");
	if (want_path != NULL && *want_path == '\0')
		want_path = NULL;
	if (spec == NULL)
		return;
	snprintf(buf, sizeof buf, "%s", spec);
	for (char *save, *r = strtok_r(buf, ",", &save); r != NULL &&
	    n_rules < (int)(sizeof rules / sizeof rules[0]);
	    r = strtok_r(NULL, ",", &save)) {
		char *at = strchr(r, '@'), *colon = strrchr(r, ':');
		if (at == NULL || colon == NULL || colon < at)
			continue;
		*at = *colon = '\0';
		struct rule *ru = &rules[n_rules];
		ru->func = -1;
		for (int i = 0; i < F_N; i++)
			if (strcmp(r, names[i]) == 0)
				ru->func = i;
		char *end;
		ru->from = strtoul(at + 1, &end, 10);
		ru->to = ru->from;
		if (*end == '-')
			ru->to = end[1] ? strtoul(end + 1, NULL, 10) : 0;
		ru->err = 0;
		for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
			if (strcmp(colon + 1, errnos[i].name) == 0)
				ru->err = errnos[i].value;
		if (ru->err == 0)
			ru->err = atoi(colon + 1);
		if (ru->func >= 0 && ru->err != 0)
			n_rules++;
	}
}

static void
fd_path(int fd, char *out, size_t n)
{
	char proc[64];

	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	ssize_t r = readlink(proc, out, n - 1);
	out[r < 0 ? 0 : r] = '\0';
}

static void
at_path(int dirfd, const char *path, char *out, size_t n)
{
	if (path[0] == '/' || dirfd == AT_FDCWD) {
		snprintf(out, n, "%s", path);
		return;
	}
	char dir[2048];
	fd_path(dirfd, dir, sizeof dir);
	snprintf(out, n, "%s/%s", dir, path);
}

static void
log_call(int func, unsigned long k, const char *path, int err)
{
	const char *log = getenv("FAULT_LOG");

	if (log == NULL)
		return;
	int (*real_open)(const char *, int, ...) =
	    (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	ssize_t (*real_write)(int, const void *, size_t) =
	    (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	int (*real_close)(int) = (int (*)(int))dlsym(RTLD_NEXT, "close");
	int fd = real_open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600);
	if (fd < 0)
		return;
	char line[4300];
	const char *what = "ok";
	char num[16];
	if (err == ERR_SHORT)
		what = "short";
	else if (err != 0) {
		what = num;
		snprintf(num, sizeof num, "%d", err);
		for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
			if (errnos[i].value == err)
				what = errnos[i].name;
	}
	int len = snprintf(line, sizeof line, "%ld %s %lu %s %s\n",
	    (long)getpid(), names[func], k, path, what);
	if (len > 0)
		(void)real_write(fd, line, (size_t)len < sizeof line ?
		    (size_t)len : sizeof line - 1);
	real_close(fd);
}

/* 0: let the call through; else the errno to fail it with (or
 * ERR_SHORT).  PATH may be NULL when FD says which file it is. */
static int
decide(int func, const char *path, int fd)
{
	char buf[4096];

	if (n_rules < 0)
		parse_rules();
	if (in_shim || (n_rules == 0 && getenv("FAULT_LOG") == NULL))
		return 0;
	in_shim = 1;
	if (path == NULL) {
		fd_path(fd, buf, sizeof buf);
		path = buf;
	}
	int err = 0;
	if (want_path == NULL || strstr(path, want_path) != NULL) {
		unsigned long k = ++counts[func];
		for (int i = 0; i < n_rules && err == 0; i++)
			if (rules[i].func == func && rules[i].from > 0 &&
			    k >= rules[i].from &&
			    (rules[i].to == 0 || k <= rules[i].to))
				err = rules[i].err;
		log_call(func, k, path, err);
	}
	in_shim = 0;
	return err;
}

#define REAL(ret, name, args) \
	static ret (*real) args; \
	if (real == NULL) \
		real = (ret (*) args)dlsym(RTLD_NEXT, name)

#define FAIL_IF(e) do { \
	int fail_ = (e); \
	if (fail_ > 0) { \
		errno = fail_; \
		return -1; \
	} \
} while (0)

EXPORT int open(const char *path, int flags, ...);
EXPORT int open64(const char *path, int flags, ...);
EXPORT int openat(int dirfd, const char *path, int flags, ...);
EXPORT int openat64(int dirfd, const char *path, int flags, ...);
EXPORT ssize_t write(int fd, const void *buf, size_t n);
EXPORT ssize_t pwrite(int fd, const void *buf, size_t n, off_t off);
EXPORT ssize_t copy_file_range(int in, off_t *off_in, int out,
    off_t *off_out, size_t n, unsigned int flags);
EXPORT int fsync(int fd);
EXPORT int fdatasync(int fd);
EXPORT int link(const char *from, const char *to);
EXPORT int linkat(int fd1, const char *from, int fd2, const char *to,
    int flags);
EXPORT int rename(const char *from, const char *to);
EXPORT int renameat(int fd1, const char *from, int fd2, const char *to);
EXPORT int renameat2(int fd1, const char *from, int fd2, const char *to,
    unsigned int flags);
EXPORT int unlink(const char *path);
EXPORT int unlinkat(int dirfd, const char *path, int flags);
EXPORT int mkdir(const char *path, mode_t mode);
EXPORT int mkdirat(int dirfd, const char *path, mode_t mode);
EXPORT int close(int fd);
EXPORT int ftruncate(int fd, off_t len);

static mode_t
open_mode(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ?
	    (mode_t)va_arg(ap, int) : 0;
}

EXPORT int
open(const char *path, int flags, ...)
{
	REAL(int, "open", (const char *, int, ...));
	va_list ap;
	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	FAIL_IF(decide(F_OPEN, path, -1));
	return real(path, flags, mode);
}

EXPORT int
open64(const char *path, int flags, ...)
{
	REAL(int, "open64", (const char *, int, ...));
	va_list ap;
	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	FAIL_IF(decide(F_OPEN, path, -1));
	return real(path, flags, mode);
}

EXPORT int
openat(int dirfd, const char *path, int flags, ...)
{
	REAL(int, "openat", (int, const char *, int, ...));
	char full[4096];
	va_list ap;
	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	at_path(dirfd, path, full, sizeof full);
	FAIL_IF(decide(F_OPENAT, full, -1));
	return real(dirfd, path, flags, mode);
}

EXPORT int
openat64(int dirfd, const char *path, int flags, ...)
{
	REAL(int, "openat64", (int, const char *, int, ...));
	char full[4096];
	va_list ap;
	va_start(ap, flags);
	mode_t mode = open_mode(flags, ap);
	va_end(ap);
	at_path(dirfd, path, full, sizeof full);
	FAIL_IF(decide(F_OPENAT, full, -1));
	return real(dirfd, path, flags, mode);
}

EXPORT ssize_t
write(int fd, const void *buf, size_t n)
{
	REAL(ssize_t, "write", (int, const void *, size_t));
	int e = decide(F_WRITE, NULL, fd);
	if (e == ERR_SHORT && n > 1)
		n /= 2;
	else
		FAIL_IF(e);
	return real(fd, buf, n);
}

EXPORT ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	REAL(ssize_t, "pwrite", (int, const void *, size_t, off_t));
	int e = decide(F_PWRITE, NULL, fd);
	if (e == ERR_SHORT && n > 1)
		n /= 2;
	else
		FAIL_IF(e);
	return real(fd, buf, n, off);
}

EXPORT ssize_t
copy_file_range(int in, off_t *off_in, int out, off_t *off_out, size_t n,
    unsigned int flags)
{
	REAL(ssize_t, "copy_file_range",
	    (int, off_t *, int, off_t *, size_t, unsigned int));
	int e = decide(F_COPY, NULL, out);
	if (e == ERR_SHORT && n > 1)
		n /= 2;
	else
		FAIL_IF(e);
	return real(in, off_in, out, off_out, n, flags);
}

EXPORT int
fsync(int fd)
{
	REAL(int, "fsync", (int));
	FAIL_IF(decide(F_FSYNC, NULL, fd));
	return real(fd);
}

EXPORT int
fdatasync(int fd)
{
	REAL(int, "fdatasync", (int));
	FAIL_IF(decide(F_FDATASYNC, NULL, fd));
	return real(fd);
}

EXPORT int
link(const char *from, const char *to)
{
	REAL(int, "link", (const char *, const char *));
	FAIL_IF(decide(F_LINK, to, -1));
	return real(from, to);
}

EXPORT int
linkat(int fd1, const char *from, int fd2, const char *to, int flags)
{
	REAL(int, "linkat", (int, const char *, int, const char *, int));
	char full[4096];
	at_path(fd2, to, full, sizeof full);
	FAIL_IF(decide(F_LINKAT, full, -1));
	return real(fd1, from, fd2, to, flags);
}

EXPORT int
rename(const char *from, const char *to)
{
	REAL(int, "rename", (const char *, const char *));
	FAIL_IF(decide(F_RENAME, to, -1));
	return real(from, to);
}

EXPORT int
renameat(int fd1, const char *from, int fd2, const char *to)
{
	REAL(int, "renameat", (int, const char *, int, const char *));
	char full[4096];
	at_path(fd2, to, full, sizeof full);
	FAIL_IF(decide(F_RENAMEAT, full, -1));
	return real(fd1, from, fd2, to);
}

EXPORT int
renameat2(int fd1, const char *from, int fd2, const char *to,
    unsigned int flags)
{
	REAL(int, "renameat2",
	    (int, const char *, int, const char *, unsigned int));
	char full[4096];
	at_path(fd2, to, full, sizeof full);
	FAIL_IF(decide(F_RENAMEAT2, full, -1));
	return real(fd1, from, fd2, to, flags);
}

EXPORT int
unlink(const char *path)
{
	REAL(int, "unlink", (const char *));
	FAIL_IF(decide(F_UNLINK, path, -1));
	return real(path);
}

EXPORT int
unlinkat(int dirfd, const char *path, int flags)
{
	REAL(int, "unlinkat", (int, const char *, int));
	char full[4096];
	at_path(dirfd, path, full, sizeof full);
	FAIL_IF(decide(F_UNLINKAT, full, -1));
	return real(dirfd, path, flags);
}

EXPORT int
mkdir(const char *path, mode_t mode)
{
	REAL(int, "mkdir", (const char *, mode_t));
	FAIL_IF(decide(F_MKDIR, path, -1));
	return real(path, mode);
}

EXPORT int
mkdirat(int dirfd, const char *path, mode_t mode)
{
	REAL(int, "mkdirat", (int, const char *, mode_t));
	char full[4096];
	at_path(dirfd, path, full, sizeof full);
	FAIL_IF(decide(F_MKDIRAT, full, -1));
	return real(dirfd, path, mode);
}

/* A failed close() still closes the descriptor (POSIX leaves it
 * unspecified; Linux always closes), as NFS reports write errors. */
EXPORT int
close(int fd)
{
	REAL(int, "close", (int));
	int e = decide(F_CLOSE, NULL, fd);
	int r = real(fd);
	FAIL_IF(e);
	return r;
}

EXPORT int
ftruncate(int fd, off_t len)
{
	REAL(int, "ftruncate", (int, off_t));
	FAIL_IF(decide(F_FTRUNCATE, NULL, fd));
	return real(fd, len);
}
