/* perfparse.h - readers of perf's formats: `perf script` text (here now),
 * perf.data, jitdump and perf maps (later). No symbolization happens here.
 *
 * Depends only on common/ (wpcommon.h). Handles are freed by *_free(),
 * which accepts NULL. Everything a reader hands out stays valid until its
 * next call and is owned by the reader.
 */
#ifndef PERFPARSE_H
#define PERFPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wpcommon.h"

/* A byte range of the current sample (not NUL-terminated). */
struct pp_str {
	const char *p;
	size_t n;
};

/* ====================================================================
 * `perf script` text
 * ==================================================================== */

/* One frame line: `    7f12ab symbol+0x1f (/path/module)`. */
struct pp_script_frame {
	struct pp_str pc;
	struct pp_str sym;     /* with its "+0x.." offset, as printed */
	struct pp_str module;  /* text inside the final parentheses */
	struct pp_str srcline; /* source line that followed (-F+srcline), or empty */
};

struct pp_script_sample {
	struct pp_str comm;
	struct pp_str pid;     /* empty when perf printed only the TID */
	struct pp_str tid;
	struct pp_str event;   /* "cpu-clock", "sched:sched_switch", "cycles:u" */
	struct pp_str trace;   /* tracepoint payload after the event name, if any */
	uint64_t period;       /* 1 when perf printed none */
	bool has_period;
	uint64_t lineno;       /* line of the event header */
	size_t nframes;
	const struct pp_script_frame *frames; /* leaf first, as perf prints */
};

/* Kinds of malformed lines, each warned about once by the tools. */
enum pp_script_warning {
	PP_WEIRD_EVENT_LINE,
	PP_WEIRD_STACK_LINE,
	PP_SCRIPT_WARNING_KINDS
};

struct pp_script_stats {
	uint64_t lines;
	uint64_t bytes;
	uint64_t samples;
	uint64_t weird[PP_SCRIPT_WARNING_KINDS];
	uint64_t weird_bytes; /* bytes of lines that could not be used */
};

typedef void (*pp_script_warn_fn)(void *ctx, enum pp_script_warning kind, const char *line,
				  size_t len, uint64_t lineno);

struct pp_script_reader;
/* Takes ownership of `lines`. The warning callback may be NULL. */
struct pp_script_reader *pp_script_new(struct wp_lines *lines, pp_script_warn_fn warn, void *ctx);
void pp_script_free(struct pp_script_reader *r);
/* 1 = a sample in *out, 0 = end of input, < 0 = read error (see
 * pp_script_errmsg). Event headers without frames still yield a sample with
 * nframes == 0; a header carrying its frame on the same line (perf script
 * without -g) yields one frame. */
int pp_script_next(struct pp_script_reader *r, const struct pp_script_sample **out);
const struct pp_script_stats *pp_script_stats(const struct pp_script_reader *r);
const char *pp_script_errmsg(const struct pp_script_reader *r);

/* Line-level parsers, exposed for tests and the format sniffer. Return true
 * when the line has that shape. */
bool pp_script_parse_frame(const char *line, size_t len, struct pp_script_frame *out);

/* ====================================================================
 * perf.data (file and pipe mode) -- see perfdata_*.c
 * ==================================================================== */
/* @@PERFDATA-API@@ (owned by the perf.data reader; declarations follow) */

/* Event names are compared without perf's modifier suffix (`cycles:u`,
 * `cpu-clock:uhH` -> `cycles`, `cpu-clock`), tracepoints keep both parts. */
struct pp_str pp_event_base_name(struct pp_str event);

#endif
