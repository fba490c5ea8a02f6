/* test_names.c - every runtime's naming rule on the exact strings of
 * research/wasm-naming.md, against a module built here byte by byte:
 * 2 imported functions, 12 defined, names for most of them. */
#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>

#include "check.h"
#include "demangle.h"
#include "symbolizer.h"

static void leb(struct wp_buf *b, uint32_t v)
{
	do {
		unsigned char c = v & 0x7f;
		v >>= 7;
		wp_buf_putc(b, (char)(v ? c | 0x80 : c));
	} while (v);
}

static void wname(struct wp_buf *b, const char *s)
{
	leb(b, (uint32_t)strlen(s));
	wp_buf_puts(b, s);
}

static void section(struct wp_buf *out, int id, const struct wp_buf *payload)
{
	wp_buf_putc(out, (char)id);
	leb(out, (uint32_t)payload->len);
	wp_buf_append(out, payload->data, payload->len);
}

/* FI: 0 imported_log, 1 host_tick (imports); 2.. defined. */
static const char *const names[] = {"imported_log", "host_tick", "_start", "collatz_steps",
				    "fib", "geo::accumulate(int)", "_ZN3foo3barEi",
				    "_ZN7mycrate4work17h0123456789abcdefE", NULL /* 8 unnamed */,
				    "run", "_RNvCs1234_7mycrate5hello", "main", "last", "end"};

static struct sym_wasm_module *build_module(void)
{
	struct wp_buf m, p, sub;
	wp_buf_init(&m, WP_BUF_UNLIMITED);
	wp_buf_init(&p, WP_BUF_UNLIMITED);
	wp_buf_init(&sub, WP_BUF_UNLIMITED);
	wp_buf_append(&m, "\0asm\1\0\0\0", 8);
	leb(&p, 2);
	for (int i = 0; i < 2; i++) {
		wname(&p, "env");
		wname(&p, names[i]);
		wp_buf_putc(&p, 0);
		leb(&p, 0);
	}
	section(&m, 2, &p);
	wp_buf_reset(&p);
	leb(&p, 12);
	for (int i = 0; i < 12; i++)
		leb(&p, 0);
	section(&m, 3, &p);
	wp_buf_reset(&p);
	wname(&p, "name");
	leb(&sub, 13);
	for (uint32_t i = 0; i < 14; i++) {
		if (!names[i])
			continue;
		leb(&sub, i);
		wname(&sub, names[i]);
	}
	wp_buf_putc(&p, 1);
	leb(&p, (uint32_t)sub.len);
	wp_buf_append(&p, sub.data, sub.len);
	section(&m, 0, &p);
	struct sym_wasm_module *mod;
	char err[200];
	CHECK(sym_wasm_module_parse((const uint8_t *)m.data, m.len, "test.wasm", &mod, err, sizeof err) == 0);
	wp_buf_release(&m);
	wp_buf_release(&p);
	wp_buf_release(&sub);
	return mod;
}

static struct sym_names *translator(const char *runtime, bool keep_tiers)
{
	struct sym_names_options o;
	sym_names_options_init(&o);
	o.runtime = runtime;
	o.keep_tiers = keep_tiers;
	char err[200];
	struct sym_names *n = sym_names_new(&o, NULL, NULL, err, sizeof err);
	CHECK(n != NULL);
	sym_names_add_module(n, NULL, build_module());
	return n;
}

static char result[512];

static const char *tr(struct sym_names *n, const char *frame, bool jit)
{
	const char *out;
	size_t len;
	struct sym_names_origin origin;
	int rc = sym_names_translate(n, frame, strlen(frame), jit, &out, &len, &origin);
	if (rc < 0)
		return "ERROR";
	if (rc == 0)
		return frame;
	snprintf(result, sizeof result, "%.*s", (int)len, out);
	return result;
}

int main(void)
{
	struct sym_names *n = translator(NULL, false);
	/* WAMR (research §2): N counts defined functions: FI = N + 2. */
	CHECK_STR(tr(n, "aot_func#2", false), "[Wasm] fib");
	CHECK_STR(tr(n, "aot_func_internal#2", false), "[Wasm] fib");
	CHECK_STR(tr(n, "aot_func#0_wrapper", false), "[Wasm] _start");
	CHECK_STR(tr(n, "[fib2]#aot_func#3", false), "[Wasm] [fib2] geo::accumulate(int)");
	CHECK_STR(tr(n, "aot_func#6", false), "[Wasm] func[8]");
	/* An index outside the module: left alone and counted (the tools
	 * decide after all output whether it is the wrong module). */
	struct sym_names_stats st;
	sym_names_stats(n, &st);
	uint64_t translated = st.translated;
	CHECK(st.outside == 0 && st.outside_example == NULL);
	CHECK_STR(tr(n, "aot_func#99", false), "aot_func#99");
	CHECK_STR(tr(n, "aot_func#99", false), "aot_func#99");
	sym_names_stats(n, &st);
	CHECK(st.outside == 2 && st.translated == translated);
	CHECK(st.outside_example && strstr(st.outside_example, "aot_func#99") &&
	      strstr(st.outside_example, "function 101"));
	/* V8 (§4): N counts imports; tiers merge; wrappers stay. */
	CHECK_STR(tr(n, "JS:fib-4-turbofan", false), "[Wasm] fib");
	CHECK_STR(tr(n, "JS:fib-4-liftoff", false), "[Wasm] fib");
	CHECK_STR(tr(n, "Function:fib-4-liftoff", false), "[Wasm] fib");
	CHECK_STR(tr(n, "JS:wasm-function[3]-3-liftoff", false), "[Wasm] collatz_steps");
	CHECK_STR(tr(n, "JS:geo::accumulate(int)-5-turbofan", false), "[Wasm] geo::accumulate(int)");
	CHECK_STR(tr(n, "JS:wasm-to-js:i:-imported_log-0-turbofan", false),
		  "JS:wasm-to-js:i:-imported_log-0-turbofan");
	CHECK_STR(tr(n, "JS:wasm-to-js:ilii:i-__imported_wasi_snapshot_preview1_fd_seek-5-turbofan", false),
		  "JS:wasm-to-js:ilii:i-__imported_wasi_snapshot_preview1_fd_seek-5-turbofan");
	CHECK_STR(tr(n, "Stub:js-to-wasm:i:i", false), "Stub:js-to-wasm:i:i");
	CHECK_STR(tr(n, "Builtin:GenericJSToWasmWrapper", false), "Builtin:GenericJSToWasmWrapper");
	CHECK_STR(tr(n, "JS:~driver /path/run.js:11:16", false), "JS:~driver /path/run.js:11:16");
	/* wasmtime (§3): FI; a name in the symbol wins; trampolines stay. */
	CHECK_STR(tr(n, "wasm[0]::function[6]", false), "[Wasm] foo::bar(int)");
	CHECK_STR(tr(n, "wasm[0]::function[12]::geo::accumulate(int)", false), "[Wasm] geo::accumulate(int)");
	CHECK_STR(tr(n, "wasm::wasm-function[9]", false), "[Wasm] run");
	CHECK_STR(tr(n, "<wasm function 4>", false), "[Wasm] fib");
	CHECK_STR(tr(n, "wasm[0]::array_to_wasm_trampoline[4]", false), "wasm[0]::array_to_wasm_trampoline[4]");
	CHECK_STR(tr(n, "wasm::trampoline[3]", false), "wasm::trampoline[3]");
	CHECK_STR(tr(n, "fib", true), "[Wasm] fib"); /* named by name alone, in JIT code */
	CHECK_STR(tr(n, "fib", false), "fib");
	/* WAVM (§5), WasmEdge (§7): ambiguous, JIT frames only. */
	CHECK_STR(tr(n, "functionDef2", true), "[Wasm] fib");
	CHECK_STR(tr(n, "functionDef2", false), "functionDef2");
	CHECK_STR(tr(n, "functionImport1", true), "[Wasm] host_tick");
	CHECK_STR(tr(n, "f4", true), "[Wasm] fib");
	CHECK_STR(tr(n, "f4", false), "f4");
	CHECK_STR(tr(n, "t4", true), "t4");
	/* Demangling (§11): C++ with parameters, Rust legacy without the
	 * hash, Rust v0. */
	CHECK_STR(tr(n, "wasm[0]::function[7]", false), "[Wasm] mycrate::work");
	CHECK_STR(tr(n, "wasm[0]::function[10]", false), "[Wasm] mycrate::hello");
	/* Annotations are kept; marked frames are left alone. */
	CHECK_STR(tr(n, "aot_func#2_[j]", false), "[Wasm] fib_[j]");
	CHECK_STR(tr(n, "functionDef2_[j]", false), "[Wasm] fib_[j]");
	CHECK_STR(tr(n, "[Wasm] fib", false), "[Wasm] fib");
	sym_names_free(n);

	n = translator("wavm", false);
	CHECK_STR(tr(n, "functionDef2", false), "[Wasm] fib");
	CHECK_STR(tr(n, "aot_func#2", false), "aot_func#2");
	sym_names_free(n);

	n = translator("v8", true);
	CHECK_STR(tr(n, "JS:fib-4-turbofan", false), "[Wasm] fib [turbofan]");
	CHECK_STR(tr(n, "JS:wasm-function[4]-4-liftoff", false), "[Wasm] fib [liftoff]");
	sym_names_free(n);

	struct wp_buf b;
	wp_buf_init(&b, WP_BUF_UNLIMITED);
	CHECK(sym_demangle("_ZN3foo3barEi", 13, &b) == 1);
	CHECK_STR(b.data, "foo::bar(int)");
	CHECK(sym_demangle("main", 4, &b) == 0);
	CHECK(sym_demangle("_Zgarbage", 9, &b) == 0);
	wp_buf_release(&b);

	/* sym_cplus_demangle skips the Rust attempt only where it cannot
	 * succeed: the same answer as cplus_demangle for C++, Rust legacy
	 * (hash segment 17h...), Rust v0 (_R), C++ holding "17h", and names
	 * that are neither. */
	static const char *const mangled[] = {
		"_ZN4node5StartEiPPc", "_ZN3foo3barEi", "_ZNSt6vectorIiSaIiEE9push_backERKi",
		"_ZN3std2rt10lang_start17h0123456789abcdefE",
		"_ZN3std2rt10lang_start17h0123456789abcdefE.llvm.123",
		"_ZN4core3ptr13drop_in_place17h4f6e5b2a1c3d9e07E",
		"_RNvCs1234_7mycrate4main", "_RNvNtCs9ltgdHTiPiY_4core3ptr13drop_in_place",
		"_ZN3foo17hello_world_thingEv", "_ZN3foo17habcdefabcdefabcdE", "main", "_Zgarbage", "_R", "",
	};
	static const int opts[] = {DMGL_NO_OPTS, DMGL_ANSI, DMGL_PARAMS | DMGL_ANSI,
				   DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO};
	unsigned differ = 0, demangled = 0;
	for (size_t i = 0; i < sizeof mangled / sizeof *mangled; i++)
		for (size_t k = 0; k < sizeof opts / sizeof *opts; k++) {
			char *want = cplus_demangle(mangled[i], opts[k]);
			char *got = sym_cplus_demangle(mangled[i], opts[k]);
			differ += (want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0);
			demangled += want != NULL;
			free(want);
			free(got);
		}
	CHECK(differ == 0);
	CHECK(demangled >= 8 * 4); /* the list is mostly real mangled names */
	return check_report();
}
