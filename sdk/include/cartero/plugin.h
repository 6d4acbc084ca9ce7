/* ISC license. */
/* The plugin descriptor, the host table, the filter, auth and store roles. */
#ifndef CARTERO_PLUGIN_H
#define CARTERO_PLUGIN_H

/*
 * The whole contract is in cartero-plugin(3); this header is its short
 * form.  Rules that hold everywhere below:
 *
 * - One handler process serves one connection and runs no threads, so
 *   every call below comes from that one thread, one at a time.
 * - Strings and structs the host passes in are borrowed: valid during the
 *   call (longer only where a comment says so), never freed by a plugin.
 * - Strings a plugin hands back (error texts, reply texts, uids) stay the
 *   plugin's: string literals, or its own buffers kept valid until its
 *   next call.  The host copies what it needs to keep.
 * - "-1 with *error_r": *error_r is set to a one-line message that says
 *   what went wrong and, where it can, what to fix; the host logs it.
 * - Any key the configuration gives is a string; checking its value is
 *   the plugin's job, in init().
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cartero/reply.h>
#include <cartero/version.h>

/* Opaque to plugins: read through struct cartero_host. */
struct cartero_session;
struct cartero_conf;
struct cartero_tls;

/* What host->session_get() can return; NULL when not (yet) known. */
enum cartero_item {
	CARTERO_SESSION_ID = 0,	/* 16 hex digits, also in every log line */
	CARTERO_CLIENT_IP,	/* "192.0.2.1", "2001:db8::1" or "unknown" */
	CARTERO_CLIENT_PORT,	/* decimal; NULL when unknown */
	CARTERO_HELO,		/* the HELO/EHLO/LHLO argument */
	CARTERO_SENDER,		/* MAIL FROM address without <>; "" for <> */
	CARTERO_QUEUE_ID,	/* id of the message being received */
	CARTERO_PROTOCOL,	/* "SMTP", "ESMTP", "LMTP", "POP3" */
	CARTERO_AUTH_USER,	/* authenticated identity */
	CARTERO_HOSTNAME	/* this server's name */
};

/* An address split at its last '@'; domain is lower case.  For the null
 * sender <> all three are "".  Owned by the host, valid during the hook
 * (a store may keep it until deliver_end()/txn_end()). */
struct cartero_address {
	const char *full;	/* local@domain as the client wrote it */
	const char *local;	/* the local part, quotes kept if it had them */
	const char *domain;	/* lower case; "" for a bare "postmaster" */
};

/*
 * The host table: everything a plugin may call.  A plugin receives it in
 * init() and keeps the pointer; it never links against the runtime.  The
 * table and every function in it stay valid for the life of the process.
 */
struct cartero_host {
	uint32_t abi;		/* CARTERO_ABI_VERSION of the host */
	uint32_t size;		/* sizeof(struct cartero_host) of the host */
	/* One log line "sid=... event=EVENT " + fmt; name the plugin in
	 * fmt.  s may be NULL.  Quote client text with log_quote.  Never
	 * log a password.  Writes to fd 2 with a single write(2). */
	void (*log)(const struct cartero_session *s, const char *event,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
	/* The value of key in a configuration section, or NULL when it is
	 * not set.  section is the one init() got, or a store's domain /
	 * section argument.  The string lives as long as the process. */
	const char *(*conf_get)(const struct cartero_conf *section,
	    const char *key);
	/* Like conf_get, with a relative path made relative to the folder of
	 * the configuration file.  The string lives as long as the process. */
	const char *(*conf_path)(const struct cartero_conf *section,
	    const char *key);
	/* One fact about the session (enum cartero_item), or NULL when it is
	 * not known yet.  The string is the host's and may change at the
	 * next command: copy it to keep it past the hook. */
	const char *(*session_get)(const struct cartero_session *s,
	    enum cartero_item item);
	/* Recipients accepted so far in the current transaction, duplicates
	 * counted once; in on_rcpt the one being examined is not counted. */
	size_t (*rcpt_count)(const struct cartero_session *s);
	/* Accepted recipient i (from 0), or NULL when i >= rcpt_count(). */
	const struct cartero_address *(*rcpt_get)(
	    const struct cartero_session *s, size_t i);
	/* At end of data: a read-only descriptor on the spooled message (the
	 * header fields cartero adds, then the client's bytes after
	 * dot-unstuffing, CRLF line ends) and its size.  Read it with
	 * pread(); do not close it.  -1 and 0 outside on_data and delivery.
	 * Fields added with header_add are not in it during on_data: they
	 * are spliced in after the last filter, before any store. */
	int (*message_fd)(const struct cartero_session *s);
	off_t (*message_size)(const struct cartero_session *s);
	/* Writes src into dst (of size n, at least 4) as a double-quoted log
	 * value with control characters, '"' and '\\' escaped; truncates
	 * with "...".  Returns dst. */
	const char *(*log_quote)(char *dst, size_t n, const char *src);
	/* Adds the header field "name: value" to the message being received,
	 * after cartero's trace fields; call it from a decision hook of the
	 * transaction (on_mail, on_rcpt or on_data; fields added earlier are
	 * dropped when HELO or RSET resets the transaction).  name is 1 to 76
	 * printable ASCII characters without ':' or space; value is one line
	 * (no CR or LF; the host does not fold it: keep it short).  Both
	 * strings are copied.  At most 8192 octets of added fields per
	 * message, counting ": " and CRLF.  The fields go to every store of
	 * the message (in LMTP, to every recipient) and are dropped with it
	 * when a filter refuses it.  0, or -1 if refused (nothing added). */
	int (*header_add)(struct cartero_session *s, const char *name,
	    const char *value);
	/* The TLS module, loaded on first use (a plugin never links GnuTLS
	 * itself); NULL with *error_r when it cannot be loaded.  Loading it
	 * runs its init(), so call this only when TLS is needed (the smtp
	 * store calls it at STARTTLS towards its next hop). */
	const struct cartero_tls *(*tls_module)(const char **error_r);
};

/*
 * The filter role (cartero-smtpd only).  Every hook may be NULL (skipped).
 * Decision hooks receive *reply_r zeroed; they fill it when they REJECT or
 * DEFER (or leave code 0 for a default) and may fill it when they ACCEPT
 * (it is not used then).  The chain rule (cartero-plugin(3)): the
 * first REJECT or DEFER stops the chain and is the answer; ACCEPT stops the
 * chain; CONTINUE passes on.  A filter's ACCEPT never makes a recipient
 * deliverable by itself: the recipient must still have a store.
 */
struct cartero_filter {
	/* After the plugins are loaded, before the greeting.  REJECT: the
	 * 5xx replaces the greeting and only QUIT is allowed; DEFER: the 4xx
	 * is sent and the session ends. */
	enum cartero_verdict (*on_connect)(void *state,
	    struct cartero_session *s, struct cartero_reply *reply_r);
	/* After a well-formed HELO/EHLO/LHLO argument (helo), once the
	 * transaction has been reset; a refusal leaves the client ungreeted. */
	enum cartero_verdict (*on_helo)(void *state,
	    struct cartero_session *s, const char *helo,
	    struct cartero_reply *reply_r);
	/* After a well-formed MAIL with acceptable parameters; a refusal
	 * resets the transaction. */
	enum cartero_verdict (*on_mail)(void *state,
	    struct cartero_session *s, const struct cartero_address *sender,
	    struct cartero_reply *reply_r);
	/* After a well-formed RCPT, before the host's own recipient rules
	 * (relaying, unknown users, max_recipients) and before duplicates
	 * are folded, so every RCPT is seen. */
	enum cartero_verdict (*on_rcpt)(void *state,
	    struct cartero_session *s, const struct cartero_address *rcpt,
	    struct cartero_reply *reply_r);
	/* After the whole message is spooled and has passed the size and
	 * line-end checks, before any store sees it: host->message_fd()
	 * reads it.  In LMTP the verdict applies to every recipient. */
	enum cartero_verdict (*on_data)(void *state,
	    struct cartero_session *s, struct cartero_reply *reply_r);
	/* A report, not a decision: the session is over (QUIT, end of file,
	 * timeout, too many errors).  Not called when the handler refused
	 * service before the greeting. */
	void (*on_disconnect)(void *state, struct cartero_session *s);
};

/*
 * The auth role.  user is a full address (user@domain).  Each call answers
 * 1 (yes), 0 (no) or -1 (temporary failure: backend down, with *error_r
 * set).  A plugin must take as long for an unknown user as for a wrong
 * password, so that user names cannot be told apart by timing.
 */
struct cartero_auth {
	/* Whether a recipient at a local domain exists (RCPT; 0 gets 550
	 * 5.1.1).  Not asked for postmaster.  NULL: the domain's store is
	 * asked instead (maildrop_exists). */
	int (*user_exists)(void *state, const char *user,
	    const char **error_r);
	/* Whether password is right for user (SMTP AUTH PLAIN/LOGIN, POP3
	 * USER/PASS and AUTH).  The password is borrowed; the host wipes it
	 * after the call: never keep or log it.  NULL: every check fails. */
	int (*verify)(void *state, const char *user, const char *password,
	    const char **error_r);
	/* The reversible secret for APOP, CRAM-MD5 and SCRAM-SHA-256, copied
	 * into buf (size n) with *len_r set; 0 when the user has none (those
	 * mechanisms then fail for that user).  NULL: no user has one.  The
	 * host wipes buf after use. */
	int (*secret)(void *state, const char *user, char *buf, size_t n,
	    size_t *len_r, const char **error_r);
	/* Whether any user can have a secret (APOP, CRAM-MD5 and SCRAM are
	 * offered only then); NULL: whenever secret is not NULL.  Non-zero for yes;
	 * asked whenever mechanisms are listed (POP3 greeting, EHLO, CAPA). */
	int (*has_secrets)(void *state);
};

/* One recipient's copy of one message, handed to a store.  Every pointer
 * is the host's and stays valid until deliver_end() for that copy. */
struct cartero_delivery {
	struct cartero_session *session;
	const struct cartero_conf *domain;	/* [domain NAME] or [relay] */
	const struct cartero_address *rcpt;
	int fd;			/* the spooled message, read with pread() */
	off_t size;
	const char *queue_id;
};

/* One message of a maildrop, as POP3 lists it. */
struct cartero_msginfo {
	const char *uid;	/* stable across sessions, 1-70 of 0x21-0x7e */
	off_t size;		/* octets with CRLF line ends */
};

/*
 * The store role.  Delivery is two-phase so that one message to several
 * recipients is stored all or nothing: prepare() writes the copy durably
 * where no reader sees it (Maildir tmp/, fsynced) and returns a handle;
 * commit() makes it visible (link into new/, fsync of new/); end()
 * releases the handle, keeping the copy or undoing it.  prepare and commit
 * return 0, or -1 with *reply_r set (4xx temporary, 5xx permanent).  The
 * maildrop calls serve POP3: the listing is fixed at open, delete only
 * marks, and commit applies the marks at QUIT.
 * Reply strings a store fills in must stay valid until its next call.
 * A NULL member means the store cannot do that (see each member).
 */
struct cartero_store {
	/* 1 if the user has a maildrop, 0 if not, -1 on error.  Asked at
	 * RCPT only when no auth plugin can list users; NULL: every user of
	 * the domain is known. */
	int (*maildrop_exists)(void *state, const struct cartero_conf *domain,
	    const struct cartero_address *user, struct cartero_reply *reply_r);
	/* After the filters' on_data, once per recipient: writes the copy of
	 * d->fd durably where no reader sees it and puts a handle in
	 * *handle_r.  On -1 nothing may be left behind; a 5xx reply goes to
	 * the client, anything else becomes 451 4.3.0. */
	int (*deliver_prepare)(void *state, const struct cartero_delivery *d,
	    void **handle_r, struct cartero_reply *reply_r);
	/* Called only after every copy of the message was prepared: makes
	 * this copy visible, durably.  On -1 the client hears 451 4.3.0. */
	int (*deliver_commit)(void *state, void *handle,
	    struct cartero_reply *reply_r);
	/* Releases the handle.  With is_kept false it also undoes the
	 * delivery: drops a prepared copy, or removes a committed one.
	 * Called exactly once for every handle prepare returned. */
	void (*deliver_end)(void *state, void *handle, int is_kept);

	/* POP3: open and lock a maildrop; -1 with *reply_r on failure
	 * (status "IN-USE" when another session holds the lock).  Called
	 * after a successful login; the listing it takes does not change
	 * for the session.  NULL: the store cannot serve POP3. */
	int (*maildrop_open)(void *state, const struct cartero_conf *domain,
	    const struct cartero_address *user, void **maildrop_r,
	    struct cartero_reply *reply_r);
	/* The number of messages, fixed at open. */
	size_t (*maildrop_count)(void *maildrop);
	/* Message i's uid and size into *info_r (the uid stays valid until
	 * the next maildrop call); 0, or -1 for a bad index. */
	int (*maildrop_info)(void *maildrop, size_t i,
	    struct cartero_msginfo *info_r);
	/* A descriptor to read message i from with pread() from offset 0;
	 * the store owns it and keeps it open until the next maildrop
	 * call.  -1 with *reply_r on failure. */
	int (*maildrop_read)(void *maildrop, size_t i,
	    struct cartero_reply *reply_r);
	/* Marks message i for removal at commit; the host calls it only in
	 * the UPDATE state, for each message the client deleted.  0, or -1
	 * (the client hears that some messages were not removed). */
	int (*maildrop_delete)(void *maildrop, size_t i);
	/* Notes that message i was retrieved in full with RETR (it is then
	 * flagged seen at commit).  May be NULL. */
	void (*maildrop_seen)(void *maildrop, size_t i);
	/* Applies the marks (QUIT in TRANSACTION); 0, or -1 with *reply_r
	 * when some marked messages could not be removed. */
	int (*maildrop_commit)(void *maildrop, struct cartero_reply *reply_r);
	/* Release the lock; frees the maildrop.  Deletes nothing.  Always
	 * called once for a maildrop that open returned, commit or not. */
	void (*maildrop_close)(void *maildrop);

	/*
	 * Hand-off stores (lmtp, smtp) pass mail to a next hop inside the
	 * client's own transaction, so that a recipient the hop refuses is
	 * refused at RCPT and nothing is accepted that the hop did not take.
	 * When txn_rcpt is set, the host uses these four instead of
	 * maildrop_exists and deliver_*.  One hop transaction is opened per
	 * (store, section) at its first recipient (txn_begin: connect,
	 * greeting, MAIL FROM) and ended at the end of the client's
	 * transaction (txn_end, with or without a message sent).  Replies
	 * are 4xx or 5xx; the host relays their class to the client.
	 */
	/* At the first recipient for this (store, section): opens the hop's
	 * transaction and puts it in *txn_r; 0, or -1 with *reply_r (the
	 * client's RCPT gets it; nothing to end). */
	int (*txn_begin)(void *state, struct cartero_session *s,
	    const struct cartero_conf *section, void **txn_r,
	    struct cartero_reply *reply_r);
	/* 0 when the hop took the recipient, or -1 with *reply_r. */
	int (*txn_rcpt)(void *state, void *txn,
	    const struct cartero_address *rcpt, struct cartero_reply *reply_r);
	/* Sends the message (fd, size as in a delivery); fills replies[i]
	 * (code 250 or a failure) for each of the n recipients the hop took,
	 * in order.  0 if every reply was filled, -1 when the hop failed as a
	 * whole (then replies[0] says why).  In SMTP it is called after the
	 * local copies are prepared and before they are committed; the
	 * replies' strings are copied by the host before txn_end. */
	int (*txn_data)(void *state, void *txn, int fd, off_t size,
	    struct cartero_reply *replies, size_t n);
	/* Ends the hop's transaction (RSET or QUIT towards it, as the store
	 * likes) and frees txn.  Called exactly once per successful
	 * txn_begin, whenever the client's transaction ends: after the
	 * message, at RSET, HELO, STARTTLS or the end of the session. */
	void (*txn_end)(void *state, void *txn);
};

/*
 * The TLS layer (not a role a configuration names: the runtime loads the
 * module "tls" only when a session asks for TLS, so that plain sessions
 * never load GnuTLS).  ctx is one connection's TLS session.  Only the
 * tls module fills this in; other plugins reach it through
 * host->tls_module() and use client_new, read, write and close.
 */
struct cartero_tls {
	/* Reads [tls] (cert, key, priority, ca); 0 or -1 with *error_r. */
	int (*server_new)(void *state, const struct cartero_conf *tls,
	    void **ctx_r, const char **error_r);
	/* Handshakes over fd_in/fd_out within timeout_ms; 0 or -1 with
	 * *error_r (GnuTLS's reason).  On -1 the caller still calls close. */
	int (*handshake)(void *ctx, int fd_in, int fd_out, int timeout_ms,
	    const char **error_r);
	/* Like read(2): 0 at a clean close, -1 with errno (ETIMEDOUT when
	 * nothing came within timeout_ms, EAGAIN to be called again). */
	ssize_t (*read)(void *ctx, void *buf, size_t n, int timeout_ms);
	/* Like write(2): the number of octets taken, or -1 with errno. */
	ssize_t (*write)(void *ctx, const void *buf, size_t n);
	/* Decrypted bytes waiting in the TLS layer. */
	size_t (*pending)(void *ctx);
	/* "TLSv1.3", the cipher suite name, and the verified client
	 * certificate's subject DN (NULL when none was verified); owned by
	 * ctx, valid until close. */
	const char *(*version)(void *ctx);
	const char *(*cipher)(void *ctx);
	const char *(*peer)(void *ctx);
	/* Sends close_notify and frees ctx. */
	void (*close)(void *ctx);
	/* A client session towards servername (for SNI), trusting the CA
	 * file ca (NULL: the system's trust store) and, with verify 0,
	 * accepting any certificate (opportunistic STARTTLS).  state is
	 * ignored by the tls module (pass NULL).  0 or -1 with *error_r. */
	int (*client_new)(void *state, const char *servername, const char *ca,
	    int verify, void **ctx_r, const char **error_r);
};

/*
 * The descriptor: the one symbol a plugin exports, named cartero_plugin.
 * abi must stay the first member.  Fill it with CARTERO_PLUGIN().  The
 * loader reads abi first and refuses the plugin, naming both ABI numbers,
 * unless abi is exactly CARTERO_ABI_VERSION, size is exactly
 * sizeof(struct cartero_plugin) and name is the file's NAME.
 */
struct cartero_plugin {
	uint32_t abi;
	uint32_t size;
	/* NAME of plugins/NAME.so: a-z, 0-9, '_' and '-', at most 63. */
	const char *name;
	/* Keys the plugin accepts in [plugin NAME] and, for a store, in the
	 * [domain] and [relay] sections that name it; NULL-terminated.  Any
	 * other key there is a configuration error. */
	const char *const *conf_keys;
	/* Called once per process before any hook; section is [plugin NAME]
	 * (empty if absent).  0, or -1 with *error_r saying what to fix: the
	 * handler then answers 421 4.3.0 (SMTP) or -ERR [SYS/TEMP] (POP3)
	 * and exits 111.  *state_r is handed to every hook and to fini.
	 * Runs after the handler dropped privileges.  May be NULL. */
	int (*init)(const struct cartero_host *host,
	    const struct cartero_conf *section, void **state_r,
	    const char **error_r);
	/* Called once when the session ends normally, in reverse order of
	 * loading; not called when service was refused.  May be NULL. */
	void (*fini)(void *state);
	const struct cartero_filter *filter;	/* NULL: not a filter */
	const struct cartero_auth *auth;	/* NULL: not an auth plugin */
	const struct cartero_store *store;	/* NULL: not a store */
	const struct cartero_tls *tls;		/* the TLS module only */
};

/* Gives a symbol default visibility: the SDK's flags build plugins with
 * -fvisibility=hidden, so only what carries this is exported. */
#define CARTERO_EXPORT __attribute__((visibility("default")))

/* Defines the exported descriptor with abi and size filled in; the
 * arguments are designated initialisers (.name = "hello", ...). */
#define CARTERO_PLUGIN(...) \
	CARTERO_EXPORT const struct cartero_plugin cartero_plugin = { \
		.abi = CARTERO_ABI_VERSION, \
		.size = sizeof(struct cartero_plugin), \
		__VA_ARGS__ \
	}

#endif
