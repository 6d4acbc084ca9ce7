/* ISC license. */
/* Who the client is: getpeername(0), else ucspi-tcp or systemd variables. */
#ifndef PEER_INTERNAL_H
#define PEER_INTERNAL_H

#include <stdbool.h>

struct peer {
	char ip[46];		/* "unknown" when nothing says */
	char port[6];		/* "" when unknown */
	bool is_ipv6;
	bool is_loopback;
};

void peer_discover(struct peer *p, int fd);

#endif
