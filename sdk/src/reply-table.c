/* ISC license. */
/* The reply constants: the one list of what cartero can answer. */
#include "reply-internal.h"

#define REPLY_DEFINE(name, c, st, t) \
	const struct cartero_reply name = { .code = c, .status = st, .text = t };
REPLY_LIST(REPLY_DEFINE)
POP3_REPLY_LIST(REPLY_DEFINE)
