/* fuzz_script_reader.c - perf script text through the reader and the
 * collapser, as wasmperf-fold runs them. */
#include <stdint.h>
#include <stdlib.h>

#include "flamegraph.h"
#include "perfparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wp_lines *lines;
	if (wp_lines_open_mem(&lines, (const char *)data, size, "fuzz") != 0) {
		wp_lines_free(lines);
		return 0;
	}
	struct pp_script_reader *r = pp_script_new(lines, NULL, NULL);
	struct fg_collapse_options o;
	fg_collapse_options_init(&o);
	/* Vary the options with the input so every path gets exercised. */
	if (size) {
		o.include_tid = data[0] & 1;
		o.annotate_kernel = data[0] & 2;
		o.annotate_jit = data[0] & 4;
		o.include_addrs = data[0] & 8;
	}
	struct fg_collapser *c = fg_collapser_new(&o);
	const struct pp_script_sample *s;
	while (r && c && pp_script_next(r, &s) == 1) {
		fg_collapser_begin(c, s->comm.p, s->comm.n, s->pid.p, s->pid.n, s->tid.p, s->tid.n);
		for (size_t i = 0; i < s->nframes; i++) {
			struct fg_raw_frame f = {s->frames[i].sym.p, s->frames[i].sym.n,
						 s->frames[i].module.p, s->frames[i].module.n,
						 s->frames[i].pc.p, s->frames[i].pc.n,
						 s->frames[i].srcline.p, s->frames[i].srcline.n};
			fg_collapser_frame(c, &f);
		}
		fg_collapser_end(c, s->period);
	}
	if (c) {
		FILE *devnull = fopen("/dev/null", "w");
		if (devnull) {
			fg_folded_write(devnull, fg_collapser_names(c), fg_collapser_stacks(c), NULL);
			fclose(devnull);
		}
	}
	fg_collapser_free(c);
	pp_script_free(r);
	return 0;
}
