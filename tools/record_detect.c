/* record_detect.c - which Wasm runtime COMMAND runs: its executable is
 * found as execvp would find it, then named by its file name (iwasm,
 * node, wasmtime, ...) or, failing that, by the symbols it defines
 * (wasm_runtime_load is WAMR's, m3_ParseModule wasm3's, ...), then by those
 * of the libraries it loads (a renamed WasmEdge CLI is known by
 * libwasmedge.so's WasmEdge_Driver_UniTool). The names are those of the
 * phases presets, whose probes wasmperf record places. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record.h"

struct runtime_signature {
	const char *name;          /* = the phases preset */
	const char *exe[3];        /* file names (a prefix when ending in '*') */
	const char *functions[3];  /* C symbols it defines */
	const char *mangled[2];    /* bytes its Rust/C++ symbol names contain */
};

static const struct runtime_signature runtimes[] = {
	{"wamr", {"iwasm*"}, {"wasm_runtime_load", "wasm_runtime_full_init"}, {NULL}},
	{"node", {"node", "nodejs"},
	 {"_ZN4node4wasi4WASI10_SetMemoryERKN2v820FunctionCallbackInfoINS2_5ValueEEE",
	  "node_module_register"}, {NULL}},
	{"wasmtime", {"wasmtime"}, {"wasmtime_module_new"}, {"_ZN8wasmtime7runtime"}},
	{"wasmer", {"wasmer"}, {"wasmer_module_new"}, {"_ZN9wasmer_vm"}},
	{"wasmedge", {"wasmedge", "wasmedgec"}, {"WasmEdge_Driver_UniTool", "WasmEdge_VMCreate"},
	 {NULL}},
	{"wasm3", {"wasm3"}, {"m3_ParseModule"}, {NULL}},
};
#define NRUNTIMES (sizeof runtimes / sizeof runtimes[0])

const char *record_runtime_names(void)
{
	return "node wamr wasmtime wasmer wasmedge wasm3";
}

static bool name_matches(const char *pattern, const char *base)
{
	size_t n = strlen(pattern);
	if (n && pattern[n - 1] == '*')
		return strncmp(pattern, base, n - 1) == 0;
	return strcmp(pattern, base) == 0;
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static const char *by_name(const char *path)
{
	for (size_t i = 0; i < NRUNTIMES; i++)
		for (size_t k = 0; k < 3 && runtimes[i].exe[k]; k++)
			if (name_matches(runtimes[i].exe[k], basename_of(path)))
				return runtimes[i].name;
	return NULL;
}

static const char *by_symbols(struct record_elf *e)
{
	for (size_t i = 0; i < NRUNTIMES; i++) {
		for (size_t k = 0; k < 3 && runtimes[i].functions[k]; k++)
			if (record_elf_has_function(e, runtimes[i].functions[k]))
				return runtimes[i].name;
		for (size_t k = 0; k < 2 && runtimes[i].mangled[k]; k++)
			if (record_elf_contains(e, runtimes[i].mangled[k]))
				return runtimes[i].name;
	}
	return NULL;
}

static bool executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* As execvp: a name with a '/' is a path, else each $PATH entry. */
static char *find_executable(const char *cmd)
{
	if (strchr(cmd, '/'))
		return executable(cmd) ? strdup(cmd) : NULL;
	const char *path = getenv("PATH");
	path = path && path[0] ? path : "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		char buf[PATH_MAX];
		if (snprintf(buf, sizeof buf, "%.*s/%s", (int)n, n ? p : ".", cmd) < (int)sizeof buf &&
		    executable(buf))
			return strdup(buf);
		if (!colon)
			return NULL;
		p = colon + 1;
	}
}

int record_detect(const struct record_options *opts, struct record_runtime *rt,
		  struct record_elf **elf)
{
	memset(rt, 0, sizeof *rt);
	*elf = NULL;
	if (opts->runtime) {
		for (size_t i = 0; i < NRUNTIMES && !rt->name; i++)
			if (strcmp(opts->runtime, runtimes[i].name) == 0)
				rt->name = runtimes[i].name;
		if (!rt->name) {
			fprintf(stderr, "%s: --runtime '%s': expected one of %s\n", opts->prog,
				opts->runtime, record_runtime_names());
			return 2;
		}
		snprintf(rt->how, sizeof rt->how, "--runtime");
	}
	rt->exe = find_executable(opts->command[0]);
	if (!rt->exe) {
		fprintf(stderr, "%s: '%s': %s\n", opts->prog, opts->command[0],
			strchr(opts->command[0], '/') ? "not an executable file"
						      : "command not found in $PATH");
		return 2;
	}
	const char *why = NULL;
	*elf = record_elf_open(rt->exe, &why);
	rt->elf = *elf != NULL;
	if (*elf) {
		record_elf_build_id(*elf, rt->build_id);
		if (record_libs_resolve(&rt->libs, rt->exe, *elf)) {
			fprintf(stderr, "%s: out of memory\n", opts->prog);
			return 1;
		}
	}
	char real[PATH_MAX];
	const char *name = rt->name ? NULL : by_name(rt->exe);
	if (!rt->name && !name && realpath(rt->exe, real))
		name = by_name(real);
	if (name) {
		rt->name = name;
		snprintf(rt->how, sizeof rt->how, "its name");
	}
	if (!rt->name && *elf && (rt->name = by_symbols(*elf)) != NULL)
		snprintf(rt->how, sizeof rt->how, "its symbols");
	for (size_t i = 0; !rt->name && i < rt->libs.n; i++)
		if ((rt->name = by_symbols(rt->libs.v[i].elf)) != NULL)
			snprintf(rt->how, sizeof rt->how, "the symbols of %s", rt->libs.v[i].name);
	return 0;
}

void record_runtime_release(struct record_runtime *rt)
{
	free(rt->exe);
	record_libs_release(&rt->libs);
	memset(rt, 0, sizeof *rt);
}
