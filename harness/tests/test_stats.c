// SPDX-License-Identifier: GPL-2.0
/*
 * Summary statistics against values computed by hand (derivations in the
 * comments), including the order-statistic ranks of the median's 95% CI,
 * which match published tables (n = 10: 2nd and 9th; n = 20: 6th and 15th;
 * n = 100: 40th and 61st).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stats.h"

#define EPS 1e-9

static void assert_close(double got, double want)
{
	if (fabs(got - want) > EPS * (1 + fabs(want)))
		fail_msg("got %.12g, want %.12g", got, want);
}

static void test_one_to_ten(void **state)
{
	/* Shuffled 1..10: the input order must not matter nor change. */
	double x[10] = { 7, 3, 10, 1, 5, 9, 2, 8, 6, 4 };
	struct summary s;

	(void)state;
	assert_int_equal(stats_summarize(x, 10, 0.05, &s), 0);
	assert_close(x[0], 7); /* not sorted in place */
	assert_int_equal(s.n, 10);
	assert_close(s.median, 5.5);
	assert_close(s.mean, 5.5);
	/* sum (i - 5.5)^2 = 82.5; / 9 = 9.1666...; sqrt = 3.0276503540974917 */
	assert_close(s.stddev, 3.0276503540974917);
	assert_close(s.min, 1);
	assert_close(s.max, 10);
	/* p10: position 0.1 * 9 = 0.9 between 1 and 2; p90: 8.1 -> 9.1 */
	assert_close(s.p10, 1.9);
	assert_close(s.p90, 9.1);
	/* P(B <= 1) = 11/1024 <= 2.5% < P(B <= 2) = 56/1024: ranks 2 and 9 */
	assert_close(s.ci95_lo, 2);
	assert_close(s.ci95_hi, 9);
	assert_close(s.ci_coverage, 1 - 2 * 11.0 / 1024);
	assert_close(s.cv, 3.0276503540974917 / 5.5);
	assert_true(s.noisy);
}

static void test_ci_ranks(void **state)
{
	size_t lo, hi;
	double cov;

	(void)state;
	/* n = 20: P(B <= 5) = 21700 / 2^20 = 0.0207 <= 2.5% < P(B <= 6) = 0.0577 */
	cov = stats_median_ci_ranks(20, &lo, &hi);
	assert_int_equal(lo, 6);
	assert_int_equal(hi, 15);
	assert_close(cov, 1 - 2 * 21700.0 / 1048576);
	/* n = 100: P(B <= 39) = 0.0176 <= 2.5% < P(B <= 40) = 0.0284 */
	stats_median_ci_ranks(100, &lo, &hi);
	assert_int_equal(lo, 40);
	assert_int_equal(hi, 61);
	/* n = 6: P(B = 0) = 1/64 <= 2.5%: min and max, coverage 31/32 */
	cov = stats_median_ci_ranks(6, &lo, &hi);
	assert_int_equal(lo, 1);
	assert_int_equal(hi, 6);
	assert_close(cov, 1 - 2.0 / 64);
	/* n = 5: no pair reaches 95%; min and max cover 1 - 2/32 */
	cov = stats_median_ci_ranks(5, &lo, &hi);
	assert_int_equal(lo, 1);
	assert_int_equal(hi, 5);
	assert_close(cov, 1 - 2.0 / 32);
}

/*
 * The trimmed mean and its SE, worked by hand: 1..10 and 1000, 20% trimmed
 * (two values off each end) leaves 3..9, mean 6; winsorized, the sample is
 * 3,3,3,4,...,8,9,9,9: squares of deviations from 6 sum to 64, variance
 * 6.4, SE = sqrt(6.4) / ((1 - 4/11) sqrt(11)).  Untrimmed: mean and SD/sqrt(n).
 */
static void test_trimmed_mean(void **state)
{
	double x[11], se;

	(void)state;
	for (int i = 0; i < 10; i++)
		x[i] = i + 1;
	x[10] = 1000;
	assert_close(stats_trimmed_mean_sorted(x, 11, 0.2, &se), 6.0);
	assert_close(se, sqrt(6.4) / ((1.0 - 4.0 / 11.0) * sqrt(11.0)));
	/* 1..5: mean 3, SD sqrt(2.5) */
	assert_close(stats_trimmed_mean_sorted(x, 5, 0.0, &se), 3.0);
	assert_close(se, sqrt(2.5) / sqrt(5.0));
	/* too few to trim: the plain mean; one value has no SE */
	assert_close(stats_trimmed_mean_sorted(x, 4, 0.2, NULL), 2.5);
	assert_close(stats_trimmed_mean_sorted(x, 1, 0.2, &se), 1.0);
	assert_true(isnan(se));
	assert_true(isnan(stats_trimmed_mean_sorted(x, 0, 0.2, &se)));
}

static void test_single_and_constant(void **state)
{
	double one = 42, same[4] = { 3, 3, 3, 3 };
	struct summary s;

	(void)state;
	assert_int_equal(stats_summarize(&one, 1, 0.05, &s), 0);
	assert_close(s.median, 42);
	assert_close(s.stddev, 0);
	assert_close(s.ci95_lo, 42);
	assert_close(s.ci95_hi, 42);
	assert_false(s.noisy);
	assert_int_equal(stats_summarize(same, 4, 0.05, &s), 0);
	assert_close(s.cv, 0);
	assert_false(s.noisy);
	assert_int_equal(stats_summarize(same, 0, 0.05, &s), -1);
}

static void test_noisy_threshold(void **state)
{
	/* mean 100, stddev sqrt(50) = 7.0710678: cv 0.0707 */
	double x[2] = { 95, 105 };
	struct summary s;

	(void)state;
	assert_int_equal(stats_summarize(x, 2, 0.05, &s), 0);
	assert_close(s.cv, sqrt(50.0) / 100);
	assert_true(s.noisy);
	assert_int_equal(stats_summarize(x, 2, 0.08, &s), 0);
	assert_false(s.noisy);
	assert_close(s.median, 100);
	assert_close(s.p10, 96);
	assert_close(s.p90, 104);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_to_ten),	cmocka_unit_test(test_ci_ranks),
		cmocka_unit_test(test_trimmed_mean),	cmocka_unit_test(test_single_and_constant),
		cmocka_unit_test(test_noisy_threshold),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
