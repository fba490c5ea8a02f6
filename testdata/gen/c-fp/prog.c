/* Small CPU-bound program for the c-fp fixture (frame-pointer call graphs).
 * Shapes: hot leaf functions, direct recursion (fib), a helper called from
 * two different callers (mix), a C++ function in an anonymous namespace
 * (cxx_work, from anon.cpp), and a short sleep so the kernel shows up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

unsigned cxx_work(unsigned seed); /* anon.cpp */

volatile unsigned sink;

/* Called once at the end of mix() and crunch(): makes them non-leaf, so gcc
 * gives them a frame and the frame-pointer walk shows their real callers
 * (a leaf without a frame would hide its caller). */
__attribute__((noinline)) void note(unsigned v)
{
	sink = v;
}

__attribute__((noinline)) unsigned mix(unsigned h, unsigned v)
{
	for (int i = 0; i < 64; i++)
		h = (h ^ (v + (unsigned)i)) * 16777619u;
	note(h);
	return h;
}

__attribute__((noinline)) unsigned fib(unsigned n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) unsigned hash_block(const unsigned char *p, size_t n)
{
	unsigned h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = mix(h, p[i]);
	return h;
}

__attribute__((noinline)) void matmul(const double *a, const double *b, double *c, int n)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++) {
			double s = 0;
			for (int k = 0; k < n; k++)
				s += a[i * n + k] * b[k * n + j];
			c[i * n + j] = s;
		}
}

static int cmp_int(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;
	return (a > b) - (a < b);
}

__attribute__((noinline)) unsigned sort_and_sum(int *v, int n)
{
	unsigned h = 0;
	for (int i = 0; i < n; i++)
		v[i] = (int)(mix((unsigned)i, 7u) & 0xffffff); /* mix: second caller */
	qsort(v, (size_t)n, sizeof *v, cmp_int);
	for (int i = 0; i < n; i += 97)
		h += (unsigned)v[i];
	return h;
}

__attribute__((noinline)) void nap(void)
{
	struct timespec ts = { 0, 2000000 }; /* 2 ms: some kernel/idle frames */
	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 20;
	int n = 96;
	double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n),
	       *c = malloc(sizeof(double) * n * n);
	unsigned char *buf = malloc(4096);
	int *v = malloc(sizeof(int) * 20000);
	for (int i = 0; i < n * n; i++) {
		a[i] = i % 7;
		b[i] = i % 5;
	}
	memset(buf, 0x5a, 4096);
	for (int r = 0; r < rounds; r++) {
		sink = fib(25);
		matmul(a, b, c, n);
		sink = hash_block(buf, 4096);
		sink = sort_and_sum(v, 20000);
		sink = cxx_work((unsigned)r);
		nap();
	}
	printf("%u %f\n", sink, c[5]);
	free(a);
	free(b);
	free(c);
	free(buf);
	free(v);
	return 0;
}
