/* Small CPU-bound program for the inline-* cases: hot loops whose helpers
 * gcc -O2 inlines, so DWARF holds DW_TAG_inlined_subroutine chains up to
 * three deep (compute_sum <- hash_block <- mix_step <- rotl), one helper
 * inlined into two callers (mix_step), a helper with a lexical block
 * around the inlined call (poly in compute_poly), and a C++-free, libc-free
 * hot path so that every sampled user frame is in this binary.
 *
 * The hot functions are noinline and call note() at the end, so they are
 * not leaves and the frame-pointer walk shows their real callers. */
#include <stdlib.h>

volatile unsigned sink;
volatile double dsink;

__attribute__((noinline)) void note(unsigned v)
{
	sink = v;
}

static inline __attribute__((always_inline)) unsigned rotl(unsigned x, int r)
{
	return (x << r) | (x >> (32 - r));
}

static inline __attribute__((always_inline)) unsigned mix_step(unsigned h, unsigned v)
{
	h ^= v;
	h = rotl(h, 13);
	return h * 0x9e3779b1u + 0x7f4a7c15u;
}

static inline __attribute__((always_inline)) unsigned hash_block(const unsigned *p, int n)
{
	unsigned h = 2166136261u;
	for (int i = 0; i < n; i++)
		h = mix_step(h, p[i]);
	return h;
}

__attribute__((noinline)) unsigned compute_sum(const unsigned *p, int n, int rounds)
{
	unsigned acc = 0;
	for (int r = 0; r < rounds; r++)
		acc += hash_block(p, n) ^ (unsigned)r;
	note(acc);
	return acc;
}

static inline __attribute__((always_inline)) double poly(double x)
{
	return ((x * 0.5 + 1.25) * x - 3.0) * x + 0.125;
}

__attribute__((noinline)) double compute_poly(int n)
{
	double acc = 0;
	for (int i = 0; i < n; i++) {
		double x = (double)(i & 1023) * 0.001;
		acc += poly(x);
	}
	note((unsigned)acc);
	return acc;
}

__attribute__((noinline)) unsigned checksum(const unsigned *p, int n)
{
	unsigned h = 0;
	for (int i = 0; i < n; i++)
		h = mix_step(h, p[i] + (unsigned)i);
	note(h);
	return h;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 200;
	static unsigned data[4096];
	for (int i = 0; i < 4096; i++)
		data[i] = (unsigned)i * 2654435761u;
	for (int k = 0; k < rounds; k++) {
		compute_sum(data, 4096, 40);
		dsink = compute_poly(200000);
		checksum(data, 4096);
	}
	return 0;
}
