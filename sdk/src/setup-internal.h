/* ISC license. */
/* What every handler does before it serves: configuration and privileges. */
#ifndef SETUP_INTERNAL_H
#define SETUP_INTERNAL_H

#include "conf-internal.h"

/* Exit codes shared by the handlers (cartero-smtpd(8)). */
#define EXIT_USAGE 100
#define EXIT_TEMP 111
#define EXIT_BUG 101

/*
 * Loads the configuration (path, else $CARTERO_CONF, else
 * /etc/cartero/cartero.conf) and checks every section and key of the core
 * schema (cartero.conf(5)); [plugin], [domain] and [relay] sections are
 * checked when their plugin loads.  0, or -1 with *error_r naming file and
 * line.
 */
int setup_conf(struct conf *c, const char *path, const char **error_r);
/* Points fd 2 at /dev/null when it is the connection itself (inetd), so
 * that log lines never reach the client. */
void setup_log_fd(void);
/* Switches to the configured user when running as root; before the
 * network is read. */
int setup_drop_privileges(const struct conf *c, const char **error_r);
/* With proxy_protocol = yes in [section], reads the PROXY header from fd
 * 0 (only from a peer in proxy_trusted) and replaces p with the client it
 * names.  1 when it did, 0 when proxy_protocol is off, or -1 with
 * *error_r: the connection must then be closed.  After a 1, whatever the
 * launcher said about its peer (RELAYCLIENT) was said of the balancer. */
struct peer;
int setup_proxy(const struct conf *c, const char *section, struct peer *p,
    int timeout_sec, const char **error_r);
/* The hostname key, else gethostname(). */
const char *setup_hostname(const struct conf *c);

#endif
