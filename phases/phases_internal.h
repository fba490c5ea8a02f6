/* phases_internal.h - what rules.c and model.c share: the parsed form of a
 * rule file (wasmperf-phases-rules(5)). */
#ifndef PHASES_INTERNAL_H
#define PHASES_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "phases.h"

/* A point in time of one process: exec, its last exit, or the first entry
 * of a marker's function / the first return of that function after it. */
enum ph_point_kind { PH_PT_EXEC, PH_PT_EXIT, PH_PT_ENTRY, PH_PT_RETURN };

struct ph_point {
	enum ph_point_kind kind;
	int marker; /* PH_PT_ENTRY, PH_PT_RETURN */
};

struct ph_alt {
	char *exact;       /* a function name, or NULL */
	pcre2_code *re;    /* re:REGEX */
	char *text;        /* as written, for messages */
};

struct ph_marker {
	char name[PH_MAX_NAME + 1];
	struct ph_alt alts[PH_MAX_ALTERNATIVES];
	size_t nalts;
	bool entry_only;   /* `probe NAME entry`: wasmperf record adds no return probe */
};

struct ph_phase {
	char name[PH_MAX_NAME + 1];
	struct ph_point start, end;
	int parent; /* index, or -1 */
	int depth;
};

struct ph_frame_rule {
	int target;        /* category, or stack phase index */
	pcre2_code *name;  /* NULL: any name */
	pcre2_code *module;/* NULL: any module */
	bool fallback;     /* stack rules only */
};

/* Cached decision for one distinct (name, module) frame. */
struct ph_decision {
	signed char cat;     /* category a rule gives, or -1 */
	signed char phase;   /* stack phase of a non-fallback rule, or -1 */
	signed char fbphase; /* stack phase of a fallback rule, or -1 */
	bool kernel;
};

/* `select symbol NAME [lib=PREFIX]`: defined by the process's binary, or
 * by a library it maps whose file name starts with PREFIX. */
struct ph_symbol {
	char *name;
	char *lib;         /* NULL: the binary */
};

struct ph_rules {
	char name[PH_MAX_NAME + 1];
	char *description;
	pcre2_code *exe[PH_MAX_PATTERNS];
	size_t nexe;
	struct ph_symbol *symbols;   /* select symbol */
	size_t nsymbols, symbols_cap;
	struct ph_marker *markers;
	size_t nmarkers;
	struct ph_phase *phases;
	size_t nphases;
	char stack_phases[PH_MAX_STACK_PHASES][PH_MAX_NAME + 1];
	size_t nstack_phases;
	struct ph_frame_rule *stack_rules, *cat_rules;
	size_t nstack_rules, ncat_rules, stack_cap, cat_cap;
	size_t npatterns;
	/* per-frame cache */
	struct wp_intern *frames;
	struct ph_decision *decisions;
	size_t decisions_cap;
	struct wp_buf key;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	char err[512];
};

/* Does a probe's function key (symbolized name, or the function part of
 * perf's event name) name one of marker m's functions? */
bool ph_marker_matches(const struct ph_rules *r, const struct ph_marker *m,
		       const char *key, size_t len);
/* A marker function as written ("wasm_runtime_load | re:^x"), for messages. */
void ph_marker_describe(const struct ph_marker *m, char *dst, size_t size);
/* The function part of a perf probe event name: "probe_x:f__return" -> "f"
 * (*is_return set when the suffix is there). */
void ph_event_function(const char *event, const char **f, size_t *len, bool *is_return);

#endif
