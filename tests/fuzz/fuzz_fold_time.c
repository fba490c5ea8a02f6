/* fuzz_fold_time.c - the --time parser (tools/fold_filter.c, perf's
 * "START,END", "A%-B%", "P%/N" forms) on any text, then resolution against
 * a recording's span and sample selection: nothing may crash, overflow or
 * leave more ranges than FOLD_TIME_MAX. The first 16 bytes are the
 * recording's first and last sample times, the rest the option's value.
 * Links wptools. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t span[2] = {0, 0};
	size_t head = size < sizeof span ? size : sizeof span;
	memcpy(span, data, head);
	char *arg = malloc(size - head + 1);
	if (!arg)
		return 0;
	memcpy(arg, data + head, size - head);
	arg[size - head] = '\0';
	struct fold_time t;
	memset(&t, 0, sizeof t);
	if (fold_time_parse(&t, arg) == 0) {
		if (t.n > FOLD_TIME_MAX)
			__builtin_trap();
		uint64_t first = span[0] < span[1] ? span[0] : span[1];
		uint64_t last = span[0] < span[1] ? span[1] : span[0];
		fold_time_resolve(&t, first, last);
		uint64_t probes[] = {0, first, last, first + (last - first) / 2, UINT64_MAX};
		for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
			(void)fold_time_keep(&t, true, probes[i]);
		(void)fold_time_keep(&t, false, 0);
		char text[32];
		fold_time_format(last, text);
		if (!memchr(text, '\0', sizeof text))
			__builtin_trap();
	}
	free(arg);
	return 0;
}
