/* wasmperf - dispatcher: `wasmperf NAME ARGS...` runs `wasmperf-NAME ARGS...`,
 * looked up beside this program first, then on PATH. */
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
	{"fold", "perf script text -> folded stacks (stackcollapse-perf.pl compatible)"},
	{"names", "jitted Wasm names (aot_func#N, wasm-function[N], ...) -> name-section names"},
	{"flame", "folded stacks -> interactive flame graph SVG (flamegraph.pl compatible)"},
	{"diff", "two folded files -> differential folded stacks (difffolded.pl compatible)"},
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: wasmperf TOOL [ARGS...]\n       wasmperf help | --help | --version\n\n"
		   "Tools:\n");
	for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
		fprintf(f, "  %-8s %s\n", tools[i].name, tools[i].summary);
	fprintf(f, "\n`wasmperf TOOL --help` or `man wasmperf-TOOL` describe each one.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("wasmperf %s\n", WASMPERF_VERSION);
		return 0;
	}
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
				argv[1] = tool;
				execv(self, argv + 1);
			}
		}
	}
	argv[1] = tool;
	execvp(tool, argv + 1);
	fprintf(stderr, "wasmperf: cannot run '%s': %s (see wasmperf help)\n", tool,
		errno == ENOENT ? "no such tool" : strerror(errno));
	return errno == ENOENT ? 2 : 1;
}
