/* prog.c - the profiled program of testdata/native-basic (see gen.sh):
 * functions that exercise perf's choice among aliases (weak/global/local,
 * leading underscores, name length), a zero-size assembler function, C++
 * names (cxx.cc) and JIT code in anonymous executable memory named by a
 * /tmp/perf-PID.map with overlapping and garbage lines. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

unsigned long cxx_entry(unsigned long n);

volatile unsigned long sink;

#define SPIN(n) for (unsigned long i_ = 0; i_ < (n); i_++) sink += i_ ^ (sink >> 3)

/* local only */
__attribute__((noinline)) static unsigned long local_spin(unsigned long n)
{
	SPIN(n);
	return sink;
}

/* global + weak alias: perf keeps the global */
__attribute__((noinline)) unsigned long global_spin(unsigned long n)
{
	SPIN(n);
	return sink;
}
extern unsigned long weak_alias_spin(unsigned long) __attribute__((weak, alias("global_spin")));

/* global + longer global alias with more leading underscores: fewer underscores win */
__attribute__((noinline)) unsigned long under_spin(unsigned long n)
{
	SPIN(n);
	return sink;
}
extern unsigned long __under_spin_alias(unsigned long) __attribute__((alias("under_spin")));

/* two globals, no underscores: the longer name wins; a local alias loses */
__attribute__((noinline)) unsigned long len_spin(unsigned long n)
{
	SPIN(n);
	return sink;
}
extern unsigned long len_spin_longer(unsigned long) __attribute__((alias("len_spin")));
static unsigned long len_local_alias_much_longer(unsigned long) __attribute__((alias("len_spin"), used));

/* weak only */
__attribute__((weak, noinline)) unsigned long weak_spin(unsigned long n)
{
	SPIN(n);
	return sink;
}

/* zero-size function (no .size): perf extends it to the next symbol */
unsigned long asm_spin(unsigned long n);
__asm__(".text\n"
	".globl asm_spin\n"
	".type asm_spin,@function\n"
	"asm_spin:\n"
	"\tpush %rbp\n"
	"\tmov %rsp,%rbp\n"
	"1:\tsub $1,%rdi\n"
	"\tjnz 1b\n"
	"\tpop %rbp\n"
	"\tret\n"
	"\t.p2align 4\n");

/* push rbp; mov rbp,rsp; 1: sub rdi,1; jnz 1b; pop rbp; ret */
static const unsigned char jit_code[] = {0x55, 0x48, 0x89, 0xe5, 0x48, 0x83, 0xef, 0x01,
					 0x75, 0xfa, 0x5d, 0xc3};

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000000;
	unsigned char *jit = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (jit == MAP_FAILED)
		return 1;
	for (int k = 0; k < 5; k++)
		memcpy(jit + 0x40 * k, jit_code, sizeof jit_code);
	char path[64];
	snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)getpid());
	FILE *f = fopen(path, "w");
	if (!f)
		return 1;
	unsigned long b = (unsigned long)jit;
	fprintf(f, "%lx 40 jit_one\n", b);                    /* one space */
	fprintf(f, "%lx  40  jit_two_wamr\n", b + 0x40);      /* WAMR's two spaces */
	fprintf(f, "0x%lx 0x40 jit_three_hex\n", b + 0x80);  /* 0x prefixes */
	fprintf(f, "this is not a map line\n");              /* garbage */
	fprintf(f, "zz\n");                                  /* garbage */
	fprintf(f, "%lx 40 jit_four name with spaces\n", b + 0xc0);
	/* overlaps: perf keeps every entry in one rb-tree without fixups */
	fprintf(f, "%lx 20 jit_three_later\n", b + 0x80);     /* same start, later */
	fprintf(f, "%lx 100 jit_big_later\n", b);             /* covers all, later */
	fprintf(f, "%lx 8 jit_one_head\n", b);                /* same start, shorter */
	fprintf(f, "%lx 10 ab\n", b + 0x100);                 /* name too short for perf */
	fprintf(f, "%lx\n", b + 0x100);                       /* no size */
	fclose(f);
	unsigned long (*fn)(unsigned long);

	for (int round = 0; round < 3; round++) {
		local_spin(n);
		global_spin(n);
		under_spin(n);
		len_spin(n);
		weak_spin(n);
		asm_spin(n * 4);
		cxx_entry(n);
		for (int k = 0; k < 5; k++) {
			fn = (unsigned long (*)(unsigned long))(void *)(jit + 0x40 * k);
			fn(n * 2);
		}
	}
	usleep(1000);
	printf("%lu\n", sink);
	return 0;
}
