/* compare.c - WarpDiff's cross-runtime analysis and a robust log-ratio
 * view, over a benchmark x runtime matrix of times (see phases.h).
 *
 * WarpDiff (analyze_performance.py; ../shared/research/phases.md section 2):
 * each benchmark's vector over the runtimes is L2-normalised (sklearn's
 * normalize), the centre is the plain mean of those unit vectors (not
 * re-normalised), a benchmark's distance is its Euclidean distance to the
 * centre, a runtime's signed deviation is its component minus the
 * centre's. WarpDiff drops a case with a missing value silently; here the
 * benchmark is kept out of the centre and the ranking and says why.
 *
 * The log view (research section 8): one runtime at 20x the others
 * dominates every unit vector, so the fast runtimes' differences vanish.
 * In log space each benchmark's value is the runtime's log-ratio to the
 * benchmark's median; the centre is each runtime's median log-ratio over
 * the benchmarks (its usual ratio), robust to a few outlying benchmarks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phases.h"

struct ph_compare {
	size_t nbench, nrt;
	double *cell;        /* nbench x nrt inputs, NAN = missing */
	double *value;       /* normalised components / log-ratios */
	double *centre;      /* nrt */
	double *distance;    /* nbench */
	int *state;          /* nbench: enum ph_compare_state */
	size_t *order;       /* included benchmarks, most distant first */
	size_t nordered;
	enum ph_compare_mode mode;
	bool done;
};

int ph_compare_new(struct ph_compare **out, size_t nbench, size_t nruntimes)
{
	*out = NULL;
	if (nruntimes == 0 || nbench > SIZE_MAX / 8 / (nruntimes + 1))
		return WP_E_USAGE;
	struct ph_compare *c = calloc(1, sizeof *c);
	if (!c)
		return WP_E_NOMEM;
	c->nbench = nbench;
	c->nrt = nruntimes;
	size_t cells = nbench * nruntimes;
	c->cell = malloc((cells ? cells : 1) * sizeof *c->cell);
	c->value = calloc(cells ? cells : 1, sizeof *c->value);
	c->centre = calloc(nruntimes, sizeof *c->centre);
	c->distance = calloc(nbench ? nbench : 1, sizeof *c->distance);
	c->state = calloc(nbench ? nbench : 1, sizeof *c->state);
	c->order = calloc(nbench ? nbench : 1, sizeof *c->order);
	if (!c->cell || !c->value || !c->centre || !c->distance || !c->state || !c->order) {
		ph_compare_free(c);
		return WP_E_NOMEM;
	}
	for (size_t i = 0; i < cells; i++)
		c->cell[i] = NAN;
	*out = c;
	return 0;
}

void ph_compare_free(struct ph_compare *c)
{
	if (!c)
		return;
	free(c->cell);
	free(c->value);
	free(c->centre);
	free(c->distance);
	free(c->state);
	free(c->order);
	free(c);
}

int ph_compare_set(struct ph_compare *c, size_t bench, size_t runtime, double value)
{
	if (bench >= c->nbench || runtime >= c->nrt || !isfinite(value) || value < 0 || c->done)
		return WP_E_USAGE;
	c->cell[bench * c->nrt + runtime] = value;
	return 0;
}

/* Why a benchmark cannot be compared in this mode, or PH_COMPARE_OK. */
static enum ph_compare_state bench_state(const struct ph_compare *c, size_t b)
{
	const double *v = c->cell + b * c->nrt;
	double sum = 0;
	for (size_t r = 0; r < c->nrt; r++) {
		if (isnan(v[r]))
			return PH_COMPARE_MISSING;
		if (c->mode == PH_COMPARE_LOG && v[r] <= 0)
			return PH_COMPARE_ZERO;
		sum += v[r];
	}
	return sum > 0 ? PH_COMPARE_OK : PH_COMPARE_ZERO;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The median of n values (sorted in place); n > 0. */
static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void normalise_l2(struct ph_compare *c, size_t b)
{
	const double *v = c->cell + b * c->nrt;
	double *n = c->value + b * c->nrt, norm = 0;
	for (size_t r = 0; r < c->nrt; r++)
		norm += v[r] * v[r];
	norm = sqrt(norm);
	for (size_t r = 0; r < c->nrt; r++)
		n[r] = v[r] / norm;
}

/* scratch: nrt doubles. */
static void log_ratios(struct ph_compare *c, size_t b, double *scratch)
{
	const double *v = c->cell + b * c->nrt;
	double *l = c->value + b * c->nrt;
	memcpy(scratch, v, c->nrt * sizeof *v);
	double med = median(scratch, c->nrt);
	for (size_t r = 0; r < c->nrt; r++)
		l[r] = log(v[r] / med);
}

/* The centre over the included benchmarks: the mean (L2, as WarpDiff) or
 * the median (log) per runtime. scratch: nbench doubles. */
static void centre(struct ph_compare *c, double *scratch)
{
	for (size_t r = 0; r < c->nrt; r++) {
		size_t k = 0;
		double sum = 0;
		for (size_t b = 0; b < c->nbench; b++) {
			if (c->state[b] != PH_COMPARE_OK)
				continue;
			scratch[k++] = c->value[b * c->nrt + r];
			sum += c->value[b * c->nrt + r];
		}
		if (k == 0)
			c->centre[r] = NAN;
		else
			c->centre[r] = c->mode == PH_COMPARE_L2 ? sum / (double)k : median(scratch, k);
	}
}

struct ranked {
	double distance;
	size_t bench;
};

/* Most distant first; equal distances keep the benchmarks' order. */
static int by_distance(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->distance != y->distance)
		return x->distance < y->distance ? 1 : -1;
	return (x->bench > y->bench) - (x->bench < y->bench);
}

static int rank(struct ph_compare *c)
{
	struct ranked *r = malloc((c->nbench ? c->nbench : 1) * sizeof *r);
	if (!r)
		return WP_E_NOMEM;
	c->nordered = 0;
	for (size_t b = 0; b < c->nbench; b++)
		if (c->state[b] == PH_COMPARE_OK)
			r[c->nordered++] = (struct ranked){c->distance[b], b};
	qsort(r, c->nordered, sizeof *r, by_distance);
	for (size_t i = 0; i < c->nordered; i++)
		c->order[i] = r[i].bench;
	free(r);
	return 0;
}

int ph_compare_run(struct ph_compare *c, enum ph_compare_mode mode)
{
	if (c->done || (mode != PH_COMPARE_L2 && mode != PH_COMPARE_LOG))
		return WP_E_USAGE;
	c->mode = mode;
	size_t scratch_n = c->nbench > c->nrt ? c->nbench : c->nrt;
	double *scratch = malloc((scratch_n ? scratch_n : 1) * sizeof *scratch);
	if (!scratch)
		return WP_E_NOMEM;
	for (size_t b = 0; b < c->nbench; b++) {
		c->state[b] = bench_state(c, b);
		if (c->state[b] != PH_COMPARE_OK)
			continue;
		if (mode == PH_COMPARE_L2)
			normalise_l2(c, b);
		else
			log_ratios(c, b, scratch);
	}
	centre(c, scratch);
	free(scratch);
	for (size_t b = 0; b < c->nbench; b++) {
		double d = 0;
		for (size_t r = 0; c->state[b] == PH_COMPARE_OK && r < c->nrt; r++) {
			double dev = c->value[b * c->nrt + r] - c->centre[r];
			d += dev * dev;
		}
		c->distance[b] = c->state[b] == PH_COMPARE_OK ? sqrt(d) : NAN;
	}
	int rc = rank(c);
	c->done = rc == 0;
	return rc;
}

enum ph_compare_state ph_compare_state(const struct ph_compare *c, size_t bench)
{
	return c->done && bench < c->nbench ? (enum ph_compare_state)c->state[bench]
					    : PH_COMPARE_MISSING;
}

double ph_compare_value(const struct ph_compare *c, size_t bench, size_t runtime)
{
	if (ph_compare_state(c, bench) != PH_COMPARE_OK || runtime >= c->nrt)
		return NAN;
	return c->value[bench * c->nrt + runtime];
}

double ph_compare_centre(const struct ph_compare *c, size_t runtime)
{
	return c->done && runtime < c->nrt ? c->centre[runtime] : NAN;
}

double ph_compare_deviation(const struct ph_compare *c, size_t bench, size_t runtime)
{
	return ph_compare_value(c, bench, runtime) - ph_compare_centre(c, runtime);
}

double ph_compare_distance(const struct ph_compare *c, size_t bench)
{
	return ph_compare_state(c, bench) == PH_COMPARE_OK ? c->distance[bench] : NAN;
}

size_t ph_compare_most_deviant(const struct ph_compare *c, size_t bench)
{
	size_t best = SIZE_MAX;
	double most = -1;
	for (size_t r = 0; ph_compare_state(c, bench) == PH_COMPARE_OK && r < c->nrt; r++) {
		double dev = fabs(ph_compare_deviation(c, bench, r));
		if (dev > most) {
			most = dev;
			best = r;
		}
	}
	return best;
}

size_t ph_compare_ranking(const struct ph_compare *c, const size_t **order)
{
	*order = c->order;
	return c->done ? c->nordered : 0;
}

const char *ph_compare_state_name(enum ph_compare_state s)
{
	switch (s) {
	case PH_COMPARE_OK: return "ok";
	case PH_COMPARE_MISSING: return "a runtime has no value";
	case PH_COMPARE_ZERO: return "a value is zero";
	}
	return "?";
}
