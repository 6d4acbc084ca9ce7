/* ISC license. */
/*
 * Fuzz target: SCRAM-SHA-256's message parsers (sdk/src/scram.c).  Input:
 * the client-first message, a NUL, the client-final message (a missing
 * NUL: all of it is client-first, then the RFC 7677 client-final).  What
 * a taken client-first must hold: the GS2 header then the bare message
 * are the input, the user is non-empty and NUL-free, the nonce printable
 * and at most SCRAM_NONCE_MAX; client-final answers -1, 0 or 1, and 1
 * only for a message whose nonce is the combined one.  Iterations: 1, so
 * that each run is cheap (the count does not change any parsing).
 */
#include <string.h>

#include "../../sdk/src/scram-internal.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char salt[16] = "0123456789abcdef";
	static const char rfc_final[] = "c=biws,r=rOprNGfwEbeRWgbNEkqO"
	    "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgs"
	    "qmmiz7AndVQ=";
	const char *first = (const char *)data, *final = rfc_final;
	size_t nfirst = size, nfinal = sizeof rfc_final - 1;
	const uint8_t *nul = memchr(data, '\0', size);
	unsigned char sig[SHA256_LEN];
	static struct scram s;

	if (nul != NULL) {
		nfirst = (size_t)(nul - data);
		final = (const char *)nul + 1;
		nfinal = size - nfirst - 1;
	}
	if (scram_client_first(&s, first, nfirst) < 0)
		return 0;
	size_t g = strlen(s.gs2), b = strlen(s.bare);
	FUZZ_ASSERT(g + b == nfirst && memcmp(s.gs2, first, g) == 0 &&
	    memcmp(s.bare, first + g, b) == 0);
	FUZZ_ASSERT(s.gs2[0] == 'n' || s.gs2[0] == 'y');
	FUZZ_ASSERT(s.user[0] != '\0' && strlen(s.user) < sizeof s.user);
	size_t nl = strlen(s.nonce);
	FUZZ_ASSERT(nl > 0 && nl <= SCRAM_NONCE_MAX);
	for (size_t i = 0; i < nl; i++)
		FUZZ_ASSERT(s.nonce[i] > 0x20 && s.nonce[i] < 0x7f &&
		    s.nonce[i] != ',');
	scram_server_first(&s, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", salt,
	    sizeof salt, 1);
	int r = scram_client_final(&s, final, nfinal, "pencil", 6, salt,
	    sizeof salt, 1, sig);
	FUZZ_ASSERT(r >= -1 && r <= 1);
	if (r == 1) {
		/* the combined nonce is in the message, after "c=...,r=" */
		const char *rn = memmem(final, nfinal, ",r=", 3);
		FUZZ_ASSERT(rn != NULL && (size_t)(final + nfinal - rn) >
		    3 + nl && memcmp(rn + 3, s.nonce, strlen(s.nonce)) == 0);
	}
	return 0;
}
