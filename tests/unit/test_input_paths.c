/* test_input_paths.c - paths that are not what a reader expects: a
 * directory given to each reader that opens a path (line reader, Wasm
 * module, jitdump, perf.data) is named as one, and fold_check_paths()
 * refuses missing or wrong-kind option paths with "PROG: --OPT 'PATH': why"
 * (exit status 2). A tools/ test: it links wptools, as it asks every library
 * and tools/fold_paths.c the same question. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fold.h"
#include "perfparse.h"
#include "symbolizer.h"
#include "wpcommon.h"

static char dir[256], file[300], threads[300], threads_data[320];

static void setup(void)
{
	snprintf(dir, sizeof dir, "%s/wp-paths-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(file, sizeof file, "%s/file", dir);
	snprintf(threads, sizeof threads, "%s/threads", dir);
	snprintf(threads_data, sizeof threads_data, "%s/data", threads);
	FILE *f = fopen(file, "w");
	fputs("x\n", f);
	fclose(f);
	mkdir(threads, 0700);
	f = fopen(threads_data, "w");
	fputs("not perf data, but a data file\n", f);
	fclose(f);
}

static void teardown(void)
{
	unlink(threads_data);
	rmdir(threads);
	unlink(file);
	rmdir(dir);
}

static void test_directories(void)
{
	char want[512];
	snprintf(want, sizeof want, "'%s': is a directory", dir);

	struct wp_lines *l = NULL;
	CHECK(wp_lines_open(&l, dir, 1024) == WP_E_IO);
	CHECK_STR(l ? wp_lines_errmsg(l) : NULL, want);
	wp_lines_free(l);

	struct sym_wasm_module *m = NULL;
	char err[512] = "";
	CHECK(sym_wasm_module_load(dir, &m, err, sizeof err) != 0 && !m);
	CHECK_STR(err, want);

	struct pp_jitdump *j = NULL;
	CHECK(pp_jitdump_open(&j, dir, NULL, NULL) == WP_E_IO);
	CHECK_STR(pp_jitdump_errmsg(j), want);
	pp_jitdump_free(j);

	/* perf.data: a directory that is not a perf record --threads one */
	struct pp_data *d = NULL;
	CHECK(pp_data_open(&d, dir, NULL, NULL) == WP_E_IO);
	snprintf(want, sizeof want,
		 "'%s': is a directory (not a `perf record --threads` directory)", dir);
	CHECK_STR(pp_data_errmsg(d), want);
	pp_data_free(d);
	/* one with a data file is read as one (and its data judged) */
	CHECK(pp_data_open(&d, threads, NULL, NULL) == WP_E_FORMAT);
	CHECK(strstr(pp_data_errmsg(d), "no PERFILE2 magic") != NULL);
	pp_data_free(d);
}

/* fold_check_paths() with stderr captured: its return and message. */
static int check_paths(const struct fold_config *cfg, char *msg, size_t size)
{
	fflush(stderr);
	int saved = dup(2);
	FILE *tmp = tmpfile();
	dup2(fileno(tmp), 2);
	int rc = fold_check_paths(cfg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	size_t n = fread(msg, 1, size - 1, tmp);
	msg[n] = '\0';
	fclose(tmp);
	return rc;
}

static void test_option_paths(void)
{
	char msg[1024], want[1024];
	const char *jd[3] = {NULL, NULL, NULL};
	struct fold_config cfg = {.prog = "wasmperf-fold", .jitdumps = jd};

	CHECK(check_paths(&cfg, msg, sizeof msg) == 0);
	CHECK_STR(msg, "");

	/* every option given what it wants */
	cfg.symfs = cfg.buildid_dir = cfg.perf_map_dir = dir;
	cfg.kallsyms = file;
	jd[0] = file;
	jd[1] = dir;
	cfg.njitdumps = 2;
	CHECK(check_paths(&cfg, msg, sizeof msg) == 0);
	CHECK_STR(msg, "");

	struct fold_config c;
	c = cfg, c.symfs = "/nonexistent/symfs";
	CHECK(check_paths(&c, msg, sizeof msg) == 2);
	CHECK_STR(msg, "wasmperf-fold: --symfs '/nonexistent/symfs': No such file or directory\n");
	c = cfg, c.symfs = file;
	CHECK(check_paths(&c, msg, sizeof msg) == 2);
	snprintf(want, sizeof want, "wasmperf-fold: --symfs '%s': not a directory\n", file);
	CHECK_STR(msg, want);
	c = cfg, c.buildid_dir = "/nonexistent/.debug";
	CHECK(check_paths(&c, msg, sizeof msg) == 2);
	CHECK_STR(msg, "wasmperf-fold: --buildid-dir '/nonexistent/.debug': No such file or directory\n");
	c = cfg, c.perf_map_dir = file;
	CHECK(check_paths(&c, msg, sizeof msg) == 2);
	snprintf(want, sizeof want, "wasmperf-fold: --perf-map-dir '%s': not a directory\n", file);
	CHECK_STR(msg, want);
	c = cfg, c.kallsyms = dir;
	CHECK(check_paths(&c, msg, sizeof msg) == 2);
	snprintf(want, sizeof want, "wasmperf-fold: --kallsyms '%s': is a directory\n", dir);
	CHECK_STR(msg, want);
	c = cfg, c.kallsyms = "";
	CHECK(check_paths(&c, msg, sizeof msg) == 2);
	CHECK_STR(msg, "wasmperf-fold: --kallsyms '': No such file or directory\n");
	jd[2] = "/nonexistent/jit-1.dump";
	c = cfg, c.njitdumps = 3, c.prog = "wasmperf-flame";
	CHECK(check_paths(&c, msg, sizeof msg) == 2);
	CHECK_STR(msg, "wasmperf-flame: --jitdump '/nonexistent/jit-1.dump': No such file or directory\n");
}

int main(void)
{
	setup();
	test_directories();
	test_option_paths();
	teardown();
	return check_report();
}
