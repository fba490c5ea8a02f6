/* tool_warn.h - the one callback tools hand to the libraries for their
 * warnings: "PROG: warning: MSG" on standard error, nothing under -q. */
#ifndef WASMPERF_TOOL_WARN_H
#define WASMPERF_TOOL_WARN_H

#include <stdbool.h>

struct tool_warn {
	const char *prog;      /* for messages */
	bool quiet;            /* -q: warnings are not printed */
};

/* A wp_warn_fn; ctx is a struct tool_warn. */
void tool_warn_fn(void *ctx, const char *msg);
/* The same for errors: "PROG: MSG", printed also under -q. */
void tool_error_fn(void *ctx, const char *msg);

#endif
