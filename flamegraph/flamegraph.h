/* flamegraph.h - stacks of frame names: folding, filters, folded text,
 * flame graph SVG and differential data.
 *
 * Depends only on common/ (wpcommon.h). Frames come in as strings; nothing
 * here knows about perf or symbols. Handles are freed by their *_free(),
 * which accepts NULL; strings handed out are owned by the handle.
 */
#ifndef FLAMEGRAPH_H
#define FLAMEGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wpcommon.h"

/* ====================================================================
 * Collapsing raw samples into folded stacks (stackcollapse-perf rules)
 * ==================================================================== */

/* One frame as a sampler reported it: symbol ("main+0x1f", "[unknown]"),
 * module ("/usr/bin/x", "[kernel.kallsyms]") and the pc text. Not
 * NUL-terminated. */
struct fg_raw_frame {
	const char *sym;
	size_t sym_len;
	const char *module;
	size_t module_len;
	const char *pc;
	size_t pc_len;
	/* Source location appended as ":loc" (perf script -F+srcline), or empty. */
	const char *srcline;
	size_t srcline_len;
};

struct fg_collapse_options {
	bool include_pid;      /* root "comm-PID" */
	bool include_tid;      /* root "comm-PID/TID" */
	bool annotate_kernel;  /* _[k] */
	bool annotate_jit;     /* _[j] */
	bool include_addrs;    /* [module <pc>] for unknown symbols */
	bool tidy_generic;     /* strip argument lists, ';' -> ':' (default on) */
	bool tidy_java;        /* drop leading L of Java class names (default on) */
	bool rust_fix;         /* decode half-demangled Rust names (default on) */
};
void fg_collapse_options_init(struct fg_collapse_options *o);

/* Turns frames into interned, tidied names and counts whole stacks. The
 * same raw (symbol, module, pc) triple is tidied only once: results are
 * cached, so a profile costs one hash lookup per frame line. */
struct fg_collapser;
struct fg_collapser *fg_collapser_new(const struct fg_collapse_options *o);
void fg_collapser_free(struct fg_collapser *c);

/* Starts a sample. comm may contain spaces (they become '_'); pid may be
 * NULL when unknown ("?"). Frames are then added leaf first, as perf
 * script prints them. */
int fg_collapser_begin(struct fg_collapser *c, const char *comm, size_t comm_len,
		       const char *pid, size_t pid_len, const char *tid, size_t tid_len);
int fg_collapser_frame(struct fg_collapser *c, const struct fg_raw_frame *f);
/* Adds an already final frame name (no tidying), leaf first; used for
 * inline expansion and for frames produced by a symbolizer. */
int fg_collapser_frame_name(struct fg_collapser *c, const char *name, size_t len);
/* Ends the sample: a sample with no frames is dropped (as inferno does). */
int fg_collapser_end(struct fg_collapser *c, uint64_t weight);
/* Drops the sample in progress. */
void fg_collapser_abort(struct fg_collapser *c);

/* The names and stacks gathered so far (owned by the collapser). */
struct wp_intern *fg_collapser_names(struct fg_collapser *c);
struct wp_stacks *fg_collapser_stacks(struct fg_collapser *c);

/* Tidying helpers, exposed for tests and other collapsers. Each writes the
 * result into out (reset first). */
int fg_tidy_generic(const char *s, size_t n, struct wp_buf *out);
/* Decodes a Rust legacy name that perf left half-demangled
 * (`_$LT$std..io..X$GT$::new::h0123456789abcdef` -> `<std::io::X>::new`).
 * Returns 1 when it rewrote the name, 0 when the name is not such a one. */
int fg_rust_fix(const char *s, size_t n, struct wp_buf *out);

/* ====================================================================
 * Whole-stack filters (PCRE2) applied to joined stacks "a;b;c"
 * ==================================================================== */
struct fg_filter;
/* Returns NULL and fills errbuf on a bad pattern. */
struct fg_filter *fg_filter_new(void);
void fg_filter_free(struct fg_filter *f);
int fg_filter_include(struct fg_filter *f, const char *regex, char *errbuf, size_t errlen);
int fg_filter_exclude(struct fg_filter *f, const char *regex, char *errbuf, size_t errlen);
bool fg_filter_empty(const struct fg_filter *f);
/* true when the stack passes: matches every include and no exclude. */
bool fg_filter_keep(struct fg_filter *f, const char *stack, size_t len);

/* ====================================================================
 * Folded text
 * ==================================================================== */

/* Writes "stack count\n" lines sorted bytewise; returns 0 or WP_E_IO. */
int fg_folded_write(FILE *out, const struct wp_intern *names, const struct wp_stacks *st,
		    struct fg_filter *filter);
/* The same walk, handing each joined stack (not NUL-terminated) and its
 * count to fn; a non-zero return from fn stops the walk and is returned. */
typedef int (*fg_folded_line_fn)(void *ctx, const char *stack, size_t len, uint64_t count);
int fg_folded_foreach(const struct wp_intern *names, const struct wp_stacks *st,
		      struct fg_filter *filter, fg_folded_line_fn fn, void *ctx);

/* One parsed folded line "stack count [count2]". Counts keep their text
 * (flamegraph.pl accepts decimals such as "12.5"); `value`/`value2` are the
 * parsed numbers. */
struct fg_folded_line {
	const char *stack;
	size_t stack_len;
	double value;
	double value2;
	const char *count_text;
	size_t count_len;
	const char *count2_text;
	size_t count2_len;
	bool has_count2;
};
/* 0 on success, WP_E_FORMAT when the line is not "stack<ws>count". Empty
 * lines and lines starting with "# " are WP_E_NOTFOUND (skip silently). */
int fg_folded_parse_line(const char *line, size_t len, struct fg_folded_line *out);

/* ====================================================================
 * Differential folded stacks (difffolded.pl)
 * ==================================================================== */
struct fg_diff_stats {
	uint64_t bad_lines;        /* not "stack count" */
	uint64_t fractional;       /* decimal counts truncated to integers */
};
struct fg_diff;
/* strip_hex: every 0x... number in a stack becomes "0x..." before matching. */
struct fg_diff *fg_diff_new(bool strip_hex);
void fg_diff_free(struct fg_diff *d);
/* Adds one folded line to side 0 (before) or 1 (after). */
int fg_diff_add_line(struct fg_diff *d, int side, const char *line, size_t len);
/* Writes "stack count1 count2" for the union, sorted bytewise. With
 * normalize, side 0's counts are scaled to side 1's total (truncated). */
int fg_diff_write(struct fg_diff *d, FILE *out, bool normalize);
const struct fg_diff_stats *fg_diff_stats(const struct fg_diff *d);

/* ====================================================================
 * Flame graph SVG (flamegraph.pl compatible) -- see flame_*.c
 * ==================================================================== */
/* @@FLAME-API@@ (owned by the SVG renderer; declarations follow) */

#endif
