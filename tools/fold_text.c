/* fold_text.c - perf script text -> folded stacks (wasmperf-fold's text
 * path), wiring libperfparse's reader to flamegraph's collapser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aot_names.h"
#include "fold_text.h"
#include "write_behind.h"

#define MAX_LINE (256u << 20)

/* Input bytes reach the terminal: control bytes are shown as \xNN. */
static void print_visible(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
}

void fold_text_warning(const struct fold_config *cfg, const char *file,
		       enum pp_script_warning kind, const char *line, size_t len, uint64_t lineno)
{
	static const char *const what[] = {"Weird event line", "Weird stack line"};
	fprintf(stderr, "%s: %s:%llu: %s: ", cfg->prog, file, (unsigned long long)lineno, what[kind]);
	print_visible(line, len > 200 ? 200 : len);
	fprintf(stderr, "%s\n", len > 200 ? "..." : "");
}

static void on_warning(void *ctx, enum pp_script_warning kind, const char *line, size_t len,
		       uint64_t lineno)
{
	struct fold_run *run = ctx;
	if (run->warned[kind] || run->cfg->quiet)
		return;
	run->warned[kind] = true;
	fold_text_warning(run->cfg, run->file, kind, line, len, lineno);
}

static uint32_t decimal(const struct pp_str *s)
{
	uint64_t v = 0;
	for (size_t i = 0; i < s->n && s->p[i] >= '0' && s->p[i] <= '9' && v <= UINT32_MAX; i++)
		v = v * 10 + (uint64_t)(s->p[i] - '0');
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* wasmperf-export: the sample as counted (perf script prints no pid with
 * -F tid: the thread stands for its process). */
static int sink_sample(struct fold_run *run, const struct pp_script_sample *s, uint64_t weight)
{
	size_t stack = fg_collapser_last_stack(run->collapser);
	if (stack == SIZE_MAX)
		return 0;
	uint32_t tid = decimal(&s->tid);
	struct fold_sample fs = {
		.time = s->time, .has_time = s->has_time, .pid = s->pid.n ? decimal(&s->pid) : tid,
		.tid = tid, .comm = s->comm.p, .comm_len = s->comm.n, .weight = weight,
		.has_period = s->has_period, .stack = stack,
	};
	const struct fold_sink *k = run->cfg->sink;
	return k->sample(k->ctx, run->collapser, &fs);
}

int fold_text_collapse(const struct fold_config *cfg, struct fg_collapser *c,
		       struct fold_inline *inliner, const struct pp_script_sample *s,
		       uint64_t *weight)
{
	int rc = fg_collapser_begin(c, s->comm.p, s->comm.n, s->pid.p, s->pid.n, s->tid.p, s->tid.n);
	for (size_t i = 0; i < s->nframes && !rc; i++) {
		const struct pp_script_frame *pf = &s->frames[i];
		struct fg_raw_frame f = {
			.sym = pf->sym.p, .sym_len = pf->sym.n,
			.module = pf->module.p, .module_len = pf->module.n,
			.pc = pf->pc.p, .pc_len = pf->pc.n,
		};
		if (cfg->srcline && pf->srcline.n) {
			f.srcline = pf->srcline.p;
			f.srcline_len = pf->srcline.n;
		}
		if (inliner) {
			rc = fold_inline_frame(inliner, c, &f);
			if (rc == 1) {
				rc = 0;
				continue;
			}
			if (rc < 0)
				break;
		}
		rc = fg_collapser_frame(c, &f);
	}
	if (rc) {
		fg_collapser_abort(c);
		return rc;
	}
	*weight = cfg->count_samples ? 1 : s->period;
	return fg_collapser_end(c, *weight);
}

static int fold_sample(struct fold_run *run, const struct pp_script_sample *s)
{
	const struct fold_config *cfg = run->cfg;
	bool in = !run->time.arg || fold_time_keep(&run->time, s->has_time, s->time);
	if (!fold_events_keep(&run->events, s->event.p, s->event.n, in))
		return 0;
	run->kept++;
	if (!fold_keep_comm(cfg, s->comm.p, s->comm.n))
		return 0;
	uint64_t weight;
	int rc = fold_text_collapse(cfg, run->collapser, run->inliner, s, &weight);
	return rc || !cfg->sink ? rc : sink_sample(run, s, weight);
}

void fold_text_report_skipped(const struct fold_config *cfg, const char *file,
			      const struct pp_script_stats *st)
{
	uint64_t weird = st->weird[PP_WEIRD_EVENT_LINE] + st->weird[PP_WEIRD_STACK_LINE];
	if (!weird || cfg->quiet)
		return;
	double share = st->bytes ? 100.0 * (double)st->weird_bytes / (double)st->bytes : 0;
	fprintf(stderr, "%s: %s: skipped %llu malformed line%s (%.2f%% of the input)\n",
		cfg->prog, file, (unsigned long long)weird, weird == 1 ? "" : "s", share);
}

static int fold_one(struct fold_run *run, const char *path)
{
	struct wp_lines *lines;
	int rc = wp_lines_open(&lines, path, MAX_LINE);
	run->file = path && strcmp(path, "-") ? path : "<stdin>";
	if (rc) {
		fprintf(stderr, "%s: %s\n", run->cfg->prog, wp_lines_errmsg(lines));
		wp_lines_free(lines);
		return 1;
	}
	struct pp_script_reader *r = pp_script_new(lines, on_warning, run);
	if (!r) {
		fprintf(stderr, "%s: out of memory\n", run->cfg->prog);
		return 1;
	}
	if (run->time.arg)
		pp_script_want_times(r);
	const struct pp_script_sample *s;
	while ((rc = pp_script_next(r, &s)) == 1) {
		rc = fold_sample(run, s);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		const char *msg = pp_script_errmsg(r);
		if (msg[0])
			fprintf(stderr, "%s: %s\n", run->cfg->prog, msg);
		else /* (the file named: a cap reached, a count past 64 bits) */
			fprintf(stderr, "%s: %s: %s\n", run->cfg->prog, run->file, wp_strerror(rc));
	}
	fold_text_report_skipped(run->cfg, run->file, pp_script_stats(r));
	pp_script_free(r);
	return rc < 0 ? 1 : 0;
}

struct translated_writer {
	const struct fold_config *cfg;
	FILE *out;
	struct wp_buf line;
};

/* Translation happens on the sorted folded lines, exactly as
 * `wasmperf-fold | wasmperf-names` would do it, so both give the same bytes. */
static int write_translated(void *ctx, const char *stack, size_t len, uint64_t count)
{
	struct translated_writer *w = ctx;
	int rc = names_translate_stack(w->cfg->names, w->cfg->prog, stack, len, &w->line);
	if (rc)
		return rc;
	/* --include/--exclude see the frames as printed: translated. */
	if (!fg_filter_empty(w->cfg->filter) && !fg_filter_keep(w->cfg->filter, w->line.data, w->line.len))
		return 0;
	rc = wp_buf_printf(&w->line, " %llu\n", (unsigned long long)count);
	if (rc)
		return rc;
	return fwrite(w->line.data, 1, w->line.len, w->out) == w->line.len ? 0 : WP_E_IO;
}

unsigned fold_threads(const struct fold_config *cfg, unsigned most)
{
	long n = cfg->threads ? (long)cfg->threads : sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > (long)most ? most : (unsigned)n;
}

static int behind_line(void *ctx, const char *stack, size_t len, uint64_t count)
{
	struct write_behind *w = ctx;
	int rc = fg_folded_append_line(write_behind_buf(w), stack, len, count);
	return rc ? rc : write_behind_ready(w);
}

/* With more than one thread (-j), lines are written by a second thread
 * while the next ones are made; the same bytes either way. */
static int write_lines(const struct fold_config *cfg, struct fg_collapser *c, FILE *out)
{
	struct write_behind *w = fold_threads(cfg, 2) > 1 ? write_behind_start(out) : NULL;
	if (!w)
		return fg_folded_write(out, fg_collapser_names(c), fg_collapser_stacks(c), cfg->filter);
	int rc = fg_folded_foreach(fg_collapser_names(c), fg_collapser_stacks(c), cfg->filter,
				   behind_line, w);
	int written = write_behind_finish(w);
	return rc ? rc : written;
}

static int write_folded(const struct fold_config *cfg, struct fg_collapser *c, FILE *out)
{
	if (!cfg->names)
		return write_lines(cfg, c, out);
	struct translated_writer w = {cfg, out, {0}};
	wp_buf_init(&w.line, WP_BUF_UNLIMITED);
	int rc = fg_folded_foreach(fg_collapser_names(c), fg_collapser_stacks(c), NULL,
				   write_translated, &w);
	wp_buf_release(&w.line);
	return rc;
}

int fold_write(const struct fold_config *cfg, struct fg_collapser *c, FILE *out)
{
	int rc = write_folded(cfg, c, out);
	/* An empty result is said (an empty --time window has its own note). */
	if (!rc && !cfg->quiet && wp_stacks_count(fg_collapser_stacks(c)) == 0 &&
	    !(cfg->time && cfg->time->arg))
		fprintf(stderr, "%s: warning: nothing was folded: no sample with a stack in the input%s\n",
			cfg->prog, cfg->ncomms ? " of the --comm processes" : "");
	/* WP_E_FORMAT: reported by the translator; a failed write: by the
	 * tool's tool_output_close, which names the file (the stream's error
	 * flag stays set) */
	if (rc && rc != WP_E_FORMAT && !(rc == WP_E_IO && ferror(out)))
		fprintf(stderr, "%s: cannot write the output\n", cfg->prog);
	/* After all output: frames outside the module, or the wrong module
	 * (not after a failed write: the lines stopped there, and what was
	 * translated of them says nothing). */
	if (cfg->names && !cfg->names_report_later && rc != WP_E_IO &&
	    (fflush(out), names_report(cfg->names, cfg->prog, cfg->quiet, names_any_marked(fg_collapser_names(c), cfg->names_opt))))
		return 1;
	return rc ? 1 : 0;
}

/* --time with percentages: the first and last sample times of all the
 * inputs, from a first pass (regular files only: a pipe cannot be read
 * twice, and keeping the samples would grow with the input). */
static int text_span(const struct fold_config *cfg, char **files, size_t nfiles, uint64_t *first,
		     uint64_t *last)
{
	for (size_t i = 0; i < (nfiles ? nfiles : 1); i++) {
		const char *path = nfiles ? files[i] : NULL;
		struct stat st;
		/* (a file that cannot be read is reported when opened) */
		if (!path || !strcmp(path, "-") || (stat(path, &st) == 0 && !S_ISREG(st.st_mode))) {
			fprintf(stderr, "%s: --time '%s': percentages need the first and last sample "
				"times, and perf script text on %s cannot be read twice: give a file, "
				"or times in seconds\n", cfg->prog, cfg->time->arg,
				path && strcmp(path, "-") ? path : "standard input");
			return 2;
		}
	}
	bool seen = false;
	for (size_t i = 0; i < nfiles; i++) {
		struct wp_lines *lines;
		if (wp_lines_open(&lines, files[i], MAX_LINE)) {
			fprintf(stderr, "%s: %s\n", cfg->prog, wp_lines_errmsg(lines));
			wp_lines_free(lines);
			return 1;
		}
		struct pp_script_reader *r = pp_script_new(lines, NULL, NULL);
		if (!r) {
			fprintf(stderr, "%s: out of memory\n", cfg->prog);
			return 1;
		}
		pp_script_want_times(r);
		const struct pp_script_sample *s;
		int rc;
		while ((rc = pp_script_next(r, &s)) == 1) {
			if (!s->has_time || !s->time)
				continue;
			if (!seen || s->time < *first)
				*first = s->time;
			if (!seen || s->time > *last)
				*last = s->time;
			seen = true;
		}
		if (rc < 0) {
			const char *msg = pp_script_errmsg(r);
			if (msg[0])
				fprintf(stderr, "%s: %s\n", cfg->prog, msg);
			else
				fprintf(stderr, "%s: %s: %s\n", cfg->prog, files[i], wp_strerror(rc));
			pp_script_free(r);
			return 1;
		}
		pp_script_free(r);
	}
	return 0;
}

int fold_text_run(const struct fold_config *cfg, char **files, size_t nfiles, FILE *out)
{
	struct fold_run run = {.cfg = cfg};
	if (cfg->time && cfg->time->arg) {
		run.time = *cfg->time;
		if (run.time.percent) {
			uint64_t first = 0, last = 0;
			int rc = text_span(cfg, files, nfiles, &first, &last);
			if (rc)
				return rc;
			fold_time_resolve(&run.time, first, last);
		}
	}
	run.aot = aot_names_new(cfg->prog, cfg->names_opt, cfg->names, cfg->symfs, cfg->quiet);
	struct fg_collapse_options co = cfg->collapse;
	co.rename = aot_names_rename; /* WasmEdge AOT objects' f<N> */
	co.rename_ctx = run.aot;
	run.collapser = run.aot ? fg_collapser_new(&co) : NULL;
	int status = 0;
	if (!run.collapser || !run.aot || fold_events_init(&run.events, cfg->event_filter) ||
	    (cfg->inline_frames && !(run.inliner = fold_inline_new(cfg)))) {
		fprintf(stderr, "%s: out of memory\n", cfg->prog);
		status = 1;
	}
	unsigned threads = fold_text_threads(cfg);
	for (size_t i = 0; !status && i < (nfiles ? nfiles : 1); i++)
		status = threads > 1 ? fold_text_threaded(&run, nfiles ? files[i] : NULL, threads)
				     : fold_one(&run, nfiles ? files[i] : NULL);
	/* What was read before an error is still written. */
	if (cfg->sink && run.collapser) {
		int src = cfg->sink->finish(cfg->sink->ctx, run.collapser, &run.events, NULL);
		status = status ? status : src;
	} else if (run.collapser && fold_write(cfg, run.collapser, out)) {
		status = 1;
	}
	fold_events_report(&run.events, cfg);
	/* --event-filter naming no event is only known at the end of text */
	if (!status && fold_events_check(&run.events, cfg, nfiles > 1 ? "the inputs" : run.file))
		status = 2;
	if (!status)
		fold_time_report(run.time.arg ? &run.time : NULL, run.kept, cfg);
	fold_inline_free(run.inliner);
	aot_names_free(run.aot);
	fg_collapser_free(run.collapser);
	fold_events_release(&run.events);
	return status;
}
