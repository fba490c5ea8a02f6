/* phases_svg.c - --svg: the phase model's rows as the flame graph library's
 * stacked bars (fg_bars_write_svg), a bar per process. The libraries stay
 * apart: phases/ rows become plain fg_bar values here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"
#include "phases_run.h"

/* Top-level phases that overlap none drawn before them, in rule order
 * (total and WarpDiff's phases cover others), and depth-1 phases. */
static bool drawn(const struct ph_row *rows, size_t first, size_t i)
{
	const struct ph_row *r = &rows[i];
	if (r->kind != PH_ROW_PHASE || !r->present || !strcmp(r->phase, "total"))
		return false;
	if (r->depth > 0)
		return r->depth == 1;
	for (size_t j = first; j < i; j++) {
		const struct ph_row *q = &rows[j];
		if (drawn(rows, first, j) && q->depth == 0 && r->start_ns < q->end_ns &&
		    q->start_ns < r->end_ns)
			return false;
	}
	return true;
}

int phases_write_svg(FILE *f, const struct ph_model *m)
{
	const struct ph_row *rows;
	const struct ph_process *procs;
	ph_model_rows(m, &rows);
	size_t nprocs = ph_model_processes(m, &procs);
	static const char *cats[PH_NCAT];
	for (int c = 0; c < PH_NCAT; c++)
		cats[c] = ph_category_name(c);
	size_t nparts = 0;
	for (size_t p = 0; p < nprocs; p++)
		nparts += procs[p].nrows;
	struct fg_bar *bars = calloc(nprocs ? nprocs : 1, sizeof *bars);
	struct fg_bar_part *parts = calloc(nparts ? nparts : 1, sizeof *parts);
	char (*labels)[96] = calloc(nprocs ? nprocs : 1, sizeof *labels);
	int rc = bars && parts && labels ? 0 : WP_E_NOMEM;
	size_t nbars = 0, np = 0;
	for (size_t p = 0; p < nprocs && !rc; p++) {
		const struct ph_process *pr = &procs[p];
		const struct ph_row *total = NULL;
		for (size_t i = pr->first_row; i < pr->first_row + pr->nrows; i++)
			if (rows[i].kind == PH_ROW_PHASE && rows[i].present &&
			    !strcmp(rows[i].phase, "total"))
				total = &rows[i];
		if (!total || !total->dur_ns)
			continue; /* no exec or no exit: nothing to scale a bar by */
		struct fg_bar *b = &bars[nbars++];
		snprintf(labels[p], sizeof labels[p], "%s (pid %d)", pr->comm, (int)pr->pid);
		*b = (struct fg_bar){.label = labels[p], .start_ns = total->start_ns,
				     .dur_ns = total->dur_ns, .parts = &parts[np]};
		for (size_t i = pr->first_row; i < pr->first_row + pr->nrows; i++) {
			const struct ph_row *r = &rows[i];
			if (!drawn(rows, pr->first_row, i))
				continue;
			parts[np++] = (struct fg_bar_part){
				.name = r->phase, .depth = r->depth, .start_ns = r->start_ns,
				.dur_ns = r->dur_ns, .share = (double)r->dur_ns / (double)total->dur_ns,
				.samples = r->samples, .sub_samples = r->cat_samples,
			};
			b->nparts++;
		}
	}
	struct fg_bars_options o = {.title = "Phases per process", .sub_names = cats,
				    .nsub = PH_NCAT};
	rc = rc ? rc : fg_bars_write_svg(f, &o, bars, nbars);
	free(bars);
	free(parts);
	free(labels);
	return rc;
}
