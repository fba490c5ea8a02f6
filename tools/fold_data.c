/* fold_data.c - perf.data -> folded stacks (wasmperf-fold's binary path):
 * libperfparse's records in time order feed the symbolizer's address
 * spaces (data_feed.c), and each sample's callchain becomes the frames
 * `perf script` would print, folded by the same collapser as text input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aot_names.h"
#include "data_feed.h"
#include "data_pipe.h"
#include "fold.h"
#include "fold_handoff.h"
#include "fold_reuse.h"
#include "perfparse.h"
#include "symbolizer.h"
#include "tool_warn.h"

#define FRAME_CACHE (1u << 16)

/* Resolved frames repeat: (symbol, module) pointers from the symbolizer
 * are stable, so they key a small cache of the collapser's frame keys. */
struct frame_cache_slot {
	const char *symbol, *module;
	uint32_t variant, key;
	bool used;
};

struct data_run {
	const struct fold_config *cfg;
	struct tool_warn warn;       /* the libraries' warnings and errors */
	struct fg_collapser *collapser;
	struct data_feed *feed;
	struct sym_native *sym;      /* the feed's */
	struct fold_inline *inliner;  /* --inline or --srcline, else NULL */
	struct aot_names *aot;       /* WasmEdge AOT objects' f<N> */
	struct pp_data *data;
	struct fold_events events;
	bool events_ready;           /* the header's events are known */
	int events_status;           /* 2: --event-filter names none of them */
	struct fold_time time;       /* --time, when time.arg */
	uint64_t kept;               /* samples of the folded event inside --time */
	const char *file;
	struct frame_cache_slot *cache;
	/* -j2 and more: records are read on a second thread (data_pipe.c) */
	struct data_pipe *pipe;      /* while it runs, pp_data warnings go there */
	struct data_feed_recording recording; /* the reader's, at the first sample */
	bool recording_known;
	/* -j2 and more, plain folding: the collapser (and the frame cache)
	 * belong to a folder thread that takes the resolved samples */
	struct fold_handoff *handoff;
	/* plain folding (no --inline, --srcline, --addrs): the frames of each
	 * thread's last callchain, reused (fold_reuse.h); NULL otherwise */
	struct fold_reuse *reuse;
	struct fold_reuse_frame emitted; /* what add_frame folded last */
	struct fold_reuse_keys *keys;    /* the folder's half of fold_reuse */
};


/* The frame as the collapser takes it. pc is only filled for --addrs. */
static struct fg_raw_frame raw_frame(const struct sym_frame *f, char pc[24], bool with_pc)
{
	const char *sym = f->symbol ? f->symbol : "[unknown]";
	/* perf keeps the blank of WAMR's two-space perf maps (" aot_func#3"),
	 * which perf script's text cannot show: drop it, as the text path does. */
	while (*sym == ' ')
		sym++;
	struct fg_raw_frame raw = {
		.sym = sym, .sym_len = strlen(sym),
		.module = f->module, .module_len = strlen(f->module),
	};
	if (with_pc) {
		int len = snprintf(pc, 24, "%llx", (unsigned long long)f->map_addr);
		raw.pc = pc;
		raw.pc_len = (size_t)len;
	}
	return raw;
}

/* The collapser's key of a resolved frame: a cache hit costs one pointer
 * hash, no string work at all. */
static int cached_key(struct data_run *run, const struct sym_frame *f, uint32_t *key)
{
	uint32_t variant = (uint32_t)fg_collapser_key_variant(run->collapser);
	uint64_t h = ((uint64_t)(uintptr_t)f->symbol * 0x9e3779b97f4a7c15ULL) ^
		     ((uint64_t)(uintptr_t)f->module * 0xc2b2ae3d27d4eb4fULL) ^ variant;
	struct frame_cache_slot *slot = &run->cache[(h ^ (h >> 29)) & (FRAME_CACHE - 1)];
	if (slot->used && slot->symbol == f->symbol && slot->module == f->module &&
	    slot->variant == variant) {
		*key = slot->key;
		return 0;
	}
	char pc[24];
	struct fg_raw_frame raw = raw_frame(f, pc, false);
	int rc = fg_collapser_frame_key(run->collapser, &raw, key);
	if (!rc)
		*slot = (struct frame_cache_slot){f->symbol, f->module, variant, *key, true};
	return rc;
}

/* --inline (the calls inlined at the address) and --srcline (":file:line"
 * of the address) from the DWARF of the frame's file. */
static int debug_frame(struct data_run *run, const struct sym_frame *f)
{
	const struct fold_config *cfg = run->cfg;
	char pc[24];
	struct fg_raw_frame raw = raw_frame(f, pc, cfg->collapse.include_addrs);
	if (cfg->inline_frames) {
		int rc = fold_inline_symbol(run->inliner, run->collapser, f->module, raw.sym,
					    f->offset, f->map_addr);
		if (rc)
			return rc < 0 ? rc : 0;
	}
	const char *file;
	unsigned line;
	char where[4200];
	if (cfg->srcline) {
		int rc = fold_inline_srcline(run->inliner, f->module, raw.sym, f->offset, f->map_addr,
					     &file, &line);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			int len = snprintf(where, sizeof where, "%s:%u", file, line);
			raw.srcline = where;
			raw.srcline_len = len > 0 && (size_t)len < sizeof where ? (size_t)len : 0;
		}
	}
	return fg_collapser_frame(run->collapser, &raw);
}

/* A frame that is its (symbol, module) alone. */
static int plain_frame(struct data_run *run, const char *symbol, const char *module)
{
	if (run->handoff) {
		fold_handoff_frame(run->handoff, symbol, module);
		return 0;
	}
	struct sym_frame f = {.symbol = symbol, .module = module};
	uint32_t key;
	int rc = cached_key(run, &f, &key);
	return rc ? rc : fg_collapser_push_key(run->collapser, key);
}

static int add_frame(void *ctx, const struct pp_sample *s, uint64_t addr, bool kernel)
{
	struct data_run *run = ctx;
	struct sym_frame f;
	uint64_t time = (s->fields & PP_SAMPLE_TIME) ? s->time : UINT64_MAX;
	int rc = sym_native_resolve(run->sym, (int32_t)s->pid, time, addr, kernel, &f);
	if (rc)
		return rc;
	/* WasmEdge AOT code: f<N> is Wasm function N, named here (the short
	 * rule is only safe where the object says what it is) */
	if (f.wasm_aot && f.symbol) {
		const char *t;
		size_t tlen;
		rc = aot_names_translate(run->aot, f.wasm_aot, f.symbol, strlen(f.symbol), &t, &tlen);
		if (rc < 0)
			return rc;
		if (rc > 0 && !run->handoff)
			return fg_collapser_frame_name(run->collapser, t, tlen);
		if (rc > 0) {
			fold_handoff_name(run->handoff, t, tlen);
			return 0;
		}
	}
	if (run->inliner && f.symbol && !f.kernel && !f.jit && !f.unmapped && f.module[0] == '/')
		return debug_frame(run, &f);
	/* The address only shows with --addrs, and only then keys the frame. */
	if (run->cfg->collapse.include_addrs) {
		char pc[24];
		struct fg_raw_frame raw = raw_frame(&f, pc, true);
		return fg_collapser_frame(run->collapser, &raw);
	}
	run->emitted = (struct fold_reuse_frame){f.symbol, f.module, true};
	return plain_frame(run, f.symbol, f.module);
}

/* The sample's frames as add_frame folds them, the root-side part that
 * equals its thread's last callchain taken from that, unresolved (and not
 * even handed over to a folder thread, which holds them too). The sample
 * becomes its thread's last once folded (fold_reuse_commit). */
static int reused_frames(struct data_run *run, const struct pp_sample *s)
{
	struct fold_reuse *r = run->reuse;
	int rc = data_feed_addresses(run->feed, s, fold_reuse_begin(r));
	if (rc)
		return rc;
	const struct fold_reuse_frame *same;
	uint64_t time = (s->fields & PP_SAMPLE_TIME) ? s->time : UINT64_MAX;
	size_t n = fold_reuse_count(r);
	size_t kept = fold_reuse_match(r, run->sym, (int32_t)s->pid, s->tid, time, &same);
	for (size_t i = 0; i < n - kept; i++) {
		bool kernel;
		uint64_t addr = fold_reuse_addr(r, i, &kernel);
		run->emitted.plain = false;
		if ((rc = add_frame(run, s, addr, kernel)) != 0)
			return rc;
		fold_reuse_set(r, i, run->emitted.symbol, run->emitted.module, run->emitted.plain);
	}
	/* the folder holds the thread's last frames itself: only the count */
	if (run->handoff) {
		fold_handoff_shared(run->handoff, fold_reuse_slot(r), (uint32_t)kept);
		return 0;
	}
	for (size_t i = 0; i < kept; i++)
		if ((rc = plain_frame(run, same[i].symbol, same[i].module)) != 0)
			return rc;
	return 0;
}

/* The sample's frames, leaf first, to the collapser (or the folder). */
static int sample_frames(struct data_run *run, const struct pp_sample *s)
{
	return run->reuse ? reused_frames(run, s) : data_feed_frames(run->feed, s, add_frame, run);
}

/* The events of the header: in file mode when opened, in pipe mode at the
 * first sample (the attrs come before it). A --event-filter naming none of
 * them ends the run before any output (exit 2). */
static int setup_events(struct data_run *run)
{
	run->events_ready = true;
	int rc = fold_events_data(&run->events, run->data);
	if (rc == WP_E_NOTFOUND) {
		run->events_status = fold_events_check(&run->events, run->cfg, run->file);
		return WP_E_NOTFOUND;
	}
	return rc;
}

/* --time with percentages: the recording's first and last sample times,
 * from the SAMPLE_TIME header feature, else from a first pass over the
 * file (not possible on standard input). 0, or an exit status. */
static int resolve_time(struct data_run *run, const char *path)
{
	const struct pp_data_info *info = pp_data_info(run->data);
	if (info->has_sample_time) {
		fold_time_resolve(&run->time, info->first_sample_time, info->last_sample_time);
		return 0;
	}
	if (!path || !strcmp(path, "-")) {
		fprintf(stderr, "%s: --time '%s': percentages need the first and last sample times: "
			"this recording has none in its header (pipe mode) and standard input cannot "
			"be read twice: save it to a file, or give times in seconds\n",
			run->cfg->prog, run->time.arg);
		return 2;
	}
	struct pp_data *d;
	if (pp_data_open(&d, path, NULL, NULL) != 0) {
		fprintf(stderr, "%s: %s\n", run->cfg->prog, d ? pp_data_errmsg(d) : "out of memory");
		pp_data_free(d);
		return 1;
	}
	uint64_t first = 0, last = 0;
	bool seen = false;
	const struct pp_record *r;
	int rc;
	while ((rc = pp_data_next(d, &r)) == 1) {
		const struct pp_sample *s = &r->u.sample;
		if (r->type != PP_RECORD_SAMPLE || !(s->fields & PP_SAMPLE_TIME) || !s->time)
			continue;
		if (!seen || s->time < first)
			first = s->time;
		if (!seen || s->time > last)
			last = s->time;
		seen = true;
	}
	pp_data_free(d); /* damage is reported by the folding pass */
	fold_time_resolve(&run->time, first, last);
	return 0;
}

static int fold_sample(struct data_run *run, const struct pp_sample *s);

static int on_sample(struct data_run *run, const struct pp_sample *s)
{
	int jrc = data_feed_sample(run->feed, run->data, s);
	if (jrc)
		return jrc;
	if (!run->events_ready && (jrc = setup_events(run)) != 0)
		return jrc;
	bool in = !run->time.arg || fold_time_keep(&run->time, s->fields & PP_SAMPLE_TIME, s->time);
	if (!fold_events_keep_index(&run->events, run->data, s->event, in))
		return 0;
	run->kept++;
	return fold_sample(run, s);
}

/* A sample of the folded event inside --time: its stack, counted. */
static int fold_sample(struct data_run *run, const struct pp_sample *s)
{
	const struct fold_config *cfg = run->cfg;
	size_t comm_len;
	char unknown[16];
	const char *comm = data_feed_comm_shown(run->feed, s->tid, unknown, &comm_len);
	if (!fold_keep_comm(cfg, comm, comm_len))
		return 0;
	char pid[16] = "", tid[16] = "";
	int pid_len = 0, tid_len = 0;
	if (cfg->collapse.include_pid || cfg->collapse.include_tid) {
		pid_len = snprintf(pid, sizeof pid, "%u", s->pid);
		tid_len = snprintf(tid, sizeof tid, "%u", s->tid);
	}
	uint64_t weight = cfg->count_samples ? 1 : (s->period ? s->period : 1);
	if (run->handoff) {
		fold_handoff_begin(run->handoff, comm, comm_len, pid, (size_t)pid_len, tid,
				   (size_t)tid_len);
		int rc = sample_frames(run, s);
		if (rc) {
			fold_handoff_abort(run->handoff);
			return rc;
		}
		rc = fold_handoff_end(run->handoff, weight);
		if (!rc && run->reuse)
			fold_reuse_commit(run->reuse);
		return rc;
	}
	int rc = fg_collapser_begin(run->collapser, comm, comm_len, pid, (size_t)pid_len, tid,
				    (size_t)tid_len);
	rc = rc ? rc : sample_frames(run, s);
	if (rc) {
		fg_collapser_abort(run->collapser);
		return rc;
	}
	rc = fg_collapser_end(run->collapser, weight);
	if (!rc && run->reuse)
		fold_reuse_commit(run->reuse);
	size_t stack = fg_collapser_last_stack(run->collapser);
	if (rc || !cfg->sink || stack == SIZE_MAX)
		return rc;
	struct fold_sample fs = {
		.time = s->time, .has_time = s->fields & PP_SAMPLE_TIME, .pid = s->pid, .tid = s->tid,
		.comm = comm, .comm_len = comm_len, .weight = weight, .has_period = true,
		.stack = stack,
	};
	return cfg->sink->sample(cfg->sink->ctx, run->collapser, &fs);
}

static int on_record(struct data_run *run, const struct pp_record *r)
{
	if (r->type == PP_RECORD_SAMPLE)
		return on_sample(run, &r->u.sample);
	return data_feed_record(run->feed, r);
}

/* -j: threads that load symbol sources while records are read (1: each
 * at its first use, as always); the default is the online cores. */
static unsigned data_threads(const struct fold_config *cfg)
{
	return fold_threads(cfg, 64);
}

/* ---- -j2 and more: the records are read on a second thread ----
 * The reader (read_records, on data_pipe's thread) owns run->data and the
 * event and --time filters: read(2), zstd, time ordering and decoding
 * overlap the rest. This thread keeps the symbolizer, the unwinder and the
 * collapser (neither the symbolizer nor libdw's unwinder state may be
 * shared between threads). Each sample carries the reader's decisions as
 * notes, and the reader's warnings come in their place between the
 * records, so the output, the warnings and the exit status are those of
 * one thread (tests/threads/test_fold_data_threads.sh compares them).
 * Measured on a 173 MB --call-graph dwarf recording (bench/dwarf.sh): the
 * reader's share was ~9 % of the CPU time (read(2) of the page-cached file
 * 0.04-0.07 s of ~0.8 s, the copy into pp_data's queue, decoding); libdw's
 * unwinding (~30 %) and the symbol tables (~40 %, loaded by the
 * symbolizer's own workers with -j) are the rest. A thread rather than
 * mmap: it also serves pipes (perf record -o - | wasmperf fold), takes the
 * decoding off this thread too, and cannot fault with SIGBUS when the file
 * shrinks; mmap would only trade that 5 % copy for page faults. */
enum { NOTE_FOLD = 1, NOTE_FIRST_SAMPLE = 2 };

/* pp_data's warnings: in order with the records while the reader runs. */
static void reader_warn(void *ctx, const char *msg)
{
	struct data_run *run = ctx;
	if (run->pipe)
		data_pipe_put_warning(run->pipe, msg);
	else
		tool_warn_fn(&run->warn, msg);
}

/* The reader's part of on_sample: the recording's facts at the first
 * sample, the events (pipe mode: known at the first sample), the filters.
 * An error is noted for the folding thread to give after data_feed_sample,
 * where one thread gives it, and ends the reading. */
static int note_sample(struct data_run *run, const struct pp_sample *s,
		       struct data_pipe_item *it)
{
	if (!run->recording_known) {
		run->recording_known = true;
		data_feed_recording_of(run->data, &run->recording);
		it->notes |= NOTE_FIRST_SAMPLE;
	}
	if (!run->events_ready) {
		run->events_ready = true;
		if ((it->rc = fold_events_data(&run->events, run->data)) != 0)
			return it->rc;
	}
	bool in = !run->time.arg || fold_time_keep(&run->time, s->fields & PP_SAMPLE_TIME, s->time);
	if (fold_events_keep_index(&run->events, run->data, s->event, in)) {
		run->kept++;
		it->notes |= NOTE_FOLD;
	}
	return 0;
}

static int read_records(void *ctx, struct data_pipe *p)
{
	struct data_run *run = ctx;
	const struct pp_record *r;
	int rc;
	while ((rc = pp_data_next(run->data, &r)) == 1) {
		struct data_pipe_item *it = data_pipe_put_record(p, r, &rc);
		if (!it)
			return rc;
		if (r->type == PP_RECORD_SAMPLE && (rc = note_sample(run, &r->u.sample, it)) != 0)
			return rc;
	}
	return rc;
}

/* on_record for a record from the reader. */
static int fold_item(struct data_run *run, const struct data_pipe_item *it)
{
	if (it->kind == DATA_PIPE_WARNING) {
		tool_warn_fn(&run->warn, it->msg);
		return 0;
	}
	const struct pp_record *r = &it->rec;
	if (r->type != PP_RECORD_SAMPLE)
		return data_feed_record(run->feed, r);
	if (it->notes & NOTE_FIRST_SAMPLE)
		data_feed_set_recording(run->feed, &run->recording);
	int rc = data_feed_sample(run->feed, NULL, &r->u.sample);
	if (rc)
		return rc;
	if (it->rc == WP_E_NOTFOUND)
		run->events_status = fold_events_check(&run->events, run->cfg, run->file);
	if (it->rc)
		return it->rc;
	return (it->notes & NOTE_FOLD) ? fold_sample(run, &r->u.sample) : 0;
}

/* One handed-over frame to the collapser: its key made, or its name. */
static int handed_frame(struct data_run *run, const struct fold_handoff_sample *s,
			const struct fold_handoff_frame *h, uint32_t *key)
{
	if (h->is_name) {
		*key = UINT32_MAX;
		return fg_collapser_frame_name(run->collapser, s->arena + h->name_at, h->name_len);
	}
	struct sym_frame f = {.symbol = h->symbol, .module = h->module};
	int rc = cached_key(run, &f, key);
	return rc ? rc : fg_collapser_push_key(run->collapser, *key);
}

/* A sample kept in no slot: its frames as handed over. */
static int handed_frames(struct data_run *run, const struct fold_handoff_sample *s)
{
	int rc = s->same ? WP_E_USAGE : 0;
	uint32_t key;
	for (size_t i = 0; !rc && i < s->nframes; i++)
		rc = handed_frame(run, s, &s->frames[i], &key);
	return rc;
}

/* A sample of a slot: the frames handed over, leaf first, then the `same`
 * root-side ones the slot holds from its last sample (fold_reuse.h). */
static int held_frames(struct data_run *run, const struct fold_handoff_sample *s)
{
	struct fold_reuse_held *held;
	size_t same = s->same, n = same + s->nframes;
	int valid = fold_reuse_hold(run->keys, s->slot, same, n,
				    fg_collapser_key_variant(run->collapser), &held);
	if (valid < 0)
		return valid;
	int rc = 0;
	for (size_t i = 0; !rc && i < s->nframes; i++) {
		const struct fold_handoff_frame *h = &s->frames[i];
		size_t at = n - 1 - i; /* root first */
		held->frames[at] = (struct fold_reuse_frame){h->symbol, h->module, !h->is_name};
		rc = handed_frame(run, s, h, &held->keys[at]);
	}
	for (size_t at = same; !rc && at-- > 0;) {
		if (!valid) {
			struct sym_frame f = {.symbol = held->frames[at].symbol,
					      .module = held->frames[at].module};
			rc = cached_key(run, &f, &held->keys[at]);
		}
		rc = rc ? rc : fg_collapser_push_key(run->collapser, held->keys[at]);
	}
	if (!rc)
		fold_reuse_held_done(run->keys);
	return rc;
}

/* A sample the folder thread takes (fold_handoff.c): the collapser's
 * calls of fold_sample and add_frame, in the same order. */
static int fold_handed(void *ctx, const struct fold_handoff_sample *s)
{
	struct data_run *run = ctx;
	int rc = fg_collapser_begin(run->collapser, s->comm, s->comm_len, s->pid, s->pid_len,
				    s->tid, s->tid_len);
	if (!rc)
		rc = s->slot == FOLD_HANDOFF_NO_SLOT ? handed_frames(run, s) : held_frames(run, s);
	if (rc) {
		fg_collapser_abort(run->collapser);
		return rc;
	}
	return fg_collapser_end(run->collapser, s->weight);
}

/* At the start of each batch from the reader, its MMAPs' symbol sources
 * start loading (data_feed_ahead). Why: a recording's first samples come
 * before the MMAPs of the program they run (perf-exec, then node's exec),
 * and they wait for kallsyms; node's table was only queued once they were
 * done, and loaded while every sample after them waited (sqljs.data: the
 * folder's first sample at 0.19 s). Now both load at once. */
static void look_ahead(struct data_run *run, const struct data_pipe_item *it)
{
	size_t n;
	bool first;
	const struct data_pipe_item *rest = data_pipe_ahead(run->pipe, &n, &first);
	if (!first)
		return;
	if (it->kind == DATA_PIPE_RECORD)
		data_feed_ahead(run->feed, &it->rec);
	for (size_t i = 0; i < n; i++)
		if (rest[i].kind == DATA_PIPE_RECORD)
			data_feed_ahead(run->feed, &rest[i].rec);
}

/* The record loop with the reader on its own thread: what the loop of one
 * thread returns (0, or the first error of either side). */
static int fold_piped(struct data_run *run)
{
	if (data_pipe_start(run->pipe, read_records, run) != 0)
		return WP_E_NOMEM;
	int rc = 0;
	const struct data_pipe_item *it;
	while ((it = data_pipe_next(run->pipe)) != NULL) {
		look_ahead(run, it);
		if ((rc = fold_item(run, it)) < 0)
			break;
	}
	int read_rc = data_pipe_finish(run->pipe);
	data_pipe_free(run->pipe);
	run->pipe = NULL;
	return rc < 0 ? rc : read_rc; /* the folder's own error: fold_data_run */
}

/* Bytes of records per batch handed between the threads: tests make it
 * tiny to cut small recordings into many batches, through the variable
 * that sizes text folding's chunks too. 0: the default. */
static size_t pipe_batch_bytes(void)
{
	const char *env = getenv("WASMPERF_CHUNK_BYTES");
	long long n = env ? atoll(env) : 0;
	return n > 0 ? (size_t)n : 0;
}

int fold_data_run(const struct fold_config *cfg, const char *path, FILE *out)
{
	struct data_run run = {.cfg = cfg, .warn = {cfg->prog, cfg->quiet}};
	run.file = path && strcmp(path, "-") ? path : "<stdin>";
	run.collapser = fg_collapser_new(&cfg->collapse);
	struct data_feed_config fc = {
		.symfs = cfg->symfs, .kallsyms = cfg->kallsyms, .buildid_dir = cfg->buildid_dir,
		.perf_map_dir = cfg->perf_map_dir, .jitdumps = cfg->jitdumps,
		.njitdumps = cfg->njitdumps, .threads = data_threads(cfg),
	};
	run.feed = data_feed_new(&fc, path, tool_warn_fn, tool_error_fn, &run.warn);
	run.sym = run.feed ? data_feed_symbolizer(run.feed) : NULL;
	run.cache = calloc(FRAME_CACHE, sizeof *run.cache);
	run.aot = aot_names_new(cfg->prog, cfg->names_opt, cfg->names, cfg->symfs, cfg->quiet);
	bool need_inliner = cfg->inline_frames || cfg->srcline;
	/* --srcline on expanded frames: each with its line, as perf prints them */
	struct fold_config icfg = *cfg;
	icfg.context = cfg->context || cfg->srcline;
	run.inliner = need_inliner ? fold_inline_new(&icfg) : NULL;
	int status = 0;
	if (!run.collapser || !run.feed || !run.cache || !run.aot || (need_inliner && !run.inliner) ||
	    fold_events_init(&run.events, cfg->event_filter)) {
		fprintf(stderr, "%s: out of memory\n", cfg->prog);
		status = 1;
	}
	/* -j1: reading and folding on this thread, as always */
	bool piped = data_threads(cfg) > 1;
	if (!status && piped && !(run.pipe = data_pipe_new(pipe_batch_bytes()))) {
		fprintf(stderr, "%s: out of memory\n", cfg->prog);
		status = 1;
	}
	/* the collapser on a thread of its own when nothing else needs it
	 * between samples: not for --inline/--srcline (they push expanded
	 * frames), --addrs (a frame per address), or a sink (export, phases:
	 * it asks for each sample's stack at once) */
	if (!status && piped && !need_inliner && !cfg->collapse.include_addrs && !cfg->sink &&
	    (run.keys = fold_reuse_keys_new()) != NULL)
		run.handoff = fold_handoff_new(fold_handed, &run); /* NULL: folded here */
	/* frames are reused where each is its (symbol, module) alone */
	if (!status && !need_inliner && !cfg->collapse.include_addrs &&
	    !(run.reuse = fold_reuse_new())) {
		fprintf(stderr, "%s: out of memory\n", cfg->prog);
		status = 1;
	}
	struct data_pipe *reader_pipe = run.pipe;
	run.pipe = NULL; /* pp_data_open's warnings are printed at once */
	int rc = status ? 0
		 : piped ? pp_data_open(&run.data, path, reader_warn, &run)
			 : pp_data_open(&run.data, path, tool_warn_fn, &run.warn);
	if (!status && rc) {
		fprintf(stderr, "%s: %s\n", cfg->prog, run.data ? pp_data_errmsg(run.data) : "out of memory");
		status = 1;
	}
	if (!status && cfg->time && cfg->time->arg) {
		run.time = *cfg->time;
		if (run.time.percent)
			status = resolve_time(&run, path);
	}
	if (!status && !pp_data_info(run.data)->pipe_mode && setup_events(&run))
		status = run.events_status ? run.events_status : 1;
	if (!status) {
		data_feed_build_ids(run.feed, run.data);
		const struct pp_record *r;
		if (piped) {
			run.pipe = reader_pipe;
			reader_pipe = NULL;
			rc = fold_piped(&run);
		}
		while (!piped && (rc = pp_data_next(run.data, &r)) == 1)
			if ((rc = on_record(&run, r)) < 0)
				break;
		if (rc == WP_E_NOTFOUND && run.events_status) {
			status = run.events_status;
		} else if (rc < 0) {
			/* Everything before the damage is still folded and written. */
			const char *msg = pp_data_errmsg(run.data);
			fprintf(stderr, "%s: %s\n", cfg->prog, msg && msg[0] ? msg : wp_strerror(rc));
			status = 1;
		}
	}
	/* the folder is done (or never started) before the stacks are read */
	int fold_rc = run.handoff ? fold_handoff_finish(run.handoff) : 0;
	if (!status && fold_rc < 0) {
		fprintf(stderr, "%s: %s\n", cfg->prog, wp_strerror(fold_rc));
		status = 1;
	}
	/* A recording without samples: the filter is checked all the same. */
	if (!status && run.data && !run.events_ready && setup_events(&run))
		status = run.events_status ? run.events_status : 1;
	if (status == 2) /* usage: --event-filter or --time, nothing folded */
		goto out;
	if (cfg->sink && run.collapser) {
		int src = cfg->sink->finish(cfg->sink->ctx, run.collapser, &run.events, run.data);
		status = status ? status : src;
	} else if (run.collapser && fold_write(cfg, run.collapser, out) != 0) {
		status = 1;
	}
	if (data_feed_status(run.feed))
		status = 1;
	fold_events_report(&run.events, cfg);
	if (!status)
		fold_time_report(run.time.arg ? &run.time : NULL, run.kept, cfg);
out:
	fold_handoff_free(run.handoff);
	fold_reuse_free(run.reuse);
	fold_reuse_keys_free(run.keys);
	data_pipe_free(reader_pipe);
	pp_data_free(run.data);
	data_feed_free(run.feed);
	fold_inline_free(run.inliner);
	aot_names_free(run.aot);
	fg_collapser_free(run.collapser);
	fold_events_release(&run.events);
	free(run.cache);
	return status;
}
