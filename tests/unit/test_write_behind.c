/* test_write_behind.c - tools/write_behind.c: pieces of every size (empty,
 * small, bigger than a buffer) come out whole and in order, through many
 * rounds of the ring; a failing output is reported by ready or finish, and
 * the filler is never left waiting on it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "write_behind.h"

/* Piece i: its length and its bytes, from one generator. */
static size_t piece(uint64_t *seed, char *out, size_t cap)
{
	uint64_t r = check_rand(seed);
	size_t len = r % 16 == 0 ? (size_t)(r >> 8) % cap : (size_t)(r >> 8) % 300;
	for (size_t k = 0; k < len; k++)
		out[k] = (char)('a' + (r + k) % 26);
	return len;
}

/* An output slower than the filler, so the ring fills and the filler
 * waits: its bytes go to memory, with a pause every few writes. */
struct slow_out {
	char *data;
	size_t len, cap;
	unsigned writes;
};

static ssize_t slow_write(void *cookie, const char *buf, size_t n)
{
	struct slow_out *s = cookie;
	if (++s->writes % 3 == 0)
		usleep(2000);
	if (wp_grow((void **)&s->data, &s->cap, s->len + n, 1))
		return -1;
	memcpy(s->data + s->len, buf, n);
	s->len += n;
	return (ssize_t)n;
}

static void test_order(void)
{
	enum { CAP = 700 << 10 }; /* past one buffer of the ring */
	char *p = malloc(CAP), *want = malloc(64u << 20);
	struct slow_out slow = {0};
	FILE *f = fopencookie(&slow, "w", (cookie_io_functions_t){.write = slow_write});
	CHECK(p && want && f);
	setvbuf(f, NULL, _IONBF, 0); /* each buffer is one write */
	struct write_behind *w = write_behind_start(f);
	CHECK(w != NULL);
	uint64_t seed = 0x2545f4914f6cdd1du;
	size_t total = 0;
	int rc = 0;
	for (int i = 0; i < 60000 && !rc && total < (60u << 20); i++) {
		size_t len = piece(&seed, p, CAP);
		memcpy(want + total, p, len);
		total += len;
		rc = wp_buf_append(write_behind_buf(w), p, len);
		rc = rc ? rc : write_behind_ready(w);
	}
	CHECK(rc == 0);
	CHECK(write_behind_finish(w) == 0);
	CHECK(total > (20u << 20)); /* many rounds of a 1 MiB ring */
	CHECK(slow.writes > 40); /* the ring was full and the filler waited */
	CHECK(slow.len == total && memcmp(slow.data, want, total) == 0);
	fclose(f);
	free(slow.data);
	/* nothing written at all */
	f = tmpfile();
	CHECK(write_behind_finish(write_behind_start(f)) == 0 && ftell(f) == 0);
	fclose(f);
	free(p);
	free(want);
}

static void test_failure(void)
{
	FILE *f = fopen("/dev/full", "w");
	if (!f) {
		fprintf(stderr, "test_write_behind: no /dev/full: the failing output is not tried\n");
		return;
	}
	setvbuf(f, NULL, _IONBF, 0); /* each fwrite fails at once */
	struct write_behind *w = write_behind_start(f);
	CHECK(w != NULL);
	static char block[64 << 10];
	memset(block, 'x', sizeof block);
	int rc = 0, i = 0;
	for (; i < 1000 && !rc; i++) {
		rc = wp_buf_append(write_behind_buf(w), block, sizeof block);
		rc = rc ? rc : write_behind_ready(w);
	}
	CHECK(rc == WP_E_IO && i < 1000); /* said while filling, not only at the end */
	CHECK(write_behind_finish(w) == WP_E_IO);
	fclose(f);
	/* a failure in the last piece is said by finish */
	f = fopen("/dev/full", "w");
	setvbuf(f, NULL, _IONBF, 0);
	w = write_behind_start(f);
	CHECK(wp_buf_append(write_behind_buf(w), "x\n", 2) == 0 && write_behind_ready(w) == 0);
	CHECK(write_behind_finish(w) == WP_E_IO);
	fclose(f);
}

int main(void)
{
	test_order();
	test_failure();
	return check_report();
}
