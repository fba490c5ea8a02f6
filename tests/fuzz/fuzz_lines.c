/* fuzz_lines.c - the line reader over lent segments (wp_lines_open_segments,
 * what the threaded text fold reads its chunks with) against the reader of
 * the same bytes in memory: the same lines, bytes, numbers and offsets,
 * whatever the cuts. The first byte sets the segment size (1-256), the
 * rest is the text. Links wpcommon. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wpcommon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct segments {
	const char *p;
	size_t len, pos, size;
};

static int next_segment(void *ctx, const char **p, size_t *n)
{
	struct segments *s = ctx;
	if (s->pos == s->len)
		return 0;
	*p = s->p + s->pos;
	*n = s->len - s->pos < s->size ? s->len - s->pos : s->size;
	s->pos += *n;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || (size >= 3 && data[1] == 0x1f && data[2] == 0x8b))
		return 0; /* (the memory reader would inflate gzip; segments never do) */
	struct segments s = {(const char *)data + 1, size - 1, 0, (size_t)data[0] + 1};
	struct wp_lines *ref = NULL, *lr = NULL;
	if (wp_lines_open_mem(&ref, s.p, s.len, "mem") ||
	    wp_lines_open_segments(&lr, "mem", 1u << 24, next_segment, &s, 7)) {
		wp_lines_free(ref);
		wp_lines_free(lr);
		return 0;
	}
	for (;;) {
		const char *a, *b;
		size_t an, bn;
		int ra = wp_lines_next(ref, &a, &an), rb = wp_lines_next(lr, &b, &bn);
		if (ra != rb || wp_lines_lineno(ref) != wp_lines_lineno(lr))
			__builtin_trap();
		if (ra != 1)
			break;
		if (an != bn || memcmp(a, b, an) != 0 || wp_lines_offset(lr) != 7 + wp_lines_offset(ref))
			__builtin_trap();
	}
	wp_lines_free(ref);
	wp_lines_free(lr);
	return 0;
}
