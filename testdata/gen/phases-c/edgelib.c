/* edgelib.c - libwasmedge.so.0 for edge.c: burns CPU for 100 ms. */
#include <time.h>

static volatile unsigned long sink;

__attribute__((noinline)) static void spin(double seconds)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		for (int i = 0; i < 10000; i++)
			sink += (unsigned long)i * 2654435761u;
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9 < seconds);
}

int WasmEdge_Driver_UniTool(int argc, const char *argv[])
{
	(void)argv;
	spin(0.1 * argc);
	return 0;
}
