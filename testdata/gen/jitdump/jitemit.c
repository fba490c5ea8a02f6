/* jitemit.c - a tiny x86_64 "JIT" that writes a real jitdump the way
 * runtimes do (V8 --perf-prof, WAMR --enable-linux-perf), for
 * testdata/jitdump-emit (see gen.sh). It creates jit-PID.dump, maps its
 * first page PROT_READ|PROT_EXEC (the marker mmap perf records, which is
 * how perf inject finds the dump), maps an anonymous executable region R,
 * copies small hand-assembled functions into it, and runs each for a
 * while between the records so that samples land in every version:
 *
 *   LOAD  #0 wasm-function[7]   at R+0x100 (with a DEBUG_INFO before it)
 *   LOAD  #1 aot_func#3         at R+0x200
 *   LOAD  #2 spin_driver        at R+0x300 (calls the function it is given)
 *         run wasm-function[7]; run aot_func#3; run spin_driver(wasm-function[7])
 *   MOVE  #0 wasm-function[7]   R+0x100 -> R+0x1000 (old copy overwritten by int3)
 *         run spin_driver(wasm-function[7] at its new address)
 *         aot_func#3 "freed" (int3)
 *   LOAD  #3 wasm-function[12]  at R+0x200, the address aot_func#3 had
 *         run wasm-function[12]
 *   CLOSE
 *
 * Timestamps are CLOCK_MONOTONIC (record with perf record -k mono). What
 * it wrote goes to stdout, one line per record ("load INDEX ADDR SIZE NAME",
 * "move INDEX OLD NEW SIZE", "debug ADDR N", "close"), for the tests.
 * usage: jitemit [MILLISECONDS per phase, default 100] */
#define _GNU_SOURCE
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The JIT's code: position-independent functions with a frame pointer (so
 * perf's -g unwinds through them), copied into R. The first argument of
 * spin_driver is the function it calls. */
__asm__(".text\n"
	".p2align 4\n"
	"code_add_loop:\n"           /* wasm-function[7] */
	"	push %rbp\n"
	"	mov %rsp, %rbp\n"
	"	mov $0x20000, %ecx\n"
	"	xor %eax, %eax\n"
	"1:	add %ecx, %eax\n"
	"	rol $3, %eax\n"
	"	dec %ecx\n"
	"	jnz 1b\n"
	"	pop %rbp\n"
	"	ret\n"
	"code_add_loop_end:\n"
	".p2align 4\n"
	"code_lcg_loop:\n"           /* aot_func#3 */
	"	push %rbp\n"
	"	mov %rsp, %rbp\n"
	"	mov $0x20000, %ecx\n"
	"	mov $1, %eax\n"
	"1:	imul $1103515245, %eax, %eax\n"
	"	add $12345, %eax\n"
	"	dec %ecx\n"
	"	jnz 1b\n"
	"	pop %rbp\n"
	"	ret\n"
	"code_lcg_loop_end:\n"
	".p2align 4\n"
	"code_driver:\n"             /* spin_driver(void (*f)(void)) */
	"	push %rbp\n"
	"	mov %rsp, %rbp\n"
	"	push %rbx\n"
	"	push %r12\n"
	"	mov %rdi, %rbx\n"
	"	mov $4, %r12d\n"
	"	mov $0x8000, %ecx\n"
	"2:	dec %ecx\n"              /* a little work of its own */
	"	jnz 2b\n"
	"1:	call *%rbx\n"
	"	dec %r12d\n"
	"	jnz 1b\n"
	"	pop %r12\n"
	"	pop %rbx\n"
	"	pop %rbp\n"
	"	ret\n"
	"code_driver_end:\n"
	".p2align 4\n"
	"code_xor_loop:\n"           /* wasm-function[12] */
	"	push %rbp\n"
	"	mov %rsp, %rbp\n"
	"	mov $0x20000, %ecx\n"
	"	mov $0x9e3779b9, %eax\n"
	"1:	mov %eax, %edx\n"
	"	shl $13, %edx\n"
	"	xor %edx, %eax\n"
	"	mov %eax, %edx\n"
	"	shr $17, %edx\n"
	"	xor %edx, %eax\n"
	"	dec %ecx\n"
	"	jnz 1b\n"
	"	pop %rbp\n"
	"	ret\n"
	"code_xor_loop_end:\n");

extern const unsigned char code_add_loop[], code_add_loop_end[];
extern const unsigned char code_lcg_loop[], code_lcg_loop_end[];
extern const unsigned char code_driver[], code_driver_end[];
extern const unsigned char code_xor_loop[], code_xor_loop_end[];

static FILE *dump;
static uint64_t next_index;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void put(const void *p, size_t n)
{
	if (fwrite(p, 1, n, dump) != n)
		exit(1);
}

static void put32(uint32_t v) { put(&v, 4); }
static void put64(uint64_t v) { put(&v, 8); }

/* The record prefix: id, total size, timestamp. */
static void prefix(uint32_t id, size_t size)
{
	put32(id);
	put32((uint32_t)size);
	put64(now_ns());
}

static uint64_t addr_of(const void *p) { return (uint64_t)(uintptr_t)p; }

/* Copies code into the region and announces it, as a JIT does after
 * compiling a function. Returns its code index. */
static uint64_t code_load(const char *name, unsigned char *at, const unsigned char *code,
			  const unsigned char *code_end)
{
	size_t size = (size_t)(code_end - code), nlen = strlen(name) + 1;
	uint64_t index = next_index++;
	memcpy(at, code, size);
	__builtin___clear_cache((char *)at, (char *)at + size);
	prefix(0, 16 + 40 + nlen + size);
	put32((uint32_t)getpid());
	put32((uint32_t)syscall(SYS_gettid));
	put64(addr_of(at)); /* vma */
	put64(addr_of(at)); /* code_addr */
	put64(size);
	put64(index);
	put(name, nlen);
	put(at, size);
	fflush(dump);
	printf("load %llu 0x%llx %zu %s\n", (unsigned long long)index,
	       (unsigned long long)addr_of(at), size, name);
	return index;
}

/* Line table for the next CODE_LOAD (V8 writes one per function). */
static void code_debug(unsigned char *at, const char *file, const uint32_t *lines,
		       const uint32_t *offsets, size_t n)
{
	size_t size = 16 + 16;
	for (size_t i = 0; i < n; i++)
		size += 16 + strlen(file) + 1;
	prefix(2, size);
	put64(addr_of(at));
	put64(n);
	for (size_t i = 0; i < n; i++) {
		put64(addr_of(at) + offsets[i]);
		put32(lines[i]);
		put32(0); /* discrim */
		put(file, strlen(file) + 1);
	}
	printf("debug 0x%llx %zu\n", (unsigned long long)addr_of(at), n);
}

/* The code at `from` now lives at `to` (a moving GC, a code cache
 * compaction): the JIT copies it, then says so. */
static void code_move(uint64_t index, unsigned char *from, unsigned char *to, size_t size)
{
	memcpy(to, from, size);
	__builtin___clear_cache((char *)to, (char *)to + size);
	prefix(1, 16 + 48);
	put32((uint32_t)getpid());
	put32((uint32_t)syscall(SYS_gettid));
	put64(addr_of(to)); /* vma */
	put64(addr_of(from));
	put64(addr_of(to));
	put64(size);
	put64(index);
	fflush(dump);
	memset(from, 0xcc, size); /* the old copy is gone */
	printf("move %llu 0x%llx 0x%llx %zu\n", (unsigned long long)index,
	       (unsigned long long)addr_of(from), (unsigned long long)addr_of(to), size);
}

typedef void (*jit_fn)(void *arg);

/* Calls f(arg) until ms milliseconds have passed. */
__attribute__((noinline)) static void run_for(unsigned char *f, void *arg, unsigned ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000u;
	jit_fn fn;
	memcpy(&fn, &f, sizeof fn);
	while (now_ns() < end)
		fn(arg);
}

int main(int argc, char **argv)
{
	unsigned ms = argc > 1 ? (unsigned)atoi(argv[1]) : 100;
	char path[64];
	snprintf(path, sizeof path, "jit-%d.dump", (int)getpid());
	dump = fopen(path, "w+");
	if (!dump)
		return 1;
	/* header: magic, version, total_size, elf_mach, pad1, pid, timestamp, flags */
	put32(0x4A695444);
	put32(1);
	put32(40);
	put32(EM_X86_64);
	put32(0);
	put32((uint32_t)getpid());
	put64(now_ns());
	put64(0);
	fflush(dump);
	long page = sysconf(_SC_PAGESIZE);
	void *marker = mmap(NULL, (size_t)page, PROT_READ | PROT_EXEC, MAP_PRIVATE, fileno(dump), 0);
	unsigned char *r = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE | PROT_EXEC,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (marker == MAP_FAILED || r == MAP_FAILED)
		return 1;
	memset(r, 0xcc, 0x2000);

	static const uint32_t lines[] = {10, 11, 12}, offsets[] = {0, 4, 13};
	code_debug(r + 0x100, "compute.wat", lines, offsets, 3);
	uint64_t wf7 = code_load("wasm-function[7]", r + 0x100, code_add_loop, code_add_loop_end);
	code_load("aot_func#3", r + 0x200, code_lcg_loop, code_lcg_loop_end);
	code_load("spin_driver", r + 0x300, code_driver, code_driver_end);
	run_for(r + 0x100, NULL, ms);
	run_for(r + 0x200, NULL, ms);
	run_for(r + 0x300, r + 0x100, ms);

	code_move(wf7, r + 0x100, r + 0x1000, (size_t)(code_add_loop_end - code_add_loop));
	run_for(r + 0x300, r + 0x1000, ms);

	memset(r + 0x200, 0xcc, 0x100); /* aot_func#3 freed, its memory reused */
	code_load("wasm-function[12]", r + 0x200, code_xor_loop, code_xor_loop_end);
	run_for(r + 0x200, NULL, ms);

	prefix(3, 16);
	fclose(dump);
	printf("close\n");
	return 0;
}
