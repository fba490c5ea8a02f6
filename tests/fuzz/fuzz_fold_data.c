/* fuzz_fold_data.c - wasmperf-fold on perf.data (tools/fold_data.c with
 * everything it drives: the record reader, the symbolizer's address
 * spaces, the reuse of a thread's last frames and, at -j2, the reader and
 * folder threads) against one thread: -j2 must give -j1's output and exit
 * status byte for byte; anything else aborts, and the sanitizers watch
 * both. Symbol sources are pinned, so only the recording's bytes decide:
 * an empty --symfs, --buildid-dir and --perf-map-dir, and a small
 * --kallsyms. Only input that sniffs as perf.data is folded (text has
 * fuzz_fold_threads). Links wptools. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_fold.h"
#include "fuzz_memfd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Kernel text where recordings of x86-64 put it, with a gap and a module. */
static const char kallsyms_text[] =
	"ffffffff81000000 T _stext\n"
	"ffffffff81000100 T do_syscall_64\n"
	"ffffffff81001000 t handle_mm_fault\n"
	"ffffffff81002000 T asm_exc_page_fault\n"
	"ffffffff81800000 T _etext\n"
	"ffffffffc0000000 t nf_hook [nf_tables]\n";

struct pinned {
	char dir[64];
	char kallsyms[96];
	bool ready;
};

static struct pinned pinned;

static void remove_pinned(void)
{
	unlink(pinned.kallsyms);
	rmdir(pinned.dir);
}

/* The empty directory and the kallsyms file, made once per process and
 * removed at its exit. */
static const struct pinned *pinned_sources(void)
{
	struct pinned *p = &pinned;
	if (p->ready)
		return p;
	if (p->dir[0])
		return NULL; /* tried and failed */
	snprintf(p->dir, sizeof p->dir, "/tmp/wasmperf-fuzz-XXXXXX");
	if (!mkdtemp(p->dir))
		return NULL;
	atexit(remove_pinned);
	snprintf(p->kallsyms, sizeof p->kallsyms, "%s.kallsyms", p->dir);
	FILE *f = fopen(p->kallsyms, "w");
	if (!f)
		return NULL;
	bool ok = fputs(kallsyms_text, f) >= 0;
	if (fclose(f) != 0 || !ok)
		return NULL;
	p->ready = true;
	return p;
}

struct run {
	const struct pinned *sources;
	unsigned threads;
};

static void set_run(struct fold_config *cfg, const void *ctx)
{
	const struct run *r = ctx;
	cfg->threads = r->threads;
	cfg->symfs = r->sources->dir;
	cfg->buildid_dir = r->sources->dir;
	cfg->perf_map_dir = r->sources->dir;
	cfg->kallsyms = r->sources->kallsyms;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct pinned *p = pinned_sources();
	int fd = p ? fuzz_memfd("fuzz.data", data, size) : -1;
	if (fd < 0)
		return 0;
	struct run j1 = {p, 1}, j2 = {p, 2};
	fuzz_fold_agree(fd, INPUT_PERFDATA, "fuzz_fold_data (-j1, -j2)", set_run, &j1, &j2);
	close(fd);
	return 0;
}
