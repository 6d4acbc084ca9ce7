/* ISC license. */
/* Host side of TLS: loads plugins/tls.so on demand, plugs it under io. */
#include <stdio.h>
#include <unistd.h>

#include "plugin-internal.h"
#include "session-internal.h"
#include "log-internal.h"
#include "tls-internal.h"

static const struct cartero_tls *tls_layer;
static struct io_ops tls_ops;

bool
tls_available(const struct conf *c)
{
	const struct cartero_conf *sec = conf_section(c, "tls", "");
	const char *cert = conf_path(sec, "cert"), *key = conf_path(sec, "key");

	return cert != NULL && key != NULL && access(cert, R_OK) == 0 &&
	    access(key, R_OK) == 0;
}

int
tls_prepare(const struct conf *c, void **ctx_r, const char **error_r)
{
	if (!tls_available(c)) {
		*error_r = "no readable certificate and key in [tls]";
		return -1;
	}
	struct plugin *p = plugin_get(c, "tls", PLUGIN_TLS, &session_host,
	    error_r);
	if (p == NULL)
		return -1;
	tls_layer = p->desc->tls;
	return tls_layer->server_new(p->state, conf_section(c, "tls", ""),
	    ctx_r, error_r);
}

int
tls_start(struct io *io, const struct conf *c, int timeout_sec,
    struct tls_info *info_r, const char **error_r)
{
	void *ctx;

	if (tls_prepare(c, &ctx, error_r) < 0)
		return -1;
	return tls_handshake(io, ctx, timeout_sec, info_r, error_r);
}

int
tls_handshake(struct io *io, void *ctx, int timeout_sec,
    struct tls_info *info_r, const char **error_r)
{
	if (io_flush(io) < 0 || tls_layer->handshake(ctx, io->fd_in,
	    io->fd_out, timeout_sec > 0 ? timeout_sec * 1000 : -1,
	    error_r) < 0) {
		tls_layer->close(ctx);
		return -1;
	}
	tls_ops.read = tls_layer->read;
	tls_ops.write = tls_layer->write;
	tls_ops.pending = tls_layer->pending;
	io->ops = &tls_ops;
	io->ctx = ctx;
	info_r->version = tls_layer->version(ctx);
	info_r->cipher = tls_layer->cipher(ctx);
	info_r->peer = tls_layer->peer(ctx);
	return 0;
}

static void
tls_log_ready(const struct tls_info *info)
{
	char q[600];

	log_event("tls", "version=%s cipher=%s peer=%s", info->version,
	    info->cipher, log_quote(q, sizeof q, info->peer ? info->peer : ""));
}

static void
tls_log_failed(const char *ip, const char *err)
{
	char q[300];

	log_event("tls-failed", "ip=%s error=%s", ip,
	    log_quote(q, sizeof q, err));
}

enum tls_upgrade
tls_upgrade(struct io *io, const struct conf *c, int timeout_sec,
    const char *ip, void (*go_ahead)(void *arg), void *arg,
    struct tls_info *info_r)
{
	const char *err;
	void *ctx;

	if (tls_prepare(c, &ctx, &err) < 0) {
		tls_log_failed(ip, err);
		return TLS_UPGRADE_REFUSED;
	}
	size_t dropped = io_discard_input(io);
	if (dropped > 0)
		log_event("starttls-injection", "ip=%s dropped=%zu", ip,
		    dropped);
	go_ahead(arg);
	if (tls_handshake(io, ctx, timeout_sec, info_r, &err) < 0) {
		tls_log_failed(ip, err);
		return TLS_UPGRADE_FAILED;
	}
	tls_log_ready(info_r);
	return TLS_UPGRADE_OK;
}

int
tls_implicit(struct io *io, const struct conf *c, int timeout_sec,
    const char *ip, struct tls_info *info_r)
{
	const char *err;

	if (tls_start(io, c, timeout_sec, info_r, &err) < 0) {
		tls_log_failed(ip, err);
		return -1;
	}
	tls_log_ready(info_r);
	return 0;
}

void
tls_end(struct io *io)
{
	if (io->ops != &tls_ops)
		return;
	io_flush(io);
	tls_layer->close(io->ctx);
	io->ops = NULL;
	io->ctx = NULL;
}
