// cxx.cc - C++ names for testdata/native-basic (see gen.sh).
extern volatile unsigned long sink;

namespace wp {
struct Widget {
	unsigned long spin(unsigned long n, int k);
};
__attribute__((noinline)) unsigned long Widget::spin(unsigned long n, int k)
{
	for (unsigned long i = 0; i < n; i++)
		sink += i ^ (sink >> k);
	return sink;
}
template <typename T> __attribute__((noinline)) T tspin(T n)
{
	for (T i = 0; i < n; i++)
		sink += i ^ (sink >> 2);
	return sink;
}
template unsigned long tspin<unsigned long>(unsigned long);
} // namespace wp

extern "C" unsigned long cxx_entry(unsigned long n)
{
	wp::Widget w;
	return w.spin(n, 3) + wp::tspin<unsigned long>(n);
}
