/* fold_paths.c - the paths of fold's options checked before any input is
 * read: a --symfs, --buildid-dir, --perf-map-dir, --kallsyms or --jitdump
 * that does not exist, cannot be read or is the wrong kind (a directory
 * option given a file, a file option given a directory) is a usage error,
 * not a silent "no symbols". */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fold.h"

enum want { WANT_DIR, WANT_FILE, WANT_EITHER };

static int check_one(const char *prog, const char *option, const char *path, enum want want)
{
	if (!path)
		return 0;
	struct stat st;
	const char *why = NULL;
	if (stat(path, &st) != 0)
		why = strerror(errno);
	else if (want == WANT_DIR && !S_ISDIR(st.st_mode))
		why = "not a directory";
	else if (want == WANT_FILE && S_ISDIR(st.st_mode))
		why = "is a directory";
	else if (access(path, S_ISDIR(st.st_mode) ? R_OK | X_OK : R_OK) != 0)
		why = strerror(errno);
	if (!why)
		return 0;
	fprintf(stderr, "%s: --%s '%s': %s\n", prog, option, path, why);
	return 2;
}

int fold_check_paths(const struct fold_config *cfg)
{
	const char *prog = cfg->prog ? cfg->prog : "wasmperf-fold";
	if (check_one(prog, "symfs", cfg->symfs, WANT_DIR) ||
	    check_one(prog, "buildid-dir", cfg->buildid_dir, WANT_DIR) ||
	    check_one(prog, "perf-map-dir", cfg->perf_map_dir, WANT_DIR) ||
	    check_one(prog, "kallsyms", cfg->kallsyms, WANT_FILE))
		return 2;
	for (size_t i = 0; i < cfg->njitdumps; i++)
		if (check_one(prog, "jitdump", cfg->jitdumps[i], WANT_EITHER))
			return 2;
	return 0;
}
