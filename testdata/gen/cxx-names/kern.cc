// Wasm kernels for testdata/cxx-names: C++ functions whose name-section
// names carry argument lists (wasm-ld demangles by default:
// "app::Worker::fib(int)", "matmul(int)"), an anonymous namespace, and
// Rust symbols spelled out (legacy, demangled by wasm-ld into
// "mycrate::work::h0123...", v0 left mangled) so that no Rust toolchain is
// needed.
extern "C" {
__attribute__((import_module("env"), import_name("report"))) void report(int);
}

namespace app {
struct Worker {
	int base;
	__attribute__((noinline)) int fib(int n);
};
int Worker::fib(int n) { return n < 2 ? n + base : fib(n - 1) + fib(n - 2); }
} // namespace app

static float a[48 * 48], b[48 * 48], c[48 * 48];

__attribute__((noinline)) float matmul(int n)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++) {
			float s = 0;
			for (int k = 0; k < n; k++)
				s += a[i * n + k] * b[k * n + j];
			c[i * n + j] = s;
		}
	return c[n + 1];
}

namespace {
__attribute__((noinline)) unsigned mix(unsigned x)
{
	for (unsigned i = 0; i < 4000; i++)
		x = (x ^ (x >> 13)) * 0x5bd1e995u + i;
	return x;
}
} // namespace

extern "C" __attribute__((noinline)) unsigned rust_legacy(unsigned x) __asm__("_ZN7mycrate4work17h0123456789abcdefE");
extern "C" __attribute__((noinline)) unsigned rust_legacy(unsigned x)
{
	unsigned h = 2166136261u;
	for (unsigned i = 0; i < 3000; i++)
		h = (h ^ (x + i)) * 16777619u;
	return h;
}
extern "C" __attribute__((noinline)) unsigned rust_v0(unsigned x) __asm__("_RNvCs1234_7mycrate5hello");
extern "C" __attribute__((noinline)) unsigned rust_v0(unsigned x)
{
	unsigned h = x;
	for (unsigned i = 0; i < 3000; i++)
		h = h * 31u + i;
	return h;
}

extern "C" __attribute__((export_name("run"))) int run(int rounds)
{
	int total = 0;
	app::Worker w{1};
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < 48 * 48; i++) {
			a[i] = (float)(i % 7 + r);
			b[i] = (float)(i % 5);
		}
		total += (int)matmul(48);
		total += w.fib(17);
		total += (int)mix((unsigned)r);
		total += (int)rust_legacy((unsigned)r);
		total += (int)rust_v0((unsigned)r);
	}
	report(total);
	return total;
}
