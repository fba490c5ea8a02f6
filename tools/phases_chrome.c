/* phases_chrome.c - the phase rows as Chrome trace-event JSON (the "JSON
 * Array/Object Format" of the Trace Event Format document, which Perfetto
 * and chrome://tracing open): a process track per pid whose main-thread
 * track holds the phases as complete ("X") events, nested as they nest;
 * every thread that had a sample or probe named ("M" thread_name); probe
 * hits as thread-scoped instant ("i") events. Times in microseconds with
 * the nanoseconds kept as decimals; every event has ph, ts, pid and tid
 * (metadata at ts 0), names are valid UTF-8 whatever the comm's bytes
 * (ph_json_escape). Checked by testdata/phases-trace/check_trace.py. */
#include <inttypes.h>
#include <stdio.h>

#include "phases_run.h"

static void us(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03" PRIu64, ns / 1000, ns % 1000);
}

static void sep(FILE *f, bool *first)
{
	fputs(*first ? "\n" : ",\n", f);
	*first = false;
}

int phases_write_chrome(FILE *f, const struct ph_model *m, const struct phases_probe_hit *hits,
			size_t nhits, const struct phases_thread *threads, size_t nthreads)
{
	const struct ph_row *rows;
	const struct ph_process *procs;
	ph_model_rows(m, &rows);
	size_t nprocs = ph_model_processes(m, &procs);
	bool first = true;
	fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[", f);
	for (size_t i = 0; i < nprocs; i++) {
		const struct ph_process *p = &procs[i];
		sep(f, &first);
		fprintf(f, "{\"name\":\"process_name\",\"ph\":\"M\",\"ts\":0,\"pid\":%d,\"tid\":%d,\"args\":{\"name\":\"",
			(int)p->pid, (int)p->pid);
		ph_json_escape(f, p->comm ? p->comm : "");
		fprintf(f, " (%d)%s%s\"}}", (int)p->pid, p->rules ? ", preset " : "", p->rules ? p->rules : "");
		for (size_t k = p->first_row; k < p->first_row + p->nrows; k++) {
			const struct ph_row *r = &rows[k];
			if (!r->present || r->kind != PH_ROW_PHASE)
				continue;
			sep(f, &first);
			fputs("{\"name\":\"", f);
			ph_json_escape(f, r->phase);
			fputs("\",\"cat\":\"phase\",\"ph\":\"X\",\"ts\":", f);
			us(f, r->start_ns);
			fputs(",\"dur\":", f);
			us(f, r->end_ns - r->start_ns);
			fprintf(f, ",\"pid\":%d,\"tid\":%d,\"args\":{\"samples\":%" PRIu64, (int)p->pid,
				(int)p->pid, r->samples);
			for (int c = 0; c < PH_NCAT; c++)
				fprintf(f, ",\"%s\":%" PRIu64, ph_category_name(c), r->cat_samples[c]);
			fputs("}}", f);
		}
	}
	for (size_t i = 0; i < nthreads; i++) {
		sep(f, &first);
		fprintf(f, "{\"name\":\"thread_name\",\"ph\":\"M\",\"ts\":0,\"pid\":%d,\"tid\":%d,\"args\":{\"name\":\"",
			(int)threads[i].pid, (int)threads[i].tid);
		ph_json_escape(f, threads[i].comm ? threads[i].comm : "");
		fputs("\"}}", f);
	}
	for (size_t i = 0; i < nhits; i++) {
		sep(f, &first);
		fputs("{\"name\":\"", f);
		ph_json_escape(f, hits[i].name);
		fputs("\",\"cat\":\"probe\",\"ph\":\"i\",\"s\":\"t\",\"ts\":", f);
		us(f, hits[i].time_ns);
		fprintf(f, ",\"pid\":%d,\"tid\":%d}", (int)hits[i].pid, (int)hits[i].tid);
	}
	fputs("\n]}\n", f);
	return ferror(f) ? WP_E_IO : 0;
}
