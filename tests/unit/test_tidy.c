/* test_tidy.c - frame name clean-ups of the collapser: argument lists,
 * Go receivers, C++ templates and lambdas, Rust half-demangled names. */
#include "check.h"
#include "flamegraph.h"

static const char *tidy(const char *in, struct wp_buf *b)
{
	fg_tidy_generic(in, strlen(in), b);
	return b->data;
}

static const char *rust(const char *in, struct wp_buf *b)
{
	if (fg_rust_fix(in, strlen(in), b) != 1)
		return in;
	return b->data;
}

int main(void)
{
	struct wp_buf b;
	wp_buf_init(&b, WP_BUF_UNLIMITED);
	CHECK_STR(tidy("go/build.(*importReader).readByte", &b), "go/build.(*importReader).readByte");
	CHECK_STR(tidy("foo<Vec::<usize>>(Vec<usize>)", &b), "foo<Vec::<usize>>");
	CHECK_STR(tidy(".run()V", &b), ".run");
	CHECK_STR(tidy("base(BasicType) const", &b), "base");
	CHECK_STR(tidy("std::function<void (int, int)>::operator(int, int)", &b),
		  "std::function<void (int, int)>::operator");
	CHECK_STR(tidy("{lambda(int, int)#2}::operator()", &b), "{lambda(int, int)#2}::operator");
	CHECK_STR(tidy("(anonymous namespace)::myBar()", &b), "(anonymous namespace)::myBar");
	CHECK_STR(tidy("a;b", &b), "a:b");
	CHECK_STR(tidy("JS:~driver /path/run.js:11:16", &b), "JS:~driver /path/run.js:11:16");

	CHECK_STR(rust("std::sys::unix::fs::File::open::hb90e1c1c787080f0", &b),
		  "std::sys::unix::fs::File::open");
	CHECK_STR(rust("_$LT$std..fs..ReadDir$u20$as$u20$core..iter..traits..iterator..Iterator$GT$::next::hc14f1750ca79129b", &b),
		  "<std::fs::ReadDir as core::iter::traits::iterator::Iterator>::next");
	CHECK_STR(rust("rg::search_parallel::_$u7b$$u7b$closure$u7d$$u7d$::h6e849b55a66fcd85", &b),
		  "rg::search_parallel::_{{closure}}");
	CHECK_STR(rust("_$LT$$RF$std..fs..File$u20$as$u20$std..io..Read$GT$::read::h5d84059cf335c8e6", &b),
		  "<&std::fs::File as std::io::Read>::read");
	CHECK_STR(rust("_$LT$std..io..BufReader$LT$R$GT$$GT$::new::h893d2057e6a2f3c7", &b),
		  "<std::io::BufReader<R>>::new");
	CHECK_STR(rust("a$BP$b$SP$c$LP$d$RP$e$C$f::h0123456789abcdef", &b), "a*b@c(d)e,f");
	CHECK_STR(rust("x$u3b$y::h0123456789abcdef", &b), "x:y");
	/* Left alone: fully mangled, fully demangled, no hash. */
	CHECK_STR(rust("_ZN3std2rt19lang_start_internal17h540c897fe52ba9c5E", &b),
		  "_ZN3std2rt19lang_start_internal17h540c897fe52ba9c5E");
	CHECK_STR(rust("<F as alloc::boxed::FnBox<A>>::call_box", &b),
		  "<F as alloc::boxed::FnBox<A>>::call_box");
	CHECK_STR(rust("main", &b), "main");
	wp_buf_release(&b);
	return check_report();
}
