/* longmap.c - a tiny x86_64 "JIT" with very long symbol names in its
 * /tmp/perf-PID.map, for testdata/perfmap-long (see gen.sh). Static, no
 * libc (every frame of its stacks is in this file or in the JIT region,
 * so the fixture folds the same on any machine): it maps an anonymous
 * executable region R, copies one small spinning function (with a frame
 * pointer, so perf -g unwinds through it) to R + i * 0x100 for each name
 * below, writes the map, then calls each copy but the last in turn (150
 * rounds of 5 x 2^20 iterations, about 0.3 s).
 *
 *   R+0x000  short_jit_fn                 12 bytes
 *   R+0x100  L4097_abcd...              4097 bytes (over the old 4096 cap)
 *   R+0x200  L20000_abcd...            20000 bytes (issue 9, point 5)
 *   R+0x300  L65536_abcd...            65536 bytes (the cap: kept)
 *   R+0x400  L65537_abcd...            65537 bytes (over the cap: skipped)
 *   R+0x500  L100000_abcd...          100000 bytes (over the cap: skipped;
 *                                              in the map only, never run)
 *   line 7: "this is not a map line"  (malformed)
 *
 * Names: "L<length>_" then "abcdefghijklmnopqrstuvwxyz0123456789" repeated
 * up to <length> bytes. usage: longmap (no arguments) */
#include <stddef.h>
#include <stdint.h>

__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	xor %rbp, %rbp\n"
	"	and $-16, %rsp\n"
	"	call main\n"
	"	mov %eax, %edi\n"
	"	mov $60, %eax\n" /* exit */
	"	syscall\n"
	".p2align 4\n"
	"code_spin:\n"
	"	push %rbp\n"
	"	mov %rsp, %rbp\n"
	"	mov $0x100000, %ecx\n"
	"1:	dec %ecx\n"
	"	jnz 1b\n"
	"	pop %rbp\n"
	"	ret\n"
	"code_spin_end:\n");
extern const unsigned char code_spin[], code_spin_end[];

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_mmap 9
#define SYS_getpid 39

static const unsigned lengths[] = {12, 4097, 20000, 65536, 65537, 100000};
#define NFN (sizeof lengths / sizeof lengths[0])
#define NRUN (NFN - 1)

static char line[200000];

static size_t put_hex(char *p, uint64_t v)
{
	char t[16];
	size_t n = 0;
	do
		t[n++] = "0123456789abcdef"[v & 15];
	while (v >>= 4);
	for (size_t i = 0; i < n; i++)
		p[i] = t[n - 1 - i];
	return n;
}

static size_t put_dec(char *p, uint64_t v)
{
	char t[24];
	size_t n = 0;
	do
		t[n++] = (char)('0' + v % 10);
	while (v /= 10);
	for (size_t i = 0; i < n; i++)
		p[i] = t[n - 1 - i];
	return n;
}

static size_t put_str(char *p, const char *s)
{
	size_t n = 0;
	while (s[n]) {
		p[n] = s[n];
		n++;
	}
	return n;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		long w = sys6(SYS_write, fd, (long)p, (long)n, 0, 0, 0);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

int main(void);
int main(void)
{
	unsigned char *r = (unsigned char *)sys6(SYS_mmap, 0, 0x1000, 7 /* rwx */,
						   0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0);
	if ((long)r < 0 && (long)r > -4096)
		return 1;
	size_t code = (size_t)(code_spin_end - code_spin);
	for (size_t i = 0; i < NFN; i++)
		for (size_t k = 0; k < code; k++)
			r[i * 0x100 + k] = code_spin[k];
	char path[64];
	size_t n = put_str(path, "/tmp/perf-");
	n += put_dec(path + n, (uint64_t)sys6(SYS_getpid, 0, 0, 0, 0, 0, 0));
	n += put_str(path + n, ".map");
	path[n] = '\0';
	int fd = (int)sys6(SYS_open, (long)path, 01 | 0100 | 01000 /* O_WRONLY|O_CREAT|O_TRUNC */,
			   0644, 0, 0, 0);
	if (fd < 0)
		return 2;
	static const char filler[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	for (size_t i = 0; i < NFN; i++) {
		n = put_hex(line, (uint64_t)(uintptr_t)(r + i * 0x100));
		line[n++] = ' ';
		n += put_hex(line + n, code);
		line[n++] = ' ';
		size_t name = n;
		if (i == 0) {
			n += put_str(line + n, "short_jit_fn");
		} else {
			line[n++] = 'L';
			n += put_dec(line + n, lengths[i]);
			line[n++] = '_';
			for (size_t k = 0; n - name < lengths[i]; k++)
				line[n++] = filler[k % (sizeof filler - 1)];
		}
		line[n++] = '\n';
		write_all(fd, line, n);
	}
	write_all(fd, "this is not a map line\n", 23);
	sys6(SYS_close, fd, 0, 0, 0, 0, 0);
	typedef void (*fn)(void);
	for (int round = 0; round < 150; round++)
		for (size_t i = 0; i < NRUN; i++)
			((fn)(void *)(r + i * 0x100))();
	return 0;
}
