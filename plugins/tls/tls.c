/* ISC license. */
/* The TLS module: GnuTLS, loaded only when a session asks for TLS. */
#include <errno.h>
#include <sys/stat.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartero/cartero.h>

/* TLS 1.2 and 1.3 only, unless [tls] priority says otherwise (RFC 8997). */
#define TLS_PRIORITY_DEFAULT "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

/* In [tls] sni_dir, each server name's folder holds these (certbot's
 * live/NAME layout). */
#define TLS_SNI_CERT "fullchain.pem"
#define TLS_SNI_KEY "privkey.pem"

struct tls_ctx {
	gnutls_session_t session;
	bool is_client, verify;
	char servername[256];
	gnutls_certificate_credentials_t cred;
	gnutls_certificate_credentials_t sni_cred;	/* the name's own */
	gnutls_priority_t priority;
	const char *cert, *key;		/* [tls]'s own pair */
	const char *sni_dir, *ca;	/* from [tls]; NULL when not set */
	bool has_ca;
	bool is_sni_done;		/* the first hello was looked at */
	char sni_name[256];		/* the name whose folder is used */
	char version[32];
	char peer[512];
};

static const struct cartero_host *host;
static char tls_error[600];

static int
tls_init(const struct cartero_host *h, const struct cartero_conf *sec,
    void **state_r, const char **error_r)
{
	(void)sec;
	host = h;
	if (gnutls_global_init() < 0) {
		*error_r = "gnutls_global_init failed";
		return -1;
	}
	*state_r = NULL;
	return 0;
}

static const char *
tls_fail(const char *what, const char *path, int r)
{
	snprintf(tls_error, sizeof tls_error, "%s%s%.400s: %s", what,
	    path ? " " : "", path ? path : "", gnutls_strerror(r));
	return tls_error;
}

static void
tls_free(struct tls_ctx *t)
{
	if (t->session)
		gnutls_deinit(t->session);
	if (t->priority)
		gnutls_priority_deinit(t->priority);
	if (t->cred)
		gnutls_certificate_free_credentials(t->cred);
	if (t->sni_cred)
		gnutls_certificate_free_credentials(t->sni_cred);
	free(t);
}

/*
 * GnuTLS checks that a key fits its certificate by signing and verifying
 * a test message: for RSA 2048 that is 40% of a whole STARTTLS session,
 * paid in every session since each handler loads the key anew.  The same
 * answer, without the signature: the key's public half and the
 * certificate's must have the same key id (a hash of the public key).
 */
static int
tls_key_match(gnutls_certificate_credentials_t cred)
{
	gnutls_x509_privkey_t pk = NULL;
	gnutls_x509_crt_t *crts = NULL;
	unsigned ncrt = 0;
	unsigned char a[64], b[64];
	size_t na = sizeof a, nb = sizeof b;
	int r;

	if ((r = gnutls_certificate_get_x509_key(cred, 0, &pk)) < 0)
		return r;
	if ((r = gnutls_certificate_get_x509_crt(cred, 0, &crts, &ncrt)) < 0) {
		gnutls_x509_privkey_deinit(pk);
		return r;
	}
	if (ncrt == 0)
		r = GNUTLS_E_CERTIFICATE_KEY_MISMATCH;
	else if ((r = gnutls_x509_privkey_get_key_id(pk,
	    GNUTLS_KEYID_USE_SHA256, a, &na)) >= 0 &&
	    (r = gnutls_x509_crt_get_key_id(crts[0], GNUTLS_KEYID_USE_SHA256,
	    b, &nb)) >= 0 && (na != nb || memcmp(a, b, na) != 0))
		r = GNUTLS_E_CERTIFICATE_KEY_MISMATCH;
	for (unsigned i = 0; i < ncrt; i++)
		gnutls_x509_crt_deinit(crts[i]);
	gnutls_free(crts);
	gnutls_x509_privkey_deinit(pk);
	return r;
}

/* Credentials with one certificate chain and its key (and ca, to ask for
 * client certificates); 0, or a GnuTLS error with *what_r the file. */
static int
tls_cred_load(gnutls_certificate_credentials_t *cred_r, const char *cert,
    const char *key, const char *ca, const char **what_r)
{
	int r;

	*what_r = cert;
	if ((r = gnutls_certificate_allocate_credentials(cred_r)) < 0)
		return r;
	gnutls_certificate_set_flags(*cred_r,
	    GNUTLS_CERTIFICATE_SKIP_KEY_CERT_MATCH);
	if ((r = gnutls_certificate_set_x509_key_file(*cred_r, cert, key,
	    GNUTLS_X509_FMT_PEM)) < 0 || (r = tls_key_match(*cred_r)) < 0)
		return r;
	*what_r = ca;
	if (ca != NULL && (r = gnutls_certificate_set_x509_trust_file(*cred_r,
	    ca, GNUTLS_X509_FMT_PEM)) < 0)
		return r;
	return 0;
}

/*
 * A server name as a folder name: RFC 6066 3's host name, letters,
 * digits, '-' and '.', made lower case; no empty label, so no ".." and no
 * leading dot.  false for anything else, which then gets the default
 * certificate.
 */
static bool
tls_sni_name_ok(char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 253 || name[0] == '.' || name[n - 1] == '.' ||
	    strstr(name, "..") != NULL ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			name[i] = (char)(name[i] - 'A' + 'a');
	return true;
}

/* sni_dir/NAME, else sni_dir/ *.PARENT, when it is a folder. */
static bool
tls_sni_find(const struct tls_ctx *t, const char *name, char *dir,
    size_t n)
{
	const char *dot = strchr(name, '.');
	struct stat st;

	if ((size_t)snprintf(dir, n, "%s/%s", t->sni_dir, name) < n &&
	    stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return true;
	return dot != NULL && (size_t)snprintf(dir, n, "%s/*%s", t->sni_dir,
	    dot) < n && stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * After the client's hello, before the server picks its certificate: the
 * name the client asked for (SNI, RFC 6066 3) chooses a folder of
 * sni_dir.  Whatever goes wrong here is logged and the handshake goes on
 * with the default certificate, which was checked before the go-ahead.
 */
static int
tls_client_hello(gnutls_session_t session)
{
	struct tls_ctx *t = gnutls_session_get_ptr(session);
	char name[256], q[1300], dir[4096], cert[4200], key[4200];
	size_t n = sizeof name;
	unsigned type;
	const char *what;
	int r;

	/* A second hello (after a HelloRetryRequest) asks for the same. */
	if (t->is_sni_done)
		return 0;
	t->is_sni_done = true;
	if (gnutls_server_name_get(session, name, &n, &type, 0) < 0 ||
	    type != GNUTLS_NAME_DNS)
		return 0;
	if (!tls_sni_name_ok(name)) {
		host->log(NULL, "tls-sni", "name=%s cert=default "
		    "error=\"not a host name\"",
		    host->log_quote(q, sizeof q, name));
		return 0;
	}
	if (!tls_sni_find(t, name, dir, sizeof dir)) {
		host->log(NULL, "tls-sni", "name=%s cert=default", name);
		return 0;
	}
	snprintf(cert, sizeof cert, "%s/" TLS_SNI_CERT, dir);
	snprintf(key, sizeof key, "%s/" TLS_SNI_KEY, dir);
	/* The name's pair first, [tls]'s second: GnuTLS serves the name's
	 * unless it cannot serve this client (a TLS 1.3 client and an RSA
	 * key for encipherment only, an ECDSA key and an RSA-only client),
	 * and then falls back to the default instead of failing. */
	if ((r = tls_cred_load(&t->sni_cred, cert, key, t->ca, &what)) < 0) {
		host->log(NULL, "tls-sni", "name=%s cert=default error=%s",
		    name, host->log_quote(q, sizeof q,
		    tls_fail("certificate", what, r)));
		return 0;
	}
	if ((r = gnutls_certificate_set_x509_key_file(t->sni_cred, t->cert,
	    t->key, GNUTLS_X509_FMT_PEM)) < 0 ||
	    (r = gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE,
	    t->sni_cred)) < 0) {
		host->log(NULL, "tls-sni", "name=%s cert=default error=%s",
		    name, host->log_quote(q, sizeof q,
		    tls_fail("credentials", NULL, r)));
		return 0;
	}
	snprintf(t->sni_name, sizeof t->sni_name, "%s", name);
	host->log(NULL, "tls-sni", "name=%s cert=%s", name,
	    host->log_quote(q, sizeof q, cert));
	return 0;
}

/* After the handshake: whether the name's certificate is the one sent. */
static bool
tls_sni_served(const struct tls_ctx *t)
{
	const gnutls_datum_t *ours = gnutls_certificate_get_ours(t->session);
	gnutls_datum_t mine;

	return ours != NULL && gnutls_certificate_get_crt_raw(t->sni_cred, 0,
	    0, &mine) >= 0 && ours->size == mine.size &&
	    memcmp(ours->data, mine.data, mine.size) == 0;
}

static int
tls_server_new(void *state, const struct cartero_conf *sec, void **ctx_r,
    const char **error_r)
{
	struct tls_ctx *t = calloc(1, sizeof *t);
	const char *cert = host->conf_path(sec, "cert");
	const char *key = host->conf_path(sec, "key");
	const char *ca = host->conf_path(sec, "ca");
	const char *prio = host->conf_get(sec, "priority");
	const char *errpos = NULL, *what;
	int r;

	(void)state;
	if (t == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	if (cert == NULL || key == NULL) {
		*error_r = "[tls] needs cert and key";
		tls_free(t);
		return -1;
	}
	if ((r = tls_cred_load(&t->cred, cert, key, ca, &what)) < 0) {
		*error_r = tls_fail(what == ca ? "ca" : "certificate", what, r);
		tls_free(t);
		return -1;
	}
	t->cert = cert;
	t->key = key;
	t->ca = ca;
	t->has_ca = ca != NULL;
	t->sni_dir = host->conf_path(sec, "sni_dir");
	if (prio == NULL || strcmp(prio, "NORMAL") == 0)
		prio = TLS_PRIORITY_DEFAULT;
	if ((r = gnutls_priority_init(&t->priority, prio, &errpos)) < 0) {
		*error_r = tls_fail("priority", errpos, r);
		tls_free(t);
		return -1;
	}
	if ((r = gnutls_init(&t->session, GNUTLS_SERVER)) < 0 ||
	    (r = gnutls_priority_set(t->session, t->priority)) < 0 ||
	    (r = gnutls_credentials_set(t->session, GNUTLS_CRD_CERTIFICATE,
	    t->cred)) < 0) {
		*error_r = tls_fail("session", NULL, r);
		tls_free(t);
		return -1;
	}
	if (t->has_ca)
		gnutls_certificate_server_set_request(t->session,
		    GNUTLS_CERT_REQUEST);
	if (t->sni_dir != NULL) {
		gnutls_session_set_ptr(t->session, t);
		gnutls_handshake_set_post_client_hello_function(t->session,
		    tls_client_hello);
	}
	*ctx_r = t;
	return 0;
}

/* A client session, for stores that hand mail to a next hop. */
static int
tls_client_new(void *state, const char *servername, const char *ca,
    int verify, void **ctx_r, const char **error_r)
{
	struct tls_ctx *t = calloc(1, sizeof *t);
	const char *errpos = NULL;
	int r;

	(void)state;
	if (t == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	t->is_client = true;
	t->verify = verify != 0;
	snprintf(t->servername, sizeof t->servername, "%s",
	    servername ? servername : "");
	if ((r = gnutls_certificate_allocate_credentials(&t->cred)) < 0 ||
	    (r = ca ? gnutls_certificate_set_x509_trust_file(t->cred, ca,
	    GNUTLS_X509_FMT_PEM) : gnutls_certificate_set_x509_system_trust(
	    t->cred)) < 0) {
		*error_r = tls_fail("trust", ca, r);
		tls_free(t);
		return -1;
	}
	if ((r = gnutls_priority_init(&t->priority, TLS_PRIORITY_DEFAULT,
	    &errpos)) < 0 ||
	    (r = gnutls_init(&t->session, GNUTLS_CLIENT)) < 0 ||
	    (r = gnutls_priority_set(t->session, t->priority)) < 0 ||
	    (r = gnutls_credentials_set(t->session, GNUTLS_CRD_CERTIFICATE,
	    t->cred)) < 0) {
		*error_r = tls_fail("client session", NULL, r);
		tls_free(t);
		return -1;
	}
	if (t->servername[0] != '\0') {
		gnutls_server_name_set(t->session, GNUTLS_NAME_DNS,
		    t->servername, strlen(t->servername));
		if (t->verify)
			gnutls_session_set_verify_cert(t->session,
			    t->servername, 0);
	}
	*ctx_r = t;
	return 0;
}

/* Keeps the subject of a client certificate that verified against ca. */
static void
tls_check_peer(struct tls_ctx *t)
{
	unsigned status = 1, n = 0;
	gnutls_x509_crt_t crt;
	gnutls_datum_t dn = { NULL, 0 };

	if (t->is_client || !t->has_ca ||
	    gnutls_certificate_verify_peers2(t->session, &status) < 0 ||
	    status != 0)
		return;
	const gnutls_datum_t *list = gnutls_certificate_get_peers(t->session,
	    &n);
	if (list == NULL || n == 0 || gnutls_x509_crt_init(&crt) < 0)
		return;
	if (gnutls_x509_crt_import(crt, &list[0], GNUTLS_X509_FMT_DER) == 0 &&
	    gnutls_x509_crt_get_dn2(crt, &dn) == 0) {
		snprintf(t->peer, sizeof t->peer, "%.*s", (int)dn.size,
		    (const char *)dn.data);
		gnutls_free(dn.data);
	}
	gnutls_x509_crt_deinit(crt);
}

static int
tls_handshake(void *ctx, int fd_in, int fd_out, int timeout_ms,
    const char **error_r)
{
	struct tls_ctx *t = ctx;
	int r;

	gnutls_transport_set_int2(t->session, fd_in, fd_out);
	gnutls_handshake_set_timeout(t->session, timeout_ms > 0
	    ? (unsigned)timeout_ms : GNUTLS_DEFAULT_HANDSHAKE_TIMEOUT);
	do
		r = gnutls_handshake(t->session);
	while (r < 0 && gnutls_error_is_fatal(r) == 0);
	if (r < 0) {
		*error_r = tls_fail("handshake", NULL, r);
		return -1;
	}
	const char *v = gnutls_protocol_get_name(
	    gnutls_protocol_get_version(t->session));
	/* "TLS1.3" -> "TLSv1.3", the spelling of Received: fields. */
	if (v != NULL && strncmp(v, "TLS", 3) == 0)
		snprintf(t->version, sizeof t->version, "TLSv%s", v + 3);
	else
		snprintf(t->version, sizeof t->version, "%s", v ? v : "?");
	tls_check_peer(t);
	if (t->sni_name[0] != '\0' && !tls_sni_served(t))
		host->log(NULL, "tls-sni", "name=%s cert=default error=\"the "
		    "name's certificate does not suit this client\"",
		    t->sni_name);
	return 0;
}

static ssize_t
tls_read(void *ctx, void *buf, size_t n, int timeout_ms)
{
	struct tls_ctx *t = ctx;

	gnutls_record_set_timeout(t->session, timeout_ms < 0
	    ? GNUTLS_INDEFINITE_TIMEOUT : (unsigned)timeout_ms);
	ssize_t r = gnutls_record_recv(t->session, buf, n);
	if (r >= 0)
		return r;
	switch (r) {
	case GNUTLS_E_TIMEDOUT:
		errno = ETIMEDOUT;
		break;
	case GNUTLS_E_AGAIN:
	case GNUTLS_E_INTERRUPTED:
		errno = EAGAIN;
		break;
	case GNUTLS_E_PREMATURE_TERMINATION:
		return 0;	/* TCP closed without close_notify */
	default:
		errno = EIO;
	}
	return -1;
}

static ssize_t
tls_write(void *ctx, const void *buf, size_t n)
{
	struct tls_ctx *t = ctx;
	ssize_t r;

	do
		r = gnutls_record_send(t->session, buf, n);
	while (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED);
	if (r < 0) {
		errno = EIO;
		return -1;
	}
	return r;
}

static size_t
tls_pending(void *ctx)
{
	return gnutls_record_check_pending(((struct tls_ctx *)ctx)->session);
}

static const char *
tls_version(void *ctx)
{
	return ((struct tls_ctx *)ctx)->version;
}

static const char *
tls_cipher(void *ctx)
{
	const char *c = gnutls_ciphersuite_get(((struct tls_ctx *)ctx)->session);

	return c ? c : "unknown";
}

static const char *
tls_peer(void *ctx)
{
	struct tls_ctx *t = ctx;

	return t->peer[0] ? t->peer : NULL;
}

static void
tls_close(void *ctx)
{
	struct tls_ctx *t = ctx;

	/* close_notify (RFC 8314 3.4); the peer may be gone already. */
	gnutls_handshake_set_timeout(t->session, 1000);
	gnutls_bye(t->session, GNUTLS_SHUT_WR);
	tls_free(t);
}

static const struct cartero_tls tls_layer = {
	.server_new = tls_server_new,
	.handshake = tls_handshake,
	.read = tls_read,
	.write = tls_write,
	.pending = tls_pending,
	.version = tls_version,
	.cipher = tls_cipher,
	.peer = tls_peer,
	.close = tls_close,
	.client_new = tls_client_new,
};

CARTERO_PLUGIN(
	.name = "tls",
	.init = tls_init,
	.tls = &tls_layer,
);
