/* fuzz_perfdata.c - perf.data bytes through the reader: every record
 * decoded, callchains walked, tracepoint fields looked up, as a tool would. */
#include <stdint.h>
#include <stdlib.h>

#include "perfparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pp_data *d;
	if (pp_data_open_mem(&d, data, size, "fuzz", ignore, NULL) != 0) {
		(void)pp_data_errmsg(d);
		pp_data_free(d);
		return 0;
	}
	for (size_t i = 0; i < pp_data_nevents(d); i++)
		(void)pp_data_event(d, i);
	const struct pp_record *r;
	volatile uint64_t sink = 0;
	while (pp_data_next(d, &r) == 1) {
		if (r->type == PP_RECORD_MMAP || r->type == PP_RECORD_MMAP2)
			sink += r->u.mmap.filename[0];
		if (r->type == PP_RECORD_COMM)
			sink += r->u.comm.comm[0];
		if (r->type != PP_RECORD_SAMPLE)
			continue;
		const struct pp_sample *s = &r->u.sample;
		struct pp_callchain_iter it;
		pp_callchain_iter_init(&it, s);
		uint64_t a;
		enum pp_cpumode mode;
		bool first;
		while (pp_callchain_next(&it, &a, &mode, &first))
			sink += a;
		for (size_t i = 0; i < s->nr_branch; i++)
			sink += s->branches[i].from;
		for (size_t i = 0; i < s->nr_regs_user; i++)
			sink += s->regs_user[i];
		for (size_t i = 0; i < s->nr_read; i++)
			sink += s->read[i].value;
		const uint8_t *raw = s->raw;
		for (uint32_t i = 0; i < s->raw_size; i++)
			sink += raw[i];
		sink += pp_sample_event_name(d, s)[0];
		uint64_t v;
		struct pp_str str;
		static const char *const fields[] = {"prev_comm", "prev_pid", "filename", "__probe_ip",
						     "common_pid", "next_comm", "pid"};
		for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
			if (pp_sample_field_u64(d, s, fields[i], &v) == 0)
				sink += v;
			if (pp_sample_field_str(d, s, fields[i], &str) == 0 && str.n)
				sink += (uint8_t)str.p[str.n - 1];
		}
	}
	(void)pp_data_errmsg(d);
	pp_data_free(d);
	(void)sink;
	return 0;
}
