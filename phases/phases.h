/* phases.h - the phase model: rule files, markers -> intervals -> phases,
 * and the attribution of samples to phases and CPU categories.
 *
 * Depends only on common/ (wpcommon.h) and PCRE2. Pure logic over events
 * and frame names: nothing here reads perf.data or symbolizes; the tool
 * feeds exec/exit events, probe hits (with the function they sit on, when
 * it could be symbolized) and samples (frames as strings), in time order.
 * The rule format is wasmperf-phases-rules(5); the phase definitions are
 * those of ../shared/phases/README.md.
 *
 * Ownership: handles are freed by their *_free(), which accepts NULL;
 * strings handed in are copied; strings and rows handed out are owned by
 * the handle and live as long as it does (or until the next call that
 * recomputes them). Nothing prints (the writers write to the stream they
 * are given), exits or keeps global state; warnings go to the callback.
 * A rules handle caches per-frame decisions, so it is not safe to share
 * between threads.
 */
#ifndef PHASES_H
#define PHASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wpcommon.h"

/* ---- CPU categories: a fixed list, the TSV's trailing columns in this order ---- */
#define PH_CATEGORIES(_)  \
	_(PH_CAT_WASM, "wasm")       \
	_(PH_CAT_COMPILE, "compile") \
	_(PH_CAT_RUNTIME, "runtime") \
	_(PH_CAT_HOST, "host")       \
	_(PH_CAT_GC, "gc")           \
	_(PH_CAT_KERNEL, "kernel")   \
	_(PH_CAT_OTHER, "other")

enum ph_category {
#define PH_CAT_ENUM(name, text) name,
	PH_CATEGORIES(PH_CAT_ENUM)
#undef PH_CAT_ENUM
	PH_NCAT
};
const char *ph_category_name(int cat);

/* ---- caps on rule files (every one is an error with the line number) ---- */
#define PH_MAX_RULES_BYTES (1u << 20)
#define PH_MAX_LINE 4096
#define PH_MAX_NAME 64       /* preset, marker and phase names */
#define PH_MAX_MARKERS 64
#define PH_MAX_ALTERNATIVES 16 /* functions per marker */
#define PH_MAX_PHASES 64
#define PH_MAX_STACK_PHASES 32 /* distinct phase names of stack rules */
#define PH_MAX_PATTERNS 512  /* stack + category rules + select exe */
#define PH_MAX_REGEX 1024

/* ====================================================================
 * Rule sets (one preset or one --rules file)
 * ==================================================================== */
struct ph_rules;

/* Parses a rule file held in memory (name is used in messages and as the
 * preset name when the text has no `preset` line). *out is always set:
 * NULL when out of memory, else a handle to free also after an error,
 * whose ph_rules_errmsg() then reads "'NAME': line N: what". Returns 0,
 * WP_E_FORMAT, WP_E_TOOBIG or WP_E_NOMEM. */
int ph_rules_parse(struct ph_rules **out, const char *text, size_t len, const char *name);
/* The same from a file (at most PH_MAX_RULES_BYTES); WP_E_NOTFOUND/WP_E_IO
 * with "'PATH': cannot read: why". */
int ph_rules_load_file(struct ph_rules **out, const char *path);
/* A preset shipped in the tree (phases/presets/NAME.rules); WP_E_NOTFOUND
 * with "no preset 'NAME'" when there is none. */
int ph_rules_load_preset(struct ph_rules **out, const char *name);
void ph_rules_free(struct ph_rules *r);
const char *ph_rules_errmsg(const struct ph_rules *r);
const char *ph_rules_name(const struct ph_rules *r);
const char *ph_rules_description(const struct ph_rules *r);

/* Declared markers and phases, in file order (for listings and tests). */
size_t ph_rules_marker_count(const struct ph_rules *r);
const char *ph_rules_marker_name(const struct ph_rules *r, size_t i);
size_t ph_rules_phase_count(const struct ph_rules *r);
const char *ph_rules_phase_name(const struct ph_rules *r, size_t i);
/* Whether function (a symbol's name, demangled or raw) is one of marker
 * i's functions, matched as a probe's function is: wasmperf record finds
 * the symbols it probes with it. */
bool ph_rules_marker_matches(const struct ph_rules *r, size_t i, const char *function,
			     size_t len);
/* Whether marker i is probed on return too: not after `probe NAME entry`
 * (its function returns before the phase it starts ends). */
bool ph_rules_marker_wants_return(const struct ph_rules *r, size_t i);

/* One sampled frame. Kernel frames are those whose module starts with
 * "[kernel." or whose name ends with "_[k]" (the folded annotation);
 * module may be NULL. */
struct ph_frame {
	const char *name;
	size_t len;
	const char *module;
	size_t module_len;
};

/* Classifies one stack, frames leaf first (as perf script prints them):
 * *cat the category (innermost frame a category rule decides; a kernel
 * frame no rule matches decides PH_CAT_KERNEL; none: PH_CAT_OTHER), *phase
 * the index of the stack phase (innermost non-kernel frame a stack rule
 * matches; else the first `fallback` rule matching any frame; else -1).
 * Each distinct (frame, module) goes through PCRE2 once. 0 or WP_E_NOMEM. */
int ph_rules_classify(struct ph_rules *r, const struct ph_frame *frames, size_t n,
		      int *cat, int *phase);
size_t ph_rules_stack_phase_count(const struct ph_rules *r);
const char *ph_rules_stack_phase_name(const struct ph_rules *r, size_t i);

/* ---- choosing a preset for a process ---- */
/* Does the process define this symbol (as the ELF spells it, or demangled
 * as perf prints it)? lib NULL: its binary; else a library it maps whose
 * file name starts with lib (`select symbol NAME lib=PREFIX`). */
typedef bool (*ph_has_symbol_fn)(void *ctx, const char *name, const char *lib);

struct ph_target {
	const char *binary;          /* exec filename or main mapping; may be NULL */
	ph_has_symbol_fn has_symbol; /* may be NULL */
	void *symbol_ctx;
	const char *const *probes;   /* probe event names of the recording, */
	size_t nprobes;              /* e.g. "probe_iwasm:wasm_runtime_load" */
};

/* 4 when a `select exe` matches the binary, + 2 when a `select symbol`
 * is defined, + 1 when a probe event names one of the markers' functions
 * (perf's naming: GROUP:FUNC or GROUP:FUNC__return); 0 = not this preset. */
int ph_rules_score(const struct ph_rules *r, const struct ph_target *t);
/* The same score, and in why (may be NULL) what gave it, for messages:
 * "its binary defines wasm_runtime_load, the recording has the probe
 * probe_iwasm:wasm_runtime_load" (empty for 0). */
int ph_rules_explain(const struct ph_rules *r, const struct ph_target *t, char *why, size_t size);
/* Does a `select symbol ... lib=PREFIX` name the library at path (its file
 * name starts with PREFIX)? Tells a tool which mappings to ask about. */
bool ph_rules_wants_library(const struct ph_rules *r, const char *path);

/* The presets shipped in the tree, all parsed once. */
struct ph_catalog;
/* *out as for ph_rules_parse (errmsg names the preset that failed). */
int ph_catalog_new(struct ph_catalog **out);
void ph_catalog_free(struct ph_catalog *c);
const char *ph_catalog_errmsg(const struct ph_catalog *c);
size_t ph_catalog_count(const struct ph_catalog *c);
struct ph_rules *ph_catalog_get(const struct ph_catalog *c, size_t i);
struct ph_rules *ph_catalog_find(const struct ph_catalog *c, const char *name);
/* The highest-scoring preset (ties: catalog order), or NULL when every
 * score is 0; *score may be NULL. */
struct ph_rules *ph_catalog_choose(const struct ph_catalog *c, const struct ph_target *t,
				   int *score);
/* Whether any preset's `select symbol ... lib=PREFIX` names this library. */
bool ph_catalog_wants_library(const struct ph_catalog *c, const char *path);
/* Names of the shipped presets (static, sorted as shipped) and their text. */
const char *const *ph_preset_names(size_t *n);
const char *ph_preset_text(const char *name, size_t *len);

/* ====================================================================
 * The model: events of one recording -> per-process phase rows
 * ==================================================================== */
struct ph_model;

/* rules: used for every process not given its own with
 * ph_model_set_rules (borrowed: must outlive the model; may be NULL, then
 * only processes with rules get phase rows). warn may be NULL. */
struct ph_model *ph_model_new(struct ph_rules *rules, wp_warn_fn warn, void *warn_ctx);
void ph_model_free(struct ph_model *m);
/* Rules for one process (borrowed), e.g. chosen at its exec, and why they
 * were chosen (copied; may be NULL), shown in reports. Samples are
 * classified when fed, so set them before its first sample: a process
 * that had none may still get rules later (its samples so far stay
 * unattributed, category other); rules that classified samples cannot
 * change (WP_E_USAGE). rules NULL only records why there are none. */
int ph_model_set_rules(struct ph_model *m, int32_t pid, struct ph_rules *rules,
		       const char *why);

/* Events, in time order (as libperfparse delivers them). Samples out of
 * order still land in the right interval; a probe or exec earlier than an
 * event already seen makes counts approximate (one warning). */
int ph_model_exec(struct ph_model *m, int32_t pid, int32_t tid, uint64_t time_ns,
		  const char *comm);
/* A thread (tid) of pid exited; the process's end is the last such exit. */
int ph_model_exit(struct ph_model *m, int32_t pid, int32_t tid, uint64_t time_ns);

/* A probe hit. function: the symbolized function the probe sits on
 * (__probe_ip for an entry, __probe_func for a return), or NULL, then it is
 * taken from the event name the way perf names probes: "GROUP:FUNC" or
 * "GROUP:FUNC__return" (the suffix also makes it a return). */
struct ph_probe {
	const char *event;
	const char *function;
	bool is_return;
};
int ph_model_probe(struct ph_model *m, int32_t pid, int32_t tid, uint64_t time_ns,
		   const struct ph_probe *p);

/* A sample of any thread tid of process pid: frames leaf first. */
int ph_model_sample(struct ph_model *m, int32_t pid, int32_t tid, uint64_t time_ns,
		    uint64_t period, const struct ph_frame *frames, size_t n);

/* ---- results ---- */
enum ph_row_kind { PH_ROW_PHASE, PH_ROW_STACK };

struct ph_row {
	int32_t pid;
	const char *comm;         /* "" when never seen */
	const char *phase;        /* "load", or "stack:load" for PH_ROW_STACK */
	enum ph_row_kind kind;
	int depth;                /* 0, or 1 + the parent's depth (execute-main) */
	bool present;             /* false: a marker is missing, see `missing` */
	const char *missing;      /* absent rows: the point that is missing */
	/* Phases: [start, end), closed when end is the process's last exit.
	 * Stack rows: the first and last sample's times, dur = summed period. */
	uint64_t start_ns, end_ns, dur_ns;
	uint64_t samples, period;
	uint64_t cat_samples[PH_NCAT], cat_period[PH_NCAT];
	/* Phases: samples inside whose stack phase names another phase of the
	 * rules and none that contains the sample. Stack rows: 0. */
	uint64_t disagree;
};

struct ph_process {
	int32_t pid;
	const char *comm;
	const char *rules;        /* preset name, or NULL */
	const char *rules_why;    /* why those rules (or none), or NULL */
	bool has_exec, has_exit;
	uint64_t exec_ns, exit_ns;
	uint64_t samples;         /* all samples of the process */
	uint64_t samples_outside; /* before its exec or after its last exit */
	uint64_t disagree;        /* samples whose stack phase disagrees */
	size_t first_row, nrows;  /* its rows in ph_model_rows() */
};

/* Computes the rows (once; later events are an error: WP_E_USAGE) and
 * reports each absent phase through the warn callback, once per missing
 * point and process: "pid 13977 (node): no return probe of execute
 * (node::wasi::WASI::_SetMemory): execute-main, teardown absent".
 * Processes are those with an exec or a probe hit, in pid order. */
int ph_model_finish(struct ph_model *m);
size_t ph_model_rows(const struct ph_model *m, const struct ph_row **rows);
size_t ph_model_processes(const struct ph_model *m, const struct ph_process **procs);
uint64_t ph_model_warnings(const struct ph_model *m);

/* ---- writers (the stream is the caller's; 0 or WP_E_IO) ---- */
/* Header `pid comm phase start_ns end_ns dur_ns samples` + one column per
 * category (sample counts); present rows only, stack rows included. */
int ph_write_tsv(FILE *f, const struct ph_model *m);
/* {"processes":[{"pid":..,"comm":..,"rules":..,"phases":[..],"absent":[..],
 * "stacks":[..],"disagree":..}]} */
int ph_write_json(FILE *f, const struct ph_model *m);
/* Writes s as the inside of a JSON string (quotes, backslashes and control
 * bytes escaped, bytes that are not UTF-8 as U+FFFD, so the text is valid
 * UTF-8 whatever s holds), for writers of other JSON formats. */
void ph_json_escape(FILE *f, const char *s);
/* Human table: ms from exec, share of total, samples, category shares. */
int ph_write_text(FILE *f, const struct ph_model *m);


/* ====================================================================
 * Comparing runtimes (compare.c): WarpDiff's differential analysis
 * ==================================================================== */
/* A benchmark x runtime matrix of times (or sample counts, or a phase's
 * duration): each benchmark's vector over the runtimes is compared with
 * the centre of all of them (../shared/research/phases.md sections 2, 8).
 *
 *   PH_COMPARE_L2: WarpDiff exactly. value = the vector L2-normalised;
 *     centre = the mean of those over the benchmarks (not re-normalised);
 *     distance = Euclidean distance to the centre; deviation = value -
 *     centre (positive: slower than the usual ratio).
 *   PH_COMPARE_LOG: robust to one runtime at 20x the others. value =
 *     ln(time / the benchmark's median over its runtimes); centre = each
 *     runtime's median value over the benchmarks (its usual ratio);
 *     distance and deviation as above, in log space.
 *
 * A cell never set is missing. A benchmark with a missing cell (or whose
 * values are all zero; for LOG: any zero) is left out of the centre and the
 * ranking, and ph_compare_state says why: never silently. */
struct ph_compare;
enum ph_compare_mode { PH_COMPARE_L2, PH_COMPARE_LOG };
enum ph_compare_state { PH_COMPARE_OK, PH_COMPARE_MISSING, PH_COMPARE_ZERO };

/* 0, WP_E_NOMEM, or WP_E_USAGE (no runtime; a size that overflows). */
int ph_compare_new(struct ph_compare **out, size_t nbench, size_t nruntimes);
void ph_compare_free(struct ph_compare *c);
/* value finite and >= 0, indices in range, before ph_compare_run; else
 * WP_E_USAGE. */
int ph_compare_set(struct ph_compare *c, size_t bench, size_t runtime, double value);
/* Computes everything, once; 0, WP_E_NOMEM or WP_E_USAGE (run twice). */
int ph_compare_run(struct ph_compare *c, enum ph_compare_mode mode);

/* Results (NAN for a benchmark left out; SIZE_MAX for no runtime). */
enum ph_compare_state ph_compare_state(const struct ph_compare *c, size_t bench);
const char *ph_compare_state_name(enum ph_compare_state s);
double ph_compare_value(const struct ph_compare *c, size_t bench, size_t runtime);
double ph_compare_centre(const struct ph_compare *c, size_t runtime);
double ph_compare_distance(const struct ph_compare *c, size_t bench);
double ph_compare_deviation(const struct ph_compare *c, size_t bench, size_t runtime);
/* The runtime with the largest |deviation| (the first of equal ones). */
size_t ph_compare_most_deviant(const struct ph_compare *c, size_t bench);
/* The compared benchmarks, most distant first (equal distances: in index
 * order); *order is owned by c. Returns how many. */
size_t ph_compare_ranking(const struct ph_compare *c, const size_t **order);

#endif
