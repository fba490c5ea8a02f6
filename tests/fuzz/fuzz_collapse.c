/* fuzz_collapse.c - the collapser alone: samples of raw frames as a sampler
 * reports them, tidied, interned, counted and written as folded text. The
 * first byte chooses the options; then each line is one sample, fields
 * separated by ';': the first is "comm TAB pid TAB tid", each other one a
 * frame "sym TAB module TAB pc TAB srcline" (leaf first; missing parts are
 * empty). gen_corpus.py made the corpus from corpus/script_reader. The
 * folded lines must come in strictly increasing byte order (the stack
 * table's radix sort), unless a frame name holds a ';'. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Splits [*p, end) at the first sep: the part before, *p past the sep. */
static const char *field(const char **p, const char *end, char sep, size_t *len)
{
	const char *s = *p, *e = memchr(s, sep, (size_t)(end - s));
	if (!e)
		e = end;
	*len = (size_t)(e - s);
	*p = e < end ? e + 1 : end;
	return s;
}

struct order {
	char *prev;
	size_t len;
	bool any;
};

static int check_order(void *ctx, const char *stack, size_t len, uint64_t count)
{
	struct order *o = ctx;
	(void)count;
	if (o->any) {
		size_t m = o->len < len ? o->len : len;
		int c = memcmp(o->prev, stack, m);
		if (c > 0 || (c == 0 && o->len >= len))
			__builtin_trap(); /* out of order, or the same stack twice */
	}
	char *p = realloc(o->prev, len ? len : 1);
	if (!p)
		return -1;
	memcpy(p, stack, len);
	o->prev = p;
	o->len = len;
	o->any = true;
	return 0;
}

static bool names_hold_semicolon(const struct wp_intern *names)
{
	for (uint32_t id = 0; id < wp_intern_count(names); id++) {
		size_t n;
		const char *s = wp_intern_str(names, id, &n);
		if (memchr(s, ';', n))
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_collapse_options o;
	fg_collapse_options_init(&o);
	if (size) {
		o.include_pid = data[0] & 1;
		o.include_tid = data[0] & 2;
		o.annotate_kernel = data[0] & 4;
		o.annotate_jit = data[0] & 8;
		o.include_addrs = data[0] & 16;
		o.tidy_generic = !(data[0] & 32);
		o.rust_fix = !(data[0] & 64);
		o.perl_compat = data[0] & 128;
		data++, size--;
	}
	struct fg_collapser *c = fg_collapser_new(&o);
	const char *p = (const char *)data, *end = p + size;
	while (c && p < end) {
		size_t n;
		const char *line = field(&p, end, '\n', &n), *lend = line + n;
		const char *head = field(&line, lend, ';', &n), *hend = head + n;
		size_t comm_len, pid_len, tid_len;
		const char *comm = field(&head, hend, '\t', &comm_len);
		const char *pid = field(&head, hend, '\t', &pid_len);
		const char *tid = field(&head, hend, '\t', &tid_len);
		if (fg_collapser_begin(c, comm, comm_len, pid_len ? pid : NULL, pid_len, tid,
				       tid_len) != 0)
			break;
		while (line < lend) {
			const char *f = field(&line, lend, ';', &n), *fend = f + n;
			struct fg_raw_frame r;
			r.sym = field(&f, fend, '\t', &r.sym_len);
			r.module = field(&f, fend, '\t', &r.module_len);
			r.pc = field(&f, fend, '\t', &r.pc_len);
			r.srcline = field(&f, fend, '\t', &r.srcline_len);
			fg_collapser_frame(c, &r);
		}
		fg_collapser_end(c, n + 1);
	}
	if (c && !names_hold_semicolon(fg_collapser_names(c))) {
		struct order ord = {NULL, 0, false};
		fg_folded_foreach(fg_collapser_names(c), fg_collapser_stacks(c), NULL, check_order, &ord);
		free(ord.prev);
	}
	if (c) {
		FILE *devnull = fopen("/dev/null", "w");
		if (devnull) {
			fg_folded_write(devnull, fg_collapser_names(c), fg_collapser_stacks(c), NULL);
			fclose(devnull);
		}
	}
	fg_collapser_free(c);
	return 0;
}
