/* export_firefox.c - the Firefox Profiler's processed profile format at
 * version 60 (firefox-devtools/profiler src/types/profile.ts and
 * processed-profile-versioning.ts): tables of columns shared by every
 * thread in profile.shared (strings, sources, stacks as a prefix tree,
 * frames, functions, resources), a thread per (pid, tid) with its samples
 * (times in ms from the start, weights) and the phases of its process (a
 * recording with markers) as interval markers on its main thread (or the
 * first thread of the process with samples). Version 60 is
 * the first with shared tables and the last with stackTable.prefix and
 * samples.time, the columns Perfetto's importer reads; the Firefox
 * Profiler upgrades it on load. Categories are the `wasm` palette's
 * classes in its colours. */
#include <stdlib.h>

#include "export_internal.h"

#define FF_VERSION 60

/* Category index of each wasm class: 0 is "Other". */
static unsigned category_of(enum fg_wasm_class c)
{
	switch (c) {
	case FG_WASM_CODE: return 1;
	case FG_WASM_HOST: return 2;
	case FG_WASM_KERNEL: return 3;
	case FG_WASM_JIT: return 4;
	default: return 5;
	}
}

static const char categories[] =
	"\"categories\":["
	"{\"name\":\"Other\",\"color\":\"grey\",\"subcategories\":[\"Other\"]},"
	"{\"name\":\"Wasm\",\"color\":\"green\",\"subcategories\":[\"Other\"]},"
	"{\"name\":\"Host (WASI)\",\"color\":\"lightblue\",\"subcategories\":[\"Other\"]},"
	"{\"name\":\"Kernel\",\"color\":\"orange\",\"subcategories\":[\"Other\"]},"
	"{\"name\":\"JIT / JS\",\"color\":\"purple\",\"subcategories\":[\"Other\"]},"
	"{\"name\":\"Native\",\"color\":\"red\",\"subcategories\":[\"Other\"]},"
	"{\"name\":\"Phase\",\"color\":\"yellow\",\"subcategories\":[\"Other\"]}]";
#define PHASE_CATEGORY 6
#define MARKER_INTERVAL 1 /* the profiler's marker phase INTERVAL (app-logic/constants) */

/* What the shared tables need beyond the profile: functions (name, file,
 * module), stack nodes (prefix, frame), sources and module base names. */
struct ff {
	const struct fg_profile *p;
	struct fg_out o;
	uint32_t nstrings;          /* the profile's; module base names follow */
	uint32_t *source_of;        /* string id -> 1 + source index */
	uint32_t nsources;
	uint32_t *source_file;
	struct wp_intern *func_keys;
	uint32_t *func_of_frame;
	struct wp_intern *node_keys; /* (prefix + 1, frame) -> stack node */
	uint32_t *node_of_stack;     /* profile stack -> 1 + node (0: empty stack) */
	uint64_t zero;               /* time 0: the first sample or phase */
	uint32_t *marker_thread;     /* pid of phase i -> the thread showing it */
};

static const char *base_name(const char *s, size_t n, size_t *len)
{
	const char *b = s;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/')
			b = s + i + 1;
	*len = n - (size_t)(b - s);
	return b;
}

static int build(struct ff *f)
{
	const struct fg_profile *p = f->p;
	uint32_t nframes = fg_profile_nframes(p);
	size_t nstacks = wp_stacks_count(p->stacks);
	f->nstrings = wp_intern_count(p->strings);
	f->source_of = calloc(f->nstrings, sizeof *f->source_of);
	f->source_file = calloc(f->nstrings, sizeof *f->source_file);
	f->func_keys = wp_intern_new();
	f->func_of_frame = calloc(nframes ? nframes : 1, sizeof *f->func_of_frame);
	f->node_keys = wp_intern_new();
	f->node_of_stack = calloc(nstacks ? nstacks : 1, sizeof *f->node_of_stack);
	if (!f->source_of || !f->source_file || !f->func_keys || !f->func_of_frame || !f->node_keys ||
	    !f->node_of_stack)
		return WP_E_NOMEM;
	for (uint32_t i = 0; i < nframes; i++) {
		const struct fg_pframe *fr = &p->frames[i];
		if (fr->file && !f->source_of[fr->file]) {
			f->source_file[f->nsources] = fr->file;
			f->source_of[fr->file] = ++f->nsources;
		}
		uint32_t key[3] = {fr->name, fr->file, fr->module};
		int rc = wp_intern_get(f->func_keys, (const char *)key, sizeof key, &f->func_of_frame[i]);
		if (rc)
			return rc;
	}
	for (size_t s = 0; s < nstacks; s++) {
		const uint32_t *ids;
		size_t n;
		wp_stacks_get(p->stacks, s, &ids, &n, NULL, NULL);
		uint32_t node = 0; /* 1 + the prefix node */
		for (size_t i = 0; i < n; i++) {
			uint32_t key[2] = {node, ids[i]};
			int rc = wp_intern_get(f->node_keys, (const char *)key, sizeof key, &node);
			if (rc)
				return rc;
			node++;
		}
		f->node_of_stack[s] = node;
	}
	return 0;
}

/* Every table column is written as "name":[v,v,...], */
static void column_open(struct fg_out *o, const char *name)
{
	fg_out_putc(o, '"');
	fg_out_puts(o, name);
	fg_out_puts(o, "\":[");
}

static void column_close(struct fg_out *o)
{
	fg_out_puts(o, "],");
}

static void u32_column(struct fg_out *o, const char *name, const uint32_t *v, size_t n)
{
	column_open(o, name);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fg_out_putc(o, ',');
		fg_out_u64(o, v[i]);
	}
	column_close(o);
}

/* A column of n copies of one JSON value. */
static void const_column(struct fg_out *o, const char *name, const char *value, size_t n)
{
	column_open(o, name);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fg_out_putc(o, ',');
		fg_out_puts(o, value);
	}
	column_close(o);
}

static void length(struct fg_out *o, size_t n)
{
	fg_out_puts(o, "\"length\":");
	fg_out_u64(o, n);
	fg_out_putc(o, '}');
}

static void write_strings(struct ff *f)
{
	const struct fg_profile *p = f->p;
	struct fg_out *o = &f->o;
	fg_out_puts(o, "\"stringArray\":[");
	for (uint32_t i = 0; i < f->nstrings; i++) {
		size_t n;
		const char *s = fg_pstr(p, i, &n);
		if (i)
			fg_out_puts(o, ",\n");
		fg_json_string(o, s, n);
	}
	for (uint32_t m = 0; m < wp_intern_count(p->module_keys); m++) {
		size_t n, bn;
		const char *s = fg_pstr(p, p->modules[m].path, &n);
		const char *b = base_name(s, n, &bn);
		fg_out_puts(o, ",\n");
		fg_json_string(o, b, bn);
	}
	fg_out_puts(o, "],\n");
}

static void write_tables(struct ff *f, struct fg_wasm_classifier *w)
{
	const struct fg_profile *p = f->p;
	struct fg_out *o = &f->o;
	uint32_t nframes = fg_profile_nframes(p), nfuncs = wp_intern_count(f->func_keys);
	uint32_t nnodes = wp_intern_count(f->node_keys), nmod = wp_intern_count(p->module_keys);
	fg_out_puts(o, "\"sources\":{");
	u32_column(o, "filename", f->source_file, f->nsources);
	const_column(o, "id", "null", f->nsources);
	length(o, f->nsources);
	fg_out_puts(o, ",\n\"stackTable\":{\"frame\":[");
	for (uint32_t i = 0; i < nnodes; i++) {
		uint32_t key[2];
		fg_key_ids(f->node_keys, i, key, 2);
		if (i)
			fg_out_putc(o, ',');
		fg_out_u64(o, key[1]);
	}
	fg_out_puts(o, "],\"prefix\":[");
	for (uint32_t i = 0; i < nnodes; i++) {
		uint32_t key[2];
		fg_key_ids(f->node_keys, i, key, 2);
		if (i)
			fg_out_putc(o, ',');
		if (key[0])
			fg_out_u64(o, key[0] - 1);
		else
			fg_out_puts(o, "null");
	}
	fg_out_puts(o, "],");
	length(o, nnodes);
	fg_out_puts(o, ",\n\"frameTable\":{");
	const_column(o, "address", "-1", nframes);
	const_column(o, "inlineDepth", "0", nframes);
	column_open(o, "category");
	for (uint32_t i = 0; i < nframes; i++) {
		if (i)
			fg_out_putc(o, ',');
		fg_out_u64(o, category_of(fg_profile_frame_class(p, w, i)));
	}
	column_close(o);
	const_column(o, "subcategory", "0", nframes);
	u32_column(o, "func", f->func_of_frame, nframes);
	const_column(o, "nativeSymbol", "null", nframes);
	const_column(o, "innerWindowID", "0", nframes);
	column_open(o, "line");
	for (uint32_t i = 0; i < nframes; i++) {
		if (i)
			fg_out_putc(o, ',');
		if (p->frames[i].line)
			fg_out_u64(o, p->frames[i].line);
		else
			fg_out_puts(o, "null");
	}
	column_close(o);
	const_column(o, "column", "null", nframes);
	length(o, nframes);
	/* functions: name, source (file), resource (module) */
	fg_out_puts(o, ",\n\"funcTable\":{\"name\":[");
	for (int col = 0; col < 3; col++) {
		if (col)
			fg_out_puts(o, col == 1 ? "\"source\":[" : "\"resource\":[");
		for (uint32_t i = 0; i < nfuncs; i++) {
			uint32_t key[3];
			fg_key_ids(f->func_keys, i, key, 3);
			if (i)
				fg_out_putc(o, ',');
			if (col == 0)
				fg_out_u64(o, key[0]);
			else if (col == 1 && key[1])
				fg_out_u64(o, f->source_of[key[1]] - 1);
			else if (col == 1)
				fg_out_puts(o, "null");
			else if (key[2])
				fg_out_u64(o, key[2] - 1);
			else
				fg_out_puts(o, "-1");
		}
		fg_out_puts(o, "],");
	}
	const_column(o, "isJS", "false", nfuncs);
	const_column(o, "relevantForJS", "false", nfuncs);
	const_column(o, "lineNumber", "null", nfuncs);
	const_column(o, "columnNumber", "null", nfuncs);
	length(o, nfuncs);
	/* a resource and a lib per module */
	fg_out_puts(o, ",\n\"resourceTable\":{\"lib\":[");
	for (uint32_t m = 0; m < nmod; m++) {
		if (m)
			fg_out_putc(o, ',');
		fg_out_u64(o, m);
	}
	fg_out_puts(o, "],\"name\":[");
	for (uint32_t m = 0; m < nmod; m++) {
		if (m)
			fg_out_putc(o, ',');
		fg_out_u64(o, f->nstrings + m);
	}
	fg_out_puts(o, "],");
	const_column(o, "host", "null", nmod);
	const_column(o, "type", "1", nmod); /* library */
	length(o, nmod);
	fg_out_puts(o, ",\n\"nativeSymbols\":{\"libIndex\":[],\"address\":[],\"name\":[],"
		    "\"functionSize\":[],\"length\":0}");
}

static void write_libs(struct ff *f)
{
	const struct fg_profile *p = f->p;
	struct fg_out *o = &f->o;
	fg_out_puts(o, "\"libs\":[");
	for (uint32_t m = 0; m < wp_intern_count(p->module_keys); m++) {
		size_t n, bn, idn = 0;
		const char *s = fg_pstr(p, p->modules[m].path, &n);
		const char *b = base_name(s, n, &bn);
		const char *id = p->modules[m].build_id ? fg_pstr(p, p->modules[m].build_id, &idn) : "";
		fg_out_puts(o, m ? ",\n{\"name\":" : "\n{\"name\":");
		fg_json_string(o, b, bn);
		fg_out_puts(o, ",\"path\":");
		fg_json_string(o, s, n);
		fg_out_puts(o, ",\"debugName\":");
		fg_json_string(o, b, bn);
		fg_out_puts(o, ",\"debugPath\":");
		fg_json_string(o, s, n);
		/* the ELF build-id is the code id; no breakpad id is made up */
		fg_out_puts(o, ",\"breakpadId\":\"\",\"codeId\":");
		if (idn)
			fg_json_string(o, id, idn);
		else
			fg_out_puts(o, "null");
		fg_out_puts(o, ",\"arch\":\"\"}");
	}
	fg_out_puts(o, "],\n");
}

/* Sample i of a thread: its time in ms from the first sample (folded
 * input has none: one sample per stack, 1 ms apart). */
static void sample_time(struct ff *f, const struct fg_psample *s, uint64_t i)
{
	if (f->p->info.timed)
		fg_json_ms(&f->o, s->time - f->zero);
	else
		fg_out_u64(&f->o, i);
}

/* One column of a thread's samples (0 stack, 1 time, 2 weight), read
 * from the store in time order. */
static int write_column(struct ff *f, uint32_t t, int col)
{
	static const char *const names[] = {"\"stack\":[", "],\n\"time\":[", "],\n\"weight\":["};
	const struct fg_profile *p = f->p;
	struct fg_out *o = &f->o;
	fg_out_puts(o, names[col] + (col ? 2 : 0));
	struct fg_sample_iter it;
	int rc = fg_sample_iter_open(&it, p, t);
	struct fg_psample s;
	for (uint64_t i = 0; rc >= 0 && (rc = fg_sample_iter_next(&it, &s)) == 1; i++) {
		if (i)
			fg_out_putc(o, ',');
		if (col == 0 && f->node_of_stack[s.stack])
			fg_out_u64(o, f->node_of_stack[s.stack] - 1);
		else if (col == 0)
			fg_out_puts(o, "null");
		else if (col == 1)
			sample_time(f, &s, i);
		else if (p->info.weight_ns) /* a clock event's period as time spent */
			fg_json_ms(o, s.weight);
		else /* any other as its count */
			fg_out_u64(o, s.weight);
	}
	fg_sample_iter_close(&it);
	fg_out_puts(o, "],");
	return rc < 0 ? rc : 0;
}

/* The phases of the thread's process, when it is the one showing them:
 * interval markers named after the phase (untyped: no payload). */
static void write_markers(struct ff *f, uint32_t t)
{
	const struct fg_profile *p = f->p;
	struct fg_out *o = &f->o;
	size_t n = 0;
	for (size_t i = 0; i < p->nphases; i++)
		n += f->marker_thread[i] == t;
	static const char *const cols[] = {"name", "startTime", "endTime", "phase", "category", "data"};
	fg_out_puts(o, "\"markers\":{");
	for (int c = 0; c < 6; c++) {
		column_open(o, cols[c]);
		bool first = true;
		for (size_t i = 0; i < p->nphases; i++) {
			const struct fg_pphase *ph = &p->phases[i];
			if (f->marker_thread[i] != t)
				continue;
			if (!first)
				fg_out_putc(o, ',');
			first = false;
			if (c == 0)
				fg_out_u64(o, ph->name);
			else if (c == 1 || c == 2)
				fg_json_ms(o, (c == 1 ? ph->start : ph->end) - f->zero);
			else if (c == 3)
				fg_out_u64(o, MARKER_INTERVAL);
			else if (c == 4)
				fg_out_u64(o, PHASE_CATEGORY);
			else
				fg_out_puts(o, "null");
		}
		column_close(o);
	}
	length(o, n);
}

/* Where each phase is shown, and time 0. */
static int place_markers(struct ff *f)
{
	const struct fg_profile *p = f->p;
	f->zero = p->first;
	f->marker_thread = malloc((p->nphases ? p->nphases : 1) * sizeof *f->marker_thread);
	if (!f->marker_thread)
		return WP_E_NOMEM;
	for (size_t i = 0; i < p->nphases; i++) {
		uint32_t best = UINT32_MAX;
		for (uint32_t t = 0; t < fg_profile_nthreads(p); t++) {
			const struct fg_pthread *th = &p->threads[t];
			if (th->pid != p->phases[i].pid || !th->samples)
				continue;
			if (best == UINT32_MAX || (th->tid == th->pid && p->threads[best].tid != th->pid))
				best = t;
		}
		f->marker_thread[i] = best; /* UINT32_MAX: a process without samples */
		if (best != UINT32_MAX && p->phases[i].start < f->zero)
			f->zero = p->phases[i].start;
	}
	return 0;
}

static int write_thread(struct ff *f, uint32_t t)
{
	const struct fg_profile *p = f->p;
	const struct fg_pthread *th = &p->threads[t];
	struct fg_out *o = &f->o;
	size_t len;
	const char *name = fg_pstr(p, th->name, &len);
	fg_out_puts(o, "{\"name\":");
	fg_json_string(o, name, len);
	fg_out_puts(o, ",\"processName\":");
	fg_json_string(o, name, len);
	fg_out_puts(o, ",\"processType\":\"default\",\"isMainThread\":");
	fg_out_puts(o, th->pid == th->tid ? "true" : "false");
	fg_out_puts(o, ",\"pid\":\"");
	fg_out_u64(o, th->pid);
	fg_out_puts(o, "\",\"tid\":");
	fg_out_u64(o, th->tid);
	fg_out_puts(o, ",\"processStartupTime\":0,\"processShutdownTime\":null,\"registerTime\":");
	if (p->info.timed)
		fg_json_ms(o, th->first - f->zero);
	else
		fg_out_putc(o, '0');
	fg_out_puts(o, ",\"unregisterTime\":null,\"pausedRanges\":[],\n\"samples\":{");
	int rc = 0;
	for (int col = 0; col < 3 && !rc; col++)
		rc = write_column(f, t, col);
	fg_out_puts(o, "\"weightType\":");
	fg_out_puts(o, p->info.weight_ns ? "\"tracing-ms\"," : "\"samples\",");
	length(o, th->samples);
	fg_out_puts(o, ",\n");
	write_markers(f, t);
	fg_out_putc(o, '}');
	return rc;
}

static void write_meta(struct ff *f)
{
	const struct fg_profile *p = f->p;
	struct fg_out *o = &f->o;
	/* the sampling interval: the mean period of a clock event */
	uint64_t interval_ns = 1000000, w = 0, n = 0;
	for (uint32_t t = 0; t < fg_profile_nthreads(p); t++) {
		w += p->threads[t].weight;
		n += p->threads[t].samples;
	}
	if (p->info.weight_ns && n && w / n)
		interval_ns = w / n;
	fg_out_puts(o, "{\"meta\":{\"version\":24,\"preprocessedProfileVersion\":");
	fg_out_u64(o, FF_VERSION);
	fg_out_puts(o, ",\"interval\":");
	fg_json_ms(o, interval_ns);
	fg_out_puts(o, ",\"startTime\":0,\"profilingStartTime\":0,\"profilingEndTime\":");
	if (p->info.timed)
		fg_json_ms(o, p->last - f->zero);
	else
		fg_out_u64(o, p->nsamples);
	fg_out_puts(o, ",\"processType\":0,\"product\":");
	fg_json_string(o, p->name, strlen(p->name));
	fg_out_puts(o, ",\"importedFrom\":");
	fg_json_string(o, p->exporter, strlen(p->exporter));
	fg_out_puts(o, ",\"symbolicated\":true,\"debug\":false,\"stackwalk\":1,"
		    "\"platform\":\"Linux\",\"markerSchema\":[],"
		    "\"extensions\":{\"id\":[],\"name\":[],\"baseURL\":[],\"length\":0},\n");
	fg_out_puts(o, categories);
	fg_out_puts(o, "},\n");
}

int fg_export_firefox(const struct fg_profile *p, FILE *out)
{
	struct ff f = {.p = p};
	struct fg_wasm_classifier *w = fg_wasm_classifier_new();
	int rc = w ? build(&f) : WP_E_NOMEM;
	rc = rc ? rc : place_markers(&f);
	if (!rc) {
		fg_out_init(&f.o, out);
		write_meta(&f);
		write_libs(&f);
		fg_out_puts(&f.o, "\"pages\":[],\"counters\":[],\"profilerOverhead\":[],\n\"shared\":{");
		write_strings(&f);
		write_tables(&f, w);
		fg_out_puts(&f.o, "},\n\"threads\":[");
		bool first = true;
		for (uint32_t t = 0; t < fg_profile_nthreads(p) && !rc; t++) {
			if (!p->threads[t].samples)
				continue;
			fg_out_puts(&f.o, first ? "\n" : ",\n");
			first = false;
			rc = write_thread(&f, t);
		}
		fg_out_puts(&f.o, "]}\n");
		int frc = fg_out_flush(&f.o);
		rc = rc ? rc : frc;
		fg_out_release(&f.o);
	}
	fg_wasm_classifier_free(w);
	free(f.source_of);
	free(f.source_file);
	wp_intern_free(f.func_keys);
	free(f.func_of_frame);
	wp_intern_free(f.node_keys);
	free(f.node_of_stack);
	free(f.marker_thread);
	return rc;
}
