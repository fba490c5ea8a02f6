/* fold.h - the folding pipeline shared by wasmperf-fold, -diff and -flame:
 * perf.data (records fed to the symbolizer) or perf script text ->
 * libperfparse samples -> flamegraph collapser -> sorted folded text. */
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
	const struct sym_names_options *names_opt; /* --wasm-mark etc. (NULL: defaults), for
					  * WasmEdge AOT objects named without --wasm */
	struct fold_time *time;          /* --time (NULL: all samples) */
	/* perf.data input */
	const char *kallsyms;            /* --kallsyms FILE */
	const char *buildid_dir;         /* --buildid-dir DIR (default ~/.debug) */
	const char *perf_map_dir;        /* --perf-map-dir DIR */
	const char **jitdumps;           /* --jitdump FILE|DIR, repeatable */
	size_t njitdumps;
	unsigned threads;                /* -j: threads for text, perf.data loading (0: the cores) */
	bool quiet;
	bool names_report_later;         /* a part of fold_inputs: it reports once */
	const struct fold_sink *sink;    /* wasmperf-export: samples go there, no folded text */
};

/* wasmperf-export's hook (export_run.c): each sample the collapser counted,
 * with the stack it counted it in (sample() returns 0 or WP_E_*, which
 * ends the run like damaged input); at the end finish() takes the
 * collapser (and the perf.data, NULL for text) instead of fold_write() and
 * returns 0 or, after a message, an exit status. */
struct fold_events;
struct pp_data;
struct fold_sample {
	uint64_t time;
	bool has_time;
	uint32_t pid, tid;
	const char *comm;
	size_t comm_len;
	uint64_t weight;
	bool has_period;                 /* text: perf printed the period */
	size_t stack;                    /* in fg_collapser_stacks() */
};
struct fold_sink {
	int (*sample)(void *ctx, struct fg_collapser *c, const struct fold_sample *s);
	int (*finish)(void *ctx, struct fg_collapser *c, const struct fold_events *e,
		      const struct pp_data *d);
	void *ctx;
};

/* The paths of --symfs, --buildid-dir, --perf-map-dir (directories),
 * --kallsyms (a file) and every --jitdump (a file or a directory): 0 when
 * each given one exists, is readable and of its kind; else prints
 * "PROG: --OPTION 'PATH': why" and returns 2 (usage). Call it once the
 * options are parsed, before any input is read (fold_paths.c). */
int fold_check_paths(const struct fold_config *cfg);

/* The event kept (stackcollapse-perf.pl folds one) and the samples of each
 * event (notes and errors name them). Text: events by base name, the first
 * seen is the default; perf.data: the events of the header by index, the
 * first one is the default. */
struct fold_event_slot {
	char *name;           /* as shown (the first spelling seen, for text) */
	size_t base_n;        /* its base name is name[0, base_n) */
	uint64_t samples;     /* inside --time */
	bool kept;
};
struct fold_events {
	const char *filter;   /* --event-filter, or NULL */
	struct fold_event_slot *slots;
	size_t n, cap;
	size_t last;          /* text: slot of the previous sample */
	char last_raw[64];    /* text: its event as printed (a repeat costs one memcmp) */
	size_t last_raw_n;
	bool chosen;          /* the default event is known */
	bool data;            /* slots are perf.data event indices */
	uint64_t unknown;     /* perf.data samples of no known event */
};
int fold_events_init(struct fold_events *e, const char *filter);
/* Text: registers the sample's event; counts it when `count` (inside
 * --time); whether it is folded. Never fails: past a cap of distinct names
 * an event is only counted as dropped. */
bool fold_events_keep(struct fold_events *e, const char *name, size_t len, bool count);
struct pp_data;
/* perf.data: the events of the header (again when pipe mode adds some);
 * WP_E_NOTFOUND when --event-filter names none of them. */
int fold_events_data(struct fold_events *e, const struct pp_data *d);
bool fold_events_keep_index(struct fold_events *e, const struct pp_data *d, size_t event,
			    bool count);
/* One line on stderr when samples were dropped (not with -q). */
void fold_events_report(const struct fold_events *e, const struct fold_config *cfg);
/* When --event-filter matched no event: prints the error listing the
 * events (of `file`) and returns 2; else 0. */
int fold_events_check(const struct fold_events *e, const struct fold_config *cfg,
		      const char *file);
void fold_events_release(struct fold_events *e);

/* --time: perf's forms (perf-script(1)): "START,END" ranges in seconds
 * (several separated by blanks) or percentages of the recording's span
 * ("A%-B%,C%-D%", "P%/N,...", "P%"), resolved once the first and last
 * sample times are known. */
#define FOLD_TIME_MAX 64
struct fold_time {
	const char *arg;      /* NULL: no --time */
	bool percent;
	size_t n;
	uint64_t start[FOLD_TIME_MAX], end[FOLD_TIME_MAX];   /* ns, 0 = open */
	double pstart[FOLD_TIME_MAX], pend[FOLD_TIME_MAX];   /* fractions */
	bool resolved;
	/* what was seen, for the warning */
	uint64_t first, last, kept, untimed;
	bool seen;
};
/* 0, or -1 when arg is not one of perf's forms. */
int fold_time_parse(struct fold_time *t, const char *arg);
/* Percentages -> times, from the recording's first and last sample. */
void fold_time_resolve(struct fold_time *t, uint64_t first, uint64_t last);
/* Whether a sample at `time` is inside (samples without a time are, as
 * in perf); also notes the span seen. */
bool fold_time_keep(struct fold_time *t, bool has_time, uint64_t time);
/* The warning when --time kept no sample of the folded event (not -q). */
void fold_time_report(const struct fold_time *t, uint64_t kept, const struct fold_config *cfg);
/* perf script's time format: "SECONDS.USEC". */
void fold_time_format(uint64_t ns, char out[32]);

/* -j: the threads asked for (0: the online cores), from 1 to `most`. */
unsigned fold_threads(const struct fold_config *cfg, unsigned most);

/* --comm: whether a process name is kept. */
bool fold_keep_comm(const struct fold_config *cfg, const char *comm, size_t len);

/* Folds the inputs (NULL or "-" = stdin) into out. Returns 0, or 1 after
 * printing a one-line error naming the file and offset. */
int fold_text_run(const struct fold_config *cfg, char **files, size_t nfiles, FILE *out);

/* Folds any inputs (paths; none: standard input), each read as what it is
 * (perf.data, perf script text, folded stacks; anything else refused with a
 * message naming the file and what it is) into one folded profile. 0, 1
 * (input or output error, after writing what was read) or 2 (usage). */
int fold_inputs(const struct fold_config *cfg, char **paths, size_t n, FILE *out);

/* Folds perf.data (data: paths[0]; NULL = standard input) or perf script
 * text (paths[0, n)) into a temporary file and hands its path to use(),
 * which reads it back as folded stacks; the worse of the two statuses. */
int fold_via_tmpfile(const struct fold_config *cfg, char **paths, size_t n, bool data,
		     int (*use)(void *ctx, const char *folded_path), void *ctx);

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
