/* flame_internal.h - shared by the flame graph renderer's files; not part
 * of the public API (flamegraph.h).
 *
 * flame_xml.c          buffered output, number formatting, XML escaping
 * flame_colors.c       palettes, colour modes, the differential scale
 * flame_wasm_class.c   the wasm palette's frame classes
 * flame_palette_map.c  palette.map (--cp)
 * flame_options.c      option defaults, the option table, the check
 * flame_nameattr.c     --nameattr
 * flame_tree.c         folded lines -> frame tree (merge), layout, pruning
 * flame_svg.c          the SVG document (and the embedded flamegraph.js)
 * flame_bars.c         stacked bars (wasmperf phases --svg)
 * jitted_names.c       JIT/AOT Wasm names (the collapser keeps them whole,
 *                      the wasm palette colours them)
 */
#ifndef FLAME_INTERNAL_H
#define FLAME_INTERNAL_H

#include <string.h>

#include "flamegraph.h"

/* ---- buffered output (flame_xml.c) ----
 * Appends go to a large buffer flushed with fwrite; the first error sticks
 * in `err` and later appends are dropped, so callers check once at the end. */
struct fg_out {
	FILE *f;
	char *buf;
	size_t len, cap;
	int err;
};
void fg_out_init(struct fg_out *o, FILE *f);
int fg_out_flush(struct fg_out *o);
void fg_out_release(struct fg_out *o);
void fg_out_put_slow(struct fg_out *o, const char *s, size_t n);
static inline void fg_out_put(struct fg_out *o, const char *s, size_t n)
{
	if (n <= o->cap - o->len) {
		memcpy(o->buf + o->len, s, n);
		o->len += n;
	} else {
		fg_out_put_slow(o, s, n);
	}
}
static inline void fg_out_puts(struct fg_out *o, const char *s) { fg_out_put(o, s, strlen(s)); }
static inline void fg_out_putc(struct fg_out *o, char c)
{
	if (o->len < o->cap)
		o->buf[o->len++] = c;
	else
		fg_out_put_slow(o, &c, 1);
}
void fg_out_u64(struct fg_out *o, uint64_t v);
/* printf("%.*f", decimals, v) for decimals <= 6 (fast path; exact ties may
 * round differently from printf in the last digit). */
void fg_out_fixed(struct fg_out *o, double v, int decimals);
/* A number as Perl prints it: integers plainly, others with 15 significant digits. */
void fg_out_num(struct fg_out *o, double v);
/* printf("%.0f", v) with thousands separators: 1234567 -> 1,234,567. */
void fg_out_grouped(struct fg_out *o, double v);

/* ---- counts ----
 * A width in billionths of a count: integer counts stay exact up to
 * 2^64 - 1 (a double is exact only to 2^53, so 2^63 - 1 would print as
 * 9,223,372,036,854,775,808) and decimal fractions add up exactly to 9
 * places (0.1 + 0.2 is 0.3). A graph's total stays at most FG_MAX_TOTAL
 * (flame_tree.c refuses the line that would pass it), so sums of widths
 * never overflow and a rounded count fits in 64 bits. */
__extension__ typedef unsigned __int128 fg_amount;
__extension__ typedef __int128 fg_change; /* count2 - count */
#define FG_UNIT 1000000000u
#define FG_MAX_TOTAL ((fg_amount)UINT64_MAX * FG_UNIT)
static inline double fg_amount_double(fg_amount a)
{
	return (double)(uint64_t)(a / FG_UNIT) + (double)(uint32_t)(a % FG_UNIT) / FG_UNIT;
}
static inline double fg_change_double(fg_change c)
{
	return c < 0 ? -fg_amount_double((fg_amount)-c) : fg_amount_double((fg_amount)c);
}
/* a to the nearest count, ties to even as printf("%.0f") (a <= FG_MAX_TOTAL). */
uint64_t fg_amount_round(fg_amount a);
/* a exactly: "12", "12.5", "0.000000001" (no exponent, no trailing zeros). */
void fg_out_amount(struct fg_out *o, fg_amount a);
/* v with thousands separators: 18446744073709551615 -> 18,446,744,073,709,551,615. */
void fg_out_grouped_u64(struct fg_out *o, uint64_t v);

/* ---- XML escaping (flame_xml.c) ----
 * Input bytes become valid XML text: & < > escaped (and " in attributes),
 * invalid UTF-8 and the non-characters U+FFFE/U+FFFF become U+FFFD, control
 * bytes other than tab and newline (CR included) become the visible text
 * \xNN, and tab and newline inside attributes are character references. */
enum fg_xml_ctx { FG_XML_TEXT, FG_XML_ATTR };
void fg_xml_escape(struct fg_out *o, const char *s, size_t n, enum fg_xml_ctx ctx);
/* Number of displayed characters (code points, U+FFFD replacements, and
 * 4 per \xNN) of s, counting no further than `limit`. */
size_t fg_xml_display_len(const char *s, size_t n, size_t limit);
/* Escapes the first `units` displayed characters of s. */
void fg_xml_escape_units(struct fg_out *o, const char *s, size_t n, size_t units,
			 enum fg_xml_ctx ctx);
/* Unicode code points of s summed mod 2^32 (Perl's unpack("%32W*")); an
 * invalid byte counts as its own value. */
uint32_t fg_utf8_sum(const char *s, size_t n);
/* Length of s without a trailing _[k] _[w] _[i] _[j] annotation. */
size_t fg_strip_annotation(const char *s, size_t n);

/* ---- colours (flame_colors.c) ---- */
#define FG_PAL_ENUM(id, name) FG_PAL_##id,
enum fg_palette { FG_FLAME_PALETTES(FG_PAL_ENUM) FG_PAL_COUNT };
#undef FG_PAL_ENUM
/* -1 when unknown. */
int fg_palette_parse(const char *name);
struct fg_rgb {
	uint8_t r, g, b;
};
/* Background gradient colours: bgcolors NULL picks by palette. Returns 0 or
 * WP_E_USAGE for an unknown name. out1/out2 hold "#rrggbb". */
int fg_bgcolors(const char *bgcolors, int palette, char out1[8], char out2[8]);

/* The wasm palette's frame classes. */
enum fg_wasm_class { FG_WASM_CODE, FG_WASM_HOST, FG_WASM_KERNEL, FG_WASM_JIT, FG_WASM_NATIVE };

struct fg_colorer;
struct fg_colorer *fg_colorer_new(int palette, enum fg_flame_color_mode mode, uint64_t seed);
void fg_colorer_free(struct fg_colorer *c);
/* kernel_ctx: the frame is called from kernel code (wasm palette only). */
struct fg_rgb fg_colorer_color(struct fg_colorer *c, const char *name, size_t n, bool kernel_ctx);
/* The colorer's classifier (made at the first call). */
enum fg_wasm_class fg_colorer_wasm_class(struct fg_colorer *c, const char *name, size_t n);
/* flamegraph.pl's differential scale: white at 0, red (more) or blue (less). */
struct fg_rgb fg_color_scale(double value, double max);

/* ---- the wasm palette's classes (flame_wasm_class.c) ----
 * Kernel entry points, host/WASI calls, jitted Wasm names (jitted_names.c),
 * other JIT code. NULL from new on no memory; a NULL classifier puts every
 * frame by its annotation and prefix alone. */
struct fg_wasm_classifier;
struct fg_wasm_classifier *fg_wasm_classifier_new(void);
void fg_wasm_classifier_free(struct fg_wasm_classifier *w);
enum fg_wasm_class fg_wasm_classify(struct fg_wasm_classifier *w, const char *name, size_t n);

/* ---- palette.map: name -> colour, saved sorted by name (flame_palette_map.c) ---- */
struct fg_palmap;
struct fg_palmap *fg_palmap_new(void);
void fg_palmap_free(struct fg_palmap *m);
/* Returns the number of malformed lines skipped (>= 0) or a WP_E_* code;
 * a missing file is an empty map. */
int fg_palmap_load(struct fg_palmap *m, const char *path, char *err, size_t errlen);
int fg_palmap_save(const struct fg_palmap *m, const char *path, char *err, size_t errlen);
bool fg_palmap_get(const struct fg_palmap *m, const char *name, size_t n, struct fg_rgb *out);
int fg_palmap_put(struct fg_palmap *m, const char *name, size_t n, struct fg_rgb c);

/* ---- --nameattr (flame_nameattr.c) ---- */
struct fg_attr {
	char *key;
	char *value;
};
struct fg_attrs {
	char *title;            /* replaces the generated title, or NULL */
	struct fg_attr *a;      /* on <a>: xlink:href, target, a_extra pairs */
	size_t na;
	struct fg_attr *g;      /* on <g> (or <a>): id, class, g_extra pairs */
	size_t ng;
};
struct fg_nameattr {
	struct wp_intern *names;
	struct fg_attrs *attrs; /* indexed by names id */
	size_t cap;
};
void fg_nameattr_free(struct fg_nameattr *na);
/* Parses one line (line `lineno` of `file`, both for warnings); warnings go
 * through warn. Attributes that could run script are refused with a
 * warning (flame_nameattr.c, top). */
int fg_nameattr_add_line(struct fg_nameattr *na, const char *line, size_t len, const char *file,
			 uint64_t lineno, wp_warn_fn warn, void *warn_ctx);
const struct fg_attrs *fg_nameattr_find(const struct fg_nameattr *na, const char *name, size_t n);

/* ---- the frame tree (flame_tree.c) ---- */
#define FG_NONE UINT32_MAX
/* Name of the spacer nodes that keep --flamechart self time in time order
 * between children; never drawn. */
#define FG_GAP (UINT32_MAX - 1)

struct fg_node {
	uint32_t name;          /* id in fg_flame.names */
	uint32_t parent;        /* FG_NONE for the root */
	uint32_t first_child;   /* children list, insertion order until layout */
	uint32_t last_child;
	uint32_t next_sibling;
	uint32_t depth;
	fg_amount self;         /* counts of lines ending here */
};

struct fg_slot {
	uint32_t parent, name, node; /* node + 1; 0 = empty */
};

struct fg_flame {
	struct fg_flame_options opt;
	int palette;
	struct wp_intern *names;
	struct fg_node *nodes;  /* nodes[0] is the root ("all"); a child's index > its parent's */
	uint32_t nnodes;
	size_t nodes_cap;
	struct fg_slot *slots;  /* (parent, name) -> node + 1; open addressing */
	size_t slots_mask, slots_used;
	/* The previous line's frames, for reusing a shared prefix. */
	struct wp_buf prev;
	uint32_t *path;         /* path[d] = node of frame d */
	size_t *path_end;       /* byte offset in prev where frame d ends */
	size_t path_len, path_cap;
	struct wp_buf scratch;  /* reversed / chain-marked stacks */
	struct wp_buf frame;    /* one frame name being built */
	fg_amount total;        /* <= FG_MAX_TOTAL */
	uint64_t lines, bad_lines;
	bool differential;
	/* count2 - count of the lines ending at each node (fg_node_delta):
	 * apart from the nodes, and only once a line has a count2, so that a
	 * plain graph's nodes are 32 bytes, not 48 (page faults are most of
	 * a large graph's cost) */
	fg_change *deltas;
	size_t deltas_cap;
	struct fg_nameattr *nameattr;
	struct fg_palmap *palmap;
	bool written;
	char err[512];
};

static inline fg_change fg_node_delta(const struct fg_flame *f, uint32_t id)
{
	return id < f->deltas_cap ? f->deltas[id] : 0;
}

/* A name to sort bytewise (shorter first on a common prefix). */
struct fg_name_ref {
	const char *s;
	size_t n;
	uint32_t id;
};
int fg_name_ref_cmp(const void *a, const void *b);

void fg_flame_warnf(const struct fg_flame *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Layout result: the kept nodes in drawing order (pre-order, children
 * sorted), each node's start in sample units and subtree total. */
struct fg_layout {
	uint32_t *order;
	size_t n;
	fg_amount *start;       /* by node index */
	fg_amount *width;       /* by node index */
	uint32_t depth_max;
	fg_amount timemax;      /* the total, or --total when larger */
};
int fg_flame_layout(struct fg_flame *f, struct fg_layout *l);
void fg_layout_release(struct fg_layout *l);

/* ---- the SVG's JavaScript (flamegraph.js, embedded at build time) ---- */
extern const char fg_flamegraph_js[];
extern const size_t fg_flamegraph_js_len;

/* ---- JIT/AOT Wasm names (jitted_names.c) ----
 * Matches a frame name against every runtime's jitted-name pattern; the
 * ambiguous short ones (fN, functionDefN) only when jit (the frame is known
 * to be JIT/AOT code). NULL from new on no memory. */
struct fg_jitted;
struct fg_jitted *fg_jitted_new(void);
void fg_jitted_free(struct fg_jitted *j);
bool fg_jitted_match(struct fg_jitted *j, const char *name, size_t len, bool jit);

#endif
