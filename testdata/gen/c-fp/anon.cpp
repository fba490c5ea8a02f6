// C++ part of the c-fp fixture: a function in an anonymous namespace, a
// template and a class method, so that perf shows demangled C++ names such
// as "(anonymous namespace)::crunch" and "Acc<int>::add".
#include <vector>

extern "C" void note(unsigned v); // prog.c

namespace {
__attribute__((noinline)) unsigned crunch(unsigned x)
{
	for (unsigned i = 0; i < 20000; i++)
		x = x * 1103515245u + 12345u + (x >> 7);
	note(x);
	return x;
}
} // namespace

template <typename T> struct Acc {
	T total = 0;
	__attribute__((noinline)) void add(T v) { total += static_cast<T>(crunch(static_cast<unsigned>(v))); }
};

extern "C" unsigned cxx_work(unsigned seed)
{
	Acc<int> acc;
	std::vector<int> xs(64, static_cast<int>(seed));
	for (int x : xs)
		acc.add(x);
	return static_cast<unsigned>(acc.total);
}
