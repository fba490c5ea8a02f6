/* prog.c - for testdata/dwarf-c: built -O2 -g without frame pointers, so
 * that only DWARF unwinding finds its callers, with inlining (the static
 * helpers vanish into their callers) and a trip through libc (qsort calling
 * back into cmp). */
#include <stdio.h>
#include <stdlib.h>

static inline long square_mod(long i) { return i * i % 7; }
static inline long step(long s, long i) { return s + square_mod(i) + (i & 3); }

__attribute__((noinline)) long leaf(long n)
{
	long s = 0;
	for (long i = 0; i < n; i++)
		s = step(s, i);
	return s;
}
__attribute__((noinline)) long mid(long n) { return leaf(n) + 1; }
__attribute__((noinline)) long top(long n) { return mid(n) * 2; }

static int cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}
__attribute__((noinline)) void sorter(int *v, int n)
{
	for (int i = 0; i < n; i++)
		v[i] = rand();
	qsort(v, (size_t)n, sizeof *v, cmp);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 10;
	long t = 0;
	int *v = malloc(100000 * sizeof *v);
	for (int r = 0; r < rounds; r++) {
		t += top(2000000);
		sorter(v, 100000);
	}
	printf("%ld\n", t);
	free(v);
	return 0;
}
