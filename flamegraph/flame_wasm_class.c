/* flame_wasm_class.c - the `wasm` palette's frame classes: kernel code,
 * host/WASI calls, Wasm code (translated "[Wasm] " names and every runtime's
 * jitted names, through the matcher the collapser uses), other JIT code and
 * native code. wasmperf-flame(1), "PALETTES", lists what each class takes. */
#include <stdlib.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "flame_internal.h"

/* Host / WASI calls: the import boundary of every runtime. */
static const char host_regex[] =
	"(?i:wasi)"                                     /* wasi_*, uvwasi_*, wasmtime_wasi, __wasi_* */
	"|fd_(?:write|read|pwrite|pread|seek|tell|close|sync|datasync|fdstat|filestat"
	"|prestat|readdir|advise|allocate|renumber)"
	"|\\bpath_(?:open|filestat|create_directory|remove_directory|unlink_file|rename|readlink|symlink)"
	"|\\b(?:args|environ)_(?:get|sizes_get)\\b|\\bclock_(?:time|res)_get\\b|\\bproc_exit\\b"
	"|\\brandom_get\\b|\\bpoll_oneoff\\b|\\bsched_yield\\b|\\bsock_(?:recv|send|accept|shutdown)\\b"
	"|wasm_runtime_invoke_native|\\binvokeNative\\b|_invoke_native\\b|call_func_native"
	"|(?i:host_?func)"                              /* wasmtime HostFunc, WasmEdge HostFunction */
	"|^WasmEdge::Host::|^cap_(?:std|primitives|fs_ext)::|^m3_libc_|^m3_wasi_"
	"|^virtual_(?:fs|net|mio)::|^wasmtime_ssp_|^blocking_op_|wasm-to-js|__imported_";

/* Kernel entry points: frames below them are kernel code even when the
 * collapser did not annotate them with _[k]. */
static const char kernel_regex[] =
	"^(?:entry_SYSCALL\\w*|entry_SYSENTER\\w*|entry_INT80\\w*|asm_exc_\\w+|asm_sysvec_\\w+"
	"|asm_common_interrupt|ret_from_fork\\w*|do_syscall_64|__(?:x64|ia32|arm64)_sys_\\w+"
	"|el0t_64_(?:sync|irq)|el0_svc\\w*)$";

struct fg_wasm_classifier {
	pcre2_code *host;          /* NULL (no match) if it failed to compile */
	pcre2_code *kernel;
	struct fg_jitted *jitted;  /* NULL: no jitted name is recognised */
	pcre2_match_data *md;
};

static pcre2_code *compile(const char *regex)
{
	int errcode;
	PCRE2_SIZE erroff;
	return pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, 0, &errcode, &erroff, NULL);
}

struct fg_wasm_classifier *fg_wasm_classifier_new(void)
{
	struct fg_wasm_classifier *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	/* A part that cannot be made only loses its class's colour. */
	w->host = compile(host_regex);
	w->kernel = compile(kernel_regex);
	w->jitted = fg_jitted_new();
	w->md = pcre2_match_data_create(1, NULL);
	return w;
}

void fg_wasm_classifier_free(struct fg_wasm_classifier *w)
{
	if (!w)
		return;
	pcre2_code_free(w->host);
	pcre2_code_free(w->kernel);
	fg_jitted_free(w->jitted);
	pcre2_match_data_free(w->md);
	free(w);
}

static bool re_match(struct fg_wasm_classifier *w, pcre2_code *re, const char *s, size_t n)
{
	return re && w->md && pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, w->md, NULL) >= 0;
}

enum fg_wasm_class fg_wasm_classify(struct fg_wasm_classifier *w, const char *name, size_t n)
{
	size_t n0 = fg_strip_annotation(name, n);
	char ann = n0 < n ? name[n - 2] : 0;
	if (ann == 'k' || (w && re_match(w, w->kernel, name, n0)))
		return FG_WASM_KERNEL;
	if (wp_has_prefix(name, n0, WP_WASM_MARK))
		return FG_WASM_CODE;
	if (w && re_match(w, w->host, name, n0))
		return FG_WASM_HOST;
	/* V8's js-to-wasm wrappers carry a jitted-looking name but are JS. The
	 * short patterns (fN, functionDefN) count only on JIT frames (_[j]). */
	if (w && w->jitted && !wp_contains(name, n0, "js-to-wasm") &&
	    fg_jitted_match(w->jitted, name, n0, ann == 'j'))
		return FG_WASM_CODE;
	if (ann == 'j' || wp_has_prefix(name, n0, "JS:"))
		return FG_WASM_JIT;
	return FG_WASM_NATIVE;
}
