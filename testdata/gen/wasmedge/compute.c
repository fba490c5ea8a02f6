/* compute.c - a small WASI command for testdata/wasmedge (gen.sh): two
 * imported WASI functions (fd_write, proc_exit) so that WasmEdge's f<N>
 * count imports, a few noinline kernels that nest, and _start. */
typedef unsigned int u32;
typedef unsigned long long u64;

struct ciovec { const void *buf; unsigned long len; };

__attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_write")))
int fd_write(int fd, const struct ciovec *iov, int n, unsigned long *written);
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_exit")))
_Noreturn void proc_exit(int code);

static u32 primes[4096];
static u32 grid[64 * 64];

__attribute__((noinline)) static u32 fib(u32 n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) static u32 sieve(u32 limit)
{
	u32 count = 0;
	for (u32 i = 0; i < 4096; i++)
		primes[i] = 1;
	for (u32 i = 2; i < limit && i < 4096; i++) {
		if (!primes[i])
			continue;
		count++;
		for (u32 j = i * i; j < 4096; j += i)
			primes[j] = 0;
	}
	return count;
}

__attribute__((noinline)) static u64 mix(u64 h, u32 v)
{
	h ^= v;
	h *= 0x100000001b3ull;
	return h ^ (h >> 29);
}

__attribute__((noinline)) static u64 matmul_step(u32 round)
{
	u64 h = 1469598103934665603ull;
	for (u32 i = 0; i < 64; i++)
		for (u32 j = 0; j < 64; j++) {
			u32 s = 0;
			for (u32 k = 0; k < 64; k++)
				s += grid[i * 64 + k] * grid[k * 64 + j];
			h = mix(h, s + round);
		}
	return h;
}

__attribute__((noinline)) static void print_u64(u64 v)
{
	char buf[24];
	int n = 23;
	buf[n] = '\n';
	do {
		buf[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n > 0);
	struct ciovec iov = {buf + n, (unsigned long)(24 - n)};
	unsigned long written;
	fd_write(1, &iov, 1, &written);
}

__attribute__((noinline)) static u64 run(u32 rounds)
{
	u64 h = 0;
	for (u32 i = 0; i < 64 * 64; i++)
		grid[i] = i * 2654435761u;
	for (u32 r = 0; r < rounds; r++) {
		h += fib(22 + (h & 3));
		h += sieve(4096);
		h += matmul_step(r);
	}
	return h;
}

void _start(void)
{
	print_u64(run(1200));
	proc_exit(0);
}
