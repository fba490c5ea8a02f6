/* export_phases.c - the phases of a recording with markers, for
 * wasmperf-export (export_run.h): when a perf.data file has probe events
 * (perf probe's probe_GROUP:FUNC, or tracepoints a cut file no longer
 * names), wasmperf-phases' pipeline (phases_run.h, a preset chosen per
 * process as wasmperf phases chooses it) runs over it first, writing its
 * JSON into memory; each present phase of each process is read back and
 * given to the profile, which then labels every sample with the deepest
 * phase holding it. The phases pass reads the recording once more, so it
 * runs only when there is something to find. */
/* open_memstream: POSIX 2008 (the build defines _GNU_SOURCE) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "export_run.h"
#include "json_read.h"
#include "perfparse.h"
#include "phases_run.h"
#include "phases_unnamed.h"

static bool any_marker(const struct pp_data *d)
{
	for (size_t i = 0; i < pp_data_nevents(d); i++) {
		const char *name = pp_data_event_name(d, i);
		if ((!strncmp(name, "probe_", 6) && strchr(name, ':')) || phases_unnamed_event(name))
			return true;
	}
	return false;
}

/* Any marker event? The header says, or for pipe mode and a file cut
 * before its feature sections, the records up to the first sample. */
static bool has_markers(const char *path)
{
	struct pp_data *d;
	bool found = false;
	if (pp_data_open(&d, path, NULL, NULL) == 0 && !(found = any_marker(d)) &&
	    (pp_data_info(d)->pipe_mode || !pp_data_nevents(d))) {
		const struct pp_record *r;
		for (int i = 0; i < 65536 && pp_data_next(d, &r) == 1; i++)
			if (r->type == PP_RECORD_SAMPLE) {
				found = any_marker(d);
				break;
			}
	}
	pp_data_free(d);
	return found;
}

static int64_t int_member(const struct json_value *obj, const char *key, bool *ok)
{
	const struct json_value *v = json_get(obj, key);
	*ok = *ok && v && v->type == JSON_NUMBER && v->is_int && v->integer >= 0;
	return *ok ? v->integer : 0;
}

/* The rows of wasmperf-phases --format json into the profile: how many. */
static int add_rows(const struct json_value *root, struct fg_profile *p, size_t *n)
{
	const struct json_value *procs = json_get(root, "processes");
	if (!procs || procs->type != JSON_ARRAY)
		return WP_E_FORMAT;
	for (size_t i = 0; i < procs->n; i++) {
		const struct json_value *proc = &procs->items[i], *rows = json_get(proc, "phases");
		bool ok = rows && rows->type == JSON_ARRAY;
		int64_t pid = int_member(proc, "pid", &ok);
		for (size_t r = 0; ok && r < rows->n; r++) {
			const struct json_value *row = &rows->items[r], *name = json_get(row, "name");
			int64_t depth = int_member(row, "depth", &ok);
			int64_t start = int_member(row, "start_ns", &ok), end = int_member(row, "end_ns", &ok);
			if (!ok || !name || name->type != JSON_STRING || pid > UINT32_MAX || depth > 64)
				return WP_E_FORMAT;
			int rc = fg_profile_phase(p, (uint32_t)pid, name->string, name->len, (uint64_t)start,
						  (uint64_t)end, (unsigned)depth);
			if (rc)
				return rc;
			(*n)++;
		}
		if (!ok)
			return WP_E_FORMAT;
	}
	return 0;
}

/* phases_run with its messages dropped: quiet leaves out its warnings,
 * but it says what is wrong with damaged input, and the fold pass that
 * follows reads the same bytes and says it once more. */
static int run_silenced(const struct phases_config *pc, const char *path, FILE *out)
{
	fflush(stderr);
	int saved = dup(2), null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	bool quiet = saved >= 0 && null >= 0 && dup2(null, 2) == 2;
	if (null >= 0)
		close(null);
	int status = phases_run(pc, path, out);
	fflush(stderr);
	if (quiet)
		dup2(saved, 2);
	if (saved >= 0)
		close(saved);
	return status;
}

int export_phases(const struct fold_config *cfg, const char *path, struct fg_profile *p)
{
	if (!path || !strcmp(path, "-") || !has_markers(path))
		return 0;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem) {
		fprintf(stderr, "%s: out of memory\n", cfg->prog);
		return 1;
	}
	struct phases_config pc = {
		.prog = cfg->prog, .event = cfg->event_filter, .format = PHASES_JSON,
		.symfs = cfg->symfs, .kallsyms = cfg->kallsyms, .buildid_dir = cfg->buildid_dir,
		.perf_map_dir = cfg->perf_map_dir, .jitdumps = cfg->jitdumps,
		.njitdumps = cfg->njitdumps, .names_opt = cfg->names_opt, .quiet = true,
	};
	int status = run_silenced(&pc, path, mem);
	int rc = fclose(mem) ? WP_E_NOMEM : 0;
	struct json_value *root = NULL;
	size_t off = 0, n = 0;
	const char *what = NULL;
	rc = rc ? rc : json_parse(text ? text : "", len, &root, &off, &what);
	rc = rc ? rc : add_rows(root, p, &n);
	json_free(root);
	free(text);
	if (rc == WP_E_NOMEM) {
		fprintf(stderr, "%s: out of memory\n", cfg->prog);
		return 1;
	}
	if ((rc || !n) && !cfg->quiet && status == 0)
		fprintf(stderr, "%s: warning: the recording has probe events, but no phase was "
			"found from them (see wasmperf phases): no phase is exported\n", cfg->prog);
	return 0;
}
