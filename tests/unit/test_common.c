/* test_common.c - common/ building blocks: buffer caps, interning, the
 * stack table's bytewise order, the line reader (windows, long lines,
 * gzip, truncated gzip), option parsing. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "wpcommon.h"

static void test_buf(void)
{
	struct wp_buf b;
	wp_buf_init(&b, 8);
	CHECK(b.data && b.data[0] == '\0');
	CHECK(wp_buf_append(&b, "abcd", 4) == 0);
	CHECK(wp_buf_printf(&b, "%d", 123) == 0);
	CHECK_STR(wp_buf_cstr(&b), "abcd123");
	CHECK(wp_buf_append(&b, "xy", 2) == WP_E_TOOBIG);
	CHECK_STR(wp_buf_cstr(&b), "abcd123");
	wp_buf_release(&b);
	CHECK(b.len == 0 && b.data[0] == '\0');
}

static void test_intern(void)
{
	struct wp_intern *t = wp_intern_new();
	uint32_t a, b, c, again;
	char name[32];
	CHECK(wp_intern_get(t, "main", 4, &a) == 0);
	CHECK(wp_intern_get(t, "ma\0in", 5, &b) == 0);
	CHECK(a != b);
	/* Enough strings to force several resizes. */
	for (int i = 0; i < 50000; i++) {
		int n = snprintf(name, sizeof name, "f%d", i);
		CHECK(wp_intern_get(t, name, (size_t)n, &c) == 0 || 0);
	}
	CHECK(wp_intern_get(t, "main", 4, &again) == 0 && again == a);
	CHECK(wp_intern_find(t, "f49999", 6, &c) == 0);
	CHECK_STR(wp_intern_str(t, c, NULL), "f49999");
	CHECK(wp_intern_find(t, "nope", 4, &c) == WP_E_NOTFOUND);
	CHECK(wp_intern_count(t) == 50002);
	wp_intern_free(t);
	wp_intern_free(NULL);
}

/* The stack table's order must equal strcmp of the joined strings: names
 * ranked once (set 0: bytes below and above ';', prefixes of each other),
 * and the byte-by-byte path taken when a name holds a ';' (set 1). */
static void check_stack_order(const char *const frames[8])
{
	struct wp_intern *names = wp_intern_new();
	struct wp_stacks *st = wp_stacks_new();
	uint32_t ids[4];
	srand(7);
	for (int i = 0; i < 400; i++) {
		size_t n = 1 + (size_t)rand() % 4;
		for (size_t k = 0; k < n; k++) {
			const char *f = frames[rand() % 8];
			wp_intern_get(names, f, strlen(f), &ids[k]);
		}
		CHECK(wp_stacks_add(st, ids, n, 1, 0) == 0 || 0);
	}
	size_t *order;
	CHECK(wp_stacks_sorted(st, names, &order) == 0);
	char prev[256] = "", cur[256];
	bool *seen = calloc(wp_stacks_count(st), sizeof *seen);
	size_t compared = 0;
	for (size_t i = 0; i < wp_stacks_count(st); i++) {
		CHECK(order[i] < wp_stacks_count(st) && !seen[order[i]]);
		seen[order[i]] = true;
		const uint32_t *s;
		size_t n;
		wp_stacks_get(st, order[i], &s, &n, NULL, NULL);
		cur[0] = '\0';
		bool semicolon = false;
		for (size_t k = 0; k < n; k++) {
			if (k)
				strcat(cur, ";");
			const char *f = wp_intern_str(names, s[k], NULL);
			semicolon |= strchr(f, ';') != NULL;
			strcat(cur, f);
		}
		/* A name holding ';' breaks the folded format: such stacks need
		 * only a place each; the others keep their order among them. */
		if (semicolon)
			continue;
		if (compared++ && strcmp(prev, cur) > 0) {
			CHECK(!"stacks out of bytewise order");
			fprintf(stderr, "  '%s' before '%s'\n", prev, cur);
		}
		strcpy(prev, cur);
	}
	CHECK(compared > 50);
	free(seen);
	free(order);
	wp_stacks_free(st);
	wp_intern_free(names);
}

/* Deep stacks that share long prefixes, as real call stacks do, over
 * alphabets of every size the sort packs differently (few names: many
 * ranks to a key; tens of thousands: three): the order is strcmp's on the
 * joined strings, whatever depth two stacks first differ at. */
static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_deep_stack_order(size_t nnames, uint64_t seed)
{
	struct wp_intern *names = wp_intern_new();
	struct wp_stacks *st = wp_stacks_new();
	char name[32];
	for (size_t i = 0; i < nnames; i++) {
		uint32_t id;
		/* names that are prefixes of others, bytes around ';' and the highest */
		int len = snprintf(name, sizeof name, "%s%zu", i % 7 == 5 ? "\xfe\xff" : i % 3 ? "f" : "f:", i);
		CHECK(wp_intern_get(names, name, (size_t)len, &id) == 0 && id == i);
	}
	uint32_t base[120], ids[120];
	for (size_t k = 0; k < 120; k++)
		base[k] = (uint32_t)(check_rand(&seed) % nnames);
	for (int i = 0; i < 3000; i++) {
		size_t n = 1 + check_rand(&seed) % 120;
		memcpy(ids, base, n * sizeof *ids);
		for (int m = (int)(check_rand(&seed) % 3); m > 0; m--) /* differ deep down */
			ids[n - 1 - check_rand(&seed) % (n < 8 ? n : 8)] = (uint32_t)(check_rand(&seed) % nnames);
		if (check_rand(&seed) % 4 == 0)
			base[check_rand(&seed) % 120] = (uint32_t)(check_rand(&seed) % nnames);
		CHECK(wp_stacks_add(st, ids, n, 1, 0) == 0);
	}
	size_t count = wp_stacks_count(st), *order;
	char **joined = calloc(count, sizeof *joined), **expect = calloc(count, sizeof *expect);
	for (size_t e = 0; e < count; e++) {
		const uint32_t *s;
		size_t n;
		wp_stacks_get(st, e, &s, &n, NULL, NULL);
		struct wp_buf b;
		wp_buf_init(&b, WP_BUF_UNLIMITED);
		for (size_t k = 0; k < n; k++) {
			size_t len;
			const char *f = wp_intern_str(names, s[k], &len);
			if (k)
				wp_buf_putc(&b, ';');
			wp_buf_append(&b, f, len);
		}
		wp_buf_putc(&b, '\0');
		joined[e] = expect[e] = wp_buf_detach(&b, NULL);
	}
	qsort(expect, count, sizeof *expect, compare_strings);
	CHECK(wp_stacks_sorted(st, names, &order) == 0);
	size_t wrong = 0;
	for (size_t i = 0; i < count; i++)
		wrong += order[i] >= count || strcmp(joined[order[i]], expect[i]) != 0;
	CHECK(count > 1000 && wrong == 0);
	if (wrong)
		fprintf(stderr, "  %zu names: %zu of %zu stacks out of place\n", nnames, wrong, count);
	for (size_t e = 0; e < count; e++)
		free(joined[e]);
	free(joined);
	free(expect);
	free(order);
	wp_stacks_free(st);
	wp_intern_free(names);
}

/* The ids of every stack read back as they were added, across blocks:
 * stacks of every length, one longer than any block, and a clear (blocks
 * kept, a kept block too small for the next stack passed over). */
static void check_stack_ids(struct wp_stacks *st, uint64_t seed, int nstacks, int huge_at)
{
	static uint32_t ids[1u << 21];
	uint64_t s = seed;
	for (int i = 0; i < nstacks; i++) {
		size_t n = i == huge_at ? (1u << 21) : i % 50 == 3 ? 40000 : 1 + check_rand(&s) % 200;
		for (size_t k = 0; k < n; k++)
			ids[k] = (uint32_t)(i * 131 + k);
		size_t at;
		CHECK(wp_stacks_add_at(st, ids, n, 1, 0, &at) == 0 && at == (size_t)i);
	}
	size_t wrong = 0;
	s = seed;
	for (int i = 0; i < nstacks; i++) {
		size_t want = i == huge_at ? (1u << 21) : i % 50 == 3 ? 40000 : 1 + check_rand(&s) % 200, n;
		const uint32_t *got;
		wp_stacks_get(st, (size_t)i, &got, &n, NULL, NULL);
		wrong += n != want;
		for (size_t k = 0; k < n && k < want; k++)
			wrong += got[k] != (uint32_t)(i * 131 + k);
	}
	CHECK(wrong == 0 && wp_stacks_count(st) == (size_t)nstacks);
}

static void test_stack_blocks(void)
{
	struct wp_stacks *st = wp_stacks_new();
	check_stack_ids(st, 11, 3000, 7);
	wp_stacks_clear(st);
	CHECK(wp_stacks_count(st) == 0);
	/* the blocks again; the longest stack meets a kept block too small */
	check_stack_ids(st, 12, 5000, 4990);
	wp_stacks_clear(st);
	check_stack_ids(st, 13, 20, 3);
	wp_stacks_free(st);
}

static void test_stack_order(void)
{
	static const char *const plain[8] = {"a", "ab", "a:b", "b", "", "a b", "~", "\xc3\xa9"};
	static const char *const semicolons[8] = {"a", "a;b", "ab", "b;", ";", "a:b", "", "b"};
	check_stack_order(plain);
	check_stack_order(semicolons);
	/* 2 names: ranks of 3 bits; then 4, 5, ... 17 bits, and the widths'
	 * edges (2^k tokens need k + 1 bits) */
	static const size_t alphabets[] = {2, 3, 4, 31, 32, 33, 500, 2047, 2048, 2049, 40000, 65536};
	for (size_t i = 0; i < sizeof alphabets / sizeof *alphabets; i++)
		check_deep_stack_order(alphabets[i], 0x9e3779b97f4a7c15u + i);
	/* Counts add up; a sum past 64 bits is an error, the entry unchanged. */
	uint32_t one = 0;
	struct wp_stacks *big = wp_stacks_new();
	CHECK(wp_stacks_add(big, &one, 1, UINT64_MAX - 1, 0) == 0);
	CHECK(wp_stacks_add(big, &one, 1, 1, 2) == 0);
	CHECK(wp_stacks_add(big, &one, 1, 5, 2) == WP_E_TOOBIG);
	CHECK(wp_stacks_add(big, &one, 1, 0, UINT64_MAX) == WP_E_TOOBIG);
	uint64_t sum, sum2;
	wp_stacks_get(big, 0, NULL, NULL, &sum, &sum2);
	CHECK(sum == UINT64_MAX && sum2 == 2);
	/* The same by index, and counts set back. */
	CHECK(wp_stacks_add_to(big, 0, 1, 0) == WP_E_TOOBIG);
	wp_stacks_set_counts(big, 0, 3, 0);
	CHECK(wp_stacks_add_to(big, 0, 4, 1) == 0);
	wp_stacks_get(big, 0, NULL, NULL, &sum, &sum2);
	CHECK(sum == 7 && sum2 == 1 && wp_stacks_count(big) == 1);
	wp_stacks_free(big);
}

static char *write_temp(const char *data, size_t len, bool gzip, size_t cut)
{
	char *path = strdup("/tmp/wasmperf-test-XXXXXX");
	int fd = mkstemp(path);
	close(fd);
	if (gzip) {
		gzFile gz = gzopen(path, "wb");
		gzwrite(gz, data, (unsigned)len);
		gzclose(gz);
		if (cut)
			truncate(path, (off_t)cut);
	} else {
		FILE *f = fopen(path, "wb");
		fwrite(data, 1, len, f);
		fclose(f);
	}
	return path;
}

/* text in a temporary file (gzip-compressed or not), opened for lines. */
static struct wp_lines *open_temp(const struct wp_buf *text, bool gz, char **path)
{
	*path = write_temp(text->data, text->len, gz, 0);
	struct wp_lines *lr;
	CHECK(wp_lines_open(&lr, *path, 1024) == 0);
	return lr;
}

/* A file cut short after it was opened (plain and gzip): reading it ends
 * in an error that says so, never in a quiet end of input. */
static void test_lines_cut_short(void)
{
	struct wp_buf text;
	wp_buf_init(&text, WP_BUF_UNLIMITED);
	for (int i = 0; i < 200000; i++)
		wp_buf_printf(&text, "line %d %08x\n", i, (unsigned)(i * 2654435761u));
	for (int gz = 0; gz < 2; gz++) {
		char *path;
		struct wp_lines *lr = open_temp(&text, gz, &path);
		const char *line;
		size_t len;
		int rc = 0, n = 0;
		while (n < 10 && (rc = wp_lines_next(lr, &line, &len)) == 1)
			n++;
		CHECK(n == 10 && truncate(path, 100000) == 0); /* the rest is gone */
		while ((rc = wp_lines_next(lr, &line, &len)) == 1)
			n++;
		CHECK(rc == WP_E_TRUNCATED);
		CHECK(strstr(wp_lines_errmsg(lr), "was cut short while being read") != NULL);
		CHECK(n < 200000);
		wp_lines_free(lr);
		unlink(path);
		free(path);
	}
	wp_buf_release(&text);
}

static void test_lines(void)
{
	/* 3 MiB of numbered lines crosses several read windows. */
	struct wp_buf text;
	wp_buf_init(&text, WP_BUF_UNLIMITED);
	/* Random digits after each number keep the gzip form larger than one
	 * read window (a first window over 64 KiB once overflowed the inflater). */
	srand(11);
	for (int i = 0; i < 300000; i++)
		wp_buf_printf(&text, "line %d %08x\r\n", i, (unsigned)rand());
	wp_buf_puts(&text, "last-without-newline");
	for (int gz = 0; gz < 2; gz++) {
		char *path;
		struct wp_lines *lr = open_temp(&text, gz, &path);
		const char *line;
		size_t len;
		int n = 0, ok = 1, rc;
		char want[32];
		while ((rc = wp_lines_next(lr, &line, &len)) == 1 && n < 300000) {
			int wn = snprintf(want, sizeof want, "line %d ", n++);
			ok &= (size_t)wn + 8 == len && memcmp(line, want, (size_t)wn) == 0;
		}
		CHECK(ok && n == 300000);
		CHECK(rc == 1 && len == 20 && memcmp(line, "last-without-newline", 20) == 0);
		CHECK(wp_lines_next(lr, &line, &len) == 0);
		CHECK(wp_lines_lineno(lr) == 300001);
		wp_lines_free(lr);
		unlink(path);
		free(path);
	}
	/* A truncated gzip file is an error, after the lines before it. */
	char *path = write_temp(text.data, text.len, true, 200000);
	struct wp_lines *lr;
	CHECK(wp_lines_open(&lr, path, 1024) == 0);
	const char *line;
	size_t len;
	int rc, n = 0;
	while ((rc = wp_lines_next(lr, &line, &len)) == 1)
		n++;
	CHECK(rc == WP_E_TRUNCATED);
	CHECK(n > 1000);
	CHECK(strstr(wp_lines_errmsg(lr), path) != NULL);
	CHECK(wp_lines_next(lr, &line, &len) == WP_E_TRUNCATED); /* and stays so */
	wp_lines_free(lr);
	unlink(path);
	free(path);
	/* A damaged gzip header (fuzz_script_reader's finding: the method
	 * byte 0x47): corrupt, then again corrupt, never "truncated" after. */
	path = write_temp("\x1f\x8b\x47\xb8", 4, false, 0);
	CHECK(wp_lines_open(&lr, path, 1024) == 0);
	CHECK(wp_lines_next(lr, &line, &len) == WP_E_FORMAT);
	CHECK(strstr(wp_lines_errmsg(lr), "corrupt gzip data") != NULL);
	CHECK(wp_lines_next(lr, &line, &len) == WP_E_FORMAT);
	wp_lines_free(lr);
	unlink(path);
	free(path);
	/* A line over the cap is WP_E_TOOBIG, not unbounded memory. */
	char big[5000];
	memset(big, 'x', sizeof big);
	CHECK(wp_lines_open_mem(&lr, big, sizeof big, "mem") == 0);
	wp_lines_free(lr);
	path = write_temp(big, sizeof big, false, 0);
	CHECK(wp_lines_open(&lr, path, 1000) == 0);
	CHECK(wp_lines_next(lr, &line, &len) == WP_E_TOOBIG);
	wp_lines_free(lr);
	unlink(path);
	free(path);
	CHECK(wp_lines_open(&lr, "/nonexistent/file", 100) == WP_E_IO);
	CHECK(strstr(wp_lines_errmsg(lr), "/nonexistent/file") != NULL);
	wp_lines_free(lr);
	wp_buf_release(&text);
}

/* The segments of seg_text, seg_size bytes each; fails after seg_fail_at
 * segments when that is not 0. */
static const char *seg_text;
static size_t seg_len, seg_size, seg_pos, seg_given, seg_fail_at;

static int next_segment(void *ctx, const char **p, size_t *n)
{
	(void)ctx;
	if (seg_fail_at && seg_given == seg_fail_at)
		return -1;
	if (seg_pos == seg_len)
		return 0;
	*p = seg_text + seg_pos;
	*n = seg_len - seg_pos < seg_size ? seg_len - seg_pos : seg_size;
	seg_pos += *n;
	seg_given++;
	return 1;
}

static struct wp_lines *open_segments(const char *text, size_t size, size_t max_line)
{
	struct wp_lines *lr;
	seg_text = text, seg_len = strlen(text), seg_size = size;
	seg_pos = seg_given = seg_fail_at = 0;
	CHECK(wp_lines_open_segments(&lr, "job", max_line, next_segment, NULL, 100) == 0);
	return lr;
}

/* Lines over lent segments are the lines of the whole text, whatever the
 * cuts: the same bytes, numbers and offsets; in place when a line ends in
 * the segment it starts in. */
static void test_lines_segments(void)
{
	static const char text[] = "a\r\nbb\n\n  \nccc dd\r\nlong line here\n\r\nlast";
	static const size_t sizes[] = {1, 2, 3, 5, 7, 16, 64};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		struct wp_lines *ref, *lr = open_segments(text, sizes[k], 1000);
		CHECK(wp_lines_open_mem(&ref, text, strlen(text), "mem") == 0);
		const char *a, *b;
		size_t an, bn;
		int ra, rb, ok = 1, in_place = 0;
		do {
			ra = wp_lines_next(ref, &a, &an);
			rb = wp_lines_next(lr, &b, &bn);
			ok &= ra == rb && (ra != 1 || (an == bn && memcmp(a, b, an) == 0 &&
						       wp_lines_offset(lr) == 100 + wp_lines_offset(ref)));
			in_place += rb == 1 && b >= text && b < text + sizeof text;
		} while (ra == 1 && rb == 1);
		CHECK(ok && ra == 0 && wp_lines_lineno(lr) == 8);
		CHECK(sizes[k] < 16 || in_place > 0);
		wp_lines_renumber(lr, 10);
		CHECK(wp_lines_lineno(lr) == 18);
		wp_lines_free(ref);
		wp_lines_free(lr);
	}
	/* The callback failing is WP_E_IO after the lines before it. */
	struct wp_lines *lr = open_segments("one\ntwo\nthree\n", 4, 1000);
	seg_fail_at = 1;
	const char *line;
	size_t len;
	CHECK(wp_lines_next(lr, &line, &len) == 1 && len == 3);
	CHECK(wp_lines_next(lr, &line, &len) == WP_E_IO);
	CHECK_STR(wp_lines_errmsg(lr), "job: offset 104: the input failed");
	wp_lines_free(lr);
	/* A line over the cap (64 bytes at least), across segments;
	 * renumbered, its message too. */
	char longer[80];
	memcpy(longer, "ok\n", 3);
	memset(longer + 3, 'x', 70);
	memcpy(longer + 73, "\n", 2);
	lr = open_segments(longer, 5, 64);
	CHECK(wp_lines_next(lr, &line, &len) == 1);
	CHECK(wp_lines_next(lr, &line, &len) == WP_E_TOOBIG);
	CHECK_STR(wp_lines_errmsg(lr), "job: line 2 at offset 103 is longer than 64 bytes");
	wp_lines_renumber(lr, 40);
	CHECK_STR(wp_lines_errmsg(lr), "job: line 42 at offset 103 is longer than 64 bytes");
	wp_lines_free(lr);
}

static void test_patterns(void)
{
	size_t n;
	const struct wp_wasm_pattern *p = wp_wasm_patterns(&n);
	CHECK(n >= 6);
	for (size_t i = 0; i < n; i++)
		CHECK(strstr(p[i].regex, "(?<index>") != NULL);
	CHECK_STR(wp_strerror(WP_E_TRUNCATED), "truncated input");
}

/* The VmFlags line of the mapping of /proc/self/smaps that holds p, or
 * "" when there is none to read. */
static void mapping_flags(const void *p, char *flags, size_t size)
{
	flags[0] = '\0';
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false;
	while (f && fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
		else if (in && strncmp(line, "VmFlags:", 8) == 0)
			snprintf(flags, size, "%s", line);
	}
	if (f)
		fclose(f);
}

/* Advice keeps the bytes; where the kernel offers huge pages on request,
 * a big block's mapping asks for them (VmFlags "hg"), a small one's not. */
static void test_advise_dense(void)
{
	size_t n = (size_t)16 << 20;
	unsigned char *big = malloc(n), *small = malloc(4096);
	CHECK(big && small);
	for (size_t i = 0; i < n; i += 4093)
		big[i] = (unsigned char)(i * 7);
	memset(small, 5, 4096);
	wp_advise_dense(big, n);
	wp_advise_dense(small, 4096);
	wp_advise_dense(NULL, n);
	bool same = true;
	for (size_t i = 0; i < n; i += 4093)
		same &= big[i] == (unsigned char)(i * 7);
	CHECK(same && small[4095] == 5);
	char thp[64] = "", flags[512];
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (f) {
		if (!fgets(thp, sizeof thp, f))
			thp[0] = '\0';
		fclose(f);
	}
	if (strstr(thp, "[madvise]") || strstr(thp, "[always]")) {
		mapping_flags(big + n / 2, flags, sizeof flags);
		CHECK(strstr(flags, " hg") != NULL);
		mapping_flags(small, flags, sizeof flags);
		CHECK(flags[0] && strstr(flags, " hg") == NULL);
	} else {
		fprintf(stderr, "  (no transparent huge pages here: only the bytes checked)\n");
	}
	free(big);
	free(small);
}

/* Every byte: the digit table against the definition. */
static void test_hex_value(void)
{
	for (int c = 0; c < 256; c++) {
		int want = c >= '0' && c <= '9'   ? c - '0'
			   : c >= 'a' && c <= 'f' ? c - 'a' + 10
			   : c >= 'A' && c <= 'F' ? c - 'A' + 10
						  : -1;
		CHECK(wp_hex_value((char)c) == want);
	}
}

int main(void)
{
	test_buf();
	test_intern();
	test_stack_order();
	test_stack_blocks();
	test_hex_value();
	test_advise_dense();
	test_lines();
	test_lines_cut_short();
	test_lines_segments();
	test_patterns();
	return check_report();
}
