/* ISC license. */
/* The mbox store's parts: delivery (mbox.c), locks (mbox-lock.c), POP3
 * (mbox-pop3.c). */
#ifndef MBOX_H
#define MBOX_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include <cartero/cartero.h>
#include <cartero/path.h>

#define MB_PATH_MAX 4096
#define MB_FROM_MAX 1024	/* octets of a From_ line we read */
#define MB_BUF 65536

struct mb_file;

struct mbox {
	const struct cartero_host *host;
	int lock_timeout;	/* [plugin mbox] lock_timeout */
	struct mb_file *files;	/* mboxes locked by deliveries now */
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

/* A sink (mboxrd.h) that writes at off with pwrite(). */
struct mb_writer {
	int fd;
	off_t off;
};

/* mbox.c */
int mb_path(struct mbox *mb, const struct cartero_conf *domain,
    const struct cartero_address *a, char *out, size_t n);
int mb_timeout(struct mbox *mb, const struct cartero_conf *domain);
void mb_fail(struct cartero_reply *r, int err, const char *what);
const char *mb_q(struct mbox *mb, char *buf, size_t n, const char *s);
int mb_fsync_parent(const char *path);
int mb_pread_all(int fd, char *buf, size_t n, off_t off);
int mb_pwrite_all(int fd, const char *buf, size_t n, off_t off);
int mb_sink_write(void *ctx, const char *p, size_t n);

/* mbox-lock.c: locks take at most timeout seconds, with no alarm. */
long long mb_ms(void);
void mb_lock_init(struct mb_lock *l, const char *path, const char *tag);
int mb_lock_take(struct mbox *mb, struct mb_lock *l, int timeout,
    bool is_create);
void mb_lock_release(struct mb_lock *l);
int mb_dotlock_take(struct mbox *mb, struct mb_lock *l, long long deadline);
void mb_dotlock_mark(struct mb_lock *l, off_t start, off_t end);
void mb_dotlock_touch(struct mb_lock *l);
bool mb_dotlock_is_ours(const struct mb_lock *l);
int mb_temp_path(const struct mb_lock *l, char *out, size_t n);

/* mbox-pop3.c: the maildrop calls of struct cartero_store. */
int mbox_open(void *state, const struct cartero_conf *domain,
    const struct cartero_address *user, void **maildrop_r,
    struct cartero_reply *reply_r);
size_t mbox_count(void *maildrop);
int mbox_info(void *maildrop, size_t i, struct cartero_msginfo *info_r);
int mbox_read(void *maildrop, size_t i, struct cartero_reply *reply_r);
int mbox_delete(void *maildrop, size_t i);
int mbox_commit_drop(void *maildrop, struct cartero_reply *reply_r);
void mbox_close(void *maildrop);

#endif
