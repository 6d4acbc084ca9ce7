/* ISC license. */
/* Every reply the handlers can give, defined once in reply-table.c. */
#ifndef REPLY_INTERNAL_H
#define REPLY_INTERNAL_H

#include <stddef.h>

#include <cartero/reply.h>

#define REPLY_LIST(X) \
	X(REPLY_OK,             250, "2.0.0", "Ok") \
	X(REPLY_RESET,          250, "2.0.0", "Reset state") \
	X(REPLY_SENDER_OK,      250, "2.1.0", "Sender ok") \
	X(REPLY_RCPT_OK,        250, "2.1.5", "Recipient ok") \
	X(REPLY_QUEUED,         250, "2.0.0", "Ok: queued as") \
	X(REPLY_DELIVERED,      250, "2.0.0", "Ok: delivered as") \
	X(REPLY_CHUNK_OK,       250, "2.0.0", "Ok: octets received:") \
	X(REPLY_BYE,            221, "2.0.0", "Bye") \
	X(REPLY_TLS_GO,         220, "2.0.0", "Ready to start TLS") \
	X(REPLY_AUTH_OK,        235, "2.7.0", "Authentication successful") \
	X(REPLY_HELP,           214, "2.0.0", "Commands: HELO EHLO AUTH MAIL RCPT DATA BDAT RSET NOOP QUIT HELP VRFY EXPN; see RFC 5321") \
	X(REPLY_VRFY,           252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery") \
	X(REPLY_EXPN,           252, "2.5.0", "Cannot EXPN list, but will accept message and attempt delivery") \
	X(REPLY_DATA_GO,        354, NULL,    "End data with <CR><LF>.<CR><LF>") \
	X(REPLY_TIMEOUT,        421, "4.4.2", "Timeout exceeded, closing connection") \
	X(REPLY_TOO_MANY_ERRORS,421, "4.7.0", "Too many errors, closing connection") \
	X(REPLY_UNAVAILABLE,    421, "4.3.0", "Service temporarily unavailable") \
	X(REPLY_TEMP_FAIL,      451, "4.3.0", "Temporary failure, message not accepted; try again later") \
	X(REPLY_LOOKUP_FAIL,    451, "4.3.0", "Temporary recipient lookup failure; try again later") \
	X(REPLY_PLUGIN_BUG,     451, "4.3.0", "Internal filter error; try again later") \
	X(REPLY_FILTER_DEFER,   451, "4.7.1", "Temporarily rejected by policy; try again later") \
	X(REPLY_TOO_MANY_RCPTS, 452, "4.5.3", "Too many recipients") \
	X(REPLY_AUTH_TEMP,      454, "4.7.0", "Temporary authentication failure") \
	X(REPLY_TLS_UNAVAILABLE,454, "4.7.0", "TLS not available due to temporary reason") \
	X(REPLY_TLS_ACTIVE,     503, "5.5.1", "TLS already active") \
	X(REPLY_STARTTLS_IN_TXN,503, "5.5.1", "STARTTLS not allowed during a mail transaction") \
	X(REPLY_AUTH_TOO_MANY,  421, "4.7.0", "Too many authentication failures, closing connection") \
	X(REPLY_AUTH_TOO_LONG,  500, "5.5.6", "Authentication exchange line is too long") \
	X(REPLY_AUTH_CANCELLED, 501, "5.0.0", "Authentication cancelled") \
	X(REPLY_AUTH_BAD_BASE64,501, "5.5.2", "Invalid base64 data") \
	X(REPLY_AUTH_BAD_INITIAL,501, "5.7.0", "No initial response allowed with this mechanism") \
	X(REPLY_AUTH_UNAVAILABLE,502, "5.5.1", "AUTH not available") \
	X(REPLY_AUTH_TWICE,     503, "5.5.1", "Already authenticated") \
	X(REPLY_AUTH_IN_TXN,    503, "5.5.1", "AUTH not allowed during a mail transaction") \
	X(REPLY_AUTH_BAD_MECH,  504, "5.5.4", "Unrecognized authentication type") \
	X(REPLY_AUTH_FAILED,    535, "5.7.8", "Authentication credentials invalid") \
	X(REPLY_AUTH_NEEDS_TLS, 538, "5.7.11", "Encryption required for requested authentication mechanism") \
	X(REPLY_UNKNOWN,        500, "5.5.2", "Command not recognized") \
	X(REPLY_LINE_TOO_LONG,  500, "5.5.2", "Line too long") \
	X(REPLY_BARE_EOL,       500, "5.5.2", "Command line not terminated by CRLF (bare CR or LF)") \
	X(REPLY_NUL,            500, "5.5.2", "NUL character in command") \
	X(REPLY_NEED_NO_ARG,    501, "5.5.4", "This command takes no argument") \
	X(REPLY_NEED_ARG,       501, "5.5.4", "This command needs an argument") \
	X(REPLY_BAD_ARG,        501, "5.5.4", "Syntax error in parameters or arguments") \
	X(REPLY_BAD_HELO,       501, "5.5.4", "Invalid domain name or address literal") \
	X(REPLY_BAD_SENDER,     501, "5.1.7", "Bad sender address syntax") \
	X(REPLY_BAD_RCPT,       501, "5.1.3", "Bad recipient address syntax") \
	X(REPLY_PATH_TOO_LONG,  501, "5.1.3", "Path too long") \
	X(REPLY_BAD_PARAM,      501, "5.5.4", "Invalid parameter value") \
	X(REPLY_DUP_PARAM,      501, "5.5.4", "Duplicate parameter") \
	X(REPLY_OBSOLETE,       502, "5.5.1", "Obsolete command, not implemented (RFC 5321)") \
	X(REPLY_NEED_HELO,      503, "5.5.1", "Send HELO/EHLO first") \
	X(REPLY_NEED_LHLO,      503, "5.5.1", "Send LHLO first") \
	X(REPLY_NEED_MAIL,      503, "5.5.1", "Need MAIL command first") \
	X(REPLY_NESTED_MAIL,    503, "5.5.1", "Sender already specified") \
	X(REPLY_DATA_AFTER_BDAT,503, "5.5.1", "DATA not allowed after BDAT in one transaction") \
	X(REPLY_BDAT_PENDING,   503, "5.5.1", "BDAT transfer in progress; send BDAT or RSET") \
	X(REPLY_SESSION_REJECTED,503, "5.5.1", "Session rejected, only QUIT is allowed") \
	X(REPLY_AUTH_REQUIRED,  530, "5.7.0", "Authentication required") \
	X(REPLY_NO_SUCH_USER,   550, "5.1.1", "No such user here") \
	X(REPLY_RELAY_DENIED,   550, "5.7.1", "Relaying denied") \
	X(REPLY_TOO_BIG,        552, "5.3.4", "Message size exceeds fixed maximum message size") \
	X(REPLY_UTF8_NEEDED,    553, "5.6.7", "Non-ASCII address needs the SMTPUTF8 parameter") \
	X(REPLY_BAD_UTF8,       553, "5.6.7", "Malformed UTF-8 in address") \
	X(REPLY_NO_VALID_RCPTS, 554, "5.5.1", "No valid recipients") \
	X(REPLY_BARE_EOL_DATA,  554, "5.6.0", "Message has a bare CR or LF; lines must end with CRLF") \
	X(REPLY_FILTER_REJECT,  554, "5.7.1", "Rejected by policy") \
	X(REPLY_UNKNOWN_PARAM,  555, "5.5.4", "Unsupported MAIL or RCPT parameter")

/*
 * POP3 replies: code 200 is "+OK", 400 and 500 are "-ERR" (temporary and
 * permanent, for the logs), status is the RFC 2449/3206 response code.
 */
#define POP3_REPLY_LIST(X) \
	X(POP3_OK,              200, NULL,       "") \
	X(POP3_READY,           200, NULL,       "cartero POP3 ready") \
	X(POP3_USER_OK,         200, NULL,       "Send PASS") \
	X(POP3_BYE,             200, NULL,       "cartero POP3 signing off") \
	X(POP3_DELETED,         200, NULL,       "Message deleted") \
	X(POP3_CAPA,            200, NULL,       "Capability list follows") \
	X(POP3_LIST,            200, NULL,       "Scan listing follows") \
	X(POP3_UIDL,            200, NULL,       "Unique-ID listing follows") \
	X(POP3_RETR,            200, NULL,       "Message follows") \
	X(POP3_IN_USE,          400, "IN-USE",   "Maildrop is locked by another session") \
	X(POP3_SYS_TEMP,        400, "SYS/TEMP", "Temporary system problem; try again later") \
	X(POP3_AUTH_BACKEND,    400, "SYS/TEMP", "Authentication backend unavailable; try again later") \
	X(POP3_NOT_REMOVED,     400, "SYS/TEMP", "Some deleted messages not removed") \
	X(POP3_UNAVAILABLE,     400, "SYS/TEMP", "Service temporarily unavailable") \
	X(POP3_AUTH_FAILED,     500, "AUTH",     "Authentication failed") \
	X(POP3_TOO_MANY_FAILURES,500, "AUTH",    "Too many authentication failures; closing") \
	X(POP3_NEED_USER,       500, NULL,       "USER first") \
	X(POP3_NEED_TLS,        500, "AUTH",     "Plaintext authentication disallowed on non-secure connections; use STLS") \
	X(POP3_TLS_GO,          200, NULL,       "Begin TLS negotiation") \
	X(POP3_TLS_ACTIVE,      500, NULL,       "TLS already active") \
	X(POP3_TLS_UNAVAILABLE, 400, "SYS/TEMP", "TLS not available") \
	X(POP3_AUTH_CANCELLED,  500, NULL,       "Authentication cancelled") \
	X(POP3_AUTH_BAD_BASE64, 500, NULL,       "Invalid base64 data") \
	X(POP3_AUTH_BAD_MECH,   500, NULL,       "Unrecognized authentication type") \
	X(POP3_NO_APOP,         500, "AUTH",     "APOP is not available") \
	X(POP3_UNKNOWN,         500, NULL,       "Unknown command") \
	X(POP3_WRONG_STATE,     500, NULL,       "Command not valid in this state") \
	X(POP3_SYNTAX,          500, NULL,       "Syntax error in arguments") \
	X(POP3_LINE_TOO_LONG,   500, NULL,       "Line too long") \
	X(POP3_BARE_EOL,        500, NULL,       "Command line not terminated by CRLF") \
	X(POP3_NUL,             500, NULL,       "NUL character in command") \
	X(POP3_NO_SUCH_MESSAGE, 500, NULL,       "No such message") \
	X(POP3_ALREADY_DELETED, 500, NULL,       "Message already deleted") \
	X(POP3_TOO_MANY_ERRORS, 500, NULL,       "Too many errors; closing")

#define REPLY_DECLARE(name, code, status, text) \
	extern const struct cartero_reply name;
REPLY_LIST(REPLY_DECLARE)
POP3_REPLY_LIST(REPLY_DECLARE)
#undef REPLY_DECLARE

#endif
