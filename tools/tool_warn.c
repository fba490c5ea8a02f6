/* tool_warn.c - warnings and errors from the libraries, printed one way. */
#include <stdio.h>

#include "tool_warn.h"

void tool_warn_fn(void *ctx, const char *msg)
{
	const struct tool_warn *w = ctx;
	if (!w->quiet)
		fprintf(stderr, "%s: warning: %s\n", w->prog, msg);
}

void tool_error_fn(void *ctx, const char *msg)
{
	const struct tool_warn *w = ctx;
	fprintf(stderr, "%s: %s\n", w->prog, msg);
}
