/* export_internal.h - the profile the export writers read (export_*.c);
 * not part of the public API (flamegraph.h).
 *
 * export_profile.c     interning frames, stacks, threads, phases
 * export_samples.c     the samples: in memory, then spilled to a file
 * export_json.c        JSON strings (valid UTF-8 whatever the bytes)
 * export_protobuf.c    protobuf wire format into a buffer
 * export_speedscope.c  speedscope's file format (sampled profiles)
 * export_firefox.c     the Firefox Profiler's processed format
 * export_pprof.c       pprof's profile.proto, gzipped
 */
#ifndef EXPORT_INTERNAL_H
#define EXPORT_INTERNAL_H

#include "flame_internal.h"

/* Strings are ids into fg_profile.strings; id 0 is "" (pprof's rule). */
struct fg_pframe {
	uint32_t name, file, line;
	uint32_t module;          /* 1 + index into modules, 0: none */
	bool inlined;
};
struct fg_pmodule {
	uint32_t path, build_id;  /* build_id: hex text, 0 when unknown */
};
struct fg_pthread {
	uint32_t pid, tid, name;
	uint64_t weight, samples; /* totals */
	uint64_t first, last;     /* sample times */
};
struct fg_psample {
	uint64_t time, weight;
	uint32_t stack, thread;
};
/* A phase interval of a process (wasmperf-phases' rows): [start, end),
 * end included when it is the process's end; depth 1 inside a depth-0
 * phase. */
struct fg_pphase {
	uint32_t pid, name;       /* name: a string id */
	uint64_t start, end;
	unsigned depth;
	bool closed;
	uint64_t samples, weight;  /* of the samples it holds */
};
static inline bool fg_phase_holds(const struct fg_pphase *f, uint64_t time)
{
	return time >= f->start && (time < f->end || (f->closed && time == f->end));
}

/* ---- samples (export_samples.c) ----
 * Up to FG_STORE_BUDGET samples are kept in memory; a full buffer is
 * sorted by (thread, time, arrival) and appended to an unlinked temporary
 * file as a run, with the span of each thread in it (a segment). A
 * thread's samples in time order are then a merge of its segments, read
 * back with pread in windows that share FG_MERGE_BUDGET samples. */
#define FG_STORE_BUDGET 65536u
#define FG_MERGE_BUDGET 65536u
#define FG_MERGE_MIN_WINDOW 64u

struct fg_store_seg {
	uint32_t run, thread;
	uint64_t first, count;    /* samples [first, first + count) of the run */
};
struct fg_store {
	struct fg_psample *mem;   /* the run being filled (the last one, in memory) */
	size_t nmem;
	int fd;                   /* the spilled runs; -1 before the first */
	uint64_t *run_offset;     /* byte offset of each spilled run */
	size_t nruns, runs_cap;
	struct fg_store_seg *segs;
	size_t nsegs, segs_cap;
	uint32_t *order;          /* scratch for sorting a run */
	bool finished;
	int spill_errno;          /* why the temporary file failed, or 0 */
};
int fg_store_init(struct fg_store *st);
void fg_store_release(struct fg_store *st);
/* WP_E_IO when the temporary file cannot be written. */
int fg_store_add(struct fg_store *st, const char *dir, const struct fg_psample *s);
/* Sorts the run in memory; samples can be read from then on. */
int fg_store_finish(struct fg_store *st);

/* The samples of one thread in time order (equal times: arrival order). */
struct fg_iter_seg;
struct fg_sample_iter {
	const struct fg_store *st;
	struct fg_iter_seg *segs;
	size_t nsegs;
	uint32_t *heap;           /* segments by their next sample's (time, run) */
	size_t nheap;
	struct fg_psample *windows;
	int err;                  /* WP_E_IO after a failed read */
};
int fg_sample_iter_open(struct fg_sample_iter *it, const struct fg_profile *p, uint32_t thread);
/* 1 and *s, 0 at the end, or WP_E_IO. */
int fg_sample_iter_next(struct fg_sample_iter *it, struct fg_psample *s);
void fg_sample_iter_close(struct fg_sample_iter *it);

struct fg_profile {
	struct fg_profile_info info;
	char *name, *event, *exporter, *spill_dir; /* copies of info's */
	struct wp_intern *strings;
	struct wp_intern *frame_keys;
	struct fg_pframe *frames;
	size_t frames_cap;
	struct wp_stacks *stacks;
	struct wp_intern *module_keys;   /* path -> module index */
	struct fg_pmodule *modules;
	size_t modules_cap;
	struct wp_intern *thread_keys;   /* (pid, tid) -> thread index */
	struct fg_pthread *threads;
	size_t threads_cap;
	struct fg_pphase *phases;        /* grouped by pid, in the order given */
	size_t nphases, phases_cap;
	struct fg_store store;           /* info.aggregate: unused */
	struct wp_stacks *aggregate;     /* info.aggregate: (stack, thread, 1 + phase) */
	uint64_t nsamples;
	uint64_t first, last;            /* sample times */
	bool finished;
	struct wp_buf tmp;
};

static inline const char *fg_pstr(const struct fg_profile *p, uint32_t id, size_t *len)
{
	return wp_intern_str(p->strings, id, len);
}
static inline uint32_t fg_profile_nframes(const struct fg_profile *p)
{
	return wp_intern_count(p->frame_keys);
}
static inline uint32_t fg_profile_nthreads(const struct fg_profile *p)
{
	return wp_intern_count(p->thread_keys);
}
/* The ids an interned key of uint32_t holds, copied out (interned bytes
 * are not aligned); up to max of them, their number returned. */
static inline size_t fg_key_ids(const struct wp_intern *t, uint32_t id, uint32_t *out, size_t max)
{
	size_t len;
	const char *s = wp_intern_str(t, id, &len);
	size_t n = len / sizeof *out < max ? len / sizeof *out : max;
	memcpy(out, s, n * sizeof *out);
	return n;
}
/* Adds a sample to the counts of every phase holding it; its phase. */
uint32_t fg_profile_count_phases(struct fg_profile *p, uint32_t pid, uint64_t time, uint64_t weight);
/* The phase a sample of process pid at time is in: 1 + the index of the
 * deepest phase holding it (of equal ones the first given), 0: none. */
uint32_t fg_profile_phase_at(const struct fg_profile *p, uint32_t pid, uint64_t time);
/* The frame's class in the wasm palette (Wasm, host, kernel, JIT, native). */
enum fg_wasm_class fg_profile_frame_class(const struct fg_profile *p,
					  struct fg_wasm_classifier *w, uint32_t frame);

/* ---- JSON (export_json.c) ---- */
/* A JSON string with its quotes: bytes that are not valid UTF-8 become
 * U+FFFD, control characters \\uXXXX. */
void fg_json_string(struct fg_out *o, const char *s, size_t n);
/* A non-negative number of milliseconds from nanoseconds, exactly
 * ("1.000250"), trailing zeros dropped. */
void fg_json_ms(struct fg_out *o, uint64_t ns);

/* ---- protobuf (export_protobuf.c) ----
 * Fields appended to a wp_buf; a nested message is written into its own
 * buffer first, then appended with its length. 0 or WP_E_NOMEM. */
int fg_pb_varint(struct wp_buf *b, uint64_t v);
int fg_pb_uint(struct wp_buf *b, unsigned field, uint64_t v);       /* skipped when 0 */
int fg_pb_int(struct wp_buf *b, unsigned field, int64_t v);         /* skipped when 0 */
int fg_pb_bytes(struct wp_buf *b, unsigned field, const void *p, size_t n);
int fg_pb_packed(struct wp_buf *b, unsigned field, const uint64_t *v, size_t n);

#endif
