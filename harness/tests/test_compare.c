// SPDX-License-Identifier: GPL-2.0
/*
 * The statistics of compare/history against hand-computed values, and the
 * quality of the verdict method itself on synthetic runs with a fixed seed.
 * The generator is hierarchical, like real runs: each round draws its own
 * level (between-round CV 5%: a new buffer, layout, machine state) and its
 * samples scatter around it (within-round CV 2%).  Over 200 trials:
 *   A/A: <= 5% flagged, at 5 and at 20 rounds per side;
 *   A/B, true +10%, 20 rounds per side: regressed in >= 95%;
 *   A/B, true +2%, 20 rounds per side: not flagged at the 5% threshold
 *   (<= 5%);
 *   and pooling every sample as if independent (the method this replaced)
 *   flags far more than 5% of the A/A trials at 5 rounds: this is what the
 *   round as unit of replication fixes.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "compare_engine.h"
#include "compare_history.h"
#include "compare_stats.h"
#include "result_load.h"

#define TRIALS 200
#define REPS 10 /* samples, for the tests of single statistics */
#define CV 0.03
#define BETWEEN_CV 0.05 /* spread of round levels */
#define WITHIN_CV 0.02	/* spread of samples inside a round */
#define SAMPLES_PER_ROUND 5
#define MAX_ROUNDS 64

static void normal_samples(struct cs_rng *rng, double mean, double cv, double *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = mean * (1.0 + cv * cs_rng_normal(rng));
}

static void test_median(void **state)
{
	const double odd[] = { 5, 1, 3 };
	const double even[] = { 4, 1, 3, 2 };

	(void)state;
	assert_float_equal(cs_median(odd, 3), 3.0, 0.0);
	assert_float_equal(cs_median(even, 4), 2.5, 0.0);
	assert_true(isnan(cs_median(odd, 0)));
}

/*
 * a = {1,2,3}, b = {4,5,6}: U_a = 0, mean 4.5, var = 3*3/12 * 7 = 5.25,
 * z = (4.5 - 0.5) / sqrt(5.25) = 1.745743, p = erfc(z / sqrt 2) = 0.080856.
 */
static void test_mann_whitney_no_ties(void **state)
{
	const double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };

	(void)state;
	assert_float_equal(cs_mann_whitney_p(a, 3, b, 3), 0.080856, 1e-5);
	/* Symmetric in its arguments. */
	assert_float_equal(cs_mann_whitney_p(b, 3, a, 3), 0.080856, 1e-5);
}

/*
 * a = {1,1,2}, b = {2,3,3}: midranks 1.5 1.5 3.5 | 3.5 5.5 5.5, R_a = 6.5,
 * U_a = 0.5; ties: three pairs, sum(t^3 - t) = 18; var = 9/12 * (7 - 18/30)
 * = 4.8; z = (4 - 0.5) / sqrt(4.8) = 1.597524; p = 0.110149.
 */
static void test_mann_whitney_ties(void **state)
{
	const double a[] = { 1, 1, 2 }, b[] = { 2, 3, 3 };
	const double same[] = { 7, 7, 7 };

	(void)state;
	assert_float_equal(cs_mann_whitney_p(a, 3, b, 3), 0.110149, 1e-5);
	/* Everything tied: no evidence at all. */
	assert_float_equal(cs_mann_whitney_p(same, 3, same, 3), 1.0, 0.0);
	assert_float_equal(cs_mann_whitney_p(a, 0, b, 3), 1.0, 0.0);
}

/*
 * p = {.01, .04, .03, .2}: sorted .01 .03 .04 .2, scaled by 4/rank
 * .04 .06 .0533 .2, running minimum from the top .04 .0533 .0533 .2.
 */
static void test_benjamini_hochberg(void **state)
{
	const double p[] = { 0.01, 0.04, 0.03, 0.2 };
	double adj[4];

	(void)state;
	cs_benjamini_hochberg(p, adj, 4);
	assert_float_equal(adj[0], 0.04, 1e-12);
	assert_float_equal(adj[1], 0.04 * 4 / 3, 1e-12);
	assert_float_equal(adj[2], 0.04 * 4 / 3, 1e-12);
	assert_float_equal(adj[3], 0.2, 1e-12);
}

/*
 * One synthetic run of @rounds rounds around @level: every round gets its
 * own level, its samples scatter around that.  Writes the samples to @all
 * (rounds * SAMPLES_PER_ROUND) and each round's median to @medians.
 */
static void hierarchical_run(struct cs_rng *rng, double level, int rounds, double *all,
			     double *medians)
{
	for (int r = 0; r < rounds; r++) {
		double round_level = level * (1.0 + BETWEEN_CV * cs_rng_normal(rng));

		normal_samples(rng, round_level, WITHIN_CV, all + r * SAMPLES_PER_ROUND,
			       SAMPLES_PER_ROUND);
		medians[r] = cs_median(all + r * SAMPLES_PER_ROUND, SAMPLES_PER_ROUND);
	}
}

/* One synthetic comparison of one metric, through the real verdict code. */
static enum cmp_verdict one_trial(struct cs_rng *rng, int rounds, double shift, bool lower_is_better)
{
	double all_a[MAX_ROUNDS * SAMPLES_PER_ROUND], all_b[MAX_ROUNDS * SAMPLES_PER_ROUND];
	double a[MAX_ROUNDS], b[MAX_ROUNDS];
	size_t run[MAX_ROUNDS] = { 0 };
	struct cmp_side sa = { a, run, (size_t)rounds }, sb = { b, run, (size_t)rounds };
	struct cmp_row row = { .lower_is_better = lower_is_better, .metric = "m" };
	struct cmp_options opt;

	cmp_default_options(&opt);
	hierarchical_run(rng, 1000.0, rounds, all_a, a);
	hierarchical_run(rng, 1000.0 * (1.0 + shift), rounds, all_b, b);
	cmp_metric_stats(&sa, &sb, -1, 0, &opt, &row);
	cmp_decide(&row, 1, &opt);
	return row.verdict;
}

/*
 * The method this replaced, for contrast: every sample pooled as if
 * independent, Mann-Whitney on the pools, and the same effect threshold
 * on the ratio of the pooled medians.  Returns true when it would flag.
 */
static bool pooled_trial(struct cs_rng *rng, int rounds, double shift)
{
	double all_a[MAX_ROUNDS * SAMPLES_PER_ROUND], all_b[MAX_ROUNDS * SAMPLES_PER_ROUND];
	double a[MAX_ROUNDS], b[MAX_ROUNDS], ratio;
	size_t n = (size_t)rounds * SAMPLES_PER_ROUND;

	hierarchical_run(rng, 1000.0, rounds, all_a, a);
	hierarchical_run(rng, 1000.0 * (1.0 + shift), rounds, all_b, b);
	ratio = cs_median(all_b, n) / cs_median(all_a, n);
	return cs_mann_whitney_p(all_a, n, all_b, n) < 0.05 && fabs(ratio - 1.0) > 0.05;
}

static int count_verdict(uint64_t seed, int rounds, double shift, bool lower_is_better,
			 enum cmp_verdict v)
{
	struct cs_rng rng;
	int n = 0;

	cs_rng_seed(&rng, seed);
	for (int t = 0; t < TRIALS; t++)
		n += one_trial(&rng, rounds, shift, lower_is_better) == v;
	return n;
}

static int count_flagged(uint64_t seed, int rounds, double shift)
{
	return count_verdict(seed, rounds, shift, true, CMP_REGRESSED) +
	       count_verdict(seed, rounds, shift, true, CMP_IMPROVED);
}

static void test_quality_aa(void **state)
{
	int at5 = count_flagged(42, 5, 0.0), at20 = count_flagged(42, 20, 0.0);

	(void)state;
	print_message("A/A: %d/%d flagged at 5 rounds per side, %d/%d at 20\n", at5, TRIALS, at20,
		      TRIALS);
	assert_true(at5 <= TRIALS * 5 / 100);
	assert_true(at20 <= TRIALS * 5 / 100);
}

static void test_quality_pooled_fails_aa(void **state)
{
	struct cs_rng rng;
	int flagged = 0;

	(void)state;
	cs_rng_seed(&rng, 42);
	for (int t = 0; t < TRIALS; t++)
		flagged += pooled_trial(&rng, 5, 0.0);
	print_message("A/A, samples pooled (the old method): %d/%d flagged at 5 rounds\n", flagged,
		      TRIALS);
	assert_true(flagged > TRIALS * 5 / 100);
}

static void test_quality_ab_10pct(void **state)
{
	int regressed = count_verdict(43, 20, 0.10, true, CMP_REGRESSED);
	/* The same shift on a higher-is-better metric is an improvement. */
	int improved = count_verdict(43, 20, 0.10, false, CMP_IMPROVED);

	(void)state;
	print_message("A/B +10%%, 20 rounds: %d/%d regressed (lower better), %d/%d improved (higher better)\n",
		      regressed, TRIALS, improved, TRIALS);
	assert_true(regressed >= TRIALS * 95 / 100);
	assert_true(improved >= TRIALS * 95 / 100);
}

static void test_quality_ab_2pct(void **state)
{
	int flagged = count_flagged(44, 20, 0.02);

	(void)state;
	print_message("A/B +2%%, 20 rounds: %d/%d flagged\n", flagged, TRIALS);
	assert_true(flagged <= TRIALS * 5 / 100);
}

/* Operating characteristics for the docs: flag rate by shift and rounds. */
/*
 * pfnlab ab --until-decided, in miniature: both sides drawn up to
 * SEQ_MAX_PAIRS rounds, a look after every pair from the fifth on, a stop
 * at the first look where the metric is decided.  With @spend every look
 * gets its share of alpha (look_fraction), as ab does; without it every
 * look tests at alpha.
 */
#define SEQ_MAX_PAIRS 50

/*
 * @budget_pairs: the pairs the time budget allows, SEQ_MAX_PAIRS when it
 * does not bind; @planned_pairs: what the looks take as the end (ab's
 * cs_look_fraction() knows the budget: @budget_pairs; a rule that only
 * knows --max-pairs: SEQ_MAX_PAIRS).
 */
static enum cmp_verdict sequential_trial(struct cs_rng *rng, double shift, bool spend,
					 int budget_pairs, int planned_pairs)
{
	double all_a[MAX_ROUNDS * SAMPLES_PER_ROUND], all_b[MAX_ROUNDS * SAMPLES_PER_ROUND];
	double a[MAX_ROUNDS], b[MAX_ROUNDS];
	size_t run[MAX_ROUNDS] = { 0 };
	struct cmp_row row = { .lower_is_better = true, .metric = "m" };
	struct cmp_options opt;

	cmp_default_options(&opt);
	hierarchical_run(rng, 1000.0, SEQ_MAX_PAIRS, all_a, a);
	hierarchical_run(rng, 1000.0 * (1.0 + shift), SEQ_MAX_PAIRS, all_b, b);
	for (int n = 5; n <= budget_pairs; n++) {
		struct cmp_side sa = { a, run, (size_t)n }, sb = { b, run, (size_t)n };

		opt.look_fraction = spend ? cs_look_fraction(n, SEQ_MAX_PAIRS, planned_pairs - n) :
					    1.0;
		cmp_metric_stats(&sa, &sb, -1, 0, &opt, &row);
		cmp_decide(&row, 1, &opt);
		if (row.verdict != CMP_UNDECIDED)
			break;
	}
	return row.verdict;
}

static int count_sequential_budget(uint64_t seed, double shift, bool spend, int budget_pairs,
				   int planned_pairs, enum cmp_verdict v)
{
	struct cs_rng rng;
	int n = 0;

	cs_rng_seed(&rng, seed);
	for (int t = 0; t < TRIALS; t++)
		n += sequential_trial(&rng, shift, spend, budget_pairs, planned_pairs) == v;
	return n;
}

static int count_sequential(uint64_t seed, double shift, bool spend, enum cmp_verdict v)
{
	return count_sequential_budget(seed, shift, spend, SEQ_MAX_PAIRS, SEQ_MAX_PAIRS, v);
}

static void test_quality_sequential(void **state)
{
	int aa_spent = count_sequential(7, 0.0, true, CMP_REGRESSED) +
		       count_sequential(7, 0.0, true, CMP_IMPROVED);
	int aa_every = count_sequential(7, 0.0, false, CMP_REGRESSED) +
		       count_sequential(7, 0.0, false, CMP_IMPROVED);
	int ab_spent = count_sequential(8, 0.10, true, CMP_REGRESSED);

	(void)state;
	print_message("until decided: A/A %d/%d flagged with alpha spent per look, %d/%d at alpha every look; +10%% %d/%d regressed\n",
		      aa_spent, TRIALS, aa_every, TRIALS, ab_spent, TRIALS);
	assert_true(aa_spent <= TRIALS * 5 / 100);
	assert_true(aa_every > aa_spent);
	assert_true(ab_spent >= TRIALS * 95 / 100);
	/* The spending function itself: alpha at the end, far less early. */
	assert_true(fabs(cs_obf_alpha(0.05, 1.0) - 0.05) < 1e-12);
	assert_true(fabs(cs_obf_alpha(0.05, 0.5) - 0.0056) < 1e-4);
	assert_true(cs_obf_alpha(0.05, 0.1) < 1e-9);
	assert_true(isnan(cs_obf_alpha(0.05, 0.0)));
}

/*
 * A run whose budget allows 12 of its 50 pairs: its last look is the
 * final analysis and tests at alpha (cs_look_fraction()), which keeps the
 * A/A rate at alpha and catches more of a real shift than ending at the
 * interim level of 12/50 of --max-pairs would.
 */
#define SEQ_BUDGET_SHIFT 0.10

static void test_quality_sequential_budget(void **state)
{
	const int budget = 12;
	int aa = count_sequential_budget(9, 0.0, true, budget, budget, CMP_REGRESSED) +
		 count_sequential_budget(9, 0.0, true, budget, budget, CMP_IMPROVED);
	int caught = count_sequential_budget(10, SEQ_BUDGET_SHIFT, true, budget, budget,
					     CMP_REGRESSED);
	int interim = count_sequential_budget(10, SEQ_BUDGET_SHIFT, true, budget, SEQ_MAX_PAIRS,
					      CMP_REGRESSED);

	(void)state;
	print_message("budget of %d of %d pairs: A/A %d/%d flagged; +%.0f%% %d/%d regressed (%d/%d ending at the interim level)\n",
		      budget, SEQ_MAX_PAIRS, aa, TRIALS, SEQ_BUDGET_SHIFT * 100, caught, TRIALS,
		      interim, TRIALS);
	assert_true(aa <= TRIALS * 5 / 100);
	assert_true(caught > interim);
	assert_true(fabs(cs_look_fraction(10, 50, 100) - 0.2) < 1e-12);
	assert_true(fabs(cs_look_fraction(10, 50, 10) - 0.5) < 1e-12);
	assert_true(cs_look_fraction(20, 50, 0) == 1.0);
	assert_true(cs_look_fraction(50, 50, 100) == 1.0);
	assert_true(cs_look_fraction(0, 50, 10) == 0.0);
}

static void test_quality_table(void **state)
{
	static const int rounds[] = { 3, 5, 10, 20 };
	static const double shifts[] = { 0.0, 0.02, 0.05, 0.10, 0.20 };

	(void)state;
	for (size_t r = 0; r < sizeof(rounds) / sizeof(rounds[0]); r++) {
		char line[256];
		int n = snprintf(line, sizeof(line), "rounds %2d:", rounds[r]);

		for (size_t k = 0; k < sizeof(shifts) / sizeof(shifts[0]); k++)
			n += snprintf(line + n, sizeof(line) - (size_t)n, "  +%2.0f%% %3d%%",
				      shifts[k] * 100,
				      count_flagged(50 + r, rounds[r], shifts[k]) * 100 / TRIALS);
		print_message("flagged by shift (between-round CV 5%%, within 2%%): %s\n", line);
	}
}

static void test_verdict_rules(void **state)
{
	struct cmp_options opt;
	struct cmp_row rows[8];

	(void)state;
	cmp_default_options(&opt);
	memset(rows, 0, sizeof(rows));
	/* significant and large, lower is better, went up */
	rows[0] = (struct cmp_row){
		.lower_is_better = true, .ratio = 1.2, .ci_lo = 1.15, .ci_hi = 1.25, .p = 0.001
	};
	/* significant but small, CI inside 1 +- 5%: unchanged */
	rows[1] = (struct cmp_row){
		.lower_is_better = true, .ratio = 1.02, .ci_lo = 1.01, .ci_hi = 1.03, .p = 0.001
	};
	/* not significant, CI reaches past 1.05: undecided */
	rows[2] = (struct cmp_row){ .lower_is_better = true,
				    .ratio = 1.06,
				    .ci_lo = 0.98,
				    .ci_hi = 1.14,
				    .p = 0.2,
				    .rounds_needed = 12 };
	/* nothing moved, narrow CI */
	rows[3] = (struct cmp_row){
		.lower_is_better = false, .ratio = 1.0, .ci_lo = 0.99, .ci_hi = 1.01, .p = 0.9
	};
	/* a large significant change, but a side's placement did not come true */
	rows[4] = (struct cmp_row){ .lower_is_better = true,
				    .ratio = 1.19,
				    .ci_lo = 1.1,
				    .ci_hi = 1.29,
				    .p = 0.001,
				    .flagged = true };
	/* one round on a side: no variance, no verdict */
	rows[5] = (struct cmp_row){ .lower_is_better = true,
				    .ratio = 1.5,
				    .ci_lo = NAN,
				    .ci_hi = NAN,
				    .p = 1,
				    .noise = CMP_NOISE_NONE };
	/* significant, below the threshold, but the CI reaches beyond it */
	rows[6] = (struct cmp_row){ .lower_is_better = true,
				    .ratio = 1.04,
				    .ci_lo = 1.01,
				    .ci_hi = 1.07,
				    .p = 0.001,
				    .rounds_needed = -1 };
	/* higher is better and it fell: a regression; a detail metric, BH apart */
	rows[7] = (struct cmp_row){ .lower_is_better = false,
				    .ratio = 0.8,
				    .ci_lo = 0.75,
				    .ci_hi = 0.85,
				    .p = 0.001,
				    .kind = METRIC_DETAIL };
	cmp_decide(rows, 8, &opt);
	assert_int_equal(rows[0].verdict, CMP_REGRESSED);
	assert_int_equal(rows[1].verdict, CMP_UNCHANGED);
	assert_int_equal(rows[2].verdict, CMP_UNDECIDED);
	assert_string_equal(rows[2].why, "too few rounds");
	assert_int_equal(rows[3].verdict, CMP_UNCHANGED);
	assert_int_equal(rows[4].verdict, CMP_UNDECIDED);
	assert_int_equal(rows[5].verdict, CMP_UNDECIDED);
	assert_int_equal(rows[6].verdict, CMP_UNDECIDED);
	assert_string_equal(rows[6].why, "run-to-run variance exceeds the threshold");
	assert_int_equal(rows[7].verdict, CMP_REGRESSED);
	/* BH within the gated kind: seven rows, four p = 0.001 at ranks 1-4. */
	assert_float_equal(rows[0].p_adj, 0.001 * 7 / 4, 1e-12);
	/* the detail row is a family of one */
	assert_float_equal(rows[7].p_adj, 0.001, 1e-12);
}

/*
 * Welch's t by hand: BASE round medians e^0, e^0.1, e^0.2 and NEW e^0.3,
 * e^0.4, e^0.5, one run each.  On the log scale both means are 0.1 and 0.4
 * apart by 0.3, each variance 0.01, se^2 = 0.01/3 * 2, t = 3.674235 with 4
 * degrees of freedom: p = 0.0213116 (integrated numerically); the CI is
 * 0.3 +- 2.776445 * se, and the ratio e^0.3.
 */
static void test_welch_by_hand(void **state)
{
	double a[3] = { exp(0.0), exp(0.1), exp(0.2) }, b[3] = { exp(0.3), exp(0.4), exp(0.5) };
	size_t run[3] = { 0, 0, 0 };
	struct cmp_side sa = { a, run, 3 }, sb = { b, run, 3 };
	struct cmp_options opt;
	struct cmp_row row = { .lower_is_better = true };
	double se = sqrt(0.02 / 3);

	(void)state;
	cmp_default_options(&opt);
	cmp_metric_stats(&sa, &sb, -1, 0, &opt, &row);
	assert_true(row.log_scale);
	assert_int_equal(row.noise, CMP_NOISE_ROUNDS);
	assert_float_equal(row.ratio, exp(0.3), 1e-12);
	assert_float_equal(row.df, 4.0, 1e-9);
	assert_float_equal(row.p, 0.0213116, 1e-6);
	assert_float_equal(row.ci_lo, exp(0.3 - 2.776445 * se), 1e-5);
	assert_float_equal(row.ci_hi, exp(0.3 + 2.776445 * se), 1e-5);
	assert_float_equal(row.median_base, exp(0.1), 1e-12);
	/* A run-to-run variance from history widens it: var 0.01 per side. */
	cmp_metric_stats(&sa, &sb, 0.01, 10, &opt, &row);
	assert_int_equal(row.noise, CMP_NOISE_HISTORY);
	assert_true(row.p > 0.0213116);
	assert_true(row.ci_hi - row.ci_lo > exp(0.3 + 2.776445 * se) - exp(0.3 - 2.776445 * se));
	/* Enough history variance and more rounds cannot reach 5%. */
	assert_int_equal(row.rounds_needed, -1);
}

/*
 * A side of several runs varies by its run means, each run counted once
 * however many rounds it has: two runs of three rounds whose means differ
 * are two observations, not six.
 */
static void test_side_of_runs(void **state)
{
	double a[6] = { 100, 101, 99, 120, 121, 119 }, b[3] = { 110, 111, 109 };
	size_t runa[6] = { 0, 0, 0, 1, 1, 1 }, runb[3] = { 0, 0, 0 };
	struct cmp_side sa = { a, runa, 6 }, sb = { b, runb, 3 };
	struct cmp_options opt;
	struct cmp_row row = { .lower_is_better = true };

	(void)state;
	cmp_default_options(&opt);
	cmp_metric_stats(&sa, &sb, -1, 0, &opt, &row);
	assert_int_equal(row.noise, CMP_NOISE_RUNS);
	assert_int_equal(row.k_base, 2);
	assert_int_equal(row.n_base, 6);
	cmp_decide(&row, 1, &opt);
	/* two runs 20% apart: nothing can be said about a 5% change */
	assert_int_equal(row.verdict, CMP_UNDECIDED);
}

/*
 * Constant round medians (a count every round drew the same) are decided
 * on their values once each side has two rounds; with one round there is
 * no variance, and no verdict.
 */
static void test_constant_sides(void **state)
{
	double a[5], b[5], c[5];
	size_t run[5] = { 0 };
	struct cmp_side sa = { a, run, 5 }, sb = { b, run, 5 }, sc = { c, run, 5 };
	struct cmp_side one_a = { a, run, 1 }, one_b = { b, run, 1 };
	struct cmp_options opt;
	struct cmp_row row = { .lower_is_better = true, .kind = METRIC_LAYOUT };

	(void)state;
	cmp_default_options(&opt);
	for (int i = 0; i < 5; i++) {
		a[i] = 100.0;
		b[i] = 130.0;
		c[i] = 100.0;
	}
	cmp_metric_stats(&sa, &sb, -1, 0, &opt, &row);
	cmp_decide(&row, 1, &opt);
	assert_float_equal(row.ratio, 1.3, 1e-12);
	assert_int_equal(row.verdict, CMP_REGRESSED);
	cmp_metric_stats(&sa, &sc, -1, 0, &opt, &row);
	cmp_decide(&row, 1, &opt);
	assert_int_equal(row.verdict, CMP_UNCHANGED);
	cmp_metric_stats(&one_a, &one_b, -1, 0, &opt, &row);
	cmp_decide(&row, 1, &opt);
	assert_int_equal(row.verdict, CMP_UNDECIDED);
}

/* The t distribution against tabulated quantiles. */
static void test_t_distribution(void **state)
{
	(void)state;
	assert_float_equal(cs_t_quantile(0.975, 1), 12.706205, 1e-5);
	assert_float_equal(cs_t_quantile(0.975, 4), 2.776445, 1e-5);
	assert_float_equal(cs_t_quantile(0.95, 8), 1.859548, 1e-5);
	assert_float_equal(cs_t_quantile(0.975, 1e6), 1.959966, 1e-5);
	assert_float_equal(cs_t_cdf(0, 3), 0.5, 1e-12);
	assert_float_equal(cs_t_cdf(2.0, 10) + cs_t_cdf(-2.0, 10), 1.0, 1e-12);
	assert_true(isnan(cs_t_cdf(1, 0)));
}

/*
 * Change points: a flat noisy series should rarely get one; a step of 4
 * sigma in the middle should be found at the right index.
 */
static void test_change_points(void **state)
{
	enum {
		N = 30
	};
	double x[N];
	size_t cps[N];
	struct cs_rng rng;
	int false_alarms = 0, found = 0;

	(void)state;
	cs_rng_seed(&rng, 7);
	for (int t = 0; t < TRIALS; t++) {
		size_t n;

		for (int i = 0; i < N; i++)
			x[i] = 100.0 + cs_rng_normal(&rng);
		n = cs_change_points(x, N, cs_bic_penalty(cs_diff_sigma(x, N), N), cps, N);
		false_alarms += n > 0;
		for (int i = 0; i < N; i++)
			x[i] = 100.0 + cs_rng_normal(&rng) + (i >= 17 ? 4.0 : 0.0);
		n = cs_change_points(x, N, cs_bic_penalty(cs_diff_sigma(x, N), N), cps, N);
		found += n == 1 && cps[0] >= 16 && cps[0] <= 18;
	}
	print_message("change points: %d/%d false alarms on flat series, %d/%d steps found at 17+-1\n",
		      false_alarms, TRIALS, found, TRIALS);
	assert_true(false_alarms <= TRIALS * 10 / 100);
	assert_true(found >= TRIALS * 90 / 100);

	/* Noise-free staircase: exact positions. */
	for (int i = 0; i < N; i++)
		x[i] = i < 10 ? 1.0 : i < 20 ? 5.0 : 2.0;
	assert_int_equal(cs_change_points(x, N, 0.5, cps, N), 2);
	assert_int_equal(cps[0], 10);
	assert_int_equal(cps[1], 20);
}

/*
 * The reference: optimal partitioning without pruning, written plainly.
 * Returns the number of changes; starts in @cps.
 */
static size_t ref_change_points(const double *x, size_t n, double penalty, size_t *cps)
{
	double best[201];
	size_t last[201], count = 0, k;

	assert_true(n <= 200);
	best[0] = 0.0;
	for (size_t t = 1; t <= n; t++) {
		best[t] = INFINITY;
		for (size_t s = 0; s < t; s++) {
			double sum = 0.0, sumsq = 0.0, cost;

			for (size_t i = s; i < t; i++) {
				sum += x[i];
				sumsq += x[i] * x[i];
			}
			cost = fmax(sumsq - sum * sum / (double)(t - s), 0.0) + best[s] + penalty;
			if (cost < best[t]) {
				best[t] = cost;
				last[t] = s;
			}
		}
	}
	for (size_t e = n; last[e] > 0; e = last[e])
		count++;
	k = count;
	for (size_t e = n; last[e] > 0; e = last[e])
		cps[--k] = last[e];
	return count;
}

/*
 * The pruned search (PELT) must find exactly what the full search finds:
 * random series with 0-4 steps of random size and place, random penalties.
 */
static void test_change_points_pruned(void **state)
{
	enum {
		N = 200
	};
	double x[N];
	size_t got[N], want[N];
	struct cs_rng rng;
	int with_changes = 0;

	(void)state;
	cs_rng_seed(&rng, 11);
	for (int t = 0; t < 300; t++) {
		size_t n = 2 + (size_t)(cs_rng_uniform(&rng) * (N - 2));
		double level = 100.0, sigma = 1.0 + 4.0 * cs_rng_uniform(&rng);
		int steps = (int)(cs_rng_uniform(&rng) * 5);
		double penalty = cs_bic_penalty(sigma, n) * (0.25 + 2.0 * cs_rng_uniform(&rng));
		size_t ngot, nwant;

		for (size_t i = 0; i < n; i++) {
			if (steps && cs_rng_uniform(&rng) < (double)steps / (double)n)
				level += (cs_rng_uniform(&rng) - 0.5) * 40.0;
			x[i] = level + sigma * cs_rng_normal(&rng);
		}
		ngot = cs_change_points(x, n, penalty, got, N);
		nwant = ref_change_points(x, n, penalty, want);
		with_changes += nwant > 0;
		assert_int_equal(ngot, nwant);
		for (size_t c = 0; c < nwant; c++)
			assert_int_equal(got[c], want[c]);
	}
	print_message("pruned change points == full search on 300 series (%d with changes)\n",
		      with_changes);
	assert_true(with_changes > 100);
}

/* ---- loading result files ---- */

static char tmpdir[64];
static char last_warning[1024];

static void capture_warning(const char *msg)
{
	snprintf(last_warning, sizeof(last_warning), "%s", msg);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_compare.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	rl_set_warn(capture_warning);
	return 0;
}

static int teardown_tmp(void **state)
{
	char cmd[128];

	(void)state;
	rl_set_warn(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *doc_template =
	"{\"schema_version\": %d, \"hostname\": \"%s\", \"suite_commit\": \"abc\","
	" \"started_utc\": \"%s\", \"complete\": true,"
	" \"environment\": {\"kernel\": {\"release\": \"%s\"},"
	"   \"numa\": {\"nodes\": [{\"id\": 0, \"hugepages\": {\"2048kB\": {\"total\": 8, \"free\": %d}}}]}},"
	" \"benchmarks\": ["
	"  {\"name\": \"pin\", \"params\": {\"size\": 4096, \"page\": \"thp\"}, \"status\": \"ok\","
	"   \"metrics\": {\"pin_ns_per_page\": {\"unit\": \"ns/page\", \"better\": \"lower\","
	"     \"%s\": [%s], \"summary\": {\"noisy\": false}}}},"
	"  {\"name\": \"only\", \"key\": \"%s|x=1\", \"status\": \"skipped\", \"reason\": \"no pool\"}"
	" ]}";

static void write_result(const char *name, int schema, const char *host, const char *when,
			 const char *kernel, int free_pages, const char *samples, const char *other)
{
	char path[256], doc[4096];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	/* Schema 1 has one flat array of samples; schema 2 an array per round. */
	snprintf(doc, sizeof(doc), doc_template, schema, host, when, kernel, free_pages,
		 schema == 1 ? "samples" : "rounds", samples, other);
	write_file(path, doc);
}

static void test_load_errors(void **state)
{
	struct rl_result res;
	char path[256], err[1024];

	(void)state;
	snprintf(path, sizeof(path), "%s/trunc.json", tmpdir);
	write_file(path, "{\"schema_version\": 1, \"benchmarks\": [");
	assert_int_equal(rl_load(path, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "truncated"));

	write_file(path, "{\"schema_version\": 1, \"benchmarks\": [} ");
	assert_int_equal(rl_load(path, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid JSON at line 1"));

	write_file(path, "{\"benchmarks\": []}");
	assert_int_equal(rl_load(path, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "schema_version"));

	snprintf(path, sizeof(path), "%s/missing.json", tmpdir);
	assert_int_equal(rl_load(path, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing.json: cannot read"));
}

static void test_load_and_key(void **state)
{
	struct rl_result res;
	char path[256], err[1024];

	(void)state;
	write_result("v3.json", 3, "h", "2026-01-01T00:00:00Z", "6.1", 8, "[10, 11, 12]", "x");
	snprintf(path, sizeof(path), "%s/v3.json", tmpdir);
	last_warning[0] = '\0';
	assert_int_equal(rl_load(path, &res, err, sizeof(err)), 0);
	/* An unknown schema version loads, with a warning naming the file. */
	assert_non_null(strstr(last_warning, "schema_version 3"));
	assert_non_null(strstr(last_warning, "v3.json"));
	assert_int_equal(res.nbenches, 2);
	/* No key in the file: built from the sorted params. */
	assert_string_equal(res.benches[0].key, "pin|page=thp|size=4096");
	assert_string_equal(res.benches[1].key, "x|x=1");
	assert_string_equal(res.benches[1].status, "skipped");
	assert_int_equal(res.benches[0].nmetrics, 1);
	assert_int_equal(res.benches[0].metrics[0].nsamples, 3);
	assert_float_equal(res.benches[0].metrics[0].median, 11.0, 0.0);
	assert_true(res.benches[0].metrics[0].lower_is_better);
	/* not in the file: the kind comes from the metric table */
	assert_int_equal(res.benches[0].metrics[0].kind, METRIC_GATED);
	rl_free(&res);

	/* Schema 1, no warning: its samples are one round. */
	write_result("v1.json", 1, "h", "2026-01-01T00:00:00Z", "6.1", 8, "10, 11, 12", "x");
	snprintf(path, sizeof(path), "%s/v1.json", tmpdir);
	last_warning[0] = '\0';
	assert_int_equal(rl_load(path, &res, err, sizeof(err)), 0);
	assert_string_equal(last_warning, "");
	assert_int_equal(res.benches[0].metrics[0].nrounds, 1);
	assert_int_equal(res.benches[0].metrics[0].nsamples, 3);
	rl_free(&res);

	/* Schema 2: samples by round; the run's estimate is over the rounds. */
	write_result("v2.json", 2, "h", "2026-01-01T00:00:00Z", "6.1", 8,
		     "[9, 10, 11], [20, 19, 21], [40]", "x");
	snprintf(path, sizeof(path), "%s/v2.json", tmpdir);
	assert_int_equal(rl_load(path, &res, err, sizeof(err)), 0);
	assert_int_equal(res.benches[0].metrics[0].nrounds, 3);
	assert_int_equal(res.benches[0].metrics[0].nsamples, 7);
	assert_float_equal(res.benches[0].metrics[0].round_medians[2], 40.0, 0.0);
	assert_float_equal(res.benches[0].metrics[0].median, 20.0, 1e-9);
	rl_free(&res);
}

static void test_compare_end_to_end(void **state)
{
	struct rl_set base = { 0 }, new = { 0 }, one = { 0 };
	struct cmp_options opt;
	struct cmp_report rep;
	char bpath[256], npath[256], opath[256];
	char *bp = bpath, *np = npath, *op = opath;

	(void)state;
	write_result("base.json", 2, "h", "2026-01-01T00:00:00Z", "6.1", 8,
		     "[100, 101], [99, 100], [102, 98], [100, 101], [99, 100]", "a");
	write_result("new.json", 2, "h", "2026-01-02T00:00:00Z", "6.12", 3,
		     "[120, 121], [119, 120], [122, 118], [120, 121], [119, 120]", "b");
	write_result("one.json", 1, "h", "2026-01-02T00:00:00Z", "6.12", 3,
		     "120, 121, 119, 120, 122, 118, 120, 121, 119, 120", "b");
	snprintf(bpath, sizeof(bpath), "%s/base.json", tmpdir);
	snprintf(npath, sizeof(npath), "%s/new.json", tmpdir);
	snprintf(opath, sizeof(opath), "%s/one.json", tmpdir);
	assert_int_equal(rl_load_paths(&bp, 1, &base), 0);
	assert_int_equal(rl_load_paths(&np, 1, &new), 0);
	assert_int_equal(rl_load_paths(&op, 1, &one), 0);
	cmp_default_options(&opt);
	assert_int_equal(cmp_compare(&base, &new, &opt, &rep), 0);
	assert_int_equal(rep.nrows, 1);
	/* the centers are geometric means of the round medians */
	assert_float_equal(rep.rows[0].ratio, 1.2, 1e-3);
	assert_int_equal(rep.rows[0].n_base, 5);
	assert_int_equal(rep.rows[0].verdict, CMP_REGRESSED);
	assert_int_equal(cmp_gated(&rep, CMP_REGRESSED), 1);
	/* the skipped benchmarks differ in key: one only in each side */
	assert_int_equal(rep.nonly_base, 1);
	assert_int_equal(rep.nonly_new, 1);
	/* kernel differs; free hugepages (load, not setup) are not reported */
	assert_int_equal(rep.nenv, 1);
	assert_string_equal(rep.env[0].path, "environment.kernel.release");
	assert_string_equal(rep.env[0].base, "\"6.1\"");
	assert_string_equal(rep.env[0].new, "\"6.12\"");
	assert_false(rep.different_machines);
	cmp_report_free(&rep);

	/*
	 * A schema 1 file is one round, however many samples: against it, a
	 * 20% step is undecided, never regressed (ten samples of one buffer
	 * are not ten reruns).
	 */
	assert_int_equal(cmp_compare(&base, &one, &opt, &rep), 0);
	assert_int_equal(rep.rows[0].verdict, CMP_UNDECIDED);
	cmp_report_free(&rep);

	/* Same file against itself: unchanged. */
	assert_int_equal(cmp_compare(&base, &base, &opt, &rep), 0);
	assert_int_equal(rep.rows[0].verdict, CMP_UNCHANGED);
	assert_int_equal(rep.nenv, 0);
	cmp_report_free(&rep);
	rl_set_free(&base);
	rl_set_free(&new);
	rl_set_free(&one);
}

/*
 * A run of `make bench` holds two machines' results under the same keys
 * (io_uring on the host and in the lab VM).  Each host's rounds must be
 * compared with the same host's: host "fast" regressed by 10%, host
 * "slow" (three times its level) did not move.  Pooled, the two levels
 * are one spread and nothing is decided.
 */
static void test_compare_hosts_apart(void **state)
{
	struct rl_set base = { 0 }, new = { 0 };
	struct cmp_options opt;
	struct cmp_report rep;
	char paths[4][256];
	char *bp[2] = { paths[0], paths[1] }, *np[2] = { paths[2], paths[3] };
	size_t fast = SIZE_MAX, slow = SIZE_MAX;

	(void)state;
	write_result("b-fast.json", 2, "fast", "2026-01-01T00:00:00Z", "6.1", 8,
		     "[100, 101], [99, 100], [102, 98], [100, 101], [99, 100]", "a");
	write_result("b-slow.json", 2, "slow", "2026-01-01T00:00:00Z", "6.12", 8,
		     "[300, 303], [297, 300], [306, 294], [300, 303], [297, 300]", "a");
	write_result("n-fast.json", 2, "fast", "2026-01-02T00:00:00Z", "6.1", 8,
		     "[110, 111], [109, 110], [112, 108], [110, 111], [109, 110]", "a");
	write_result("n-slow.json", 2, "slow", "2026-01-02T00:00:00Z", "6.12", 8,
		     "[300, 303], [297, 300], [306, 294], [300, 303], [297, 300]", "a");
	snprintf(paths[0], sizeof(paths[0]), "%s/b-fast.json", tmpdir);
	snprintf(paths[1], sizeof(paths[1]), "%s/b-slow.json", tmpdir);
	snprintf(paths[2], sizeof(paths[2]), "%s/n-fast.json", tmpdir);
	snprintf(paths[3], sizeof(paths[3]), "%s/n-slow.json", tmpdir);
	assert_int_equal(rl_load_paths(bp, 2, &base), 0);
	assert_int_equal(rl_load_paths(np, 2, &new), 0);
	cmp_default_options(&opt);
	assert_int_equal(cmp_compare(&base, &new, &opt, &rep), 0);
	assert_int_equal(rep.nrows, 2);
	for (size_t i = 0; i < rep.nrows; i++) {
		if (strstr(rep.rows[i].key, "|host=fast|"))
			fast = i;
		if (strstr(rep.rows[i].key, "|host=slow|"))
			slow = i;
		/* each row holds one host's five rounds, not both hosts' ten */
		assert_int_equal(rep.rows[i].n_base, 5);
		assert_int_equal(rep.rows[i].n_new, 5);
	}
	assert_true(fast < rep.nrows && slow < rep.nrows);
	assert_string_equal(rep.rows[fast].key, "pin|host=fast|page=thp|size=4096");
	assert_float_equal(rep.rows[fast].ratio, 1.1, 1e-3);
	assert_int_equal(rep.rows[fast].verdict, CMP_REGRESSED);
	assert_int_equal(rep.rows[slow].verdict, CMP_UNCHANGED);
	cmp_report_free(&rep);

	/* Two machines compared on purpose (one host a side): matched by key. */
	rl_set_free(&base);
	rl_set_free(&new);
	assert_int_equal(rl_load_paths(bp, 1, &base), 0);
	assert_int_equal(rl_load_paths(np + 1, 1, &new), 0);
	assert_int_equal(cmp_compare(&base, &new, &opt, &rep), 0);
	assert_int_equal(rep.nrows, 1);
	assert_string_equal(rep.rows[0].key, "pin|page=thp|size=4096");
	assert_float_equal(rep.rows[0].ratio, 3.0, 1e-2);
	cmp_report_free(&rep);
	rl_set_free(&base);
	rl_set_free(&new);
}

static void test_short_labels(void **state)
{
	char *keys[] = { "pin|backend=uring|page=4k|size=64", "pin|backend=uring|page=thp|size=64",
			 "pin|backend=uring|page=thp|size=6" };
	char *labels[3];

	(void)state;
	assert_int_equal(short_labels(keys, 3, labels), 0);
	/* backend is the same everywhere; size=64 vs size=6 must not match */
	assert_string_equal(labels[0], "pin page=4k size=64");
	assert_string_equal(labels[1], "pin page=thp size=64");
	assert_string_equal(labels[2], "pin page=thp size=6");
	for (int i = 0; i < 3; i++)
		free(labels[i]);
}

/* Six runs, the last two 30% slower: one change point at the fifth run. */
static void test_history_series(void **state)
{
	struct rl_set set = { 0 };
	struct hist_series *series = NULL;
	size_t n = 0;
	char dir[128], *dp = dir;

	(void)state;
	for (int r = 0; r < 6; r++) {
		char name[32], when[32];
		const char *samples = r < 4 ? "100, 101, 99, 100, 102" : "130, 131, 129, 130, 132";

		snprintf(name, sizeof(name), "run%d.json", r);
		snprintf(when, sizeof(when), "2026-01-0%dT00:00:00Z", r + 1);
		write_result(name, 1, "h", when, "6.1", 0, samples, "x");
	}
	snprintf(dir, sizeof(dir), "%s", tmpdir);
	assert_int_equal(rl_load_paths(&dp, 1, &set), 0);
	assert_int_equal(set.n, 6);
	assert_int_equal(hist_build(&set, "pin_ns_per_page", NULL, 0.05, &series, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(series[0].npoints, 6);
	assert_int_equal(series[0].nchanges, 1);
	assert_int_equal(series[0].changes[0].at, 4);
	assert_float_equal(series[0].changes[0].before, 100.0, 1e-9);
	assert_float_equal(series[0].changes[0].after, 130.0, 1e-9);
	hist_free(series, n);
	/* The same step is not reported when the threshold is above 30%. */
	assert_int_equal(hist_build(&set, "pin_ns_per_page", NULL, 0.35, &series, &n), 0);
	assert_int_equal(series[0].nchanges, 0);
	hist_free(series, n);
	rl_set_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_mann_whitney_no_ties),
		cmocka_unit_test(test_mann_whitney_ties),
		cmocka_unit_test(test_benjamini_hochberg),
		cmocka_unit_test(test_t_distribution),
		cmocka_unit_test(test_verdict_rules),
		cmocka_unit_test(test_welch_by_hand),
		cmocka_unit_test(test_side_of_runs),
		cmocka_unit_test(test_quality_aa),
		cmocka_unit_test(test_quality_pooled_fails_aa),
		cmocka_unit_test(test_quality_ab_10pct),
		cmocka_unit_test(test_quality_ab_2pct),
		cmocka_unit_test(test_quality_table),
		cmocka_unit_test(test_quality_sequential),
		cmocka_unit_test(test_quality_sequential_budget),
		cmocka_unit_test(test_constant_sides),
		cmocka_unit_test(test_change_points),
		cmocka_unit_test_setup_teardown(test_load_errors, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_load_and_key, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_compare_end_to_end, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_compare_hosts_apart, setup_tmp, teardown_tmp),
		cmocka_unit_test(test_short_labels),
		cmocka_unit_test(test_change_points_pruned),
		cmocka_unit_test_setup_teardown(test_history_series, setup_tmp, teardown_tmp),
	};

	return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
