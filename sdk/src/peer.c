/* ISC license. */
/* Peer discovery in the order cartero-smtpd(8) documents. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "peer-internal.h"

static bool
peer_from_sockaddr(struct peer *p, const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &in->sin_addr, p->ip, sizeof p->ip);
		snprintf(p->port, sizeof p->port, "%u", ntohs(in->sin_port));
		p->is_loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
		return true;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
		const struct in6_addr *a = &in6->sin6_addr;
		snprintf(p->port, sizeof p->port, "%u", ntohs(in6->sin6_port));
		if (IN6_IS_ADDR_V4MAPPED(a)) {
			inet_ntop(AF_INET, &a->s6_addr[12], p->ip,
			    sizeof p->ip);
			p->is_loopback = a->s6_addr[12] == 127;
			return true;
		}
		inet_ntop(AF_INET6, a, p->ip, sizeof p->ip);
		p->is_ipv6 = true;
		p->is_loopback = IN6_IS_ADDR_LOOPBACK(a);
		return true;
	}
	return false;
}

/* Takes an address from the environment if it parses as one. */
static bool
peer_from_env(struct peer *p, const char *ipvar, const char *portvar)
{
	const char *ip = getenv(ipvar), *port = getenv(portvar);
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof ss);
	if (ip == NULL)
		return false;
	if (inet_pton(AF_INET, ip,
	    &((struct sockaddr_in *)&ss)->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, ip,
	    &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	else
		return false;
	if (!peer_from_sockaddr(p, &ss))
		return false;
	p->port[0] = '\0';
	if (port != NULL && strlen(port) < sizeof p->port &&
	    strspn(port, "0123456789") == strlen(port))
		strcpy(p->port, port);
	return true;
}

void
peer_discover(struct peer *p, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	memset(p, 0, sizeof *p);
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    peer_from_sockaddr(p, &ss))
		return;
	if (peer_from_env(p, "TCPREMOTEIP", "TCPREMOTEPORT") ||
	    peer_from_env(p, "REMOTE_ADDR", "REMOTE_PORT"))
		return;
	strcpy(p->ip, "unknown");
}
