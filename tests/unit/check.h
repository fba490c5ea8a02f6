/* check.h - the few assertions unit tests need; each test program prints
 * "N passed, M failed" and exits non-zero on a failure. Every unit test
 * links wpcommon (at least), so the helpers here may use it. */
#ifndef WASMPERF_CHECK_H
#define WASMPERF_CHECK_H
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "wpcommon.h"

static unsigned check_passed, check_failed;

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (cond) {                                                      \
			check_passed++;                                          \
		} else {                                                         \
			check_failed++;                                          \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                \
	} while (0)

#define CHECK_STR(got, want)                                                     \
	do {                                                                     \
		const char *g_ = (got), *w_ = (want);                            \
		if (g_ && w_ && strcmp(g_, w_) == 0) {                           \
			check_passed++;                                          \
		} else {                                                         \
			check_failed++;                                          \
			fprintf(stderr, "%s:%d: got '%s', want '%s'\n", __FILE__, __LINE__, \
				g_ ? g_ : "(null)", w_ ? w_ : "(null)");         \
		}                                                                \
	} while (0)

/* xorshift64: the same numbers on every run, so a failure repeats. */
static inline uint64_t check_rand(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

static inline int check_report(void)
{
	printf("%u passed, %u failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}
/* A fixture's bytes (NUL-terminated, caller frees) and their number in *len
 * (len may be NULL), or NULL (and 0) when it cannot be read. */
/* noinline: gcc 12 -O3 takes the returned pointer for one to the local
 * `data` (-Wdangling-pointer false positive) once this is inlined. */
__attribute__((noinline, unused)) static char *check_slurp(const char *path, size_t *len)
{
	char *data = NULL;
	size_t n = 0;
	int rc = wp_read_file(path, SIZE_MAX, &data, &n);
	if (len)
		*len = rc == 0 ? n : 0;
	return rc == 0 ? data : NULL;
}
#endif
