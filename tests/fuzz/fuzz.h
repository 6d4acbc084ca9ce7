/* ISC license. */
/* What every fuzz target shares: the libFuzzer entry points, a failure
 * that stops the fuzzer, a memory transport under struct io, and the
 * scratch folders of the session targets. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../sdk/src/io-internal.h"

/* libFuzzer calls these; tests/fuzz/replay.c calls them without it. */
/* Optional, as for libFuzzer: a target without set-up leaves it out. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An oracle said no: the message on stderr, then abort(), which both
 * libFuzzer and the replay runner report with the input. */
void fuzz_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
#define FUZZ_ASSERT(e) do { if (!(e)) fuzz_fail("%s:%d: %s", __FILE__, \
	__LINE__, #e); } while (0)

/* A small deterministic generator, seeded from the input, for the sizes
 * of the pieces an input is cut into. */
struct fuzz_rng {
	uint64_t x;
};
void fuzz_rng_seed(struct fuzz_rng *r, const uint8_t *data, size_t size);
uint32_t fuzz_rng_next(struct fuzz_rng *r);

/*
 * The memory transport: the client's bytes come from in[], cut into
 * reads of pseudo-random sizes (1..max_read), then EOF; what the server
 * writes is appended to out (up to FUZZ_OUT_MAX, then counted only).
 * pending() always says "ready", so io_fill() never polls an fd.
 */
#define FUZZ_OUT_MAX (4u << 20)
struct fuzz_io {
	const uint8_t *in;
	size_t in_len, in_pos;
	size_t max_read;
	struct fuzz_rng rng;
	char *out;
	size_t out_len, out_total;
	size_t n_reads;
};
extern const struct io_ops fuzz_io_ops;
void fuzz_io_init(struct fuzz_io *f, const uint8_t *in, size_t n,
    size_t max_read);

/* Open descriptors of this process, to catch a session that leaks one. */
int fuzz_count_fds(void);
/* A new scratch folder (under /dev/shm when there is one: maildir's
 * fsyncs are free on tmpfs); exits the process if it cannot. */
const char *fuzz_tmpdir(const char *tag);
/* Writes s to dir/name (mode), making parent folders; exits on error. */
void fuzz_write_file(const char *dir, const char *name, const char *s,
    size_t n, mode_t mode);
void fuzz_mkdirs(const char *dir, const char *sub);
/* rm -r dir (dir itself kept when keep_top). */
void fuzz_rm_r(const char *dir, bool keep_top);
/* Files directly in dir, or -1 if it does not exist. */
int fuzz_count_files(const char *dir);

#endif
