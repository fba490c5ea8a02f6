/* test_compare.c - phases/compare.c alone: WarpDiff's analysis on the
 * matrix of ../shared/phases/matrix (the perf exec -> last exit and
 * /usr/bin/time bases of its expected-comparison.txt, whose vectors are
 * copied below), the log-ratio view on a hand-computed matrix, ranking
 * ties, and benchmarks left out for a missing or zero cell. */
#include <math.h>

#include "check.h"
#include "phases.h"

#define NEAR(got, want) CHECK(fabs((got) - (want)) < 1e-6)

/* runtimes in order: wamr-aot, wamr-jit, wamr-interp, node-v8 */
static const double exec_exit_s[2][4] = {
	{0.323409590, 0.981948099, 5.888264584, 0.392590610}, /* compute */
	{0.292034815, 0.774064500, 7.083264110, 0.422808878}, /* trees */
};
static const double wall_s[2][4] = {
	{0.32, 0.99, 5.89, 0.39},
	{0.29, 0.77, 7.08, 0.42},
};

static struct ph_compare *matrix(const double v[2][4], double scale)
{
	struct ph_compare *c;
	CHECK(ph_compare_new(&c, 2, 4) == 0);
	for (size_t b = 0; b < 2; b++)
		for (size_t r = 0; r < 4; r++)
			CHECK(ph_compare_set(c, b, r, v[b][r] * scale) == 0);
	return c;
}

static void test_warpdiff_exec_exit(void)
{
	/* in ns, as summary.tsv has them: normalising removes the unit */
	struct ph_compare *c = matrix(exec_exit_s, 1e9);
	CHECK(ph_compare_run(c, PH_COMPARE_L2) == 0);
	const double n[2][4] = {{0.053981, 0.163898, 0.982817, 0.065528},
				{0.040879, 0.108353, 0.991507, 0.059184}};
	const double centre[4] = {0.047430, 0.136125, 0.987162, 0.062356};
	const double dev[2][4] = {{+0.006551, +0.027773, -0.004345, +0.003172},
				  {-0.006551, -0.027773, +0.004345, -0.003172}};
	for (size_t r = 0; r < 4; r++) {
		NEAR(ph_compare_centre(c, r), centre[r]);
		for (size_t b = 0; b < 2; b++) {
			NEAR(ph_compare_value(c, b, r), n[b][r]);
			NEAR(ph_compare_deviation(c, b, r), dev[b][r]);
		}
	}
	NEAR(ph_compare_distance(c, 0), 0.029038);
	NEAR(ph_compare_distance(c, 1), 0.029038);
	CHECK(ph_compare_most_deviant(c, 0) == 1); /* wamr-jit (+0.027773) */
	CHECK(ph_compare_most_deviant(c, 1) == 1); /* wamr-jit (-0.027773) */
	const size_t *order;
	CHECK(ph_compare_ranking(c, &order) == 2);
	CHECK(ph_compare_state(c, 0) == PH_COMPARE_OK);
	CHECK(ph_compare_run(c, PH_COMPARE_L2) == WP_E_USAGE); /* once */
	CHECK(ph_compare_set(c, 0, 0, 1) == WP_E_USAGE);       /* after run */
	ph_compare_free(c);
}

static void test_warpdiff_wall(void)
{
	struct ph_compare *c = matrix(wall_s, 1);
	CHECK(ph_compare_run(c, PH_COMPARE_L2) == 0);
	NEAR(ph_compare_distance(c, 0), 0.029866);
	NEAR(ph_compare_deviation(c, 0, 0), +0.006386);
	NEAR(ph_compare_deviation(c, 0, 1), +0.028663);
	NEAR(ph_compare_deviation(c, 1, 2), +0.004464);
	NEAR(ph_compare_deviation(c, 1, 3), -0.003121);
	NEAR(ph_compare_centre(c, 2), 0.987131);
	ph_compare_free(c);
}

/* A: [1 2 4], B: [1 2 8], C: [2 2 4]; medians 2, 2, 2. Log-ratios
 * A [-ln2 0 ln2], B [-ln2 0 ln4], C [0 0 ln2]; centre (medians) [-ln2 0
 * ln2]; distances A 0, B ln2, C ln2: ranked B, C (a tie, index order), A. */
static void test_log_ratio(void)
{
	const double v[3][3] = {{1, 2, 4}, {1, 2, 8}, {2, 2, 4}};
	struct ph_compare *c;
	CHECK(ph_compare_new(&c, 3, 3) == 0);
	for (size_t b = 0; b < 3; b++)
		for (size_t r = 0; r < 3; r++)
			ph_compare_set(c, b, r, v[b][r]);
	CHECK(ph_compare_run(c, PH_COMPARE_LOG) == 0);
	double ln2 = log(2);
	NEAR(ph_compare_value(c, 0, 0), -ln2);
	NEAR(ph_compare_value(c, 1, 2), 2 * ln2);
	NEAR(ph_compare_centre(c, 0), -ln2);
	NEAR(ph_compare_centre(c, 1), 0);
	NEAR(ph_compare_centre(c, 2), ln2);
	NEAR(ph_compare_distance(c, 0), 0);
	NEAR(ph_compare_distance(c, 1), ln2);
	NEAR(ph_compare_distance(c, 2), ln2);
	NEAR(ph_compare_deviation(c, 1, 2), ln2);
	NEAR(ph_compare_deviation(c, 2, 0), ln2);
	CHECK(ph_compare_most_deviant(c, 1) == 2);
	CHECK(ph_compare_most_deviant(c, 2) == 0);
	const size_t *order;
	CHECK(ph_compare_ranking(c, &order) == 3);
	CHECK(order[0] == 1 && order[1] == 2 && order[2] == 0);
	ph_compare_free(c);
}

/* The log view is not dominated by the slow runtime: a fast runtime
 * twice as slow as usual on one benchmark stands out there (a median of 5
 * runtimes that one slow cell does not move), while under L2 its deviation
 * is a few hundredths. */
static void test_log_not_dominated(void)
{
	const double v[4][5] = {{1, 1, 1, 1, 20}, {1, 1, 1, 1, 20}, {1, 2, 1, 1, 20}, {1, 1, 1, 1, 20}};
	struct ph_compare *l2, *lg;
	CHECK(ph_compare_new(&l2, 4, 5) == 0 && ph_compare_new(&lg, 4, 5) == 0);
	for (size_t b = 0; b < 4; b++)
		for (size_t r = 0; r < 5; r++) {
			ph_compare_set(l2, b, r, v[b][r]);
			ph_compare_set(lg, b, r, v[b][r]);
		}
	CHECK(ph_compare_run(l2, PH_COMPARE_L2) == 0 && ph_compare_run(lg, PH_COMPARE_LOG) == 0);
	CHECK(fabs(ph_compare_deviation(l2, 2, 1)) < 0.05);
	NEAR(ph_compare_deviation(lg, 2, 1), log(2));
	CHECK(ph_compare_most_deviant(lg, 2) == 1);
	const size_t *order;
	CHECK(ph_compare_ranking(lg, &order) == 4 && order[0] == 2);
	ph_compare_free(l2);
	ph_compare_free(lg);
}

/* A missing cell or a zero vector leaves the benchmark out, with a
 * reason; the others are compared among themselves. */
static void test_missing(void)
{
	struct ph_compare *c;
	CHECK(ph_compare_new(&c, 4, 2) == 0);
	ph_compare_set(c, 0, 0, 1);
	ph_compare_set(c, 0, 1, 1);
	ph_compare_set(c, 1, 0, 3);       /* runtime 1 never ran benchmark 1 */
	ph_compare_set(c, 2, 0, 0);
	ph_compare_set(c, 2, 1, 0);       /* all zero: no direction */
	ph_compare_set(c, 3, 0, 1);
	ph_compare_set(c, 3, 1, 0);       /* fine for L2 */
	CHECK(ph_compare_set(c, 3, 1, -1) == WP_E_USAGE);
	CHECK(ph_compare_set(c, 3, 1, NAN) == WP_E_USAGE);
	CHECK(ph_compare_set(c, 4, 0, 1) == WP_E_USAGE);
	CHECK(ph_compare_run(c, PH_COMPARE_L2) == 0);
	CHECK(ph_compare_state(c, 0) == PH_COMPARE_OK);
	CHECK(ph_compare_state(c, 1) == PH_COMPARE_MISSING);
	CHECK(ph_compare_state(c, 2) == PH_COMPARE_ZERO);
	CHECK(ph_compare_state(c, 3) == PH_COMPARE_OK);
	CHECK(isnan(ph_compare_distance(c, 1)) && isnan(ph_compare_deviation(c, 1, 0)));
	CHECK(ph_compare_most_deviant(c, 1) == SIZE_MAX);
	/* centre of [0.7071 0.7071] and [1 0] */
	NEAR(ph_compare_centre(c, 0), (sqrt(0.5) + 1) / 2);
	const size_t *order;
	CHECK(ph_compare_ranking(c, &order) == 2);
	CHECK_STR(ph_compare_state_name(PH_COMPARE_MISSING), "a runtime has no value");
	ph_compare_free(c);

	/* LOG: a zero cannot be a ratio */
	CHECK(ph_compare_new(&c, 1, 2) == 0);
	ph_compare_set(c, 0, 0, 1);
	ph_compare_set(c, 0, 1, 0);
	CHECK(ph_compare_run(c, PH_COMPARE_LOG) == 0);
	CHECK(ph_compare_state(c, 0) == PH_COMPARE_ZERO);
	CHECK(isnan(ph_compare_centre(c, 0)));
	ph_compare_free(c);

	CHECK(ph_compare_new(&c, 1, 0) == WP_E_USAGE && c == NULL);
	ph_compare_free(NULL);
}

int main(void)
{
	test_warpdiff_exec_exit();
	test_warpdiff_wall();
	test_log_ratio();
	test_log_not_dominated();
	test_missing();
	return check_report();
}
