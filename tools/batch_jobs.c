/* batch_jobs.c - wasmperf-batch's workers: one forked process per job, at
 * most N at a time. A process, not a thread: the pipelines a job runs
 * print their messages to stderr (here the job's own log) and keep
 * per-call state they were never meant to share; a job that crashes or
 * aborts fails its row, not the batch. fork() without exec: the child runs
 * the same code, so there is no second binary to find. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"

unsigned batch_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 && n < 1024 ? (unsigned)n : 1;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "[3/8] wamr-jit--compute, 4 s left", overwriting itself on a terminal. */
static void progress(const struct batch_jobs *j, size_t done, const char *current, double start)
{
	double spent = now() - start;
	char left[48] = "";
	if (done > 0 && done < j->n)
		snprintf(left, sizeof left, ", %.0f s left", spent / (double)done * (double)(j->n - done));
	fprintf(stderr, "\r\033[K[%zu/%zu] %.60s%s", done, j->n, current ? current : "", left);
	fflush(stderr);
}

/* The child: stderr to the log, the job, _exit (no atexit handlers or
 * stdio buffers of the parent run twice). */
static void child(const struct batch_jobs *j, size_t i)
{
	char *log = j->log_path(j->ctx, i);
	int fd = log ? open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
	if (fd >= 0) {
		dup2(fd, 2);
		close(fd);
	}
	free(log);
	int status = j->job(j->ctx, i);
	fflush(NULL);
	_exit(status & 0x7f);
}

static int exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	return 128 + (WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
}

int batch_jobs_run(const struct batch_jobs *j, const char *prog)
{
	pid_t *pids = calloc(j->n ? j->n : 1, sizeof *pids);
	if (!pids) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	unsigned max = j->jobs ? j->jobs : 1;
	size_t next = 0, running = 0, done = 0;
	double start = now();
	int rc = 0;
	fflush(NULL); /* nothing buffered is written twice by the children */
	while (done < j->n) {
		while (next < j->n && running < max) {
			pid_t pid = fork();
			if (pid == 0)
				child(j, next);
			if (pid < 0) {
				if (running > 0)
					break; /* wait for one, then try again */
				fprintf(stderr, "%s: cannot start a worker: %s\n", prog, strerror(errno));
				rc = -1;
				goto out;
			}
			pids[next++] = pid;
			running++;
		}
		if (j->progress)
			progress(j, done, j->label(j->ctx, next - 1), start);
		int wstatus;
		pid_t pid = waitpid(-1, &wstatus, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0) {
			fprintf(stderr, "%s: waiting for the workers: %s\n", prog, strerror(errno));
			rc = -1;
			break;
		}
		for (size_t i = 0; i < next; i++) {
			if (pids[i] != pid)
				continue;
			pids[i] = 0;
			running--;
			done++;
			j->done(j->ctx, i, exit_status(wstatus));
		}
	}
out:
	if (j->progress)
		fputs("\r\033[K", stderr);
	free(pids);
	return rc;
}

/* Warnings and notes are not the error: "PROG: warning: ...". */
static bool is_warning(const char *line)
{
	return strstr(line, ": warning") || strstr(line, ": note:") || !strncmp(line, "warning", 7) ||
	       !strncmp(line, "note", 4);
}

char *batch_log_error(const char *log_path, const char *fallback)
{
	char *text = NULL, *found = NULL;
	size_t len;
	if (wp_read_file(log_path, 1u << 20, &text, &len) == 0) {
		/* the last error line: the one that stopped the run */
		for (char *line = text, *next; line && *line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			if (*line && !is_warning(line))
				found = line;
		}
	}
	char *error = strdup(found ? found : fallback);
	free(text);
	return error;
}
