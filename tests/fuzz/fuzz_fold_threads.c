/* fuzz_fold_threads.c - wasmperf-fold's threaded text folding
 * (tools/fold_text_threads.c, tools/text_chunks.c) against one thread: the
 * input, as a named file (its workers read it with pread, cutting jobs
 * after blank lines of their own finding) in jobs of 16 to 271 bytes (the
 * first byte), must fold to the output and exit status of -j1 byte for
 * byte; anything else aborts. Only input that sniffs as perf script text
 * is folded (other kinds have their own harnesses). Links wptools. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_fold.h"
#include "fuzz_memfd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void set_threads(struct fold_config *cfg, const void *threads)
{
	cfg->threads = *(const unsigned *)threads;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char chunk[16];
	snprintf(chunk, sizeof chunk, "%u", 16u + data[0]);
	setenv("WASMPERF_CHUNK_BYTES", chunk, 1);
	int fd = fuzz_memfd("fuzz.perf", data + 1, size - 1);
	if (fd < 0)
		return 0;
	static const unsigned j1 = 1, j2 = 2;
	fuzz_fold_agree(fd, INPUT_SCRIPT, "fuzz_fold_threads (-j1, -j2)", set_threads, &j1, &j2);
	close(fd);
	return 0;
}
