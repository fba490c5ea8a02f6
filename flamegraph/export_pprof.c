/* export_pprof.c - pprof's profile.proto (google/pprof proto/profile.proto),
 * gzip-compressed as its header says files on disk are. Sample types
 * samples/count and the event's weights (cpu/nanoseconds for a clock
 * event); one sample per (stack, thread, phase) with labels pid, tid, comm
 * and phase (the deepest phase holding it, when the recording has markers);
 * a location per physical frame, the frames inlined into it as its
 * first lines (innermost first, the caller last); a function per (name,
 * file), a mapping per module with its build-id. Messages are encoded
 * into buffers (export_protobuf.c) and deflated with zlib. */
#include <stdlib.h>
#include <zlib.h>

#include "export_internal.h"

/* Profile's field numbers */
enum { P_SAMPLE_TYPE = 1, P_SAMPLE, P_MAPPING, P_LOCATION, P_FUNCTION, P_STRING_TABLE,
       P_TIME_NANOS = 9, P_DURATION_NANOS, P_PERIOD_TYPE, P_PERIOD, P_DEFAULT_SAMPLE_TYPE = 14 };

struct pp {
	const struct fg_profile *p;
	struct wp_intern *strings;   /* the profile's (same ids), then the writer's own */
	struct wp_intern *locations; /* frame id runs (leaf first) -> location id - 1 */
	struct wp_intern *functions; /* (name, file) -> function id - 1 */
	struct wp_stacks *samples;   /* (stack, thread, 1 + phase) -> weight, samples */
	struct wp_buf msg, sub, sub2;
	uint64_t *ids;
	size_t ids_cap;
	int err;                     /* the first error, checked once a message is done */
};

static void keep(struct pp *w, int rc)
{
	if (rc && !w->err)
		w->err = rc;
}

static uint32_t str(struct pp *w, const char *s)
{
	uint32_t id = 0;
	keep(w, wp_intern_get(w->strings, s, strlen(s), &id));
	return id;
}

static int value_type(struct pp *w, unsigned field, const char *type, const char *unit)
{
	wp_buf_reset(&w->sub);
	keep(w, fg_pb_uint(&w->sub, 1, str(w, type)));
	keep(w, fg_pb_uint(&w->sub, 2, str(w, unit)));
	return fg_pb_bytes(&w->msg, field, w->sub.data, w->sub.len);
}

static int grow_ids(struct pp *w, size_t n)
{
	return wp_grow((void **)&w->ids, &w->ids_cap, n ? n : 1, sizeof *w->ids);
}

/* The location ids of a stack, leaf first: a run of inlined frames and the
 * physical frame they were inlined into make one location. */
static int stack_locations(struct pp *w, uint32_t stack, size_t *count)
{
	const uint32_t *ids;
	size_t n, nl = 0;
	wp_stacks_get(w->p->stacks, stack, &ids, &n, NULL, NULL);
	uint32_t run[256];
	if (grow_ids(w, n))
		return WP_E_NOMEM;
	for (size_t i = n; i-- > 0;) {
		size_t k = 0;
		run[k++] = ids[i];
		while (i > 0 && k < 256 && w->p->frames[ids[i]].inlined)
			run[k++] = ids[--i];
		uint32_t loc;
		int rc = wp_intern_get(w->locations, (const char *)run, k * sizeof *run, &loc);
		if (rc)
			return rc;
		w->ids[nl++] = (uint64_t)loc + 1;
	}
	*count = nl;
	return 0;
}

/* The samples summed per (stack, thread, 1 + phase): the profile's own
 * sums, or (a profile that kept its samples) summed here. */
static int sum_samples(struct pp *w, const struct wp_stacks **sums)
{
	const struct fg_profile *p = w->p;
	if (p->info.aggregate) {
		*sums = p->aggregate;
		return 0;
	}
	for (uint32_t t = 0; t < fg_profile_nthreads(p); t++) {
		struct fg_sample_iter it;
		struct fg_psample s;
		int rc = fg_sample_iter_open(&it, p, t);
		while (rc >= 0 && (rc = fg_sample_iter_next(&it, &s)) == 1) {
			uint32_t key[3] = {s.stack, t, fg_profile_phase_at(p, p->threads[t].pid, s.time)};
			rc = wp_stacks_add(w->samples, key, 3, s.weight, 1);
		}
		fg_sample_iter_close(&it);
		if (rc < 0)
			return rc;
	}
	*sums = w->samples;
	return 0;
}

static void label(struct pp *w, uint32_t key, uint32_t str, uint64_t num)
{
	wp_buf_reset(&w->sub2);
	keep(w, fg_pb_uint(&w->sub2, 1, key));
	keep(w, fg_pb_uint(&w->sub2, 2, str));
	keep(w, fg_pb_uint(&w->sub2, 3, num));
	keep(w, fg_pb_bytes(&w->sub, 3, w->sub2.data, w->sub2.len));
}

static int write_samples(struct pp *w)
{
	const struct fg_profile *p = w->p;
	uint32_t label_pid = str(w, "pid"), label_tid = str(w, "tid"), label_comm = str(w, "comm");
	uint32_t label_phase = str(w, "phase");
	const struct wp_stacks *sums;
	int rc = sum_samples(w, &sums);
	for (size_t e = 0; !rc && e < wp_stacks_count(sums); e++) {
		const uint32_t *key;
		uint64_t weight, samples;
		size_t nl;
		wp_stacks_get(sums, e, &key, NULL, &weight, &samples);
		if ((rc = stack_locations(w, key[0], &nl)) != 0)
			return rc;
		const struct fg_pthread *t = &p->threads[key[1]];
		wp_buf_reset(&w->sub);
		keep(w, fg_pb_packed(&w->sub, 1, w->ids, nl));
		/* folded input: its counts are the only values */
		uint64_t values[2] = {p->info.timed ? samples : weight, weight};
		keep(w, fg_pb_packed(&w->sub, 2, values, p->info.timed ? 2 : 1));
		if (p->info.timed) {
			label(w, label_pid, 0, t->pid);
			label(w, label_tid, 0, t->tid);
			label(w, label_comm, t->name, 0);
		}
		if (key[2])
			label(w, label_phase, p->phases[key[2] - 1].name, 0);
		rc = fg_pb_bytes(&w->msg, P_SAMPLE, w->sub.data, w->sub.len);
	}
	return rc;
}

static int write_mappings(struct pp *w)
{
	const struct fg_profile *p = w->p;
	for (uint32_t m = 0; m < wp_intern_count(p->module_keys); m++) {
		wp_buf_reset(&w->sub);
		keep(w, fg_pb_uint(&w->sub, 1, (uint64_t)m + 1));
		keep(w, fg_pb_uint(&w->sub, 5, p->modules[m].path));
		keep(w, fg_pb_uint(&w->sub, 6, p->modules[m].build_id));
		fg_pb_uint(&w->sub, 7, 1); /* has_functions */
		int rc = fg_pb_bytes(&w->msg, P_MAPPING, w->sub.data, w->sub.len);
		if (rc)
			return rc;
	}
	return 0;
}

static uint32_t function_of(struct pp *w, uint32_t frame)
{
	const struct fg_pframe *f = &w->p->frames[frame];
	uint32_t key[2] = {f->name, f->file}, id = 0;
	keep(w, wp_intern_get(w->functions, (const char *)key, sizeof key, &id));
	return id + 1;
}

static int write_locations(struct pp *w)
{
	const struct fg_profile *p = w->p;
	for (uint32_t l = 0; l < wp_intern_count(w->locations); l++) {
		uint32_t run[256];
		size_t k = fg_key_ids(w->locations, l, run, 256);
		wp_buf_reset(&w->sub);
		keep(w, fg_pb_uint(&w->sub, 1, (uint64_t)l + 1));
		/* run: the innermost inlined frame first, the physical one last,
		 * as profile.proto orders a location's lines */
		fg_pb_uint(&w->sub, 2, p->frames[run[k - 1]].module);
		for (size_t i = 0; i < k; i++) {
			wp_buf_reset(&w->sub2);
			keep(w, fg_pb_uint(&w->sub2, 1, function_of(w, run[i])));
			keep(w, fg_pb_uint(&w->sub2, 2, p->frames[run[i]].line));
			keep(w, fg_pb_bytes(&w->sub, 4, w->sub2.data, w->sub2.len));
		}
		int rc = fg_pb_bytes(&w->msg, P_LOCATION, w->sub.data, w->sub.len);
		if (rc)
			return rc;
	}
	for (uint32_t f = 0; f < wp_intern_count(w->functions); f++) {
		uint32_t key[2];
		fg_key_ids(w->functions, f, key, 2);
		wp_buf_reset(&w->sub);
		keep(w, fg_pb_uint(&w->sub, 1, (uint64_t)f + 1));
		keep(w, fg_pb_uint(&w->sub, 2, key[0]));
		keep(w, fg_pb_uint(&w->sub, 3, key[0]));
		keep(w, fg_pb_uint(&w->sub, 4, key[1]));
		int rc = fg_pb_bytes(&w->msg, P_FUNCTION, w->sub.data, w->sub.len);
		if (rc)
			return rc;
	}
	return 0;
}

static int encode(struct pp *w)
{
	const struct fg_profile *p = w->p;
	for (uint32_t i = 0; i < wp_intern_count(p->strings); i++) {
		size_t n;
		const char *s = fg_pstr(p, i, &n);
		uint32_t id;
		int rc = wp_intern_get(w->strings, s, n, &id);
		if (rc)
			return rc;
	}
	const char *event = p->info.event ? p->info.event : "count";
	bool clock = p->info.weight_ns;
	int rc = value_type(w, P_SAMPLE_TYPE, "samples", "count");
	if (!rc && p->info.timed)
		rc = value_type(w, P_SAMPLE_TYPE, clock ? "cpu" : event, clock ? "nanoseconds" : "count");
	rc = rc ? rc : write_samples(w);
	rc = rc ? rc : write_mappings(w);
	rc = rc ? rc : write_locations(w);
	if (rc)
		return rc;
	if (p->info.timed) {
		uint64_t n = 0, weight = 0;
		for (uint32_t t = 0; t < fg_profile_nthreads(p); t++) {
			n += p->threads[t].samples;
			weight += p->threads[t].weight;
		}
		keep(w, fg_pb_uint(&w->msg, P_DURATION_NANOS, clock ? p->last - p->first : 0));
		rc = value_type(w, P_PERIOD_TYPE, clock ? "cpu" : event, clock ? "nanoseconds" : "count");
		keep(w, fg_pb_uint(&w->msg, P_PERIOD, n ? weight / n : 0));
		keep(w, fg_pb_uint(&w->msg, P_DEFAULT_SAMPLE_TYPE, str(w, clock ? "cpu" : event)));
	}
	/* the string table last: every string is known by now */
	for (uint32_t i = 0; i < wp_intern_count(w->strings) && !rc; i++) {
		size_t n;
		const char *s = wp_intern_str(w->strings, i, &n);
		rc = fg_pb_bytes(&w->msg, P_STRING_TABLE, s, n);
	}
	return rc;
}

/* gzip (RFC 1952) through zlib: windowBits 15 + 16 writes the gzip frame. */
static int gzip_write(const struct wp_buf *b, FILE *out)
{
	z_stream z = {0};
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return WP_E_NOMEM;
	unsigned char chunk[1 << 16];
	int rc = 0;
	size_t off = 0, left = b->len;
	do {
		uInt take = left > (1u << 30) ? (1u << 30) : (uInt)left;
		z.next_in = (unsigned char *)b->data + off;
		z.avail_in = take;
		off += take;
		left -= take;
		do { /* zlib's own loop (zlib.h, deflate): until output room is left */
			z.next_out = chunk;
			z.avail_out = sizeof chunk;
			if (deflate(&z, left ? Z_NO_FLUSH : Z_FINISH) == Z_STREAM_ERROR)
				rc = WP_E_IO;
			size_t have = sizeof chunk - z.avail_out;
			if (!rc && fwrite(chunk, 1, have, out) != have)
				rc = WP_E_IO;
		} while (!rc && z.avail_out == 0);
	} while (!rc && left);
	deflateEnd(&z);
	return rc;
}

int fg_export_pprof(const struct fg_profile *p, FILE *out)
{
	struct pp w = {.p = p};
	w.strings = wp_intern_new();
	w.locations = wp_intern_new();
	w.functions = wp_intern_new();
	w.samples = wp_stacks_new();
	wp_buf_init(&w.msg, WP_BUF_UNLIMITED);
	wp_buf_init(&w.sub, WP_BUF_UNLIMITED);
	wp_buf_init(&w.sub2, WP_BUF_UNLIMITED);
	int rc = w.strings && w.locations && w.functions && w.samples ? encode(&w) : WP_E_NOMEM;
	rc = rc ? rc : w.err;
	if (!rc)
		rc = gzip_write(&w.msg, out);
	wp_intern_free(w.strings);
	wp_intern_free(w.locations);
	wp_intern_free(w.functions);
	wp_stacks_free(w.samples);
	wp_buf_release(&w.msg);
	wp_buf_release(&w.sub);
	wp_buf_release(&w.sub2);
	free(w.ids);
	return rc;
}
