/* test_inline.c - sym_inline_* against what addr2line printed for the
 * fixture testdata/inline-basic/inline-prog (testdata/gen/inline/gen.sh
 * records `addr2line -a -i -f -s -C` for every byte of its functions), and
 * on files that are not usable ELF: missing, not ELF, truncated, a
 * directory, a FIFO. Needs WASMPERF_SRC (set by ctest). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "symbolizer.h"

static char fixture[2048], debuglink[2100];

static int lookup_pc(struct sym_inline *s, const char *module, uint64_t pc,
		     const struct sym_inline_frame **fr, size_t *n)
{
	return sym_inline_lookup(s, module, strlen(module), NULL, 0, 0, false, pc, fr, n);
}

static int lookup_sym(struct sym_inline *s, const char *module, const char *sym, uint64_t off,
		      uint64_t pc, const struct sym_inline_frame **fr, size_t *n)
{
	return sym_inline_lookup(s, module, strlen(module), sym, strlen(sym), off, true, pc, fr,
				 n);
}

/* "func:file:line" root to leaf, joined by ';', as perl's --context shows
 * them (addr2line's "??" for no file and "?" for no line). */
static void render(const struct sym_inline_frame *fr, size_t n, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++) {
		char line[16];
		snprintf(line, sizeof line, fr[i].line ? "%u" : "?", fr[i].line);
		used += (size_t)snprintf(out + used, size - used, "%s%s:%s:%s", i ? ";" : "",
					 fr[i].function, fr[i].file ? fr[i].file : "??", line);
	}
}

/* Walks addr2line.txt: "0xADDR" then (function, file:line) pairs innermost
 * first; builds the same rendering reversed and compares. */
static void check_addr2line(struct sym_inline *s)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/addr2line.txt", fixture);
	size_t len;
	char *text = check_slurp(path, &len);
	CHECK(text != NULL);
	if (!text)
		return;
	unsigned blocks = 0, mismatches = 0;
	char *save = NULL;
	char *line = strtok_r(text, "\n", &save);
	while (line) {
		uint64_t addr = strtoull(line, NULL, 16);
		const char *pairs[2 * 64];
		size_t np = 0;
		while ((line = strtok_r(NULL, "\n", &save)) && strncmp(line, "0x", 2) != 0)
			if (np < 2 * 64)
				pairs[np++] = line;
		/* expected, reversed: caller first */
		char want[4096] = "", *w = want;
		for (size_t k = np / 2; k-- > 0;) {
			char fl[512];
			snprintf(fl, sizeof fl, "%s", pairs[2 * k + 1]);
			char *disc = strstr(fl, " (discriminator");
			if (disc)
				*disc = '\0';
			w += snprintf(w, sizeof want - (size_t)(w - want), "%s%s:%s",
				      w == want ? "" : ";", pairs[2 * k], fl);
		}
		const struct sym_inline_frame *fr;
		size_t n;
		char got[4096] = "";
		int rc = lookup_pc(s, "inline-prog", addr, &fr, &n);
		if (rc == 0)
			render(fr, n, got, sizeof got);
		blocks++;
		if (strcmp(got, want) != 0) {
			if (mismatches++ < 10)
				fprintf(stderr, "0x%llx: got '%s' (rc %d), addr2line '%s'\n",
					(unsigned long long)addr, got, rc, want);
		}
	}
	printf("addr2line.txt: %u addresses, %u mismatches\n", blocks, mismatches);
	CHECK(blocks > 500);
	CHECK(mismatches == 0);
	free(text);
}

static void check_known(struct sym_inline *s)
{
	const struct sym_inline_frame *fr;
	size_t n;
	char got[4096];
	/* perf prints "1280 compute_sum+0x40 (inline-prog)": the pc is a
	 * map-relative address, only symbol + offset locates it. */
	int rc = lookup_sym(s, "inline-prog", "compute_sum", 0x40, 0x1280, &fr, &n);
	CHECK(rc == 0);
	if (rc == 0) {
		render(fr, n, got, sizeof got);
		CHECK_STR(got, "compute_sum:prog.c:44;hash_block:prog.c:36;mix_step:prog.c:29");
		CHECK(n == 3);
	}
	/* The same address by pc (ET_EXEC, inside PT_LOAD) is the same answer,
	 * from the cache. */
	struct sym_inline_stats st0, st1;
	sym_inline_get_stats(s, &st0);
	const struct sym_inline_frame *fr2;
	size_t n2;
	rc = lookup_sym(s, "inline-prog", "[unknown]", 0, 0x401280, &fr2, &n2);
	sym_inline_get_stats(s, &st1);
	CHECK(rc == 0 && fr2 == fr && n2 == n);
	CHECK(st1.cache_hits == st0.cache_hits + 1);
	/* unknown symbol, pc outside every PT_LOAD: not resolvable */
	CHECK(lookup_sym(s, "inline-prog", "no_such_function", 0x4, 0x1284, &fr, &n) ==
	      WP_E_NOTFOUND);
	CHECK(lookup_pc(s, "inline-prog", 0x1284, &fr, &n) == WP_E_NOTFOUND);
	/* a data address in PT_LOAD but in no function */
	CHECK(lookup_pc(s, "inline-prog", 0x400000, &fr, &n) == WP_E_NOTFOUND);
}

/* The stripped binary finds its DWARF and its symbols in the debug file
 * named by .gnu_debuglink. */
static void check_debuglink(void)
{
	struct sym_inline *s = sym_inline_new(NULL);
	char module[4200];
	snprintf(module, sizeof module, "%s/inline-prog", debuglink);
	const struct sym_inline_frame *fr;
	size_t n;
	char got[4096];
	int rc = lookup_sym(s, module, "compute_sum", 0x40, 0x1280, &fr, &n);
	CHECK(rc == 0);
	if (rc == 0) {
		render(fr, n, got, sizeof got);
		CHECK_STR(got, "compute_sum:prog.c:44;hash_block:prog.c:36;mix_step:prog.c:29");
	}
	sym_inline_free(s);

	/* symfs is prepended to the module path */
	s = sym_inline_new(debuglink);
	rc = lookup_sym(s, "/inline-prog", "compute_sum", 0x40, 0x1280, &fr, &n);
	CHECK(rc == 0 && n == 3);
	sym_inline_free(s);
}

static unsigned warnings;
static void on_warn(void *ctx, const char *msg)
{
	warnings++;
	(void)ctx;
	(void)msg;
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (f) {
		CHECK(fwrite(p, 1, n, f) == n);
		fclose(f);
	}
}

static void check_bad_files(void)
{
	struct sym_inline *s = sym_inline_new(NULL);
	sym_inline_set_warn(s, on_warn, NULL);
	const struct sym_inline_frame *fr;
	size_t n;
	char dir[] = "/tmp/test_inline.XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[4200];

	snprintf(path, sizeof path, "%s/missing", dir);
	CHECK(lookup_sym(s, path, "main", 0, 0, &fr, &n) == WP_E_NOTFOUND);
	CHECK(lookup_sym(s, path, "main", 4, 0, &fr, &n) == WP_E_NOTFOUND);
	struct sym_inline_stats st;
	sym_inline_get_stats(s, &st);
	CHECK(st.modules == 1 && st.modules_failed == 1); /* tried once */
	CHECK(warnings == 1);

	snprintf(path, sizeof path, "%s/text", dir);
	write_file(path, "hello, not an ELF\n", 18);
	CHECK(lookup_sym(s, path, "main", 0, 0, &fr, &n) == WP_E_NOTFOUND);

	snprintf(path, sizeof path, "%s/empty", dir);
	write_file(path, "", 0);
	CHECK(lookup_sym(s, path, "main", 0, 0, &fr, &n) == WP_E_NOTFOUND);

	CHECK(lookup_sym(s, dir, "main", 0, 0, &fr, &n) == WP_E_NOTFOUND); /* directory */
	CHECK(lookup_sym(s, "/", "main", 0, 0, &fr, &n) == WP_E_NOTFOUND);

	snprintf(path, sizeof path, "%s/fifo", dir);
	if (mkfifo(path, 0600) == 0)
		CHECK(lookup_sym(s, path, "main", 0, 0, &fr, &n) == WP_E_NOTFOUND);

	/* Truncated copies of the fixture at many sizes: no crash, and nothing
	 * resolved once the section headers (at the end) are gone. */
	char bin[4200];
	snprintf(bin, sizeof bin, "%s/inline-prog", fixture);
	size_t len;
	char *elf = check_slurp(bin, &len);
	CHECK(elf != NULL && len > 1000);
	if (elf) {
		for (size_t cut = 0; cut < len; cut = cut < 1100 ? cut + 50 : cut + 1499) {
			snprintf(path, sizeof path, "%s/trunc-%zu", dir, cut);
			write_file(path, elf, cut);
			int rc = lookup_sym(s, path, "compute_sum", 0x44, 0x401284, &fr, &n);
			CHECK(rc == WP_E_NOTFOUND);
			rc = lookup_pc(s, path, 0x401284, &fr, &n);
			CHECK(rc == WP_E_NOTFOUND);
			unlink(path);
		}
		/* head -c 1000 */
		snprintf(path, sizeof path, "%s/head1000", dir);
		write_file(path, elf, 1000);
		CHECK(lookup_sym(s, path, "compute_sum", 0x44, 0x401284, &fr, &n) == WP_E_NOTFOUND);
		unlink(path);
		/* the section header table pointed past the end */
		if (len > 0x40) {
			memset(elf + 0x28, 0x7f, 8); /* e_shoff */
			snprintf(path, sizeof path, "%s/bad-shoff", dir);
			write_file(path, elf, len);
			CHECK(lookup_sym(s, path, "compute_sum", 0x44, 0x401284, &fr, &n) ==
			      WP_E_NOTFOUND);
			unlink(path);
		}
		free(elf);
	}

	/* Paths: huge, with a NUL, empty, modules the perl script skips. */
	size_t huge_len = 100000;
	char *huge = malloc(huge_len);
	if (huge) {
		memset(huge, 'a', huge_len);
		huge[0] = '/';
		CHECK(sym_inline_lookup(s, huge, huge_len, "main", 4, 0, true, 0, &fr, &n) ==
		      WP_E_NOTFOUND);
		free(huge);
	}
	CHECK(sym_inline_lookup(s, "/bin/sh\0x", 9, "main", 4, 0, true, 0, &fr, &n) ==
	      WP_E_NOTFOUND);
	CHECK(sym_inline_lookup(s, "", 0, "main", 4, 0, true, 0, &fr, &n) == WP_E_NOTFOUND);
	sym_inline_get_stats(s, &st);
	uint64_t modules = st.modules;
	const char *skipped[] = {"[kernel.kallsyms]", "/tmp/perf-1234.map", "[vdso]",
				 "/lib/modules/6.1/kernel.ko", "[unknown]"};
	for (size_t i = 0; i < sizeof skipped / sizeof *skipped; i++)
		CHECK(lookup_sym(s, skipped[i], "main", 0, 0, &fr, &n) == WP_E_NOTFOUND);
	sym_inline_get_stats(s, &st);
	CHECK(st.modules == modules); /* never opened */

	snprintf(path, sizeof path, "%s/text", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/empty", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/fifo", dir);
	unlink(path);
	rmdir(dir);
	sym_inline_free(s);
}

/* A shared library whose DWARF is in a build-id debug file, when this
 * machine has one (Debian libc6-dbg): perf prints local symbols of libc
 * that only the debug file's .symtab holds. */
static void check_libc(void)
{
	const char *libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";
	struct sym_inline *s = sym_inline_new(NULL);
	const struct sym_inline_frame *fr;
	size_t n;
	int rc = lookup_sym(s, libc, "__libc_start_call_main", 0x7a, 0x2724a, &fr, &n);
	if (rc == 0) {
		CHECK_STR(fr[0].function, "__libc_start_call_main");
		/* addr2line 2.40 says libc-start.c; the line table row at this
		 * address names libc_start_call_main.h (README of inline-basic) */
		CHECK_STR(fr[n - 1].file, "libc_start_call_main.h");
		CHECK(fr[n - 1].line == 74);
	} else {
		printf("libc with debug info not found here: skipped\n");
	}
	sym_inline_free(s);
}

int main(void)
{
	const char *src = getenv("WASMPERF_SRC");
	if (!src) {
		fprintf(stderr, "WASMPERF_SRC is not set\n");
		return 1;
	}
	snprintf(fixture, sizeof fixture, "%s/testdata/inline-basic", src);
	snprintf(debuglink, sizeof debuglink, "%s/debuglink", fixture);
	sym_inline_free(NULL);

	/* module paths are relative to the fixture directory, as in input.perf */
	if (chdir(fixture) != 0) {
		fprintf(stderr, "cannot enter '%s': %s\n", fixture, strerror(errno));
		return 1;
	}
	struct sym_inline *s = sym_inline_new(NULL);
	CHECK(s != NULL);
	if (s) {
		check_addr2line(s);
		check_known(s);
		sym_inline_free(s);
	}
	check_debuglink();
	check_bad_files();
	check_libc();
	return check_report();
}
