/* ISC license. */
/* The HAProxy PROXY protocol, v1 and v2, read before the greeting. */
#ifndef PROXY_INTERNAL_H
#define PROXY_INTERNAL_H

#include "io-internal.h"
#include "peer-internal.h"

/*
 * Reads one PROXY v1 or v2 header from the socket fd within timeout_sec
 * and, for a PROXY command, replaces p with the client it names; a v2
 * LOCAL command (a health check) or "PROXY UNKNOWN" keeps p.  Not one
 * byte after the header is read, so implicit TLS can follow.  0, or -1
 * with *error_r for a missing, malformed or truncated header.
 */
int proxy_read(int fd, struct peer *p, int timeout_sec, const char **error_r);

#endif
