/* prog.c - the profiled program of the perf.data fixtures: a few hot
 * functions with frame pointers, an exec of /bin/true (sched_process_exec),
 * sleeps (sched_switch) and one function for a uprobe (probe_target). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static volatile unsigned long sink;

__attribute__((noinline)) unsigned long probe_target(unsigned long round)
{
	sink += round;
	return sink;
}

__attribute__((noinline)) static unsigned long leaf(unsigned long x)
{
	for (int i = 0; i < 2000; i++)
		x = x * 6364136223846793005ul + 1442695040888963407ul;
	return x;
}

__attribute__((noinline)) static unsigned long middle(unsigned long x)
{
	return leaf(x) ^ leaf(x + 1);
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 100;
	struct timespec ts = {0, 1000000};
	for (long r = 0; r < rounds; r++) {
		for (int i = 0; i < 200; i++)
			sink += middle(sink + (unsigned long)i);
		probe_target((unsigned long)r);
		nanosleep(&ts, NULL);
	}
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
	printf("%lu\n", sink);
	return 0;
}
