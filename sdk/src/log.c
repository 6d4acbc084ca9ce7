/* ISC license. */
/* The logger: "sid=... event=... key=value ..." lines, one write(2) each. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "log-internal.h"

static char log_sid[17] = "0000000000000000";

void
log_random_hex(char *buf, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[32];
	size_t k = (n - 1 + 1) / 2;

	if (k > sizeof raw)
		k = sizeof raw;
	if (getrandom(raw, k, 0) != (ssize_t)k) {
		/* Not secret, only unique: fall back to time and pid. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned long long x = (unsigned long long)ts.tv_nsec ^
		    ((unsigned long long)ts.tv_sec << 20) ^
		    ((unsigned long long)getpid() << 40);
		for (size_t i = 0; i < k; i++, x = x * 6364136223846793005ULL + 1)
			raw[i] = (unsigned char)(x >> 56);
	}
	for (size_t i = 0; i + 1 < n; i++)
		buf[i] = hex[(raw[i / 2] >> (i % 2 ? 0 : 4)) & 15];
	buf[n - 1] = '\0';
}

const char *
log_session_init(void)
{
	log_random_hex(log_sid, sizeof log_sid);
	return log_sid;
}

const char *
log_session_id(void)
{
	return log_sid;
}

void
log_event(const char *event, const char *fmt, ...)
{
	char buf[2048];
	int saved = errno;
	int n = snprintf(buf, sizeof buf, "sid=%s event=%s", log_sid, event);
	size_t len = (size_t)n;

	if (fmt != NULL && *fmt != '\0' && len + 1 < sizeof buf) {
		va_list ap;
		buf[len++] = ' ';
		va_start(ap, fmt);
		n = vsnprintf(buf + len, sizeof buf - len, fmt, ap);
		va_end(ap);
		if (n > 0)
			len += (size_t)n;
	}
	if (len >= sizeof buf)
		len = sizeof buf - 1;
	buf[len++] = '\n';
	ssize_t w = write(2, buf, len);
	(void)w;
	errno = saved;
}

/* Writes the escaped form of c into tmp; returns its length. */
static size_t
log_escape(unsigned char c, char tmp[4])
{
	static const char hex[] = "0123456789abcdef";

	if (c < 0x20 || c == 0x7f) {
		tmp[0] = '\\';
		tmp[1] = 'x';
		tmp[2] = hex[c >> 4];
		tmp[3] = hex[c & 15];
		return 4;
	}
	if (c == '"' || c == '\\') {
		tmp[0] = '\\';
		tmp[1] = (char)c;
		return 2;
	}
	tmp[0] = (char)c;
	return 1;
}

const char *
log_quote(char *dst, size_t n, const char *src)
{
	char tmp[4];
	size_t o = 0, need = 3;

	/* Room for "..." is kept only when the whole value cannot fit. */
	for (const char *p = src; *p && need <= n; p++)
		need += log_escape((unsigned char)*p, tmp);
	size_t keep = need <= n ? 2 : 5;
	dst[o++] = '"';
	for (; *src; src++) {
		size_t k = log_escape((unsigned char)*src, tmp);
		if (o + k + keep > n) {
			if (o + 5 <= n) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(dst + o, tmp, k);
		o += k;
	}
	dst[o++] = '"';
	dst[o] = '\0';
	return dst;
}

/*
 * The date in UTC (RFC 5322 3.3), by hand: gmtime_r() and strftime() read
 * /etc/localtime (tzset) on first use, seven system calls in every session
 * for a zone this field does not use.  Days to a civil date as in
 * Hinnant's "chrono-compatible low-level date algorithms".
 */
void
log_date(time_t t, char *out, size_t n)
{
	static const char days[] = "ThuFriSatSunMonTueWed";	/* from 1970 */
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	long long z = (long long)t / 86400, sec = (long long)t % 86400;

	if (sec < 0) {
		sec += 86400;
		z--;
	}
	int wday = (int)(((z % 7) + 7) % 7);
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned day = doy - (153 * mp + 2) / 5 + 1;
	unsigned mon = mp < 10 ? mp + 3 : mp - 9;	/* 1..12 */
	long long year = (long long)yoe + era * 400 + (mon <= 2);
	snprintf(out, n, "%.3s, %02u %.3s %lld %02d:%02d:%02d +0000",
	    days + 3 * wday, day, months + 3 * (mon - 1), year,
	    (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
}
