/* fold_text.h - the pieces of the perf script text fold (fold_text.c)
 * that its threaded variant (fold_text_threads.c) shares: the run's state
 * across its files, one sample's collapse, the messages. */
#ifndef WASMPERF_FOLD_TEXT_H
#define WASMPERF_FOLD_TEXT_H

#include "fold.h"
#include "perfparse.h"

struct aot_names;

/* One fold_text_run: what every file adds to. */
struct fold_run {
	const struct fold_config *cfg;
	struct fg_collapser *collapser;
	struct fold_inline *inliner;
	struct aot_names *aot;     /* frames of WasmEdge AOT objects (.so files read) */
	const char *file;
	bool warned[PP_SCRIPT_WARNING_KINDS];
	struct fold_events events;
	struct fold_time time;         /* --time, when time.arg */
	uint64_t kept;                 /* samples of the folded event inside --time */
};

/* A sample's frames into c (begun and ended there; aborted on an error):
 * 0 or WP_E_*; *weight is what it counted. */
int fold_text_collapse(const struct fold_config *cfg, struct fg_collapser *c,
		       struct fold_inline *inliner, const struct pp_script_sample *s,
		       uint64_t *weight);
/* "PROG: FILE:LINE: Weird ... line: TEXT" (the first of its kind). */
void fold_text_warning(const struct fold_config *cfg, const char *file,
		       enum pp_script_warning kind, const char *line, size_t len,
		       uint64_t lineno);
/* "PROG: FILE: skipped N malformed lines (P% of the input)", when any. */
void fold_text_report_skipped(const struct fold_config *cfg, const char *file,
			      const struct pp_script_stats *st);

/* The threads a run uses: cfg->threads, or the online cores when 0; 1
 * when only one thread can give the same output (an export sink sees
 * samples in input order; --inline's DWARF readers are not shared). */
unsigned fold_text_threads(const struct fold_config *cfg);
/* Folds one file (NULL or "-": standard input) into run with `threads`
 * worker threads: the same stacks, counts, warnings and errors, in the
 * same order, as the one-thread path. 0, or 1 after an error message. */
int fold_text_threaded(struct fold_run *run, const char *path, unsigned threads);

#endif
