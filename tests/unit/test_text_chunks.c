/* test_text_chunks.c - tools/text_chunks.c's jobs of a regular file (the
 * workers pread their own bytes): whatever the chunk size, the jobs in
 * order give back the file byte for byte, there is one per chunk, and
 * each one starts at the file's start or right after a blank line (only
 * blanks before its '\n': where perf script's reader holds no state). A
 * file that ends before the size it was opened with fails the job that
 * reaches its end, with a message naming the file and the offset; an
 * empty file has no jobs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "text_chunks.h"

/* perf script-like text whose separators are every kind of blank line
 * (empty, spaces, tabs, "\r"), some longer than the chunks, with lines of
 * blanks that are not separators (no line start before them), a stretch
 * with no blank line for several chunks, and no newline at the end. */
static size_t make_text(char *buf, size_t cap, unsigned seed)
{
	static const char *blank[] = {"\n", "  \n", "\t\n", "\r\n", " \t \r\n"};
	size_t n = 0;
	for (unsigned i = 0; n + 400 < cap && i < 300; i++) {
		seed = seed * 1103515245u + 12345u;
		n += (size_t)snprintf(buf + n, cap - n, "node %u %u.%06u: 1 cpu-clock:\n", seed % 97, i,
				      seed % 1000000);
		for (unsigned k = 0; k < 1 + seed % 5; k++)
			n += (size_t)snprintf(buf + n, cap - n, "\t    %x f%u (/x)   \n", seed >> 8, k);
		if (i % 37 == 5) /* a long line of blanks: a separator */
			for (unsigned k = 0; k < 90; k++)
				buf[n++] = k % 2 ? ' ' : '\t';
		if (i % 53 < 4) /* no separator for a while */
			continue;
		const char *b = blank[seed % 5];
		memcpy(buf + n, b, strlen(b));
		n += strlen(b);
	}
	n += (size_t)snprintf(buf + n, cap - n, "last 1 9.0: 1 cpu-clock:\n\t    1 end (/x)");
	return n;
}

static bool after_blank_line(const char *t, size_t at)
{
	if (at == 0 || t[at - 1] != '\n')
		return false;
	size_t s = at - 1;
	while (s > 0 && (t[s - 1] == ' ' || t[s - 1] == '\t' || t[s - 1] == '\r'))
		s--;
	return s == 0 || t[s - 1] == '\n';
}

static FILE *file_of(const char *text, size_t n)
{
	FILE *f = tmpfile();
	CHECK(f && fwrite(text, 1, n, f) == n && fflush(f) == 0);
	return f;
}

/* All jobs of a file of `size` bytes (the real one may be shorter), their
 * bytes into out; the number of jobs, *failed_msg the failing job's
 * message (or NULL). */
static unsigned read_jobs(FILE *f, uint64_t size, size_t chunk, char *out, size_t *out_n,
			  uint64_t *starts, const char **failed_msg, char *msg_copy)
{
	struct text_chunks *q = text_chunks_new_file(fileno(f), size, "t.perf", chunk, 2);
	CHECK(q != NULL);
	unsigned jobs = 0;
	*out_n = 0;
	*failed_msg = NULL;
	struct text_job *j;
	while (q && (j = text_chunks_next(q))) {
		CHECK(text_job_seq(j) == jobs);
		const char *p;
		size_t n, before = *out_n;
		int rc;
		while ((rc = text_job_segment(j, &p, &n)) == 1) {
			memcpy(out + *out_n, p, n);
			*out_n += n;
		}
		/* (an empty job's offset means nothing) */
		CHECK(*out_n == before || text_job_first_offset(j) == before);
		starts[jobs++] = *out_n == before ? UINT64_MAX : before;
		CHECK((rc < 0) == text_job_failed(j));
		CHECK((rc < 0) == (text_job_errmsg(j) != NULL));
		if (rc < 0 && !*failed_msg) { /* the first in order: the one a run reports */
			snprintf(msg_copy, 400, "%s", text_job_errmsg(j));
			*failed_msg = msg_copy;
		}
		text_job_done(j);
	}
	text_chunks_free(q);
	return jobs;
}

int main(void)
{
	size_t cap = 64 << 10;
	char *text = malloc(cap), *out = malloc(cap), msg[400];
	uint64_t *starts = malloc(cap * sizeof *starts);
	CHECK(text && out && starts);
	for (unsigned seed = 1; seed <= 4; seed++) {
		size_t n = make_text(text, cap, seed);
		FILE *f = file_of(text, n);
		static const size_t chunks[] = {1, 16, 17, 61, 100, 333, 4096, 1 << 20};
		for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
			size_t chunk = chunks[c] < 16 ? 16 : chunks[c], got;
			const char *failed;
			unsigned jobs = read_jobs(f, n, chunks[c], out, &got, starts, &failed, msg);
			CHECK(failed == NULL);
			CHECK(jobs == (n + chunk - 1) / chunk);
			CHECK(got == n && memcmp(out, text, n) == 0);
			unsigned empty = 0;
			for (unsigned k = 0; k < jobs; k++) {
				if (starts[k] == UINT64_MAX)
					empty++;
				else
					CHECK(k == 0 ? starts[k] == 0 : after_blank_line(text, starts[k]));
			}
			if (chunk < 100) /* the stretches without a blank line */
				CHECK(empty > 0);
		}
		/* the file ends before the size it was opened with */
		size_t got;
		const char *failed;
		read_jobs(f, n + 5000, 4096, out, &got, starts, &failed, msg);
		CHECK(got == n && memcmp(out, text, n) == 0);
		char want[160];
		snprintf(want, sizeof want,
			 "t.perf: offset %zu: the file was cut short while being read (it had %zu "
			 "bytes when opened)", n, n + 5000);
		CHECK(failed && strncmp(failed, want, strlen(want)) == 0);
		fclose(f);
	}
	/* an empty file: no job */
	FILE *f = file_of("", 0);
	size_t got;
	const char *failed;
	CHECK(read_jobs(f, 0, 4096, out, &got, starts, &failed, msg) == 0 && got == 0);
	fclose(f);
	free(text);
	free(out);
	free(starts);
	return check_report();
}
