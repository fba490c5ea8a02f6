/* export_run.c - wasmperf-export's pipeline (export_run.h). perf.data and
 * perf script text go through fold_data.c / fold_text.c with a sink
 * (fold.h): each stack the collapser counts is converted once (translated
 * and filtered as wasmperf fold prints it, split into frames with their
 * module and source line), each sample becomes (thread, time, stack,
 * weight) in the profile. Folded stacks are read line by line, one
 * untimed sample per line. The writers are flamegraph's. */
#include <stdlib.h>
#include <string.h>

#include "export_run.h"
#include "input.h"
#include "perfparse.h"

#define MAX_LINE (256u << 20)
#define EXCLUDED UINT32_MAX

struct exporter {
	const struct fold_config *cfg;
	enum export_format format;
	const char *file;              /* for messages */
	FILE *out;
	struct fg_profile *profile;
	uint32_t *stack_of;            /* collapser stack -> 1 + profile stack; EXCLUDED */
	size_t stack_cap;
	struct wp_buf joined, translated;
	uint32_t *frames;
	size_t frames_cap;
	/* stacks with inlined frames (--inline): (collapser stack, positions)
	 * -> 1 + profile stack, or EXCLUDED */
	struct wp_intern *inline_keys;
	uint32_t *inline_stack_of;
	size_t inline_cap;
	uint32_t *key;
	size_t key_cap;
	bool no_period;                /* a text sample without its period (weight 1) */
};

int export_format_parse(const char *name, enum export_format *f)
{
	static const char *const names[] = {"speedscope", "firefox", "pprof"};
	for (int i = 0; i < 3; i++)
		if (!strcmp(name, names[i])) {
			*f = (enum export_format)i;
			return 0;
		}
	return -1;
}

/* "name:file:line" (--srcline, --inline --context) -> name, file, line. */
static void split_srcline(struct fg_profile_frame *f)
{
	size_t n = f->name_len, i = n;
	while (i > 0 && f->name[i - 1] >= '0' && f->name[i - 1] <= '9')
		i--;
	if (i == n || i < 3 || f->name[i - 1] != ':' || n - i > 9)
		return;
	size_t colon = i - 1, j = colon;
	while (j > 0 && f->name[j - 1] != ':')
		j--;
	if (j < 2 || j == colon) /* no name before, or an empty file */
		return;
	f->file = f->name + j;
	f->file_len = colon - j;
	f->line = (unsigned)strtoul(f->name + i, NULL, 10);
	f->name_len = j - 1;
}

/* One frame of a (translated) stack into the profile. */
static int add_frame(struct exporter *x, const char *name, size_t len, const char *module,
		     size_t module_len, bool inlined, uint32_t *id)
{
	struct fg_profile_frame f = {
		.name = name, .name_len = len, .module = module, .module_len = module_len,
		.inlined = inlined || wp_has_suffix(name, len, "_[i]"),
	};
	if (x->cfg->srcline || x->cfg->context)
		split_srcline(&f);
	return fg_profile_frame(x->profile, &f, id);
}

/* The collapser's stack of a sample: its frame ids and which of them
 * were inlined (positions, increasing). */
struct raw_stack {
	const uint32_t *ids;
	size_t n;
	const uint32_t *inlined;
	size_t ninlined;
};

/* A stack "a;b;c" into profile frames, skipping the first `skip`; modules
 * and inlined frames from the collapser's stack when it lines up with it
 * (translation keeps the frames; --include and --exclude keep whole
 * stacks). */
static int add_stack(struct exporter *x, const char *s, size_t len, size_t skip,
		     struct fg_collapser *c, const struct raw_stack *raw, uint32_t *id)
{
	const uint32_t *ids = raw ? raw->ids : NULL;
	size_t nids = raw ? raw->n : 0, next_inlined = 0;
	size_t n = 0, nparts = 1;
	for (size_t i = 0; i < len; i++)
		nparts += s[i] == ';';
	bool aligned = c && nparts == nids;
	if (nparts <= skip) /* a frame-less sample (--perl-compat): its root frame */
		skip = 0;
	for (size_t start = 0, k = 0; start <= len; k++) {
		const char *semi = memchr(s + start, ';', len - start);
		size_t stop = semi ? (size_t)(semi - s) : len;
		if (k >= skip) {
			size_t mlen = 0;
			const char *module = aligned ? fg_collapser_name_module(c, ids[k], &mlen) : NULL;
			while (aligned && next_inlined < raw->ninlined && raw->inlined[next_inlined] < k)
				next_inlined++;
			bool inlined = aligned && next_inlined < raw->ninlined && raw->inlined[next_inlined] == k;
			if (wp_grow((void **)&x->frames, &x->frames_cap, n + 1, sizeof *x->frames))
				return WP_E_NOMEM;
			int rc = add_frame(x, s + start, stop - start, module, mlen, inlined, &x->frames[n++]);
			if (rc)
				return rc;
		}
		start = stop + 1;
	}
	return fg_profile_stack(x->profile, x->frames, n, id);
}

/* Translates and filters a folded stack as wasmperf fold prints it: 1
 * when kept, with the result in x->translated. */
static int translate(struct exporter *x, const char *s, size_t len)
{
	const struct fold_config *cfg = x->cfg;
	int rc = 0;
	if (cfg->names) {
		rc = names_translate_stack(cfg->names, cfg->prog, s, len, &x->translated);
	} else {
		wp_buf_reset(&x->translated);
		rc = wp_buf_append(&x->translated, s, len);
	}
	if (rc)
		return rc;
	return fg_filter_empty(cfg->filter) ||
	       fg_filter_keep(cfg->filter, x->translated.data, x->translated.len);
}

/* A collapser stack, root frame (the process name) first, into the
 * profile: 0 with *out = 1 + its id, or EXCLUDED by --include/--exclude. */
static int convert_stack(struct exporter *x, struct fg_collapser *c, size_t stack, uint32_t *out)
{
	struct raw_stack raw;
	wp_stacks_get(fg_collapser_stacks(c), stack, &raw.ids, &raw.n, NULL, NULL);
	raw.ninlined = fg_collapser_last_inlined(c, &raw.inlined);
	const uint32_t *ids = raw.ids;
	size_t n = raw.n;
	struct wp_intern *names = fg_collapser_names(c);
	wp_buf_reset(&x->joined);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		size_t len;
		const char *name = wp_intern_str(names, ids[i], &len);
		rc = (i ? wp_buf_putc(&x->joined, ';') : 0);
		rc = rc ? rc : wp_buf_append(&x->joined, name, len);
	}
	rc = rc ? rc : translate(x, x->joined.data, x->joined.len);
	if (rc <= 0) {
		*out = EXCLUDED;
		return rc;
	}
	uint32_t id;
	rc = add_stack(x, x->translated.data, x->translated.len, 1, c, &raw, &id);
	*out = id + 1;
	return rc;
}

/* Samples past the in-memory budget go to an unlinked file here. */
static const char *spill_dir(void)
{
	const char *d = getenv("TMPDIR");
	return d && *d ? d : "/tmp";
}

/* The profile stack of a sample with inlined frames: its own cache, keyed
 * by the collapser's stack and the positions of those frames. */
static int inline_stack(struct exporter *x, struct fg_collapser *c, size_t stack, uint32_t **slot)
{
	const uint32_t *pos;
	size_t n = fg_collapser_last_inlined(c, &pos);
	if (stack > UINT32_MAX || wp_grow((void **)&x->key, &x->key_cap, n + 1, sizeof *x->key))
		return WP_E_NOMEM;
	x->key[0] = (uint32_t)stack;
	memcpy(x->key + 1, pos, n * sizeof *pos);
	uint32_t id, before = wp_intern_count(x->inline_keys);
	int rc = wp_intern_get(x->inline_keys, (const char *)x->key, (n + 1) * sizeof *x->key, &id);
	if (rc)
		return rc;
	if (id == before) {
		if (wp_grow((void **)&x->inline_stack_of, &x->inline_cap, (size_t)id + 1,
			    sizeof *x->inline_stack_of))
			return WP_E_NOMEM;
		x->inline_stack_of[id] = 0;
	}
	*slot = &x->inline_stack_of[id];
	return 0;
}

static int on_sample(void *ctx, struct fg_collapser *c, const struct fold_sample *s)
{
	struct exporter *x = ctx;
	x->no_period = x->no_period || !s->has_period;
	const uint32_t *pos;
	uint32_t *slot;
	int rc = 0;
	if (fg_collapser_last_inlined(c, &pos)) {
		rc = inline_stack(x, c, s->stack, &slot);
	} else {
		size_t old = x->stack_cap;
		if (wp_grow((void **)&x->stack_of, &x->stack_cap, s->stack + 1, sizeof *x->stack_of))
			return WP_E_NOMEM;
		if (x->stack_cap > old)
			memset(x->stack_of + old, 0, (x->stack_cap - old) * sizeof *x->stack_of);
		slot = &x->stack_of[s->stack];
	}
	if (!rc && !*slot)
		rc = convert_stack(x, c, s->stack, slot);
	if (rc || *slot == EXCLUDED)
		return rc;
	uint32_t thread;
	rc = fg_profile_thread(x->profile, s->pid, s->tid, s->comm, s->comm_len, &thread);
	rc = rc ? rc : fg_profile_sample(x->profile, thread, *slot - 1, s->has_time ? s->time : 0,
					 s->weight);
	if (rc == WP_E_IO) /* the run ends with fold's message for the error */
		fprintf(stderr, "%s: cannot write the samples to a temporary file in '%s' ($TMPDIR): %s\n",
			x->cfg->prog, spill_dir(), strerror(fg_profile_spill_errno(x->profile)));
	return rc;
}

/* The folded event (perf.data: the header's, text: as first printed), by
 * its base name. */
static const char *kept_event(const struct fold_events *e, size_t *len)
{
	for (size_t i = 0; e && i < e->n; i++)
		if (e->slots[i].kept) {
			*len = e->slots[i].base_n;
			return e->slots[i].name;
		}
	return NULL;
}

static int write_profile(struct exporter *x)
{
	static const char *const what[] = {"speedscope", "Firefox", "pprof"};
	int rc = fg_profile_finish(x->profile);
	rc = rc                                 ? rc
	     : x->format == EXPORT_SPEEDSCOPE ? fg_export_speedscope(x->profile, x->out)
		 : x->format == EXPORT_FIREFOX  ? fg_export_firefox(x->profile, x->out)
						: fg_export_pprof(x->profile, x->out);
	if (rc) {
		fprintf(stderr, "%s: cannot write the %s profile: %s%s\n", x->cfg->prog, what[x->format],
			wp_strerror(rc), rc == WP_E_IO ? " (or its samples' temporary file)" : "");
		return 1;
	}
	if (!fg_profile_nsamples(x->profile) && !x->cfg->quiet)
		fprintf(stderr, "%s: warning: nothing was exported: no sample with a stack in the input%s\n",
			x->cfg->prog, x->cfg->ncomms ? " of the --comm processes" : "");
	return 0;
}

static int on_finish(void *ctx, struct fg_collapser *c, const struct fold_events *e,
		     const struct pp_data *d)
{
	struct exporter *x = ctx;
	size_t len = 0;
	const char *event = kept_event(e, &len);
	char name[64] = "";
	if (event)
		snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), event);
	/* weights are nanoseconds when they are a clock event's periods */
	bool clock = !x->cfg->count_samples && !x->no_period &&
		     (!strcmp(name, "cpu-clock") || !strcmp(name, "task-clock"));
	int rc = fg_profile_set_event(x->profile, name[0] ? name : NULL, clock);
	for (size_t i = 0; d && !rc && i < pp_data_nbuild_ids(d); i++) {
		const struct pp_build_id *b = pp_data_build_id(d, i);
		if (b->filename)
			rc = fg_profile_build_id(x->profile, b->filename, strlen(b->filename), b->id, b->size);
	}
	if (rc) {
		fprintf(stderr, "%s: %s\n", x->cfg->prog, wp_strerror(rc));
		return 1;
	}
	int status = write_profile(x);
	const struct fold_config *cfg = x->cfg;
	if (cfg->names && names_report(cfg->names, cfg->prog, cfg->quiet,
				       names_any_marked(fg_collapser_names(c), cfg->names_opt)))
		status = 1;
	return status;
}

/* Folded stacks: a sample per line, in one thread named after the file. */
static int export_folded(struct exporter *x, const char *path)
{
	struct wp_lines *lines;
	int rc = wp_lines_open(&lines, path, MAX_LINE);
	if (rc) {
		fprintf(stderr, "%s: %s\n", x->cfg->prog, wp_lines_errmsg(lines));
		wp_lines_free(lines);
		return 1;
	}
	uint32_t thread;
	rc = fg_profile_thread(x->profile, 0, 0, x->file, strlen(x->file), &thread);
	const char *line;
	size_t len;
	uint64_t lineno = 0;
	int status = 0;
	while (!rc && (rc = wp_lines_next(lines, &line, &len)) == 1) {
		struct fg_folded_line fl;
		lineno++;
		rc = fg_folded_parse_line(line, len, &fl);
		if (rc == WP_E_NOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc || fl.has_count2) {
			fprintf(stderr, "%s: '%s': line %llu: not a folded stack with one count\n",
				x->cfg->prog, x->file, (unsigned long long)lineno);
			status = 1;
			rc = WP_E_FORMAT;
			break;
		}
		int kept = translate(x, fl.stack, fl.stack_len);
		uint32_t stack;
		rc = kept < 0 ? kept : 0;
		if (kept == 1 && fl.count) {
			rc = add_stack(x, x->translated.data, x->translated.len, 0, NULL, NULL, &stack);
			rc = rc ? rc : fg_profile_sample(x->profile, thread, stack, 0, fl.count);
		}
	}
	if (rc < 0 && !status) {
		fprintf(stderr, "%s: %s\n", x->cfg->prog,
			rc == WP_E_NOMEM ? "out of memory" : rc == WP_E_TOOBIG
			? "counts add up to more than 64 bits" : wp_lines_errmsg(lines));
		status = 1;
	}
	wp_lines_free(lines);
	int wrc = fg_profile_set_event(x->profile, NULL, false);
	if (wrc || write_profile(x))
		status = 1;
	if (x->cfg->names && names_report(x->cfg->names, x->cfg->prog, x->cfg->quiet, false))
		status = 1;
	return status;
}

int export_run(const struct fold_config *cfg, enum export_format format, const char *path,
	       FILE *out)
{
	char what[128];
	enum input_kind kind = input_sniff(cfg->prog, path, what, sizeof what);
	if (input_refuse(cfg->prog, path, kind, what, INPUT_FOLDS))
		return 1;
	struct exporter x = {.cfg = cfg, .format = format, .file = input_display(path), .out = out};
	char exporter[64];
	snprintf(exporter, sizeof exporter, "wasmperf@%s", WASMPERF_VERSION);
	struct fg_profile_info info = {
		.name = x.file, .exporter = exporter, .timed = kind != INPUT_FOLDED,
		.counts_samples = cfg->count_samples, .aggregate = format == EXPORT_PPROF,
		.spill_dir = spill_dir(),
	};
	x.profile = fg_profile_new(&info);
	x.inline_keys = wp_intern_new();
	wp_buf_init(&x.joined, WP_BUF_UNLIMITED);
	wp_buf_init(&x.translated, WP_BUF_UNLIMITED);
	int status = 0;
	if (!x.profile || !x.inline_keys) {
		fprintf(stderr, "%s: out of memory\n", cfg->prog);
		status = 1;
	} else if (kind == INPUT_FOLDED) {
		status = export_folded(&x, path);
	} else if (kind == INPUT_PERFDATA && (status = export_phases(cfg, path, x.profile)) != 0) {
		/* said */
	} else {
		struct fold_sink sink = {on_sample, on_finish, &x};
		struct fold_config c = *cfg;
		c.sink = &sink;
		char *paths[1] = {(char *)path};
		status = kind == INPUT_PERFDATA ? fold_data_run(&c, path, NULL)
						: fold_text_run(&c, path ? paths : NULL, path ? 1 : 0, NULL);
	}
	fg_profile_free(x.profile);
	wp_buf_release(&x.joined);
	wp_buf_release(&x.translated);
	free(x.stack_of);
	free(x.frames);
	wp_intern_free(x.inline_keys);
	free(x.inline_stack_of);
	free(x.key);
	return status;
}
