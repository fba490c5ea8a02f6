/* fuzz_fold_merge.c - wasmperf-fold's merge of folded inputs
 * (tools/fold_inputs.c): the input, cut at its first NUL into two files,
 * folded together when both sniff as folded stacks. Counts are summed
 * exactly or refused naming the line (never wrapped), and nothing may
 * crash or leak. Other kinds are left to their own harnesses (perf.data
 * folding would read files named by the input). Links wptools. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fold.h"
#include "fold_args.h"
#include "input.h"
#include "fuzz_memfd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t first = nul ? (size_t)(nul - data) : size;
	size_t rest = nul ? size - first - 1 : 0;
	int fds[2] = {fuzz_memfd("fuzz.folded", data, first),
		      fuzz_memfd("fuzz.folded", nul ? nul + 1 : data, rest)};
	char names[2][64];
	char *paths[2] = {names[0], names[1]};
	bool folded = fds[0] >= 0 && fds[1] >= 0;
	for (int i = 0; i < 2 && folded; i++) {
		char what[128];
		snprintf(names[i], sizeof names[i], "/proc/self/fd/%d", fds[i]);
		folded = input_sniff("fuzz", paths[i], what, sizeof what) == INPUT_FOLDED;
	}
	FILE *out = folded ? fopen("/dev/null", "w") : NULL;
	struct fold_args a;
	if (out && fold_args_init(&a, "fuzz") == 0) {
		a.cfg.quiet = true;
		(void)fold_inputs(&a.cfg, paths, 2, out);
		fold_args_release(&a);
	}
	if (out)
		fclose(out);
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return 0;
}
