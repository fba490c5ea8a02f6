/* fold.h - the folding pipeline shared by wasmperf-fold and later tools:
 * perf script text -> libperfparse samples -> flamegraph collapser ->
 * sorted folded text. */
#ifndef WASMPERF_FOLD_H
#define WASMPERF_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flamegraph.h"
#include "names.h"

struct fold_config {
	const char *prog;                /* for messages */
	struct fg_collapse_options collapse;
	const char *event_filter;        /* NULL: the first event seen */
	bool count_samples;              /* count 1 per sample, not its period */
	bool inline_frames;              /* expand inlined calls from DWARF */
	bool context;                    /* with inline: add :file:line */
	bool srcline;                    /* input has -F+srcline lines: append them */
	const char **comms;              /* keep only these comms (NULL: all) */
	size_t ncomms;
	struct fg_filter *filter;        /* --include / --exclude */
	const char *symfs;               /* root for module paths, or NULL */
	struct sym_names *names;         /* translate Wasm names on output, or NULL */
	/* perf.data input */
	uint64_t time_start, time_end;   /* --time, in the recording's ns (0: open) */
	const char *kallsyms;            /* --kallsyms FILE */
	const char *buildid_dir;         /* --buildid-dir DIR (default ~/.debug) */
	const char *perf_map_dir;        /* --perf-map-dir DIR */
	const char **jitdumps;           /* --jitdump FILE|DIR, repeatable */
	size_t njitdumps;
	bool quiet;
};

/* The event kept (stackcollapse-perf.pl folds one) and what was dropped. */
struct fold_events {
	char *kept;           /* base name; NULL until the first sample names it */
	uint64_t dropped;     /* samples of other events */
	char *example;        /* one of those events */
};
int fold_events_init(struct fold_events *e, const char *filter);
bool fold_events_keep(struct fold_events *e, const char *name, size_t len);
/* One line on stderr when samples were dropped (not with -q). */
void fold_events_report(const struct fold_events *e, const struct fold_config *cfg);
void fold_events_release(struct fold_events *e);
/* --comm: whether a process name is kept. */
bool fold_keep_comm(const struct fold_config *cfg, const char *comm, size_t len);

/* Folds the inputs (NULL or "-" = stdin) into out. Returns 0, or 1 after
 * printing a one-line error naming the file and offset. */
int fold_text_run(const struct fold_config *cfg, char **files, size_t nfiles, FILE *out);

/* Folds one perf.data file (a path, a --threads directory or "-"). */
int fold_data_run(const struct fold_config *cfg, const char *path, FILE *out);
/* Writes the collapser's stacks (translated when cfg->names); 0 or 1 after
 * a message. */
int fold_write(const struct fold_config *cfg, struct fg_collapser *c, FILE *out);
/* What an input is: 1 perf.data, 0 text, < 0 cannot be read (message
 * printed). For standard input the bytes looked at are put back. */
int fold_input_is_perfdata(const char *prog, const char *path);

/* Inline expansion hook (fold_inline.c): pushes the frames inlined at f
 * onto the collapser, root-most last; returns 1 when it did, 0 when the
 * frame is to be folded as usual. */
struct fold_inline;
struct fold_inline *fold_inline_new(const struct fold_config *cfg);
void fold_inline_free(struct fold_inline *fi);
int fold_inline_frame(struct fold_inline *fi, struct fg_collapser *c, const struct fg_raw_frame *f);
/* The same for a resolved perf.data frame (symbol + offset in module as
 * recorded; --symfs applies), as perf script expands: only where DWARF
 * has inlined calls at the address (1: pushed; 0: fold the frame as it
 * is). */
int fold_inline_symbol(struct fold_inline *fi, struct fg_collapser *c, const char *module,
		       const char *symbol, uint64_t offset, uint64_t pc);
/* The source file (basename) and line of a resolved frame: 1 when known. */
int fold_inline_srcline(struct fold_inline *fi, const char *module, const char *symbol,
			uint64_t offset, uint64_t pc, const char **file, unsigned *line);

#endif
