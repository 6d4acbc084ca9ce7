/* ISC license. */
/* The spool: an unlinked temporary file that holds one message. */
#ifndef SPOOL_INTERNAL_H
#define SPOOL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SPOOL_BUFSIZE 65536

struct spool {
	int fd;			/* -1: none */
	off_t size;		/* bytes written, buffered ones included */
	size_t len;
	int error;		/* first errno, or 0 */
	char buf[SPOOL_BUFSIZE];
};

/* Opens an unlinked file in $TMPDIR (else /tmp); 0 or -1 with errno. */
int spool_open(struct spool *sp);
/* Buffers n bytes; an error is kept in sp->error and reported by flush. */
void spool_write(struct spool *sp, const char *p, size_t n);
/* Writes the buffer out; 0, or -1 with errno. */
int spool_flush(struct spool *sp);
void spool_close(struct spool *sp);

#endif
