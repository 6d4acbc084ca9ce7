/* ISC license. */
/* The greylist state in SQLite (WAL), shared by concurrent handlers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "greylist-internal.h"

/* Long enough to ride out a checkpoint or a burst of writers; short enough
 * that a wedged lock only delays a client, which then passes. */
#define STORE_BUSY_MS 5000

struct greylist_store {
	sqlite3 *db;
	sqlite3_stmt *begin, *select, *upsert, *commit, *rollback, *expire;
	sqlite3_stmt *next_get, *next_set;	/* the expiry schedule */
	char error[512];
};

static const char store_schema[] =
	"CREATE TABLE IF NOT EXISTS triplet ("
	" net TEXT NOT NULL,"
	" sender TEXT NOT NULL,"
	" rcpt TEXT NOT NULL,"
	" first_seen INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL,"
	" passed INTEGER NOT NULL,"
	" PRIMARY KEY (net, sender, rcpt)"
	") WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS triplet_last_seen ON triplet (last_seen);"
	"CREATE TABLE IF NOT EXISTS meta ("
	" key TEXT PRIMARY KEY,"
	" value INTEGER NOT NULL"
	") WITHOUT ROWID;";

static int store_setup(struct greylist_store *st, char **errmsg_r);
static const char *store_fail(struct greylist_store *st, const char *op);
static int store_prepare(struct greylist_store *st, sqlite3_stmt **stmt_r,
    const char *sql, const char **error_r);
static int store_step_done(struct greylist_store *st, sqlite3_stmt *stmt,
    const char *op, const char **error_r);

/*
 * WAL lets readers and the one writer go on together; NORMAL skips the
 * fsync at each commit (a crash may lose the last attempts, which
 * greylisting can afford).  The schema is made under the write lock, taken
 * at once (IMMEDIATE) so that the busy handler waits for it.  Processes
 * that open a new file together can still get SQLITE_BUSY at once (SQLite
 * returns it instead of waiting where waiting could deadlock, as when
 * switching to WAL): then the whole setup is tried again, within the same
 * time as the busy handler's.
 */
static int
store_setup(struct greylist_store *st, char **errmsg_r)
{
	static const char sql[] = "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=NORMAL;"
	    "BEGIN IMMEDIATE;";
	struct timespec start, now, pause = { 0, 0 };
	unsigned int seed = (unsigned int)getpid();
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		*errmsg_r = NULL;
		rc = sqlite3_exec(st->db, sql, NULL, NULL, errmsg_r);
		if (rc == SQLITE_OK) {
			rc = sqlite3_exec(st->db, store_schema, NULL, NULL,
			    errmsg_r);
			if (rc == SQLITE_OK)
				rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL,
				    errmsg_r);
		}
		if (!sqlite3_get_autocommit(st->db))
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			return rc;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000 >= STORE_BUSY_MS)
			return rc;
		sqlite3_free(*errmsg_r);
		/* 5 to 25 ms, so that the processes do not retry in step. */
		pause.tv_nsec = (5 + rand_r(&seed) % 21) * 1000000L;
		nanosleep(&pause, NULL);
	}
}

/* "op: SQLite's message" in st->error. */
static const char *
store_fail(struct greylist_store *st, const char *op)
{
	snprintf(st->error, sizeof st->error, "%s: %s", op,
	    st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
	return st->error;
}

static int
store_prepare(struct greylist_store *st, sqlite3_stmt **stmt_r,
    const char *sql, const char **error_r)
{
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    stmt_r, NULL) != SQLITE_OK) {
		*error_r = store_fail(st, "prepare");
		return -1;
	}
	return 0;
}

/* Runs a statement that returns no row, and resets it. */
static int
store_step_done(struct greylist_store *st, sqlite3_stmt *stmt,
    const char *op, const char **error_r)
{
	int rc = sqlite3_step(stmt);

	if (rc != SQLITE_DONE) {
		*error_r = store_fail(st, op);
		sqlite3_reset(stmt);
		return -1;
	}
	sqlite3_reset(stmt);
	return 0;
}

int
greylist_store_open(struct greylist_store **st_r, const char *path,
    const char **error_r)
{
	static char error[600];
	struct greylist_store *st = calloc(1, sizeof *st);
	char *errmsg;

	*st_r = NULL;
	if (st == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(error, sizeof error, "open %s: %s", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
		*error_r = error;
		greylist_store_close(&st);
		return -1;
	}
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	if (store_setup(st, &errmsg) != SQLITE_OK) {
		snprintf(error, sizeof error, "%s: %s", path,
		    errmsg != NULL ? errmsg : sqlite3_errmsg(st->db));
		sqlite3_free(errmsg);
		*error_r = error;
		greylist_store_close(&st);
		return -1;
	}
	/* IMMEDIATE takes the write lock at once: a read-then-write
	 * transaction that found the snapshot changed under it would get
	 * SQLITE_BUSY without the busy handler being asked. */
	if (store_prepare(st, &st->begin, "BEGIN IMMEDIATE", error_r) < 0 ||
	    store_prepare(st, &st->select, "SELECT first_seen, last_seen, "
	    "passed FROM triplet WHERE net = ?1 AND sender = ?2 AND "
	    "rcpt = ?3", error_r) < 0 ||
	    store_prepare(st, &st->upsert, "INSERT OR REPLACE INTO triplet "
	    "(net, sender, rcpt, first_seen, last_seen, passed) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6)", error_r) < 0 ||
	    store_prepare(st, &st->commit, "COMMIT", error_r) < 0 ||
	    store_prepare(st, &st->rollback, "ROLLBACK", error_r) < 0 ||
	    store_prepare(st, &st->expire, "DELETE FROM triplet WHERE "
	    "(passed = 0 AND last_seen < ?1) OR "
	    "(passed <> 0 AND last_seen < ?2)", error_r) < 0 ||
	    store_prepare(st, &st->next_get, "SELECT value FROM meta WHERE "
	    "key = 'next_expire'", error_r) < 0 ||
	    store_prepare(st, &st->next_set, "INSERT OR REPLACE INTO meta "
	    "(key, value) VALUES ('next_expire', ?1)", error_r) < 0) {
		snprintf(error, sizeof error, "%s: %s", path, *error_r);
		*error_r = error;
		greylist_store_close(&st);
		return -1;
	}
	*st_r = st;
	return 0;
}

int
greylist_store_check(struct greylist_store *st,
    const struct greylist_triplet *t, time_t now,
    const struct greylist_policy *p, long *wait_r, const char **why_r,
    const char **error_r)
{
	struct greylist_row old, row;
	bool has_old = false;
	int rc;

	if (store_step_done(st, st->begin, "begin", error_r) < 0)
		return -1;
	if (sqlite3_bind_text(st->select, 1, t->net, -1, SQLITE_STATIC) ||
	    sqlite3_bind_text(st->select, 2, t->sender, -1, SQLITE_STATIC) ||
	    sqlite3_bind_text(st->select, 3, t->rcpt, -1, SQLITE_STATIC)) {
		*error_r = store_fail(st, "bind");
		goto fail;
	}
	rc = sqlite3_step(st->select);
	if (rc == SQLITE_ROW) {
		old.first_seen = (time_t)sqlite3_column_int64(st->select, 0);
		old.last_seen = (time_t)sqlite3_column_int64(st->select, 1);
		old.is_passed = sqlite3_column_int(st->select, 2) != 0;
		has_old = true;
	} else if (rc != SQLITE_DONE) {
		*error_r = store_fail(st, "select");
		goto fail;
	}
	sqlite3_reset(st->select);
	*wait_r = greylist_decide(has_old ? &old : NULL, now, p, &row, why_r);
	if (sqlite3_bind_text(st->upsert, 1, t->net, -1, SQLITE_STATIC) ||
	    sqlite3_bind_text(st->upsert, 2, t->sender, -1, SQLITE_STATIC) ||
	    sqlite3_bind_text(st->upsert, 3, t->rcpt, -1, SQLITE_STATIC) ||
	    sqlite3_bind_int64(st->upsert, 4, (sqlite3_int64)row.first_seen) ||
	    sqlite3_bind_int64(st->upsert, 5, (sqlite3_int64)row.last_seen) ||
	    sqlite3_bind_int(st->upsert, 6, row.is_passed ? 1 : 0)) {
		*error_r = store_fail(st, "bind");
		goto fail;
	}
	if (store_step_done(st, st->upsert, "write", error_r) < 0 ||
	    store_step_done(st, st->commit, "commit", error_r) < 0)
		goto fail;
	sqlite3_clear_bindings(st->select);
	sqlite3_clear_bindings(st->upsert);
	return 0;
fail:
	sqlite3_reset(st->select);
	sqlite3_clear_bindings(st->select);
	sqlite3_clear_bindings(st->upsert);
	/* Fails harmlessly when the error already ended the transaction. */
	sqlite3_step(st->rollback);
	sqlite3_reset(st->rollback);
	return -1;
}

long
greylist_store_expire(struct greylist_store *st, time_t now,
    const struct greylist_policy *p, const char **error_r)
{
	if (sqlite3_bind_int64(st->expire, 1,
	    (sqlite3_int64)(now - p->retry_window)) ||
	    sqlite3_bind_int64(st->expire, 2,
	    (sqlite3_int64)(now - p->auto_allow))) {
		*error_r = store_fail(st, "bind");
		sqlite3_reset(st->expire);
		return -1;
	}
	if (store_step_done(st, st->expire, "expire", error_r) < 0)
		return -1;
	return (long)sqlite3_changes(st->db);
}

/* The time the next expiry is due into *next_r (0 when none is kept, or
 * a value that is not a time, which makes it due); 0, or -1 on error. */
static int
store_next_expire(struct greylist_store *st, sqlite3_int64 *next_r,
    const char **error_r)
{
	int rc = sqlite3_step(st->next_get);

	*next_r = 0;
	if (rc == SQLITE_ROW && sqlite3_column_int64(st->next_get, 0) > 0)
		*next_r = sqlite3_column_int64(st->next_get, 0);
	sqlite3_reset(st->next_get);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		*error_r = store_fail(st, "select");
		return -1;
	}
	return 0;
}

/*
 * The schedule is read first without a transaction, so that a session
 * between expiries takes no write lock; when due, it is read again under
 * the lock, so that of the processes that found it due only one expires.
 * A schedule further ahead than expire_every (the clock was stepped back,
 * or the setting shortened) is due at once.
 */
int
greylist_store_expire_due(struct greylist_store *st, time_t now,
    const struct greylist_policy *p, long *removed_r, const char **error_r)
{
	sqlite3_int64 next;

	*removed_r = 0;
	if (store_next_expire(st, &next, error_r) < 0)
		return -1;
	if (now < next && next - now <= p->expire_every)
		return 0;
	if (store_step_done(st, st->begin, "begin", error_r) < 0)
		return -1;
	if (store_next_expire(st, &next, error_r) < 0)
		goto fail;
	if (now < next && next - now <= p->expire_every) {
		if (store_step_done(st, st->commit, "commit", error_r) < 0)
			goto fail;
		return 0;
	}
	if ((*removed_r = greylist_store_expire(st, now, p, error_r)) < 0)
		goto fail;
	if (sqlite3_bind_int64(st->next_set, 1, (sqlite3_int64)now +
	    p->expire_every)) {
		*error_r = store_fail(st, "bind");
		goto fail;
	}
	if (store_step_done(st, st->next_set, "write", error_r) < 0 ||
	    store_step_done(st, st->commit, "commit", error_r) < 0)
		goto fail;
	return 1;
fail:
	*removed_r = 0;
	sqlite3_step(st->rollback);
	sqlite3_reset(st->rollback);
	return -1;
}

void
greylist_store_close(struct greylist_store **stp)
{
	struct greylist_store *st = *stp;

	if (st == NULL)
		return;
	sqlite3_finalize(st->begin);
	sqlite3_finalize(st->select);
	sqlite3_finalize(st->upsert);
	sqlite3_finalize(st->commit);
	sqlite3_finalize(st->rollback);
	sqlite3_finalize(st->expire);
	sqlite3_finalize(st->next_get);
	sqlite3_finalize(st->next_set);
	sqlite3_close(st->db);
	free(st);
	*stp = NULL;
}
