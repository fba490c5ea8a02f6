/* batch.h - wasmperf-batch: many recordings -> per-run folded stacks,
 * flame graphs, phase tables and summaries, then differential flame graphs
 * per benchmark, the comparison across runtimes (phases.h ph_compare) and
 * one index.html (wasmperf-batch(1)).
 *
 * Orchestration only: each run goes through the pipelines wasmperf fold,
 * flame and phases use (fold_inputs, folded_read_flame, phases_run), in a
 * worker process of its own (batch_jobs.c): runs go in parallel without
 * sharing any of those pipelines' state, each one's messages land in its
 * own log (the failed row's one-line error), and a crash or abort takes
 * down one row, not the batch. A run's results are files under
 * OUT/runs/DIR/ (record.tsv says everything the page needs), so a second
 * run reuses them (keyed by a content hash) and --merge rebuilds the page
 * from several outputs. */
#ifndef WASMPERF_BATCH_H
#define WASMPERF_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "phases.h"

#define BATCH_TOP 5            /* hottest Wasm functions kept per run */
#define BATCH_MAX_WASM 64      /* --wasm options */
#define BATCH_RECORD_MAX (1u << 20)  /* bytes of a record.tsv */
#define BATCH_MAX_PHASES 256         /* phase lines of a record.tsv */

struct batch_options {
	const char *prog;
	const char *out;            /* -o DIR */
	const char *layout;         /* --layout PATTERN, or NULL */
	const char *wasm[BATCH_MAX_WASM]; /* --wasm BENCH=FILE as given */
	size_t nwasm;
	const char *baseline;       /* --baseline RUNTIME, or NULL: the first */
	unsigned jobs;              /* -j N (0: the number of cores) */
	unsigned shard_k, shard_n;  /* --shard K/N (shard_n 0: every input) */
	bool merge;                 /* --merge: the operands are batch outputs */
	bool quiet;
	bool progress;              /* the progress line (stderr is a terminal) */
};

struct batch_hot {
	char *name;                 /* a Wasm function (the innermost of its stacks) */
	uint64_t count;             /* summed weight of those stacks */
};

struct batch_phase {
	char *name;                 /* "startup", "execute", "execute-main" */
	int depth;                  /* 0 in the bar, 1 inside another phase */
	uint64_t start_ns, dur_ns;  /* start counted from the process's exec */
	uint64_t samples;
	uint64_t cat[PH_NCAT];      /* samples per CPU category */
};

struct batch_run {
	/* the input */
	char *input;                /* the path as given */
	char *name;                 /* its directory or file name */
	char *dir;                  /* OUT/runs/DIR: name made unique and path-safe */
	char *runtime, *bench;      /* "" when unknown */
	char *key;                  /* content hash of inputs and options (hex) */
	/* results (record.tsv) */
	bool failed, cached;
	char *error;                /* the one-line error of a failed run */
	int64_t pid;                /* the profiled process, -1 unknown */
	bool has_exec_exit, has_samples;
	uint64_t exec_exit_ns;
	uint64_t samples_all, samples_proc, samples_main, threads;
	struct batch_hot hot[BATCH_TOP];
	size_t nhot;
	struct batch_phase *phases;
	size_t nphases;
	bool has_svg, has_folded, has_phases;
};

/* A benchmark's differential flame graph of one runtime against the
 * baseline (OUT/diff/BENCHDIR/RUNTIMEDIR.svg). */
struct batch_diff {
	size_t bench, runtime;      /* indices into the batch's lists */
	size_t base_run, run;       /* indices into runs */
	char *svg;                  /* relative to OUT */
	bool failed;
	char *error;
};

struct batch {
	const struct batch_options *opt;
	struct batch_run *runs;
	size_t nruns;
	char **runtimes, **benches; /* in order of first appearance */
	size_t nruntimes, nbenches;
	size_t baseline;            /* index into runtimes */
	struct batch_diff *diffs;
	size_t ndiffs;
};

/* ---- batch_inputs.c: operands -> runs ---- */
/* Names each input (meta.json's runtime and bench, else --layout matched
 * against its name), makes the output directories unique, keeps only
 * --shard's share. 0, or 2 after a usage message (a bad --layout). */
int batch_inputs(struct batch *b, char **paths, size_t n);
/* --merge: the runs of each earlier output (its runs.txt), their files
 * linked or copied into OUT/runs/. 0, or 1 after a message. */
int batch_merge_inputs(struct batch *b, char **outs, size_t n);
/* Fills the runtime and benchmark lists from the runs; picks the
 * baseline (2 after a message when --baseline names no runtime). */
int batch_index_runs(struct batch *b);
/* Matches name against a --layout pattern: fills runtime and bench
 * (malloc'd) and returns 1, 0 when it does not match, -1 out of memory.
 * Any pattern (checked or not) in time name x pattern, no recursion. */
int batch_layout_match(const char *pattern, const char *name, char **runtime, char **bench);
/* 0 when pattern holds {runtime} and {bench} at most once each and only
 * those and {*} placeholders; else -1 with why in err. */
int batch_layout_check(const char *pattern, char *err, size_t errlen);
void batch_release(struct batch *b);

/* ---- batch_key.c: what decides a run's results ---- */
/* Hashes the input's bytes (a directory: its perf.data, meta.json, perf
 * maps, jitdumps and .wasm files), the --wasm modules of its benchmark and
 * the options into r->key. 0, or -1 (out of memory). */
int batch_key(const struct batch_options *o, struct batch_run *r);

/* ---- batch_work.c: one run, in its worker process ---- */
/* Reads the input and writes OUT/runs/DIR/: stacks.folded, flame.svg,
 * phases.tsv (perf.data), record.tsv. Messages go to stderr (the run's
 * log). Returns 0 or 1. */
int batch_work(const struct batch_options *o, const struct batch_run *r);

/* ---- batch_summary.c: the profiled process of a perf.data ---- */
struct batch_summary {
	int64_t pid;                /* the pid with the most samples after its exec */
	bool has_exec_exit;
	uint64_t exec_ns, exit_ns;  /* its first exec, its threads' last exit */
	uint64_t samples_all;       /* samples of the recording's first event */
	uint64_t samples_proc;      /* ... of that pid after its exec */
	uint64_t samples_main;      /* ... of its main thread (tid == pid) */
	uint64_t threads;           /* its threads with samples after its exec */
};
/* One pass over the recording's COMM(exec), EXIT and SAMPLE records. 0, or
 * 1 after "PROG: 'FILE': offset 0xN: what" (what was counted is kept). */
int batch_summary_data(const char *prog, const char *path, struct batch_summary *s);

/* ---- batch_record.c: record.tsv, written by a run, read by the page ---- */
int batch_record_write(FILE *f, const struct batch_run *r);
/* Fills the results of r from OUT/runs/DIR/record.tsv (the input fields
 * too when r->name is NULL, for --merge). 0, or -1 with why in err
 * ("'PATH': line N: what"): a record is untrusted text (--merge reads other
 * machines' outputs), and one cut short (no final files line) is an error,
 * never a run with fewer results. */
int batch_record_read(const char *path, struct batch_run *r, char *err, size_t errlen);
/* The same on text[0, len) (text[len] is '\0'; the text is modified),
 * path naming it in messages. */
int batch_record_parse(char *text, size_t len, const char *path, struct batch_run *r, char *err,
		       size_t errlen);
void batch_run_release(struct batch_run *r);
/* "OUT/runs/DIR/FILE" (malloc'd; NULL out of memory). */
char *batch_path(const struct batch_options *o, const char *dir, const char *file);

/* ---- batch_jobs.c: worker processes ---- */
/* Runs job(ctx, i) for i in [0, n) in at most `jobs` worker processes at a
 * time, each with stderr sent to log_path(ctx, i); done(ctx, i, status)
 * runs in the parent as each ends (status: the exit status, or 128 +
 * signal). The progress line goes to stderr when progress. */
struct batch_jobs {
	size_t n;
	unsigned jobs;
	bool progress;
	void *ctx;
	int (*job)(void *ctx, size_t i);
	char *(*log_path)(void *ctx, size_t i);
	const char *(*label)(void *ctx, size_t i);
	void (*done)(void *ctx, size_t i, int status);
};
/* 0, or -1 when no worker could be started (message printed). */
int batch_jobs_run(const struct batch_jobs *j, const char *prog);
unsigned batch_cores(void);
/* The first line of a log that is not a warning (the one-line error), or
 * a fallback; malloc'd. */
char *batch_log_error(const char *log_path, const char *fallback);

/* ---- batch_runs.c: the runs stage (cache, workers, records) ---- */
/* 0 when every run succeeded, 1 when some failed, -1 when workers could
 * not be started. */
int batch_run_all(struct batch *b);
/* The whole batch: the runs (or --merge's), the differential graphs, the
 * comparison, the files and the page. 0, 1 (a run failed, or an input or
 * output error) or 2 (usage). */
int batch_make(const struct batch_options *o, char **paths, size_t n);

/* ---- batch_diff.c: differential flame graphs per benchmark ---- */
int batch_diffs(struct batch *b);

/* ---- batch_report.c: summary.tsv, comparison.tsv, summary.json ---- */
/* The comparison of one time base (exec-exit, samples, phase:NAME, and the
 * log-ratio view of exec-exit). */
struct batch_basis {
	char *name;                 /* "exec-exit", "samples", "phase:load", "log-ratio" */
	struct ph_compare *cmp;     /* nbenches x nruntimes */
	double *value;              /* the inputs (NAN: missing), for the page */
};
struct batch_comparison {
	struct batch_basis *bases;
	size_t n;
};
/* 0 or -1 (out of memory). */
int batch_compare(const struct batch *b, struct batch_comparison *c);
void batch_comparison_release(struct batch_comparison *c);
/* Each writes OUT/NAME; 0 or 1 after a message. */
int batch_write_summary_tsv(const struct batch *b);
int batch_write_comparison_tsv(const struct batch *b, const struct batch_comparison *c);
int batch_write_json(const struct batch *b, const struct batch_comparison *c);
/* OUT/runs.txt: the runs' directories, for --merge. */
int batch_write_runs_list(const struct batch *b);

/* ---- batch_html.c: index.html ---- */
int batch_write_html(const struct batch *b, const struct batch_comparison *c);
/* Writes s HTML-escaped (& < > " '). */
void batch_html_escape(FILE *f, const char *s);

#endif
