/* wasmperf - dispatcher: `wasmperf NAME ARGS...` runs `wasmperf-NAME ARGS...`,
 * looked up beside this program first, then on PATH; `wasmperf help NAME`
 * runs `wasmperf-NAME --help`. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	const char *name;
	const char *summary;
} tools[] = {
	{"record", "runs a Wasm runtime's command under perf record, with its perf-map\n"
		   "flag and phase probes: a bundle every other tool reads"},
	{"fold", "reads perf.data or perf script text (and folded stacks): folded stacks,\n"
		 "as stackcollapse-perf.pl; --wasm M names jitted Wasm frames"},
	{"flame", "reads folded stacks (or a recording, folded first): an interactive\n"
		  "flame graph SVG, as flamegraph.pl; --colors wasm"},
	{"diff", "reads two folded files (or recordings): differential folded stacks,\n"
		 "as difffolded.pl"},
	{"names", "reads folded stacks, perf script text, perf maps or jitdumps: the same\n"
		  "with jitted Wasm names (aot_func#N, wasm-function[N]) as .wasm names"},
	{"phases", "reads perf.data with probes and sched tracepoints: wall and CPU time\n"
		   "per runtime phase (table, TSV, JSON, Chrome trace, SVG bars, folded)"},
	{"export", "reads what fold reads: a profile for speedscope, the Firefox Profiler\n"
		   "(and Perfetto) or pprof tools, per thread and in time order"},
	{"batch", "reads many recordings (bundles, run directories, perf.data): flame\n"
		  "graphs, diffs, phase tables, a comparison across runtimes, index.html"},
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: wasmperf TOOL [ARGS...]\n"
		"       wasmperf help [TOOL] | --help | --version\n"
		"\n"
		"Flame graphs of WebAssembly runtimes from Linux perf. The tools read perf.data\n"
		"(files and pipes), `perf script` text, jitdumps (jit-PID.dump), perf maps\n"
		"(perf-PID.map), .wasm modules (their function names) and folded stacks, each\n"
		"told apart by its content.\n"
		"\n"
		"  perf record -g -- node --perf-basic-prof app.js\n"
		"  wasmperf fold --wasm app.wasm perf.data > app.folded\n"
		"  wasmperf flame --colors wasm app.folded > app.svg\n"
		"\n"
		"Tools:\n");
	for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++) {
		fprintf(f, "  %-7s ", tools[i].name);
		for (const char *p = tools[i].summary; *p; p++) {
			if (*p == '\n')
				fputs("\n          ", f);
			else
				fputc(*p, f);
		}
		fputc('\n', f);
	}
	fprintf(f, "\n`wasmperf help TOOL` (or `wasmperf TOOL --help`, `man wasmperf-TOOL`)\n"
		   "describes each one.\n");
}

/* Runs wasmperf-NAME with args (args[0] is replaced); returns only on failure. */
static int run_tool(const char *cmd, char **args)
{
	if (cmd[0] == '-' || strchr(cmd, '/') || strlen(cmd) > 64) {
		fprintf(stderr, "wasmperf: '%s' is not a tool name (see wasmperf help)\n", cmd);
		return 2;
	}
	char tool[96];
	snprintf(tool, sizeof tool, "wasmperf-%s", cmd);
	/* Prefer the tool installed beside this binary. */
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash && (size_t)(slash - self) + 1 + strlen(tool) < sizeof self) {
			strcpy(slash + 1, tool);
			if (access(self, X_OK) == 0) {
				args[0] = tool;
				execv(self, args);
			}
		}
	}
	args[0] = tool;
	execvp(tool, args);
	fprintf(stderr, "wasmperf: cannot run '%s': %s (see wasmperf help)\n", tool,
		errno == ENOENT ? "no such tool" : strerror(errno));
	return errno == ENOENT ? 2 : 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "help") && argc > 2) {
		if (argc > 3) {
			fprintf(stderr, "wasmperf: help takes one tool name (see wasmperf help)\n");
			return 2;
		}
		char help[] = "--help";
		char *args[] = {NULL, help, NULL};
		return run_tool(argv[2], args);
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("wasmperf %s\n", WASMPERF_VERSION);
		return 0;
	}
	return run_tool(cmd, argv + 1);
}
