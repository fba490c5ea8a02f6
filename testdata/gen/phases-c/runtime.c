/* runtime.c - a stand-in for a WebAssembly runtime: its phase functions
 * carry WAMR's names (wasm_runtime_load, wasm_runtime_instantiate,
 * wasm_application_execute_main) so that wasmperf-phases knows it by its
 * symbols and its probes by their addresses; each phase burns CPU for a
 * known time. Built as `runtime` (-DNAMES_WAMR) and as `plain` (the same
 * code under names no preset knows). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef NAMES_WAMR
#define LOAD wasm_runtime_load
#define INSTANTIATE wasm_runtime_instantiate
#define EXECUTE wasm_application_execute_main
#else
#define LOAD read_input
#define INSTANTIATE prepare_tables
#define EXECUTE compute_all
#endif

static volatile unsigned long sink;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void spin(double seconds)
{
	double end = now() + seconds;
	while (now() < end)
		for (int i = 0; i < 10000; i++)
			sink += (unsigned long)i * 2654435761u;
}

__attribute__((noinline)) void *LOAD(double ms) { spin(ms / 1e3); return (void *)&sink; }
__attribute__((noinline)) void *INSTANTIATE(void *m, double ms) { spin(ms / 1e3); return m; }
__attribute__((noinline)) int EXECUTE(void *i, double ms) { spin(ms / 1e3); return i != NULL; }

int main(int argc, char **argv)
{
	double scale = argc > 1 ? atof(argv[1]) : 1.0;
	spin(0.010 * scale); /* startup */
	void *m = LOAD(30 * scale);
	void *i = INSTANTIATE(m, 10 * scale);
	int ok = EXECUTE(i, 100 * scale);
	spin(0.005 * scale); /* teardown */
	return ok ? 0 : 1;
}
