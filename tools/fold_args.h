/* fold_args.h - wasmperf-fold's options, shared by every tool that folds
 * recordings on its way (wasmperf-flame and wasmperf-diff given perf.data
 * or perf script text take the same options). */
#ifndef WASMPERF_FOLD_ARGS_H
#define WASMPERF_FOLD_ARGS_H

#include "fold.h"

enum {
	FOLD_OPT_PID = 0x300, FOLD_OPT_TID, FOLD_OPT_KERNEL, FOLD_OPT_JIT, FOLD_OPT_ALL,
	FOLD_OPT_ADDRS, FOLD_OPT_EVENT, FOLD_OPT_INLINE, FOLD_OPT_CONTEXT, FOLD_OPT_SRCLINE,
	FOLD_OPT_SAMPLES, FOLD_OPT_INCLUDE, FOLD_OPT_EXCLUDE, FOLD_OPT_COMM, FOLD_OPT_SYMFS,
	FOLD_OPT_NO_TIDY, FOLD_OPT_PERL_COMPAT, FOLD_OPT_TIME, FOLD_OPT_KALLSYMS,
	FOLD_OPT_BUILDID_DIR, FOLD_OPT_PERF_MAP_DIR, FOLD_OPT_JITDUMP,
};

/* The option table entries (then NAMES_OPTIONS), in --help order. */
#define FOLD_OPTIONS                                                                             \
	{"pid", FOLD_OPT_PID, WP_OPT_NONE, NULL, "root frame is COMM-PID"},                       \
	{"tid", FOLD_OPT_TID, WP_OPT_NONE, NULL, "root frame is COMM-PID/TID"},                   \
	{"kernel", FOLD_OPT_KERNEL, WP_OPT_NONE, NULL, "mark kernel frames with _[k]"},           \
	{"jit", FOLD_OPT_JIT, WP_OPT_NONE, NULL, "mark JIT frames (perf maps, jitted-*.so) with _[j]"}, \
	{"all", FOLD_OPT_ALL, WP_OPT_NONE, NULL, "--kernel and --jit"},                           \
	{"addrs", FOLD_OPT_ADDRS, WP_OPT_NONE, NULL, "unknown frames show their address: [module <pc>]"}, \
	{"event-filter", FOLD_OPT_EVENT, WP_OPT_REQUIRED, "EVENT",                                \
	 "fold only EVENT, named with or without modifiers and terms (default: perf.data's first event, text's first seen)"}, \
	{"inline", FOLD_OPT_INLINE, WP_OPT_NONE, NULL, "expand inlined calls from DWARF debug info"}, \
	{"context", FOLD_OPT_CONTEXT, WP_OPT_NONE, NULL, "with --inline, add :file:line to expanded frames"}, \
	{"srcline", FOLD_OPT_SRCLINE, WP_OPT_NONE, NULL, "append the source lines of perf script -F+srcline"}, \
	{"samples", FOLD_OPT_SAMPLES, WP_OPT_NONE, NULL, "count samples instead of summing their periods"}, \
	{"include", FOLD_OPT_INCLUDE, WP_OPT_REQUIRED, "REGEX",                                   \
	 "keep only stacks matching REGEX, frames as printed (repeatable)"},                     \
	{"exclude", FOLD_OPT_EXCLUDE, WP_OPT_REQUIRED, "REGEX",                                   \
	 "drop stacks matching REGEX, frames as printed (repeatable)"},                          \
	{"comm", FOLD_OPT_COMM, WP_OPT_REQUIRED, "NAME", "keep only samples of process NAME (repeatable)"}, \
	{"symfs", FOLD_OPT_SYMFS, WP_OPT_REQUIRED, "DIR", "look for recorded files under DIR (perf.data, --inline)"}, \
	{"kallsyms", FOLD_OPT_KALLSYMS, WP_OPT_REQUIRED, "FILE", "perf.data: kernel symbols from FILE"}, \
	{"buildid-dir", FOLD_OPT_BUILDID_DIR, WP_OPT_REQUIRED, "DIR",                             \
	 "perf.data: perf's build-id cache (default ~/.debug)"},                                 \
	{"perf-map-dir", FOLD_OPT_PERF_MAP_DIR, WP_OPT_REQUIRED, "DIR",                           \
	 "perf.data: look for perf-PID.map files in DIR first"},                                 \
	{"jitdump", FOLD_OPT_JITDUMP, WP_OPT_REQUIRED, "FILE|DIR",                                \
	 "perf.data: JIT code names from this jit-PID.dump, or the dumps in DIR (repeatable)"},  \
	{"time", FOLD_OPT_TIME, WP_OPT_REQUIRED, "START,END",                                     \
	 "only samples in this span, in perf script's forms (seconds, A%-B%, P%/N, several ranges)"}, \
	{"no-tidy", FOLD_OPT_NO_TIDY, WP_OPT_NONE, NULL, "keep argument lists and Java/Rust names as printed"}, \
	{"perl-compat", FOLD_OPT_PERL_COMPAT, WP_OPT_NONE, NULL,                                  \
	 "name clean-up, '(' frames and frame-less samples as stackcollapse-perf.pl"},           \
	{"threads", 'j', WP_OPT_REQUIRED, "N",                                                    \
	 "N threads (1-64) fold text, load perf.data symbols; same output (default: the online cores)"}, \
	NAMES_OPTIONS

struct fold_args {
	struct fold_config cfg;
	struct names_config names;
	const char *comms[64];
	const char *jitdumps[64];
	struct fold_time time;
	bool given;                 /* any fold option was given */
};

/* 0, or -1 when out of memory (message printed). */
int fold_args_init(struct fold_args *a, const char *prog);
/* One option: 0 taken, -1 after a usage message, 1 when key is not a fold
 * option. */
int fold_args_option(struct fold_args *a, const struct wp_cli *cli, int key, const char *arg);
/* Option -q of the tool. */
void fold_args_quiet(struct fold_args *a);
/* After parsing: builds the Wasm translator; 0, or the exit status after
 * a message. */
int fold_args_finish(struct fold_args *a);
void fold_args_release(struct fold_args *a);

#endif
