/* ISC license. */
/* One key=value line per event on fd 2, each with the session id. */
#ifndef LOG_INTERNAL_H
#define LOG_INTERNAL_H

#include <stddef.h>
#include <time.h>

/* Sets the process's session id (16 hex digits) from the kernel's random
 * source; returns it. */
const char *log_session_init(void);
const char *log_session_id(void);
void log_event(const char *event, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Writes src into dst (size n >= 4) as a double-quoted value: control
 * characters, DEL, '"' and '\\' become \xNN or \" \\; truncated with "...".
 * Returns dst. */
const char *log_quote(char *dst, size_t n, const char *src);
/* Fills buf (size n) with n-1 random hex digits. */
void log_random_hex(char *buf, size_t n);
/* Writes t as an RFC 5322 date in UTC ("Sun, 22 Nov 2026 02:42:45
 * +0000") into out (size n), without reading the time zone files. */
void log_date(time_t t, char *out, size_t n);

#endif
