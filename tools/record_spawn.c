/* record_spawn.c - running perf and the runtime: posix_spawnp with an argv
 * (never a shell, so no name is ever re-read as shell syntax), the
 * environment plus the run's additions, and Ctrl-C, SIGTERM, SIGHUP and
 * SIGQUIT forwarded to the child while wasmperf record waits, so that it
 * always gets back control to remove its probes. The child's status is
 * returned as a shell gives it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "record.h"

extern char **environ;

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define NFORWARDED (sizeof forwarded / sizeof forwarded[0])

/* The signal handler's only state: the child to forward to, and the last
 * signal seen (a process-wide fact, hence not in a handle). */
static volatile sig_atomic_t child;
static volatile sig_atomic_t last_signal;
static volatile sig_atomic_t shielded; /* the child runs on its own: not told */

static void forward(int sig)
{
	last_signal = sig;
	if (child > 0 && !shielded)
		kill((pid_t)child, sig);
}

int record_last_signal(void) { return last_signal; }

/* environ with NAME=VALUE additions replacing the same NAMEs. */
static char **environment(char *const *add)
{
	size_t n = 0, k = 0;
	while (environ && environ[n])
		n++;
	while (add && add[k])
		k++;
	char **env = calloc(n + k + 1, sizeof *env);
	if (!env)
		return NULL;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		bool replaced = false;
		for (size_t j = 0; j < k && !replaced; j++) {
			const char *eq = strchr(add[j], '=');
			size_t len = eq ? (size_t)(eq - add[j]) + 1 : strlen(add[j]);
			replaced = strncmp(environ[i], add[j], len) == 0;
		}
		if (!replaced)
			env[m++] = environ[i];
	}
	for (size_t j = 0; j < k; j++)
		env[m++] = add[j];
	return env;
}

/* own_group: the child is out of the terminal's reach (Ctrl-C goes to the
 * foreground process group), for the probe commands that must finish. */
static int spawn(pid_t *pid, char *const *argv, char *const *env_add, int out_fd, bool own_group)
{
	char **env = environment(env_add);
	if (!env)
		return ENOMEM;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	sigset_t def;
	sigemptyset(&def);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaddset(&def, forwarded[i]);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | (own_group ? POSIX_SPAWN_SETPGROUP : 0));
	posix_spawnattr_setpgroup(&attr, 0);
	int rc = posix_spawnp(pid, argv[0], &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(env);
	return rc;
}

static int shell_status(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
}

int record_run(char *const *argv, char *const *env_add, bool quiet_out, int *spawn_errno)
{
	return record_run_as(argv, env_add, quiet_out, false, spawn_errno);
}

int record_run_as(char *const *argv, char *const *env_add, bool quiet_out, bool shield,
		  int *spawn_errno)
{
	struct sigaction sa = {.sa_handler = forward}, old[NFORWARDED];
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaction(forwarded[i], &sa, &old[i]);
	int null_fd = quiet_out ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1;
	pid_t pid;
	shielded = shield;
	*spawn_errno = spawn(&pid, argv, env_add, null_fd, shield);
	int status = 127;
	if (!*spawn_errno) {
		child = pid;
		if (last_signal && !shield) /* it came before the child was known */
			kill(pid, last_signal);
		int st;
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR) {
				st = 1 << 8;
				break;
			}
		child = 0;
		status = shell_status(st);
	}
	if (null_fd >= 0)
		close(null_fd);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaction(forwarded[i], &old[i], NULL);
	return status;
}

void record_capture_line(char *const *argv, char *out, size_t size)
{
	out[0] = '\0';
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return;
	pid_t pid;
	int rc = spawn(&pid, argv, NULL, p[1], true);
	close(p[1]);
	if (rc) {
		close(p[0]);
		return;
	}
	size_t n = 0;
	struct pollfd pf = {.fd = p[0], .events = POLLIN};
	/* two seconds at most: a version line is printed at once */
	for (int waited = 0; n + 1 < size && waited < 20 && !memchr(out, '\n', n);) {
		if (poll(&pf, 1, 100) <= 0) {
			waited++;
			continue;
		}
		ssize_t got = read(p[0], out + n, size - 1 - n);
		if (got <= 0)
			break;
		n += (size_t)got;
		out[n] = '\0';
	}
	close(p[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	out[n] = '\0';
	char *nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
}
