/* prog.c - the profiled program of testdata/fold-perfdata-kinds: frame
 * pointers, a few levels of its own functions, calls into libc (snprintf,
 * malloc/free, memset, qsort calling back into the program) and into the
 * kernel (write, getpid, nanosleep), a second thread and a forked child (so
 * that sched:* tracepoints fire: switch, wakeup, fork, exit, wait), and
 * probe_target for a uprobe (perf probe -x prog probe_target round).
 * usage: prog [rounds]   (gcc -O1 -g -fno-omit-frame-pointer -pthread) */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

__attribute__((noinline)) unsigned long probe_target(unsigned long round)
{
	sink += round;
	return sink;
}

__attribute__((noinline)) static unsigned long leaf(unsigned long x)
{
	for (int i = 0; i < 3000; i++)
		x = x * 6364136223846793005ul + 1442695040888963407ul;
	return x;
}

__attribute__((noinline)) static unsigned long middle(unsigned long x)
{
	return leaf(x) ^ leaf(x + 1);
}

__attribute__((noinline)) static unsigned long compute(unsigned long seed)
{
	unsigned long s = 0;
	for (int i = 0; i < 40; i++)
		s += middle(seed + (unsigned long)i);
	return s;
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
	return x < y ? -1 : x > y;
}

__attribute__((noinline)) static unsigned long mem_work(unsigned long seed)
{
	size_t n = 4096;
	unsigned long *v = malloc(n * sizeof *v);
	memset(v, 0, n * sizeof *v);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245ul + 12345ul;
		v[i] = seed >> 7;
	}
	qsort(v, n, sizeof *v, cmp_ulong);
	unsigned long r = v[n / 2];
	free(v);
	return r;
}

__attribute__((noinline)) static void io_work(int fd, unsigned long round)
{
	char line[256];
	for (int i = 0; i < 200; i++) {
		int n = snprintf(line, sizeof line, "round %lu step %d pid %ld value %.3f\n", round,
				 i, (long)syscall(SYS_getpid), (double)sink / 7.0);
		if (write(fd, line, (size_t)n) < 0)
			break;
	}
}

__attribute__((noinline)) static void one_round(int fd, unsigned long r)
{
	sink += compute(sink + r);
	sink += mem_work(sink);
	io_work(fd, r);
	probe_target(r);
}

static void *worker(void *arg)
{
	long rounds = (long)arg;
	for (long r = 0; r < rounds; r++)
		sink += compute(sink ^ (unsigned long)r);
	return NULL;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 100;
	struct timespec ts = {0, 1000000};
	int fd = open("/dev/null", O_WRONLY);
	pthread_t th;
	pthread_create(&th, NULL, worker, (void *)(rounds / 2));
	pid_t pid = fork();
	if (pid == 0) {
		for (long r = 0; r < rounds / 10; r++)
			one_round(fd, (unsigned long)r);
		_exit(0);
	}
	for (long r = 0; r < rounds; r++) {
		one_round(fd, (unsigned long)r);
		if (r % 4 == 0)
			nanosleep(&ts, NULL);
	}
	pthread_join(th, NULL);
	waitpid(pid, NULL, 0);
	printf("%lu\n", sink);
	return 0;
}
