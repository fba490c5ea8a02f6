/* phases_unnamed.h - wasmperf-phases on tracepoint events a perf.data does
 * not name. A file-mode perf.data keeps its event names (HEADER_EVENT_DESC)
 * and tracepoint formats (HEADER_TRACING_DATA) in feature sections after
 * the data: a file cut inside its data section has neither, so its probes
 * are events named "tracepoint:ID" whose fields cannot be decoded by name.
 * Their samples are still read as uprobe hits when their raw data has the
 * layout the kernel gives every uprobe event (kernel/trace/trace_uprobe.c:
 * the common fields, then __probe_ip for an entry, or __probe_func and
 * __probe_ret_ip for a return, where the sampled ip is __probe_ip or
 * __probe_ret_ip): the probe is then identified by the function at its
 * address. What could not be identified is said, per event. */
#ifndef WASMPERF_PHASES_UNNAMED_H
#define WASMPERF_PHASES_UNNAMED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perfparse.h"

/* Is this libperfparse's name for a tracepoint event it has no name for? */
bool phases_unnamed_event(const char *name);
/* A sample read as a uprobe hit: true with the probed function's address
 * and whether it is a return; false when its raw data has another layout. */
bool phases_unnamed_uprobe(const struct pp_sample *s, uint64_t *addr, bool *is_return);

struct phases_unnamed;
struct phases_unnamed *phases_unnamed_new(void);
void phases_unnamed_free(struct phases_unnamed *u);
/* One sample of unnamed event `event` (name as libperfparse gives it):
 * function is what it was identified as, or NULL. 0 or WP_E_NOMEM. */
int phases_unnamed_count(struct phases_unnamed *u, size_t event, const char *name,
			 const char *function);
/* One warning per unnamed event with samples: what its samples were
 * identified as, or how many could not be. */
void phases_unnamed_report(const struct phases_unnamed *u, const char *file, wp_warn_fn warn,
			   void *ctx);

#endif
