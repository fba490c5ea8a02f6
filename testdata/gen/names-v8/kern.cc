// Wasm kernels for the V8 name-translation fixtures: C++ names (mangled in
// the name section when linked with --no-demangle), an import, a Rust-style
// legacy and v0 symbol, and a ';' in no name at all.
extern "C" {
__attribute__((import_module("env"), import_name("report"))) void report(int);
}

namespace geo {
struct Point {
	int x, y;
};
__attribute__((noinline)) int accumulate(const Point *p, int n)
{
	int s = 0;
	for (int i = 0; i < n; i++)
		s += p[i].x * 3 + p[i].y;
	return s;
}
} // namespace geo

__attribute__((noinline)) static unsigned fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

// Rust symbol names, spelled out so that no Rust toolchain is needed.
extern "C" __attribute__((noinline)) unsigned rust_legacy(unsigned x) __asm__("_ZN7mycrate4work17h0123456789abcdefE");
extern "C" __attribute__((noinline)) unsigned rust_legacy(unsigned x)
{
	unsigned h = 2166136261u;
	for (unsigned i = 0; i < 2000; i++)
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

static geo::Point points[256];

extern "C" __attribute__((export_name("run"))) int run(int rounds)
{
	int total = 0;
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < 256; i++)
			points[i] = geo::Point{i + r, i ^ r};
		total += geo::accumulate(points, 256);
		total += (int)fib(18);
		total += (int)rust_legacy((unsigned)r);
		total += (int)rust_v0((unsigned)r);
	}
	report(total);
	return total;
}
