/* ISC license. */
/* Spool files: never named, so a crash leaves nothing behind. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool-internal.h"

int
spool_open(struct spool *sp)
{
	const char *dir = getenv("TMPDIR");

	if (dir == NULL || *dir != '/')
		dir = "/tmp";
	sp->size = 0;
	sp->len = 0;
	sp->error = 0;
	sp->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (sp->fd >= 0)
		return 0;
	/* No O_TMPFILE on this file system: create, then unlink at once. */
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s/cartero.XXXXXX", dir) >=
	    sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	sp->fd = mkostemp(path, O_CLOEXEC);
	if (sp->fd < 0)
		return -1;
	unlink(path);
	return 0;
}

static int
spool_write_all(struct spool *sp, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(sp->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

void
spool_write(struct spool *sp, const char *p, size_t n)
{
	sp->size += (off_t)n;
	if (sp->error != 0)
		return;
	if (sp->len + n > sizeof sp->buf) {
		if (spool_write_all(sp, sp->buf, sp->len) < 0) {
			sp->error = errno;
			return;
		}
		sp->len = 0;
		if (n >= sizeof sp->buf) {
			if (spool_write_all(sp, p, n) < 0)
				sp->error = errno;
			return;
		}
	}
	memcpy(sp->buf + sp->len, p, n);
	sp->len += n;
}

int
spool_flush(struct spool *sp)
{
	if (sp->error == 0 && spool_write_all(sp, sp->buf, sp->len) < 0)
		sp->error = errno;
	sp->len = 0;
	if (sp->error != 0) {
		errno = sp->error;
		return -1;
	}
	return 0;
}

void
spool_close(struct spool *sp)
{
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
	sp->size = 0;
	sp->len = 0;
	sp->error = 0;
}
