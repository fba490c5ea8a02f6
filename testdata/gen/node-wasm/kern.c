/* Wasm kernels for the node-wasm fixture (freestanding C, no libc).
 * Built with: clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export-all
 * Distinct hot functions: fib (recursion), matmul, quicksort (recursion) +
 * partition, fnv1a hash + mix (mix also called from sieve: two callers),
 * sieve, a tiny bytecode interpreter (interp -> eval_op), and an import
 * (env.progress) so that a wasm-to-js wrapper shows up. */
typedef unsigned int u32;
typedef unsigned long long u64;

__attribute__((import_module("env"), import_name("progress"))) void progress(u32 what, u32 value);

#define N 64
static double A[N * N], B[N * N], C[N * N];
static int V[4096];
static unsigned char BUF[16384];
static unsigned char PRIME[65536];

/* clang turns fill loops into memset calls; there is no libc here. */
void *memset(void *d, int c, unsigned long n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

__attribute__((noinline)) u32 fib(u32 n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) void matmul(int n)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++) {
			double s = 0;
			for (int k = 0; k < n; k++)
				s += A[i * n + k] * B[k * n + j];
			C[i * n + j] = s;
		}
}

__attribute__((noinline)) static int partition(int *v, int lo, int hi)
{
	int p = v[(lo + hi) / 2], i = lo - 1, j = hi + 1;
	for (;;) {
		do i++; while (v[i] < p);
		do j--; while (v[j] > p);
		if (i >= j)
			return j;
		int t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

__attribute__((noinline)) void quicksort(int *v, int lo, int hi)
{
	if (lo < hi) {
		int p = partition(v, lo, hi);
		quicksort(v, lo, p);
		quicksort(v, p + 1, hi);
	}
}

__attribute__((noinline)) u32 mix(u32 h, u32 v)
{
	h ^= v;
	h *= 0x01000193u;
	return h ^ (h >> 15);
}

__attribute__((noinline)) u32 fnv1a(const unsigned char *p, int n)
{
	u32 h = 2166136261u;
	for (int i = 0; i < n; i++)
		h = mix(h, p[i]);
	return h;
}

__attribute__((noinline)) u32 sieve(int n)
{
	u32 h = 0;
	for (int i = 0; i < n; i++)
		PRIME[i] = 1;
	for (int i = 2; i * i < n; i++)
		if (PRIME[i])
			for (int j = i * i; j < n; j += i)
				PRIME[j] = 0;
	for (int i = 2; i < n; i++)
		if (PRIME[i])
			h = mix(h, (u32)i);
	return h;
}

/* A tiny stack machine. The program sums 3*i for i = loops..1:
 * stack [acc, n]; loop: DUP MUL3 ADDUNDER DEC JNZ loop; HALT. */
enum { OP_DUP, OP_PUSH, OP_MUL, OP_ADDUNDER, OP_DEC, OP_JNZ, OP_HALT };

__attribute__((noinline)) static int eval_op(int op, int *st, int s)
{
	switch (op) {
	case OP_DUP: st[s] = st[s - 1]; return s + 1;
	case OP_MUL: st[s - 2] *= st[s - 1]; return s - 1;
	case OP_ADDUNDER: st[s - 3] += st[s - 1]; return s - 1;
	case OP_DEC: st[s - 1]--; return s;
	default: return s;
	}
}

__attribute__((noinline)) int interp(int loops)
{
	static const signed char prog[] = { OP_DUP, OP_PUSH, 3, OP_MUL, OP_ADDUNDER, OP_DEC, OP_JNZ, 0, OP_HALT };
	int st[8] = { 0, loops }, s = 2, pc = 0;
	for (;;) {
		int op = prog[pc++];
		if (op == OP_HALT)
			break;
		if (op == OP_PUSH)
			st[s++] = prog[pc++];
		else if (op == OP_JNZ)
			pc = st[s - 1] ? prog[pc] : pc + 1;
		else
			s = eval_op(op, st, s);
	}
	return st[0];
}

void init(void)
{
	for (int i = 0; i < N * N; i++) {
		A[i] = (double)(i % 7);
		B[i] = (double)(i % 5);
	}
	for (int i = 0; i < (int)sizeof BUF; i++)
		BUF[i] = (unsigned char)(i * 31);
}

/* Entry points called from JS, one per workload. */
u32 run_fib(u32 n) { return fib(n); }
u32 run_matmul(void) { matmul(N); return (u32)C[N + 1]; }
u32 run_sort(u32 seed)
{
	for (int i = 0; i < 4096; i++) {
		seed = seed * 1103515245u + 12345u;
		V[i] = (int)(seed >> 8);
	}
	quicksort(V, 0, 4095);
	progress(3, (u32)V[100]);
	return (u32)V[2048];
}
u32 run_hash(void) { return fnv1a(BUF, (int)sizeof BUF); }
u32 run_sieve(void) { return sieve(65536); }
u32 run_interp(u32 loops) { return (u32)interp((int)loops); }
