/* prog.c - for testdata/dwarf-c: built -O2 -g -fomit-frame-pointer, so
 * that only DWARF unwinding finds the callers, with inlining (the static
 * helpers square_mod, step and hot vanish into leaf; key into cmp), a chain
 * of five noinline functions (work -> chain -> top -> mid -> leaf) and a
 * trip through libc (qsort calling back into cmp: libc frames between ours). */
#include <stdio.h>
#include <stdlib.h>

static inline long square_mod(long i) { return i * i % 7; }
static inline long step(long s, long i) { return s + square_mod(i) + (i & 3); }
static inline long hot(long n)
{
	long s = 0;
	for (long i = 0; i < n; i++)
		s = step(s, i);
	return s;
}

__attribute__((noinline)) long leaf(long n) { return hot(n) ^ 1; }
__attribute__((noinline)) long mid(long n) { return leaf(n) + 1; }
__attribute__((noinline)) long top(long n) { return mid(n) * 2; }
__attribute__((noinline)) long chain(long n) { return top(n) - 3; }
__attribute__((noinline)) long work(long n) { return chain(n) + 5; }

static inline int key(const void *p) { return *(const int *)p & 0x7fffffff; }
static int cmp(const void *a, const void *b)
{
	int x = key(a), y = key(b);
	return (x > y) - (x < y);
}
__attribute__((noinline)) int sorter(int *v, int n)
{
	for (int i = 0; i < n; i++)
		v[i] = rand();
	qsort(v, (size_t)n, sizeof *v, cmp);
	return v[n / 2]; /* not a tail call: sorter stays on the stack */
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 10;
	long t = 0;
	int *v = malloc(100000 * sizeof *v);
	for (int r = 0; r < rounds; r++) {
		t += work(2000000 + r); /* + r: work is const, gcc would call it once */
		t += sorter(v, 100000);
	}
	printf("%ld\n", t);
	free(v);
	return 0;
}
