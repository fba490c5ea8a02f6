/* jitemit.c - a tiny "JIT" that writes a real jitdump the way runtimes do,
 * for testdata/jitdump-emit (see gen.sh): it maps a page of its
 * jit-PID.dump PROT_READ|PROT_EXEC (the marker perf records), copies a
 * hand-assembled x86_64 spin loop into anonymous executable memory under
 * several names, and runs each for a while between the records:
 *   t0  CODE_LOAD wasm-function[1] at R+0x100, aot_func#2 at R+0x200
 *   t1  CODE_MOVE wasm-function[1] R+0x100 -> R+0x1000 (old copy wiped)
 *   t2  CODE_LOAD JS:reused-3-turbofan at R+0x200 (the address of aot_func#2)
 *   t3  CODE_CLOSE
 * Timestamps are CLOCK_MONOTONIC (record with perf record -k mono).
 * usage: jitemit [MILLISECONDS per phase, default 300] */
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

static FILE *dump;

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

static void prefix(uint32_t id, uint32_t size)
{
	uint64_t t = now_ns();
	put(&id, 4);
	put(&size, 4);
	put(&t, 8);
}

static uint64_t next_index;

static void code_load(const char *name, void *code, uint64_t size)
{
	uint32_t pid = (uint32_t)getpid(), tid = (uint32_t)syscall(SYS_gettid);
	uint64_t addr = (uint64_t)(uintptr_t)code, index = next_index++;
	prefix(0, (uint32_t)(16 + 40 + strlen(name) + 1 + size));
	put(&pid, 4);
	put(&tid, 4);
	put(&addr, 8); /* vma */
	put(&addr, 8);
	put(&size, 8);
	put(&index, 8);
	put(name, strlen(name) + 1);
	put(code, size);
	fflush(dump);
}

static void code_move(void *from, void *to, uint64_t size, uint64_t index)
{
	uint32_t pid = (uint32_t)getpid(), tid = (uint32_t)syscall(SYS_gettid);
	uint64_t old = (uint64_t)(uintptr_t)from, new = (uint64_t)(uintptr_t)to;
	prefix(1, 16 + 48);
	put(&pid, 4);
	put(&tid, 4);
	put(&new, 8); /* vma */
	put(&old, 8);
	put(&new, 8);
	put(&size, 8);
	put(&index, 8);
	fflush(dump);
}

/* push rbp; mov rbp,rsp; mov ecx,N; 1: dec ecx; jnz 1b; pop rbp; ret */
static const unsigned char spin[] = {0x55, 0x48, 0x89, 0xe5, 0xb9, 0x00, 0x00, 0x10, 0x00,
				     0xff, 0xc9, 0x75, 0xfc, 0x5d, 0xc3};

typedef void (*fn)(void);

__attribute__((noinline)) static void run_for(fn f, unsigned ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000u;
	while (now_ns() < end)
		f();
}

int main(int argc, char **argv)
{
	unsigned ms = argc > 1 ? (unsigned)atoi(argv[1]) : 300;
	char path[64];
	snprintf(path, sizeof path, "jit-%d.dump", (int)getpid());
	dump = fopen(path, "w+");
	if (!dump)
		return 1;
	uint32_t h32[6] = {0x4A695444, 1, 40, EM_X86_64, 0, (uint32_t)getpid()};
	uint64_t h64[2] = {now_ns(), 0};
	put(h32, sizeof h32);
	put(h64, sizeof h64);
	fflush(dump);
	long page = sysconf(_SC_PAGESIZE);
	void *marker = mmap(NULL, (size_t)page, PROT_READ | PROT_EXEC, MAP_PRIVATE, fileno(dump), 0);
	unsigned char *r = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE | PROT_EXEC,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (marker == MAP_FAILED || r == MAP_FAILED)
		return 1;
	memcpy(r + 0x100, spin, sizeof spin);
	memcpy(r + 0x200, spin, sizeof spin);
	code_load("wasm-function[1]", r + 0x100, sizeof spin);
	code_load("aot_func#2", r + 0x200, sizeof spin);
	run_for((fn)(r + 0x100), ms);
	run_for((fn)(r + 0x200), ms);
	memcpy(r + 0x1000, spin, sizeof spin);
	code_move(r + 0x100, r + 0x1000, sizeof spin, 0);
	memset(r + 0x100, 0xcc, sizeof spin);
	run_for((fn)(r + 0x1000), ms);
	code_load("JS:reused-3-turbofan", r + 0x200, sizeof spin);
	run_for((fn)(r + 0x200), ms);
	prefix(3, 16);
	fclose(dump);
	printf("%s\n", path);
	return 0;
}
