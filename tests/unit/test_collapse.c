/* test_collapse.c - the collapser's frame cache: frames whose names agree
 * in every byte the cache samples (start, middle, last 16 bytes, module
 * tail, lengths) but differ elsewhere must stay distinct frames, whatever
 * order they come in, and with --addrs or source lines (which bypass the
 * cache) the result must not change. Checked against counts kept here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "flamegraph.h"

#define NAMES 600

/* Name i: a 40-byte key, "JS:wasm-" + a 12-byte field that only i
 * changes (bytes 8..19, outside the sampled words: 0..7, the middle 20..27
 * and the last 16, 24..39) + a fixed 20-byte tail, then an offset that
 * folding drops. */
static void name_of(unsigned i, char out[48])
{
	snprintf(out, 48, "JS:wasm-%012u-function-liftoff-tf+0x1a", i);
}

struct tally {
	unsigned lines;
	uint64_t total;
	unsigned seen[NAMES];
	unsigned bad;
};

static int count_line(void *ctx, const char *stack, size_t len, uint64_t count)
{
	struct tally *t = ctx;
	t->lines++;
	t->total += count;
	/* "comm;NAME" */
	const char *semi = memchr(stack, ';', len);
	unsigned i;
	if (!semi || sscanf(semi + 1, "JS:wasm-%12u", &i) != 1 || i >= NAMES) {
		t->bad++;
		return 0;
	}
	t->seen[i] += (unsigned)count;
	return 0;
}

static void run(bool addrs, bool srclines)
{
	struct fg_collapse_options o;
	fg_collapse_options_init(&o);
	o.include_addrs = addrs;
	struct fg_collapser *c = fg_collapser_new(&o);
	CHECK(c != NULL);
	if (!c)
		return;
	unsigned want[NAMES] = {0};
	/* A scrambled order (i * 7919 mod NAMES) repeated, so a name comes
	 * back after many others have taken slots. */
	for (unsigned round = 0; round < 5; round++)
		for (unsigned k = 0; k < NAMES; k++) {
			unsigned i = (k * 7919u + round) % NAMES;
			char name[48];
			name_of(i, name);
			struct fg_raw_frame f = {.sym = name, .sym_len = strlen(name),
						 .module = "/tmp/perf-1.map", .module_len = 15,
						 .pc = "ffff", .pc_len = 4,
						 .srcline = srclines ? "a.c:1" : NULL,
						 .srcline_len = srclines ? 5 : 0};
			int rc = fg_collapser_begin(c, "node", 4, NULL, 0, NULL, 0);
			rc = rc ? rc : fg_collapser_frame(c, &f);
			rc = rc ? rc : fg_collapser_end(c, 1);
			CHECK(rc == 0);
			want[i]++;
		}
	struct tally t = {0};
	CHECK(fg_folded_foreach(fg_collapser_names(c), fg_collapser_stacks(c), NULL, count_line, &t) == 0);
	CHECK(t.bad == 0);
	CHECK(t.lines == NAMES);
	CHECK(t.total == 5u * NAMES);
	unsigned wrong = 0;
	for (unsigned i = 0; i < NAMES; i++)
		wrong += t.seen[i] != want[i];
	CHECK(wrong == 0);
	fg_collapser_free(c);
}

int main(void)
{
	run(false, false);
	run(true, false);
	run(false, true);
	return check_report();
}
