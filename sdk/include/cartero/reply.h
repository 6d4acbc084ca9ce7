/* ISC license. */
/* Replies and verdicts: what a plugin answers and what the client hears. */
#ifndef CARTERO_REPLY_H
#define CARTERO_REPLY_H

/*
 * A protocol reply: a three-digit code, an RFC 3463 enhanced status code
 * ("5.7.1", or NULL for none) and a one-line text without CR or LF.  The
 * strings are borrowed: a plugin that fills one in keeps them valid until
 * its next hook call (string literals, or its own static buffers).  The
 * host copies what it sends.  A filter's reply with a code but no status
 * gets "5.7.1" or "4.7.1".  For a POP3 store, status "IN-USE" from
 * maildrop_open becomes "-ERR [IN-USE]"; any other failure is
 * "-ERR [SYS/TEMP]".
 */
struct cartero_reply {
	short code;
	const char *status;
	const char *text;
};

/*
 * What a decision hook answers.  CONTINUE passes to the next plugin in the
 * chain; ACCEPT ends the chain favourably (any reply it fills in is not
 * used); REJECT is permanent and needs a 5xx reply; DEFER is temporary
 * and needs a 4xx reply.  A plugin that pairs REJECT with a 4xx code or
 * DEFER with a 5xx code is logged as buggy (event=plugin-bug) and the
 * client hears 451 4.3.0, so temporary and permanent cannot be mixed up.
 * A REJECT or DEFER whose reply code is 0 gets a default reply (554 5.7.1
 * or 451 4.7.1).  The values are ABI: new ones go only at the end.
 */
enum cartero_verdict {
	CARTERO_CONTINUE = 0,
	CARTERO_ACCEPT,
	CARTERO_REJECT,
	CARTERO_DEFER
};

#endif
