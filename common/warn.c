/* warn.c - the one way libraries report a warning: format once, into one
 * bounded buffer, and hand the line to the caller's callback. */
#include <stdio.h>

#include "wpcommon.h"

void wp_vwarnf(wp_warn_fn fn, void *ctx, const char *fmt, va_list ap)
{
	if (!fn)
		return;
	char msg[WP_WARN_MAX];
	vsnprintf(msg, sizeof msg, fmt, ap);
	fn(ctx, msg);
}

void wp_warnf(wp_warn_fn fn, void *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	wp_vwarnf(fn, ctx, fmt, ap);
	va_end(ap);
}
