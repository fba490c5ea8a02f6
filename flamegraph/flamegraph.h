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
	bool perl_compat;      /* stackcollapse-perf.pl's own tidying, '(' frames
				* dropped, frame-less samples kept */
	/* Optional: names a frame before any tidying (the tools' hook for
	 * WasmEdge AOT objects). 1 with *out (kept whole but for ';'), 0 to
	 * tidy as usual, < 0 an error. Asked once per distinct frame key: the
	 * answer is cached like any tidied name. */
	int (*rename)(void *ctx, const struct fg_raw_frame *f, const char **out, size_t *outlen);
	void *rename_ctx;
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
/* The same in two steps, for callers that can cache the raw frame's key
 * themselves (e.g. by symbol pointers): the key of a raw frame (tidied and
 * remembered on first sight), then pushing it. Keys depend on
 * fg_collapser_key_variant() (JVM processes tidy differently), which may
 * change at each fg_collapser_begin(). */
int fg_collapser_frame_key(struct fg_collapser *c, const struct fg_raw_frame *f, uint32_t *key);
int fg_collapser_push_key(struct fg_collapser *c, uint32_t key);
int fg_collapser_key_variant(const struct fg_collapser *c);
/* Adds an already final frame name (no tidying), leaf first; used for
 * inline expansion and for frames produced by a symbolizer. */
int fg_collapser_frame_name(struct fg_collapser *c, const char *name, size_t len);
/* The same for a frame inlined into the one pushed after it (--inline):
 * the stack counted is the same; an export asks which were inlined. */
int fg_collapser_inline_name(struct fg_collapser *c, const char *name, size_t len);
/* The positions (root first, as in the stack; increasing) of the inlined
 * frames of the sample fg_collapser_end() last counted: their number.
 * Valid until the next fg_collapser_begin(). */
size_t fg_collapser_last_inlined(const struct fg_collapser *c, const uint32_t **positions);
/* Ends the sample: a sample with no frames is dropped (as inferno does). */
int fg_collapser_end(struct fg_collapser *c, uint64_t weight);
/* Drops the sample in progress. */
void fg_collapser_abort(struct fg_collapser *c);

/* The names and stacks gathered so far (owned by the collapser). */
struct wp_intern *fg_collapser_names(struct fg_collapser *c);
struct wp_stacks *fg_collapser_stacks(struct fg_collapser *c);
/* The stack (index in fg_collapser_stacks) the last fg_collapser_end()
 * counted the sample in; SIZE_MAX when it dropped it. */
size_t fg_collapser_last_stack(const struct fg_collapser *c);
/* The module of the raw frame a name was first made from, or NULL (names
 * pushed whole, the root frame). */
const char *fg_collapser_name_module(const struct fg_collapser *c, uint32_t id, size_t *len);

/* Tidying helpers, exposed for tests and other collapsers. Each writes the
 * result into out (reset first). */
int fg_tidy_generic(const char *s, size_t n, struct wp_buf *out);
int fg_tidy_perl(const char *s, size_t n, struct wp_buf *out);
/* Decodes a Rust legacy name that perf left half-demangled
 * (`_$LT$std..io..X$GT$::new::h0123456789abcdef` -> `<std::io::X>::new`).
 * Returns 1 when it rewrote the name, 0 when the name is not such a one. */
int fg_rust_fix(const char *s, size_t n, struct wp_buf *out);

/* ====================================================================
 * Whole-stack filters (PCRE2) applied to joined stacks "a;b;c"
 * ==================================================================== */
struct fg_filter;
/* NULL when out of memory. Patterns are added one by one; a bad one is
 * WP_E_USAGE with the PCRE2 message (and offset) in errbuf. */
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
/* Appends the line fg_folded_write prints for a stack: "stack count\n". */
int fg_folded_append_line(struct wp_buf *b, const char *stack, size_t len, uint64_t count);

/* One parsed folded line "stack count [count2]". Counts keep their text
 * (flamegraph.pl accepts decimals such as "12.5"); `value`/`value2` are the
 * parsed numbers, `count`/`count2` their integer parts. */
struct fg_folded_line {
	const char *stack;
	size_t stack_len;
	double value;
	double value2;
	uint64_t count;          /* integer parts, exact */
	uint64_t count2;
	uint32_t count_nano;     /* fractional parts in billionths (digits past 9 dropped) */
	uint32_t count2_nano;
	const char *count_text;
	size_t count_len;
	const char *count2_text;
	size_t count2_len;
	bool has_count2;
	const char *bad_text;    /* WP_E_TOOBIG: the count that does not fit */
	size_t bad_len;
};
/* 0 on success, WP_E_FORMAT when the line is not "stack<ws>count". Empty
 * lines and lines starting with "# " are WP_E_NOTFOUND (skip silently).
 * WP_E_TOOBIG when the integer part of a count does not fit in 64 bits:
 * the line is folded (every field is set) but its count is unusable, an
 * error naming the line rather than a clamp; bad_text/bad_len is that
 * count (fg_folded_count_error() words the message). */
int fg_folded_parse_line(const char *line, size_t len, struct fg_folded_line *out);
/* The message for a WP_E_TOOBIG line: "count 99999999999999999999 does not
 * fit in 64 bits" (a count longer than 40 digits is shortened with "..."). */
void fg_folded_count_error(const struct fg_folded_line *fl, char *buf, size_t size);

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
/* Adds one folded line to side 0 (before) or 1 (after). Returns 0 (also
 * for a malformed line, counted in the stats), WP_E_NOMEM, or WP_E_TOOBIG
 * when the line's count does not fit in 64 bits or would take its side's
 * total past 2^64 - 1: the line is left out and fg_diff_errmsg() says why,
 * for the caller to print after the file and line. */
int fg_diff_add_line(struct fg_diff *d, int side, const char *line, size_t len);
/* The last error ("count 99999999999999999999 does not fit in 64 bits",
 * "counts add up to more than 64 bits"), or "no error". */
const char *fg_diff_errmsg(const struct fg_diff *d);
/* Writes "stack count1 count2" for the union, sorted bytewise. With
 * normalize, side 0's counts are scaled to side 1's total (truncated). */
int fg_diff_write(struct fg_diff *d, FILE *out, bool normalize);
const struct fg_diff_stats *fg_diff_stats(const struct fg_diff *d);

/* ====================================================================
 * Flame graph SVG (flamegraph.pl compatible) -- see flame_*.c
 * ==================================================================== */

/* A flame graph is built by merging stacks into a tree of frames (a trie of
 * interned names with counts), then written as an interactive SVG that keeps
 * flamegraph.pl's DOM contract (ids title, subtitle, details, unzoom, search,
 * ignorecase, matched, frames; one <g> per frame holding <title>, <rect>,
 * <text>) plus inferno-style fg:x / fg:w attributes in sample units.
 * Memory grows with distinct frames, never with input lines. */

/* How frame colours are chosen (palettes pick the hue family). */
enum fg_flame_color_mode {
	FG_FLAME_COLOR_NAME,          /* flamegraph.pl's default: Perl srand(sum of code points) */
	FG_FLAME_COLOR_HASH,          /* --hash: flamegraph.pl's vector hash of the name */
	FG_FLAME_COLOR_RANDOM,        /* --random: from random_seed, per frame */
	FG_FLAME_COLOR_DETERMINISTIC, /* --deterministic: FNV-1a of the name */
};

/* The palettes of --colors, X(ID, "name") each, in the order --help and
 * wasmperf-flame(1) give them; the flat families (RED ... ORANGE) last. */
#define FG_FLAME_PALETTES(X)                                                                  \
	X(HOT, "hot") X(MEM, "mem") X(IO, "io") X(WAKEUP, "wakeup") X(CHAIN, "chain")        \
	X(JAVA, "java") X(JS, "js") X(PERL, "perl") X(WASM, "wasm") X(RED, "red")            \
	X(GREEN, "green") X(BLUE, "blue") X(AQUA, "aqua") X(YELLOW, "yellow")                \
	X(PURPLE, "purple") X(ORANGE, "orange")
#define FG_FLAME_PALETTE_WORD(id, name) " " name
/* " hot mem io ...": every palette name, each after a space. */
#define FG_FLAME_PALETTE_WORDS FG_FLAME_PALETTES(FG_FLAME_PALETTE_WORD)

/* Strings are borrowed: they must outlive the fg_flame built from them. */
struct fg_flame_options {
	const char *title;        /* NULL: "Flame Graph" / "Icicle Graph" / "Flame Chart" */
	const char *subtitle;     /* NULL or "": none */
	unsigned width;           /* image width, px (1200) */
	unsigned frame_height;    /* px per frame row (16) */
	double min_width;         /* prune frames narrower than this (0.1) ... */
	bool min_width_percent;   /* ... % of the total instead of px */
	const char *font_type;    /* CSS font-family ("Verdana") */
	double font_size;         /* px (12) */
	double font_width;        /* average glyph width / font size (0.59) */
	const char *count_name;   /* "samples" */
	const char *name_type;    /* "Function:" (hover line prefix) */
	const char *palette;      /* one of FG_FLAME_PALETTES ("hot") */
	const char *bgcolors;     /* NULL: by palette; yellow blue green grey or #rrggbb */
	enum fg_flame_color_mode color_mode;
	uint64_t random_seed;     /* FG_FLAME_COLOR_RANDOM only */
	bool reverse;             /* reverse each stack before merging */
	bool inverted;            /* icicle graph: root at the top */
	bool flamechart;          /* keep input order; merge only adjacent lines */
	bool negate;              /* swap differential red/blue */
	const char *notes;        /* put into an <!-- NOTES: --> comment */
	double total;             /* width denominator; 0 or < the real total: the real total */
	double factor;            /* multiply displayed counts (1) */
	const char *encoding;     /* NULL or an XML encoding label for the declaration */
	wp_warn_fn warn;          /* NULL: warnings are dropped */
	void *warn_ctx;
};
void fg_flame_options_init(struct fg_flame_options *o);
/* Sets one option from its command-line spelling (name without dashes, e.g.
 * "minwidth" with "0.5%", "colors" with "java", "hash" with NULL). Returns 0,
 * or WP_E_USAGE with a message in err (WP_E_NOTFOUND: unknown name). */
int fg_flame_options_set(struct fg_flame_options *o, const char *name, const char *value,
			 char *err, size_t errlen);
/* 0 when the options are consistent, else WP_E_USAGE with a message. */
int fg_flame_options_check(const struct fg_flame_options *o, char *err, size_t errlen);

struct fg_flame;
/* NULL when out of memory or when fg_flame_options_check() fails. */
struct fg_flame *fg_flame_new(const struct fg_flame_options *o);
void fg_flame_free(struct fg_flame *f);
/* Last error message with context (file, line), or "no error". */
const char *fg_flame_errmsg(const struct fg_flame *f);

/* Adds one folded line "stack count [count2]". Malformed lines are counted
 * (fg_flame_stats), not errors; empty and "# " lines are skipped. Returns 0
 * or WP_E_NOMEM / WP_E_TOOBIG; a count that does not fit in 64 bits, or
 * counts that add up to more, are WP_E_TOOBIG with fg_flame_errmsg() saying
 * so (without the file and line: the caller adds them, as in
 * "'x.folded': line 3: count 99999999999999999999 does not fit in 64 bits"),
 * the line being left out. */
int fg_flame_add_line(struct fg_flame *f, const char *line, size_t len);
/* Adds a parsed stack "a;b;c"; has_count2 makes it differential (width is
 * count2, colour the change count2 - count). Counts are kept exactly to 9
 * decimals (as fg_flame_add_line keeps a line's); a negative one, or one
 * of 2^64 or more, is WP_E_TOOBIG, as is a total past 2^64 - 1. A double
 * holds integers exactly only to 2^53: fg_flame_add_line is exact. */
int fg_flame_add_stack(struct fg_flame *f, const char *stack, size_t len, double count,
		       double count2, bool has_count2);

struct fg_flame_stats {
	uint64_t lines;       /* lines added (including malformed ones) */
	uint64_t bad_lines;   /* not "stack count" */
	uint64_t frames;      /* frame nodes in the tree, the root included */
	double total;         /* sum of the (width) counts */
	bool differential;    /* some line had two counts */
};
void fg_flame_get_stats(const struct fg_flame *f, struct fg_flame_stats *st);

/* --nameattr: lines "name<TAB>key=value<TAB>..."; keys title, href, target,
 * id, class, g_extra, a_extra (the extras hold key="value" lists). Bad
 * entries are warned about and skipped. WP_E_IO when the file cannot be
 * read (see fg_flame_errmsg). */
int fg_flame_load_nameattr(struct fg_flame *f, const char *path);
/* --cp: colours by name are taken from, and new ones added to, a map
 * ("name->rgb(r,g,b)" lines). A missing file is an empty map. */
int fg_flame_palette_map_load(struct fg_flame *f, const char *path);
/* Rewrites the map sorted by name (after fg_flame_write_svg). */
int fg_flame_palette_map_save(struct fg_flame *f, const char *path);

/* Writes the SVG. Returns 0; WP_E_NOTFOUND when there were no counts (a
 * small SVG saying so is still written, flamegraph.pl's exit-2 case);
 * WP_E_IO on a write error; WP_E_NOMEM. Call once. */
int fg_flame_write_svg(struct fg_flame *f, FILE *out);

/* ---- stacked bars (flame_bars.c) ----
 * A bar per group (a process), a segment per part (a phase) placed by its
 * start on a time axis shared by every bar, each segment split into tones
 * of its colour by the share of each sub-count (CPU categories), a legend,
 * and a <title> tooltip per segment. Plain values: the caller converts its
 * own types. Every string is escaped as the flame graph's are. */
struct fg_bar_part {
	const char *name;              /* "execute" */
	int depth;                     /* 0: in the bar; 1: in a strip under it */
	uint64_t start_ns, dur_ns;     /* start on the recording's clock */
	double share;                  /* of the bar's total, 0..1 */
	uint64_t samples;
	const uint64_t *sub_samples;   /* nsub counts (the options'), or NULL */
};
struct fg_bar {
	const char *label;             /* "node (pid 9797)" */
	uint64_t start_ns, dur_ns;     /* the bar's extent (the process's total) */
	const struct fg_bar_part *parts;
	size_t nparts;
};
struct fg_bars_options {
	const char *title;             /* NULL: "Phases" */
	const char *const *sub_names;  /* the tones' names, for the legend */
	size_t nsub;                   /* at most 16 */
	unsigned width;                /* px (1200) */
};
/* 0, WP_E_IO on a write error, WP_E_NOMEM, WP_E_USAGE (nsub > 16). */
int fg_bars_write_svg(FILE *out, const struct fg_bars_options *o, const struct fg_bar *bars,
		      size_t nbars);

/* ====================================================================
 * Profiles for other viewers: speedscope, Firefox Profiler, pprof
 * (export_*.c)
 * ==================================================================== */
/* A profile is interned frames (name, source file and line, module, inlined
 * or not), stacks of frame ids, threads, phase intervals and samples
 * (thread, time, stack, weight; 24 bytes each, spilled to an unlinked file
 * in spill_dir past 1.5 MB, so memory stays bounded). Phases come first,
 * then samples, then fg_profile_finish(), then the writers. */
struct fg_profile;
struct fg_profile_info {
	const char *name;         /* the input, shown as the profile's name */
	const char *event;        /* "cpu-clock", or NULL (folded input) */
	const char *exporter;     /* "wasmperf@1.0" */
	bool weight_ns;           /* weights are nanoseconds (a clock event's period) */
	bool timed;               /* samples have times (not folded input) */
	bool counts_samples;      /* every weight is 1 (--samples) */
	bool aggregate;           /* keep sums per (stack, thread, phase), not samples:
				   * all pprof needs */
	const char *spill_dir;    /* where samples past a small budget go (an
				   * unlinked file); NULL: /tmp */
};
struct fg_profile_frame {
	const char *name;
	size_t name_len;
	const char *file;         /* source file, or NULL */
	size_t file_len;
	unsigned line;            /* 0: unknown */
	const char *module;       /* the binary it is in, or NULL */
	size_t module_len;
	bool inlined;             /* inlined into the next frame towards the root */
};
struct fg_profile *fg_profile_new(const struct fg_profile_info *info);
void fg_profile_free(struct fg_profile *p);
int fg_profile_frame(struct fg_profile *p, const struct fg_profile_frame *f, uint32_t *id);
/* A stack of frame ids, root first (possibly empty). */
int fg_profile_stack(struct fg_profile *p, const uint32_t *frames, size_t n, uint32_t *id);
/* A thread by (pid, tid); its name is the last one given. */
int fg_profile_thread(struct fg_profile *p, uint32_t pid, uint32_t tid, const char *name,
		      size_t len, uint32_t *id);
/* WP_E_IO when the temporary file cannot be written; then
 * fg_profile_spill_errno() says why (an errno value). */
int fg_profile_spill_errno(const struct fg_profile *p);
int fg_profile_sample(struct fg_profile *p, uint32_t thread, uint32_t stack, uint64_t time_ns,
		      uint64_t weight);
/* A phase of process pid (wasmperf-phases' rows, nested ones with depth 1
 * and more), before any sample: [start, end), the end included where the
 * process ends. Samples in one carry its name (the deepest one). */
int fg_profile_phase(struct fg_profile *p, uint32_t pid, const char *name, size_t len,
		     uint64_t start_ns, uint64_t end_ns, unsigned depth);
/* Once every sample is in; the writers need it (WP_E_USAGE without). */
int fg_profile_finish(struct fg_profile *p);
/* The build-id of a module (bytes), from perf.data's header. */
int fg_profile_build_id(struct fg_profile *p, const char *module, size_t len, const uint8_t *id,
			size_t n);
uint64_t fg_profile_nsamples(const struct fg_profile *p);
/* The event, once known (NULL: none), and whether weights are ns. */
int fg_profile_set_event(struct fg_profile *p, const char *event, bool weight_ns);

/* Each returns 0, WP_E_IO on a write error, or WP_E_NOMEM. */
int fg_export_speedscope(const struct fg_profile *p, FILE *out);
int fg_export_firefox(const struct fg_profile *p, FILE *out);
/* gzip-compressed profile.proto */
int fg_export_pprof(const struct fg_profile *p, FILE *out);

#endif
