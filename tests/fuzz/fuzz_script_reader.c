/* fuzz_script_reader.c - perf script text through the reader: every
 * sample's strings are read to their stated length (ASan checks they stay
 * inside the input), there are never more frames than bytes, and the end
 * is sticky. (What the collapser does with frames is fuzz_collapse.c.) */
#include <stdint.h>
#include <stdlib.h>

#include "perfparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void touch(struct pp_str s)
{
	for (size_t i = 0; i < s.n; i++)
		sink ^= (uint8_t)s.p[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wp_lines *lines;
	if (wp_lines_open_mem(&lines, (const char *)data, size, "fuzz") != 0) {
		wp_lines_free(lines);
		return 0;
	}
	struct pp_script_reader *r = pp_script_new(lines, NULL, NULL);
	if (!r)
		return 0;
	if (size && data[0] & 1)
		pp_script_want_times(r);
	const struct pp_script_sample *s;
	int rc;
	while ((rc = pp_script_next(r, &s)) == 1) {
		touch(s->comm);
		touch(s->pid);
		touch(s->tid);
		touch(s->event);
		touch(s->trace);
		if (s->nframes > size)
			__builtin_trap();
		for (size_t i = 0; i < s->nframes; i++) {
			touch(s->frames[i].pc);
			touch(s->frames[i].sym);
			touch(s->frames[i].module);
			touch(s->frames[i].srcline);
		}
	}
	if (pp_script_next(r, &s) != rc)
		__builtin_trap();
	pp_script_free(r);
	return 0;
}
